"""Library clips in the player: stored analyses, markers that survive a restart, keyboard control."""

from __future__ import annotations

import pytest
from player_support import (  # noqa: F401
    FD,
    FPS,
    clip_path,
    close_panel,
    make_panel,
    player,
    show_frame,
    write_keypoints,
)
from PySide6.QtCore import Qt

from bachata_desktop.core.clip import Clip
from bachata_desktop.core.loop import BeatGrid, frame_index


def _add_clip(store, paths) -> int:
    path = clip_path()
    clip = store.clips.add(Clip(id=None, clip_key="basic/slow_basic3", name="Slow basic 3",
                                category="basic", media_path=str(path), content_hash="test-hash",
                                fps=30.0, width=1280, height=720, duration_s=9.83))
    assert clip.id is not None
    store.analyses.put("clip", clip.id, "audio", BeatGrid.steady(120.0, 1.0, 9.8).to_dict())
    # where and how the analysis service stores them: file named by content, name relative
    from bachata_desktop.services.clip_analysis import keypoints_path

    kp = write_keypoints(keypoints_path(store, clip))
    store.analyses.put("clip", clip.id, "pose", {"keypoints_file": kp.name, "people_found": True})
    return clip.id


def _open_clip(qtbot, panel, clip_id: int) -> None:
    with qtbot.waitSignal(panel.frame_shown, timeout=15000):
        panel.open_clip(clip_id)


def test_clip_opens_with_its_grid_pose_and_markers_survive_a_restart(qtbot, app_paths) -> None:
    panel = make_panel(qtbot, app_paths)
    clip_id = _add_clip(panel.ctx.store, app_paths)
    _open_clip(qtbot, panel, clip_id)
    assert panel.title.text() == "Slow basic 3"
    assert panel.grid is not None and panel.track is not None
    assert panel.actions_by_name["counts"].isEnabled()
    assert panel.actions_by_name["skeleton"].isEnabled()
    show_frame(qtbot, panel, 45)  # 1.5 s: count 2
    assert panel.view.count == 2 and panel.view.pose is not None

    panel.actions_by_name["add_marker"].trigger()   # a point marker at the playhead
    qtbot.waitUntil(lambda: len(panel.markers.items) == 1, timeout=5000)
    panel.actions_by_name["loop_eight"].trigger()   # loop this 8-count ...
    assert (panel.loop.a, panel.loop.b) == pytest.approx((1.0, 5.0))
    panel.actions_by_name["add_marker"].trigger()   # ... and save it as a marker
    qtbot.waitUntil(lambda: len(panel.markers.items) == 2, timeout=5000)
    point = next(m for m in panel.markers.items if m.end_s is None)
    panel.markers.rename(point, "Step back")
    qtbot.waitUntil(lambda: "Step back" in [m.name for m in panel.markers.items], timeout=5000)
    close_panel(panel)

    # A restart: a new store and a new player on the same BACHATA_HOME.
    again = make_panel(qtbot, app_paths)
    try:
        _open_clip(qtbot, again, clip_id)
        items = again.markers_box.markers()  # in time order
        assert [m.name for m in items] == ["Loop 0:01.00", "Step back"]
        assert (items[0].time_s, items[0].end_s) == pytest.approx((1.0, 5.0))
        assert items[1].time_s == pytest.approx(1.5, abs=FD) and items[1].end_s is None
        assert len(again.timeline.markers) == 2
        again.markers.loop_marker(items[0])               # a marker becomes the A-B loop
        assert (again.loop.a, again.loop.b) == pytest.approx((1.0, 5.0)) and again.loop.enabled
        again.markers.loop_marker(items[1])               # point marker: up to the clip's end
        assert again.loop.a == pytest.approx(1.5, abs=FD)
        assert again.loop.b == pytest.approx(again.duration)
        again.markers.delete(items[1])
        qtbot.waitUntil(lambda: len(again.markers.items) == 1, timeout=5000)
    finally:
        close_panel(again)


