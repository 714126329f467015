"""Schema migrations: from empty, from every earlier schema, backup first, newer DB refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bachata_desktop.core.clip import Clip
from bachata_desktop.core.errors import StorageError
from bachata_desktop.store.db import Database
from bachata_desktop.store.migrations import MIGRATIONS, SCHEMA_VERSION


def _make_db_at(path: Path, version: int) -> None:
    """A database as an older app left it: schema ``version`` with one clip in it."""
    conn = sqlite3.connect(path)
    for number, step in MIGRATIONS:
        if number > version:
            break
        step(conn)
        conn.execute(f"PRAGMA user_version={number}")
    conn.execute("INSERT INTO clips (clip_key, name, category, media_path, content_hash, added_at, "
                 "updated_at) VALUES ('k', 'old clip', 'basic', 'a.mp4', 'h1', 'x', 'x')")
    conn.commit()
    conn.close()


def test_empty_database_migrates_to_latest(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "lib.sqlite3")
    assert db.user_version() == SCHEMA_VERSION
    assert db.query_one("PRAGMA journal_mode")[0] == "wal"
    assert db.query_one("PRAGMA foreign_keys")[0] == 1
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"clips", "analyses", "embeddings", "songs", "choreographies", "plans", "settings",
            "markers", "analysis_queue"} <= tables
    assert not (tmp_path / "backups").exists()  # nothing to back up in a new database
    db.close()


@pytest.mark.parametrize("version", [n for n, _ in MIGRATIONS[:-1]])
def test_each_earlier_schema_migrates_with_backup(tmp_path: Path, version: int) -> None:
    path = tmp_path / "lib.sqlite3"
    _make_db_at(path, version)
    db = Database.open(path, tmp_path / "backups")
    assert db.user_version() == SCHEMA_VERSION
    assert db.query_one("SELECT name FROM clips")[0] == "old clip"
    cols = {r[1] for r in db.query("PRAGMA table_info(analysis_queue)")}
    assert "priority" in cols
    backups = list((tmp_path / "backups").glob("*.sqlite3"))
    assert len(backups) == 1
    # The backup is the database as it was before migrating.
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == version
    assert old.execute("SELECT name FROM clips").fetchone()[0] == "old clip"
    old.close()
    db.close()


def test_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    _make_db_at(path, SCHEMA_VERSION)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="newer version"):
        Database.open(path)
    assert path.read_bytes() == before


def test_not_a_database_gets_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="not a readable SQLite"):
        Database.open(path)


def test_failed_migration_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lib.sqlite3"
    _make_db_at(path, 1)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE clips ADD COLUMN half_done INTEGER")
        raise RuntimeError("migration bug")

    import bachata_desktop.store.db as dbmod

    monkeypatch.setattr(dbmod, "MIGRATIONS", [MIGRATIONS[0], (2, broken)])
    with pytest.raises(RuntimeError):
        Database.open(path, tmp_path / "backups")
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    cols = {r[1] for r in conn.execute("PRAGMA table_info(clips)")}
    assert "half_done" not in cols
    conn.close()


def test_read_only_library_gets_clear_error(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        # root ignores file permissions; emulate a read-only medium with SQLite's own flag
        db = Database.open(tmp_path / "lib.sqlite3")
        db.close()
        conn = sqlite3.connect(f"file:{tmp_path / 'lib.sqlite3'}?mode=ro", uri=True)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("INSERT INTO settings VALUES ('a', '1')")
        conn.close()
        from bachata_desktop.store.db import _explain

        msg = _explain(sqlite3.OperationalError("attempt to write a readonly database"),
                       tmp_path / "lib.sqlite3")
        assert "read-only" in msg and "nothing was changed" in msg
        return
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(StorageError):
        Database.open(ro / "sub" / "lib.sqlite3")


def test_clip_round_trip(store) -> None:
    c = store.clips.add(Clip(None, "k1", "Lady turn ñ", "ladyturn", "x/ñ.mp4", "hash1",
                             tags=("turn", "giro")))
    assert store.clips.get(c.id) == c
    c2 = store.clips.update(c.with_(notes="prep on 8"))
    assert store.clips.get(c.id).notes == "prep on 8"
    assert c2.tags == ("turn", "giro")
    store.clips.delete(c.id)
    assert store.clips.get(c.id) is None and store.clips.list() == []
    store.clips.restore(c.id)
    assert store.clips.get(c.id).name == "Lady turn ñ"
