"""Pose analysis benchmark: speed (seconds of analysis per second of video) and quality
(leave-one-out nearest-neighbour accuracy of ``move_label`` from the pose embeddings).

Speed (``bench_speed``): this code against the pose pipeline before the issue-15 speed work
(``BASE_REF``, exported from git into a temp folder), each in its own child process, alternating
(base, new, new, base) so that load from other work hits both alike. Rows: wall and CPU seconds
per second of video (real-time factor), the decode / inference split, peak RSS of the process.
On a 2-core machine the CPU figure halved is the floor of the wall figure.

Per-clip analyses (keypoints .npz + summary JSON) are cached under
``$BACHATA_BENCH_CACHE`` (default: the system temp dir) keyed by clip, settings and the pose
code, so the
quality benchmark re-runs in seconds; embeddings are always recomputed from the cached keypoints,
which is what lets the embedding design be iterated. Run: ``python -m benchmarks.bench_pose``
(``speed --quick``: 3 clips, one ABBA round).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CLIPS = SHARED / "data" / "clips"
MODELS = SHARED / "models"
# Open-hold clips: the families danced apart with one or two hands joined (the model sees two
# separate people). Closed-hold families (basic, bolero, body waves, hip / head rolls, golpes,
# outro, intros) are danced in an embrace where one dancer hides the other in many frames.
OPEN_HOLD = ("arm_styling", "cross_body_lead", "footwork", "hammerlock", "ladyturn", "shadow",
             "spin", "style")
SPEED_CLIPS = ("spin/spin.mp4", "ladyturn/ladyturn_left.mp4", "cross_body_lead/cross_body_lead.mp4",
               "hammerlock/energetic_hammerlock.mp4", "shadow/shadow.mp4",
               "arm_styling/paseala3.mp4")


def _setup() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("BACHATA_MODELS", str(MODELS))
    os.environ.setdefault("BACHATA_HOME", str(Path(tempfile.gettempdir()) / "bachata-bench-home"))


def annotations() -> list[dict]:
    data = json.loads((CLIPS / "bachata_annotations.json").read_text(encoding="utf-8"))
    return [c for c in data["clips"] if (CLIPS / c["video_path"]).is_file()]


def cache_dir() -> Path:
    d = Path(os.environ.get("BACHATA_BENCH_CACHE",
                            Path(tempfile.gettempdir()) / "bachata-bench-pose-cache"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def cached_analysis(video: Path, config) -> tuple[dict, Path]:
    """(summary dict, keypoints path) of ``video``, analysed once per settings."""
    from dataclasses import asdict

    from bachata_desktop.analysis.pose.analyze import analyze_clip

    # Only the code that changes keypoints; embeddings are always recomputed from them.
    pose = REPO / "bachata_desktop" / "analysis" / "pose"
    code = hashlib.sha1(b"".join((pose / f).read_bytes() for f in (
        "analyze.py", "backend.py", "couple.py", "sampling.py", "scaling.py"))).hexdigest()
    key = hashlib.sha1(json.dumps([str(video), video.stat().st_size, asdict(config), code],
                                  sort_keys=True, default=str).encode()).hexdigest()[:16]
    kp = cache_dir() / f"{video.stem}-{key}.npz"
    js = kp.with_suffix(".json")
    if kp.is_file() and js.is_file():
        return json.loads(js.read_text()), kp
    res = analyze_clip(video, config=config, keypoints_out=kp)
    js.write_text(json.dumps(res.to_dict()))
    return res.to_dict(), kp


def embeddings_for(kp: Path, part: slice | None = None) -> dict[str, np.ndarray]:
    """Embeddings recomputed from cached keypoints (optionally of a part of the clip)."""
    from dataclasses import replace

    from bachata_desktop.analysis.pose.analyze import (
        load_keypoints,
        summarise,
        tracks_from_keypoints,
    )

    data = load_keypoints(kp)
    tracks = tracks_from_keypoints(data)
    if part is not None:
        tracks = replace(tracks, keypoints=tracks.keypoints[part], boxes=tracks.boxes[part],
                         detected=tracks.detected[part])
    res = summarise(tracks, float(data["fps"]))
    return res.embeddings


def half_clip_retrieval(kps: list[Path]) -> float:
    """Does the first half of a clip find its own second half among all second halves?"""
    first, second = [], []
    for kp in kps:
        n = len(np.load(kp)["times"])
        a, b = embeddings_for(kp, slice(0, n // 2)), embeddings_for(kp, slice(n // 2, n))
        first.append(np.concatenate([a[m] for m in ("lead", "follow", "interaction")]))
        second.append(np.concatenate([b[m] for m in ("lead", "follow", "interaction")]))
    sim = np.stack(first) @ np.stack(second).T
    return float(np.mean(np.argmax(sim, axis=1) == np.arange(len(kps))))


def loo_accuracy(vectors: np.ndarray, labels: list[str]) -> float:
    """Leave-one-out 1-NN accuracy under cosine similarity."""
    return retrieval_metrics(vectors, labels)["nn1"]


def retrieval_metrics(vectors: np.ndarray, labels: list[str]) -> dict[str, float]:
    """Leave-one-out retrieval under cosine: 1-NN accuracy, top-3 hit rate, mean average
    precision (queries whose label has no other clip count in 1-NN / top-3 but not in mAP)."""
    v = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sim = v @ v.T
    np.fill_diagonal(sim, -np.inf)
    lab = np.asarray(labels)
    nn1, top3, aps = [], [], []
    for i in range(len(lab)):
        rel = lab[np.argsort(-sim[i], kind="stable")[: len(lab) - 1]] == lab[i]
        nn1.append(rel[0])
        top3.append(rel[:3].any())
        if rel.any():
            aps.append(float(np.mean((np.cumsum(rel) / np.arange(1, len(rel) + 1))[rel])))
    return {"nn1": float(np.mean(nn1)), "top3": float(np.mean(top3)),
            "map": float(np.mean(aps)) if aps else 0.0}


def _row(name: str, value: float, unit: str, goal: str, note: str = "",
         baseline: float | None = None) -> dict:
    ratio = (value / baseline) if baseline not in (None, 0) else None
    return {"benchmark": name, "value": round(float(value), 4), "unit": unit,
            "baseline": None if baseline is None else round(float(baseline), 4),
            "ratio": None if ratio is None else round(float(ratio), 3), "goal": goal, "note": note}


# The pose pipeline before the issue-15 speed work (decode every frame, convert + Pillow resize,
# float conversion in numpy, inference after decoding): the speed rows' baseline, run in the same
# benchmark from a copy of that commit's package. Another git ref or a folder holding a
# bachata_desktop package can be named in $BACHATA_BENCH_POSE_BASE.
BASE_REF = "2d8dd9f340e7109d92853f8ed96547c11a1e8f9d"

# Runs in a child process per code version: loads the model, warms up on the first clip, then
# analyses every clip; prints one JSON line (wall and CPU time of the analyses, peak RSS).
_CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
from bachata_desktop.analysis.pose.analyze import PoseConfig, analyze_clip, get_backend
cfg = PoseConfig(**json.loads(sys.argv[2]))
clips = sys.argv[3:]
t0 = time.perf_counter()
get_backend(cfg)
load = time.perf_counter() - t0
analyze_clip(clips[0], config=cfg)
out = dict(load_s=load, duration_s=0.0, decode_s=0.0, inference_s=0.0, wait_s=0.0,
           total_s=0.0, frames=0, both=[])
c0, w0 = time.process_time(), time.perf_counter()
for c in clips:
    r = analyze_clip(c, config=cfg)
    for k in ("decode_s", "inference_s", "wait_s", "total_s"):
        out[k] += r.timings.get(k, 0.0)
    out["duration_s"] += r.duration_s
    out["frames"] += r.frames_analyzed
    out["both"].append(r.both_dancers_ratio)
out["wall_s"] = time.perf_counter() - w0
out["cpu_s"] = time.process_time() - c0
out["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out["backend"] = r.backend
out["load1"] = os.getloadavg()[0]
print("RESULT " + json.dumps(out))
"""


