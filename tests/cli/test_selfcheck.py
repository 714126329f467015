"""``bachata-desktop self-check``: passes with the real models, fails naming what is missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shared_assets import MODELS_DIR, REPO, need


def _self_check(tmp_path: Path, models: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "BACHATA_HOME": str(tmp_path / "home"),
           "BACHATA_MODELS": models, "QT_QPA_PLATFORM": "offscreen", "BACHATA_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "bachata_desktop", "self-check", "--json"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_self_check_passes_offline_with_the_real_models(tmp_path: Path) -> None:
    need(MODELS_DIR)
    out = _self_check(tmp_path, str(MODELS_DIR))
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    checks = {c["check"]: c for c in report["checks"]}
    assert report["ok"] and all(c["ok"] for c in report["checks"])
    assert "120" in checks["song analysis"]["detail"] or "BPM" in checks["song analysis"]["detail"]
    assert str(MODELS_DIR) in report["model_search_path"]


def test_self_check_fails_and_names_the_missing_pose_model(tmp_path: Path) -> None:
    empty = tmp_path / "no-models"
    empty.mkdir()
    out = _self_check(tmp_path, str(empty))
    assert out.returncode == 1
    report = json.loads(out.stdout)
    pose = next(c for c in report["checks"] if c["check"] == "pose model")
    assert not pose["ok"] and "no pose model found" in pose["detail"] and str(empty) in pose["detail"]


def test_self_check_without_the_pose_model_for_a_fork_build(tmp_path: Path) -> None:
    """CI on a fork has no model URL: --skip-pose-model checks everything else, torch-free."""
    empty = tmp_path / "no-models"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO), "BACHATA_HOME": str(tmp_path / "home"),
           "BACHATA_MODELS": str(empty), "QT_QPA_PLATFORM": "offscreen", "BACHATA_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-m", "bachata_desktop", "self-check", "--json",
                          "--skip-pose-model"], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=600)
    report = json.loads(out.stdout)
    checks = {c["check"]: c for c in report["checks"]}
    assert "pose model" not in checks
    assert checks["runtime without torch"]["ok"], checks["runtime without torch"]
    assert checks["text model"]["ok"], checks["text model"]  # the IR setup.sh converted
    assert out.returncode == 0 and report["ok"], out.stdout
