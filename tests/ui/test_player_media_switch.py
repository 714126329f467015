"""The player on the second, third ... media: duration, time, picture and play state follow the new one.

The first version read the duration when the media said "loaded", which on the second file came
before the new duration was known: the timeline, beat ticks and "Loop all" stayed one media behind
and the panel kept the previous clip's time and a pause icon over a black picture.
"""

from __future__ import annotations

import av
import player_support
import pytest
from player_support import CLIP, SHARED

from bachata_desktop.ui.player.side import fmt_time

player = player_support.player  # the fixture

LONG = SHARED / "data" / "clips" / "bodywaves" / "triple_bodywave2.mp4"   # 16.87 s
SHORT = SHARED / "data" / "clips" / "basic" / "front_step.mp4"            # 7.60 s


def _duration(path) -> float:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        return float(s.duration * s.time_base)


def _open_and_settle(qtbot, panel, path) -> None:
    with qtbot.waitSignal(panel.media_loaded, timeout=15000):
        panel.open_media(str(path))
    qtbot.waitUntil(lambda: panel.view.has_frame(), timeout=15000)


@pytest.mark.parametrize("autoplay", [True, False])
def test_each_new_media_gets_its_own_duration_time_and_state(qtbot, player, autoplay,
                                                             capfd) -> None:
    for p in (LONG, SHORT, CLIP):
        if not p.exists():
            pytest.skip(f"shared asset not found: {p}")
    player.autoplay = autoplay
    for path in (LONG, SHORT, CLIP, LONG):
        want = _duration(path)
        _open_and_settle(qtbot, player, path)
        if autoplay:
            qtbot.waitUntil(lambda: player.position() > 0.5, timeout=10000)
        else:
            player.play()
            qtbot.waitUntil(lambda: player.position() > 0.5, timeout=10000)
        player.pause()
        qtbot.waitUntil(lambda: not player.is_playing(), timeout=5000)
        assert player.duration == pytest.approx(want, abs=0.1), path.name
        assert player.timeline.duration == pytest.approx(want, abs=0.1), path.name
        # the time shown is this media's: after ~1 s of play, not where the last one stopped
        assert 0.3 < player.position() < 4.0, (path.name, player.position())
        label = player.transport.time_label.text()
        assert f"/ {fmt_time(player.duration)}" in label, (path.name, label)
        assert player.actions_by_name["play"].text() == "▶"   # paused: the play icon
        player.seek(0.0)
    # Playing the old media while Qt tore it down fed its decoder packets of the new file.
    err = capfd.readouterr().err
    assert "Invalid NAL unit" not in err and "partial file" not in err, err[-2000:]


def test_the_same_clip_opened_again_starts_again(qtbot, player) -> None:
    if not LONG.exists():
        pytest.skip(f"shared asset not found: {LONG}")
    _open_and_settle(qtbot, player, LONG)
    player.play()
    qtbot.waitUntil(lambda: player.position() > 1.0, timeout=10000)
    player.pause()
    _open_and_settle(qtbot, player, LONG)        # e.g. double-clicked again in the library
    assert player.duration == pytest.approx(_duration(LONG), abs=0.1)
    assert player.position() < 0.5
