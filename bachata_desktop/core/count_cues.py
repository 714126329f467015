"""When each count, click and move name sounds in a counted practice track (pure timing, no audio).

The practice track (``services/practice_audio``), the live count (``ui/live_count``) and the class
mode read the same rules from here, so what a student hears at home is what the class hears:

- Output time of a song time ``t``: ``count_in_s + (t - start) / speed`` (the music is slowed with
  its pitch kept, so every beat moves by exactly that mapping).
- ``steps="eight"`` speaks every count; ``"six"`` only the steps (1 2 3, 5 6 7), the taps on 4 and
  8 are left silent. A click sounds on every beat whatever ``steps`` says; the "1" is accented.
- The count-in is four beats ("5 6 7 8") at the slowed local tempo before the first beat of the
  span, so the first counted beat of the music keeps the cadence of the count-in.
- A move name is called on the "5" of the phrase before the move starts (one phrase ahead, on the
  lead-in counts where instructors call it); in voice mode the spoken counts it would talk over are
  dropped, clicks are kept.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bachata_desktop.core.errors import InputError

MIN_SPEED = 0.5
MAX_SPEED = 1.0
COUNT_IN_BEATS = 4
COUNT_MODES = ("voice", "click", "none")
STEP_MODES = ("eight", "six")
LANGS = ("en", "es")
SIX_STEPS = frozenset({1, 2, 3, 5, 6, 7})
# Words for the UI (the samples say the same words).
COUNT_WORDS = {
    "en": ("one", "two", "three", "four", "five", "six", "seven", "eight"),
    "es": ("uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho"),
}


@dataclass(frozen=True)
class Cue:
    """One sound of the count track at ``time`` seconds of output.

    ``kind``: "count" (a beat of the music), "count_in" (before the music) or "name" (a move call).
    """

    time: float
    kind: str
    count: int = 0
    accent: bool = False
    text: str = ""


@dataclass(frozen=True)
class CuePlan:
    cues: tuple[Cue, ...]
    start: float           # span in song seconds
    end: float
    speed: float
    count_in_s: float      # silence (with the count-in) before the music, output seconds

    @property
    def duration(self) -> float:
        """Output length: the slowed span plus the count-in."""
        return self.count_in_s + (self.end - self.start) / self.speed

    def out_time(self, song_t: float) -> float:
        return self.count_in_s + (song_t - self.start) / self.speed


def check_span(start: float | None, end: float | None, duration: float) -> tuple[float, float]:
    """The span ``[start, end]`` clamped to the song; InputError (one line) when it is impossible."""
    a = 0.0 if start is None else float(start)
    b = duration if end is None else float(end)
    if not (np.isfinite(a) and np.isfinite(b)):
        raise InputError("the span must be two finite times in seconds")
    if a < 0 or a >= duration:
        raise InputError(f"the span starts at {a:.2f} s, outside the song (0 to {duration:.2f} s)")
    if b <= a:
        raise InputError(f"the span ends at {b:.2f} s, not after its start at {a:.2f} s")
    if b > duration + 0.05:
        raise InputError(f"the span ends at {b:.2f} s, after the end of the song ({duration:.2f} s)")
    if b - a < 1.0:
        raise InputError(f"the span {a:.2f}-{b:.2f} s is shorter than one second")
    return a, min(b, duration)


def check_speed(speed: float) -> float:
    s = float(speed)
    if not (MIN_SPEED - 1e-9 <= s <= MAX_SPEED + 1e-9):
        raise InputError(f"speed {speed} is outside {MIN_SPEED}-{MAX_SPEED} (0.75 = three quarters)")
    return s


def local_period(times: Sequence[float] | np.ndarray, start: float, end: float,
                 fallback: float = 0.5) -> float:
    """The median beat period inside the span (the tempo there), ``fallback`` with too few beats."""
    t = np.asarray(times, dtype=np.float64)
    inside = t[(t >= start - 1.0) & (t <= end + 1.0)]
    d = np.diff(inside)
    d = d[d > 0.2]
    return float(np.median(d)) if d.size else float(fallback)


def plan_cues(times: Sequence[float] | np.ndarray, counts: Sequence[int] | np.ndarray, start: float,
              end: float, speed: float, mode: str = "voice", steps: str = "eight",
              count_in: bool = False, names: Sequence[tuple[float, str]] = (),
              name_len_s: float = 1.0, fallback_period: float = 0.5) -> CuePlan:
    """The cues of a counted track of the span ``[start, end]`` (song seconds) at ``speed``.

    ``times``/``counts``: the (corrected) beat grid. ``names``: (song time the move starts, name).
    ``name_len_s``: how long a spoken name lasts in output seconds (which counts it talks over).
    """
    if mode not in COUNT_MODES:
        raise InputError(f"counts must be one of {', '.join(COUNT_MODES)}, not {mode!r}")
    if steps not in STEP_MODES:
        raise InputError(f"steps must be one of {', '.join(STEP_MODES)}, not {steps!r}")
    speed = check_speed(speed)
    t = np.asarray(times, dtype=np.float64)
    c = np.asarray(counts, dtype=np.int64)
    period = local_period(t, start, end, fallback_period)
    count_in_s = COUNT_IN_BEATS * period / speed if count_in else 0.0
    out: list[Cue] = []

    def out_t(song_t: float) -> float:
        return count_in_s + (song_t - start) / speed

    in_span = [(float(bt), int(bc)) for bt, bc in zip(t, c, strict=True) if start - 1e-6 <= bt < end]
    if count_in and mode != "none":
        first_out = out_t(in_span[0][0]) if in_span else count_in_s
        first_count = in_span[0][1] if in_span else 1
        for k in range(COUNT_IN_BEATS, 0, -1):
            when = first_out - k * period / speed
            if when < -1e-9:
                continue
            n = (first_count - 1 - k) % 8 + 1
            out.append(Cue(max(0.0, when), "count_in", n, n == 1))
    calls: list[tuple[float, float]] = []    # (from, to) output seconds a name is spoken
    if names:
        beat_list = [bt for bt, _ in zip(t, c, strict=True)]
        for move_t, name in names:
            if not (start - 1e-6 <= move_t < end) or not name:
                continue
            i = bisect.bisect_left(beat_list, move_t - 0.05)
            call_song_t = float(beat_list[i - 4]) if i >= 4 else move_t - 4 * period
            when = max(0.0, out_t(call_song_t)) if call_song_t >= start else 0.0
            out.append(Cue(when, "name", 0, False, name))
            calls.append((when, when + name_len_s))
    if mode != "none":
        for bt, bc in in_span:
            if mode == "voice" and steps == "six" and bc not in SIX_STEPS:
                continue
            when = out_t(bt)
            if mode == "voice" and any(a - 0.05 <= when < b for a, b in calls):
                continue
            out.append(Cue(when, "count", bc, bc == 1))
    out.sort(key=lambda q: (q.time, q.kind))
    return CuePlan(tuple(out), start, end, speed, count_in_s)


__all__ = ["COUNT_IN_BEATS", "COUNT_MODES", "COUNT_WORDS", "LANGS", "MAX_SPEED", "MIN_SPEED", "SIX_STEPS",
           "STEP_MODES", "Cue", "CuePlan", "check_span", "check_speed", "local_period", "plan_cues"]
