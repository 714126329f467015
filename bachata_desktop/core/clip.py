"""Library moves: a clip of one couple dancing one move, with the metadata instructors edit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any


def _parse_enum(cls: Any, value: str | None, default: Any, aliases: dict[str, Any] | None = None) -> Any:
    """``cls(value)`` after trimming and lower-casing, via ``aliases``; ``default`` if unknown."""
    v = (value or "").strip().lower()
    if aliases and v in aliases:
        return aliases[v]
    try:
        return cls(v)
    except ValueError:
        if default is not None:
            return default
        raise


class Level(str, Enum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"

    @classmethod
    def parse(cls, value: str | None, default: Level | None = None) -> Level:
        """Accept our names and the original web app's difficulty (low / medium / high)."""
        aliases = {"low": cls.BEGINNER, "easy": cls.BEGINNER, "medium": cls.INTERMEDIATE,
                   "mid": cls.INTERMEDIATE, "high": cls.ADVANCED, "hard": cls.ADVANCED}
        return _parse_enum(cls, value, default, aliases)  # type: ignore[no-any-return]

    @property
    def rank(self) -> int:
        return {Level.BEGINNER: 0, Level.INTERMEDIATE: 1, Level.ADVANCED: 2}[self]


class Energy(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @classmethod
    def parse(cls, value: str | None, default: Energy | None = None) -> Energy:
        return _parse_enum(cls, value, default)  # type: ignore[no-any-return]

    @property
    def value01(self) -> float:
        """Energy on a 0..1 scale, comparable with a song section's energy."""
        return {Energy.LOW: 0.2, Energy.MEDIUM: 0.5, Energy.HIGH: 0.85}[self]


class RoleFocus(str, Enum):
    BOTH = "both"
    LEAD = "lead"
    FOLLOW = "follow"

    @classmethod
    def parse(cls, value: str | None, default: RoleFocus = None) -> RoleFocus:  # type: ignore[assignment]
        return _parse_enum(cls, value, default)  # type: ignore[no-any-return]


class Hold(str, Enum):
    OPEN = "open"
    CLOSED = "closed"
    SHADOW = "shadow"
    HAMMERLOCK = "hammerlock"
    CROSS_HAND = "cross_hand"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: str | None) -> Hold:
        try:
            return cls((value or "").strip().lower())
        except ValueError:
            return cls.UNKNOWN


class AnalysisState(str, Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# The 16 move families of the original web app's library (folder names in its annotations file).
CATEGORIES: tuple[str, ...] = (
    "arm_styling", "basic", "bodywaves", "bolero", "cross_body_lead", "footwork", "golpes",
    "hammerlock", "headrolls", "hiprolls", "intros", "ladyturn", "outro", "shadow", "spin", "style",
)

CATEGORY_LABELS: dict[str, str] = {
    "arm_styling": "Arm styling", "basic": "Basic", "bodywaves": "Body waves", "bolero": "Bolero",
    "cross_body_lead": "Cross body lead", "footwork": "Footwork", "golpes": "Golpes",
    "hammerlock": "Hammerlock", "headrolls": "Head rolls", "hiprolls": "Hip rolls",
    "intros": "Intros", "ladyturn": "Lady turn", "outro": "Outros", "shadow": "Shadow",
    "spin": "Spin", "style": "Style",
}

# A sensible default hold per family, so the choreographer has something before the user edits it.
DEFAULT_HOLDS: dict[str, tuple[Hold, Hold]] = {
    "basic": (Hold.CLOSED, Hold.CLOSED), "bolero": (Hold.CLOSED, Hold.CLOSED),
    "cross_body_lead": (Hold.OPEN, Hold.OPEN), "ladyturn": (Hold.OPEN, Hold.OPEN),
    "spin": (Hold.OPEN, Hold.OPEN), "hammerlock": (Hold.OPEN, Hold.HAMMERLOCK),
    "shadow": (Hold.OPEN, Hold.SHADOW), "bodywaves": (Hold.CLOSED, Hold.CLOSED),
    "hiprolls": (Hold.CLOSED, Hold.CLOSED), "headrolls": (Hold.CLOSED, Hold.CLOSED),
    "arm_styling": (Hold.OPEN, Hold.OPEN), "golpes": (Hold.CLOSED, Hold.CLOSED),
    "footwork": (Hold.OPEN, Hold.OPEN), "style": (Hold.OPEN, Hold.OPEN),
    "intros": (Hold.OPEN, Hold.CLOSED), "outro": (Hold.CLOSED, Hold.CLOSED),
}


def move_title(name: str) -> str:
    """A clip name as people read it: "left_ladyturn_right_arm_brush" -> "Left ladyturn right arm brush".

    Names an instructor typed with capitals are kept as they are.
    """
    text = " ".join(name.replace("_", " ").split())
    if not text.islower():
        return text
    text = re.sub(r"(?<=[a-z])(?=\d+$)", " ", text)  # "intro3" -> "intro 3": a number, not an id
    return text[:1].upper() + text[1:]


UNSET_KEY = "unset"  # Clip.extra: the fields nobody has set yet ("level", "energy")


def unset_fields(clip: Clip) -> frozenset[str]:
    """The fields of ``clip`` that hold a default, not a known value (no annotation, no edit)."""
    raw = clip.extra.get(UNSET_KEY)
    return frozenset(str(f) for f in raw) if isinstance(raw, (list, tuple)) else frozenset()


def level_text(clip: Clip) -> str:
    """"Beginner" / "Intermediate" / "Advanced", or "Level not set"."""
    return "Level not set" if "level" in unset_fields(clip) else clip.level.value.capitalize()


def energy_text(clip: Clip) -> str:
    """"Medium energy", or "Energy not set"."""
    return ("Energy not set" if "energy" in unset_fields(clip)
            else f"{clip.energy.value.capitalize()} energy")


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Clip:
    """One move clip in the library. ``media_path`` is relative to the library media folder."""

    id: int | None
    clip_key: str
    name: str
    category: str
    media_path: str
    content_hash: str
    level: Level = Level.BEGINNER
    energy: Energy = Energy.MEDIUM
    role_focus: RoleFocus = RoleFocus.BOTH
    duration_s: float = 0.0
    fps: float = 0.0
    width: int = 0
    height: int = 0
    tempo_bpm: float | None = None
    counts: int = 8
    start_hold: Hold = Hold.UNKNOWN
    end_hold: Hold = Hold.UNKNOWN
    tags: tuple[str, ...] = ()
    notes: str = ""
    teaching_notes: str = ""
    source_path: str = ""
    analysis_state: AnalysisState = AnalysisState.PENDING
    analysis_error: str = ""
    lead_follow_flipped: bool = False
    added_at: str = ""
    updated_at: str = ""
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def with_(self, **changes: object) -> Clip:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def description(self) -> str:
        """The text embedded for semantic search: what an instructor would type to find it."""
        parts = [self.name.replace("_", " "), category_label(self.category),
                 f"{self.level.value} level", f"{self.energy.value} energy"]
        if self.role_focus is not RoleFocus.BOTH:
            parts.append(f"{self.role_focus.value} focus")
        if self.tags:
            parts.append(", ".join(self.tags))
        for text in (self.notes, self.teaching_notes):
            if text.strip():
                parts.append(text.strip())
        return ". ".join(parts)


@dataclass(frozen=True)
class Marker:
    """A named bookmark on a clip's timeline; it can become an A-B loop."""

    id: int | None
    clip_id: int
    name: str
    time_s: float
    end_s: float | None = None
