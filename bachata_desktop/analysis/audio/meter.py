"""Is the music in four or in three? The 8-count grid assumes bars of four beats.

A waltz (3/4) tracked as if it were bachata either keeps its beats (and the 8-count grid is laid
over bars of three) or, when slow, is tracked at double speed (its bar then spans six "beats"). Both
must be told to the instructor rather than shown as a confident 8-count. The cue is the bar's own
periodicity in the bass: the bass level after each beat, and the bass attack on it, repeat every
bar. Per-beat series are correlated with themselves at lags of 3 and 6 beats (a bar or two bars of
three, or one bar of a waltz tracked at double speed) and at 4 and 8 beats (one and two bars of
four); the music is in three when the three-lags clearly win.

Measured (benchmarks/bench_meter.py): the thresholds were set on generated waltzes (seeds 0-23 of
tests/analysis/gen_waltz.py, score 0.8-1.4) against the 82 shared real bachata soundtracks (at most
0.35) and the bachata generators; with the final tracker the waltzes score 0.9-1.4 (held-out seeds
1000-1011 included) and the real soundtracks at most 0.26. Where only the lag of 6 beats shows the
bar (the lag of 3 does not), the tracked beats are twice the music's: the tempo is halved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bachata_desktop.analysis.audio.features import Features
from bachata_desktop.analysis.audio.grid import beat_sync, beat_values

TERNARY_SCORE = 0.6     # between the highest bachata score (0.35) and the lowest waltz score (0.8)
DOUBLED_GAP = 0.4       # lag-6 correlation this much above lag 3: the bar is six tracked beats
MIN_BEATS = 14          # a lag of 8 beats needs a few bars on top to be measured


@dataclass(frozen=True)
class Meter:
    beats_per_bar: int = 4        # 3 when the music is in three
    doubled: bool = False         # the tracked beats are twice the music's (a slow waltz)
    score: float = 0.0            # three-lag minus four-lag periodicity (> TERNARY_SCORE: in three)


def _lag_corr(v: np.ndarray, lag: int) -> float:
    z = (v - v.mean()) / (v.std() + 1e-9)
    return float(np.mean(z[lag:] * z[:-lag])) if z.size > lag + 2 else float("nan")


def measure_meter(feats: Features, fine: np.ndarray) -> Meter:
    """The meter of the beats at frame positions ``fine`` (fractional frames)."""
    if fine.size < MIN_BEATS:
        return Meter()
    level = beat_sync(feats.low_db[None, :], fine, feats.n_frames)[:, 0]
    attack = beat_values(feats.onset_low, fine)
    scores, gaps = [], []
    for v in (level, attack):
        c = {lag: _lag_corr(v, lag) for lag in (3, 4, 6, 8)}
        three = np.nanmax([c[3], c[6]])
        four = np.nanmax([c[4], c[8]])
        if np.isfinite(three) and np.isfinite(four):
            scores.append(three - four)
            if np.isfinite(c[6]):
                gaps.append(c[6] - c[3])
    if not scores:
        return Meter()
    score = float(np.mean(scores))
    if score < TERNARY_SCORE:
        return Meter(score=score)
    doubled = bool(gaps) and float(np.mean(gaps)) > DOUBLED_GAP
    return Meter(beats_per_bar=3, doubled=doubled, score=score)


__all__ = ["Meter", "measure_meter"]
