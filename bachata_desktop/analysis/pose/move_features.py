"""Role-free couple descriptors of a clip for "same move" similarity (numpy only).

What tells one bachata move from another, as an instructor sees it, measured from the two tracked
bodies and made invariant to what does not matter:

* camera placement and dancer size: everything is in torso lengths, relative to the body itself;
* mirroring: left / right joints enter only as |x| or as the pair (larger, smaller);
* tempo and clip length: rates are per second of the clip's own duration, oscillations are
  amplitudes after removing the slow drift, shapes are quantiles over time;
* which dancer is the lead: every per-dancer value enters as the pair (larger, smaller) over the
  two dancers, so a lead / follow swap by the tracker leaves the vector unchanged;
* missing frames: statistics over the frames where the joint was seen (NaN where never seen).

The signals: rotation (shoulder line collapsing to profile and the left / right order flipping:
spins and lady turns), arms (wrists above the shoulders / head: turns, styling; a wrist at waist
height near the body's midline: hammerlock), head and hip circles relative to the torso (head and
hip rolls), torso waves (shoulder-vs-hip oscillation: body waves), lean and dips, footwork (ankle
speed relative to the hips), travel, and the couple: distance, overlap (closed hold, shadow: one
body in front of the other), relative facing, joined hands and how much the pair moves together.
``move_metric.py`` standardises these into the stored pose vector (the ``interaction`` embedding).
"""

from __future__ import annotations

import warnings

import numpy as np

# the NaN-gap fill, odd window, moving average, statistics over the seen frames and hysteresis
# sign-flip count are the descriptors' own
from bachata_desktop.analysis.pose.descriptors import _fill, _flips, _movavg, _nanstat, _win
from bachata_desktop.analysis.pose.features import HAND_LINK, DancerFeatures

NOSE, L_EYE, R_EYE, L_EAR, R_EAR = 0, 1, 2, 3, 4
L_SH, R_SH, L_EL, R_EL, L_WR, R_WR = 5, 6, 7, 8, 9, 10
L_HIP, R_HIP, L_KN, R_KN, L_AN, R_AN = 11, 12, 13, 14, 15, 16


def _q(x: np.ndarray, p: float) -> float:
    return _nanstat(lambda v: np.percentile(v, p), x)


def _mean(x: np.ndarray) -> float:
    return _nanstat(np.mean, x)


