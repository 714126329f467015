"""Count-synchronous pose description for "same move" similarity (issue 15, third and fourth
rounds): the forms compared; the cycle spectrum is shipped (version 4, ``bench_pose_move``).

Bachata moves are defined by what happens on which count (the turn on 5-6-7, the hand raised on 4,
the dip on 1). Here each clip's role-free per-frame pose signals are folded onto its 8-count cycle,
counted from the dancers' own 1 (``analysis.pose.dance_counts.measure`` on the soundtrack grid of
``analyze_clip_audio``): per count, the mean over its frames of each dancer's facing (shoulder width
over its p90), highest / lowest wrist above the shoulders, torso length, |lean|, |hip offset from
the shoulders|, |head offset|, rotation rate, ankle speed and body speed, as (larger, smaller)
pairs over the dancers, and the couple's hip distance, relative facing, nearest hands and |height
difference|: an 8 x 24 template. Templates are standardised per cell (median / IQR, tanh) refitted
without the query (and its session), compared by cosine and added to the shipped move vector's
cosine (``bench_pose_move``, same nested protocols) at a weight.

Configurations tried on the 80 shared clips (18 in all; by clip / by series, nested):
vector alone 0.30 / 0.25 (the current figure); template alone: 8 counts 0.24 / 0.19, 8 counts with
the best of the two half-cycle shifts (1 vs 5 is uncertain) 0.26 / 0.20, 4 counts 0.26 / 0.19,
centred on the clip mean 0.11 / 0.11 and 0.08 / 0.04 (4 counts); vector + template: 8 counts at
weight 1 0.34 / 0.30 and 0.5 0.39 / 0.34; 8 counts best shift at 0.5 / 1 / 2: 0.40 / 0.31,
0.41 / 0.34, 0.38 / 0.26; 4 counts at 1 / 0.5: 0.35 / 0.28, 0.31 / 0.28; 4 counts centred 0.5:
0.33 / 0.24; shift-invariant single vector (the halves' sum and |difference|) at 1 / 0.5: 0.375 /
0.30, 0.39 / 0.31. Control without counts (the same signals' clip means, one "count") at 1 / 0.5:
0.34 / 0.29, 0.33 / 0.26, so about half the gain is the extra signals, the rest their count
position. Spread over configurations is several clips (one clip is 0.0125): a real but modest gain,
selected among 18 tries on 80 clips. The single-vector form (81 + 192 values) exceeds the 256-D
interaction slot; a fixed orthonormal projection to 256 keeps it (3 random projections: 0.375-0.40 /
0.30-0.31).

Fourth round, shipped: a form that fits the 256-D slot and does not depend on which beat is the
1 at all: per signal, the magnitudes of its Fourier series over the 8 counts (5 x 24 = 120 values,
``move_template.cycle_spectrum``), standardised per value, next to the descriptors at weight 1:
0.4125 / 0.3375 with per-cell standardisation before the spectrum (chosen among 21 forms and
weights; split-half check, choosing on one half of the series and scoring the other: 0.436 /
0.359 and 0.293 / 0.268 against the descriptors alone on the same halves 0.385 / 0.308 and 0.220 /
0.195), 0.425 / 0.3125 with one standardisation per signal (what ships: exactly the same vector
from whichever beat the cycle is counted). Built where keypoints and grid meet
(``analysis/pose/move_vector.py``: the clip analysis' dance step, ``refresh_dance`` and
``services/pose_refresh``).

Rows (each both protocols): the vector alone (baseline, same run), vector + 8-count template with
the best half-cycle shift (weight 1), vector + the shift-invariant single-vector form (weight 0.5:
what an embedding could carry), and the no-counts control. Run: ``python -m benchmarks
pose_count_move`` (about a minute: the soundtrack grid of every clip is analysed).
"""

from __future__ import annotations

import warnings

import numpy as np

from benchmarks import bench_pose as bp
from benchmarks.bench_pose_move import clip_features, per_class


