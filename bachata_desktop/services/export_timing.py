"""Where every output frame of a choreography video comes from: song counts and clip times.

The video export needs two answers for each output frame: which count (1-8) of the *song* is
sounding, and which instant of which *clip* to show so that the clip's counts land on the song's
beats. Both are pure arithmetic on beat grids, kept here (numpy only, no I/O, no decoding) so they
can be tested and reasoned about apart from the encoder.

Retiming rule (DESIGN.md "Video export"): a slot plays its clip at a constant rate
``song tempo / clip tempo`` (folded by octaves into [0.7, 1.4], as the choreographer does, so a
half- or double-time grid does not play a clip at 2x), starting at the dancers' first "1" as the clip
analysis read it from the dance (``clip.extra["dance"]``, issue 15), else at the first "1" of the
clip's own beat grid (t=0 when the clip has no grid): the song's 1 meets the dancers' 1, not only
the soundtrack's. The song tempo is the slot's *local* beat period, so a song that drifts still
lands each slot's first count on its "1". A move shorter than its slot (a
4-count move danced twice) loops over its own counts; a clip that ends early holds its last frame.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bachata_desktop.core.choreography import Choreography, Slot
from bachata_desktop.core.song import beat_arrays

MIN_RATE, MAX_RATE = 0.7, 1.4


@dataclass(frozen=True)
class SongGrid:
    """The song's beats (seconds, ascending) and their counts 1..8."""

    times: np.ndarray
    counts: np.ndarray

    def count_at(self, t: float | np.ndarray) -> np.ndarray:
        """Count sounding at ``t`` (the last beat at or before it); 0 before the first beat."""
        i = np.searchsorted(self.times, np.asarray(t, dtype=np.float64) + 1e-6, side="right") - 1
        out = np.where(i >= 0, self.counts[np.clip(i, 0, None)], 0)
        return out.astype(np.int64)

    def period_between(self, start: float, end: float, fallback: float) -> float:
        """Median beat period of the beats in [start, end), or ``fallback``."""
        m = (self.times >= start - 1e-3) & (self.times < end - 1e-3)
        d = np.diff(self.times[m])
        d = d[(d > 0.2) & (d < 1.5)]
        return float(np.median(d)) if d.size else fallback


@dataclass(frozen=True)
class ClipGrid:
    """What the export needs from a clip's own beat grid: its first "1" and its beat period."""

    first_one: float = 0.0
    period: float | None = None


@dataclass(frozen=True)
class SlotPlan:
    """How one slot maps song time to clip time.

    ``clip_t = first_one + rate * (song_t - slot.start)``, wrapped into the move's own length
    ``loop_s`` (clip seconds) when the move repeats, and held on the clip's last frame past its end.
    """

    slot: Slot
    rate: float
    first_one: float
    loop_s: float | None
    clip_duration: float

    def clip_time(self, song_t: np.ndarray) -> np.ndarray:
        u = self.rate * (np.asarray(song_t, dtype=np.float64) - self.slot.start)
        u = np.maximum(u, 0.0)
        if self.loop_s is not None and self.loop_s > 0:
            u = np.mod(u + 1e-6, self.loop_s)  # a beat exactly on the wrap starts again
        last = max(0.0, self.clip_duration - 1e-3)
        return np.clip(self.first_one + u, 0.0, last)


def fold_rate(rate: float) -> float:
    """Fold a playback rate by octaves into [MIN_RATE, MAX_RATE] (1.0 if not a usable number)."""
    if not math.isfinite(rate) or rate <= 0:
        return 1.0
    while rate > MAX_RATE:
        rate /= 2.0
    while rate < MIN_RATE:
        rate *= 2.0
    return rate


def song_grid_from_analysis(d: Mapping[str, Any]) -> SongGrid | None:
    """Beats of a stored ``SongAnalysis`` dict (``{"beats": [{"time", "count"}, ...]}``)."""
    beats = beat_arrays(d)
    if beats is None or beats[0].size < 2 or np.any(np.diff(beats[0]) <= 0):
        return None
    return SongGrid(*beats)


