"""The couple's pose on the clip's 8-count cycle, from a keypoints file and the beat grid.

The one place where the tracked keypoints and the soundtrack's beat grid meet: the clip
analysis' dance step, the refresh of the dance after a new grid, and the rebuild of older pose
vectors all call ``counts_vector`` so a clip's stored ``counts`` vector is the same whichever way
it was made. It needs a grid (the soundtrack has a steady beat) with the dancers seen through a
whole 8-count cycle; otherwise there is none and "Similar moves" compares the clip by its
``interaction`` vector, music and description.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from bachata_desktop.analysis.pose.dance_counts import beat_arrays
from bachata_desktop.analysis.pose.embed import count_embedding
from bachata_desktop.analysis.pose.features import dancer_features
from bachata_desktop.analysis.pose.move_template import COUNTS, count_template

_MIN_BEATS = COUNTS  # at least one whole cycle


def grid_beats(grid: dict[str, Any] | None) -> np.ndarray | None:
    """Beat times of a stored grid (``SongAnalysis.to_dict()``); None when it has fewer beats
    than one cycle or is malformed."""
    beats = beat_arrays(grid)
    if beats is None:
        return None
    bt = beats[0]
    if len(bt) < _MIN_BEATS or not np.all(np.isfinite(bt)) or np.any(np.diff(bt) <= 0):
        return None
    return bt


def counts_vector(data: dict[str, np.ndarray], beats: np.ndarray | None) -> np.ndarray | None:
    """The ``counts`` vector of a clip from its keypoints file contents (``load_keypoints``) and
    its grid's beat times, or None (no grid, no couple, or a count of the cycle never danced).
    Counted from the first beat: the vector is the same from whichever beat the cycle starts
    (``move_template.cycle_spectrum``), so neither the soundtrack's 1 nor the dancers' is needed."""
    if beats is None or len(beats) < _MIN_BEATS:
        return None
    kp = np.asarray(data["keypoints"], np.float64)
    fps = float(data["fps"])
    if not np.isfinite(kp[..., :2]).any():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lead, follow = dancer_features(kp[:, 0], fps), dancer_features(kp[:, 1], fps)
    template = count_template(lead, follow, np.asarray(data["times"], np.float64)[:len(kp)], beats, 0)
    return count_embedding(template)


__all__ = ["counts_vector", "grid_beats"]
