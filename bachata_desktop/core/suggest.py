"""What to teach a group next: rules over its progress, the library and move prerequisites.

A prerequisite is a token: ``family:<category>`` (any move of that family has been taught) or
``clip:<id>`` (that move has been taught). A move's prerequisites are the ones an instructor set in
the clip editor, else the defaults of its family (``data/move_families.json``: a basic
before turns, a lady turn before a spin ...). A requirement the library cannot meet (no move of that
family, a move no longer there) is ignored rather than blocking the move for ever.

Suggestions, best first:
- *new*: moves at or below the group's level, not yet taught, whose prerequisites it has; its own
  level first, then moves starting and ending in holds the group already uses;
- *review*: moves taught or practising but not taught for ``review_weeks`` or more, oldest first.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bachata_desktop.core.clip import Clip, Hold, Level, category_label, move_title
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.groups import Progress, Status, weeks_since

REVIEW_WEEKS = 3


@dataclass(frozen=True)
class FamilyRules:
    """Default prerequisites per move family, and name words that need a simpler move first."""

    requires: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    same_family_words: tuple[str, ...] = ()     # e.g. "double": a double spin needs a spin first

    @classmethod
    def from_dict(cls, d: Any) -> FamilyRules:
        if not isinstance(d, Mapping) or not isinstance(d.get("families"), Mapping):
            raise InputError("the move families data is malformed (no 'families' object)")
        req: dict[str, tuple[str, ...]] = {}
        for fam, entry in d["families"].items():
            needs = entry.get("requires", []) if isinstance(entry, Mapping) else entry
            if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
                raise InputError(f"the move families data is malformed ({fam!r})")
            req[str(fam)] = tuple(needs)
        words = d.get("same_family_words", [])
        if not isinstance(words, list):
            raise InputError("the move families data is malformed (same_family_words)")
        return cls(req, tuple(str(w).lower() for w in words))

    def defaults_for(self, clip: Clip) -> tuple[str, ...]:
        out = [f"family:{f}" for f in self.requires.get(clip.category, ())]
        name = clip.name.replace("_", " ").lower().split()
        if any(w in name for w in self.same_family_words):
            out.append(f"family:{clip.category}")
        return tuple(dict.fromkeys(out))


def parse_token(token: str) -> tuple[str, str]:
    kind, _, value = str(token).partition(":")
    if kind not in ("family", "clip") or not value or (kind == "clip" and not value.isdigit()):
        raise InputError(f"bad prerequisite {token!r} (use family:<name> or clip:<id>)")
    return kind, value


def token_label(token: str, clips: Mapping[int, Clip]) -> str:
    kind, value = parse_token(token)
    if kind == "family":
        return category_label(value)
    clip = clips.get(int(value))
    return move_title(clip.name) if clip else f"move {value} (gone)"


def prerequisites(clip: Clip, explicit: Mapping[int, tuple[str, ...]], rules: FamilyRules) -> tuple[str, ...]:
    """The move's own prerequisites if set in the clip editor, else its family's defaults."""
    if clip.id is not None and clip.id in explicit:
        return explicit[clip.id]
    return rules.defaults_for(clip)


@dataclass(frozen=True)
class _Families:
    """Per family: how many moves the library has and whether the group was taught one."""

    size: Mapping[str, int]
    taught: frozenset[str]

    @classmethod
    def of(cls, clips: Mapping[int, Clip], progress: Mapping[int, Progress]) -> _Families:
        size: dict[str, int] = {}
        for c in clips.values():
            size[c.category] = size.get(c.category, 0) + 1
        return cls(size, frozenset(clips[c].category for c in progress if c in clips))


def missing(tokens: Sequence[str], clip: Clip, clips: Mapping[int, Clip],
            progress: Mapping[int, Progress], families: _Families | None = None) -> list[str]:
    """The tokens the group does not have yet (tokens the library cannot meet are ignored)."""
    fam = families or _Families.of(clips, progress)
    out = []
    for t in tokens:
        kind, value = parse_token(t)
        if kind == "family":
            # a family the library lacks, or a move's own family with no other move in it,
            # cannot be met: ignored
            others = fam.size.get(value, 0) - (1 if value == clip.category else 0)
            if others > 0 and value not in fam.taught:
                out.append(t)
        else:
            cid = int(value)
            if cid in clips and cid != clip.id and cid not in progress:
                out.append(t)
    return out


@dataclass(frozen=True)
class Suggestion:
    clip_id: int
    kind: str          # "new" or "review"
    reason: str
    score: float

    def to_dict(self, clips: Mapping[int, Clip]) -> dict[str, Any]:
        c = clips.get(self.clip_id)
        return {"clip_id": self.clip_id, "name": move_title(c.name) if c else "",
                "category": c.category if c else "", "level": c.level.value if c else "",
                "kind": self.kind, "reason": self.reason, "score": round(self.score, 3)}


@dataclass(frozen=True)
class Suggestions:
    new: tuple[Suggestion, ...]
    review: tuple[Suggestion, ...]
    waiting: tuple[tuple[int, tuple[str, ...]], ...]   # moves held back, with what they need

    def all(self) -> list[Suggestion]:
        return [*self.review, *self.new]


def used_holds(clips: Mapping[int, Clip], progress: Mapping[int, Progress]) -> dict[Hold, int]:
    """How many taught moves start or end in each hold."""
    out: dict[Hold, int] = {}
    for cid in progress:
        c = clips.get(cid)
        if c is None:
            continue
        for h in {c.start_hold, c.end_hold} - {Hold.UNKNOWN}:
            out[h] = out.get(h, 0) + 1
    return out


def suggest(level: Level, clips: Mapping[int, Clip], progress: Mapping[int, Progress],
            explicit: Mapping[int, tuple[str, ...]], rules: FamilyRules, today: _dt.date,
            review_weeks: float = REVIEW_WEEKS, max_new: int = 6, max_review: int = 4) -> Suggestions:
    """Apply the rules in the module docstring. Same inputs, same answer (ties by name, then id)."""
    holds = used_holds(clips, progress)
    families = _Families.of(clips, progress)
    new: list[Suggestion] = []
    waiting: list[tuple[int, tuple[str, ...]]] = []
    for cid, clip in clips.items():
        if cid in progress or clip.level.rank > level.rank:
            continue
        toks = prerequisites(clip, explicit, rules)
        need = missing(toks, clip, clips, progress, families)
        if need:
            waiting.append((cid, tuple(need)))
            continue
        score = 1.0 if clip.level is level else 0.6
        why = [f"new {clip.level.value} move"]
        if clip.level is not level:
            why[0] = f"new move (below the group's {level.value} level)"
        hold_bits = []
        for h in dict.fromkeys((clip.start_hold, clip.end_hold)):
            if h in holds:
                score += 0.2
                hold_bits.append(h.value.replace("_", " "))
        if hold_bits:
            why.append(f"in the {' / '.join(hold_bits)} hold it already uses")
        if toks:
            why.append("has " + ", ".join(token_label(t, clips) for t in toks))
        new.append(Suggestion(cid, "new", "; ".join(why), score))
    new.sort(key=lambda s: (-s.score, clips[s.clip_id].name.lower(), s.clip_id))
    review: list[Suggestion] = []
    for cid, p in progress.items():
        if cid not in clips or p.status is Status.KNOWN:
            continue
        weeks = weeks_since(p.last_taught, today)
        if weeks is None or weeks < review_weeks:
            continue
        review.append(Suggestion(cid, "review",
                                 f"{p.status.value}, not taught for {int(weeks)} weeks", weeks))
    review.sort(key=lambda s: (-s.score, clips[s.clip_id].name.lower(), s.clip_id))
    waiting.sort(key=lambda w: (clips[w[0]].name.lower(), w[0]))
    return Suggestions(tuple(new[:max_new]), tuple(review[:max_review]), tuple(waiting))
