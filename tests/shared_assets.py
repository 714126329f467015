"""Where the real assets are (../shared beside the repository, or $BACHATA_SHARED).

Import from here (``from shared_assets import CLIPS_DIR, need``), not from ``conftest``: several
test folders have a conftest.py, so ``import conftest`` is ambiguous.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BACHATA_SHARED", REPO.parent / "shared"))
CLIPS_DIR = SHARED / "data" / "clips"
SONGS_DIR = SHARED / "data" / "songs"
MODELS_DIR = SHARED / "models"
POSE_MODEL_DIR = MODELS_DIR / "yolov8n-pose_int8_openvino_model"
ANNOTATIONS = CLIPS_DIR / "bachata_annotations.json"


def need(path: Path) -> Path:
    """Skip the calling test when a shared asset is missing, naming it."""
    if not path.exists():
        pytest.skip(f"shared asset not found: {path}")
    return path
