"""The move on its counts: the couple's pose folded onto the 8-count cycle (numpy only).

Bachata moves are told apart by what happens on which count (the turn on 5-6-7, the hand raised
on 4, the dip on 1), which whole-clip statistics (``move_features``) average away. Here each
frame's role-free pose signals are placed on the clip's beat grid, counted from a given beat, and
averaged per count of the 8-count cycle: an 8 x 24 template. Per count: each dancer's facing
(shoulder width over its p90), highest and lowest wrist above the shoulders, torso length, |lean|,
|hip offset from the shoulders|, |head offset|, rotation rate, ankle speed and body speed, as
(larger, smaller) pairs over the two dancers (a lead / follow swap changes nothing), and the
couple's hip distance, relative facing, nearest hands and |height difference|. Every lateral value
enters as a magnitude, so a mirrored video gives the same template.

Whether a clip's 1 is the dancers' 1 or their 5 is the least sure part of the count (the two
halves of the basic mirror each other), so the stored form does not depend on where the cycle
starts: per signal, the magnitudes of its Fourier series over the 8 counts (``cycle_spectrum``).
Measured against other forms on the 80 shared clips in ``benchmarks/bench_pose_count_move.py``.
"""

from __future__ import annotations

import warnings

import numpy as np

from bachata_desktop.analysis.pose.descriptors import _fill, _movavg, _win
from bachata_desktop.analysis.pose.features import DancerFeatures
from bachata_desktop.analysis.pose.move_features import body_scale, couple_geometry

COUNTS = 8
L_SH, R_SH, L_WR, R_WR, L_HIP, R_HIP, NOSE, L_AN, R_AN = 5, 6, 9, 10, 11, 12, 0, 15, 16
DANCER_SIGNALS = ("facing", "wrist_hi", "wrist_lo", "torso", "lean", "hip_offset", "head_offset",
                  "rotation", "ankle_speed", "body_speed")
COUPLE_SIGNALS = ("distance", "same_way", "hands", "height_diff")
SIGNALS = (*(f"{s}_hi" for s in DANCER_SIGNALS), *(f"{s}_lo" for s in DANCER_SIGNALS),
           *COUPLE_SIGNALS)


def dancer_signals(f: DancerFeatures) -> np.ndarray:
    """(T, 10) role-free, mirror-free per-frame signals of one dancer (NaN = unseen)."""
    xy, fps, n = f.norm, f.fps or 10.0, len(f.norm)
    sh = (xy[:, L_SH] + xy[:, R_SH]) / 2
    hp = (xy[:, L_HIP] + xy[:, R_HIP]) / 2
    w = xy[:, L_SH, 0] - xy[:, R_SH, 0]
    aw = np.abs(w)
    p90 = np.nanpercentile(aw, 90) if np.isfinite(aw).any() else np.nan
    facing = aw / p90 if np.isfinite(p90) and p90 > 1e-3 else np.full(n, np.nan)
    wr_up = sh[:, None, 1] - xy[:, [L_WR, R_WR], 1]
    rot = np.full(n, np.nan)
    if np.isfinite(w).sum() >= 2:
        rot = np.abs(np.gradient(_movavg(_fill(w), _win(0.3, fps)))) * fps
    ank = xy[:, [L_AN, R_AN]]
    ank_speed = np.r_[np.nan, np.nanmean(np.linalg.norm(np.diff(ank, axis=0), axis=-1), axis=1) * fps]
    s = body_scale(f)
    return np.stack([facing, np.nanmax(wr_up, 1), np.nanmin(wr_up, 1), np.linalg.norm(sh - hp, axis=-1),
                     np.abs(f.angles[:, 8]), np.abs(hp[:, 0] - sh[:, 0]), np.abs(xy[:, NOSE, 0] - sh[:, 0]),
                     rot, ank_speed, np.linalg.norm(f.centre_velocity, axis=-1) / s], 1)


def couple_signals(a_f: DancerFeatures, b_f: DancerFeatures) -> np.ndarray:
    """(T, 4): hip distance, relative facing, nearest hands, |height difference| (torso lengths)."""
    a, _, rel, face_a, face_b, pair = couple_geometry(a_f, b_f)
    return np.stack([np.linalg.norm(rel, axis=-1), face_a * face_b,
                     np.nanmin(pair.reshape(len(a), -1), axis=1), np.abs(rel[:, 1])], 1)


def count_template(lead: DancerFeatures, follow: DancerFeatures, times: np.ndarray,
                   beats: np.ndarray, one_beat: int, k: int = COUNTS) -> np.ndarray:
    """(k, 24) per-count means counted from grid beat ``one_beat`` (NaN where a count has no
    frame or a signal was never seen). Frames before the first or after the last beat are left out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # unseen joints and empty counts: NaN
        pa, pb, cp = dancer_signals(lead), dancer_signals(follow), couple_signals(lead, follow)
        t = np.asarray(times, np.float64)[:len(pa)]
        pa, pb, cp = pa[:len(t)], pb[:len(t)], cp[:len(t)]  # a times array shorter than the frames
        b = np.asarray(beats, np.float64)
        pos = np.interp(t, b, np.arange(len(b)), left=np.nan, right=np.nan) - int(one_beat)
        cnt = np.where(np.isfinite(pos), np.floor(np.nan_to_num(pos)).astype(int) % k, -1)
        rows = []
        for c in range(k):
            m = cnt == c
            a = np.nanmean(pa[m], 0) if m.any() else np.full(pa.shape[1], np.nan)
            bb = np.nanmean(pb[m], 0) if m.any() else np.full(pb.shape[1], np.nan)
            a, bb = np.where(np.isfinite(a), a, bb), np.where(np.isfinite(bb), bb, a)
            rows.append(np.r_[np.fmax(a, bb), np.fmin(a, bb),
                              np.nanmean(cp[m], 0) if m.any() else np.full(cp.shape[1], np.nan)])
    return np.array(rows)


def template_names(k: int = COUNTS) -> list[str]:
    """Names of the flattened template's cells (count-major)."""
    return [f"c{c + 1}_{s}" for c in range(k) for s in SIGNALS]


def cycle_spectrum(z: np.ndarray) -> np.ndarray:
    """(n, k, S) standardised templates -> (n, (k // 2 + 1) * S): per signal, the magnitude of its
    Fourier series over the k counts (how much it changes once, twice ... per cycle). The same
    wherever the cycle is started, so it does not matter whether the clip's 1 is the dancers' 1
    or their 5 (or any other beat): the least sure part of the count cannot flip the vector."""
    return np.abs(np.fft.rfft(z, axis=1)).reshape(len(z), -1)


__all__ = ["COUNTS", "COUPLE_SIGNALS", "DANCER_SIGNALS", "SIGNALS", "count_template", "couple_signals",
           "cycle_spectrum", "dancer_signals", "template_names"]