def _osc(x: np.ndarray, fps: float, slow_s: float = 1.5, fast_s: float = 0.0) -> float:
    """Oscillation amplitude (p90 - p10) after removing the drift slower than ``slow_s``."""
    if np.isfinite(x).sum() < max(5, len(x) // 3):
        return np.nan
    y = _fill(x)
    r = y - _movavg(y, _win(slow_s, fps))
    if fast_s:
        r = _movavg(r, _win(fast_s, fps))
    return float(np.percentile(r, 90) - np.percentile(r, 10))


def body_scale(f: DancerFeatures) -> float:
    """The dancer's torso length in pixels (1 when never measured)."""
    return f.scale if np.isfinite(f.scale) and f.scale > 1 else 1.0


def pixels(f: DancerFeatures) -> np.ndarray:
    """(T, 17, 2) keypoints in pixels rebuilt from a dancer's features (NaN = unseen)."""
    return f.norm * body_scale(f) + f.centre[:, None, :]


def couple_geometry(a_f: DancerFeatures, b_f: DancerFeatures) -> tuple[np.ndarray, ...]:
    """Both dancers' keypoints in their mean torso length, the hips' offset (b - a), each one's
    facing (shoulder width over 0.8 torso, clipped to +-1) and the four wrist-to-wrist distances
    (T, 2, 2); the same whichever dancer is a."""
    scales = [x for x in (a_f.scale, b_f.scale) if np.isfinite(x) and x > 1]
    s = float(np.mean(scales)) if scales else 1.0
    a, b = pixels(a_f) / s, pixels(b_f) / s
    rel = b[:, [L_HIP, R_HIP]].mean(axis=1) - a[:, [L_HIP, R_HIP]].mean(axis=1)
    face_a = np.clip((a[:, L_SH, 0] - a[:, R_SH, 0]) / 0.8, -1, 1)
    face_b = np.clip((b[:, L_SH, 0] - b[:, R_SH, 0]) / 0.8, -1, 1)
    pair = np.linalg.norm(a[:, [L_WR, R_WR]][:, :, None] - b[:, [L_WR, R_WR]][:, None], axis=-1)
    return a, b, rel, face_a, face_b, pair


def dancer_values(f: DancerFeatures) -> dict[str, float]:
    """Per-dancer move descriptors (torso lengths, per second; NaN where never seen)."""
    fps = f.fps or 10.0
    xy = f.norm                                          # centred on the hips, torso lengths
    n = len(xy)
    dur = max(n / fps, 1e-6)
    sh = (xy[:, L_SH] + xy[:, R_SH]) / 2
    hp = (xy[:, L_HIP] + xy[:, R_HIP]) / 2
    torso = np.linalg.norm(sh - hp, axis=-1)             # 1 when upright and square to the camera
    sh_w = _movavg(_fill(xy[:, L_SH, 0] - xy[:, R_SH, 0]), _win(0.3, fps)) \
        if np.isfinite(xy[:, L_SH, 0] - xy[:, R_SH, 0]).sum() >= 2 else np.full(n, np.nan)
    aw = np.abs(sh_w)
    wmax = _q(aw, 90)
    yaw = aw / wmax if np.isfinite(wmax) and wmax > 1e-3 else np.full(n, np.nan)
    wr = xy[:, [L_WR, R_WR]]
    wr_up = sh[:, None, 1] - wr[..., 1]                  # + above the shoulder line
    head_up = sh[:, 1] - xy[:, NOSE, 1]
    hi = np.nanmax(wr_up, axis=1)
    lo = np.nanmin(wr_up, axis=1)
    # a wrist at waist height tucked near the body's midline (hand behind the back / hammerlock)
    mid_x = (sh[:, 0] + hp[:, 0]) / 2
    tucked = (np.abs(wr[..., 0] - mid_x[:, None]) < 0.35) & (wr_up < -0.5) & (wr_up > -1.15)
    tucked = np.where(np.isfinite(wr_up), tucked, np.nan)
    reach = np.abs(wr[..., 0] - sh[:, None, 0])
    el = f.angles[:, :2]
    head = xy[:, NOSE] - sh
    hip_sway = hp[:, 0] - sh[:, 0]
    lean = f.angles[:, 8]
    ank = xy[:, [L_AN, R_AN]]
    ank_speed = np.linalg.norm(np.diff(ank, axis=0), axis=-1) * fps
    body_speed = np.linalg.norm(f.centre_velocity, axis=-1)
    cen = _fill(f.centre[:, 0]) / body_scale(f)
    face = np.isfinite(xy[:, NOSE, 0]) & np.isfinite(xy[:, L_EYE, 0]) & np.isfinite(xy[:, R_EYE, 0])
    seen = np.isfinite(xy[:, L_SH, 0]) & np.isfinite(xy[:, R_SH, 0])
    knee = f.angles[:, 6:8]
    flips = _flips(sh_w, 0.25)
    out = {
        "turns": flips / dur,
        "profile": _mean(np.where(np.isfinite(yaw), yaw < 0.45, np.nan)),
        "yaw_std": float(np.nanstd(yaw)) if np.isfinite(yaw).any() else np.nan,
        "back": _mean(np.where(seen, seen & ~face, np.nan)),
        "face_flips": _flips(np.where(seen, face.astype(float) - 0.5, np.nan), 0.25) / dur,
        "wrist_hi_p90": _q(hi, 90), "wrist_hi_p50": _q(hi, 50),
        "wrist_lo_p50": _q(lo, 50),
        "arm_up": _mean(np.where(np.isfinite(hi), hi > 0.3, np.nan)),
        "over_head": _mean(np.where(np.isfinite(hi) & np.isfinite(head_up), hi > head_up + 0.1, np.nan)),
        "both_up": _mean(np.where(np.isfinite(lo), lo > 0.2, np.nan)),
        "tucked": _mean(np.nanmax(tucked, axis=1)),
        "reach_p90": _q(np.nanmax(reach, axis=1), 90),
        "elbow_p50": _q(np.nanmin(el, axis=1), 50),
        "torso_p10": _q(torso, 10), "torso_std": float(np.nanstd(torso)) if np.isfinite(torso).any() else np.nan,
        "lean_abs": _q(np.abs(lean), 50), "lean_p95": _q(np.abs(lean), 95),
        "lean_osc": _osc(lean, fps),
        "head_x_osc": _osc(head[:, 0], fps), "head_y_osc": _osc(head[:, 1], fps),
        "head_y_p10": _q(head[:, 1], 10),
        "hip_osc": _osc(hip_sway, fps), "hip_std": float(np.nanstd(hip_sway)) if np.isfinite(hip_sway).any() else np.nan,
        "torso_osc": _osc(torso, fps),
        "bounce": _osc(f.centre[:, 1] / body_scale(f), fps),
        "ankle_speed": _q(ank_speed, 50), "ankle_speed_p90": _q(ank_speed, 90),
        "feet_vs_body": _q(ank_speed, 50) / max(_q(body_speed, 50), 0.05)
        if np.isfinite(_q(body_speed, 50)) else np.nan,
        "body_speed": _q(body_speed, 50),
        "knee_p10": _q(np.nanmin(knee, axis=1), 10),
        "travel": _q(cen, 95) - _q(cen, 5),
    }
    return out


COUPLE_KEYS: tuple[str, ...] = (
    "both_seen", "dist_p50", "dist_p10", "dist_p90", "dist_osc", "overlap", "close", "same_way",
    "opposite", "shadow", "rel_y_abs", "no_hands", "two_hands", "hand_p50", "link_changes", "cross",
    "sync")


def couple_values(lead: DancerFeatures, follow: DancerFeatures) -> dict[str, float]:
    """Descriptors of the pair that do not depend on which one is the lead."""
    fps = lead.fps or follow.fps or 10.0
    n = len(lead.norm)
    if n == 0:
        return dict.fromkeys(COUPLE_KEYS, np.nan)
    dur = max(n / fps, 1e-6)
    a, b, rel, fa, fb, pair = couple_geometry(lead, follow)
    dist = np.linalg.norm(rel, axis=-1)
    # horizontal overlap of the two bodies' keypoint extents (closed hold / shadow: one in front)
    ax0, ax1 = np.nanmin(a[..., 0], axis=1), np.nanmax(a[..., 0], axis=1)
    bx0, bx1 = np.nanmin(b[..., 0], axis=1), np.nanmax(b[..., 0], axis=1)
    inter = np.clip(np.minimum(ax1, bx1) - np.maximum(ax0, bx0), 0, None)
    overlap = inter / np.maximum(np.minimum(ax1 - ax0, bx1 - bx0), 1e-3)
    same = fa * fb
    near = np.where(np.isfinite(pair), pair < HAND_LINK, False)
    links = np.minimum(near.any(axis=2).sum(axis=1), near.any(axis=1).sum(axis=1)).astype(float)
    links[~np.isfinite(pair).any(axis=(1, 2))] = np.nan
    hand = np.nanmin(np.where(np.isfinite(pair), pair, np.inf).reshape(n, -1), axis=1)
    hand[~np.isfinite(hand)] = np.nan
    va, vb = lead.centre_velocity, follow.centre_velocity
    both = np.isfinite(va).all(axis=1) & np.isfinite(vb).all(axis=1)
    sync = np.nan
    if both.sum() > 5:
        x, y = va[both].ravel() - va[both].mean(), vb[both].ravel() - vb[both].mean()
        den = np.sqrt((x * x).sum() * (y * y).sum())
        sync = float((x * y).sum() / den) if den > 1e-9 else 0.0
    seen_a = np.isfinite(a[:, L_HIP, 0]) | np.isfinite(a[:, L_SH, 0])
    seen_b = np.isfinite(b[:, L_HIP, 0]) | np.isfinite(b[:, L_SH, 0])
    relx = _fill(rel[:, 0]) if np.isfinite(rel[:, 0]).sum() >= 2 else rel[:, 0]
    return {
        "both_seen": float(np.mean(seen_a & seen_b)) if n else np.nan,
        "dist_p50": _q(dist, 50), "dist_p10": _q(dist, 10), "dist_p90": _q(dist, 90),
        "dist_osc": _osc(dist, fps),
        "overlap": _mean(np.where(np.isfinite(overlap), overlap, np.nan)),
        "close": _mean(np.where(np.isfinite(dist), dist < 0.8, np.nan)),
        "same_way": _mean(np.where(np.isfinite(same), same > 0.1, np.nan)),
        "opposite": _mean(np.where(np.isfinite(same), same < -0.1, np.nan)),
        "shadow": _mean(np.where(np.isfinite(same) & np.isfinite(dist), (same > 0.1) & (dist < 1.0), np.nan)),
        "rel_y_abs": _q(np.abs(rel[:, 1]), 50),
        "no_hands": _mean(np.where(np.isfinite(links), links == 0, np.nan)),
        "two_hands": _mean(np.where(np.isfinite(links), links == 2, np.nan)),
        "hand_p50": _q(hand, 50),
        "link_changes": _flips(np.where(np.isfinite(links), np.minimum(links, 1) - 0.5, np.nan), 0.4) / dur,
        "cross": _flips(_movavg(relx, _win(0.3, fps)) if np.isfinite(relx).all() else relx, 0.3) / dur,
        "sync": sync,
    }


def describe(lead: DancerFeatures, follow: DancerFeatures) -> tuple[np.ndarray, list[str]]:
    """The clip's descriptor vector and its names: both dancers' values as (larger, smaller)
    pairs, then the couple's (NaN where unmeasured)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        da, db = dancer_values(lead), dancer_values(follow)
        cp = couple_values(lead, follow)
    names, vals = [], []
    for k in da:
        x, y = da[k], db[k]
        if not np.isfinite(x):
            hi = lo = y
        elif not np.isfinite(y):
            hi = lo = x
        else:
            hi, lo = max(x, y), min(x, y)
        names += [f"{k}_hi", f"{k}_lo"]
        vals += [hi, lo]
    for k, v in cp.items():
        names.append(k)
        vals.append(v)
    return np.asarray(vals, np.float64), names


__all__ = ["couple_values", "dancer_values", "describe", "pixels"]