def base_code() -> Path:
    """A folder whose ``bachata_desktop`` is the baseline's (exported once from git)."""
    import subprocess

    ref = os.environ.get("BACHATA_BENCH_POSE_BASE", BASE_REF)
    if Path(ref).is_dir():
        return Path(ref)
    dest = Path(tempfile.gettempdir()) / f"bachata-bench-pose-base-{ref[:12]}"
    if not (dest / "bachata_desktop").is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "bachata_desktop",
                                  "models/manifest.json"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def _child_run(code: Path, clips: list[Path], cfg: dict) -> dict:
    import subprocess

    proc = subprocess.run([sys.executable, "-c", _CHILD, str(code), json.dumps(cfg),
                           *map(str, clips)], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(code)})
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"pose speed run failed in {code}: {proc.stderr[-800:]}")
    return json.loads(line[len("RESULT "):])


def _speed_note(r: dict, cfg_note: str) -> str:
    d = r["duration_s"]
    return (f"{r['frames']} frames of {d:.1f} s video; wall {r['wall_s'] / d:.3f} s/s "
            f"({d / r['wall_s']:.1f}x real time), CPU {r['cpu_s'] / d:.3f} s/s (both cores); "
            f"decode {r['decode_s'] / d:.3f}, inference {r['inference_s'] / d:.3f} (summed over "
            f"the batches in flight), waiting for inference {r['wait_s'] / d:.3f} s/s; peak RSS "
            f"{r['maxrss_mib']:.0f} MiB; model load {r['load_s']:.2f} s; load average "
            f"{r['load1']:.1f}; {r['backend']} {cfg_note}")


