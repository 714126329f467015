"""Calibrating and checking the confidence of the grid: does it separate right from wrong decisions?

Material: excerpts of the generated songs (6, 9, 14 and 24 s from a seeded offset, and the whole
song) of the three generators; short excerpts are where the bar and the "1" go wrong, so they give
the wrong decisions a calibration needs. Per excerpt: the bar cues' support (``GridResult.bar_support``,
the sum of the agreeing cues' own margins), the z-score of the 1-vs-5 margin (``one_z``) and whether
the bar and the "1" are right on the beats that match the truth (90 % of them). ``--fit`` fits
``grid.BAR_CAL`` (on the cue support) / ``ONE_CAL`` (on ``one_z``) by logistic regression on the
tuning seeds; every run reports the AUC of the confidences on tuning and held-out seeds.

    PYTHONPATH=. python -m benchmarks.calib_confidence [--fit] [--quick]
"""

from __future__ import annotations

import importlib
import json
import sys

import numpy as np

from benchmarks.bench_grid import GENERATORS, HELD_OUT_SEEDS, TUNE_SEEDS, _setup

LENGTHS = (6.0, 9.0, 14.0, 24.0, None)
RIDGE = 1.0


def auc(scores, labels) -> float:
    s, y = np.asarray(scores, float), np.asarray(labels, bool)
    pos, neg = s[y], s[~y]
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    return float(np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])))


def excerpt_rows(gen: str, seeds) -> list[dict]:
    _setup()
    from bachata_desktop.analysis.audio.analyze import AnalysisConfig, _beats_and_counts
    from bachata_desktop.analysis.audio.features import compute_features

    mod = importlib.import_module(gen)
    rows = []
    for seed in seeds:
        song = mod.generate(seed)
        rng = np.random.default_rng(seed + 77)
        for length in LENGTHS:
            if length is None:
                a, b = 0, song.audio.size
            else:
                n = int(length * song.sr)
                if n >= song.audio.size:
                    continue
                a = int(rng.integers(0, song.audio.size - n))
                b = a + n
            feats = compute_features(song.audio[a:b], song.sr)
            _, times, grid, _ = _beats_and_counts(feats, AnalysisConfig())
            if times.size < 8:
                continue
            t0 = a / song.sr
            truth_t = song.beat_times - t0
            j = np.clip(np.searchsorted(truth_t, times), 1, truth_t.size - 1)
            j = np.where(np.abs(truth_t[j - 1] - times) < np.abs(truth_t[j] - times), j - 1, j)
            ok = np.abs(truth_t[j] - times) <= 0.07
            matched = float(ok.mean())
            d = (grid.counts[ok] - song.counts[j[ok]]) % 8
            bar = matched >= 0.5 and ok.any() and float(np.mean(d % 4 == 0)) >= 0.9
            one = matched >= 0.5 and ok.any() and float(np.mean(d == 0)) >= 0.9
            rows.append({"gen": gen, "seed": seed, "len": length or song.duration,
                         "one_z": getattr(grid, "one_z", 0.0),
                         "agree": getattr(grid, "bar_agree", 1.0), "support": getattr(grid, "bar_support", 0.0),
                         "bar": bool(bar), "one": bool(one),
                         "conf": grid.confidence, "bar_conf": grid.bar_confidence})
    return rows


def fit_logistic(z, y, iters: int = 200) -> tuple[float, ...]:
    """(a, b) of P = 1 / (1 + exp(-(a z + b))): z is the cue support (``BAR_CAL``) or ``one_z``
    (``ONE_CAL``)."""
    z, y = np.asarray(z, float), np.asarray(y, float)
    x = np.stack([z, np.ones_like(z)], axis=1)
    w = np.zeros(x.shape[1])
    for _ in range(iters):  # Newton steps with a ridge: few wrong bars, nearly separable data
        p = 1 / (1 + np.exp(-x @ w))
        g = x.T @ (p - y) + RIDGE * w
        h = (x * (p * (1 - p))[:, None]).T @ x + RIDGE * np.eye(x.shape[1])
        w -= np.linalg.solve(h, g)
    return tuple(round(float(v), 3) for v in w)


def summary(rows: list[dict]) -> dict:
    return {"cue agreement (share of excerpts with all 3)": round(float(np.mean([r["agree"] == 1.0 for r in rows])), 3),
            "excerpts": len(rows), "bar right": sum(r["bar"] for r in rows),
            "1 right": sum(r["one"] for r in rows),
            "AUC bar conf vs bar right": round(auc([r["bar_conf"] for r in rows], [r["bar"] for r in rows]), 3),
            "AUC 1 conf vs 1 right": round(auc([r["conf"] for r in rows], [r["one"] for r in rows]), 3)}


def run(quick: bool = False, fit: bool = False) -> dict:
    tune = [r for g in GENERATORS for r in excerpt_rows(g, range(0, 4) if quick else TUNE_SEEDS)]
    held = [r for g in GENERATORS for r in excerpt_rows(g, range(1000, 1004) if quick else HELD_OUT_SEEDS)]
    out = {"tuning": summary(tune), "held-out": summary(held)}
    if fit:
        out["BAR_CAL"] = fit_logistic([r["support"] for r in tune], [r["bar"] for r in tune])
        barred = [r for r in tune if r["bar"]]
        out["ONE_CAL"] = fit_logistic([r["one_z"] for r in barred], [r["one"] for r in barred])
    return out


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv, fit="--fit" in sys.argv), indent=2))
