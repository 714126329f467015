"""The move inside a clip, read from the dance: where it starts and ends, which beat the dancers
dance as their "1", and how many counts of the move the clip holds from there.

Numpy only, from the couple's keypoints (``analyze.save_keypoints``) and the clip's own soundtrack
beat grid; nothing here decodes video or audio.

* **Move span**: the dancers move from the first to the last frame in every shared clip, but an
  instructor's own recording may start or end standing; the span is where the couple's smoothed
  joint speed stays above a fraction of its median.
* **The dancers' beat parity**: bachata steps on 1-2-3 and 5-6-7 and taps on 4 and 8, and the body
  rises and sinks once every two beats (a step out, a close or tap). The phase of that two-beat bob
  of hips and shoulders against the soundtrack's counts says whether the soundtrack's 1 falls on a
  beat the dancers step out on (odd count) or one beat off (their close or tap). Measured on the 80
  shared clips, that phase clusters around :data:`BOB_PHASE` when the soundtrack's 1 is the dancers'
  odd count; a clip whose bob sits half a turn away is danced one beat off the soundtrack's 1, and
  then the dance wins: the dancers' 1 is the beat after. When the bob is weak (closed hold hiding a
  body, slow sensual moves) the soundtrack's 1 stays and the result says the dance was unsure.
  What this cannot tell: 1 from 3 (both are odd counts; the soundtrack's bar decides), and a tempo
  other than the grid's (the two-beat bob of a 10 fps keypoint track does not separate 3:4 or 2:1
  tempos reliably, so the grid's beat spacing is kept).
* **Length in counts**: the beats of the grid from the dancers' first 1 or 5 once they dance to
  the end of the move, floored to 4 / 8 / 16 / 32: how many counts of the move the clip holds, so
  a slot of that many counts never runs out of footage (the export starts on the 5 when the bar's
  1 comes too late for that).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from bachata_desktop.analysis.pose.descriptors import _fill
from bachata_desktop.core.song import beat_arrays

VERSION = 1
ALLOWED_COUNTS = (4, 8, 16, 32)
# Phase (radians) of the two-beat hip/shoulder bob against the soundtrack's counts (0 at its first
# 1 or 5), when the soundtrack's 1 is a dancers' odd count: the circular mean over the shared clips
# not held out (tests/data/clip_counts_i15.json), weighted by how strong each clip's bob is.
BOB_PHASE = math.radians(109.5)
# |score| above which the dance is sure enough to overrule the soundtrack (chosen on the tuning
# part of the label file; see the benchmark ``python -m benchmarks dance_counts``).
SURE = 0.2
_HIPS, _SHOULDERS, _ANKLES = (11, 12), (5, 6), (15, 16)
_MIN_CONF = 0.3


@dataclass(frozen=True)
class DanceCounts:
    """What the dance says about a clip (times in clip seconds)."""

    move_start_s: float           # the dancers' first 1 or 5 once they dance: the move starts
    move_end_s: float             # where the dancing ends
    counts: int                   # 4 / 8 / 16 / 32: counts of the move the clip holds from its start
    beats_danced: int             # grid beats from move_start_s to move_end_s
    first_one_s: float            # where the export starts the move: the dancers' first 1 (the
    #                               soundtrack's bar tells 1 from 5), or their 5 when the clip would
    #                               run out of its length from the 1
    one_beat: int                 # index of that 1 in the soundtrack grid
    soundtrack_offset: int        # beats from the soundtrack's first 1/5 to the dancers' (0 or 1)
    one_source: str               # "dance" (the bob decided) or "soundtrack" (the bob was unsure)
    one_confidence: float         # 0..1, how clearly the bob says it
    bob_score: float              # signed: > 0 agrees with the soundtrack's 1, < 0 one beat off
    note: str                     # one line for the clip editor
    version: int = VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DanceCounts | None:
        try:
            return cls(**{k: d[k] for k in cls.__dataclass_fields__})
        except (KeyError, TypeError):
            return None


def counts_in(n_beats: float) -> int:
    """The largest of 4 / 8 / 16 / 32 not above ``n_beats`` (4 for anything shorter)."""
    fit = [c for c in ALLOWED_COUNTS if c <= n_beats + 1e-6]
    return fit[-1] if fit else ALLOWED_COUNTS[0]


def _filled(v: np.ndarray) -> np.ndarray | None:
    """Gaps interpolated (``descriptors._fill``); None with fewer than 5 frames seen."""
    return None if np.isfinite(v).sum() < 5 else _fill(v)


def _body_height(xy: np.ndarray) -> np.ndarray:
    """Per dancer: median shoulders-to-ankles height in pixels (NaN when never seen)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a joint never seen: NaN, handled below
        h = np.abs(np.nanmean(xy[:, :, _ANKLES, 1], axis=2) - np.nanmean(xy[:, :, _SHOULDERS, 1], axis=2))
        return np.array([np.nanmedian(h[:, p]) if np.isfinite(h[:, p]).any() else np.nan
                         for p in range(xy.shape[1])])


