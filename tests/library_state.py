"""A fingerprint of a library's data folder, to assert "nothing changed" after a refused input."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

_DB = "library.sqlite3"


def data_fingerprint(data_dir: Path) -> dict[str, str]:
    """sha256 of every file under ``data_dir`` except the database, plus the database's rows.

    The database is compared by content (every row of every table, and its schema), not bytes:
    SQLite may checkpoint its WAL into the file without a logical change.
    """
    out: dict[str, str] = {}
    for p in sorted(Path(data_dir).rglob("*")):
        rel = p.relative_to(data_dir).as_posix()
        if p.is_dir():
            out[rel + "/"] = "dir"
        elif not rel.startswith(_DB):
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    db = Path(data_dir) / _DB
    if db.is_file():
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            out[_DB] = hashlib.sha256("\n".join(conn.iterdump()).encode("utf-8", "replace")
                                      ).hexdigest()
        finally:
            conn.close()
    return out
