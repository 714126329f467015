"""The SQLite connection layer: WAL, foreign keys, one writer, migrations after a backup.

Each thread gets its own connection (sqlite3 objects must not cross threads); every write goes
through :meth:`Database.write`, which holds one process-wide lock and runs in a single transaction,
so an interrupted write leaves the database as it was before it (SQLite's atomic commit).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bachata_desktop.core.errors import StorageError
from bachata_desktop.store.migrations import MIGRATIONS, SCHEMA_VERSION


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """A SQLite file opened for this app. Use :meth:`open` to migrate it first."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self.read_only = False      # a library on a read-only disk or folder: reads only
        self._uri = ""

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, backup_dir: Path | None = None) -> Database:
        """Open (creating if needed) and migrate to :data:`SCHEMA_VERSION`.

        Raises StorageError for a database newer than this app, an unreadable file or a
        read-only location.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"Cannot create the library folder {path.parent}: {exc.strerror}") from exc
        if path.exists() and not _writable(path):
            return cls._open_read_only(path)
        version = _peek_version(path)
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"The library database {path} was written by a newer version of Bachata Buddy "
                f"(schema {version}, this app knows up to {SCHEMA_VERSION}). Please update the app."
            )
        db = cls(path)
        if version < SCHEMA_VERSION:
            if version > 0:
                db.backup(backup_dir or path.parent / "backups", reason=f"before-migrate-v{version}")
            db.migrate(version)
        return db

    @classmethod
    def _open_read_only(cls, path: Path) -> Database:
        """Open a library that cannot be written (read-only disk or folder) for reading only.

        ``mode=ro`` first; a WAL database without its ``-shm`` in a read-only folder needs
        ``immutable=1`` (nobody can be writing it there)."""
        db = cls(path)
        db.read_only = True
        base = path.resolve().as_uri()
        last: Exception | None = None
        for query in ("?mode=ro", "?mode=ro&immutable=1"):
            try:
                conn = sqlite3.connect(base + query, uri=True)
                try:
                    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                finally:
                    conn.close()
            except sqlite3.DatabaseError as exc:
                last = exc
                continue
            if version != SCHEMA_VERSION:
                raise StorageError(
                    f"The library at {path.parent} is read-only and was written by "
                    f"{'a newer' if version > SCHEMA_VERSION else 'an older'} version of Bachata "
                    "Buddy; make it writable (or copy it) to open it.")
            db._uri = base + query
            return db
        raise StorageError(f"The library database {path} is read-only and cannot be read "
                           f"({last}).")

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            conn = sqlite3.connect(self._uri, uri=True, timeout=30.0, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            with self._all_lock:
                self._all.append(conn)
            return conn
        try:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                # Read-only folders cannot hold the -wal file; fall back and say so on write.
                conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.OperationalError as exc:
            raise StorageError(f"Cannot open the library database {self.path}: {exc}") from exc
        with self._all_lock:
            self._all.append(conn)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection."""
        c = getattr(self._local, "conn", None)
        if c is None:
            c = self._connect()
            self._local.conn = c
        return c

    def close(self) -> None:
        with self._all_lock:
            for c in self._all:
                with contextlib.suppress(sqlite3.Error):
                    c.close()
            self._all.clear()
        self._local = threading.local()

    # -- reading and writing -------------------------------------------------------------------
    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One atomic write transaction, serialised across threads."""
        if self.read_only:
            raise StorageError(f"The library at {self.path.parent} is read-only; nothing was "
                               "changed.")
        with self._write_lock:
            c = self.conn
            if c.in_transaction:  # nested: join the outer transaction
                yield c
                return
            try:
                c.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StorageError(_explain(exc, self.path)) from exc
            try:
                yield c
                c.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                with contextlib.suppress(sqlite3.Error):
                    c.execute("ROLLBACK")
                raise StorageError(_explain(exc, self.path)) from exc
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    c.execute("ROLLBACK")
                raise

    # -- schema ------------------------------------------------------------------------------
    def user_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, from_version: int) -> None:
        for number, step in MIGRATIONS:
            if number <= from_version:
                continue
            with self.write() as c:
                # another process opening the same new library may have migrated meanwhile
                if int(c.execute("PRAGMA user_version").fetchone()[0]) >= number:
                    continue
                step(c)
                c.execute(f"PRAGMA user_version={int(number)}")

    def backup(self, folder: Path, reason: str = "backup") -> Path:
        """A consistent copy of the live database (SQLite online backup), timestamped."""
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = folder / f"{self.path.stem}-{stamp}-{reason}.sqlite3"
        tmp = target.with_suffix(".partial")
        try:
            dst = sqlite3.connect(tmp)
            with dst:
                self.conn.backup(dst)
            dst.close()
            shutil.move(tmp, target)
        except (OSError, sqlite3.Error) as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise StorageError(f"Could not back up the library to {folder}: {exc}") from exc
        return target


def _writable(path: Path) -> bool:
    """Whether SQLite can write here: the file and its folder (for the journal) must be."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _peek_version(path: Path) -> int:
    """Read ``user_version`` without changing a byte of the file (no WAL switch, no lock left)."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"The library database {path} is not a readable SQLite file ({exc}).") from exc


def _explain(exc: sqlite3.OperationalError, path: Path) -> str:
    msg = str(exc).lower()
    if "readonly" in msg or "read-only" in msg:
        return f"The library at {path.parent} is read-only; nothing was changed."
    if "disk is full" in msg or "full" in msg:
        return f"The disk holding {path.parent} is full; nothing was changed."
    if "locked" in msg:
        return "The library is busy in another window or process; try again."
    return f"Database error in {path}: {exc}"