def _points(keypoints: np.ndarray) -> np.ndarray:
    kp = np.asarray(keypoints, dtype=np.float64)
    return np.where((kp[..., 2] > _MIN_CONF)[..., None], kp[..., :2], np.nan)


def bob_signal(keypoints: np.ndarray, fps: float) -> np.ndarray | None:
    """The couple's vertical bob: hips and shoulders height, high-passed (≈1 s), each series
    scaled to unit spread and summed over both dancers; None when no body is seen long enough."""
    xy = _points(keypoints)
    h = _body_height(xy)
    width = max(3, int(round(0.9 * fps)) | 1)
    kernel = np.ones(width) / width
    total = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames without the joints: NaN, filled
        for joints in (_HIPS, _SHOULDERS):
            y = np.nanmean(xy[:, :, joints, 1], axis=2)
            for p in range(xy.shape[1]):
                if not np.isfinite(h[p]) or h[p] <= 0:
                    continue
                v = _filled(y[:, p] / h[p])
                if v is None:
                    continue
                v = v - np.convolve(v, kernel, mode="same")
                s = float(np.std(v))
                if s > 0:
                    total = v / s if total is None else total + v / s
    return total


def motion_span(keypoints: np.ndarray, times: np.ndarray) -> tuple[float, float]:
    """(start, end) of the dancing: where the couple's smoothed joint speed is above a third of
    its median over the clip (the whole clip when it never drops)."""
    xy = _points(keypoints)
    t = np.asarray(times, dtype=np.float64)
    if len(t) < 3:
        return (float(t[0]) if len(t) else 0.0, float(t[-1]) if len(t) else 0.0)
    bh = _body_height(xy)
    h = np.nanmax(bh) if np.isfinite(bh).any() else 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        speed = np.nansum(np.linalg.norm(np.diff(xy, axis=0), axis=-1), axis=(1, 2)) / h
    fps = 1.0 / max(1e-6, float(np.median(np.diff(t))))
    width = max(1, int(round(fps)))
    smooth = np.convolve(speed, np.ones(width) / width, mode="same")
    moving = smooth > smooth[smooth > 0].mean() / 3 if (smooth > 0).any() else np.zeros_like(smooth, bool)
    if not moving.any():
        return float(t[0]), float(t[-1])
    idx = np.flatnonzero(moving)
    return float(t[idx[0]]), float(t[min(len(t) - 1, idx[-1] + 1)])


