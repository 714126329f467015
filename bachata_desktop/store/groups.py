"""Repository of classes and students: groups, students, sessions, progress and prerequisites."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from bachata_desktop.core.clip import Level
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.groups import Group, Progress, Session, Status, Student
from bachata_desktop.store.db import Database, utc_now


def _group(r: Any) -> Group:
    return Group(r["name"], Level.parse(r["level"], Level.BEGINNER), r["notes"],
                 r["archived_at"] is not None, int(r["id"]))


def _student(r: Any) -> Student:
    return Student(r["name"], Level.parse(r["level"], Level.BEGINNER), r["notes"],
                   r["archived_at"] is not None, int(r["id"]))


def _progress(r: Any) -> Progress:
    return Progress(int(r["clip_id"]), Status(r["status"]), r["last_taught"], int(r["times_taught"]))


class GroupRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- groups --------------------------------------------------------------------------------
    def add_group(self, g: Group) -> Group:
        now = utc_now()
        try:
            with self.db.write() as c:
                cur = c.execute("INSERT INTO class_groups (name, level, notes, archived_at, created_at, "
                                "updated_at) VALUES (?,?,?,?,?,?)",
                                (g.name, g.level.value, g.notes, now if g.archived else None, now, now))
                gid = int(cur.lastrowid or 0)
        except sqlite3.IntegrityError as exc:
            raise InputError(f"A group named “{g.name}” already exists.") from exc
        return g.with_(id=gid)

    def update_group(self, g: Group) -> Group:
        try:
            with self.db.write() as c:
                c.execute("UPDATE class_groups SET name=?, level=?, notes=?, archived_at=CASE WHEN ? "
                          "THEN COALESCE(archived_at, ?) ELSE NULL END, updated_at=? WHERE id=?",
                          (g.name, g.level.value, g.notes, int(g.archived), utc_now(), utc_now(), g.id))
        except sqlite3.IntegrityError as exc:
            raise InputError(f"A group named “{g.name}” already exists.") from exc
        return g

    def get_group(self, group_id: int) -> Group | None:
        r = self.db.query_one("SELECT * FROM class_groups WHERE id=?", (group_id,))
        return _group(r) if r else None

    def group_by_name(self, name: str) -> Group | None:
        r = self.db.query_one("SELECT * FROM class_groups WHERE name=? COLLATE NOCASE", (name,))
        return _group(r) if r else None

    def list_groups(self, include_archived: bool = False) -> list[Group]:
        where = "" if include_archived else " WHERE archived_at IS NULL"
        return [_group(r) for r in self.db.query(
            f"SELECT * FROM class_groups{where} ORDER BY name COLLATE NOCASE")]

    def delete_group(self, group_id: int) -> None:
        with self.db.write() as c:
            c.execute("DELETE FROM class_groups WHERE id=?", (group_id,))

    # -- students ------------------------------------------------------------------------------
    def add_student(self, s: Student) -> Student:
        now = utc_now()
        try:
            with self.db.write() as c:
                cur = c.execute("INSERT INTO students (name, level, notes, archived_at, created_at, "
                                "updated_at) VALUES (?,?,?,?,?,?)",
                                (s.name, s.level.value, s.notes, now if s.archived else None, now, now))
                sid = int(cur.lastrowid or 0)
        except sqlite3.IntegrityError as exc:
            raise InputError(f"A student named “{s.name}” already exists.") from exc
        return s.with_(id=sid)

    def update_student(self, s: Student) -> Student:
        try:
            with self.db.write() as c:
                c.execute("UPDATE students SET name=?, level=?, notes=?, archived_at=CASE WHEN ? "
                          "THEN COALESCE(archived_at, ?) ELSE NULL END, updated_at=? WHERE id=?",
                          (s.name, s.level.value, s.notes, int(s.archived), utc_now(), utc_now(), s.id))
        except sqlite3.IntegrityError as exc:
            raise InputError(f"A student named “{s.name}” already exists.") from exc
        return s

    def get_student(self, student_id: int) -> Student | None:
        r = self.db.query_one("SELECT * FROM students WHERE id=?", (student_id,))
        return _student(r) if r else None

    def student_by_name(self, name: str) -> Student | None:
        r = self.db.query_one("SELECT * FROM students WHERE name=? COLLATE NOCASE", (name,))
        return _student(r) if r else None

    def list_students(self, include_archived: bool = False) -> list[Student]:
        where = "" if include_archived else " WHERE archived_at IS NULL"
        return [_student(r) for r in self.db.query(
            f"SELECT * FROM students{where} ORDER BY name COLLATE NOCASE")]

    # -- membership ----------------------------------------------------------------------------
    def add_member(self, group_id: int, student_id: int) -> None:
        with self.db.write() as c:
            c.execute("INSERT OR IGNORE INTO group_members VALUES (?,?)", (group_id, student_id))

    def remove_member(self, group_id: int, student_id: int) -> None:
        with self.db.write() as c:
            c.execute("DELETE FROM group_members WHERE group_id=? AND student_id=?", (group_id, student_id))

    def members(self, group_id: int, include_archived: bool = False) -> list[Student]:
        extra = "" if include_archived else " AND s.archived_at IS NULL"
        return [_student(r) for r in self.db.query(
            "SELECT s.* FROM students s JOIN group_members m ON m.student_id=s.id "
            f"WHERE m.group_id=?{extra} ORDER BY s.name COLLATE NOCASE", (group_id,))]

    def groups_of(self, student_id: int) -> list[Group]:
        return [_group(r) for r in self.db.query(
            "SELECT g.* FROM class_groups g JOIN group_members m ON m.group_id=g.id "
            "WHERE m.student_id=? ORDER BY g.name COLLATE NOCASE", (student_id,))]

    # -- sessions ------------------------------------------------------------------------------
    def add_session(self, s: Session) -> Session:
        with self.db.write() as c:
            cur = c.execute("INSERT INTO class_sessions (group_id, session_date, title, plan_id, "
                            "clip_ids, notes, created_at) VALUES (?,?,?,?,?,?,?)",
                            (s.group_id, s.date, s.title, s.plan_id, json.dumps(list(s.clip_ids)),
                             s.notes, utc_now()))
            sid = int(cur.lastrowid or 0)
            c.executemany("INSERT OR IGNORE INTO session_attendance VALUES (?,?)",
                          [(sid, st) for st in s.attendance])
        return Session(s.group_id, s.date, s.title, s.plan_id, s.clip_ids, s.attendance, s.notes, sid)

    def _session(self, r: Any) -> Session:
        att = tuple(int(a[0]) for a in self.db.query(
            "SELECT student_id FROM session_attendance WHERE session_id=? ORDER BY student_id", (r["id"],)))
        return Session(int(r["group_id"]), r["session_date"], r["title"],
                       None if r["plan_id"] is None else int(r["plan_id"]),
                       tuple(int(x) for x in json.loads(r["clip_ids"] or "[]")), att, r["notes"],
                       int(r["id"]))

    def get_session(self, session_id: int) -> Session | None:
        r = self.db.query_one("SELECT * FROM class_sessions WHERE id=?", (session_id,))
        return self._session(r) if r else None

    def sessions(self, group_id: int) -> list[Session]:
        return [self._session(r) for r in self.db.query(
            "SELECT * FROM class_sessions WHERE group_id=? ORDER BY session_date, id", (group_id,))]

    def session_count(self, group_id: int) -> int:
        r = self.db.query_one("SELECT COUNT(*) FROM class_sessions WHERE group_id=?", (group_id,))
        return int(r[0]) if r else 0

    def delete_session(self, session_id: int) -> None:
        with self.db.write() as c:
            c.execute("DELETE FROM class_sessions WHERE id=?", (session_id,))

    # -- progress ------------------------------------------------------------------------------
    def progress(self, group_id: int) -> dict[int, Progress]:
        return {int(r["clip_id"]): _progress(r) for r in self.db.query(
            "SELECT * FROM group_progress WHERE group_id=?", (group_id,))}

    def put_progress(self, group_id: int, p: Progress) -> None:
        with self.db.write() as c:
            c.execute("INSERT OR REPLACE INTO group_progress VALUES (?,?,?,?,?,?)",
                      (group_id, p.clip_id, p.status.value, p.last_taught, p.times_taught, utc_now()))

    def clear_progress(self, group_id: int, clip_id: int) -> None:
        with self.db.write() as c:
            c.execute("DELETE FROM group_progress WHERE group_id=? AND clip_id=?", (group_id, clip_id))

    def student_progress(self, student_id: int) -> dict[int, Progress]:
        return {int(r["clip_id"]): _progress(r) for r in self.db.query(
            "SELECT * FROM student_progress WHERE student_id=?", (student_id,))}

    def put_student_progress(self, student_id: int, p: Progress) -> None:
        with self.db.write() as c:
            c.execute("INSERT OR REPLACE INTO student_progress VALUES (?,?,?,?,?,?)",
                      (student_id, p.clip_id, p.status.value, p.last_taught, p.times_taught, utc_now()))

    def clear_student_progress(self, student_id: int, clip_id: int) -> None:
        with self.db.write() as c:
            c.execute("DELETE FROM student_progress WHERE student_id=? AND clip_id=?", (student_id, clip_id))

    # -- prerequisites -------------------------------------------------------------------------
    def prerequisites(self) -> dict[int, tuple[str, ...]]:
        """Prerequisites set by hand, per clip (a clip absent here uses its family's defaults)."""
        return {int(r[0]): tuple(json.loads(r[1] or "[]")) for r in
                self.db.query("SELECT clip_id, requires FROM move_prerequisites")}

    def set_prerequisites(self, clip_id: int, tokens: tuple[str, ...] | None) -> None:
        """``None`` goes back to the family's defaults; ``()`` means "needs nothing"."""
        with self.db.write() as c:
            if tokens is None:
                c.execute("DELETE FROM move_prerequisites WHERE clip_id=?", (clip_id,))
            else:
                c.execute("INSERT OR REPLACE INTO move_prerequisites VALUES (?,?)",
                          (clip_id, json.dumps(list(tokens))))
