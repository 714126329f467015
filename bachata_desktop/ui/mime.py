"""Drag-and-drop MIME types shared between areas (library → plans, collections → plans)."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData

CLIP_IDS_MIME = "application/x-bachata-clip-ids"
CHOREOGRAPHY_IDS_MIME = "application/x-bachata-choreography-ids"
PLAN_ITEM_MIME = "application/x-bachata-plan-item"


def encode_ids(mime_type: str, ids: list[int], mime: QMimeData | None = None) -> QMimeData:
    mime = mime or QMimeData()
    mime.setData(mime_type, json.dumps([int(i) for i in ids]).encode("ascii"))
    return mime


def decode_ids(mime: QMimeData, mime_type: str) -> list[int]:
    if not mime.hasFormat(mime_type):
        return []
    try:
        data = json.loads(bytes(mime.data(mime_type).data()).decode("ascii"))
        return [int(i) for i in data]
    except (ValueError, TypeError):
        return []
