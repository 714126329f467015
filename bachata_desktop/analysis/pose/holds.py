"""The couple's hold at the start and end of a clip (open / closed / shadow), with a confidence.

Measured over a short window at each end of the clip (``HOLD_WINDOW_S``) from the tracked couple:
how far apart the two bodies are (hip centres, in torso lengths), how much their boxes overlap,
whether each faces the camera (shadow: both face the same way, one behind the other), whether
their hands are joined, and how often both bodies are seen at all (in a closed hold one body hides
the other, so "only one body seen" is itself evidence of closed).

The classifier is a small multinomial logistic regression over those eight numbers. Its weights
below were fitted on the issue-15 labels of the 80 shared clips (``tests/data/clip_labels_i15.json``,
labelled by eye from frames) with ``benchmarks/bench_pose_clip.py --fit``; the same benchmark
reports its accuracy under leave-one-series-out cross-validation (the weights used for each clip
never saw that clip's recording session). Every clip gets a guess: when nobody is seen at an end
the answer is the most common hold (closed) with a low confidence, never "unknown".
"""

from __future__ import annotations

import warnings

import numpy as np

from bachata_desktop.analysis.pose.features import DancerFeatures, InteractionFeatures

HOLD_WINDOW_S = 0.6
HOLD_CLASSES: tuple[str, ...] = ("open", "closed", "shadow")
FEATURE_NAMES: tuple[str, ...] = ("both_seen", "log_proximity", "box_overlap", "facing_product",
                                  "lead_facing", "follow_facing", "hands_joined", "log_hand_gap")
# Fill-ins for a feature that could not be measured in the window (the median closed-hold value:
# a missing partner is most often one hidden behind the other).
_FILL = np.array([0.0, np.log(0.65), 0.38, 0.0, 0.1, 0.1, 1.0, np.log(0.15)])
# Standardisation and weights (classes x features) from ``bench_pose_clip.py --fit`` on the 80
# labelled shared clips (160 clip ends), couple tracked at det_conf 0.25; leave-one-series-out
# accuracy 0.84 (always closed: 0.54).
_MEAN = np.array([0.915, -0.183, 0.259, -0.01, 0.106, 0.124, 0.788, -1.691])
_STD = np.array([0.252, 0.444, 0.17, 0.21, 0.427, 0.419, 0.312, 0.638])
_WEIGHTS = np.array([[0.269, 1.182, -0.977, -0.328, -0.197, -0.439, -0.012, 0.094],
                     [-0.677, -0.052, 0.982, -0.08, -0.259, 0.1, -0.112, -0.079],
                     [0.409, -1.13, -0.005, 0.407, 0.456, 0.339, 0.124, -0.015]])
_BIAS = np.array([-0.248, 0.803, -0.556])


def _box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    w = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    h = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = w * h
    union = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(union - inter, 1.0)


def hold_features(lead: DancerFeatures, follow: DancerFeatures, inter: InteractionFeatures,
                  boxes: np.ndarray, detected: np.ndarray, sl: slice) -> np.ndarray:
    """The eight numbers of ``FEATURE_NAMES`` over frames ``sl`` (NaN where unmeasured)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        det = detected[sl]
        both = float(det.all(axis=1).mean()) if det.size else np.nan
        b = boxes[sl]
        iou = _box_iou(b[:, 0], b[:, 1]) if len(b) else np.zeros(0)
        return np.array([
            both,
            np.log(max(float(np.nanmedian(inter.proximity[sl])), 0.05)),
            float(np.nanmedian(iou)) if np.isfinite(iou).any() else np.nan,
            float(np.nanmedian(inter.facing_product[sl])),
            float(np.nanmedian(lead.facing[sl])),
            float(np.nanmedian(follow.facing[sl])),
            float(np.nanmean(inter.connected[sl])),
            np.log(max(float(np.nanmedian(inter.hand_distance[sl])), 0.02)),
        ], dtype=np.float64)


def hold_probabilities(features: np.ndarray, weights: np.ndarray | None = None,
                       bias: np.ndarray | None = None, mean: np.ndarray | None = None,
                       std: np.ndarray | None = None) -> np.ndarray:
    """Probabilities of ``HOLD_CLASSES`` for one feature vector (NaN features are filled in)."""
    x = np.asarray(features, np.float64).copy()
    x = np.where(np.isfinite(x), x, _FILL)
    z = (x - (_MEAN if mean is None else mean)) / (_STD if std is None else std)
    logits = (_WEIGHTS if weights is None else weights) @ z + (_BIAS if bias is None else bias)
    e = np.exp(logits - logits.max())
    return e / e.sum()


def classify_hold(features: np.ndarray) -> tuple[str, float]:
    """(hold, confidence 0..1) for one end of a clip; confidence is the winning probability,
    scaled down by how much of the window had anybody measured at all."""
    p = hold_probabilities(features)
    k = int(np.argmax(p))
    seen = features[0] if np.isfinite(features[0]) else 0.0
    measured = 0.5 + 0.5 * min(1.0, max(seen, float(np.isfinite(features[1]))))
    return HOLD_CLASSES[k], round(float(p[k] * measured), 3)


__all__ = ["FEATURE_NAMES", "HOLD_CLASSES", "HOLD_WINDOW_S", "classify_hold", "hold_features",
           "hold_probabilities"]
