"""Finding and verifying the pose model; the pose stack stays offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bachata_desktop.analysis.pose.model import (
    ModelFormat,
    find_pose_model,
    manifest_entries,
    verify,
)
from bachata_desktop.core.errors import InputError, ModelNotFoundError

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO.parent / "shared" / "models"
MODEL_DIR = MODELS / "yolov8n-pose_int8_openvino_model"
needs_model = pytest.mark.skipif(not MODEL_DIR.is_dir(), reason=f"pose model missing: {MODEL_DIR}")


@needs_model
def test_shared_model_is_found_and_verified():
    m = find_pose_model([MODELS])
    assert m.path == MODEL_DIR and m.format is ModelFormat.OPENVINO
    assert m.verified
    assert m.model_id == "yolov8n-pose_int8:openvino"


def test_manifest_lists_the_openvino_model_files():
    entries = manifest_entries(REPO / "models" / "manifest.json")
    entry = next(e for e in entries if e["file"] == "yolov8n-pose_int8_openvino_model")
    assert set(entry["files"]) == {"metadata.yaml", "yolov8n-pose.bin", "yolov8n-pose.xml"}
    assert all(len(f["sha256"]) == 64 for f in entry["files"].values())
    assert entry["licence"].startswith("AGPL")


def test_missing_model_names_every_folder(tmp_path):
    a, b = tmp_path / "first", tmp_path / "second folder"
    a.mkdir()
    (a / "notes.txt").write_text("no model here")
    (a / "yolov8n.pt").write_bytes(b"not a pose model")  # a detector name: not picked
    with pytest.raises(ModelNotFoundError) as err:
        find_pose_model([a, b])
    msg = str(err.value)
    assert str(a) in msg and str(b) in msg and "BACHATA_MODELS" in msg


def test_search_path_uses_bachata_models(tmp_path, monkeypatch):
    monkeypatch.setenv("BACHATA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BACHATA_MODELS", str(tmp_path / "nowhere"))
    with pytest.raises(ModelNotFoundError, match="nowhere"):
        find_pose_model()


@needs_model
def test_tampered_model_is_refused():
    entries = ({"file": MODEL_DIR.name, "files": {"yolov8n-pose.xml": {"sha256": "0" * 64}}},)
    with pytest.raises(InputError, match="sha256"):
        verify(MODEL_DIR, ModelFormat.OPENVINO, entries)


def test_unlisted_pt_is_used_only_when_named(tmp_path, caplog, monkeypatch):
    (tmp_path / "my-pose.pt").write_bytes(b"pickle bytes")
    with pytest.raises(ModelNotFoundError, match="pickle.*BACHATA_ALLOW_MODELS=my-pose.pt"):
        find_pose_model([tmp_path])
    monkeypatch.setenv("BACHATA_ALLOW_MODELS", "my-pose.pt")
    m = find_pose_model([tmp_path])
    assert m.format is ModelFormat.PYTORCH and not m.verified
    assert "pickle" in caplog.text


@needs_model
@pytest.mark.parametrize("offline", ["1", ""])
def test_pose_stack_opens_no_socket(offline, tmp_path):
    """Load both backends and run them on a frame with CI unset: no connection, no DNS lookup."""
    code = textwrap.dedent(f"""
        import sys
        events = []
        def hook(name, args):
            if name in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
                events.append((name, repr(args)[:120]))
        sys.addaudithook(hook)
        import numpy as np
        from bachata_desktop.analysis.pose.model import find_pose_model
        from bachata_desktop.analysis.pose.backend import OpenVINOBackend, UltralyticsBackend
        m = find_pose_model([__import__("pathlib").Path({str(MODELS)!r})])
        frame = np.full((360, 320, 3), 128, np.uint8)
        OpenVINOBackend(m, imgsz=320).predict([frame])
        UltralyticsBackend(m, imgsz=320).predict([frame])
        assert "openvino" in sys.modules and "ultralytics" in sys.modules
        print("EVENTS", events)
        raise SystemExit(1 if events else 0)
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "YOLO_OFFLINE")}
    env.update(BACHATA_OFFLINE=offline, BACHATA_HOME=str(tmp_path), PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=240)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "EVENTS []" in proc.stdout


def test_manifest_json_is_valid():
    data = json.loads((REPO / "models" / "manifest.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 1 and data["models"]


def test_pt_model_without_the_ultralytics_extra_says_how_to_install_it(tmp_path, monkeypatch):
    """The default install has no ultralytics: a .pt model (or --backend ultralytics) gets one line."""
    from bachata_desktop.analysis.pose.backend import make_backend
    from bachata_desktop.core.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "ultralytics", None)  # what an install without the extra has
    monkeypatch.setenv("BACHATA_ALLOW_MODELS", "my-pose.pt")  # the user's explicit choice of a .pt
    (tmp_path / "my-pose.pt").write_bytes(b"pickle bytes")
    m = find_pose_model([tmp_path])
    with pytest.raises(MissingExtraError) as ei:
        make_backend(m, imgsz=320, conf=0.25, kind="auto")
    msg = str(ei.value)
    assert "\n" not in msg and "bachata-desktop[ultralytics]" in msg and "my-pose.pt" in msg
    assert "format=openvino" in msg