def bench_speed(quick: bool) -> list[dict]:
    """This code vs the baseline code, same clips, alternating child processes (ABBA), so that
    load from other work on the machine hits both alike; medians of the rounds."""
    from bachata_desktop.analysis.pose.analyze import PoseConfig, analyze_clip, get_backend

    clips = [CLIPS / c for c in SPEED_CLIPS if (CLIPS / c).is_file()][: 3 if quick else None]
    base = base_code()
    rows: list[dict] = []
    runs: dict[str, list[dict]] = {"new": [], "base": []}
    order = ["base", "new", "new", "base"] if quick else ["base", "new", "new", "base"] * 2
    for which in order:
        runs[which].append(_child_run(REPO if which == "new" else base, clips, {}))

    def med(which: str, key: str) -> float:
        return float(np.median([r[key] / r["duration_s"] for r in runs[which]]))

    mid = {w: min(runs[w], key=lambda r: abs(r["wall_s"] / r["duration_s"] - med(w, "wall_s")))
           for w in runs}
    what = f"{len(clips)} open-hold clips, {len(order) // 2} runs each, medians"
    for key, name, unit in (("wall_s", "pose_speed_default", "s analysis / s video (wall)"),
                            ("cpu_s", "pose_cpu_default", "CPU s / s video")):
        rows.append(_row(name, med("new", key), unit, "<= 0.1 wall (10x real time)",
                         f"{what}; new: {_speed_note(mid['new'], 'imgsz 320')}; baseline "
                         f"(code of {base.name}): {_speed_note(mid['base'], 'imgsz 320')}",
                         baseline=med("base", key)))
    rows.append(_row("pose_realtime_factor_default", 1 / med("new", "wall_s"), "x real time",
                     ">= 10", what, baseline=1 / med("base", "wall_s")))
    rows.append(_row("pose_peak_rss_default", float(np.median([r["maxrss_mib"] for r in runs["new"]])),
                     "MiB", "report", "peak RSS of a process that loads the model and analyses the "
                     "clips (ru_maxrss)",
                     baseline=float(np.median([r["maxrss_mib"] for r in runs["base"]]))))
    both = [b for r in runs["new"] for b in r["both"]]
    rows.append(_row("pose_both_dancers_default", float(np.mean(both)), "fraction of frames",
                     ">= 0.85 on open-hold clips", f"min {min(both):.2f}",
                     baseline=float(np.mean([b for r in runs["base"] for b in r["both"]]))))
    if quick:
        return rows
    # other settings of this code, in this process, against the default
    import psutil

    proc = psutil.Process()
    settings = [("default", PoseConfig()),
                ("ultralytics-480", PoseConfig(backend="ultralytics", imgsz=480)),
                ("openvino-480", PoseConfig(imgsz=480)),
                ("openvino-640", PoseConfig(imgsz=640)),
                ("openvino-320-skip-nonref", PoseConfig(skip_nonref=True))]
    ref = None
    for name, cfg in settings:
        get_backend(cfg)
        analyze_clip(clips[0], config=cfg)  # warm-up (first-inference compilation)
        dur = tot = 0.0
        cpu0 = time.process_time()
        both = []
        for c in clips:
            r = analyze_clip(c, config=cfg)
            dur += r.duration_s
            tot += r.timings["total_s"]
            both.append(r.both_dancers_ratio)
        per = tot / dur
        ref = per if ref is None else ref
        rows.append(_row(f"pose_speed_{name}_inproc", per, "s analysis / s video", "report",
                         f"CPU {(time.process_time() - cpu0) / dur:.3f} s/s; both dancers "
                         f"{np.mean(both):.3f}; RSS {proc.memory_info().rss / 2**20:.0f} MiB",
                         baseline=ref))
    return rows


