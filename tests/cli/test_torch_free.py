"""The default paths run without torch: pose analysis, import + search by meaning, a generated
choreography from a free-text request, and the main window, all in one fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from shared_assets import ANNOTATIONS, CLIPS_DIR, MODELS_DIR, REPO, SONGS_DIR, need

from bachata_desktop.analysis.text import embedder

EXTRAS = ("torch", "ultralytics", "sentence_transformers", "transformers", "librosa", "cv2")


@pytest.mark.slow
@pytest.mark.skipif(not embedder.is_available(),
                    reason="text model IR absent: run python packaging/convert_text_model.py")
def test_default_paths_never_import_torch(tmp_path: Path) -> None:
    need(MODELS_DIR)
    folder = need(CLIPS_DIR / "arm_styling")
    clip = sorted(folder.glob("*.mp4"))[0]
    song = need(SONGS_DIR / "Kevin_MacLeod_-_Vibe_Ace.hq.ogg")
    code = textwrap.dedent(f"""
        import json, sys
        from bachata_desktop.cli import run_cli
        rcs = {{}}
        rcs["analyze-clip"] = run_cli(["analyze-clip", {str(clip)!r}, "--json", "--quiet"])
        rcs["import"] = run_cli(["library", "import", {str(folder)!r}, "--annotations",
                                 {str(ANNOTATIONS)!r}, "--no-analyze"])
        rcs["search"] = run_cli(["library", "search", "styling with the right arm", "--json"])
        rcs["generate"] = run_cli(["generate", "--song", {str(song)!r}, "--request",
                                   "a smooth routine with arm styling", "--offline-parser",
                                   "--quiet", "--seed", "1"])
        from PySide6.QtWidgets import QApplication
        from bachata_desktop.app import create_main_window, make_application
        from bachata_desktop.paths import app_paths
        app = make_application()
        window, ctx = create_main_window(app_paths().ensure())
        window.show()
        app.processEvents()
        shown = window.isVisible()
        window.close()
        from bachata_desktop.analysis.text.embedder import TextEmbedder
        print("REPORT " + json.dumps({{
            "rcs": rcs, "shown": shown,
            "text_model_loaded": TextEmbedder.shared()._compiled is not None,
            "loaded": [m for m in {EXTRAS!r} if m in sys.modules]}}))
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO), "BACHATA_HOME": str(tmp_path / "home"),
           "BACHATA_MODELS": str(MODELS_DIR), "QT_QPA_PLATFORM": "offscreen",
           "BACHATA_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("REPORT "))
    report = json.loads(line.removeprefix("REPORT "))
    assert report["rcs"] == {"analyze-clip": 0, "import": 0, "search": 0, "generate": 0}, proc.stderr
    assert report["shown"] and report["text_model_loaded"]
    assert report["loaded"] == [], f"the default paths imported {report['loaded']}"
    assert "right_arm_brush" in proc.stdout  # search by meaning found the arm-styling clip
