"""Schema 3 (classes and students): migrating a schema-2 library keeps every row, backup first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bachata_desktop.core.clip import Clip
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.groups import Group, Progress, Session, Status, Student
from bachata_desktop.store.db import Database
from bachata_desktop.store.migrations import MIGRATIONS

NEW_TABLES = {"class_groups", "students", "group_members", "class_sessions", "session_attendance",
              "group_progress", "student_progress", "move_prerequisites"}


def _schema2_library(path: Path) -> dict[str, list]:
    """A library as the schema-2 app left it, with a row in every table; returns its rows."""
    conn = sqlite3.connect(path)
    for number, step in MIGRATIONS:
        if number > 2:
            break
        step(conn)
        conn.execute(f"PRAGMA user_version={number}")
    conn.execute("INSERT INTO clips (clip_key, name, category, media_path, content_hash, added_at, "
                 "updated_at) VALUES ('k', 'old clip ñ', 'basic', 'a.mp4', 'h1', 'x', 'x')")
    conn.execute("INSERT INTO songs (title, path, content_hash, added_at, updated_at) "
                 "VALUES ('song', 's.wav', 'hs', 'x', 'x')")
    conn.execute("INSERT INTO plans (title, data, created_at, updated_at) VALUES ('p', '{}', 'x', 'x')")
    conn.execute("INSERT INTO choreographies (title, data, created_at, updated_at) "
                 "VALUES ('c', '{}', 'x', 'x')")
    conn.execute("INSERT INTO markers (clip_id, name, time_s) VALUES (1, 'm', 1.0)")
    conn.execute("INSERT INTO analysis_queue (clip_id, kind, enqueued_at) VALUES (1, 'clip', 'x')")
    conn.execute("INSERT INTO settings VALUES ('a', '1')")
    conn.commit()
    tables = ("clips", "songs", "plans", "choreographies", "markers", "analysis_queue", "settings")
    rows = {t: conn.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    conn.close()
    return rows


def test_schema2_library_migrates_to_3_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    before = _schema2_library(path)
    db = Database.open(path, tmp_path / "backups")
    assert db.user_version() >= 3
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables >= NEW_TABLES
    for table, rows in before.items():
        assert [tuple(r) for r in db.query(f"SELECT * FROM {table}")] == rows, table
    backups = list((tmp_path / "backups").glob("*before-migrate-v2*.sqlite3"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 2
    assert not {r[0] for r in old.execute("SELECT name FROM sqlite_master")} & NEW_TABLES
    old.close()
    db.close()


def test_repo_round_trip_and_constraints(store) -> None:
    clip = store.clips.add(Clip(None, "k1", "Lady turn", "ladyturn", "x.mp4", "hash1"))
    repo = store.groups
    g = repo.add_group(Group("Tuesday beginners"))
    with pytest.raises(InputError, match="already exists"):
        repo.add_group(Group("TUESDAY beginners"))
    s = repo.add_student(Student("Ana Núñez"))
    repo.add_member(g.id, s.id)
    repo.add_member(g.id, s.id)  # twice is once
    assert [m.name for m in repo.members(g.id)] == ["Ana Núñez"]
    sess = repo.add_session(Session(g.id, "2026-02-03", "Class 1", None, (clip.id,), (s.id,)))
    assert repo.get_session(sess.id) == sess
    repo.put_progress(g.id, Progress(clip.id, Status.PRACTISING, "2026-02-03", 1))
    assert repo.progress(g.id)[clip.id].status is Status.PRACTISING
    # the database itself refuses a bad status
    with pytest.raises(sqlite3.IntegrityError), store.db.write() as c:
        c.execute("UPDATE group_progress SET status='great'")
    with pytest.raises(sqlite3.IntegrityError):   # and deleting a group that has sessions
        repo.delete_group(g.id)
    assert repo.get_group(g.id) is not None and repo.progress(g.id)
    repo.update_group(g.with_(archived=True))
    assert repo.list_groups() == [] and repo.list_groups(include_archived=True)[0].archived
    repo.set_prerequisites(clip.id, ("family:basic",))
    assert repo.prerequisites() == {clip.id: ("family:basic",)}
    repo.set_prerequisites(clip.id, None)
    assert repo.prerequisites() == {}
