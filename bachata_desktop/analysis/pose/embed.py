"""Clip embeddings (lead 512, follow 512, interaction 256, counts 128), pose descriptors and
motion energy.

Version 4 (issue 15): what "Similar moves" compares as pose is the couple's move vector, the
``interaction`` embedding (``move_features`` + the shipped ``move_metric``, role-free, made by
``summarise`` here), and the ``counts`` embedding: the couple's pose on the clip's 8-count cycle
(``move_template``; it needs the soundtrack's beat grid, so ``move_vector`` makes it in the clip
analysis' dance step), weighed equally. Leave-one-out 1-NN move label on the 80 shared clips,
nested (``benchmarks/bench_pose_move.py``): 0.425 by clip / 0.3125 by recording session (0.37 /
0.29 on average with every grid moved by 0.1-0.2 beat: which frames fall into which count is part
luck at 10 fps; the form and weight were chosen on the same clips), against version 3 (the
interaction vector alone) 0.30 / 0.25 and version 2's three embeddings 0.26 / 0.21.
The lead and follow embeddings below are unchanged (each finds the same dancer more than the
same move: lead alone 0.15). The notes below are about version 2.

Goal: clips of the same move lie near each other (cosine). Each embedding concatenates blocks of
hand-made, scale-free descriptors of the whole clip, each block L2-normalised and weighted:

* pose: mean and spread of the normalised keypoints and joint angles, plus a temporal pyramid
  (means over the clip's thirds) so the order of shapes counts;
* temporal shape: low-order DCT coefficients of key trajectories (facing, wrist heights, travel,
  elbow / knee angles) resampled to a fixed length, so tempo and clip length cancel;
* distributions: histograms of joint angles, joint speeds and facing (turns show up as facing
  spread and sign changes).

* named move descriptors (``descriptors.py``: turns, arms up, hand connection pattern, hold,
  lean / dips, hip and head isolations, footwork, travel, crossing), each squashed to (-1, 1)
  against fixed library references and given as much weight as all generic blocks together;
  the interaction embedding also holds both dancers' descriptors as (larger, smaller) pairs, so
  a lead / follow mix-up by the tracker does not scramble it.

Blocks are centred where that is meaningful (a constant offset otherwise dominates cosine). The
concatenation is zero-padded to the target size and rotated by a fixed seeded orthonormal matrix:
an exact isometry (cosines are unchanged), which spreads the information over every dimension for
the vector indexes. Everything is finite and L2-normalised; an unmeasured block is all zeros.
``benchmarks/bench_pose.py`` measures leave-one-out nearest-neighbour accuracy of ``move_label``
on the 45 shared clips (16 labels, chance 0.05, one clip = 0.022). Version 1 (generic blocks
only): lead 0.07, follow 0.13, interaction 0.13, all three 0.13; bag-of-poses codebooks,
covariance descriptors, spectra, windowed max/min pooling, library-wide z-scoring and a
frame-set Chamfer distance all stayed at 0.09-0.24. Version 2 (with the named descriptors):
lead 0.07, follow 0.16, interaction 0.27, all three 0.22 (top-3 hit 0.36, mAP 0.22 vs 0.27 and
0.16 before). The weight 3 was chosen after looking at 0-6 on these clips; a nested leave-one-out
choice of it gives interaction 0.22, all three 0.20. Even a supervised classifier on the
descriptors gets under 0.1 leave-one-out: with 45 noisy clips in 16 overlapping labels (spin vs
lady turn, basic vs bolero, shadow vs shadow-danced body waves) this is near what the keypoints
of a 10 fps nano pose model can carry. Tried without gain: a nose-side yaw angle and its
unwrapped rotation (turns are aliased: a spin lasts a few frames and its keypoints are noise),
face-to-face / same-direction from the nose sides, keypoints at 30 fps instead of 10 (all three
0.18, interaction 0.24), weighting descriptors by their split-half reliability (0.09: the most
stable descriptors - travel, footwork speed, distance - describe the couple and the camera, not
the move), descriptors over the clip's halves.

``benchmarks/bench_pose_signal.py`` audits the ceiling: learners that are given the other 44 clips'
labels do no better than this unsupervised design (extra trees 0.22, 1-NN on fold-selected
descriptors 0.27), nor do DTW of the raw keypoints (0.16), dense optical flow in each dancer's box
(0.09), keypoints at 640 px / 15 fps (0.13) or a small temporal CNN trained per fold (0.10 +- 0.03 over three seeds);
our 0.22 / 0.27 are well above label shuffles (p < 0.01). The clips carry little more than this.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np

from bachata_desktop.analysis.pose.descriptors import (
    DANCER_REF,
    dancer_descriptors,
    squash,
)
from bachata_desktop.analysis.pose.features import (
    DancerFeatures,
    InteractionFeatures,
)
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.pose import DESCRIPTOR_SIZE, l2_normalise

RESAMPLE = 32
N_DCT = 6
# Stored with the embeddings' model id so that vectors of an older design are rebuilt.
EMBEDDING_VERSION = 4
# Weight of the named move descriptors (descriptors.py) against the generic blocks.
SEMANTIC_WEIGHT = 3.0


def _finite(x: np.ndarray) -> np.ndarray:
    return np.nan_to_num(np.asarray(x, np.float64), nan=0.0, posinf=0.0, neginf=0.0)


def _block(x: np.ndarray, weight: float = 1.0, centre: bool = False) -> np.ndarray:
    v = _finite(x).ravel()
    if centre and v.size:
        v = v - v.mean()
    n = np.linalg.norm(v)
    return v * (weight / n) if n > 0 else v


def _resample(sig: np.ndarray, n: int = RESAMPLE) -> np.ndarray:
    """(T, k) -> (n, k), NaN filled by interpolation, all-NaN columns zero."""
    sig = np.asarray(sig, np.float64)
    if sig.ndim == 1:
        sig = sig[:, None]
    t = np.linspace(0, 1, len(sig)) if len(sig) > 1 else np.zeros(1)
    out = np.zeros((n, sig.shape[1]))
    grid = np.linspace(0, 1, n)
    for c in range(sig.shape[1]):
        m = np.isfinite(sig[:, c])
        if m.sum() >= 2:
            out[:, c] = np.interp(grid, t[m], sig[m, c])
        elif m.sum() == 1:
            out[:, c] = sig[m, c][0]
    return out


@lru_cache(maxsize=4)
def _dct_matrix(n: int, k: int) -> np.ndarray:
    i = np.arange(n)
    return np.stack([np.cos(np.pi * (i + 0.5) * j / n) for j in range(1, k + 1)]) * np.sqrt(2 / n)


def _dct(sig: np.ndarray) -> np.ndarray:
    """First N_DCT non-constant DCT-II coefficients of each column of a resampled signal."""
    r = _resample(sig)
    r = r - r.mean(axis=0, keepdims=True)
    return _dct_matrix(RESAMPLE, N_DCT) @ r


def _hist(x: np.ndarray, lo: float, hi: float, bins: int) -> np.ndarray:
    x = np.asarray(x, np.float64).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        return np.zeros(bins)
    h, _ = np.histogram(np.clip(x, lo, hi), bins=bins, range=(lo, hi))
    return h / x.size


@lru_cache(maxsize=4)
def _rotation(raw: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    return q[:, :raw]


def _finish(parts: list[np.ndarray], dim: int, seed: int) -> np.ndarray:
    raw = np.concatenate(parts)
    if raw.size > dim:
        raise ValueError(f"descriptor of {raw.size} values does not fit {dim}")
    if not np.any(raw):
        return np.zeros(dim, np.float32)
    return l2_normalise(_rotation(raw.size, dim, seed) @ raw)


def _thirds(x: np.ndarray) -> list[np.ndarray]:
    n = len(x)
    cuts = [0, n // 3, 2 * n // 3, n]
    return [x[cuts[i]:max(cuts[i + 1], cuts[i] + 1)] for i in range(3)]


def dancer_embedding(f: DancerFeatures, dim: int = 512, seed: int = 1) -> np.ndarray:
    """Lead or follow embedding (``dim`` values, unit length, or all zeros if never seen)."""
    if not np.isfinite(f.norm).any():
        return np.zeros(dim, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        norm = f.norm.reshape(len(f.norm), -1)
        speed = np.linalg.norm(f.velocity, axis=-1)                # (T, 17)
        ang = f.angles
        parts = [
            _block(np.nanmean(norm, axis=0), 1.0),
            _block(np.nanstd(norm, axis=0), 1.0),
            _block(np.concatenate([np.nanmean(p, axis=0) for p in _thirds(norm)])
                   - np.tile(np.nanmean(norm, axis=0), 3), 0.8),
            _block(np.concatenate([np.nanmean(np.cos(ang), axis=0), np.nanmean(np.sin(ang), axis=0)]),
                   0.8, centre=True),
            _block(np.nanstd(ang, axis=0), 0.6),
            _block(np.concatenate([_hist(ang[:, j], 0, np.pi, 8) for j in range(8)]
                                  + [_hist(ang[:, j], -1.2, 1.2, 8) for j in (8, 9)]), 1.0,
                   centre=True),
            _block(np.log1p(np.nanmean(speed, axis=0)), 0.8, centre=True),
            _block(np.concatenate([_hist(np.log1p(speed[:, g]), 0, 2.5, 8) for g in
                                   ([0, 1, 2, 3, 4], [5, 6, 11, 12], [7, 8, 9, 10],
                                    [13, 14, 15, 16])]), 1.0, centre=True),
            _block(np.concatenate([_hist(f.facing, -1, 1, 8),
                                   [np.nanstd(f.facing), _sign_changes(f.facing)]]), 1.0,
                   centre=True),
            _block(_dct(np.column_stack([f.facing, f.norm[:, 9, 1], f.norm[:, 10, 1],
                                         f.norm[:, 9, 0], f.norm[:, 10, 0],
                                         ang[:, 0], ang[:, 1], ang[:, 6], ang[:, 7], ang[:, 8],
                                         f.centre_velocity[:, 0], f.centre_velocity[:, 1]])), 1.0),
            _block(np.log1p(np.abs(np.nanmean(f.centre_velocity, axis=0)))
                   * np.sign(np.nanmean(f.centre_velocity, axis=0)), 0.3),
            _block(squash(dancer_descriptors(f), DANCER_REF), SEMANTIC_WEIGHT),
        ]
    return _finish(parts, dim, seed)


def _sign_changes(x: np.ndarray) -> float:
    """Facing flips per sample (a turn flips the shoulder order twice)."""
    s = np.sign(x[np.isfinite(x) & (np.abs(x) > 0.25)])
    return float(np.sum(s[1:] != s[:-1]) / max(len(x), 1)) * 10.0


def interaction_embedding(i: InteractionFeatures, dim: int = 256, seed: int = 3) -> np.ndarray:
    """The couple's move vector (``move_metric``): what "Similar moves" compares as pose, with
    the ``counts`` vector (``count_embedding``).

    Role-free (a lead / follow swap leaves it unchanged) and standardised by the shipped,
    checksum-verified ``data/pose_move_metric.json``; all zeros when the couple was never seen.
    """
    if not np.isfinite(i.proximity).any() or i.lead is None or i.follow is None:
        return np.zeros(dim, np.float32)
    from bachata_desktop.analysis.pose.move_metric import shipped_metric

    return _finish([shipped_metric().vector(i.lead, i.follow)], dim, seed)


def count_embedding(template: np.ndarray | None, dim: int = 128, seed: int = 5) -> np.ndarray | None:
    """The couple's pose on the 8-count cycle (``move_template``'s template standardised by the
    shipped metric's count part): unit length, or None when the clip has no full cycle on a grid."""
    from bachata_desktop.analysis.pose.move_metric import shipped_metric

    counts = shipped_metric().counts
    if counts is None:
        raise InputError("pose similarity file has no count part; reinstall the app")
    part = counts.vector(template)
    return None if part is None else _finish([part], dim, seed)


