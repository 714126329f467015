"""The couple's move vector from a keypoints file and the clip's beat grid (numpy only).

The one place where the tracked keypoints and the soundtrack's beat grid meet:
the clip analysis' dance step, the refresh of the dance after a new grid, and the rebuild of older
pose vectors all call ``move_embedding`` so a clip's stored vector is the same whichever way it
was made. Without a grid (no steady beat in the soundtrack) the vector has no count part and
equals the one the pose step stores (``analyze.summarise``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from bachata_desktop.analysis.pose.embed import interaction_embedding
from bachata_desktop.analysis.pose.features import dancer_features, interaction_features
from bachata_desktop.analysis.pose.move_template import count_template
from bachata_desktop.core.pose import INTERACTION_DIM

_MIN_BEATS = 4


def grid_beats(grid: dict[str, Any]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(beat times, counts 1..8) of a stored grid (``SongAnalysis.to_dict()``); (None, None) when it
    has too few beats or is malformed."""
    try:
        beats = grid.get("beats") or []
        bt = np.array([float(b["time"]) for b in beats], np.float64)
        bc = np.array([int(b["count"]) for b in beats], np.int64)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None, None
    if len(bt) < _MIN_BEATS or not np.all(np.isfinite(bt)) or np.any(np.diff(bt) <= 0):
        return None, None
    return bt, bc


def move_embedding(data: dict[str, np.ndarray], beats: np.ndarray | None = None) -> np.ndarray:
    """The ``interaction`` vector of a clip from its keypoints file contents (``load_keypoints``)
    and its grid's beat times (None: no grid). Counted from the first beat: the stored count part
    is the same from whichever beat the cycle starts (``cycle_spectrum``), so neither the
    soundtrack's 1 nor the dancers' is needed. All zeros when the couple was never seen."""
    kp = np.asarray(data["keypoints"], np.float64)
    fps = float(data["fps"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lead, follow = dancer_features(kp[:, 0], fps), dancer_features(kp[:, 1], fps)
        inter = interaction_features(kp[:, 0], kp[:, 1], lead, follow, fps)
    template = None
    if beats is not None and len(beats) >= _MIN_BEATS:
        template = count_template(lead, follow, np.asarray(data["times"], np.float64), beats, 0)
    return interaction_embedding(inter, INTERACTION_DIM, seed=3, template=template)


__all__ = ["grid_beats", "move_embedding"]
