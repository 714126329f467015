"""One hnswlib index per modality, on disk as ``index.bin`` + ``manifest.json``.

SQLite holds every embedding and is the source of truth; an index is only a cache for fast nearest
neighbours. It is rebuilt from SQLite when its files are missing, unreadable, or when the manifest
(model id, dim, space, count, schema version) no longer matches what SQLite holds. Files are written
to temporary names and swapped in with ``os.replace`` so a crash never leaves half an index.
hnswlib's ``add_items`` is not safe alongside ``knn_query``, so one lock guards both.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bachata_desktop.store.repos import MODALITY_DIMS, EmbeddingRepo

log = logging.getLogger(__name__)

INDEX_SCHEMA = 1
SPACE = "cosine"
EF_SEARCH = 64
M = 16
EF_CONSTRUCTION = 200


@dataclass(frozen=True)
class Manifest:
    modality: str
    model_id: str
    dim: int
    space: str
    count: int
    schema: int = INDEX_SCHEMA
    stamp: str = ""  # newest embedding write in SQLite: an in-place re-embedding makes it stale

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=1)


class VectorIndex:
    """A cosine hnswlib index over one modality's clip embeddings."""

    def __init__(self, folder: Path, modality: str, repo: EmbeddingRepo | None = None,
                 owner_kind: str = "clip") -> None:
        self.folder = Path(folder) / modality
        self.modality = modality
        self.dim = MODALITY_DIMS[modality]
        self.repo = repo
        self.owner_kind = owner_kind
        self._lock = threading.RLock()
        self._index: Any = None
        self._count = 0
        self._model_id = ""
        self.rebuilds = 0  # how often this object rebuilt from SQLite (tests, diagnostics)

    @property
    def bin_path(self) -> Path:
        return self.folder / "index.bin"

    @property
    def manifest_path(self) -> Path:
        return self.folder / "manifest.json"

    def __len__(self) -> int:
        return self._count

    # -- load / rebuild ----------------------------------------------------------------------
    def _expected(self) -> tuple[str, int, str]:
        if self.repo is None:
            return self._model_id, self._count, ""
        model = self.repo.model_id(self.modality, self.owner_kind) or ""
        return (model, self.repo.count(self.modality, self.owner_kind),
                self.repo.latest(self.modality, self.owner_kind))

    def _read_manifest(self) -> Manifest | None:
        try:
            return Manifest(**json.loads(self.manifest_path.read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def ensure(self) -> VectorIndex:
        """Load from disk if it matches SQLite, else rebuild from SQLite."""
        with self._lock:
            if self._index is not None:
                return self
            model_id, count, stamp = self._expected()
            m = self._read_manifest()
            fresh = (m is not None and m.schema == INDEX_SCHEMA and m.dim == self.dim
                     and m.space == SPACE and m.model_id == model_id and m.count == count
                     and m.modality == self.modality and m.stamp == stamp)
            if fresh and self._load(count):
                self._model_id = model_id
                return self
            self.rebuild()
            return self

    def _load(self, count: int) -> bool:
        import hnswlib

        idx = hnswlib.Index(space=SPACE, dim=self.dim)
        try:
            if not self.bin_path.exists():
                return False
            idx.load_index(str(self.bin_path), max_elements=max(count, 1))
            if idx.get_current_count() != count:
                return False
        except Exception as exc:  # corrupt file: hnswlib raises RuntimeError / others
            log.warning("index %s unreadable (%s); rebuilding", self.bin_path, exc)
            return False
        idx.set_ef(EF_SEARCH)  # ef is not saved with the index
        self._index, self._count = idx, count
        return True

    def rebuild(self) -> None:
        """Build from every vector SQLite holds for this modality and write it to disk."""
        with self._lock:
            ids, vecs = (self.repo.all(self.modality, self.owner_kind, include_deleted=True)
                         if self.repo is not None else (np.zeros(0, np.int64), np.zeros((0, self.dim))))
            self._model_id = (self.repo.model_id(self.modality, self.owner_kind) or ""
                              if self.repo is not None else self._model_id)
            self._build(ids, vecs)
            self.rebuilds += 1
            self.save()

    def _build(self, ids: np.ndarray, vecs: np.ndarray) -> None:
        import hnswlib

        idx = hnswlib.Index(space=SPACE, dim=self.dim)
        idx.init_index(max_elements=max(len(ids), 16), ef_construction=EF_CONSTRUCTION, M=M,
                       random_seed=42, allow_replace_deleted=False)
        if len(ids):
            idx.add_items(np.asarray(vecs, np.float32), np.asarray(ids, np.int64), num_threads=1)
        idx.set_ef(EF_SEARCH)
        self._index, self._count = idx, len(ids)

    def save(self) -> None:
        with self._lock:
            if self._index is None:
                return
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp_bin = self.bin_path.with_name("index.bin.tmp")
            tmp_man = self.manifest_path.with_name("manifest.json.tmp")
            try:
                self._index.save_index(str(tmp_bin))
                stamp = self.repo.latest(self.modality, self.owner_kind) if self.repo else ""
                man = Manifest(self.modality, self._model_id, self.dim, SPACE, self._count,
                               stamp=stamp)
                tmp_man.write_text(man.to_json(), "utf-8")
                # The manifest goes last: a crash between the two leaves a manifest that does not
                # match the new index.bin's count, which triggers a rebuild next time.
                os.replace(tmp_bin, self.bin_path)
                os.replace(tmp_man, self.manifest_path)
            except OSError as exc:
                log.warning("could not write index %s: %s (it stays in memory)", self.folder, exc)
                for p in (tmp_bin, tmp_man):
                    with contextlib.suppress(OSError):
                        p.unlink()

    # -- use ---------------------------------------------------------------------------------
    def add(self, ids: Any, vecs: Any, model_id: str | None = None) -> None:
        """Add or replace vectors (the caller has already stored them in SQLite)."""
        ids = np.atleast_1d(np.asarray(ids, np.int64))
        vecs = np.asarray(vecs, np.float32).reshape(len(ids), self.dim)
        with self._lock:
            self.ensure()
            if model_id:
                self._model_id = model_id
            existing = set(self._index.get_ids_list()) if self._count else set()
            new = [i for i in ids.tolist() if i not in existing]
            need = self._count + len(new)
            if need > self._index.get_max_elements():
                self._index.resize_index(max(need, 2 * self._index.get_max_elements()))
            self._index.add_items(vecs, ids, num_threads=1)
            self._count = need

    def query(self, vec: Any, k: int = 10, exclude: set[int] | None = None,
              allowed: set[int] | None = None) -> list[tuple[int, float]]:
        """Nearest neighbours as (id, cosine similarity), best first."""
        exclude = exclude or set()
        with self._lock:
            self.ensure()
            if self._count == 0:
                return []
            want = min(self._count, k + len(exclude) + (0 if allowed is None else 50))
            q = np.asarray(vec, np.float32).reshape(1, self.dim)
            self._index.set_ef(max(EF_SEARCH, want))
            flt = None
            if allowed is not None:
                allowed_set = set(allowed)
                flt = lambda label: label in allowed_set  # noqa: E731 - hnswlib wants a callable
                want = min(want, max(1, len(allowed_set)))
            labels, dists = self._index.knn_query(q, k=want, filter=flt)
        out = [(int(lbl), float(1.0 - d)) for lbl, d in zip(labels[0], dists[0], strict=True)
               if int(lbl) not in exclude]
        return out[:k]

    def vector(self, item_id: int) -> np.ndarray | None:
        with self._lock:
            self.ensure()
            try:
                return np.asarray(self._index.get_items([item_id])[0], np.float32)
            except RuntimeError:
                return None


class IndexSet:
    """One index per modality of the library (``MODALITY_DIMS``), created lazily."""

    MODALITIES = tuple(MODALITY_DIMS)

    def __init__(self, folder: Path, repo: EmbeddingRepo) -> None:
        self.folder = Path(folder)
        self.repo = repo
        self._indexes: dict[str, VectorIndex] = {}
        self._lock = threading.Lock()

    def index(self, modality: str) -> VectorIndex:
        with self._lock:
            if modality not in self._indexes:
                self._indexes[modality] = VectorIndex(self.folder, modality, self.repo)
            return self._indexes[modality].ensure()

    def invalidate(self, modality: str | None = None) -> None:
        """Forget loaded indexes (after a restore): the next use reloads or rebuilds."""
        with self._lock:
            for m in [modality] if modality else list(self._indexes):
                self._indexes.pop(m, None)