def test_keyboard_controls(qtbot, app_paths) -> None:
    panel = make_panel(qtbot, app_paths)
    try:
        clip_id = _add_clip(panel.ctx.store, app_paths)
        _open_clip(qtbot, panel, clip_id)
        panel.activateWindow()
        qtbot.waitActive(panel)
        show_frame(qtbot, panel, 30)

        def key(k, mods=Qt.KeyboardModifier.NoModifier, frame: bool = False) -> None:
            if frame:
                with qtbot.waitSignal(panel.frame_shown, timeout=10000):
                    qtbot.keyClick(panel, k, mods)
            else:
                qtbot.keyClick(panel, k, mods)

        key(Qt.Key.Key_BracketLeft)                      # [ sets A at the playhead
        key(Qt.Key.Key_Right, frame=True)                # → one frame
        assert frame_index(panel.position(), FPS) == 31
        key(Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier, frame=True)  # ⇧→ next beat
        assert panel.position() == pytest.approx(1.5, abs=FD)
        key(Qt.Key.Key_BracketRight)                     # ] sets B at the end of this frame
        assert panel.loop.a == pytest.approx(1.0) and panel.loop.b == pytest.approx(46 / 30)
        key(Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier, frame=True)  # ⇧← previous beat
        assert panel.position() == pytest.approx(1.0, abs=FD)
        key(Qt.Key.Key_Left, frame=True)                 # ← one frame back
        assert frame_index(panel.position(), FPS) == 29
        assert panel.loop.enabled
        key(Qt.Key.Key_L)
        assert not panel.loop.enabled
        key(Qt.Key.Key_Plus)
        assert panel.speed == 1.1
        key(Qt.Key.Key_Minus)
        key(Qt.Key.Key_Minus)
        assert panel.speed == 0.95
        for k, attr in ((Qt.Key.Key_M, "mirror"), (Qt.Key.Key_S, "show_skeleton"),
                        (Qt.Key.Key_C, "show_counts")):
            before = getattr(panel.view, attr)
            key(k)
            assert getattr(panel.view, attr) != before
        key(Qt.Key.Key_Space)
        qtbot.waitUntil(panel.is_playing, timeout=5000)
        key(Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: not panel.is_playing(), timeout=5000)
        key(Qt.Key.Key_F)                                # F: the video goes to its own window
        win = panel.detached_window()
        assert win is not None and panel.view.window() is win
        win.close()                                      # closing it brings the video back
        qtbot.waitUntil(lambda: panel.detached_window() is None, timeout=5000)
        assert panel.view.window() is panel.window()
        assert "(Space)" in panel.actions_by_name["play"].toolTip()
        assert "([)" in panel.actions_by_name["set_a"].toolTip()
    finally:
        close_panel(panel)


def test_swap_lead_and_follow_is_drawn_and_saved(qtbot, app_paths) -> None:
    import numpy as np
    from player_support import FOLLOW_POINTS, LEAD_POINTS, rgb

    from bachata_desktop.ui.player.video_view import FOLLOW_COLOR, LEAD_COLOR

    def colour_at(panel, x: float, y: float) -> np.ndarray:
        panel.view.repaint()
        img = rgb(panel.view.grab().toImage()).astype(np.int16)
        r = panel.view.video_rect()
        s = r.width() / 1280.0
        return img[int(round(r.y() + y * s)), int(round(r.x() + x * s))]

    def near(pixel, color) -> bool:
        return bool(np.abs(pixel - np.array([color.red(), color.green(), color.blue()])).max() < 40)

    panel = make_panel(qtbot, app_paths)
    try:
        clip_id = _add_clip(panel.ctx.store, app_paths)
        _open_clip(qtbot, panel, clip_id)
        panel.actions_by_name["counts"].setChecked(False)
        show_frame(qtbot, panel, 50)
        assert near(colour_at(panel, *LEAD_POINTS[5]), LEAD_COLOR)
        panel.actions_by_name["swap_roles"].trigger()
        assert near(colour_at(panel, *LEAD_POINTS[5]), FOLLOW_COLOR)
        assert near(colour_at(panel, *FOLLOW_POINTS[5]), LEAD_COLOR)
        assert panel.ctx.store.clips.get(clip_id).lead_follow_flipped
        # reopening the clip keeps the swap (the keypoints file itself is unchanged)
        panel.open_clip(clip_id)
        lead_x = float(panel.track.keypoints[0, 0, 5, 0])
        assert lead_x == FOLLOW_POINTS[5][0]
    finally:
        close_panel(panel)


def test_controls_that_need_media_are_off_until_something_is_open(qtbot, player) -> None:  # noqa: F811
    panel = player
    a = panel.actions_by_name
    for name in ("play", "set_a", "set_b", "loop", "loop_whole", "add_marker", "swap_roles",
                 "beat_fwd", "loop_eight"):
        assert not a[name].isEnabled(), name
    assert not panel.markers_box.isEnabled()
    for name in ("mirror", "slower", "faster", "trainer"):   # settings, usable beforehand
        assert a[name].isEnabled(), name
    _open_clip(qtbot, panel, _add_clip(panel.ctx.store, None))
    for name in ("play", "set_a", "loop", "add_marker", "swap_roles"):
        assert a[name].isEnabled(), name
    assert panel.markers_box.isEnabled()