def bench_quality(quick: bool) -> list[dict]:
    from bachata_desktop.analysis.pose.analyze import PoseConfig
    from bachata_desktop.analysis.pose.embed import EMBEDDING_VERSION

    clips = annotations()
    if quick:
        clips = clips[:20]
    cfg = PoseConfig()
    labels, embs, both, open_both, kps = [], [], [], [], []
    for c in clips:
        summary, kp = cached_analysis(CLIPS / c["video_path"], cfg)
        kps.append(kp)
        labels.append(c["move_label"])
        embs.append(embeddings_for(kp))
        both.append(summary["both_dancers_ratio"])
        if c["move_label"] in OPEN_HOLD:
            open_both.append(summary["both_dancers_ratio"])
    counts = {lab: labels.count(lab) for lab in set(labels)}
    chance = sum((n - 1) * n for n in counts.values()) / (len(labels) * (len(labels) - 1))
    singles = sum(1 for n in counts.values() if n == 1)
    rows = []
    stacks = {m: np.stack([e[m] for e in embs]) for m in ("lead", "follow", "interaction")}
    combos = {"lead": ["lead"], "follow": ["follow"], "interaction": ["interaction"],
              "all": ["lead", "follow", "interaction"]}
    for name, mods in combos.items():
        met = retrieval_metrics(np.concatenate([stacks[m] for m in mods], axis=1), labels)
        rows.append(_row(f"pose_loo_nn_{name}", met["nn1"], "accuracy",
                         "far above 0.2 (original app)",
                         f"{len(labels)} clips, {len(counts)} labels ({singles} with one clip: "
                         f"best reachable {1 - singles / len(labels):.3f}); top-3 hit "
                         f"{met['top3']:.3f}, mAP {met['map']:.3f}; embedding v{EMBEDDING_VERSION}; "
                         f"one clip is {1 / len(labels):.3f}, standard error about "
                         f"{np.sqrt(met['nn1'] * (1 - met['nn1']) / len(labels)):.2f}",
                         baseline=chance))
    rows.append(_row("pose_half_clip_self_retrieval", half_clip_retrieval(kps), "accuracy",
                     "report", "first half of each clip retrieves its own second half (all 3 "
                     "embeddings)", baseline=1 / len(kps)))
    rows.append(_row("pose_both_dancers_open_hold", float(np.mean(open_both)), "fraction of frames",
                     ">= 0.85", f"{len(open_both)} open-hold clips; min {min(open_both):.2f}; "
                     f"all clips {np.mean(both):.2f}"))
    return rows


def run(quick: bool = False) -> list[dict]:
    _setup()
    if not (MODELS / "yolov8n-pose_int8_openvino_model").is_dir() or not CLIPS.is_dir():
        return [_row("pose_skipped", 0, "", "", f"needs {MODELS} and {CLIPS}")]
    return bench_speed(quick) + bench_quality(quick)


if __name__ == "__main__":
    _setup()
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    out = {"speed": bench_speed, "quality": bench_quality}.get(which)
    rows = out("--quick" in sys.argv) if out else run("--quick" in sys.argv)
    for r in rows:
        print(json.dumps(r))
