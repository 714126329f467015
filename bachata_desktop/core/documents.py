"""A stored JSON document (a choreography or a class plan) with the columns used to list it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StoredDocument:
    id: int | None
    title: str
    data: dict[str, Any]
    created_at: str = ""
    updated_at: str = ""
    meta: dict[str, Any] = field(default_factory=dict)  # level, plan_date, song_id, tags ...
