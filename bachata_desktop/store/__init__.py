"""Persistence: one SQLite database (source of truth) plus derived hnswlib indexes."""

from __future__ import annotations

from bachata_desktop.store.store import Store

__all__ = ["Store"]
