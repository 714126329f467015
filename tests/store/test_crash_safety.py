"""A write interrupted by killing the process leaves the database consistent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bachata_desktop.paths import app_paths
from bachata_desktop.store import Store

REPO = Path(__file__).resolve().parents[2]

WRITER = r"""
import sys, time
from bachata_desktop.paths import app_paths
from bachata_desktop.store import Store
from bachata_desktop.core.clip import Clip
store = Store.open(app_paths(sys.argv[1]).ensure())
i = 0
while True:
    # each batch of 50 clips is one transaction: it lands whole or not at all
    with store.db.write() as c:
        for j in range(50):
            store.clips.add(Clip(None, f"k{i}-{j}", f"clip {i}-{j}", "basic", f"{i}-{j}.mp4", f"h{i}-{j}"))
        if i == 0:
            print("ready", flush=True)
    i += 1
"""


def test_killed_writer_leaves_whole_transactions(tmp_path: Path) -> None:
    home = tmp_path / "home"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(home)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.8)  # let it get well into later transactions
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    store = Store.open(app_paths(home))
    try:
        assert store.db.query_one("PRAGMA integrity_check")[0] == "ok"
        n = store.clips.count()
        assert n >= 50
        assert n % 50 == 0, f"{n} clips: a transaction was half-written"
    finally:
        store.close()
