"""Schema 3: classes and students (groups, students, sessions, progress per move, prerequisites).

Only new tables: nothing existing is rewritten, so an older library keeps every row as it was.
A group with sessions cannot be deleted (``ON DELETE RESTRICT``): it is archived instead.
"""

from __future__ import annotations

import sqlite3

SQL = """
CREATE TABLE class_groups (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    level        TEXT NOT NULL DEFAULT 'beginner',
    notes        TEXT NOT NULL DEFAULT '',
    archived_at  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX class_groups_name ON class_groups(name COLLATE NOCASE);

CREATE TABLE students (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    level        TEXT NOT NULL DEFAULT 'beginner',
    notes        TEXT NOT NULL DEFAULT '',
    archived_at  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX students_name ON students(name COLLATE NOCASE);

CREATE TABLE group_members (
    group_id    INTEGER NOT NULL REFERENCES class_groups(id) ON DELETE CASCADE,
    student_id  INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, student_id)
);

CREATE TABLE class_sessions (
    id            INTEGER PRIMARY KEY,
    group_id      INTEGER NOT NULL REFERENCES class_groups(id) ON DELETE RESTRICT,
    session_date  TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    plan_id       INTEGER REFERENCES plans(id) ON DELETE SET NULL,
    clip_ids      TEXT NOT NULL DEFAULT '[]',
    notes         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);
CREATE INDEX class_sessions_group ON class_sessions(group_id, session_date);

CREATE TABLE session_attendance (
    session_id  INTEGER NOT NULL REFERENCES class_sessions(id) ON DELETE CASCADE,
    student_id  INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    PRIMARY KEY (session_id, student_id)
);

CREATE TABLE group_progress (
    group_id     INTEGER NOT NULL REFERENCES class_groups(id) ON DELETE CASCADE,
    clip_id      INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('taught', 'practising', 'known')),
    last_taught  TEXT NOT NULL DEFAULT '',
    times_taught INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (group_id, clip_id)
);

CREATE TABLE student_progress (
    student_id   INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    clip_id      INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('taught', 'practising', 'known')),
    last_taught  TEXT NOT NULL DEFAULT '',
    times_taught INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (student_id, clip_id)
);

CREATE TABLE move_prerequisites (
    clip_id   INTEGER PRIMARY KEY REFERENCES clips(id) ON DELETE CASCADE,
    requires  TEXT NOT NULL DEFAULT '[]'     -- JSON list of 'family:<name>' / 'clip:<id>'
)
"""


def apply(conn: sqlite3.Connection) -> None:
    for statement in SQL.split(";"):
        if statement.strip():
            conn.execute(statement)
