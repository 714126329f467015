"""The couple's move vector from a keypoints file and the clip's beat grid (numpy only).

The one place where the tracked keypoints, the soundtrack's beat grid and the dancers' 1 meet:
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


def soundtrack_one(counts: np.ndarray) -> int:
    """Index of the grid's first 1 (its first beat when it has none)."""
    ones = np.flatnonzero(np.asarray(counts) == 1)
    return int(ones[0]) if ones.size else 0


def move_embedding(data: dict[str, np.ndarray], beats: np.ndarray | None = None,
                   counts: np.ndarray | None = None, one_beat: int | None = None) -> np.ndarray:
    """The ``interaction`` vector of a clip from its keypoints file contents (``load_keypoints``),
    folded onto the counts from grid beat ``one_beat`` (the dancers' 1; the soundtrack's first 1
    when None). All zeros when the couple was never seen."""
    kp = np.asarray(data["keypoints"], np.float64)
    fps = float(data["fps"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lead, follow = dancer_features(kp[:, 0], fps), dancer_features(kp[:, 1], fps)
        inter = interaction_features(kp[:, 0], kp[:, 1], lead, follow, fps)
    template = None
    if beats is not None and len(beats) >= _MIN_BEATS:
        one = one_beat if one_beat is not None and 0 <= one_beat < len(beats) else \
            soundtrack_one(counts if counts is not None else np.zeros(0))
        template = count_template(lead, follow, np.asarray(data["times"], np.float64), beats, one)
    return interaction_embedding(inter, INTERACTION_DIM, seed=3, template=template)


__all__ = ["grid_beats", "move_embedding", "soundtrack_one"]
