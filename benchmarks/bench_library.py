"""Library: import and analysis time per clip, search latency at 150 and 10,000 clips, hnswlib.

Baselines measured in the same run:
- import: a plain file copy of the same clips (what hashing + probing + the database add on top);
- analysis: the clips' own duration (ratio < 1 = faster than real time);
- search / similar: one MiniLM query encoding (the part no search can avoid) and a brute-force
  numpy scan of the same vectors;
- hnswlib: brute-force numpy nearest neighbours over the same 100,000 vectors (also the ground
  truth for recall@10). The vectors are clustered unit vectors (like embeddings, where related
  moves are near each other); uniform random unit vectors, where every point is almost equally far
  from a query and HNSW recall collapses, are measured too as a worst case (20,000 vectors).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BACHATA_SHARED", REPO.parent / "shared"))
CLIPS = SHARED / "data" / "clips"
FEW = ("spin/spin2.mp4", "ladyturn/ladyturn_left.mp4", "basic/slow_basic3.mp4")
WORDS = ("smooth", "sensual", "fast", "basic", "turn", "spin", "wave", "dip", "shadow", "cross",
         "lead", "follow", "hammerlock", "styling", "footwork", "combo", "pattern", "classic")


def _row(name: str, value: float, unit: str, baseline: float | None, goal: str,
         note: str = "") -> dict:
    ratio = (value / baseline) if baseline else None
    return {"benchmark": name, "value": round(value, 5), "unit": unit,
            "baseline": None if baseline is None else round(baseline, 5),
            "ratio": None if ratio is None else round(ratio, 4), "goal": goal, "note": note}


def _open(home: Path):
    from bachata_desktop.paths import app_paths
    from bachata_desktop.store import Store
    from bachata_desktop.store.indexes.hnsw import IndexSet

    paths = app_paths(home).ensure()
    store = Store.open(paths)
    return store, IndexSet(paths.indexes, store.embeddings)


def bench_import_and_analysis(quick: bool) -> list[dict]:
    from bachata_desktop.core.task import NullContext
    from bachata_desktop.services.clip_analysis import run_queue
    from bachata_desktop.services.library_import import import_clips

    files = [CLIPS / f for f in (FEW[:1] if quick else FEW) if (CLIPS / f).is_file()]
    if not files:
        return [_row("import per clip", float("nan"), "s", None, "", f"no clips in {CLIPS}")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bb-bench-lib-") as tmp:
        t0 = time.perf_counter()
        for i, f in enumerate(files):
            shutil.copy(f, Path(tmp) / f"copy{i}.mp4")
        copy_s = (time.perf_counter() - t0) / len(files)
        store, indexes = _open(Path(tmp) / "home")
        try:
            t0 = time.perf_counter()
            import_clips(store, files, NullContext())
            imp_s = (time.perf_counter() - t0) / len(files)
            rows.append(_row("import per clip (hash, probe, copy, add)", imp_s, "s", copy_s,
                             "< 0.5 s", f"{len(files)} clips; baseline: plain file copy"))
            # warm the models once so that the figure is the steady per-clip cost
            from bachata_desktop.analysis.text.embedder import TextEmbedder

            t0 = time.perf_counter()
            TextEmbedder.shared().encode(["warm up"])
            warm_text = time.perf_counter() - t0
            duration = sum(c.duration_s for c in store.clips.list())
            t0 = time.perf_counter()
            summary = run_queue(store, indexes, NullContext())
            total = time.perf_counter() - t0
            n = len(summary.done) + len(summary.failed)
            rows.append(_row("full analysis per clip (pose + audio + text, first includes pose "
                             "model load)", total / max(n, 1), "s", duration / max(n, 1),
                             "< clip duration", f"{n} clips, {len(summary.failed)} with errors; "
                             f"text model load {warm_text:.1f} s not included"))
        finally:
            store.close()
    return rows


def _synthetic_library(store, n: int, rng: np.random.Generator) -> None:
    from bachata_desktop.core.clip import CATEGORIES, Clip, Energy, Level
    from bachata_desktop.store.repos import MODALITY_DIMS

    levels, energies = list(Level), list(Energy)
    with store.db.write():
        for i in range(n):
            w = rng.choice(WORDS, size=3)
            clip = Clip(None, f"syn{i}", f"{w[0]} {w[1]} {i}", str(rng.choice(CATEGORIES)),
                        f"x/{i}.mp4", f"{i:064x}", level=levels[i % 3], energy=energies[i % 3],
                        tags=(str(w[2]),), notes=f"{w[1]} {w[2]} practice")
            cid = store.clips.add(clip).id
            for modality, dim in MODALITY_DIMS.items():
                v = rng.normal(size=dim).astype(np.float32)
                store.embeddings.put("clip", cid, modality, v / np.linalg.norm(v), "synthetic")


def bench_search(n: int, reps: int) -> list[dict]:
    from bachata_desktop.analysis.text.embedder import TextEmbedder
    from bachata_desktop.services.search import search, similar

    rng = np.random.default_rng(n)
    queries = ["smooth turn for beginners", "sensual body waves", "hammerlock", "fast footwork",
               "dip at the end"]
    with tempfile.TemporaryDirectory(prefix="bb-bench-search-") as tmp:
        store, indexes = _open(Path(tmp))
        try:
            t0 = time.perf_counter()
            _synthetic_library(store, n, rng)
            fill_s = time.perf_counter() - t0
            emb = TextEmbedder.shared()
            emb.encode(["warm up"])
            for m in ("text", "audio", "lead", "follow", "interaction"):
                indexes.index(m)  # build the indexes before timing queries
            search(store, indexes, "warm up", 10)
            t_search, t_encode, t_brute, t_similar = [], [], [], []
            ids, mat = store.embeddings.all("text")
            for r in range(reps):
                q = queries[r % len(queries)]
                t0 = time.perf_counter()
                search(store, indexes, q, 20)
                t_search.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                qv = emb.encode([q])[0]
                t_encode.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                np.argpartition(-(mat @ qv), 20)[:20]
                t_brute.append(time.perf_counter() - t0)
                cid = int(ids[r % len(ids)])
                t0 = time.perf_counter()
                similar(store, indexes, cid, 10)
                t_similar.append(time.perf_counter() - t0)
        finally:
            store.close()
    med = statistics.median
    return [
        _row(f"search latency, {n} clips", med(t_search) * 1000, "ms", med(t_encode) * 1000,
             "< 100 ms", f"median of {reps}; baseline: MiniLM query encoding alone"),
        _row(f"similar latency, {n} clips (5 modalities)", med(t_similar) * 1000, "ms",
             med(t_brute) * 1000, "< 100 ms",
             f"median of {reps}; baseline: one brute-force numpy text scan; "
             f"library filled in {fill_s:.1f} s"),
    ]


def _clustered(rng: np.random.Generator, n: int, dim: int, clusters: int) -> np.ndarray:
    """Unit vectors around ``clusters`` centres (neighbours at cosine ~0.6-0.8, like embeddings
    of related moves), rather than uniform noise where every point is about equally far."""
    centres = rng.normal(size=(clusters, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    x = centres[rng.integers(0, clusters, size=n)] + rng.normal(
        scale=0.8 / np.sqrt(dim), size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def bench_hnsw(n: int, dim: int = 384, n_queries: int = 200, kind: str = "clustered") -> list[dict]:
    import hnswlib

    from bachata_desktop.store.indexes.hnsw import EF_CONSTRUCTION, EF_SEARCH, M

    rng = np.random.default_rng(0)
    if kind == "clustered":
        both = _clustered(rng, n + n_queries, dim, max(10, n // 50))
        data, queries = both[:n], both[n:]
    else:
        data = rng.normal(size=(n + n_queries, dim)).astype(np.float32)
        data /= np.linalg.norm(data, axis=1, keepdims=True)
        data, queries = data[:n], data[n:]
    idx = hnswlib.Index(space="cosine", dim=dim)
    idx.init_index(max_elements=n, ef_construction=EF_CONSTRUCTION, M=M, random_seed=42)
    t0 = time.perf_counter()
    idx.add_items(data, np.arange(n), num_threads=os.cpu_count() or 1)
    build = time.perf_counter() - t0
    truth = []
    t0 = time.perf_counter()
    for q in queries:
        s = data @ q
        truth.append(set(np.argpartition(-s, 10)[:10].tolist()))
    brute = (time.perf_counter() - t0) / n_queries
    rows = []
    for ef in ((EF_SEARCH, 256) if kind == "clustered" else (EF_SEARCH,)):
        idx.set_ef(ef)
        found = []
        t0 = time.perf_counter()
        for q in queries:
            labels, _ = idx.knn_query(q.reshape(1, -1), k=10)
            found.append(set(labels[0].tolist()))
        per_q = (time.perf_counter() - t0) / n_queries
        recall = float(np.mean([len(f & t) / 10 for f, t in zip(found, truth, strict=True)]))
        rows.append(_row(f"hnswlib query, {n} {kind} x {dim}-D, ef={ef}", per_q * 1000, "ms",
                         brute * 1000, "much faster than brute force",
                         f"baseline: brute-force numpy per query; M={M}, "
                         f"ef_construction={EF_CONSTRUCTION}"))
        rows.append(_row(f"hnswlib recall@10, {n} {kind} vectors, ef={ef}", recall, "fraction",
                         1.0, ">= 0.9" if kind == "clustered" else "(worst case, no goal)",
                         "ground truth: brute-force numpy in the same run"))
    rows.append(_row(f"hnswlib build, {n} {kind} x {dim}-D", build, "s", None, "",
                     f"{os.cpu_count()} threads"))
    return rows


def bench_same_category(quick: bool) -> list[dict]:
    """How often the best "similar move" by the fusion alone shares the clip's category.

    The shared clips get real text and audio embeddings (the pose step is left out to keep the
    benchmark short: on these clips the pose embeddings ranked a same-category clip first for
    7-11% of clips, chance being 5%). Baseline: the chance that a random other clip shares it.
    """
    from collections import Counter

    from bachata_desktop.core.task import NullContext
    from bachata_desktop.services.clip_analysis import run_queue
    from bachata_desktop.services.library_import import import_clips
    from bachata_desktop.services.search import similar

    if not CLIPS.is_dir():
        return []
    with tempfile.TemporaryDirectory(prefix="bb-bench-sim-") as tmp:
        store, indexes = _open(Path(tmp))
        try:
            import_clips(store, [CLIPS], NullContext())
            steps = ("text",) if quick else ("audio", "text")
            run_queue(store, indexes, NullContext(), steps=steps)
            clips = store.clips.list()
            sizes = Counter(c.category for c in clips)
            chance = sum((sizes[c.category] - 1) / (len(clips) - 1) for c in clips) / len(clips)
            rows = []
            for label, weights in (("fusion", None), ("text only", {"text": 1.0}),
                                   ("audio only", {"audio": 1.0})):
                if quick and label == "audio only":
                    continue
                first = sum(similar(store, indexes, c.id, 1, weights=weights,
                                    same_category_first=False)[0].clip.category == c.category
                            for c in clips)
                rows.append(_row(f"similar: same category ranked first, {label} "
                                 f"({'+'.join(steps)} analysed)", first / len(clips), "fraction",
                                 chance, "well above chance",
                                 f"{len(clips)} shared clips; baseline: chance"))
        finally:
            store.close()
    return rows


def run(quick: bool = False) -> list[dict]:
    rows = bench_import_and_analysis(quick)
    rows += bench_same_category(quick)
    rows += bench_search(150, 20 if quick else 50)
    rows += bench_search(2000 if quick else 10_000, 10 if quick else 30)
    rows += bench_hnsw(20_000 if quick else 100_000)
    rows += bench_hnsw(4_000 if quick else 20_000, kind="uniform")
    return rows


if __name__ == "__main__":
    import json
    import sys

    sys.path.insert(0, str(REPO))
    for r in run(quick="--quick" in sys.argv):
        print(json.dumps(r))
