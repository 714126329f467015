"""The player's loop, step, nudge, speed and trainer rules (pure logic, no Qt)."""

from __future__ import annotations

import pytest

from bachata_desktop.core.loop import (
    MAX_SPEED,
    MIN_SPEED,
    SPEED_STEPS,
    BeatGrid,
    LoopRegion,
    NudgeUnit,
    SpeedTrainer,
    frame_index,
    frame_time,
    loop_phrase,
    nudge,
    snap,
    step_frame,
    step_speed,
)
from bachata_desktop.core.song import SongAnalysis, build_grid

FPS = 30.0
FD = 1 / FPS


def _grid() -> BeatGrid:
    # 120 BPM, first "1" at 1.25 s (pickup beats at 0.25 and 0.75 s are counts 7 and 8).
    return BeatGrid.steady(120.0, 1.25, 10.0)


def test_frame_time_is_the_middle_and_survives_ms_rounding() -> None:
    for n in range(0, 400):
        ms = round(frame_time(n, FPS) * 1000)
        assert frame_index(ms / 1000, FPS) == n


def test_step_frame_forwards_backwards_and_clamped() -> None:
    t = frame_time(10, FPS)
    assert frame_index(step_frame(t, FPS, 1, 5.0), FPS) == 11
    assert frame_index(step_frame(t, FPS, -1, 5.0), FPS) == 9
    assert frame_index(step_frame(frame_time(0, FPS), FPS, -1, 5.0), FPS) == 0
    assert frame_index(step_frame(frame_time(149, FPS), FPS, 1, 5.0), FPS) == 149


def test_grid_counts_and_pickup() -> None:
    g = _grid()
    assert g.count_at(0.1) is None
    assert g.count_at(0.26) == 7 and g.count_at(0.75) == 8
    assert g.count_at(1.25) == 1 and g.count_at(1.7) == 1 and g.count_at(1.75) == 2
    assert g.count_at(1.25 + 7 * 0.5) == 8 and g.count_at(1.25 + 8 * 0.5) == 1
    assert g.tempo_bpm == pytest.approx(120.0)
    assert g.ones()[0] == pytest.approx(1.25)


def test_grid_from_song_analysis_dict_matches_song_count_at() -> None:
    import numpy as np

    times = np.arange(0.3, 9.0, 0.48)
    counts = (np.arange(len(times)) + 6) % 8 + 1  # starts on count 7
    beats, downbeats, phrases = build_grid(times, counts)
    song = SongAnalysis(duration=9.0, tempo_bpm=125.0, beats=beats, downbeats=downbeats,
                        phrases=phrases, sections=(), energy=(), embedding=np.zeros(128))
    grid = BeatGrid.from_dict(song.to_dict())
    assert grid is not None and len(grid) == len(times)
    for t in np.linspace(0.0, 9.0, 181):
        assert grid.count_at(float(t)) == song.count_at(float(t))
    assert BeatGrid.from_dict(None) is None and BeatGrid.from_dict({"beats": []}) is None
    assert BeatGrid.from_dict({"beats": [[0.5, 1], [1.0, 2]]}).counts == (1, 2)


def test_loop_jumps_within_one_frame_of_b() -> None:
    loop = LoopRegion(1.0, 2.0)
    assert loop.next_position(1.5, FD) is None
    assert loop.next_position(2.0 - FD, FD) is None
    assert loop.next_position(2.0 - FD / 2, FD) == 1.0
    assert loop.next_position(2.3, FD) == 1.0
    # before A the playhead runs on to the loop; a disabled loop never jumps
    assert loop.next_position(0.5, FD) is None
    assert loop.with_enabled(False).next_position(2.0, FD) is None
    assert loop.time_to_jump(1.5, FD, 0.5) == pytest.approx((2.0 - FD / 2 - 1.5) / 0.5)


