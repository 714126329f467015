"""The player's speed presets and slider, volume and mute, the time label, and F then Esc.

Real panel on a real shared clip; the Songs view's volume on its own real player.
"""

from __future__ import annotations

import player_support
import pytest
from player_support import clip_path, open_and_wait
from PySide6.QtCore import Qt

player = player_support.player  # the fixture


def test_speed_presets_slider_and_a_click_on_the_value_for_1x(qtbot, player) -> None:
    open_and_wait(qtbot, player, clip_path())
    bar = player.transport
    menu = bar.speed_label.menu()
    labels = [a.text() for a in menu.actions()]
    assert {"0.5×", "0.75×", "1×", "1.25×"} <= set(labels)
    menu.actions()[labels.index("0.75×")].trigger()
    assert player.speed == pytest.approx(0.75)
    assert player.player.playbackRate() == pytest.approx(0.75)
    assert bar.speed_slider.value() == 75 and bar.speed_label.text() == "0.75×"
    bar.speed_slider.setValue(60)                   # as a drag would
    assert player.speed == pytest.approx(0.6)
    assert player.player.playbackRate() == pytest.approx(0.6)
    player.actions_by_name["faster"].trigger()      # the ± keys still step, and move the slider
    assert bar.speed_slider.value() == round(player.speed * 100)
    qtbot.mouseClick(bar.speed_label, Qt.MouseButton.LeftButton)  # click the value: back to 1x
    assert player.speed == pytest.approx(1.0)
    assert player.player.playbackRate() == pytest.approx(1.0)
    assert bar.speed_slider.value() == 100


def test_volume_and_mute_reach_the_audio_output(qtbot, player) -> None:
    open_and_wait(qtbot, player, clip_path())
    vol = player.transport.volume
    assert player.audio.volume() == pytest.approx(1.0) and not player.audio.isMuted()
    vol.set_level(50)
    assert 0.05 < player.audio.volume() < 0.5       # perceptual scale: half is well below half gain
    qtbot.mouseClick(vol.mute_button, Qt.MouseButton.LeftButton)
    assert player.audio.isMuted()
    qtbot.mouseClick(vol.mute_button, Qt.MouseButton.LeftButton)
    assert not player.audio.isMuted()
    vol.set_level(0)
    assert player.audio.volume() == pytest.approx(0.0, abs=1e-6)


def test_time_label_is_never_cut_short(qtbot, player) -> None:
    open_and_wait(qtbot, player, clip_path())
    label = player.transport.time_label
    for width in (1000, 760):                       # the player's share of 1920 and 1280 windows
        player.resize(width, 600)
        qtbot.wait(50)
        player.seek(9.5)
        qtbot.waitUntil(lambda: "frame 28" in label.text(), timeout=5000)
        need = label.fontMetrics().horizontalAdvance(label.text())
        assert label.width() >= need, (width, label.width(), need, label.text())


def test_f_then_esc_brings_the_video_back_into_the_panel(qtbot, player) -> None:
    open_and_wait(qtbot, player, clip_path())
    player.setFocus()
    qtbot.keyClick(player, Qt.Key.Key_F)
    win = player.detached_window()
    assert win is not None and player.view.window() is win
    qtbot.waitUntil(win.isFullScreen, timeout=5000)
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: player.detached_window() is None, timeout=5000)
    assert player.view.window() is player.window()
    assert not player.actions_by_name["detach"].isChecked()
    # A window opened on purpose (D) stays a window after leaving full screen.
    player.actions_by_name["detach"].setChecked(True)
    win = player.detached_window()
    win.toggle_full_screen()
    win.toggle_full_screen()
    assert player.detached_window() is win


def test_songs_view_has_volume_and_mute(qtbot, app_paths, shared_songs_dir) -> None:
    from bachata_desktop.app import build_context, make_application
    from bachata_desktop.ui.songs.panel import SongsPanel

    make_application([])
    ctx = build_context(app_paths)
    panel = SongsPanel(ctx)
    qtbot.addWidget(panel)
    try:
        panel.volume.set_level(40)
        panel.volume.set_muted(True)
        player = panel._ensure_player()           # created on first play: gets what was chosen
        assert player is not None and panel.audio.isMuted()
        assert 0.0 < panel.audio.volume() < 0.4
        panel.volume.set_level(90)                # raising the volume unmutes
        assert not panel.audio.isMuted() and panel.audio.volume() > 0.45
    finally:
        panel.shutdown()
        ctx.jobs.shutdown(10000)
        ctx.store.close()
