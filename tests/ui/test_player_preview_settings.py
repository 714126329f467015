"""A rendered routine plays as it was made: the player's mirror and speed stay with practice.

A rendered routine has the move names and counts burned in and is already timed to the song:
mirrored, its text read backwards; at the 0.70x an instructor practised with, the routine was off
the music. (The generator's live preview is its own window and never reads the player's settings.)
"""

from __future__ import annotations

import pytest
from player_support import CLIP, SHARED

PREVIEW = SHARED / "data" / "clips" / "basic" / "front_step.mp4"  # stands in for a rendered preview


def test_preview_plays_unmirrored_at_1x_and_practice_settings_come_back(qtbot, main_window) -> None:
    for p in (CLIP, PREVIEW):
        if not p.exists():
            pytest.skip(f"shared asset not found: {p}")
    player = main_window.player
    player.autoplay = False
    with qtbot.waitSignal(player.media_loaded, timeout=15000):
        main_window.ctx.navigator.open_media.emit(str(CLIP), None)
    player.actions_by_name["mirror"].setChecked(True)
    player.set_speed(0.7)
    assert player.view.mirror and player.player.playbackRate() == pytest.approx(0.7)
    # a rendered routine, handed over through the navigator as the app does it
    with qtbot.waitSignal(player.media_loaded, timeout=15000):
        main_window.ctx.navigator.open_rendered.emit(str(PREVIEW))
    assert main_window.current_area() == "player" and player.path == str(PREVIEW)
    assert not player.view.mirror and not player.actions_by_name["mirror"].isChecked()
    assert player.speed == pytest.approx(1.0)
    assert player.player.playbackRate() == pytest.approx(1.0)
    # back to practising a clip: mirror and 0.70x as the instructor left them
    with qtbot.waitSignal(player.media_loaded, timeout=15000):
        main_window.ctx.navigator.open_media.emit(str(CLIP), None)
    assert player.view.mirror and player.speed == pytest.approx(0.7)
    assert player.player.playbackRate() == pytest.approx(0.7)
    player.shutdown()
