"""Named move descriptors an instructor would use, from per-frame keypoints (numpy only).

Why: generic pose statistics (mean pose, joint-angle histograms, trajectory spectra) found the
camera, the dancers' build and the clip's framing before the move, so clips of the same move
were not neighbours. These descriptors measure what distinguishes moves: turns (shoulder-order
flips, torso yaw), arms above the head (turns, hammerlock, styling), the hand connection pattern
(none / one hand / two hands), hold (distance and relative facing: closed, open, shadow), lean
and dips, hip and head isolations relative to the torso (hip rolls, head rolls), chest-to-hip
sway correlation (body waves), footwork relative to the hips and travel across the floor (cross-body
lead: the follow crosses the lead's line). Rates are per second (the clip's beat grid is not
available to the embedding); every value is scale-free (torso lengths) and finite, or NaN where
the dancer was never seen. ``embed.py`` turns them into the stored embeddings.
"""

from __future__ import annotations

import warnings

import numpy as np

from bachata_desktop.analysis.pose.features import DancerFeatures, InteractionFeatures

NOSE, L_SH, R_SH, L_EL, R_EL, L_WR, R_WR = 0, 5, 6, 7, 8, 9, 10
L_HIP, R_HIP, L_KN, R_KN, L_AN, R_AN = 11, 12, 13, 14, 15, 16

# Library reference (median, spread) per descriptor: the median and inter-quartile range (floor
# 0.05) over both dancers of the 45 shared clips, measured once WITHOUT their labels. A value is
# mapped to tanh((x - median) / (2 spread)), so no descriptor's unit dominates the cosine and an
# outlier saturates instead of swamping the rest.
DANCER_REF: dict[str, tuple[float, float]] = {
    "turn_rate": (0.126, 0.244), "turn_any": (0.0, 1.0), "profile_frac": (0.444, 0.279),
    "back_frac": (0.0879, 0.185), "yaw_var": (0.329, 0.0631), "arm_up_frac": (0.0585, 0.111),
    "above_head_frac": (0.0396, 0.102), "both_up_frac": (0.0, 0.05),
    "wrist_up_p90": (0.0851, 0.365), "lean_abs_mean": (0.0583, 0.05),
    "lean_abs_max": (0.142, 0.0772), "head_below": (0.0, 0.05), "hip_sway_amp": (0.106, 0.0521),
    "hip_sway_std": (0.0694, 0.05), "head_amp": (0.0909, 0.05), "head_x_amp": (0.125, 0.113),
    "head_y_amp": (0.0865, 0.05), "wave_corr": (0.81, 0.127), "bounce_amp": (0.123, 0.05),
    "ankle_speed": (0.813, 0.257), "ankle_gap_std": (0.184, 0.114), "knee_lift": (0.702, 0.0666),
    "travel_rate": (0.349, 0.23), "net_travel": (0.0405, 0.0544), "lateral_range": (0.991, 0.79),
}
COUPLE_REF: dict[str, tuple[float, float]] = {
    "dist_mean": (0.828, 0.615), "dist_std": (0.19, 0.127), "dist_min": (0.513, 0.568),
    "closed_frac": (0.106, 0.425), "shadow_frac": (0.0889, 0.264), "open_frac": (0.409, 0.855),
    "no_hands": (0.222, 0.218), "one_hand": (0.563, 0.268), "two_hands": (0.131, 0.179),
    "link_changes": (1.3, 0.994), "cross_rate": (0.0, 0.0877), "rel_x_range": (1.1, 1.27),
    "facing_same": (0.19, 0.247), "facing_opp": (0.3, 0.371), "sync": (0.349, 0.331),
    "height_diff": (0.0295, 0.0826), "height_diff_std": (0.0724, 0.05),
}


def squash(desc: dict[str, float], ref: dict[str, tuple[float, float]]) -> np.ndarray:
    """Descriptors in ``ref`` order mapped to (-1, 1); unmeasured ones are 0 (the median)."""
    x = np.array([desc.get(k, np.nan) for k in ref], np.float64)
    med = np.array([v[0] for v in ref.values()])
    spread = np.array([v[1] for v in ref.values()])
    return np.nan_to_num(np.tanh((x - med) / (2 * spread)), nan=0.0, posinf=1.0, neginf=-1.0)


