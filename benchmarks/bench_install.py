"""Default install: size and time of a fresh venv with this checkout vs the previous dependency set.

Why: ``bash scripts/run.sh`` on a new machine installs the default dependencies; with torch,
CUDA libraries and triton (pulled by ultralytics and sentence-transformers) that was 7.6 GB for an
app whose default paths import none of them. Rows: installed size and install time (pip's cache
warm, so it is unpacking, not downloading) of ``pip install <this checkout>`` into a new venv, each
against the same for ``BACHATA_BASELINE_REPO`` (default ``../main`` or ``../../main``: the dependency set before the
split) in the same run, and the largest installed packages of each. Slow (minutes, GBs of disk):
``quick`` measures only this checkout. Venvs live under ``$BACHATA_BENCH_VENVS`` (default
``/tmp/bench-install``) and are removed afterwards unless ``BACHATA_BENCH_KEEP=1``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _install(repo: Path, venv: Path) -> tuple[float, int, dict[str, int]]:
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    env = dict(os.environ, HNSWLIB_NO_NATIVE="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    t0 = time.perf_counter()
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(repo)], check=True, env=env,
                   capture_output=True)
    dt = time.perf_counter() - t0
    site = next((venv / "lib").glob("python3*/site-packages"))
    tops: dict[str, int] = {}
    for p in site.iterdir():
        if p.is_dir() and not p.name.endswith((".dist-info", "__pycache__")):
            tops[p.name] = _size(p)
    return dt, _size(venv), tops


def run(quick: bool = False) -> list[dict]:
    base_dir = Path(os.environ.get("BACHATA_BENCH_VENVS", "/tmp/bench-install"))
    baseline_repo = Path(os.environ.get("BACHATA_BASELINE_REPO") or next(
        (p for p in (ROOT.parent / "main", ROOT.parent.parent / "main")
         if (p / "pyproject.toml").is_file()), ROOT.parent / "main"))
    rows: list[dict] = []
    t_new, s_new, tops_new = _install(ROOT, base_dir / "slim")
    t_old = s_old = None
    tops_old: dict[str, int] = {}
    if not quick and (baseline_repo / "pyproject.toml").is_file():
        t_old, s_old, tops_old = _install(baseline_repo, base_dir / "baseline")
    rows.append({"benchmark": "default venv installed size", "value": round(s_new / 1e9, 3),
                 "unit": "GB", "baseline": round(s_old / 1e9, 3) if s_old else None,
                 "ratio": round(s_new / s_old, 3) if s_old else None, "goal": "<= 1.2 GB",
                 "note": f"pip install {ROOT.name} vs {baseline_repo} (fresh venvs, same pip cache)"})
    rows.append({"benchmark": "default venv install time (warm pip cache)", "value": round(t_new, 1),
                 "unit": "s", "baseline": round(t_old, 1) if t_old else None,
                 "ratio": round(t_new / t_old, 3) if t_old else None, "goal": "",
                 "note": "wall time of pip install, 2-core machine shared with other work"})
    for label, tops in (("this", tops_new), ("baseline", tops_old)):
        big = sorted(tops.items(), key=lambda kv: -kv[1])[:8]
        if big:
            rows.append({"benchmark": f"largest packages ({label})", "value": None, "unit": "",
                         "baseline": None, "ratio": None, "goal": "",
                         "note": ", ".join(f"{k} {v / 1e6:.0f} MB" for k, v in big)})
    if os.environ.get("BACHATA_BENCH_KEEP") != "1":
        shutil.rmtree(base_dir, ignore_errors=True)
    return rows
