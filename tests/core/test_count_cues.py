"""When counts, clicks, the count-in and move names sound in a counted practice track."""

from __future__ import annotations

import numpy as np
import pytest

from bachata_desktop.core.count_cues import check_span, check_speed, plan_cues
from bachata_desktop.core.errors import InputError

P = 0.5
TIMES = np.arange(1.0, 41.0, P)            # "1" on the first beat
COUNTS = np.arange(TIMES.size) % 8 + 1


def test_counts_land_on_the_beats_scaled_by_the_speed_and_ones_are_accented():
    plan = plan_cues(TIMES, COUNTS, 1.0, 21.0, 0.75, mode="click")
    beats = [c for c in plan.cues if c.kind == "count"]
    assert len(beats) == 40
    expected = (TIMES[(TIMES >= 1.0) & (TIMES < 21.0)] - 1.0) / 0.75
    assert np.allclose([c.time for c in beats], expected)
    assert [c.count for c in beats if c.accent] == [1] * 5
    assert plan.duration == pytest.approx(20.0 / 0.75)


def test_six_steps_leave_the_taps_silent_but_clicks_keep_every_beat():
    voice = plan_cues(TIMES, COUNTS, 1.0, 9.0, 1.0, mode="voice", steps="six")
    assert sorted({c.count for c in voice.cues}) == [1, 2, 3, 5, 6, 7]
    click = plan_cues(TIMES, COUNTS, 1.0, 9.0, 1.0, mode="click", steps="six")
    assert sorted({c.count for c in click.cues}) == list(range(1, 9))


def test_count_in_says_five_to_eight_at_the_slowed_tempo_before_the_first_one():
    plan = plan_cues(TIMES, COUNTS, 1.0, 9.0, 0.5, mode="voice", count_in=True)
    assert plan.count_in_s == pytest.approx(4 * P / 0.5)
    lead = [c for c in plan.cues if c.kind == "count_in"]
    assert [c.count for c in lead] == [5, 6, 7, 8]
    assert [c.time for c in lead] == pytest.approx([0.0, 1.0, 2.0, 3.0])
    first = next(c for c in plan.cues if c.kind == "count")
    assert first.time == pytest.approx(4.0) and first.count == 1


def test_move_names_are_called_on_the_five_before_and_drop_the_counts_they_cover():
    plan = plan_cues(TIMES, COUNTS, 1.0, 21.0, 1.0, mode="voice", names=[(5.0, "Cross body lead")],
                     name_len_s=0.8)
    name = next(c for c in plan.cues if c.kind == "name")
    assert name.time == pytest.approx(2.0)                 # the "5" of the phrase before 5.0 s
    spoken = {round(c.time, 3) for c in plan.cues if c.kind == "count"}
    assert 2.0 not in spoken and 2.5 not in spoken and 3.0 in spoken


@pytest.mark.parametrize(("start", "end", "why"), [
    (-1.0, 10.0, "outside the song"), (50.0, 60.0, "outside the song"), (10.0, 5.0, "not after"),
    (10.0, 90.0, "after the end"), (10.0, 10.5, "shorter than one second"),
])
def test_impossible_spans_get_one_clear_line(start, end, why):
    with pytest.raises(InputError, match=why) as err:
        check_span(start, end, 41.0)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("speed", [0.3, 1.5, float("nan")])
def test_speed_outside_half_to_full_is_refused(speed):
    with pytest.raises(InputError, match="speed"):
        check_speed(speed)