def _nanstat(fn, x, default=np.nan) -> float:
    x = np.asarray(x, np.float64)
    x = x[np.isfinite(x)]
    return float(fn(x)) if x.size else default


def _fill(x: np.ndarray) -> np.ndarray:
    """Linear interpolation over NaN gaps (edges held); all-NaN stays NaN."""
    x = np.asarray(x, np.float64).copy()
    m = np.isfinite(x)
    if m.sum() == 0:
        return x
    if m.sum() == 1:
        return np.full_like(x, x[m][0])
    idx = np.arange(len(x))
    return np.interp(idx, idx[m], x[m])


def _win(seconds: float, fps: float) -> int:
    """An odd window of about ``seconds`` at ``fps`` (3 frames = 0.3 s at the default 10 fps)."""
    return max(1, int(round(seconds * fps)) // 2 * 2 + 1)


def _movavg(y: np.ndarray, k: int) -> np.ndarray:
    """Moving average over an odd window of ``k`` (at most the series), edges held."""
    k = max(1, min(k, (len(y) - 1) // 2 * 2 + 1))
    return np.convolve(np.pad(y, (k // 2, k // 2), mode="edge"), np.ones(k) / k, mode="valid")


def _smooth(x: np.ndarray, k: int = 3) -> np.ndarray:
    if len(x) < k or not np.isfinite(x).any():
        return x
    return _movavg(_fill(x), k)


def _flips(x: np.ndarray, thr: float) -> int:
    """Sign changes of ``x`` with hysteresis ``thr`` (NaN ignored)."""
    state, n = 0, 0
    for v in x:
        if not np.isfinite(v):
            continue
        s = 1 if v > thr else (-1 if v < -thr else 0)
        if s and state and s != state:
            n += 1
        if s:
            state = s
    return n


def _osc_amp(x: np.ndarray, fps: float) -> float:
    """Robust oscillation amplitude after removing slow drift (1.5 s moving average)."""
    y = _fill(x)
    if not np.isfinite(y).any() or len(y) < 5:
        return np.nan
    r = y - _movavg(y, _win(1.5, fps))
    return float(np.percentile(r, 90) - np.percentile(r, 10))


def _lagged_corr(a: np.ndarray, b: np.ndarray, max_lag: int, trend: int) -> tuple[float, float]:
    """(best correlation, its lag in frames, b later than a positive) of detrended signals."""
    a, b = _fill(a), _fill(b)
    if not (np.isfinite(a).all() and np.isfinite(b).all()) or len(a) < 2 * max_lag + 4:
        return np.nan, np.nan
    a, b = a - _smooth(a, trend), b - _smooth(b, trend)
    best, lag = -2.0, 0
    for L in range(-max_lag, max_lag + 1):
        x = a[max(0, -L): len(a) - max(0, L)]
        y = b[max(0, L): len(b) - max(0, -L)]
        den = np.sqrt((x * x).sum() * (y * y).sum())
        c = (x * y).sum() / den if den > 1e-9 else 0.0
        if c > best:
            best, lag = c, L
    return float(best), float(lag)


def dancer_signals(kp: np.ndarray) -> dict[str, np.ndarray]:
    """Per-frame scale-free signals of one dancer from (T, 17, 3) pixel keypoints."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        xy = np.asarray(kp[..., :2], np.float64)
        sh = (xy[:, L_SH] + xy[:, R_SH]) / 2
        hp = (xy[:, L_HIP] + xy[:, R_HIP]) / 2
        torso_t = np.linalg.norm(sh - hp, axis=-1)
        s = np.nanmedian(torso_t) if np.isfinite(torso_t).any() else np.nan
        s = s if np.isfinite(s) and s > 1e-6 else np.nan
        an = (xy[:, L_AN] + xy[:, R_AN]) / 2
        sh_w = (xy[:, L_SH, 0] - xy[:, R_SH, 0]) / s
        hip_w = (xy[:, L_HIP, 0] - xy[:, R_HIP, 0]) / s
        wr_y = (sh[:, None, 1] - xy[:, [L_WR, R_WR], 1]) / s      # + above the shoulders
        head_y = (sh[:, 1] - xy[:, NOSE, 1]) / s
        lean = np.arctan2(sh[:, 0] - hp[:, 0], hp[:, 1] - sh[:, 1])
        return {
            "scale": np.full(len(xy), s),
            "shoulder_w": sh_w, "hip_w": hip_w,
            "wrist_up": wr_y, "above_head": (wr_y > np.maximum(head_y, 0.3)[:, None]).astype(float)
            * np.where(np.isfinite(wr_y), 1.0, np.nan),
            "lean": lean,
            "head_rel": (xy[:, NOSE] - sh) / s,
            "hip_rel": (hp - sh) / s,
            "sh_x": sh[:, 0] / s, "hp_x": hp[:, 0] / s, "hp_y": hp[:, 1] / s, "sh_y": sh[:, 1] / s,
            "ankle_rel": (xy[:, [L_AN, R_AN]] - hp[:, None]) / s,
            "ankle_gap": np.linalg.norm(xy[:, L_AN] - xy[:, R_AN], axis=-1) / s,
            "knee_y": ((xy[:, L_KN, 1] + xy[:, R_KN, 1]) / 2 - hp[:, 1]) / s,
            "centre": hp / s, "ground": an / s,
            "head_below_hips": (xy[:, NOSE, 1] > hp[:, 1]).astype(float)
            * np.where(np.isfinite(xy[:, NOSE, 1] + hp[:, 1]), 1.0, np.nan),
        }


def keypoints_of(f: DancerFeatures) -> np.ndarray:
    """(T, 17, 3) keypoints in torso lengths (image axes) rebuilt from a dancer's features."""
    s = f.scale if np.isfinite(f.scale) and f.scale > 1 else 1.0
    xy = f.norm + (f.centre / s)[:, None, :]
    return np.concatenate([xy, np.ones(xy.shape[:2] + (1,))], axis=-1)


def dancer_descriptors(f: DancerFeatures) -> dict[str, float]:
    """Named per-clip descriptors of one dancer (NaN where unmeasured)."""
    kp, fps = keypoints_of(f), (f.fps or 10.0)
    g = dancer_signals(kp)
    dur = max(len(kp) / max(fps, 1e-6), 1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        k3 = _win(0.3, fps)
        shw = _smooth(g["shoulder_w"], k3)
        aw = np.abs(shw)
        wmax = _nanstat(lambda v: np.percentile(v, 90), aw)
        yaw = aw / wmax if np.isfinite(wmax) and wmax > 1e-3 else aw * np.nan
        head = g["head_rel"]
        hc = head - np.nanmean(head, axis=0)
        cov = np.cov(_fill(hc[:, 0]), _fill(hc[:, 1])) if np.isfinite(hc).any() else np.full((2, 2), np.nan)
        hip_sway = g["hp_x"] - g["sh_x"]
        wave_c, _ = _lagged_corr(g["sh_x"] - _fill(g["ground"][:, 0]),
                                 g["hp_x"] - _fill(g["ground"][:, 0]), max(2, int(fps * 0.4)),
                                 _win(1.5, fps))
        cen = g["centre"]
        step = np.linalg.norm(np.diff(_smooth_xy(cen, _win(0.5, fps)), axis=0), axis=-1)
        anc = g["ankle_rel"]
        ank_speed = np.linalg.norm(np.diff(anc, axis=0), axis=-1) * fps
        flips = _flips(shw, 0.25)
        out = {
            "turn_rate": flips / dur,
            "turn_any": float(flips >= 2),
            "profile_frac": _nanstat(np.mean, yaw < 0.5),
            "back_frac": _nanstat(np.mean, shw < -0.25),
            "yaw_var": _nanstat(np.std, yaw),
            "arm_up_frac": _nanstat(np.mean, np.nanmax(g["wrist_up"], axis=1) > 0.2),
            "above_head_frac": _nanstat(np.mean, np.nanmax(g["above_head"], axis=1)),
            "both_up_frac": _nanstat(np.mean, np.nanmin(g["wrist_up"], axis=1) > 0.2),
            "wrist_up_p90": _nanstat(lambda v: np.percentile(v, 90), np.nanmax(g["wrist_up"], axis=1)),
            "lean_abs_mean": _nanstat(np.mean, np.abs(g["lean"])),
            "lean_abs_max": _nanstat(lambda v: np.percentile(v, 95), np.abs(g["lean"])),
            "head_below": _nanstat(np.mean, g["head_below_hips"]),
            "hip_sway_amp": _osc_amp(hip_sway, fps),
            "hip_sway_std": _nanstat(np.std, hip_sway),
            "head_amp": float(np.sqrt(np.sqrt(max(np.linalg.det(cov), 0)))) if np.isfinite(cov).all() else np.nan,
            "head_x_amp": _osc_amp(head[:, 0], fps),
            "head_y_amp": _osc_amp(head[:, 1], fps),
            "wave_corr": wave_c,
            "bounce_amp": _osc_amp(g["hp_y"], fps),
            "ankle_speed": _nanstat(np.median, ank_speed),
            "ankle_gap_std": _nanstat(np.std, g["ankle_gap"]),
            "knee_lift": _nanstat(lambda v: np.percentile(v, 10), g["knee_y"]),
            "travel_rate": _nanstat(np.sum, step) / dur,
            "net_travel": float(np.linalg.norm(_last(cen) - _first(cen))) / dur,
            "lateral_range": _nanstat(lambda v: np.percentile(v, 95) - np.percentile(v, 5), cen[:, 0]),
        }
    return out


def _smooth_xy(x: np.ndarray, k: int) -> np.ndarray:
    return np.stack([_smooth(x[:, 0], k), _smooth(x[:, 1], k)], axis=1)


def _first(x: np.ndarray) -> np.ndarray:
    m = np.isfinite(x).all(axis=1)
    return x[m][0] if m.any() else np.full(2, np.nan)


def _last(x: np.ndarray) -> np.ndarray:
    m = np.isfinite(x).all(axis=1)
    return x[m][-1] if m.any() else np.full(2, np.nan)


def interaction_descriptors(i: InteractionFeatures) -> dict[str, float]:
    """Named per-clip descriptors of the couple (hold, connection, crossing, sync)."""
    fps = i.fps or 10.0
    dur = max(len(i.proximity) / fps, 1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        links = i.hand_links if i.hand_links is not None else i.connected
        rel, dist, same = i.relative, i.proximity, i.facing_product
        fin = np.isfinite(dist)
        close = dist < 1.0
        facing_opp, facing_same = same < -0.05, same > 0.05
        out = {
            "dist_mean": _nanstat(np.median, dist),
            "dist_std": _nanstat(np.std, dist),
            "dist_min": _nanstat(lambda v: np.percentile(v, 5), dist),
            "closed_frac": _nanstat(np.mean, np.where(fin, close & facing_opp, np.nan)),
            "shadow_frac": _nanstat(np.mean, np.where(fin, close & facing_same, np.nan)),
            "open_frac": _nanstat(np.mean, np.where(fin, ~close, np.nan)),
            "no_hands": _nanstat(np.mean, np.where(np.isfinite(links), links == 0, np.nan)),
            "one_hand": _nanstat(np.mean, np.where(np.isfinite(links), links == 1, np.nan)),
            "two_hands": _nanstat(np.mean, np.where(np.isfinite(links), links == 2, np.nan)),
            "link_changes": _flips(np.where(np.isfinite(links), np.minimum(links, 1) - 0.5, np.nan),
                                   0.4) / dur,
            "cross_rate": _flips(_smooth(rel[:, 0], _win(0.3, fps)), 0.3) / dur,
            "rel_x_range": _nanstat(lambda v: np.percentile(v, 95) - np.percentile(v, 5), rel[:, 0]),
            "facing_same": _nanstat(np.mean, np.where(np.isfinite(same), facing_same, np.nan)),
            "facing_opp": _nanstat(np.mean, np.where(np.isfinite(same), facing_opp, np.nan)),
            "sync": _nanstat(np.mean, i.sync),
            "height_diff": _nanstat(np.median, rel[:, 1]),
            "height_diff_std": _nanstat(np.std, rel[:, 1]),
        }
    return out


__all__ = ["COUPLE_REF", "DANCER_REF", "dancer_descriptors", "dancer_signals", "interaction_descriptors", "keypoints_of",
           "squash"]
