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


@pytest.fixture(scope="session")
def real_pose(tmp_path_factory):
    """``real_pose(rel)`` -> (PoseAnalysis, keypoints file) of the shared clip ``rel`` analysed with
    the real pose model at the default setting, once per test session (the modules that look at
    the same clip share it; the keypoints file is only read, copy it to change it)."""
    from bachata_desktop.analysis.pose.analyze import analyze_clip
    from bachata_desktop.core.task import RecordingContext

    done: dict[str, tuple] = {}

    def get(rel: str):
        if rel not in done:
            need(POSE_MODEL_DIR)
            kp = tmp_path_factory.mktemp("real-pose") / (Path(rel).stem + ".npz")
            done[rel] = (analyze_clip(need(CLIPS_DIR / rel), RecordingContext(), keypoints_out=kp,
                                      search_path=[MODELS_DIR]), kp)
        return done[rel]

    return get


@pytest.fixture(scope="session")
def real_grid():
    """``real_grid(rel)`` -> the soundtrack beat grid (``SongAnalysis.to_dict()``, None without a
    steady beat) of the shared clip ``rel``, analysed once per test session."""
    from bachata_desktop.analysis.audio.analyze import analyze_clip_audio

    done: dict[str, dict | None] = {}

    def get(rel: str):
        if rel not in done:
            grid, _ = analyze_clip_audio(need(CLIPS_DIR / rel))
            done[rel] = grid.to_dict() if grid is not None else None
        return done[rel]

    return get


@pytest.fixture(scope="session")
def real_songs(shared_songs_dir: Path):
    """Every shared song (file name -> ``SongAnalysis``), analysed once per test session."""
    from bachata_desktop.analysis.audio.analyze import analyze_song

    files = sorted(shared_songs_dir.glob("*.ogg")) + sorted(shared_songs_dir.glob("*.mp3")) \
        + sorted(shared_songs_dir.glob("*.m4a"))
    if not files:
        pytest.skip(f"no songs in {shared_songs_dir}")
    return {f.name: analyze_song(f) for f in files}
