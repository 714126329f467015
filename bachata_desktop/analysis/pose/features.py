"""Per-frame features of each dancer and of the couple, from tracked keypoints (numpy only).

Per dancer: keypoints centred on the hip centre and scaled by the dancer's median torso length
(so camera distance and body size cancel), joint angles, velocities (torso lengths per second) and
facing (+1 chest to the camera, -1 back to it, 0 in profile, from the left/right shoulder order).
Interaction: hand-to-hand distance and connection (closest wrist pair under ``HAND_LINK`` torso
lengths), proximity (centre distance), the follow's position relative to the lead, movement
synchronisation (windowed correlation of the two centre velocities) and relative orientation
(facing each other, same way = shadow, side by side). Missing is NaN throughout.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

HAND_LINK = 0.35  # wrist-to-wrist distance (torso lengths) counted as a hand connection
# Joint angles: (a, b, c) = angle at b between b->a and b->c.
ANGLE_TRIPLES: tuple[tuple[int, int, int], ...] = (
    (5, 7, 9), (6, 8, 10),        # elbows
    (11, 5, 7), (12, 6, 8),       # shoulders (arm raise)
    (5, 11, 13), (6, 12, 14),     # hips
    (11, 13, 15), (12, 14, 16),   # knees
)
N_ANGLES = len(ANGLE_TRIPLES) + 2  # + torso lean, shoulder-line tilt


@dataclass(frozen=True)
class DancerFeatures:
    norm: np.ndarray        # (T, 17, 2) centred, scaled keypoints
    centre: np.ndarray      # (T, 2) hip centre in pixels
    scale: float            # median torso length in pixels (NaN if never seen)
    angles: np.ndarray      # (T, N_ANGLES) radians
    velocity: np.ndarray    # (T, 17, 2) of ``norm``, per second
    centre_velocity: np.ndarray  # (T, 2) torso lengths per second
    facing: np.ndarray      # (T,) in [-1, 1]
    fps: float = 0.0        # analysis frame rate the features were computed at


@dataclass(frozen=True)
class InteractionFeatures:
    hand_distance: np.ndarray   # (T,) closest wrist pair, torso lengths
    connected: np.ndarray       # (T,) 1.0 / 0.0 / NaN
    proximity: np.ndarray       # (T,) centre distance, torso lengths
    relative: np.ndarray        # (T, 2) follow centre minus lead centre, torso lengths
    sync: np.ndarray            # (T,) windowed correlation of centre velocities, [-1, 1]
    facing_product: np.ndarray  # (T,) lead facing x follow facing (+ same way, - opposite)
    hand_to_body: np.ndarray    # (T,) lead wrist to follow hip centre, torso lengths (closed hold)
    hand_links: np.ndarray | None = None  # (T,) joined hand pairs 0 / 1 / 2 (NaN unseen)
    fps: float = 0.0
    lead: DancerFeatures | None = None     # the two dancers, for role-free couple descriptors
    follow: DancerFeatures | None = None


def _nan_ctx():
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore", RuntimeWarning)
    return ctx


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    v1, v2 = a - b, c - b
    cross = v1[..., 0] * v2[..., 1] - v1[..., 1] * v2[..., 0]
    dot = np.sum(v1 * v2, axis=-1)
    return np.abs(np.arctan2(cross, dot))


def _gradient(x: np.ndarray, dt: float) -> np.ndarray:
    if x.shape[0] < 2:
        return np.full_like(x, np.nan)
    return np.gradient(x, dt, axis=0)


def dancer_features(kp: np.ndarray, fps: float) -> DancerFeatures:
    """``kp``: (T, 17, 3) pixels with NaN for missing joints."""
    ctx = _nan_ctx()
    try:
        xy = kp[..., :2].astype(np.float64)
        sh = (xy[:, 5] + xy[:, 6]) / 2
        hp = (xy[:, 11] + xy[:, 12]) / 2
        torso = np.linalg.norm(sh - hp, axis=-1)
        scale = float(np.nanmedian(torso)) if np.isfinite(torso).any() else float("nan")
        centre = np.where(np.isfinite(hp), hp, sh)
        s = scale if np.isfinite(scale) and scale > 1 else 1.0
        norm = (xy - centre[:, None, :]) / s
        angles = np.stack([_angle(xy[:, a], xy[:, b], xy[:, c]) for a, b, c in ANGLE_TRIPLES]
                          + [np.arctan2(sh[:, 0] - hp[:, 0], hp[:, 1] - sh[:, 1]),
                             np.arctan2(xy[:, 5, 1] - xy[:, 6, 1],
                                        np.abs(xy[:, 5, 0] - xy[:, 6, 0]) + 1e-6)], axis=1)
        dt = 1.0 / max(fps, 1e-6)
        facing = np.clip((xy[:, 5, 0] - xy[:, 6, 0]) / (0.8 * s), -1, 1)
        return DancerFeatures(norm=norm, centre=centre, scale=scale, angles=angles,
                              velocity=_gradient(norm, dt),
                              centre_velocity=_gradient(centre / s, dt), facing=facing,
                              fps=float(fps))
    finally:
        ctx.__exit__(None, None, None)


def _windowed_corr(a: np.ndarray, b: np.ndarray, win: int) -> np.ndarray:
    """Correlation of two (T, 2) velocity series over a centred window, per frame."""
    n = len(a)
    out = np.full(n, np.nan)
    half = max(1, win // 2)
    for t in range(n):
        sa = a[max(0, t - half): t + half + 1].ravel()
        sb = b[max(0, t - half): t + half + 1].ravel()
        m = np.isfinite(sa) & np.isfinite(sb)
        if m.sum() < 4:
            continue
        x, y = sa[m] - sa[m].mean(), sb[m] - sb[m].mean()
        den = np.sqrt((x * x).sum() * (y * y).sum())
        out[t] = (x * y).sum() / den if den > 1e-9 else 0.0
    return out


def interaction_features(lead_kp: np.ndarray, follow_kp: np.ndarray, lead: DancerFeatures,
                         follow: DancerFeatures, fps: float) -> InteractionFeatures:
    ctx = _nan_ctx()
    try:
        scales = [x for x in (lead.scale, follow.scale) if np.isfinite(x) and x > 1]
        s = float(np.mean(scales)) if scales else 1.0
        lw = lead_kp[:, [9, 10], :2].astype(np.float64)
        fw = follow_kp[:, [9, 10], :2].astype(np.float64)
        pair = np.linalg.norm(lw[:, :, None, :] - fw[:, None, :, :], axis=-1).reshape(len(lw), -1)
        hand = np.nanmin(np.where(np.isfinite(pair), pair, np.inf), axis=1) / s
        hand[~np.isfinite(hand)] = np.nan
        connected = np.where(np.isfinite(hand), (hand < HAND_LINK).astype(float), np.nan)
        rel = (follow.centre - lead.centre) / s
        prox = np.linalg.norm(rel, axis=-1)
        sync = _windowed_corr(lead.centre_velocity, follow.centre_velocity,
                              max(3, int(round(fps))))
        fhip = (follow_kp[:, 11, :2] + follow_kp[:, 12, :2]).astype(np.float64) / 2
        htb = np.nanmin(np.linalg.norm(lw - fhip[:, None, :], axis=-1), axis=1) / s
        near = np.where(np.isfinite(pair), pair / s < HAND_LINK, False).reshape(len(lw), 2, 2)
        links = np.minimum(near.any(axis=2).sum(axis=1), near.any(axis=1).sum(axis=1))
        links = np.where(np.isfinite(pair).any(axis=1), links.astype(float), np.nan)
        return InteractionFeatures(hand_distance=hand, connected=connected, proximity=prox,
                                   relative=rel, sync=sync,
                                   facing_product=lead.facing * follow.facing, hand_to_body=htb,
                                   hand_links=links, fps=float(fps),
                                   lead=lead, follow=follow)
    finally:
        ctx.__exit__(None, None, None)


__all__ = ["ANGLE_TRIPLES", "HAND_LINK", "N_ANGLES", "DancerFeatures", "InteractionFeatures",
           "dancer_features", "interaction_features"]
