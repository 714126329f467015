"""Test set-up shared by every area.

Qt runs offscreen, every test gets its own BACHATA_HOME, and the ML stacks are told to stay offline.
Real assets live in ../shared (CI has it); tests that need an absent asset skip naming it.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false;qt.qpa.*=false")
os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest  # noqa: E402
from shared_assets import (  # noqa: E402
    ANNOTATIONS,
    CLIPS_DIR,
    MODELS_DIR,
    POSE_MODEL_DIR,
    REPO,
    SHARED,
    SONGS_DIR,
    need,
)

__all__ = ["ANNOTATIONS", "CLIPS_DIR", "MODELS_DIR", "POSE_MODEL_DIR", "REPO", "SHARED", "SONGS_DIR",
           "need"]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "bachata-home"
    monkeypatch.setenv("BACHATA_HOME", str(home))
    monkeypatch.setenv("BACHATA_MODELS", str(MODELS_DIR))
    monkeypatch.setenv("YOLO_CONFIG_DIR", str(tmp_path / "yolo-config"))
    return home


@pytest.fixture
def app_paths(_isolated_home: Path):
    from bachata_desktop.paths import app_paths

    return app_paths(_isolated_home).ensure()


@pytest.fixture
def store(app_paths):
    from bachata_desktop.store import Store

    s = Store.open(app_paths)
    yield s
    s.close()


@pytest.fixture(scope="session")
def shared_clips_dir() -> Path:
    return need(CLIPS_DIR)


@pytest.fixture(scope="session")
def shared_songs_dir() -> Path:
    return need(SONGS_DIR)


@pytest.fixture(scope="session")
def pose_model_dir() -> Path:
    return need(POSE_MODEL_DIR)
