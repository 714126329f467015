"""Schema 1: the library, analyses, embeddings, songs, choreographies, plans and settings."""

from __future__ import annotations

import sqlite3

SQL = """
CREATE TABLE clips (
    id              INTEGER PRIMARY KEY,
    clip_key        TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    category        TEXT NOT NULL,
    media_path      TEXT NOT NULL,
    content_hash    TEXT NOT NULL UNIQUE,
    level           TEXT NOT NULL DEFAULT 'beginner',
    energy          TEXT NOT NULL DEFAULT 'medium',
    role_focus      TEXT NOT NULL DEFAULT 'both',
    duration_s      REAL NOT NULL DEFAULT 0,
    fps             REAL NOT NULL DEFAULT 0,
    width           INTEGER NOT NULL DEFAULT 0,
    height          INTEGER NOT NULL DEFAULT 0,
    tempo_bpm       REAL,
    counts          INTEGER NOT NULL DEFAULT 8,
    start_hold      TEXT NOT NULL DEFAULT 'unknown',
    end_hold        TEXT NOT NULL DEFAULT 'unknown',
    tags            TEXT NOT NULL DEFAULT '[]',
    notes           TEXT NOT NULL DEFAULT '',
    teaching_notes  TEXT NOT NULL DEFAULT '',
    source_path     TEXT NOT NULL DEFAULT '',
    analysis_state  TEXT NOT NULL DEFAULT 'pending',
    analysis_error  TEXT NOT NULL DEFAULT '',
    flipped         INTEGER NOT NULL DEFAULT 0,
    extra           TEXT NOT NULL DEFAULT '{}',
    added_at        TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT
);
CREATE INDEX clips_category ON clips(category);
CREATE INDEX clips_deleted ON clips(deleted_at);

CREATE TABLE analyses (
    owner_kind  TEXT NOT NULL,          -- 'clip' or 'song'
    owner_id    INTEGER NOT NULL,
    kind        TEXT NOT NULL,          -- 'pose', 'audio', ...
    version     INTEGER NOT NULL DEFAULT 1,
    data        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, kind)
);

CREATE TABLE embeddings (
    owner_kind  TEXT NOT NULL,
    owner_id    INTEGER NOT NULL,
    modality    TEXT NOT NULL,          -- text, audio, lead, follow, interaction
    model_id    TEXT NOT NULL,
    dim         INTEGER NOT NULL,
    vector      BLOB NOT NULL,          -- float32 little-endian
    created_at  TEXT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, modality)
);
CREATE INDEX embeddings_modality ON embeddings(modality, owner_kind);

CREATE TABLE songs (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    path          TEXT NOT NULL,
    content_hash  TEXT NOT NULL UNIQUE,
    duration_s    REAL NOT NULL DEFAULT 0,
    tempo_bpm     REAL,
    analysis      TEXT,                  -- JSON of core.song.SongAnalysis, NULL until analysed
    corrections   TEXT NOT NULL DEFAULT '{}',
    analysis_state TEXT NOT NULL DEFAULT 'pending',
    analysis_error TEXT NOT NULL DEFAULT '',
    added_at      TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE markers (
    id        INTEGER PRIMARY KEY,
    clip_id   INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    time_s    REAL NOT NULL,
    end_s     REAL
);
CREATE INDEX markers_clip ON markers(clip_id);

CREATE TABLE choreographies (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    song_id     INTEGER REFERENCES songs(id) ON DELETE SET NULL,
    level       TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '[]',
    data        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE plans (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    plan_date   TEXT NOT NULL DEFAULT '',
    level       TEXT NOT NULL DEFAULT '',
    data        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE analysis_queue (
    clip_id     INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,            -- 'clip' (pose + audio + text) or a single kind
    state       TEXT NOT NULL DEFAULT 'queued',   -- queued, running, failed
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    enqueued_at TEXT NOT NULL,
    PRIMARY KEY (clip_id, kind)
);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
"""


def apply(conn: sqlite3.Connection) -> None:
    for statement in SQL.split(";"):
        if statement.strip():
            conn.execute(statement)
