"""Run-the-class state: count, current/next move with countdown, section, phrase start, plan timers."""

from __future__ import annotations

import pytest

from bachata_desktop.core.class_run import Move, PlanClock, PlanStep, RoutineClock, clock_text

TIMES = [0.5 + 0.5 * i for i in range(40)]
COUNTS = [(i + 6) % 8 + 1 for i in range(40)]      # two pickup beats (7, 8), the first "1" at 1.5 s


def _clock() -> RoutineClock:
    moves = [Move(1.5, 5.5, "Basic"), Move(5.5, 9.5, "Cross body lead"), Move(9.5, 13.5, "Lady turn")]
    return RoutineClock(TIMES, COUNTS, moves, [(0.0, 9.5, "intro"), (9.5, 30.0, "chorus")])


def test_count_move_and_countdown_to_the_next_move():
    st = _clock().state(3.6)
    assert st.count == 5 and st.move == "Basic" and st.next_move == "Cross body lead"
    assert st.counts_to_next == 3 and st.seconds_to_next == pytest.approx(1.9)  # 6 7 8
    assert st.section == "intro" and st.phrase_start == pytest.approx(1.5)
    last = _clock().state(10.0)
    assert last.move == "Lady turn" and last.next_move == "" and last.section == "chorus"
    assert _clock().state(0.2).count is None and _clock().state(1.0).count == 8


def test_restart_phrase_goes_back_to_the_one():
    c = _clock()
    assert c.phrase_start(7.4) == pytest.approx(5.5)
    assert c.phrase_start(1.0) == 0.0


def test_plan_clock_walks_items_by_their_minutes_and_skips_empty_ones():
    p = PlanClock([PlanStep("Warm-up", "Basics", 120), PlanStep("Patterns", "Empty", 0),
                   PlanStep("Patterns", "Cross body lead", 300)])
    s = p.state(30)
    assert (s.index, s.step.title, s.elapsed, s.remaining, s.next_title) == (0, "Basics", 30, 90, "Empty")
    s = p.state(150)
    assert s.index == 2 and s.elapsed == pytest.approx(30) and s.remaining == pytest.approx(270)
    assert s.total_remaining == pytest.approx(270)
    assert p.state(1000).step is None and p.start_of(2) == 120
    assert clock_text(125) == "2:05"