def test_loop_between_orders_and_edits() -> None:
    loop = LoopRegion.between(3.0, 1.0)
    assert (loop.a, loop.b) == (1.0, 3.0)
    assert loop.with_a(2.0).a == 2.0 and loop.with_b(2.5).b == 2.5
    moved = loop.with_a(4.0)  # A past B pushes B just after it
    assert moved.a == 4.0 and moved.b > moved.a


def test_nudges_by_frame_beat_and_eight_count() -> None:
    g = _grid()
    t = 1.75  # count 2
    assert nudge(t, NudgeUnit.BEAT, +1, FPS, g, 10.0) == pytest.approx(2.25)
    assert nudge(t, NudgeUnit.BEAT, -1, FPS, g, 10.0) == pytest.approx(1.25)
    assert nudge(t, NudgeUnit.EIGHT, +1, FPS, g, 10.0) == pytest.approx(5.75)
    assert nudge(5.75, NudgeUnit.EIGHT, -1, FPS, g, 10.0) == pytest.approx(1.75)
    assert nudge(1.6, NudgeUnit.BEAT, +1, FPS, g, 10.0) == pytest.approx(1.75)  # off-beat: next beat
    assert frame_index(nudge(t, NudgeUnit.FRAME, +1, FPS, g, 10.0), FPS) == frame_index(t, FPS) + 1
    assert nudge(t, NudgeUnit.BEAT, +1, FPS, None, 10.0) == t  # no grid: unchanged
    assert nudge(9.9, NudgeUnit.EIGHT, +1, FPS, g, 10.0) == 10.0  # clamped to the clip


def test_snap_prefers_a_close_beat_then_frames() -> None:
    g = _grid()
    assert snap(1.77, FPS, g) == pytest.approx(1.75)
    assert snap(1.40, FPS, g) == pytest.approx(frame_index(1.40, FPS) / FPS)
    assert snap(1.40, FPS, None) == pytest.approx(42 / 30)


def test_loop_phrase_is_the_eight_count_around_t() -> None:
    g = _grid()
    loop = loop_phrase(g, 2.0, 10.0)
    assert loop is not None and (loop.a, loop.b) == pytest.approx((1.25, 5.25))
    loop = loop_phrase(g, 0.3, 10.0)  # pickup: the phrase before the first "1", clipped at 0
    assert loop is not None and loop.a == 0.0 and loop.b == pytest.approx(1.25)
    assert loop_phrase(None, 2.0, 10.0) is None


def test_speed_steps_cover_quarter_to_one_and_a_half() -> None:
    assert SPEED_STEPS[0] == MIN_SPEED == 0.25 and SPEED_STEPS[-1] == MAX_SPEED == 1.5
    assert step_speed(1.0, +1) == 1.1 and step_speed(1.0, -1) == 0.95
    assert step_speed(1.5, +1) == 1.5 and step_speed(0.25, -1) == 0.25
    assert step_speed(0.33, +1) == 0.4  # off-step values go to the next step


def test_speed_trainer_raises_every_n_loops_up_to_target() -> None:
    tr = SpeedTrainer(start=0.5, step=0.2, target=1.0, every=3)
    assert [tr.speed_after(n) for n in range(0, 12)] == [0.5, 0.5, 0.5, 0.7, 0.7, 0.7, 0.9, 0.9,
                                                          0.9, 1.0, 1.0, 1.0]
    assert not tr.finished(8) and tr.finished(9)
    with pytest.raises(ValueError):
        SpeedTrainer(start=1.2, target=1.0)
    with pytest.raises(ValueError):
        SpeedTrainer(every=0)


def test_frame_index_tolerates_microsecond_rounded_frame_times() -> None:
    # Qt reports frame start times in whole microseconds: 31/30 s comes as 1.033333 s.
    assert frame_index(1.033333, FPS) == 31 and frame_index(0.933333, FPS) == 28
    assert frame_index(step_frame(1.033333, FPS, 1, 5.0), FPS) == 32
