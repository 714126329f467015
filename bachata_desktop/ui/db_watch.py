"""Notice library changes made outside this window (a CLI import while the app is open).

``PRAGMA data_version`` changes when another connection commits; reading it is an in-memory
check, cheap enough for a timer on the GUI thread. Only when it changes are the clip and song
counts (and how many clips are analysed) read (a few microseconds on an indexed table), and a signal says which of them moved.
Commits by this app's own store connection count as "another connection" here too; that only
costs a reload the panels already make cheap.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)
POLL_MS = 2000


class DatabaseWatcher(QObject):
    clips_changed = Signal()
    songs_changed = Signal()

    def __init__(self, database: Path, parent: QObject | None = None,
                 interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self._path = database
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self._counts: tuple[tuple[int, int, int], tuple[int, int]] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.poll()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _open(self) -> sqlite3.Connection | None:
        if self._conn is None and self._path.is_file():
            try:
                self._conn = sqlite3.connect(f"{self._path.resolve().as_uri()}?mode=ro", uri=True,
                                             timeout=0.05, check_same_thread=True)
            except sqlite3.Error as exc:
                log.info("cannot watch %s: %s", self._path, exc)
        return self._conn

    def _read_counts(self, conn: sqlite3.Connection
                     ) -> tuple[tuple[int, int, int], tuple[int, int]]:
        # clips analysed elsewhere (a CLI "library analyze") change the count of settled ones
        c = conn.execute("SELECT count(*), coalesce(max(id), 0), "
                         "coalesce(sum(analysis_state IN ('done', 'failed')), 0) FROM clips "
                         "WHERE deleted_at IS NULL").fetchone()
        s = conn.execute("SELECT count(*), coalesce(max(id), 0) FROM songs").fetchone()
        return (int(c[0]), int(c[1]), int(c[2])), (int(s[0]), int(s[1]))

    def clip_count(self) -> int | None:
        """Clips in the library at the last look (None before the first successful look)."""
        return self._counts[0][0] if self._counts is not None else None

    def poll(self) -> None:
        conn = self._open()
        if conn is None:
            return
        try:
            version = int(conn.execute("PRAGMA data_version").fetchone()[0])
            if version == self._version:
                return
            self._version = version
            counts = self._read_counts(conn)
        except sqlite3.Error as exc:  # busy or locked for a moment: try on the next tick
            log.debug("database watch skipped a tick: %s", exc)
            return
        old, self._counts = self._counts, counts
        if old is None:
            return
        if counts[0] != old[0]:
            self.clips_changed.emit()
        if counts[1] != old[1]:
            self.songs_changed.emit()


__all__ = ["POLL_MS", "DatabaseWatcher"]
