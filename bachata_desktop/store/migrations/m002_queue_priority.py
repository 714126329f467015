"""Schema 2: analysis queue order (a re-queued clip keeps its place) and choreography search text."""

from __future__ import annotations

import sqlite3


def apply(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE analysis_queue ADD COLUMN priority INTEGER NOT NULL DEFAULT 0")
    conn.execute("ALTER TABLE choreographies ADD COLUMN search_text TEXT NOT NULL DEFAULT ''")
    conn.execute("CREATE INDEX queue_state ON analysis_queue(state, priority, enqueued_at)")
