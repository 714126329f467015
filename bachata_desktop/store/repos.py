"""Repositories over the SQLite tables. They take and return ``core`` dataclasses, never rows."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from bachata_desktop.core.clip import (
    AnalysisState,
    Clip,
    Energy,
    Hold,
    Level,
    Marker,
    RoleFocus,
)
from bachata_desktop.core.documents import StoredDocument
from bachata_desktop.core.errors import InputError
from bachata_desktop.store.db import Database, utc_now

# "counts": the couple's pose on the clip's 8-count cycle (``analysis.pose.move_template``), a
# modality of its own so a clip without a beat grid still compares by the rest
MODALITY_DIMS: dict[str, int] = {"text": 384, "audio": 128, "lead": 512, "follow": 512,
                                 "interaction": 256, "counts": 128}

_CLIP_COLUMNS = ("clip_key", "name", "category", "media_path", "content_hash", "level", "energy",
                 "role_focus", "duration_s", "fps", "width", "height", "tempo_bpm", "counts",
                 "start_hold", "end_hold", "tags", "notes", "teaching_notes", "source_path",
                 "analysis_state", "analysis_error", "flipped", "extra")


def _clip_values(c: Clip) -> tuple[Any, ...]:
    return (c.clip_key, c.name, c.category, c.media_path, c.content_hash, c.level.value,
            c.energy.value, c.role_focus.value, float(c.duration_s), float(c.fps), int(c.width),
            int(c.height), c.tempo_bpm, int(c.counts), c.start_hold.value, c.end_hold.value,
            json.dumps(list(c.tags)), c.notes, c.teaching_notes, c.source_path,
            c.analysis_state.value, c.analysis_error, int(c.lead_follow_flipped),
            json.dumps(c.extra))


def _row_to_clip(r: Any) -> Clip:
    return Clip(
        id=int(r["id"]), clip_key=r["clip_key"], name=r["name"], category=r["category"],
        media_path=r["media_path"], content_hash=r["content_hash"],
        level=Level.parse(r["level"], Level.BEGINNER), energy=Energy.parse(r["energy"], Energy.MEDIUM),
        role_focus=RoleFocus.parse(r["role_focus"], RoleFocus.BOTH), duration_s=r["duration_s"],
        fps=r["fps"], width=r["width"], height=r["height"], tempo_bpm=r["tempo_bpm"],
        counts=r["counts"], start_hold=Hold.parse(r["start_hold"]), end_hold=Hold.parse(r["end_hold"]),
        tags=tuple(json.loads(r["tags"] or "[]")), notes=r["notes"], teaching_notes=r["teaching_notes"],
        source_path=r["source_path"], analysis_state=AnalysisState(r["analysis_state"]),
        analysis_error=r["analysis_error"], lead_follow_flipped=bool(r["flipped"]),
        added_at=r["added_at"], updated_at=r["updated_at"], extra=json.loads(r["extra"] or "{}"),
    )


class ClipRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, clip: Clip) -> Clip:
        now = utc_now()
        cols = ", ".join(_CLIP_COLUMNS)
        marks = ", ".join("?" for _ in _CLIP_COLUMNS)
        with self.db.write() as c:
            cur = c.execute(
                f"INSERT INTO clips ({cols}, added_at, updated_at) VALUES ({marks}, ?, ?)",
                (*_clip_values(clip), now, now))
            new_id = int(cur.lastrowid or 0)
        got = self.get(new_id)
        assert got is not None
        return got

    def update(self, clip: Clip) -> Clip:
        if clip.id is None:
            raise ValueError("update() needs a stored clip")
        sets = ", ".join(f"{k}=?" for k in _CLIP_COLUMNS)
        with self.db.write() as c:
            c.execute(f"UPDATE clips SET {sets}, updated_at=? WHERE id=?",
                      (*_clip_values(clip), utc_now(), clip.id))
        got = self.get(clip.id)
        assert got is not None
        return got

    def get(self, clip_id: int, include_deleted: bool = False) -> Clip | None:
        sql = "SELECT * FROM clips WHERE id=?" + ("" if include_deleted else " AND deleted_at IS NULL")
        r = self.db.query_one(sql, (clip_id,))
        return _row_to_clip(r) if r else None

    def get_by_hash(self, content_hash: str) -> Clip | None:
        r = self.db.query_one("SELECT * FROM clips WHERE content_hash=?", (content_hash,))
        return _row_to_clip(r) if r else None

    def get_by_key(self, clip_key: str) -> Clip | None:
        r = self.db.query_one("SELECT * FROM clips WHERE clip_key=?", (clip_key,))
        return _row_to_clip(r) if r else None

    def is_deleted(self, clip_id: int) -> bool:
        r = self.db.query_one("SELECT deleted_at FROM clips WHERE id=?", (clip_id,))
        return bool(r and r["deleted_at"])

    def list(self) -> list[Clip]:
        return [_row_to_clip(r) for r in
                self.db.query("SELECT * FROM clips WHERE deleted_at IS NULL ORDER BY id")]

    def ids(self) -> list[int]:
        return [int(r[0]) for r in
                self.db.query("SELECT id FROM clips WHERE deleted_at IS NULL ORDER BY id")]

    def get_many(self, ids: list[int], include_deleted: bool = True) -> dict[int, Clip]:
        out: dict[int, Clip] = {}
        live = "" if include_deleted else " AND deleted_at IS NULL"
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" for _ in chunk)
            for r in self.db.query(f"SELECT * FROM clips WHERE id IN ({marks}){live}", tuple(chunk)):
                out[int(r["id"])] = _row_to_clip(r)
        return out

    def count(self) -> int:
        r = self.db.query_one("SELECT COUNT(*) FROM clips WHERE deleted_at IS NULL")
        return int(r[0]) if r else 0

    def delete(self, clip_id: int) -> None:
        """Soft delete: the row stays so that undo can bring it back."""
        with self.db.write() as c:
            c.execute("UPDATE clips SET deleted_at=? WHERE id=?", (utc_now(), clip_id))

    def restore(self, clip_id: int) -> None:
        with self.db.write() as c:
            c.execute("UPDATE clips SET deleted_at=NULL WHERE id=?", (clip_id,))

    def purge(self, clip_id: int) -> None:
        """Remove for good, with its analyses and embeddings."""
        with self.db.write() as c:
            c.execute("DELETE FROM analyses WHERE owner_kind='clip' AND owner_id=?", (clip_id,))
            c.execute("DELETE FROM embeddings WHERE owner_kind='clip' AND owner_id=?", (clip_id,))
            c.execute("DELETE FROM clips WHERE id=?", (clip_id,))

    def set_state(self, clip_id: int, state: AnalysisState, error: str = "") -> None:
        with self.db.write() as c:
            c.execute("UPDATE clips SET analysis_state=?, analysis_error=?, updated_at=? WHERE id=?",
                      (state.value, error, utc_now(), clip_id))


class AnalysisRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def put(self, owner_kind: str, owner_id: int, kind: str, data: dict[str, Any],
            version: int = 1) -> None:
        payload = json.dumps(data, allow_nan=False)
        with self.db.write() as c:
            c.execute("INSERT OR REPLACE INTO analyses VALUES (?,?,?,?,?,?)",
                      (owner_kind, owner_id, kind, version, payload, utc_now()))

    def get(self, owner_kind: str, owner_id: int, kind: str) -> dict[str, Any] | None:
        r = self.db.query_one("SELECT data FROM analyses WHERE owner_kind=? AND owner_id=? AND kind=?",
                              (owner_kind, owner_id, kind))
        return json.loads(r["data"]) if r else None

    def owners_below(self, owner_kind: str, kind: str, version: int) -> list[int]:
        """Owners whose ``kind`` analysis was stored with a version below ``version`` (live clips
        only for ``owner_kind == "clip"``), oldest first: what an upgrade analyses again."""
        live = (" AND owner_id IN (SELECT id FROM clips WHERE deleted_at IS NULL)"
                if owner_kind == "clip" else "")
        return [int(r[0]) for r in self.db.query(
            "SELECT owner_id FROM analyses WHERE owner_kind=? AND kind=? AND version<?" + live
            + " ORDER BY created_at, owner_id", (owner_kind, kind, int(version)))]

    def owners_missing(self, owner_kind: str, kind: str, version: int,
                       having: tuple[str, ...]) -> list[int]:
        """Owners with every analysis kind in ``having`` but no ``kind`` analysis at ``version`` or
        above (live clips only for ``owner_kind == "clip"``), by id: what is derived from stored
        analyses and not derived yet."""
        live = (" AND a.owner_id IN (SELECT id FROM clips WHERE deleted_at IS NULL)"
                if owner_kind == "clip" else "")
        sql = "SELECT a.owner_id FROM analyses a WHERE a.owner_kind=? AND a.kind=?"
        args: list[Any] = [owner_kind, having[0]]
        for other in having[1:]:
            sql += " AND a.owner_id IN (SELECT owner_id FROM analyses WHERE owner_kind=? AND kind=?)"
            args += [owner_kind, other]
        sql += (" AND a.owner_id NOT IN (SELECT owner_id FROM analyses WHERE owner_kind=? AND kind=?"
                " AND version>=?)" + live + " ORDER BY a.owner_id")
        args += [owner_kind, kind, int(version)]
        return [int(r[0]) for r in self.db.query(sql, tuple(args))]

    def delete(self, owner_kind: str, owner_id: int, kind: str | None = None) -> None:
        with self.db.write() as c:
            if kind is None:
                c.execute("DELETE FROM analyses WHERE owner_kind=? AND owner_id=?", (owner_kind, owner_id))
            else:
                c.execute("DELETE FROM analyses WHERE owner_kind=? AND owner_id=? AND kind=?",
                          (owner_kind, owner_id, kind))


def check_vector(vector: Any, modality: str) -> np.ndarray:
    """A float32 vector of the modality's size with no NaN/Inf, or InputError."""
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    want = MODALITY_DIMS.get(modality)
    if want is not None and v.shape[0] != want:
        raise InputError(f"{modality} embedding has {v.shape[0]} values, expected {want}")
    if not np.all(np.isfinite(v)):
        raise InputError(f"{modality} embedding contains NaN or Inf")
    return v


class EmbeddingRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def put(self, owner_kind: str, owner_id: int, modality: str, vector: Any, model_id: str) -> None:
        v = check_vector(vector, modality)
        with self.db.write() as c:
            c.execute("INSERT OR REPLACE INTO embeddings VALUES (?,?,?,?,?,?,?)",
                      (owner_kind, owner_id, modality, model_id, int(v.shape[0]),
                       v.astype("<f4").tobytes(), utc_now()))

    def get(self, owner_kind: str, owner_id: int, modality: str) -> np.ndarray | None:
        r = self.db.query_one(
            "SELECT vector FROM embeddings WHERE owner_kind=? AND owner_id=? AND modality=?",
            (owner_kind, owner_id, modality))
        return np.frombuffer(r["vector"], dtype="<f4").copy() if r else None

    def model_id(self, modality: str, owner_kind: str = "clip") -> str | None:
        r = self.db.query_one("SELECT model_id FROM embeddings WHERE modality=? AND owner_kind=? LIMIT 1",
                              (modality, owner_kind))
        return str(r[0]) if r else None

    def all(self, modality: str, owner_kind: str = "clip",
            include_deleted: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Every stored vector of a modality (live clips only by default), as (ids, matrix)."""
        if owner_kind == "clip" and not include_deleted:
            sql = ("SELECT e.owner_id, e.vector, e.dim FROM embeddings e JOIN clips c ON c.id=e.owner_id "
                   "WHERE e.modality=? AND e.owner_kind='clip' AND c.deleted_at IS NULL ORDER BY e.owner_id")
            rows = self.db.query(sql, (modality,))
        else:
            rows = self.db.query("SELECT owner_id, vector, dim FROM embeddings WHERE modality=? AND "
                                 "owner_kind=? ORDER BY owner_id", (modality, owner_kind))
        dim = MODALITY_DIMS.get(modality, rows[0]["dim"] if rows else 0)
        if not rows:
            return np.zeros(0, np.int64), np.zeros((0, dim), np.float32)
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        mat = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), -1)
        return ids, mat.astype(np.float32, copy=True)

    def latest(self, modality: str, owner_kind: str = "clip") -> str:
        r = self.db.query_one("SELECT MAX(created_at) || ':' || COUNT(*) || ':' || "
                              "COALESCE(SUM(owner_id), 0) FROM embeddings WHERE modality=? AND owner_kind=?",
                              (modality, owner_kind))
        return str(r[0]) if r and r[0] else ""

    def count(self, modality: str, owner_kind: str = "clip") -> int:
        r = self.db.query_one("SELECT COUNT(*) FROM embeddings WHERE modality=? AND owner_kind=?",
                              (modality, owner_kind))
        return int(r[0]) if r else 0

    def delete(self, owner_kind: str, owner_id: int, modality: str | None = None) -> None:
        """Remove an owner's vectors (only ``modality``'s when given)."""
        with self.db.write() as c:
            if modality is None:
                c.execute("DELETE FROM embeddings WHERE owner_kind=? AND owner_id=?", (owner_kind, owner_id))
            else:
                c.execute("DELETE FROM embeddings WHERE owner_kind=? AND owner_id=? AND modality=?",
                          (owner_kind, owner_id, modality))


class MarkerRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, marker: Marker) -> Marker:
        with self.db.write() as c:
            cur = c.execute("INSERT INTO markers (clip_id, name, time_s, end_s) VALUES (?,?,?,?)",
                            (marker.clip_id, marker.name, marker.time_s, marker.end_s))
            return Marker(int(cur.lastrowid or 0), marker.clip_id, marker.name, marker.time_s, marker.end_s)

    def update(self, marker: Marker) -> None:
        with self.db.write() as c:
            c.execute("UPDATE markers SET name=?, time_s=?, end_s=? WHERE id=?",
                      (marker.name, marker.time_s, marker.end_s, marker.id))

    def for_clip(self, clip_id: int) -> list[Marker]:
        return [Marker(r["id"], r["clip_id"], r["name"], r["time_s"], r["end_s"])
                for r in self.db.query("SELECT * FROM markers WHERE clip_id=? ORDER BY time_s", (clip_id,))]

    def delete(self, marker_id: int) -> None:
        with self.db.write() as c:
            c.execute("DELETE FROM markers WHERE id=?", (marker_id,))


class DocumentRepo:
    """Choreographies and class plans: a JSON document plus the columns used to list them."""

    def __init__(self, db: Database, table: str, meta_columns: tuple[str, ...]) -> None:
        assert table in ("choreographies", "plans")
        self.db, self.table, self.meta_columns = db, table, meta_columns

    def _to_doc(self, r: Any) -> StoredDocument:
        meta = {k: r[k] for k in self.meta_columns}
        if "tags" in meta:
            meta["tags"] = json.loads(meta["tags"] or "[]")
        return StoredDocument(int(r["id"]), r["title"], json.loads(r["data"]), r["created_at"],
                              r["updated_at"], meta)

    def _meta_values(self, meta: dict[str, Any]) -> list[Any]:
        out = []
        for k in self.meta_columns:
            v = meta.get(k)
            if k == "tags":
                v = json.dumps(list(v or []))
            elif v is None and k != "song_id":
                v = ""
            out.append(v)
        return out

    def save(self, doc: StoredDocument) -> StoredDocument:
        """Insert (id None) or replace; the whole document is written in one transaction."""
        now = utc_now()
        data = json.dumps(doc.data, allow_nan=False)
        metas = self._meta_values(doc.meta)
        with self.db.write() as c:
            if doc.id is None:
                cols = ", ".join(("title", "data", *self.meta_columns, "created_at", "updated_at"))
                marks = ", ".join("?" for _ in range(4 + len(self.meta_columns)))
                cur = c.execute(f"INSERT INTO {self.table} ({cols}) VALUES ({marks})",
                                (doc.title, data, *metas, doc.created_at or now, now))
                new_id = int(cur.lastrowid or 0)
            else:
                sets = ", ".join(f"{k}=?" for k in ("title", "data", *self.meta_columns))
                c.execute(f"UPDATE {self.table} SET {sets}, updated_at=? WHERE id=?",
                          (doc.title, data, *metas, now, doc.id))
                new_id = doc.id
        got = self.get(new_id)
        assert got is not None
        return got

    def get(self, doc_id: int) -> StoredDocument | None:
        r = self.db.query_one(f"SELECT * FROM {self.table} WHERE id=?", (doc_id,))
        return self._to_doc(r) if r else None

    def list(self) -> list[StoredDocument]:
        return [self._to_doc(r) for r in self.db.query(f"SELECT * FROM {self.table} ORDER BY id")]

    def delete(self, doc_id: int) -> None:
        with self.db.write() as c:
            c.execute(f"DELETE FROM {self.table} WHERE id=?", (doc_id,))


class QueueRepo:
    """Persistent analysis queue: survives a restart, so analysis resumes where it stopped."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def enqueue(self, clip_id: int, kind: str = "clip", priority: int = 0) -> None:
        with self.db.write() as c:
            c.execute("INSERT INTO analysis_queue (clip_id, kind, state, enqueued_at, priority) "
                      "VALUES (?,?,'queued',?,?) ON CONFLICT(clip_id, kind) DO UPDATE SET "
                      "state='queued', error=''", (clip_id, kind, utc_now(), priority))

    def next(self, kind: str = "clip") -> int | None:
        """Claim the next queued clip (it becomes 'running'); None when the queue is empty."""
        with self.db.write() as c:
            r = c.execute("SELECT q.clip_id FROM analysis_queue q JOIN clips k ON k.id=q.clip_id "
                          "WHERE q.kind=? AND q.state='queued' AND k.deleted_at IS NULL "
                          "ORDER BY q.priority DESC, q.enqueued_at, q.clip_id LIMIT 1",
                          (kind,)).fetchone()
            if r is None:
                return None
            c.execute("UPDATE analysis_queue SET state='running', attempts=attempts+1 "
                      "WHERE clip_id=? AND kind=?", (r[0], kind))
            return int(r[0])

    def done(self, clip_id: int, kind: str = "clip") -> None:
        with self.db.write() as c:
            c.execute("DELETE FROM analysis_queue WHERE clip_id=? AND kind=?", (clip_id, kind))

    def failed(self, clip_id: int, error: str, kind: str = "clip") -> None:
        with self.db.write() as c:
            c.execute("UPDATE analysis_queue SET state='failed', error=? WHERE clip_id=? AND kind=?",
                      (error, clip_id, kind))

    def requeue_interrupted(self) -> int:
        """After a crash or quit, work that was 'running' goes back to 'queued'."""
        with self.db.write() as c:
            return c.execute("UPDATE analysis_queue SET state='queued' WHERE state='running'").rowcount

    def pending(self, kind: str = "clip") -> list[int]:
        return [int(r[0]) for r in self.db.query(
            "SELECT clip_id FROM analysis_queue WHERE kind=? AND state IN ('queued','running') "
            "ORDER BY priority DESC, enqueued_at, clip_id", (kind,))]

    def failures(self, kind: str = "clip") -> list[tuple[int, str]]:
        return [(int(r[0]), r[1]) for r in self.db.query(
            "SELECT clip_id, error FROM analysis_queue WHERE kind=? AND state='failed'", (kind,))]


class SettingsRepo:
    """Small key/value settings that belong with the library (not per machine)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str, default: Any = None) -> Any:
        r = self.db.query_one("SELECT value FROM settings WHERE key=?", (key,))
        return json.loads(r[0]) if r else default

    def set(self, key: str, value: Any) -> None:
        with self.db.write() as c:
            c.execute("INSERT OR REPLACE INTO settings VALUES (?,?)", (key, json.dumps(value)))


def finite_or_none(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)
