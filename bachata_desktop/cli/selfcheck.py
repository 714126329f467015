"""``bachata-desktop self-check``: is this installation able to do its job, offline?

Imports each stack, opens a temporary store, builds and queries a tiny index, finds and loads the
pose and text models, analyses a short synthetic song. Exits non-zero naming what is missing.
Used by the frozen-app smoke test in CI.
"""

from __future__ import annotations

import argparse
import importlib
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bachata_desktop.cli.common import print_json

# What the default install runs; torch, ultralytics and sentence-transformers are extras.
STACKS = ("numpy", "PySide6.QtWidgets", "PySide6.QtMultimedia", "av", "soundfile", "soxr",
          "scipy.signal", "hnswlib", "openvino", "tokenizers", "PIL", "google.genai",
          "platformdirs", "keyring")
HEAVY_EXTRAS = ("torch", "ultralytics", "sentence_transformers", "transformers", "librosa", "cv2")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--skip-models", action="store_true",
                   help="do not load the pose and text models (faster)")
    p.add_argument("--skip-pose-model", action="store_true",
                   help="do not look for the pose model (a build without it, e.g. a fork's CI)")


def _check_import(name: str) -> str:
    mod = importlib.import_module(name)
    return str(getattr(mod, "__version__", "") or "ok")


def _check_store() -> str:
    from bachata_desktop.paths import app_paths
    from bachata_desktop.store import Store
    from bachata_desktop.store.indexes import IndexSet

    with tempfile.TemporaryDirectory(prefix="bb-selfcheck-") as tmp:
        store = Store.open(app_paths(tmp).ensure())
        try:
            rng = np.random.default_rng(0)
            from bachata_desktop.core.clip import Clip

            for i in range(20):
                c = store.clips.add(Clip(None, f"c{i}", f"clip {i}", "basic", f"c{i}.mp4", f"h{i}"))
                v = rng.normal(size=384).astype(np.float32)
                store.embeddings.put("clip", c.id or 0, "text", v / np.linalg.norm(v), "selfcheck")
            idx = IndexSet(store.paths.indexes, store.embeddings).index("text")
            probe = store.embeddings.get("clip", 5, "text")
            hits = idx.query(probe, k=3)
            if not hits or hits[0][0] != 5:
                raise RuntimeError(f"index query returned {hits}")
            return f"sqlite {store.db.user_version()} + hnswlib: 20 vectors, nearest ok"
        finally:
            store.close()


def _check_pose_model() -> str:
    from bachata_desktop.analysis.pose.model import find_pose_model, load_pose_model

    where = find_pose_model()
    load_pose_model(where)
    return f"loaded {where}"


def _check_text_model() -> str:
    from bachata_desktop.analysis.text.embedder import TextEmbedder

    vec = TextEmbedder.shared().encode(["a smooth lady turn for beginners"])
    if vec.shape != (1, 384) or not np.isfinite(vec).all():
        raise RuntimeError(f"bad text embedding shape {vec.shape}")
    return "all-MiniLM-L6-v2, 384-D"


def _check_song() -> str:
    import soundfile as sf

    from bachata_desktop.analysis.audio.analyze import analyze_song
    from bachata_desktop.core.task import NullContext

    sr, bpm, seconds = 22050, 120.0, 20.0
    t = np.arange(int(sr * seconds)) / sr
    y = np.zeros_like(t)
    period = 60.0 / bpm
    for k in range(int(seconds / period)):
        start = int(k * period * sr)
        n = min(len(y) - start, int(0.05 * sr))
        amp = 1.0 if k % 4 == 3 else 0.5
        y[start:start + n] += amp * np.sin(2 * np.pi * 200 * t[:n]) * np.exp(-t[:n] * 60)
    with tempfile.TemporaryDirectory(prefix="bb-selfcheck-") as tmp:
        path = Path(tmp) / "click.wav"
        sf.write(path, y.astype(np.float32), sr)
        result = analyze_song(path, NullContext())
    return f"synthetic 120 BPM song -> {result.tempo_bpm:.1f} BPM, {len(result.beats)} beats"


def _check_no_torch() -> str:
    """The default paths must not pull the extras in (a bundle with torch is 1 GB bigger)."""
    import sys

    loaded = [m for m in HEAVY_EXTRAS if m in sys.modules]
    if loaded:
        raise RuntimeError(f"loaded by the checks above: {', '.join(loaded)}")
    return "none of " + ", ".join(HEAVY_EXTRAS) + " loaded"


def run(args: argparse.Namespace) -> int:
    checks: list[tuple[str, Callable[[], str], bool]] = [
        (f"import {name}", (lambda n=name: _check_import(n)), True) for name in STACKS]
    checks.append(("store and index", _check_store, True))
    if not args.skip_models:
        if not args.skip_pose_model:
            checks.append(("pose model", _check_pose_model, True))
        checks += [("text model", _check_text_model, True), ("song analysis", _check_song, True)]
    checks.append(("runtime without torch", _check_no_torch, True))
    from bachata_desktop.paths import app_paths, model_search_path

    report: dict[str, Any] = {"model_search_path": [str(p) for p in model_search_path(app_paths())],
                              "checks": []}
    ok = True
    for name, fn, required in checks:
        t0 = time.perf_counter()
        try:
            detail, passed = fn(), True
        except Exception as exc:  # report every failure, do not stop at the first
            detail, passed = f"{type(exc).__name__}: {exc}", False
            if not args.json:
                traceback.print_exc()
        ok = ok and (passed or not required)
        report["checks"].append({"check": name, "ok": passed, "detail": detail,
                                 "seconds": round(time.perf_counter() - t0, 3)})
    report["ok"] = ok
    if args.json:
        print_json(report)
    else:
        for c in report["checks"]:
            print(f"{'ok  ' if c['ok'] else 'FAIL'} {c['check']:<28} {c['detail']}")
        print("self-check passed" if ok else "self-check FAILED")
    return 0 if ok else 1