def pose_descriptor(lead: DancerFeatures, follow: DancerFeatures, inter: InteractionFeatures,
                    detected: np.ndarray, sl: slice) -> tuple[float, ...]:
    """The couple's pose over the frames ``sl`` (see ``core.pose`` for the layout)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        parts = [np.nanmean(lead.norm[sl], axis=0).ravel(),
                 np.nanmean(follow.norm[sl], axis=0).ravel(),
                 np.nanmean(inter.relative[sl], axis=0),
                 [np.nanmean(lead.facing[sl]), np.nanmean(follow.facing[sl]),
                  np.nanmean(inter.connected[sl])]]
        d = _finite(np.concatenate(parts))
    valid = float(detected[sl].all(axis=1).mean()) if detected[sl].size else 0.0
    out = np.concatenate([d, [valid]])
    assert out.size == DESCRIPTOR_SIZE
    return tuple(float(x) for x in out)


def motion_energy(lead: DancerFeatures, follow: DancerFeatures) -> float:
    """Mean joint speed of both dancers, torso lengths per second (0 when nobody was seen)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        speeds = [np.linalg.norm(f.velocity, axis=-1) for f in (lead, follow)]
        vals = np.concatenate([s.ravel() for s in speeds])
        vals = vals[np.isfinite(vals)]
    return float(np.median(vals)) if vals.size else 0.0


__all__ = ["EMBEDDING_VERSION", "count_embedding", "dancer_embedding", "interaction_embedding",
           "motion_energy", "pose_descriptor"]
