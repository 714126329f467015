"""Loop, step and speed rules of the practice player, kept free of Qt so they can be tested alone.

The player (``ui/player``) only drives ``QMediaPlayer``: every decision about where the playhead
goes next lives here. All times are in seconds (floats); the UI converts to Qt's milliseconds.

- Frames: frame ``n`` of a clip at ``fps`` covers ``[n/fps, (n+1)/fps)``; seeking to its middle,
  :func:`frame_time`, lands on exactly that frame whatever the rounding to whole milliseconds.
- :class:`BeatGrid`: the beat times and their 1-8 counts of a clip or song (from a stored
  ``SongAnalysis`` dict), with the look-ups the player needs (count at a time, next/previous beat,
  the 8-count around a time).
- :class:`LoopRegion`: an A-B loop; :meth:`LoopRegion.next_position` says where to jump.
- :func:`nudge`: move a time (A, B or the playhead) by a frame, a beat or an 8-count.
- :data:`SPEED_STEPS` / :func:`step_speed` and :class:`SpeedTrainer` (raise the speed every N loops).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

COUNTS = 8
EPS = 1e-6

# Playback speeds offered by the player: small steps where instructors practise (0.5-1.0).
SPEED_STEPS: tuple[float, ...] = (0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0,
                                  1.1, 1.2, 1.25, 1.3, 1.4, 1.5)
MIN_SPEED = SPEED_STEPS[0]
MAX_SPEED = SPEED_STEPS[-1]


class NudgeUnit(str, Enum):
    FRAME = "frame"
    BEAT = "beat"
    EIGHT = "8-count"


# ----------------------------------------------------------------------------------------------
# Frames
# ----------------------------------------------------------------------------------------------
def frame_count(duration: float, fps: float) -> int:
    """Number of frames of a clip of ``duration`` seconds (at least 1)."""
    return max(1, int(math.ceil(duration * fps - 1e-3)))


def frame_index(t: float, fps: float) -> int:
    """Index of the frame shown at time ``t``."""
    return max(0, int(math.floor(t * fps + 1e-3)))  # frame times come rounded to microseconds


def frame_time(n: int, fps: float) -> float:
    """Seek target for frame ``n``: its middle, so rounding to milliseconds never leaves it."""
    return (max(0, n) + 0.5) / fps


def step_frame(t: float, fps: float, delta: int, duration: float) -> float:
    """The middle of the frame ``delta`` frames from the one at ``t``, clamped to the clip."""
    last = frame_count(duration, fps) - 1 if duration > 0 else 1 << 30
    n = min(max(frame_index(t, fps) + delta, 0), last)
    return frame_time(n, fps)


# ----------------------------------------------------------------------------------------------
# Beat grid
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BeatGrid:
    """Beat times (ascending, seconds) with their counts 1..8."""

    times: tuple[float, ...]
    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.times) != len(self.counts):
            raise ValueError("a beat grid needs one count per beat time")

    # -- construction --
    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[float, int]]) -> BeatGrid:
        items = sorted((float(t), int(c)) for t, c in pairs)
        return cls(tuple(t for t, _ in items), tuple((c - 1) % COUNTS + 1 for _, c in items))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> BeatGrid | None:
        """From a stored ``SongAnalysis`` dict (``beats``: ``{"time", "count"}``); None if empty.

        Also accepts ``beats`` as ``[time, count]`` pairs, or bare ``times`` + ``counts`` lists.
        """
        if not d:
            return None
        beats = d.get("beats")
        pairs: list[tuple[float, int]] = []
        if beats:
            for i, b in enumerate(beats):
                if isinstance(b, Mapping):
                    pairs.append((float(b["time"]), int(b.get("count", i % COUNTS + 1))))
                else:
                    pairs.append((float(b[0]), int(b[1])))
        elif d.get("times"):
            counts = d.get("counts") or [i % COUNTS + 1 for i in range(len(d["times"]))]
            pairs = [(float(t), int(c)) for t, c in zip(d["times"], counts, strict=False)]
        return cls.from_pairs(pairs) if pairs else None

    @classmethod
    def steady(cls, tempo_bpm: float, first_one: float, duration: float) -> BeatGrid:
        """A steady grid at ``tempo_bpm`` whose "1" falls at ``first_one`` (pickup beats before)."""
        period = 60.0 / tempo_bpm
        k0 = -int(math.floor(first_one / period + EPS))
        k1 = int(math.floor((duration - first_one) / period + EPS))
        return cls.from_pairs((first_one + k * period, k % COUNTS + 1) for k in range(k0, k1 + 1))

    def to_dict(self) -> dict[str, Any]:
        return {"beats": [{"time": round(t, 4), "count": c} for t, c in
                          zip(self.times, self.counts, strict=True)]}

    # -- look-ups --
    def __len__(self) -> int:
        return len(self.times)

    @property
    def period(self) -> float:
        """Median beat period in seconds (0.5 s if the grid has fewer than two beats)."""
        if len(self.times) < 2:
            return 0.5
        diffs = sorted(b - a for a, b in zip(self.times[:-1], self.times[1:], strict=True))
        return diffs[len(diffs) // 2]

    @property
    def tempo_bpm(self) -> float:
        return 60.0 / self.period

    def beat_index_at(self, t: float) -> int:
        """Index of the last beat at or before ``t`` (-1 before the first beat)."""
        return bisect.bisect_right(self.times, t + EPS) - 1

    def count_at(self, t: float) -> int | None:
        """The count 1..8 sounding at ``t``; None before the first beat or a beat after the last."""
        i = self.beat_index_at(t)
        if i < 0 or t > self.times[-1] + self.period:
            return None
        return self.counts[i]

    def next_beat(self, t: float) -> float | None:
        """First beat strictly after ``t`` (beyond the grid: extrapolated by the period)."""
        if not self.times:
            return None
        i = bisect.bisect_right(self.times, t + 1e-3)
        if i < len(self.times):
            return self.times[i]
        last = self.times[-1]
        return last + (math.floor((t + 1e-3 - last) / self.period) + 1) * self.period

    def prev_beat(self, t: float) -> float | None:
        """Last beat strictly before ``t`` (None before the first beat)."""
        i = bisect.bisect_left(self.times, t - 1e-3) - 1
        return self.times[i] if i >= 0 else None

    def nearest_beat(self, t: float) -> float | None:
        if not self.times:
            return None
        i = bisect.bisect_left(self.times, t)
        cands = [self.times[j] for j in (i - 1, i) if 0 <= j < len(self.times)]
        return min(cands, key=lambda b: abs(b - t))

    def ones(self) -> tuple[float, ...]:
        """Times of the "1"s (phrase starts)."""
        return tuple(t for t, c in zip(self.times, self.counts, strict=True) if c == 1)

    def phrase_around(self, t: float) -> tuple[float, float] | None:
        """(start, end) of the 8-count containing ``t``: from its "1" to the next "1"."""
        if not self.times:
            return None
        i = max(self.beat_index_at(t), 0)
        start_i = i - (self.counts[i] - 1)
        start = (self.times[start_i] if start_i >= 0
                 else self.times[0] - (self.counts[0] - 1) * self.period)
        end_i = start_i + COUNTS
        end = (self.times[end_i] if 0 <= end_i < len(self.times)
               else start + COUNTS * self.period)
        return start, end


# ----------------------------------------------------------------------------------------------
# Nudges, snapping
# ----------------------------------------------------------------------------------------------
def nudge(t: float, unit: NudgeUnit, direction: int, fps: float, grid: BeatGrid | None,
          duration: float) -> float:
    """``t`` moved by one frame, beat or 8-count (8 beats) forwards (+1) or backwards (-1).

    Frames land on frame middles. Beats land on beats of the grid; without a grid a beat or
    8-count nudge leaves ``t`` unchanged. The result stays inside ``[0, duration]``.
    """
    step = 1 if direction >= 0 else -1
    if unit is NudgeUnit.FRAME:
        return step_frame(t, fps, step, duration)
    if grid is None or not len(grid):
        return t
    out = t
    for _ in range(COUNTS if unit is NudgeUnit.EIGHT else 1):
        nxt = grid.next_beat(out) if step > 0 else grid.prev_beat(out)
        if nxt is None:
            break
        out = nxt
    return min(max(out, 0.0), duration) if duration > 0 else max(out, 0.0)


def snap(t: float, fps: float, grid: BeatGrid | None, tolerance: float = 0.08) -> float:
    """Snap ``t`` to a beat within ``tolerance`` seconds, else to the start of its frame."""
    if grid is not None and len(grid):
        b = grid.nearest_beat(t)
        if b is not None and abs(b - t) <= tolerance:
            return b
    return frame_index(t, fps) / fps


# ----------------------------------------------------------------------------------------------
# A-B loop
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoopRegion:
    """Play from ``a`` to ``b`` (seconds) and jump back to ``a``; ``enabled`` = loop on."""

    a: float
    b: float
    enabled: bool = True

    def __post_init__(self) -> None:
        if not (math.isfinite(self.a) and math.isfinite(self.b)):
            raise ValueError("loop points must be finite")

    @classmethod
    def between(cls, t1: float, t2: float, enabled: bool = True, min_len: float = 0.05) -> LoopRegion:
        """A loop between two times in any order, at least ``min_len`` long."""
        a, b = sorted((max(0.0, t1), max(0.0, t2)))
        return cls(a, max(b, a + min_len), enabled)

    @property
    def length(self) -> float:
        return self.b - self.a

    def contains(self, t: float) -> bool:
        return self.a - EPS <= t < self.b

    def should_jump(self, pos: float, frame_dur: float) -> bool:
        """True when the playhead is within half a frame of B (or past it) while looping.

        Jumping half a frame early means the frame that would cross B is never shown, and the
        jump happens within one frame of B.
        """
        return self.enabled and self.a - frame_dur < pos and pos >= self.b - frame_dur / 2

    def next_position(self, pos: float, frame_dur: float) -> float | None:
        """Where the playhead goes now: ``a`` if it must jump back, else None (keep playing)."""
        return self.a if self.should_jump(pos, frame_dur) else None

    def time_to_jump(self, pos: float, frame_dur: float, rate: float) -> float | None:
        """Wall-clock seconds until :meth:`should_jump` becomes true at playback ``rate``."""
        if not self.enabled or rate <= 0 or pos <= self.a - frame_dur:
            return None
        return max(0.0, (self.b - frame_dur / 2 - pos) / rate)

    def with_a(self, a: float) -> LoopRegion:
        return LoopRegion.between(a, self.b if self.b > a else a + 0.05, self.enabled)

    def with_b(self, b: float) -> LoopRegion:
        return LoopRegion.between(self.a if self.a < b else max(0.0, b - 0.05), b, self.enabled)

    def with_enabled(self, enabled: bool) -> LoopRegion:
        return LoopRegion(self.a, self.b, enabled)


def loop_whole(duration: float) -> LoopRegion:
    return LoopRegion.between(0.0, duration)


def loop_phrase(grid: BeatGrid | None, t: float, duration: float) -> LoopRegion | None:
    """The 8-count containing ``t`` as a loop (clipped to the clip), or None without a grid."""
    if grid is None or not len(grid):
        return None
    span = grid.phrase_around(t)
    if span is None:
        return None
    a, b = max(0.0, span[0]), min(duration, span[1]) if duration > 0 else span[1]
    return LoopRegion.between(a, b) if b > a else None


# ----------------------------------------------------------------------------------------------
# Speed
# ----------------------------------------------------------------------------------------------
def clamp_speed(speed: float) -> float:
    return min(MAX_SPEED, max(MIN_SPEED, round(float(speed), 3)))


def step_speed(speed: float, direction: int) -> float:
    """The next speed step above (+1) or below (-1) ``speed`` (clamped to 0.25..1.5)."""
    if direction > 0:
        higher = [s for s in SPEED_STEPS if s > speed + EPS]
        return higher[0] if higher else MAX_SPEED
    lower = [s for s in SPEED_STEPS if s < speed - EPS]
    return lower[-1] if lower else MIN_SPEED


@dataclass(frozen=True)
class SpeedTrainer:
    """Start at ``start`` and raise the speed by ``step`` after every ``every`` loops up to ``target``."""

    start: float = 0.5
    step: float = 0.1
    target: float = 1.0
    every: int = 2

    def __post_init__(self) -> None:
        if not (MIN_SPEED - EPS <= self.start <= self.target + EPS <= MAX_SPEED + 2 * EPS):
            raise ValueError("the trainer needs 0.25 <= start <= target <= 1.5")
        if self.step <= 0 or self.every < 1:
            raise ValueError("the trainer needs a positive step and every >= 1 loop")

    def speed_after(self, loops: int) -> float:
        """The speed to play at after ``loops`` completed loops."""
        raised = self.start + self.step * (max(0, loops) // self.every)
        return clamp_speed(min(self.target, raised))

    def finished(self, loops: int) -> bool:
        return self.speed_after(loops) >= self.target - EPS


__all__ = ["COUNTS", "MAX_SPEED", "MIN_SPEED", "SPEED_STEPS", "BeatGrid", "LoopRegion", "NudgeUnit",
           "SpeedTrainer", "clamp_speed", "frame_count", "frame_index", "frame_time", "loop_phrase",
           "loop_whole", "nudge", "snap", "step_frame", "step_speed"]
