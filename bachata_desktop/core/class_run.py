"""What the run-the-class screen shows at a moment: the count, the move, the next move, the timers.

Pure functions of time so the full-screen view (``ui/class_mode``) only reads them:

- :class:`RoutineClock`: a choreography (or a bare song) on its beat grid. At a song time it gives
  the count, the current move, the next move with the counts and seconds left until it starts,
  the section name, and where the current 8-count phrase began (for "restart the phrase").
- :class:`PlanClock`: a class plan's items laid end to end by their minutes. At an elapsed time it
  gives the current item, its segment, elapsed and remaining time, and the next item.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Move:
    start: float
    end: float
    name: str


@dataclass(frozen=True)
class RoutineState:
    count: int | None              # 1..8, None before the first beat
    move: str                      # the move being danced ("" outside the choreography)
    next_move: str                 # the next move ("" at the end)
    counts_to_next: int | None     # beats until the next move starts
    seconds_to_next: float | None  # song seconds until the next move starts
    section: str
    phrase_start: float            # song time of the current phrase's "1" (restart target)


class RoutineClock:
    """A song's grid with (optionally) a choreography's moves on it."""

    def __init__(self, times: Sequence[float], counts: Sequence[int], moves: Sequence[Move] = (),
                 sections: Sequence[tuple[float, float, str]] = ()) -> None:
        self.times = [float(t) for t in times]
        self.counts = [int(c) for c in counts]
        self.moves = sorted(moves, key=lambda m: m.start)
        self.sections = list(sections)
        self._ones = [t for t, c in zip(self.times, self.counts, strict=True) if c == 1]

    @classmethod
    def from_analysis(cls, analysis: Any, choreography: Any = None) -> RoutineClock:
        """From a ``SongAnalysis`` and a ``Choreography`` (or None: counts and sections only)."""
        from bachata_desktop.core.clip import move_title

        moves = []
        if choreography is not None:
            moves = [Move(float(s.start), float(s.end), move_title(s.name) if s.name else s.category)
                     for s in choreography.slots]
        sections = [(s.start, s.end, s.label.value) for s in analysis.sections]
        return cls([b.time for b in analysis.beats], [b.count for b in analysis.beats], moves, sections)

    def _beats_between(self, a: float, b: float) -> int:
        return bisect.bisect_left(self.times, b - 1e-3) - bisect.bisect_left(self.times, a - 1e-3)

    def phrase_start(self, t: float) -> float:
        """The "1" at or before ``t`` (the song's start before the first "1")."""
        i = bisect.bisect_right(self._ones, t + 1e-3) - 1
        return self._ones[i] if i >= 0 else 0.0

    def state(self, t: float) -> RoutineState:
        i = bisect.bisect_right(self.times, t + 1e-3) - 1
        count = self.counts[i] if i >= 0 else None
        k = bisect.bisect_right([m.start for m in self.moves], t + 1e-3) - 1
        move = self.moves[k].name if k >= 0 and t < self.moves[k].end + 1e-3 else ""
        nxt = self.moves[k + 1] if k + 1 < len(self.moves) else None
        section = next((lab for a, b, lab in self.sections if a <= t < b), "")
        if nxt is None:
            return RoutineState(count, move, "", None, None, section, self.phrase_start(t))
        return RoutineState(count, move, nxt.name, self._beats_between(t, nxt.start),
                            max(0.0, nxt.start - t), section, self.phrase_start(t))


@dataclass(frozen=True)
class PlanStep:
    segment: str
    title: str
    seconds: float
    kind: str = "exercise"
    ref_id: int | None = None


@dataclass(frozen=True)
class PlanState:
    index: int                 # current step (len(steps) once the plan is over)
    step: PlanStep | None
    elapsed: float             # in the current step
    remaining: float           # of the current step
    next_title: str
    total_elapsed: float
    total_remaining: float


class PlanClock:
    """A class plan's items end to end, by their minutes."""

    def __init__(self, steps: Sequence[PlanStep]) -> None:
        self.steps = list(steps)
        self.starts: list[float] = []
        acc = 0.0
        for s in self.steps:
            self.starts.append(acc)
            acc += s.seconds
        self.total = acc

    @classmethod
    def from_plan(cls, plan: Any) -> PlanClock:
        steps = [PlanStep(seg.display_title, item.title or seg.display_title,
                          max(0.0, float(item.duration_min)) * 60.0, item.kind.value, item.ref_id)
                 for seg in plan.segments for item in seg.items]
        return cls(steps)

    def start_of(self, index: int) -> float:
        if index <= 0 or not self.steps:
            return 0.0
        return self.starts[index] if index < len(self.steps) else self.total

    def state(self, elapsed: float) -> PlanState:
        e = max(0.0, float(elapsed))
        i = bisect.bisect_right(self.starts, e) - 1 if self.steps else 0
        while 0 <= i < len(self.steps) and e >= self.starts[i] + self.steps[i].seconds:
            i += 1                  # zero-minute items are passed over
        if not self.steps or i >= len(self.steps):
            return PlanState(len(self.steps), None, 0.0, 0.0, "", min(e, self.total), 0.0)
        step = self.steps[i]
        into = e - self.starts[i]
        nxt = self.steps[i + 1].title if i + 1 < len(self.steps) else ""
        return PlanState(i, step, into, step.seconds - into, nxt, e, max(0.0, self.total - e))


def clock_text(seconds: float) -> str:
    s = max(0, int(round(seconds)))
    return f"{s // 60}:{s % 60:02d}"


__all__ = ["Move", "PlanClock", "PlanState", "PlanStep", "RoutineClock", "RoutineState", "clock_text"]
