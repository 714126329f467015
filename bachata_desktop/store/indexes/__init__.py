"""hnswlib vector indexes: derived from SQLite, rebuilt whenever missing, stale or corrupt."""

from __future__ import annotations

from bachata_desktop.store.indexes.hnsw import IndexSet, VectorIndex

__all__ = ["IndexSet", "VectorIndex"]
