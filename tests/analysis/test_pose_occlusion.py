"""Both dancers through occlusion and lead / follow when the follow stands nearer the camera:
real clips of the shared library with the real pose model (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

LABELS = Path(__file__).resolve().parents[1] / "data" / "clip_labels_i15.json"
# Closed hold, the follow in front of the lead, nearer the camera (both read the other way round
# before the perspective-corrected stature).
FOLLOW_IN_FRONT = ["spin/spin2.mp4", "golpes/energetic_golpes_spin.mp4"]
# The follow's back to the camera hides the lead for seconds at a time.
ONE_BODY_HIDDEN = "hiprolls/double_spin_hiproll.mp4"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def analysed(real_pose) -> dict[str, tuple[object, object]]:
    from bachata_desktop.analysis.pose.analyze import load_keypoints, tracks_from_keypoints

    out = {}
    for rel in [*FOLLOW_IN_FRONT, ONE_BODY_HIDDEN]:
        res, kp = real_pose(rel)
        data = load_keypoints(kp)
        out[rel] = (res, tracks_from_keypoints(data), data)
    return out


def _label(rel: str) -> dict:
    return next(c for c in json.loads(LABELS.read_text())["clips"] if c["video_path"] == rel)


def _lead_side(tracks, times: np.ndarray, at_s: float) -> str:
    both = np.flatnonzero(tracks.detected.all(axis=1))
    k = both[np.argmin(np.abs(times[both] - at_s))]
    x = (tracks.boxes[k, :, 0] + tracks.boxes[k, :, 2]) / 2
    return "left" if x[0] < x[1] else "right"


@pytest.mark.parametrize("rel", FOLLOW_IN_FRONT)
def test_the_lead_is_found_when_the_follow_is_nearer_the_camera(analysed, rel):
    res, tracks, data = analysed[rel]
    label = _label(rel)
    assert _lead_side(tracks, data["times"], label["lead_side_at_s"]) == label["lead_side"]
    assert "taller" in res.lead_reason and not res.lead_unsure


def test_dancers_of_one_height_are_called_unsure_not_guessed_silently(analysed):
    # double_spin_hiproll: the two stand within 2% of each other's height at equal depth (the
    # roles flip with a pixel of scaling), so the analysis must either be right or say it is unsure
    res, tracks, data = analysed[ONE_BODY_HIDDEN]
    label = _label(ONE_BODY_HIDDEN)
    right = _lead_side(tracks, data["times"], label["lead_side_at_s"]) == label["lead_side"]
    assert right or res.lead_unsure
    assert res.lead_unsure == ("unsure" in res.lead_reason)
    for rel in FOLLOW_IN_FRONT:  # clear statures are not called unsure
        assert not analysed[rel][0].lead_unsure


def test_closed_hold_keeps_both_dancers(analysed):
    res, tracks, _ = analysed["spin/spin2.mp4"]
    # seen by the model in 0.82 of frames (0.70 before the half-hidden partner was kept);
    # with the short gaps bridged by motion 0.99
    assert res.both_dancers_ratio >= 0.78
    assert tracks.both_bridged_ratio >= 0.95
    assert res.both_dancers_ratio == pytest.approx(tracks.both_ratio)
    # every seen frame is placed, and some placed frames were bridged, not claimed as seen
    assert (tracks.bridged | ~tracks.detected).all()
    assert (tracks.bridged & ~tracks.detected).any()
    assert "only one dancer visible" not in res.lead_reason


def test_only_one_body_visible_is_said_and_not_invented(analysed):
    res, tracks, data = analysed[ONE_BODY_HIDDEN]
    one = tracks.detected.sum(axis=1) == 1
    assert one.mean() >= 0.3                      # the lead hidden behind the follow
    assert res.both_dancers_ratio <= 0.7
    assert res.any_dancer_ratio >= 0.95
    assert "only one dancer visible" in res.lead_reason
    # beyond a short gap the hidden dancer has no position and no joints
    hidden = ~tracks.bridged
    assert hidden.any()
    assert np.isnan(tracks.keypoints[hidden]).all()
    assert np.isnan(tracks.boxes[hidden]).all()
    fps = float(data["fps"])
    for s in range(2):
        gaps = np.flatnonzero(np.diff(np.concatenate([[0], hidden[:, s].astype(int), [0]])))
        for a, b in zip(gaps[::2], gaps[1::2], strict=True):
            if a > 0 and b < len(hidden):
                assert (b - a) / fps > 0.6
