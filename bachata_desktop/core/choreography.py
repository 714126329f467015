"""The choreography data model: what the instructor asks for and what the generator gives back.

The wizard, the request parsers (offline and Gemini), the choreographer, the CLI, the video export
and the store all speak these types, so they live in ``core`` with no I/O. The JSON written by
:meth:`Choreography.to_dict` is exactly what ``bachata-desktop generate --json`` prints and what is
saved in the library; :meth:`Choreography.from_dict` reads it back.

Decisions fixed here (documented once, relied on elsewhere):

* A song is a sequence of 8-count phrases (:class:`PhraseSlotSpec`); every move starts on the "1" of
  a phrase. A move of ``counts`` counts occupies ``ceil(counts / 8)`` phrases (16 counts -> 2).
* A 4-count move is *danced twice* to fill its phrase (``Slot.repeats == 2``): bachata patterns
  of 4 counts (golpes, a hip accent) are normally done left then right. The export loops it.
* ``Request.level`` is a ceiling: the generator never places a move above it, and prefers moves at
  the requested level (basics below it still appear, e.g. to start).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, NamedTuple

import numpy as np

from bachata_desktop.core.clip import CATEGORIES, Energy, Hold, Level, RoleFocus

SCHEMA_VERSION = 1
PHRASE_COUNTS = 8

# Fusion weights of the design card: 0.35 text + 0.35 audio + 0.30 pose (lead/follow/interaction).
MODALITY_WEIGHTS: dict[str, float] = {
    "text": 0.35, "audio": 0.35, "lead": 0.10, "follow": 0.10, "interaction": 0.10,
}


class Style(StrEnum):
    SENSUAL = "sensual"
    DOMINICAN = "dominican"
    MODERNA = "moderna"
    TRADITIONAL = "traditional"

    @classmethod
    def parse(cls, value: str | None, default: Style | None = None) -> Style | None:
        v = (value or "").strip().lower()
        aliases = {"dominicana": cls.DOMINICAN, "modern": cls.MODERNA, "tradicional": cls.TRADITIONAL,
                   "sensual": cls.SENSUAL, "classic": cls.TRADITIONAL}
        if v in aliases:
            return aliases[v]
        try:
            return cls(v)
        except ValueError:
            return default


# Move families that characterise each style (a soft bonus, never a filter).
STYLE_CATEGORIES: dict[Style, frozenset[str]] = {
    Style.SENSUAL: frozenset({"bodywaves", "headrolls", "hiprolls", "bolero", "shadow"}),
    Style.DOMINICAN: frozenset({"footwork", "golpes", "basic", "style"}),
    Style.MODERNA: frozenset({"ladyturn", "spin", "cross_body_lead", "hammerlock", "shadow",
                              "arm_styling"}),
    Style.TRADITIONAL: frozenset({"basic", "bolero", "footwork", "cross_body_lead"}),
}

# Section labels where harder moves belong (the song's peaks).
PEAK_SECTIONS = frozenset({"chorus", "mambo", "majao", "bridge", "coro"})


def _tuple_of_categories(values: Sequence[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or ():
        c = str(v).strip().lower().replace(" ", "_").replace("-", "_")
        if c and c not in out:
            out.append(c)
    return tuple(out)


@dataclass(frozen=True)
class Span:
    """The part of the song to fill: seconds (``start_s``/``end_s``) or a phrase range (inclusive)."""

    start_s: float | None = None
    end_s: float | None = None
    first_phrase: int | None = None
    last_phrase: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"start_s": self.start_s, "end_s": self.end_s, "first_phrase": self.first_phrase,
                "last_phrase": self.last_phrase}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> Span | None:
        if not d:
            return None

        def num(k: str, kind: type) -> Any:
            v = d.get(k)
            return None if v is None else kind(v)

        return cls(num("start_s", float), num("end_s", float), num("first_phrase", int),
                   num("last_phrase", int))


@dataclass(frozen=True)
class Request:
    """What the instructor asks for; the wizard, the offline parser and Gemini all produce one.

    ``energy`` None means "follow the song's sections". ``include`` categories get a bonus and each
    appears at least once when the library has a fitting move; ``avoid`` categories never appear.
    ``notes`` are visible remarks about how the request was understood (e.g. a Gemini fallback).
    """

    level: Level = Level.INTERMEDIATE
    energy: Energy | None = None
    style: Style | None = None
    role_focus: RoleFocus = RoleFocus.BOTH
    include: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    span: Span | None = None
    text: str = ""
    seed: int = 0
    end_with_dip: bool = False
    source: str = "form"
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "include", _tuple_of_categories(self.include))
        object.__setattr__(self, "avoid", _tuple_of_categories(self.avoid))
        object.__setattr__(self, "notes", tuple(self.notes))

    def with_(self, **changes: Any) -> Request:
        return replace(self, **changes)

    def with_note(self, note: str) -> Request:
        return replace(self, notes=(*self.notes, note))

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value, "energy": self.energy.value if self.energy else None,
            "style": self.style.value if self.style else None, "role_focus": self.role_focus.value,
            "include": list(self.include), "avoid": list(self.avoid),
            "span": self.span.to_dict() if self.span else None, "text": self.text,
            "seed": self.seed, "end_with_dip": self.end_with_dip, "source": self.source,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Request:
        energy = d.get("energy")
        return cls(
            level=Level.parse(d.get("level"), Level.INTERMEDIATE),
            energy=Energy.parse(energy, Energy.MEDIUM) if energy else None,
            style=Style.parse(d.get("style")),
            role_focus=RoleFocus.parse(d.get("role_focus"), RoleFocus.BOTH),
            include=tuple(d.get("include") or ()), avoid=tuple(d.get("avoid") or ()),
            span=Span.from_dict(d.get("span")), text=str(d.get("text") or ""),
            seed=int(d.get("seed") or 0), end_with_dip=bool(d.get("end_with_dip", False)),
            source=str(d.get("source") or "form"), notes=tuple(d.get("notes") or ()),
        )


def known_category(name: str) -> bool:
    return name in CATEGORIES


@dataclass(frozen=True)
class PhraseSlotSpec:
    """One 8-count phrase of the song grid: where its "1" falls and what section it belongs to.

    ``section_energy`` is on a 0..1 scale (comparable with :attr:`Energy.value01`).
    """

    index: int
    start_s: float
    end_s: float
    first_beat_s: float
    section_label: str = "verse"
    section_energy: float = 0.5
    counts: int = PHRASE_COUNTS

    @property
    def is_peak(self) -> bool:
        return self.section_label.lower() in PEAK_SECTIONS

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start_s, "end": self.end_s,
                "first_beat": self.first_beat_s, "section": self.section_label,
                "energy": self.section_energy, "counts": self.counts}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PhraseSlotSpec:
        return cls(index=int(d["index"]), start_s=float(d["start"]), end_s=float(d["end"]),
                   first_beat_s=float(d.get("first_beat", d["start"])),
                   section_label=str(d.get("section", "verse")),
                   section_energy=float(d.get("energy", 0.5)), counts=int(d.get("counts", 8)))


def phrases_for_counts(counts: int) -> int:
    """How many 8-count phrases a move of ``counts`` counts occupies (4 -> 1, 8 -> 1, 16 -> 2)."""
    return max(1, math.ceil(max(1, int(counts)) / PHRASE_COUNTS))


@dataclass(frozen=True)
class MoveCandidate:
    """A library move as the choreographer sees it.

    ``similarity`` holds the per-modality similarity of this move to the request (cosine, keys of
    :data:`MODALITY_WEIGHTS`); missing modalities are left out of the fusion. Pose vectors are the
    start/end pose descriptors used for the transition cost (any fixed length, or None).
    """

    clip_id: int
    name: str
    category: str
    level: Level = Level.BEGINNER
    energy: Energy = Energy.MEDIUM
    role_focus: RoleFocus = RoleFocus.BOTH
    counts: int = PHRASE_COUNTS
    start_hold: Hold = Hold.UNKNOWN
    end_hold: Hold = Hold.UNKNOWN
    # How sure the (start, end) holds are, 0..1: 1 for holds an instructor set, the analysis's
    # confidence for guessed ones. A hold mismatch costs in proportion (an unsure guess less).
    hold_confidence: tuple[float, float] = (1.0, 1.0)
    start_pose: np.ndarray | None = field(default=None, compare=False, repr=False)
    end_pose: np.ndarray | None = field(default=None, compare=False, repr=False)
    tempo_bpm: float | None = None
    similarity: Mapping[str, float] = field(default_factory=dict, compare=False)
    tags: tuple[str, ...] = ()

    @property
    def phrases(self) -> int:
        return phrases_for_counts(self.counts)

    @property
    def is_dip(self) -> bool:
        text = " ".join((self.name, *self.tags)).lower()
        return "dip" in text

    def fused_similarity(self) -> float:
        """Weighted fusion of the modalities present, renormalised over their weights."""
        total = wsum = 0.0
        for m, w in MODALITY_WEIGHTS.items():
            v = self.similarity.get(m)
            if v is not None and np.isfinite(v):
                total += w * float(v)
                wsum += w
        return total / wsum if wsum > 0 else 0.0


@dataclass(frozen=True)
class SongInfo:
    """Just enough about the song to show and export a choreography."""

    title: str
    path: str = ""
    song_id: int | None = None
    duration_s: float = 0.0
    tempo_bpm: float = 120.0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.song_id, "title": self.title, "path": self.path,
                "duration": self.duration_s, "tempo": self.tempo_bpm}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SongInfo:
        sid = d.get("id")
        return cls(title=str(d.get("title", "")), path=str(d.get("path", "")),
                   song_id=None if sid is None else int(sid),
                   duration_s=float(d.get("duration", 0.0)), tempo_bpm=float(d.get("tempo", 120.0)))


class Alternative(NamedTuple):
    """A ranked alternative for a slot: fits the same phrases between the same neighbours."""

    clip_id: int
    score: float
    reasons: Mapping[str, float]
    name: str = ""
    category: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"clip_id": self.clip_id, "score": round(self.score, 4), "name": self.name,
                "category": self.category, "reasons": _round_map(self.reasons)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Alternative:
        return cls(int(d["clip_id"]), float(d.get("score", 0.0)),
                   {str(k): float(v) for k, v in (d.get("reasons") or {}).items()},
                   str(d.get("name", "")), str(d.get("category", "")))


def _round_map(m: Mapping[str, float]) -> dict[str, float]:
    return {k: round(float(v), 4) for k, v in m.items()}


@dataclass(frozen=True)
class Slot:
    """One placed move: song seconds, counts, the phrases it covers, and why it was chosen.

    ``rate`` is the playback rate that lands the clip's counts on the song's beats
    (song tempo / clip tempo). ``repeats`` is 2 for a 4-count move danced twice in its phrase.
    ``reasons`` are the score terms (they add up to ``score``) plus raw similarities (``sim_*``).
    """

    start: float
    end: float
    counts: int
    phrases: tuple[int, ...]
    clip_id: int
    rate: float = 1.0
    name: str = ""
    category: str = ""
    repeats: int = 1
    score: float = 0.0
    reasons: Mapping[str, float] = field(default_factory=dict)
    alternatives: tuple[Alternative, ...] = ()
    pinned: bool = False
    section: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"start": round(self.start, 4), "end": round(self.end, 4), "counts": self.counts,
                "phrases": list(self.phrases), "clip_id": self.clip_id, "name": self.name,
                "category": self.category, "rate": round(self.rate, 4), "repeats": self.repeats,
                "section": self.section, "pinned": self.pinned, "score": round(self.score, 4),
                "reasons": _round_map(self.reasons),
                "alternatives": [a.to_dict() for a in self.alternatives]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Slot:
        return cls(start=float(d["start"]), end=float(d["end"]), counts=int(d["counts"]),
                   phrases=tuple(int(p) for p in d.get("phrases", ())), clip_id=int(d["clip_id"]),
                   rate=float(d.get("rate", 1.0)), name=str(d.get("name", "")),
                   category=str(d.get("category", "")), repeats=int(d.get("repeats", 1)),
                   score=float(d.get("score", 0.0)),
                   reasons={str(k): float(v) for k, v in (d.get("reasons") or {}).items()},
                   alternatives=tuple(Alternative.from_dict(a) for a in d.get("alternatives", ())),
                   pinned=bool(d.get("pinned", False)), section=str(d.get("section", "")))


@dataclass(frozen=True)
class Choreography:
    """A whole routine: the song, the request and seed that produced it, and the slots in order."""

    song: SongInfo
    tempo: float
    request: Request
    seed: int
    slots: tuple[Slot, ...]
    phrases: tuple[PhraseSlotSpec, ...] = ()
    notes: tuple[str, ...] = ()
    score: float = 0.0

    @property
    def clip_ids(self) -> list[int]:
        return [s.clip_id for s in self.slots]

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "song": self.song.to_dict(),
                "tempo": round(self.tempo, 3), "seed": self.seed, "score": round(self.score, 4),
                "request": self.request.to_dict(), "notes": list(self.notes),
                "slots": [s.to_dict() for s in self.slots],
                "phrases": [p.to_dict() for p in self.phrases]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Choreography:
        """Read a saved or printed choreography (raises KeyError/ValueError/TypeError if malformed)."""
        return cls(song=SongInfo.from_dict(d.get("song") or {}), tempo=float(d["tempo"]),
                   request=Request.from_dict(d.get("request") or {}), seed=int(d.get("seed", 0)),
                   slots=tuple(Slot.from_dict(s) for s in d["slots"]),
                   phrases=tuple(PhraseSlotSpec.from_dict(p) for p in d.get("phrases", ())),
                   notes=tuple(str(n) for n in d.get("notes", ())), score=float(d.get("score", 0.0)))


@dataclass(frozen=True)
class Weights:
    """Weights of the choreographer's score terms (unary fit terms minus pairwise costs)."""

    fit: float = 1.0           # fused request similarity, min-max normalised over the library
    energy: float = 0.8        # closeness of move energy to the section's (and request's) energy
    level: float = 0.3         # preference for the requested level (below it costs a little)
    peak: float = 0.35         # harder moves in chorus/mambo, easier in intro/verses
    style: float = 0.3         # move family typical of the requested style
    role: float = 0.2          # role focus matches the request
    include: float = 0.6       # requested categories
    start: float = 0.9         # open with a basic or an intro
    end: float = 0.9           # close with an outro or a dip
    edge: float = 1.0          # intros/outros in the middle of the song
    pose: float = 0.8          # end pose -> next start pose distance (RMS / 1.5, capped at 1)
    hold: float = 0.5          # end hold -> next start hold incompatibility (0..1)
    same_category: float = 0.35  # two moves of the same family in a row
    reuse: float = 0.6         # per earlier use of the same clip
    recent: float = 0.8        # the same clip again one move later (A B A reads as a repeat)
    category_reuse: float = 0.08  # per earlier use of the same family (variety)
    shorten: float = 0.8       # a longer move cut to one phrase (only its first 8 counts)
    noise: float = 0.06        # seeded tie-break noise amplitude