def song_grid_from_choreography(choreo: Choreography) -> SongGrid:
    """Beats laid evenly through each phrase the choreography carries (or each slot without them).

    The phrases are the song analysis' 8-count grid at the time of generation, so this is the grid
    the slots were placed on; beats inside a phrase are spaced evenly from its "1".
    """
    times: list[float] = []
    counts: list[int] = []
    if choreo.phrases:
        spans = [(p.first_beat_s, p.end_s, p.counts) for p in choreo.phrases]
    else:
        spans = [(s.start, s.end, max(1, s.counts)) for s in choreo.slots]
    for start, end, n in sorted(spans):
        n = max(1, int(n))
        period = (end - start) / n
        for k in range(n):
            t = start + k * period
            if times and t <= times[-1] + 1e-6:
                continue
            times.append(t)
            counts.append(k % 8 + 1)
    return SongGrid(np.asarray(times, dtype=np.float64), np.asarray(counts, dtype=np.int64))


def dancers_one(extra: Mapping[str, Any] | None) -> float | None:
    """The dancers' first "1" (clip seconds) the analysis read from the dance, if any."""
    dance = (extra or {}).get("dance")
    t = dance.get("first_one_s") if isinstance(dance, Mapping) else None
    return float(t) if isinstance(t, (int, float)) and math.isfinite(t) and t >= 0 else None


def clip_grid_from_analysis(d: Mapping[str, Any] | None, fallback_bpm: float | None,
                            dancers_first_one: float | None = None) -> ClipGrid:
    """The clip's first "1" and beat period from its stored beat grid (a ``SongAnalysis`` dict).

    ``dancers_first_one`` (see :func:`dancers_one`) wins over the grid's first "1": where the dance
    and the soundtrack disagree, the export aligns the dance. Without a grid the clip is aligned at
    t=0 and its period comes from ``fallback_bpm`` (the tempo in the clip's metadata), or stays
    unknown.
    """
    period: float | None = 60.0 / fallback_bpm if fallback_bpm and fallback_bpm > 0 else None
    if not d:
        return ClipGrid(0.0, period)
    grid = song_grid_from_analysis(d)
    tempo = d.get("tempo_bpm") or d.get("tempo")
    try:
        tempo_f = float(tempo) if tempo is not None else 0.0
    except (TypeError, ValueError):
        tempo_f = 0.0
    if tempo_f > 0:
        period = 60.0 / tempo_f
    elif grid is not None:
        period = float(np.median(np.diff(grid.times)))
    first_one = 0.0
    if grid is not None:
        ones = grid.times[grid.counts == 1]
        if ones.size:
            first_one = float(ones[0])
    if dancers_first_one is not None:
        first_one = dancers_first_one
    return ClipGrid(max(0.0, first_one), period)


def plan_slot(slot: Slot, song: SongGrid, clip: ClipGrid, clip_counts: int, clip_duration: float,
              song_period_fallback: float) -> SlotPlan:
    """The retiming of one slot (see the module docstring for the rule)."""
    song_period = song.period_between(slot.start, slot.end, song_period_fallback)
    if clip.period and clip.period > 0:
        rate = fold_rate(clip.period / song_period)  # = song tempo / clip tempo
    else:
        rate = fold_rate(slot.rate)
    clip_period = song_period * rate  # the clip's beat period at the folded rate
    counts = max(1, int(clip_counts or 8))
    loop_s: float | None = None
    if slot.repeats > 1 or slot.counts > counts:
        loop_s = counts * clip_period
    return SlotPlan(slot, rate, clip.first_one, loop_s, max(0.0, clip_duration))


def span_of(slots: Sequence[Slot]) -> tuple[float, float]:
    """Start and end (song seconds) of the part of the song a choreography covers."""
    return min(s.start for s in slots), max(s.end for s in slots)


def next_names(slots: Sequence[Slot]) -> list[str]:
    """The name of the move after each slot ("" after the last)."""
    names = [s.name or s.category or f"clip {s.clip_id}" for s in slots]
    return [*names[1:], ""]


__all__ = ["ClipGrid", "SlotPlan", "SongGrid", "clip_grid_from_analysis", "dancers_one", "fold_rate",
           "next_names", "plan_slot", "song_grid_from_analysis", "song_grid_from_choreography",
           "span_of"]
