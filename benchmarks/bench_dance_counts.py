"""The move inside a clip (issue 15): length in counts and the dancers' 1, against the label file.

Material: the shared clips labelled by eye in ``tests/data/clip_counts_i15.json`` (its "about"
says how), split into the part looked at while designing ``analysis/pose/dance_counts.py``
("tuning") and the part held out. For each clip the soundtrack grid comes from the app's audio
analysis and the keypoints from ``bench_pose.cached_analysis`` (the shared pose cache).

Rows: length right (the label's 4/8/16/32) for the dance detector and for what shipped before
(the soundtrack's beat count, nearest of 4/8/16), per part; the dancers' beat parity right on the
clips whose parity could be read, for the detector and for the soundtrack alone; and the phase
``BOB_PHASE`` estimated again from all shared clips except the held-out ones (to check the number
in the code). Run: ``python -m benchmarks dance_counts``.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np

from benchmarks import bench_pose as bp

LABELS = bp.REPO / "tests" / "data" / "clip_counts_i15.json"


def _row(name: str, value: float, unit: str, baseline: float | None, goal: str, note: str) -> dict:
    return bp._row(name, value, unit, goal, note, baseline=baseline)


@functools.cache
def _measured(video_path: str):  # noqa: ANN202 - DanceCounts | None
    """``measure_file`` of a shared clip, once per run (the labelled clips are measured twice)."""
    from bachata_desktop.analysis.pose import dance_counts as dc

    return dc.measure_file(*_clip_inputs(video_path))


@functools.cache
def _clip_inputs(video_path: str) -> tuple[dict, dict, float]:
    """(keypoints file contents, soundtrack grid, duration) of a shared clip; cached for the
    process (this module and ``bench_pose_move`` / ``bench_pose_count_move`` read the same clips),
    so callers must not change what it returns (the arrays are read-only)."""
    from bachata_desktop.analysis.audio.analyze import analyze_clip_audio
    from bachata_desktop.analysis.pose.analyze import PoseConfig, load_keypoints

    _, kp = bp.cached_analysis(bp.CLIPS / video_path, PoseConfig())
    grid, _ = analyze_clip_audio(bp.CLIPS / video_path)
    data = load_keypoints(kp)
    for v in data.values():
        v.setflags(write=False)
    return data, (grid.to_dict() if grid is not None else {}), float(data["times"][-1])


def _beats(grid: dict) -> tuple[np.ndarray, np.ndarray]:
    from bachata_desktop.analysis.pose.dance_counts import beat_arrays

    return beat_arrays(grid) or (np.zeros(0), np.zeros(0, np.int64))


def estimate_phase(held_out: set[str]) -> float:
    """Circular mean (degrees) of the bob's phase over the shared clips not held out."""
    from bachata_desktop.analysis.pose import dance_counts as dc

    total = 0j
    for c in bp.annotations():
        if c["video_path"] in held_out:
            continue
        data, grid, _ = _clip_inputs(c["video_path"])
        bt, bc = _beats(grid)
        if len(bt) < 4:
            continue
        t = np.asarray(data["times"], np.float64)
        sig = dc.bob_signal(data["keypoints"], 1.0 / float(np.median(np.diff(t))))
        if sig is None:
            continue
        starts = np.flatnonzero((bc == 1) | (bc == 5))
        pos = np.interp(t, bt, np.arange(len(bt)), left=np.nan, right=np.nan) - starts[0]
        ok = np.isfinite(pos)
        total += np.sum(sig[ok] * np.exp(-1j * math.pi * pos[ok])) / np.sum(np.abs(sig[ok]))
    return math.degrees(np.angle(total))


def run(quick: bool = False) -> list[dict]:
    bp._setup()
    from bachata_desktop.analysis.pose import dance_counts as dc
    from bachata_desktop.services.clip_analysis import counts_from_beats

    labels = json.loads(Path(LABELS).read_text(encoding="utf-8"))["clips"]
    if quick:
        labels = labels[::3]
    res: dict[str, dict[str, list[bool]]] = {}
    for lab in labels:
        bt, _ = _beats(_clip_inputs(lab["video_path"])[1])
        got = _measured(lab["video_path"])
        part = res.setdefault(lab["part"], {"len": [], "len_before": [], "par": [], "par_st": []})
        part["len"].append(got is not None and got.counts == lab["length_counts"])
        part["len_before"].append(counts_from_beats(len(bt)) == lab["length_counts"])
        if lab["parity"] in ("agree", "off") and got is not None:
            want_off = lab["parity"] == "off"
            part["par"].append((got.soundtrack_offset == 1) == want_off)
            part["par_st"].append(not want_off)
    rows = []
    for name, r in sorted(res.items()):
        n = len(r["len"])
        rows.append(_row(f"length right ({name}, {n} clips)", np.mean(r["len"]), "fraction",
                         float(np.mean(r["len_before"])), ">= 0.8",
                         "baseline: the soundtrack's beat count, nearest of 4/8/16 (what shipped)"))
        if r["par"]:
            rows.append(_row(f"dancers' beat parity right ({name}, {len(r['par'])} readable)",
                             np.mean(r["par"]), "fraction", float(np.mean(r["par_st"])), "report",
                             "baseline: the soundtrack's 1 as it is"))
    if not quick:
        sources = {"dance agrees": 0, "dance overrules": 0, "soundtrack (dance unsure)": 0}
        shared = bp.annotations()
        for c in shared:
            got = _measured(c["video_path"])
            key = ("soundtrack (dance unsure)" if got is None or got.one_source != "dance" else
                   "dance overrules" if got.soundtrack_offset else "dance agrees")
            sources[key] += 1
        for key, n in sources.items():
            rows.append(_row(f"shared clips where the dancers' 1 is: {key}", n, "clips", None,
                             "report", f"of {len(shared)} shared clips, labelled or not"))
        held = {lab["video_path"] for lab in labels if lab["part"] == "held_out"}
        rows.append(_row("bob phase, re-estimated without held-out clips", estimate_phase(held),
                         "degrees", math.degrees(dc.BOB_PHASE), "report",
                         "baseline: BOB_PHASE in dance_counts.py"))
    return rows