def bob_score(signal: np.ndarray, times: np.ndarray, beats: np.ndarray, origin: int) -> float:
    """Signed strength of the two-beat bob in phase with the soundtrack's counts (> 0: the
    soundtrack's 1 is a dancers' odd count; < 0: one beat off; 0: no bob)."""
    pos = np.interp(times, beats, np.arange(len(beats)), left=np.nan, right=np.nan) - origin
    ok = np.isfinite(pos)
    if ok.sum() < 8:
        return 0.0
    x = signal[ok]
    z = np.sum(x * np.exp(-1j * math.pi * pos[ok])) / max(1e-9, float(np.sum(np.abs(x))))
    return float(abs(z) * math.cos(np.angle(z) - BOB_PHASE))


def measure(keypoints: np.ndarray, times: np.ndarray, beats: np.ndarray, beat_counts: np.ndarray,
            duration_s: float) -> DanceCounts | None:
    """The move of one clip from its keypoints (frames x 2 x 17 x 3) and soundtrack grid (beat
    times and their counts 1..8). None without a usable grid or without a dancer."""
    t = np.asarray(times, dtype=np.float64)
    b = np.asarray(beats, dtype=np.float64)
    c = np.asarray(beat_counts, dtype=np.int64)
    if len(t) < 8 or len(b) < 4 or len(c) != len(b) or np.any(np.diff(b) <= 0):
        return None
    fps = 1.0 / max(1e-6, float(np.median(np.diff(t))))
    signal = bob_signal(keypoints, fps)
    if signal is None:
        return None
    period = float(np.median(np.diff(b)))
    starts = np.flatnonzero((c == 1) | (c == 5))
    origin = int(starts[0]) if starts.size else 0
    score = bob_score(signal, t, b, origin)
    confidence = min(1.0, abs(score) / (2 * SURE))
    if score < -SURE:
        offset, source = 1, "dance"
        note = f"the dancers' 1 is one beat after the soundtrack's; the dance wins ({confidence:.0%} sure)"
    elif score > SURE:
        offset, source = 0, "dance"
        note = f"the dancers' 1 matches the soundtrack's ({confidence:.0%} sure)"
    else:
        offset, source = 0, "soundtrack"
        note = "the steps do not show the 1 clearly: the soundtrack's 1 is used"
    start, end = motion_span(keypoints, t)
    end = min(end + period / 2, float(duration_s) if duration_s > 0 else end + period / 2,
              float(b[-1]) + period)
    move = origin + offset
    while move + 4 < len(b) and b[move] < start - period / 2:
        move += 4  # the first dancers' 1 (or 5) once they dance
    if move >= len(b):
        return None
    ones = np.flatnonzero(c == 1)
    one = int(ones[0]) + offset if ones.size else move
    while one < move:
        one += 8
    n = int(math.floor((end - float(b[move])) / period + 0.25))
    if one >= len(b) or counts_in(math.floor((end - float(b[one])) / period + 0.25)) < counts_in(n):
        # from the bar's 1 the clip would run out before its length: start on the dancers' 5
        # (the mirror half of the basic; the soundtrack's bar is what tells 1 from 5 anyway)
        one = move
    return DanceCounts(round(float(b[move]), 3), round(end, 3), counts_in(n), n,
                       round(float(b[one]), 3), one, offset, source, round(confidence, 3),
                       round(score, 4), note)


def measure_file(keypoints: Any, grid: dict[str, Any], duration_s: float) -> DanceCounts | None:
    """``measure`` from a stored keypoints file (or its contents, ``load_keypoints``) and a stored
    grid (``SongAnalysis.to_dict()``)."""
    from bachata_desktop.analysis.pose.analyze import load_keypoints

    beats = beat_arrays(grid)
    if beats is None:
        return None
    data = keypoints if isinstance(keypoints, dict) else load_keypoints(keypoints)
    return measure(data["keypoints"], data["times"], *beats, duration_s)


__all__ = ["ALLOWED_COUNTS", "BOB_PHASE", "DanceCounts", "SURE", "VERSION", "beat_arrays", "bob_score",
           "bob_signal", "counts_in", "measure", "measure_file", "motion_span"]
