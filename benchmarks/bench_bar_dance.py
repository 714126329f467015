"""A third witness for the bar on real clips: where our downbeats and madmom's disagree, which
side do the dancers' own steps take?

The two audio trackers are compared in ``bench_madmom``; neither is ground truth. The dancers'
1 read from their hips (``analysis/pose/dance_counts.py``: the rise and sink once every two beats)
is independent of both, but it only tells an odd beat from an even one (1 vs 2, not 1 vs 3). So for
each shared clip whose beats agree with madmom (F >= 0.8), this reports where the dancers step
their 1 in madmom's bar: on an odd position (1 or 3: with madmom's downbeat parity) or an even one
(2 or 4: against it), and whether it sits on our 1's parity. Where we and madmom agree, the same
count says how reliable the dancers are as a witness.

Needs madmom's cached output (``benchmarks/madmom_cache.json``) and the pose keypoints cache of
``bench_pose`` (``$BACHATA_BENCH_CACHE``; computed on first use). Run:
``python -m benchmarks bar_dance``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from benchmarks import bench_pose as bp
from benchmarks.bench_madmom import CACHE, SHARED, _f, _near


def _row(name: str, value: float, note: str) -> dict:
    return {"benchmark": name, "value": value, "unit": "clips", "baseline": None, "ratio": None,
            "goal": "report", "note": note}


def run(quick: bool = False) -> list[dict]:
    if not CACHE.exists():
        return [_row("bar vs dance (skipped)", 0, f"no madmom cache at {CACHE}")]
    bp._setup()
    from bachata_desktop.analysis.pose import dance_counts as dc
    from bachata_desktop.core.song import SongAnalysis
    from benchmarks.bench_dance_counts import _clip_inputs

    clips = {c["video_path"] for c in bp.annotations()}
    tally = {"agree": {"with": [], "against": [], "unsure": []},
             "disagree": {"with ours": [], "with madmom": [], "neither": [], "unsure": [],
                          "on both (ours two beats from madmom's: parity cannot tell)": []}}
    entries = list(json.loads(CACHE.read_text()).values())
    for e in entries[::4] if quick else entries:
        p = Path(e["path"]) if Path(e["path"]).is_absolute() else SHARED / e["path"]
        rel = f"{p.parent.name}/{p.name}"
        if rel not in clips:
            continue
        data, grid, duration = _clip_inputs(rel)  # analysed once per run for every benchmark
        if not grid or len(e["beats"]) < 4 or not len(e["bar"]):
            continue
        res = SongAnalysis.from_dict(grid)
        mm_b, mm_d = np.array(e["beats"]), np.array(e["downbeats"])
        down = np.array(res.downbeats)
        if _f(mm_b, res.beat_times) < 0.8 or not down.size:
            continue
        bar_agrees = bool(np.mean(_near(down, mm_d)) >= 0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            got = dc.measure_file(data, grid, duration)
        name = p.stem
        if got is None or got.one_source != "dance":
            tally["agree" if bar_agrees else "disagree"]["unsure"].append(name)
            continue
        k = int(np.argmin(np.abs(mm_b - got.first_one_s)))
        with_madmom = int(e["bar"][min(k, len(e["bar"]) - 1)][1]) % 2 == 1
        with_ours = not got.soundtrack_offset
        if bar_agrees:
            tally["agree"]["with" if with_madmom and with_ours else "against"].append(name)
        else:
            side = ("with ours" if with_ours and not with_madmom else
                    "with madmom" if with_madmom and not with_ours else
                    "on both (ours two beats from madmom's: parity cannot tell)" if with_ours
                    else "neither")
            tally["disagree"][side].append(name)
    rows = []
    for side, names in tally["disagree"].items():
        rows.append(_row(f"bar disagreements: dancers' 1 {side}", len(names), ", ".join(names)))
    a = tally["agree"]
    rows.append(_row("bar agreements: dancers' 1 on the same parity", len(a["with"]),
                     f"of {len(a['with']) + len(a['against'])} readable ({len(a['unsure'])} "
                     "unsure): how reliable the dancers are as a witness"))
    return rows
