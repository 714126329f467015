"""Text embeddings (all-MiniLM-L6-v2) for move descriptions and free-text requests."""

from __future__ import annotations
