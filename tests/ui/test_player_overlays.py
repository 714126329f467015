"""What the player draws: mirrored pixels, the count at known beat times, skeletons at keypoints."""

from __future__ import annotations

import numpy as np
import player_support
import pytest
from player_support import (
    FOLLOW_POINTS,
    LEAD_POINTS,
    clip_path,
    open_and_wait,
    rgb,
    show_frame,
    write_keypoints,
)

from bachata_desktop.core.loop import BeatGrid
from bachata_desktop.ui.player.video_view import FOLLOW_COLOR, LEAD_COLOR

player = player_support.player  # the fixture


def _grab(panel) -> np.ndarray:
    panel.view.repaint()
    return rgb(panel.view.grab().toImage()).astype(np.int16)


def test_mirror_flips_the_pixels(qtbot, player) -> None:
    open_and_wait(qtbot, player, clip_path())
    player.actions_by_name["counts"].setChecked(False)
    show_frame(qtbot, player, 90)
    plain = _grab(player)
    player.activateWindow()
    qtbot.waitActive(player)
    qtbot.keyClick(player, "m")  # M: mirror
    assert player.view.mirror
    mirrored = _grab(player)
    assert np.abs(mirrored - plain[:, ::-1]).mean() < 2.0      # the same picture, flipped
    assert np.abs(mirrored - plain).mean() > 10.0              # and really different from before
    qtbot.keyClick(player, "m")
    assert np.abs(_grab(player) - plain).mean() < 1.0


@pytest.mark.parametrize("beat", [0, 3, 7, 8, 12])
def test_count_overlay_shows_the_count_of_known_beats(qtbot, player, beat: int) -> None:
    grid = BeatGrid.steady(120.0, 1.0, 9.8)  # a "1" at 1.0 s, then a beat every 0.5 s
    open_and_wait(qtbot, player, clip_path(), grid=grid.to_dict())
    t = 1.0 + beat * 0.5
    show_frame(qtbot, player, int(t * 30) + 3)  # a tenth of a second after the beat
    assert player.view.count == beat % 8 + 1
    assert f"count {beat % 8 + 1}" in player.transport.time_label.text()
    with_count = _grab(player)
    player.actions_by_name["counts"].setChecked(False)
    without = _grab(player)
    r = player.view.count_rect().toRect()
    inside = np.abs(with_count - without)[r.top():r.bottom(), r.left():r.right()]
    assert inside.mean() > 10  # the badge and its number are drawn there
    outside = np.abs(with_count - without)[:, r.right() + 5:]
    assert outside.max() == 0  # and nowhere else


def test_count_overlay_and_beat_keys_are_off_without_a_grid(qtbot, player) -> None:
    open_and_wait(qtbot, player, clip_path())
    act = player.actions_by_name["counts"]
    assert not act.isEnabled() and "No beat grid" in act.toolTip()
    assert not player.actions_by_name["skeleton"].isEnabled()
    assert "No pose analysis" in player.actions_by_name["skeleton"].toolTip()
    assert player.view.count is None
    show_frame(qtbot, player, 40)  # still plays and steps
    assert player.view.has_frame()


def _close(pixel: np.ndarray, color) -> bool:
    return bool(np.abs(pixel - np.array([color.red(), color.green(), color.blue()])).max() < 40)


@pytest.mark.parametrize("mirror", [False, True])
def test_skeleton_overlay_draws_at_the_stored_keypoints(qtbot, player, tmp_path, mirror) -> None:
    kp = write_keypoints(tmp_path / "kp.npz")
    open_and_wait(qtbot, player, clip_path(), keypoints=kp)
    player.actions_by_name["counts"].setChecked(False)
    player.view.set_mirror(mirror)
    show_frame(qtbot, player, 50)
    img = _grab(player)
    view = player.view
    r = view.video_rect()
    scale = r.width() / 1280.0
    for points, color, other in ((LEAD_POINTS, LEAD_COLOR, FOLLOW_COLOR),
                                 (FOLLOW_POINTS, FOLLOW_COLOR, LEAD_COLOR)):
        for x, y in points.values():
            px = r.x() + (1280.0 - x if mirror else x) * scale
            py = r.y() + y * scale
            pixel = img[int(round(py)), int(round(px))]
            assert _close(pixel, color) and not _close(pixel, other), (x, y, pixel)
    player.actions_by_name["skeleton"].setChecked(False)  # S toggles it off: the video shows
    x, y = LEAD_POINTS[5]
    px = int(round(r.x() + (1280.0 - x if mirror else x) * scale))
    assert not _close(_grab(player)[int(round(r.y() + y * scale)), px], LEAD_COLOR)
