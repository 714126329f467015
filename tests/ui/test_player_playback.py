"""The player on a real shared clip: A-B loop precision, exact frame steps, speed and the trainer."""

from __future__ import annotations

import time

import numpy as np
import player_support
from player_support import FD, FPS, clip_path, open_and_wait, rgb, show_frame

from bachata_desktop.core.loop import LoopRegion, frame_index

player = player_support.player  # the fixture


def test_ab_loop_returns_to_a_and_never_overshoots_b_by_more_than_a_frame(qtbot, player) -> None:
    open_and_wait(qtbot, player, clip_path())
    a, b = 1.0, 1.5
    shown: list[float] = []
    player.frame_shown.connect(shown.append)
    player.set_loop(LoopRegion(a, b))
    show_frame(qtbot, player, int(a * FPS))
    player.play()
    qtbot.waitUntil(lambda: len(player.loop_jumps) >= 10, timeout=30000)
    player.pause()
    jumps = player.loop_jumps[:10]
    # The jump is decided within one frame of B (measured position at the jump) ...
    assert all(abs(j.overshoot) <= FD for j in jumps), [round(j.overshoot, 4) for j in jumps]
    # ... and no frame starting at or after B is ever put on screen.
    assert shown and max(shown) < b, max(shown)
    # After each jump the next frame shown is back at A (within a frame).
    restarts = [t2 for t1, t2 in zip(shown[:-1], shown[1:], strict=True) if t2 < t1 - 0.1]
    assert len(restarts) >= 9
    assert all(a - FD <= t <= a + 2 * FD for t in restarts), restarts
    # The loop really plays: every pass shows most of the frames between A and B.
    assert len(set(frame_index(t, FPS) for t in shown)) >= 0.8 * (b - a) * FPS


def _decode(path, wanted: set[int]) -> dict[int, np.ndarray]:
    import av

    out: dict[int, np.ndarray] = {}
    with av.open(str(path)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i in wanted:
                out[i] = frame.to_ndarray(format="rgb24").astype(np.int16)
            if i >= max(wanted):
                break
    return out


def test_frame_step_lands_on_exact_frames_forwards_and_backwards(qtbot, player) -> None:
    path = clip_path()
    open_and_wait(qtbot, player, path)
    start = 60
    show_frame(qtbot, player, start)
    expected = [61, 62, 63, 62, 61, 60, 59]
    steps = [1, 1, 1, -1, -1, -1, -1]
    reference = _decode(path, set(range(57, 66)))
    for n, d in zip(expected, steps, strict=True):
        with qtbot.waitSignal(player.frame_shown, timeout=10000) as sig:
            player.step_frames(d)
        assert frame_index(sig.args[0], FPS) == n
        # The pixels are that frame's (closer to PyAV's decode of frame n than to its neighbours).
        shown = rgb(player.view.current_image()).astype(np.int16)
        diffs = {k: float(np.abs(shown - reference[k]).mean()) for k in (n - 1, n, n + 1)}
        assert min(diffs, key=diffs.get) == n, diffs
    assert not player.is_playing()


def test_speed_changes_the_rate_of_playback(qtbot, player) -> None:
    open_and_wait(qtbot, player, clip_path())

    def advance(speed: float) -> float:
        player.set_speed(speed)
        show_frame(qtbot, player, 15)
        player.play()
        qtbot.waitUntil(lambda: player.position() > 0.6, timeout=10000)
        t0, p0 = time.perf_counter(), player.position()
        qtbot.wait(2000)
        moved = (player.position() - p0) / (time.perf_counter() - t0)
        player.pause()
        return moved

    assert player.player.playbackRate() == 1.0
    slow, fast = advance(0.5), advance(1.5)
    assert player.player.playbackRate() == 1.5
    # 3x expected; the decoder falls behind at 1.5x when the 2 cores are busy (1.84x seen in CI):
    # what matters is that the rate is applied at all (an ignored rate gives 1x)
    assert fast > 1.5 * slow, (slow, fast)


def test_speed_trainer_raises_the_speed_after_n_loops(qtbot, player) -> None:
    open_and_wait(qtbot, player, clip_path())
    player.set_loop(LoopRegion(2.0, 2.4))
    speeds: list[float] = []
    player.speed_changed.connect(speeds.append)
    box = player.trainer_box
    box.start.setValue(0.5)
    box.step.setValue(0.25)
    box.target.setValue(1.0)
    box.every.setValue(2)
    player.activateWindow()
    qtbot.waitActive(player)
    qtbot.keyClick(player, "t")  # trainer on (T)
    assert box.isChecked() and player.speed == 0.5
    show_frame(qtbot, player, 60)
    player.play()
    qtbot.waitUntil(lambda: player.speed >= 1.0, timeout=30000)
    player.pause()
    assert speeds == [0.5, 0.75, 1.0]
    assert player.loops_done >= 4 and player.player.playbackRate() == 1.0
    assert "target reached" in box.status.text()
