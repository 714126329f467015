"""A song's musical grid: beats with their 1-8 counts, phrases, sections, energy and embedding.

This is what the audio analysis produces and what the player's count overlay, the choreographer and
the video export read. It is plain data (no I/O): it round-trips through JSON for the store, and the
instructor's corrections (tap tempo, move the "1", nudge the grid) are applied by the pure function
:func:`apply_correction`, so a corrected grid is reproducible from the analysis plus the correction.

Conventions
-----------
- ``beats`` are in time order; each has ``count`` in 1..8 and ``phrase``, the index into
  ``phrases`` of the 8-count phrase it belongs to. Beats before the first "1" (a pickup) have
  ``phrase == -1``.
- ``phrases`` are the times of the "1"s (count 1), one per 8-count phrase.
- ``downbeats`` are bar downbeats in the 4/4 sense: the times of counts 1 and 5.
- ``energy`` has one value in [0, 1] per phrase (same length as ``phrases``).
- ``one_confidence`` (0..1) says how sure the analysis is of its "1" over the song, each section's
  ``confidence`` the same within it; ``grid_guess`` marks a grid from too little audio (a clip under
  ~8 s) to be more than a guess; ``count_changes`` are the times where the count changes phase
  (after a break), which the instructor sees and can undo with a "1 from here" fix; ``meter`` is the
  number of beats to the bar as measured (3 for a waltz: the 8-count grid is then a guess).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

import numpy as np

ANALYSIS_VERSION = 1
EMBEDDING_DIM = 128
COUNTS_PER_PHRASE = 8
# Revision of the rules that turn the audio into a grid, where the embedding does not change (so
# ANALYSIS_VERSION, which is also the audio embeddings' model id, stays): a stored song or clip grid
# made under older rules is analysed again once. 2: the tempo is folded into range by octaves only.
# 3: the "1" decided for the whole song from structural cues, beats moved onto the bass phase, a
# confidence per song and section, count changes only after breaks. 4: the confidence of the "1"
# from the margins of the bar and 1-vs-5 decisions, calibrated; clip grids carry the stamp too.
# 5: sections from per-cue changes, the best boundary set, alike neighbours merged (fewer, longer);
# the meter is measured (music in three is flagged, a slow waltz is no longer read at double tempo).
GRID_RULES = 5
UNSURE_ONE = 0.5     # a confidence of the "1" below this is called unsure (Songs view, generator)


class SectionLabel(str, Enum):
    INTRO = "intro"
    VERSE = "verse"      # "derecho": steady bongo
    CHORUS = "chorus"
    MAMBO = "mambo"      # "majao" / instrumental mambo: the most energetic
    OUTRO = "outro"

    @classmethod
    def parse(cls, value: str | None) -> SectionLabel:
        v = (value or "").strip().lower()
        aliases = {"derecho": cls.VERSE, "majao": cls.MAMBO, "bridge": cls.MAMBO}
        if v in aliases:
            return aliases[v]
        try:
            return cls(v)
        except ValueError:
            return cls.VERSE


@dataclass(frozen=True)
class Beat:
    time: float
    count: int       # 1..8
    phrase: int      # index into SongAnalysis.phrases, -1 for pickup beats before the first "1"


@dataclass(frozen=True)
class Section:
    start: float
    end: float
    label: SectionLabel
    energy: float    # 0..1, comparable with core.clip.Energy.value01
    confidence: float = 1.0   # of the "1" inside this section, 0..1


@dataclass(frozen=True)
class GridCorrection:
    """What an instructor changed: a tapped tempo, the "1" moved by whole beats, a time offset.

    ``one_shift`` = +1 means "the 1 is one beat later than the analysis said".
    ``ones_from`` are local fixes, ``(time, shift)`` sorted by time: from ``time`` up to the next
    fix, the "1" moves by ``shift`` beats more ("this beat is a 1 from here").
    ``tempo_hint_bpm`` is a tapped tempo used as a hint: the song is analysed again with its beats
    tracked near that tempo (the beats stay on the music); ``tempo_bpm`` is the older rigid grid.
    """

    tempo_bpm: float | None = None
    one_shift: int = 0
    offset_s: float = 0.0
    ones_from: tuple[tuple[float, int], ...] = ()
    tempo_hint_bpm: float | None = None

    @property
    def is_identity(self) -> bool:
        return (self.tempo_bpm is None and self.one_shift % COUNTS_PER_PHRASE == 0 and self.offset_s == 0.0
                and all(s % COUNTS_PER_PHRASE == 0 for _, s in self.ones_from))

    def with_one_from(self, time: float, shift: int) -> GridCorrection:
        """This correction plus a local fix at ``time`` (one at the same time is replaced)."""
        keep = [(t, s) for t, s in self.ones_from if abs(t - time) > 1e-3]
        fixes = tuple(sorted(keep + [(round(float(time), 4), int(shift) % COUNTS_PER_PHRASE)]))
        return replace(self, ones_from=tuple((t, s) for t, s in fixes if s or any(t2 < t for t2, _ in fixes)))

    def to_dict(self) -> dict[str, Any]:
        return {"tempo_bpm": self.tempo_bpm, "one_shift": int(self.one_shift),
                "offset_s": float(self.offset_s),
                "ones_from": [[float(t), int(s)] for t, s in self.ones_from],
                "tempo_hint_bpm": self.tempo_hint_bpm}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> GridCorrection:
        d = d or {}
        tempo, hint = d.get("tempo_bpm"), d.get("tempo_hint_bpm")
        fixes = tuple(sorted((float(t), int(s)) for t, s in (d.get("ones_from") or [])))
        return cls(tempo_bpm=None if tempo is None else float(tempo),
                   one_shift=int(d.get("one_shift", 0) or 0), offset_s=float(d.get("offset_s", 0.0) or 0.0),
                   ones_from=fixes, tempo_hint_bpm=None if hint is None else float(hint))


@dataclass(frozen=True)
class SongAnalysis:
    duration: float
    tempo_bpm: float
    beats: tuple[Beat, ...]
    downbeats: tuple[float, ...]
    phrases: tuple[float, ...]
    sections: tuple[Section, ...]
    energy: tuple[float, ...]
    embedding: np.ndarray = field(compare=False, hash=False, repr=False)
    sample_rate: int = 22050
    analysis_version: int = ANALYSIS_VERSION
    one_confidence: float = 1.0
    grid_guess: bool = False
    count_changes: tuple[float, ...] = ()
    meter: int = 4          # beats to the bar as measured: 3 when the music is in three (a waltz)

    # ----- look-ups used by the player, the choreographer and the export -----
    @property
    def beat_times(self) -> np.ndarray:
        return np.fromiter((b.time for b in self.beats), dtype=np.float64, count=len(self.beats))

    @property
    def beat_period(self) -> float:
        return 60.0 / self.tempo_bpm if self.tempo_bpm > 0 else 0.5

    def beat_index_at(self, time: float) -> int:
        """Index of the last beat at or before ``time`` (-1 before the first beat)."""
        times = [b.time for b in self.beats]
        return bisect.bisect_right(times, time + 1e-9) - 1

    def count_at(self, time: float) -> int | None:
        """The count (1..8) sounding at ``time``; None before the first beat or after the song."""
        i = self.beat_index_at(time)
        if i < 0 or time > self.duration + 1e-6:
            return None
        return self.beats[i].count

    def phrase_at(self, time: float) -> int:
        """Index into ``phrases`` of the phrase sounding at ``time``, -1 before the first "1"."""
        return bisect.bisect_right(list(self.phrases), time + 1e-9) - 1

    def section_at(self, time: float) -> Section | None:
        for s in self.sections:
            if s.start <= time < s.end:
                return s
        return self.sections[-1] if self.sections and time >= self.sections[-1].end else None

    # ----- serialisation -----
    def to_dict(self) -> dict[str, Any]:
        emb = np.asarray(self.embedding, dtype=np.float32).reshape(-1)
        return {
            "analysis_version": int(self.analysis_version),
            "duration": round(float(self.duration), 4),
            "tempo_bpm": round(float(self.tempo_bpm), 3),
            "sample_rate": int(self.sample_rate),
            "beats": [{"time": round(b.time, 4), "count": b.count, "phrase": b.phrase} for b in self.beats],
            "downbeats": [round(t, 4) for t in self.downbeats],
            "phrases": [round(t, 4) for t in self.phrases],
            "sections": [{"start": round(s.start, 4), "end": round(s.end, 4), "label": s.label.value,
                          "energy": round(s.energy, 4), "confidence": round(s.confidence, 3)}
                         for s in self.sections],
            "energy": [round(e, 4) for e in self.energy],
            "one_confidence": round(float(self.one_confidence), 3),
            "grid_guess": bool(self.grid_guess),
            "count_changes": [round(t, 4) for t in self.count_changes],
            "meter": int(self.meter),
            "embedding": [float(v) for v in emb],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SongAnalysis:
        beats = tuple(Beat(float(b["time"]), int(b["count"]), int(b.get("phrase", 0))) for b in d.get("beats", []))
        sections = tuple(Section(float(s["start"]), float(s["end"]), SectionLabel.parse(s.get("label")),
                                 float(s.get("energy", 0.0)), float(s.get("confidence", 1.0)))
                         for s in d.get("sections", []))
        emb = np.asarray(d.get("embedding") or np.zeros(EMBEDDING_DIM), dtype=np.float32)
        return cls(duration=float(d.get("duration", 0.0)), tempo_bpm=float(d.get("tempo_bpm", 0.0)),
                   beats=beats, downbeats=tuple(float(t) for t in d.get("downbeats", [])),
                   phrases=tuple(float(t) for t in d.get("phrases", [])), sections=sections,
                   energy=tuple(float(e) for e in d.get("energy", [])), embedding=emb,
                   sample_rate=int(d.get("sample_rate", 22050)),
                   analysis_version=int(d.get("analysis_version", ANALYSIS_VERSION)),
                   one_confidence=float(d.get("one_confidence", 1.0)),
                   grid_guess=bool(d.get("grid_guess", False)),
                   count_changes=tuple(float(t) for t in d.get("count_changes", [])),
                   meter=int(d.get("meter", 4) or 4))


@dataclass(frozen=True)
class Song:
    """A song in the library. ``path`` is relative to the media folder (or absolute if not copied)."""

    id: int | None
    title: str
    path: str
    content_hash: str
    duration_s: float = 0.0
    tempo_bpm: float | None = None
    added_at: str = ""

    def with_(self, **changes: object) -> Song:
        return replace(self, **changes)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------
# Building a grid from beat times and counts (shared by the analysis and the corrections)
# ----------------------------------------------------------------------------------------------
def beat_arrays(grid: Mapping[str, Any] | None) -> tuple[np.ndarray, np.ndarray] | None:
    """(beat times, counts 1..8) of a stored grid (``SongAnalysis.to_dict()``); None when
    malformed. The one parser of the stored form for pose analysis and export."""
    try:
        beats = (grid or {}).get("beats") or []
        return (np.array([float(x["time"]) for x in beats], np.float64),
                np.array([int(x["count"]) for x in beats], np.int64))
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def build_grid(times: np.ndarray | list[float], counts: np.ndarray | list[int]
               ) -> tuple[tuple[Beat, ...], tuple[float, ...], tuple[float, ...]]:
    """Beats, bar downbeats (counts 1 and 5) and phrase starts (count 1) from times and counts."""
    beats: list[Beat] = []
    phrases: list[float] = []
    downbeats: list[float] = []
    phrase = -1
    for t, c in zip(times, counts, strict=True):
        t, c = float(t), int(c)
        if c == 1:
            phrase += 1
            phrases.append(t)
        if c in (1, 5):
            downbeats.append(t)
        beats.append(Beat(t, c, phrase))
    return tuple(beats), tuple(downbeats), tuple(phrases)


def phrase_values(phrases: tuple[float, ...] | list[float], times: np.ndarray, values: np.ndarray,
                  duration: float) -> tuple[float, ...]:
    """Mean of a time series (``values`` sampled at ``times``) over each phrase, as a tuple."""
    out: list[float] = []
    edges = list(phrases) + [duration]
    for a, b in zip(edges[:-1], edges[1:], strict=False):
        m = (times >= a) & (times < b)
        out.append(float(np.mean(values[m])) if np.any(m) else (out[-1] if out else 0.0))
    return tuple(out)


def apply_correction(analysis: SongAnalysis, correction: GridCorrection) -> SongAnalysis:
    """The analysis as the instructor corrected it (pure; the original is unchanged).

    - ``tempo_bpm``: the beats are re-laid on a steady grid at that tempo, anchored on the first "1"
      (tap tempo on music with a steady pulse).
    - ``one_shift``: counts move so that the "1" is ``one_shift`` beats later (negative: earlier).
    - ``ones_from``: the same, from each fix's time up to the next fix.
    - ``offset_s``: every beat moves by that many seconds (nudge), clipped to the song.
    Phrase energies and section boundaries follow the new phrase starts.
    """
    if correction.is_identity or not analysis.beats:
        return analysis
    times = analysis.beat_times
    counts = np.array([b.count for b in analysis.beats], dtype=np.int64)
    tempo = analysis.tempo_bpm
    if correction.tempo_bpm is not None and correction.tempo_bpm > 0:
        tempo = float(correction.tempo_bpm)
        period = 60.0 / tempo
        ones = np.flatnonzero(counts == 1)
        anchor_i = int(ones[0]) if ones.size else 0
        anchor_t, anchor_c = float(times[anchor_i]), int(counts[anchor_i])
        n_before = int(math.floor(anchor_t / period + 1e-9))
        n_after = int(math.floor((analysis.duration - anchor_t) / period + 1e-9))
        k = np.arange(-n_before, n_after + 1)
        times = anchor_t + k * period
        counts = (anchor_c - 1 + k) % COUNTS_PER_PHRASE + 1
    if correction.one_shift:
        counts = (counts - 1 - int(correction.one_shift)) % COUNTS_PER_PHRASE + 1
    fixes = list(correction.ones_from)
    for j, (t_fix, shift) in enumerate(fixes):
        t_end = fixes[j + 1][0] if j + 1 < len(fixes) else math.inf
        m = (times >= t_fix - 1e-3) & (times < t_end - 1e-3)
        counts = np.where(m, (counts - 1 - int(shift)) % COUNTS_PER_PHRASE + 1, counts)
    if correction.offset_s:
        times = times + float(correction.offset_s)
        keep = (times >= 0.0) & (times <= analysis.duration)
        times, counts = times[keep], counts[keep]
    beats, downbeats, phrases = build_grid(times, counts)
    # Energy per phrase: resample the old per-phrase curve at the new phrase starts.
    old_p = np.asarray(analysis.phrases, dtype=np.float64)
    old_e = np.asarray(analysis.energy, dtype=np.float64)
    if old_p.size and old_e.size == old_p.size and phrases:
        idx = np.clip(np.searchsorted(old_p, np.asarray(phrases) + 1e-6, side="right") - 1, 0, old_p.size - 1)
        energy = tuple(float(old_e[i]) for i in idx)
    else:
        energy = tuple(0.5 for _ in phrases)
    sections = _snap_sections(analysis.sections, phrases, analysis.duration)
    return replace(analysis, tempo_bpm=tempo, beats=beats, downbeats=downbeats, phrases=phrases,
                   energy=energy, sections=sections)


def one_here_shift(corrected: SongAnalysis, correction: GridCorrection, time: float) -> GridCorrection:
    """``correction`` plus the local fix that makes the beat at or just before ``time`` a "1" in
    ``corrected`` (the analysis with ``correction`` applied) from that beat up to the next fix."""
    if not corrected.beats:
        return correction
    b = corrected.beats[max(0, corrected.beat_index_at(time))]
    covering = [s for t, s in correction.ones_from if t <= b.time + 1e-3]
    shift = (b.count - 1 + (covering[-1] if covering else 0)) % COUNTS_PER_PHRASE
    return correction.with_one_from(b.time, shift)


def unsure_spans(analysis: SongAnalysis, threshold: float = UNSURE_ONE
                 ) -> tuple[tuple[float, float, str], ...]:
    """Where the "1" is unsure, as ``(start, end, what)`` spans: the whole song when its own
    confidence is low, its grid is a guess or the music is not in four, else the unsure sections
    (neighbours merged, ``what`` names their labels)."""
    if analysis.grid_guess or analysis.meter != 4 or analysis.one_confidence < threshold:
        return ((0.0, float(analysis.duration), "the whole song"),)
    spans: list[tuple[float, float, str]] = []
    for s in analysis.sections:
        if s.confidence >= threshold:
            continue
        if spans and abs(spans[-1][1] - s.start) < 1e-6:
            a, _, what = spans[-1]
            labels = what.split(" + ")
            spans[-1] = (a, s.end, what if s.label.value in labels else f"{what} + {s.label.value}")
        else:
            spans.append((s.start, s.end, s.label.value))
    return tuple(spans)


def _snap_sections(sections: tuple[Section, ...], phrases: tuple[float, ...],
                   duration: float) -> tuple[Section, ...]:
    """Move inner section boundaries to the nearest phrase start; drop sections that vanish."""
    if not sections or not phrases:
        return sections
    p = np.asarray(phrases)
    bounds = [0.0]
    for s in sections[1:]:
        bounds.append(float(p[int(np.argmin(np.abs(p - s.start)))]))
    bounds.append(duration)
    out: list[Section] = []
    for s, a, b in zip(sections, bounds[:-1], bounds[1:], strict=True):
        if b - a > 1e-6:
            out.append(Section(a, b, s.label, s.energy, s.confidence))
    return tuple(out)


__all__ = ["ANALYSIS_VERSION", "GRID_RULES", "Beat", "COUNTS_PER_PHRASE", "EMBEDDING_DIM", "GridCorrection", "Section",
           "SectionLabel", "Song", "SongAnalysis", "UNSURE_ONE", "apply_correction", "beat_arrays", "build_grid",
           "one_here_shift", "phrase_values", "unsure_spans"]
