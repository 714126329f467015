"""Class plans: titled, dated lessons made of ordered segments holding timed items.

Pure data plus the edit operations the editor's undo stack replays. Every operation returns a new
plan (frozen dataclasses), so undo is "put the previous plan back" and autosave always writes a
whole, consistent plan.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from bachata_desktop.core.errors import InputError

SCHEMA_VERSION = 1
MAX_SEGMENTS = 100
MAX_ITEMS = 500
MAX_TEXT = 20_000


class SegmentKind(str, Enum):
    WARMUP = "warmup"
    TECHNIQUE = "technique"
    PATTERN = "pattern"
    CHOREOGRAPHY = "choreography"
    PRACTICE = "practice"
    COOLDOWN = "cooldown"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {"warmup": "Warm-up", "cooldown": "Cool-down"}.get(self.value, self.value.capitalize())


class ItemKind(str, Enum):
    MOVE = "move"                  # a library clip
    CHOREOGRAPHY = "choreography"  # a saved choreography
    SONG = "song"
    EXERCISE = "exercise"          # free text


def new_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class PlanItem:
    kind: ItemKind
    title: str
    duration_min: float = 5.0
    ref_id: int | None = None       # clip, choreography or song id for non-exercise items
    counts: int | None = None
    notes: str = ""
    id: str = field(default_factory=new_id)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind.value, "title": self.title,
                "duration_min": self.duration_min, "ref_id": self.ref_id, "counts": self.counts,
                "notes": self.notes}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PlanItem:
        return cls(kind=ItemKind(d["kind"]), title=_text(d.get("title", ""), "item title"),
                   duration_min=_minutes(d.get("duration_min", 0)),
                   ref_id=None if d.get("ref_id") is None else int(d["ref_id"]),
                   counts=None if d.get("counts") is None else int(d["counts"]),
                   notes=_text(d.get("notes", ""), "notes"), id=_ident(d.get("id")))


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    title: str = ""
    items: tuple[PlanItem, ...] = ()
    notes: str = ""
    id: str = field(default_factory=new_id)

    @property
    def display_title(self) -> str:
        return self.title or self.kind.label

    @property
    def minutes(self) -> float:
        return sum(i.duration_min for i in self.items)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind.value, "title": self.title, "notes": self.notes,
                "items": [i.to_dict() for i in self.items]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Segment:
        items = d.get("items", [])
        if not isinstance(items, list):
            raise InputError("segment items must be a list")
        return cls(kind=SegmentKind(d.get("kind", "custom")), title=_text(d.get("title", ""), "title"),
                   items=tuple(PlanItem.from_dict(i) for i in items),
                   notes=_text(d.get("notes", ""), "notes"), id=_ident(d.get("id")))


@dataclass(frozen=True)
class ClassPlan:
    title: str
    date: str = ""                  # ISO date, may be empty
    level: str = "beginner"
    target_minutes: float = 60.0
    segments: tuple[Segment, ...] = ()
    notes: str = ""
    id: int | None = None           # database id once saved

    @property
    def total_minutes(self) -> float:
        return sum(s.minutes for s in self.segments)

    @property
    def remaining_minutes(self) -> float:
        return self.target_minutes - self.total_minutes

    def items(self) -> list[PlanItem]:
        return [i for s in self.segments for i in s.items]

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "title": self.title, "date": self.date,
                "level": self.level, "target_minutes": self.target_minutes, "notes": self.notes,
                "segments": [s.to_dict() for s in self.segments]}

    @classmethod
    def from_dict(cls, d: Any, plan_id: int | None = None) -> ClassPlan:
        """Validate and read a plan (from the store or a shared file); InputError if malformed."""
        if not isinstance(d, Mapping):
            raise InputError("a class plan must be a JSON object")
        version = d.get("schema_version", 1)
        if not isinstance(version, int) or version > SCHEMA_VERSION or version < 1:
            raise InputError(f"unsupported class plan version {version!r}")
        segs = d.get("segments", [])
        if not isinstance(segs, list) or len(segs) > MAX_SEGMENTS:
            raise InputError(f"a class plan holds a list of at most {MAX_SEGMENTS} segments")
        try:
            plan = cls(title=_text(d.get("title", ""), "title") or "Untitled class",
                       date=_text(d.get("date", ""), "date"), level=_text(d.get("level", ""), "level"),
                       target_minutes=_minutes(d.get("target_minutes", 60)),
                       segments=tuple(Segment.from_dict(s) for s in segs),
                       notes=_text(d.get("notes", ""), "notes"), id=plan_id)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed class plan: {exc}") from exc
        if len(plan.items()) > MAX_ITEMS:
            raise InputError(f"a class plan holds at most {MAX_ITEMS} items")
        ids = [s.id for s in plan.segments] + [i.id for i in plan.items()]
        if len(ids) != len(set(ids)):
            raise InputError("the class plan has duplicate segment or item ids")
        return plan

    # -- edits (each returns a new plan) -----------------------------------------------------
    def with_(self, **changes: Any) -> ClassPlan:
        return replace(self, **changes)

    def _seg_index(self, seg_id: str) -> int:
        for n, s in enumerate(self.segments):
            if s.id == seg_id:
                return n
        raise KeyError(seg_id)

    def add_segment(self, segment: Segment, index: int | None = None) -> ClassPlan:
        segs = list(self.segments)
        segs.insert(len(segs) if index is None else index, segment)
        return replace(self, segments=tuple(segs))

    def remove_segment(self, seg_id: str) -> ClassPlan:
        return replace(self, segments=tuple(s for s in self.segments if s.id != seg_id))

    def move_segment(self, seg_id: str, to_index: int) -> ClassPlan:
        segs = list(self.segments)
        seg = segs.pop(self._seg_index(seg_id))
        segs.insert(max(0, min(to_index, len(segs))), seg)
        return replace(self, segments=tuple(segs))

    def update_segment(self, seg_id: str, **changes: Any) -> ClassPlan:
        segs = list(self.segments)
        n = self._seg_index(seg_id)
        segs[n] = replace(segs[n], **changes)
        return replace(self, segments=tuple(segs))

    def add_item(self, seg_id: str, item: PlanItem, index: int | None = None) -> ClassPlan:
        seg = self.segments[self._seg_index(seg_id)]
        items = list(seg.items)
        items.insert(len(items) if index is None else index, item)
        return self.update_segment(seg_id, items=tuple(items))

    def find_item(self, item_id: str) -> tuple[str, int]:
        for s in self.segments:
            for n, i in enumerate(s.items):
                if i.id == item_id:
                    return s.id, n
        raise KeyError(item_id)

    def remove_item(self, item_id: str) -> ClassPlan:
        seg_id, n = self.find_item(item_id)
        seg = self.segments[self._seg_index(seg_id)]
        return self.update_segment(seg_id, items=seg.items[:n] + seg.items[n + 1:])

    def move_item(self, item_id: str, to_seg_id: str, to_index: int) -> ClassPlan:
        seg_id, n = self.find_item(item_id)
        item = self.segments[self._seg_index(seg_id)].items[n]
        plan = self.remove_item(item_id)
        target = plan.segments[plan._seg_index(to_seg_id)]
        return plan.add_item(to_seg_id, item, max(0, min(to_index, len(target.items))))

    def update_item(self, item_id: str, **changes: Any) -> ClassPlan:
        seg_id, n = self.find_item(item_id)
        seg = self.segments[self._seg_index(seg_id)]
        items = list(seg.items)
        items[n] = replace(items[n], **changes)
        return self.update_segment(seg_id, items=tuple(items))

    def duplicate(self, title: str | None = None) -> ClassPlan:
        """A copy with fresh ids, not yet saved."""
        segs = tuple(replace(s, id=new_id(), items=tuple(replace(i, id=new_id()) for i in s.items))
                     for s in self.segments)
        return replace(self, id=None, title=title or f"{self.title} (copy)", segments=segs)


def _text(v: Any, what: str) -> str:
    if not isinstance(v, str):
        raise InputError(f"{what} must be text")
    if len(v) > MAX_TEXT:
        raise InputError(f"{what} is too long ({len(v)} characters)")
    return v


def _minutes(v: Any) -> float:
    try:
        m = float(v)
    except (TypeError, ValueError) as exc:
        raise InputError(f"duration {v!r} is not a number") from exc
    if not (0 <= m <= 24 * 60):
        raise InputError(f"duration {m} minutes is out of range")
    return m


def _ident(v: Any) -> str:
    if v is None:
        return new_id()
    if not isinstance(v, str) or not (1 <= len(v) <= 64) or not v.replace("-", "").replace("_", "").isalnum():
        raise InputError(f"bad id {v!r}")
    return v


TEMPLATES: dict[str, ClassPlan] = {
    "Beginner class (60 min)": ClassPlan(
        title="Beginner class", level="beginner", target_minutes=60, segments=(
            Segment(SegmentKind.WARMUP, items=(PlanItem(ItemKind.EXERCISE, "Basic step on the spot, counting out loud", 8),)),
            Segment(SegmentKind.TECHNIQUE, items=(PlanItem(ItemKind.EXERCISE, "Side basic with hip on 4 and 8", 10),)),
            Segment(SegmentKind.PATTERN, items=()),
            Segment(SegmentKind.PRACTICE, items=(PlanItem(ItemKind.EXERCISE, "Rotate partners, one song each", 12),)),
            Segment(SegmentKind.COOLDOWN, items=(PlanItem(ItemKind.EXERCISE, "Stretch and recap", 5),)),
        )),
    "Intermediate class (75 min)": ClassPlan(
        title="Intermediate class", level="intermediate", target_minutes=75, segments=(
            Segment(SegmentKind.WARMUP, items=(PlanItem(ItemKind.EXERCISE, "Footwork drills to a 125 BPM song", 10),)),
            Segment(SegmentKind.TECHNIQUE, items=(PlanItem(ItemKind.EXERCISE, "Connection: frame and prep on 8", 10),)),
            Segment(SegmentKind.PATTERN, items=()),
            Segment(SegmentKind.CHOREOGRAPHY, items=()),
            Segment(SegmentKind.PRACTICE, items=(PlanItem(ItemKind.EXERCISE, "Social practice", 10),)),
        )),
    "Sensual workshop (90 min)": ClassPlan(
        title="Sensual workshop", level="intermediate", target_minutes=90, segments=(
            Segment(SegmentKind.WARMUP, items=(PlanItem(ItemKind.EXERCISE, "Isolations: chest, hips, head", 10),)),
            Segment(SegmentKind.TECHNIQUE, items=(PlanItem(ItemKind.EXERCISE, "Body wave on 1-2-3-(4), slow tempo", 15),)),
            Segment(SegmentKind.PATTERN, items=()),
            Segment(SegmentKind.CHOREOGRAPHY, items=()),
            Segment(SegmentKind.COOLDOWN, items=(PlanItem(ItemKind.EXERCISE, "Cool-down and stretch", 5),)),
        )),
}


def from_template(name: str, title: str | None = None, date: str = "") -> ClassPlan:
    plan = TEMPLATES[name].duplicate(title or TEMPLATES[name].title)
    return plan.with_(date=date)