def clip_data(quick: bool) -> tuple[np.ndarray, list[str], dict[int, np.ndarray], list[str], list[str]]:
    """(move descriptors, names, {k: templates}, labels, series) of the shared clips; templates are
    (k, 24) per-count means counted from the dancers' 1 (``move_template.count_template``, the app's)."""
    from bachata_desktop.analysis.pose import dance_counts as dc
    from bachata_desktop.analysis.pose.move_features import describe
    from bachata_desktop.analysis.pose.move_template import count_template
    from benchmarks.bench_dance_counts import _beats
    from benchmarks.bench_pose_clip import series_of

    xs, labels, series, names = [], [], [], []
    temps: dict[int, list[np.ndarray]] = {8: [], 1: []}
    for c, data, grid, duration, fa, fb in clip_features(quick):
        t = np.asarray(data["times"], np.float64)
        x, names = describe(fa, fb)
        xs.append(x)
        labels.append(c["move_label"])
        series.append(series_of(c["clip_id"]))
        bt, bc = _beats(grid)
        got = dc.measure_file(data, grid, duration) if len(bt) >= 4 else None
        for k in temps:
            if len(bt) < 4:
                temps[k].append(np.full((k, 24), np.nan))
                continue
            one = got.one_beat if got is not None else int(np.flatnonzero(bc == 1)[0]) if (bc == 1).any() else 0
            temps[k].append(count_template(fa, fb, t, bt, one, k))
    return np.stack(xs), names, {k: np.stack(v) for k, v in temps.items()}, labels, series


def _unit(a: np.ndarray) -> np.ndarray:
    return a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), 1e-12)


def _cells(flat: np.ndarray, train: np.ndarray) -> np.ndarray:
    med = np.nanmedian(flat[train], 0)
    iqr = np.nanpercentile(flat[train], 75, 0) - np.nanpercentile(flat[train], 25, 0)
    scale = np.where(np.isfinite(iqr) & (iqr > 1e-9), iqr / 1.349, 1.0)
    return np.nan_to_num(np.tanh((flat - med) / scale))


def nested_nn(x, names, temps, labels, series, weight: float, form: str) -> tuple[float, list[str]]:
    """Leave-one-out (``series``: leave-one-series-out) 1-NN of vector cosine + ``weight`` x
    template cosine; ``form``: "shift" (8 counts, best of the two half-cycle shifts), "sym" (8
    counts as the halves' sum and |difference|, standardised again: one vector), "mean" (no counts)."""
    from bachata_desktop.analysis.pose.move_metric import fit_metric

    lab = np.asarray(labels)
    grp = np.asarray(series if series is not None else range(len(lab)))
    t = temps[1 if form == "mean" else 8]
    n, k = t.shape[:2]
    pred = []
    for q in range(n):
        train = grp != grp[q]
        m = fit_metric(x[train], names, 0)
        v = _unit(np.nan_to_num(np.tanh((x - np.asarray(m["median"])) / np.asarray(m["scale"]))))
        sim = v @ v[q]
        if weight:
            z = _cells(t.reshape(n, -1), train)
            if form == "sym":
                z = z.reshape(n, k, -1)
                z = _cells(np.concatenate([(z[:, :k // 2] + z[:, k // 2:]).reshape(n, -1),
                                           np.abs(z[:, :k // 2] - z[:, k // 2:]).reshape(n, -1)], 1),
                           train)  # standardised again: |difference| is never negative
            u = _unit(z)
            s = u @ u[q]
            if form == "shift":
                s = np.maximum(s, u @ _unit(np.roll(z[q].reshape(k, -1), k // 2, 0).ravel()))
            sim = sim + weight * s
        sim[~train] = -np.inf
        pred.append(str(lab[int(np.argmax(sim))]))
    return float(np.mean(np.asarray(pred) == lab)), pred


def run(quick: bool = False) -> list[dict]:
    bp._setup()
    if not bp.CLIPS.is_dir():
        return [{"benchmark": "pose_count_move_skipped", "value": 0.0, "unit": "", "baseline": None,
                 "ratio": None, "goal": "", "note": f"needs {bp.CLIPS}"}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        x, names, temps, labels, series = clip_data(quick)
        rows = []
        for proto, groups in (("by_clip", None), ("by_series", series)):
            base, base_pred = nested_nn(x, names, temps, labels, groups, 0.0, "mean")
            for name, w, form in (("vector alone", 0.0, "mean"),
                                  ("vector + 8-count template, best half-cycle shift, w1", 1.0, "shift"),
                                  ("vector + 8-count template as one vector (sym), w0.5", 0.5, "sym"),
                                  ("control: vector + the same signals' clip means, w1", 1.0, "mean")):
                acc, pred = (base, base_pred) if not w else nested_nn(x, names, temps, labels, groups, w, form)
                rows.append({"benchmark": f"{name} ({proto})", "value": round(acc, 4),
                             "unit": "accuracy", "baseline": round(base, 4),
                             "ratio": round(acc / base, 3) if base else None, "goal": ">= 0.5",
                             "note": f"{len(labels)} clips, nested; baseline = the vector alone; "
                                     f"per class: {per_class(labels, pred)}"})
    return rows
