"""Item 9 of issue 16: an unverified pose model is refused unless the user names it, a ``.pt``
only when named, and a model the runtime cannot load is one line, not a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bachata_desktop.analysis.pose.model import find_pose_model
from bachata_desktop.core.errors import ModelNotFoundError
from tests.conftest import CLIPS_DIR, POSE_MODEL_DIR, REPO, need


def _renamed_copy(tmp_path: Path, zero_weights: bool = False) -> Path:
    folder = tmp_path / "models"
    evil = folder / "evil-pose_openvino_model"
    shutil.copytree(need(POSE_MODEL_DIR), evil)
    if zero_weights:
        for b in evil.glob("*.bin"):
            b.write_bytes(bytes(1000))
    return folder


def test_renamed_model_folder_is_refused_with_how_to_allow_it(tmp_path: Path) -> None:
    folder = _renamed_copy(tmp_path)
    with pytest.raises(ModelNotFoundError) as err:
        find_pose_model([folder])
    msg = str(err.value)
    assert "evil-pose_openvino_model" in msg and "not listed" in msg
    assert "BACHATA_ALLOW_MODELS=evil-pose_openvino_model" in msg and "\n" not in msg


def test_pickle_in_the_library_models_folder_is_not_loaded(app_paths, monkeypatch) -> None:
    (app_paths.user_models / "yolov8n-pose.pt").write_bytes(b"\x80\x04 a pickle that runs code")
    monkeypatch.setenv("BACHATA_MODELS", "")
    with pytest.raises(ModelNotFoundError, match="pickle"):
        find_pose_model()
    monkeypatch.setenv("BACHATA_ALLOW_MODELS", "yolov8n-pose.pt")
    assert find_pose_model().path.name == "yolov8n-pose.pt"


def _analyze(folder: Path, home: Path, allow: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BACHATA_HOME": str(home), "BACHATA_MODELS": str(folder),
           "BACHATA_ALLOW_MODELS": allow, "PYTHONPATH": str(REPO)}
    clip = need(CLIPS_DIR / "basic" / "slow_basic3.mp4")
    return subprocess.run([sys.executable, "-m", "bachata_desktop", "analyze-clip", str(clip),
                           "--json"], env=env, capture_output=True, text=True, timeout=300)


def test_cli_refuses_the_renamed_model_and_says_how(tmp_path: Path) -> None:
    r = _analyze(_renamed_copy(tmp_path), tmp_path / "home")
    assert r.returncode == 2 and r.stdout == "", r.stdout[-500:]
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "BACHATA_ALLOW_MODELS" in lines[0] and "Traceback" not in r.stderr


def test_allowed_model_with_zeroed_weights_is_one_line(tmp_path: Path) -> None:
    folder = _renamed_copy(tmp_path, zero_weights=True)
    r = _analyze(folder, tmp_path / "home", allow="evil-pose_openvino_model")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr[-2000:]
    errors = [ln for ln in r.stderr.splitlines() if "cannot be loaded" in ln]
    assert len(errors) == 1 and "evil-pose_openvino_model" in errors[0], r.stderr[-2000:]
