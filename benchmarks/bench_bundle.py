"""Measure an existing frozen build in ``dist/`` (made by ``packaging/build.py``); build nothing.

Why: the installer's download size and the frozen app's start-up are what a user feels first, and
both regress silently when a dependency grows. Rows: bundle size, the largest folders, and the
wall time of ``--version``, ``self-check`` and a GUI open/close, each frozen against the same
command run from the source tree in this run (the baseline). Without a build it returns one row
saying so. Set ``BACHATA_BUNDLE_DIR`` to measure a bundle elsewhere (e.g. a variant build).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bundle_dir() -> Path:
    env = os.environ.get("BACHATA_BUNDLE_DIR")
    if env:
        return Path(env)
    if sys.platform == "darwin":
        return ROOT / "dist" / "Bachata Buddy.app" / "Contents" / "MacOS"
    return ROOT / "dist" / "BachataBuddy"


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _time(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, int]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, timeout=900)
    return time.perf_counter() - t0, proc.returncode


def run(quick: bool = False) -> list[dict]:
    app = _bundle_dir()
    exe = "bachata-desktop.exe" if sys.platform == "win32" else "bachata-desktop"
    gui = "BachataBuddy.exe" if sys.platform == "win32" else "BachataBuddy"
    if not (app / exe).exists():
        return [{"benchmark": "bundle", "value": None, "unit": "", "baseline": None,
                 "ratio": None, "goal": "", "note": f"no build at {app}: run packaging/build.py"}]
    rows: list[dict] = []
    root = app.parent.parent if sys.platform == "darwin" else app
    size_mb = _size(root) / 1e6
    rows.append({"benchmark": "bundle size (one folder, uncompressed)", "value": round(size_mb, 1),
                 "unit": "MB", "baseline": None, "ratio": None, "goal": "< 400 MB download",
                 "note": str(root)})
    internal = root / "_internal" if (root / "_internal").is_dir() else root
    sizes: dict[str, int] = {}
    for p in internal.rglob("*"):
        if p.is_file() and not p.is_symlink():
            rel = p.relative_to(internal).parts
            key = "/".join(rel[:2]) if len(rel) > 2 else rel[0]
            sizes[key] = sizes.get(key, 0) + p.stat().st_size
    for key, n in sorted(sizes.items(), key=lambda kv: -kv[1])[:10]:
        rows.append({"benchmark": f"folder {key}", "value": round(n / 1e6, 1), "unit": "MB",
                     "baseline": None, "ratio": None, "goal": "", "note": "top-10 folder"})

    source_py = os.environ.get("BACHATA_SOURCE_PYTHON", sys.executable)
    with tempfile.TemporaryDirectory(prefix="bb-bench-bundle-") as home:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BACHATA_HOME=home, BACHATA_OFFLINE="1")
        src_env = dict(env, PYTHONPATH=str(ROOT))
        env.pop("PYTHONPATH", None)
        cases = [("--version", ["--version"]), ("GUI open + close", ["--quit-after-ms", "0"])]
        if not quick:
            cases.append(("self-check", ["self-check"]))
        for label, args in cases:
            target = gui if label.startswith("GUI") else exe
            _time([str(app / target), *args], env)  # first run warms the page cache
            frozen, rc = _time([str(app / target), *args], env)
            source, src_rc = _time([source_py, "-m", "bachata_desktop", *args], src_env, ROOT)
            rows.append({"benchmark": f"frozen {label} wall time", "value": round(frozen, 2),
                         "unit": "s", "baseline": round(source, 2),
                         "ratio": round(frozen / source, 2) if source else None,
                         "goal": "<= source tree",
                         "note": f"rc={rc} (source rc={src_rc}); warm page cache; baseline = "
                                 "same command from the source tree"})
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
