"""Start-up: process start to main window shown, and resident memory of the idle window.

Baseline in the same run: a bare PySide6 QMainWindow shown by a fresh Python process, so the
figure says what our app adds on top of Python + Qt themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BARE = r"""
import json, time, psutil
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1280, 800); w.show()
def shown():
    print(json.dumps({"event": "shown", "time": time.time()}), flush=True)
    QTimer.singleShot(2000, lambda: (print(json.dumps({"event": "idle",
        "rss_mb": psutil.Process().memory_info().rss / 2**20}), flush=True), app.quit()))
QTimer.singleShot(0, shown)
app.exec()
"""


def _measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    t0 = time.time()
    out = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    events = {}
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            d = json.loads(line)
            events[d["event"]] = d
    if "shown" not in events:
        raise RuntimeError(f"window never shown: {out.stderr[-2000:]}")
    return events["shown"]["time"] - t0, events.get("idle", {}).get("rss_mb", float("nan"))


def run(quick: bool = False) -> list[dict]:
    reps = 2 if quick else 5
    app_t, app_m, bare_t, bare_m = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="bb-bench-startup-") as home:
        env = {**os.environ, "BACHATA_HOME": home, "BACHATA_STARTUP_PROBE": "1",
               "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               "PYTHONPATH": str(REPO)}
        _measure([sys.executable, "-m", "bachata_desktop"], env)  # warm the OS file cache
        for _ in range(reps):
            t, m = _measure([sys.executable, "-m", "bachata_desktop"], env)
            app_t.append(t)
            app_m.append(m)
            t, m = _measure([sys.executable, "-c", BARE], env)
            bare_t.append(t)
            bare_m.append(m)
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    return [
        {"benchmark": "process start -> main window shown", "value": med(app_t), "unit": "s",
         "baseline": med(bare_t), "ratio": med(app_t) / med(bare_t), "goal": "<= 1.5 s",
         "note": f"median of {reps}; baseline: bare PySide6 QMainWindow"},
        {"benchmark": "idle window resident memory", "value": med(app_m), "unit": "MB",
         "baseline": med(bare_m), "ratio": med(app_m) / med(bare_m), "goal": "<= 250 MB",
         "note": "RSS 2 s after the window is shown"},
    ]
