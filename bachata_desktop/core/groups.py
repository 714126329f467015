"""Classes and students: groups, the sessions taught to them, and what each has learned per move.

Pure data and rules (no I/O). A *session* is "this plan was taught to this group on this date";
its moves count as taught. A move's *status* for a group (or a student) only ever rises through
sessions (taught -> practising -> known is the instructor's call), and its date last taught is the
latest session that held it, so recording an old session never undoes newer progress.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from bachata_desktop.core.clip import Level
from bachata_desktop.core.errors import InputError

MAX_NAME = 120
MAX_NOTES = 20_000


class Status(str, Enum):
    TAUGHT = "taught"
    PRACTISING = "practising"
    KNOWN = "known"

    @property
    def rank(self) -> int:
        return {Status.TAUGHT: 1, Status.PRACTISING: 2, Status.KNOWN: 3}[self]

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @classmethod
    def parse(cls, value: Any) -> Status:
        v = str(value or "").strip().lower()
        aliases = {"practicing": cls.PRACTISING, "learned": cls.KNOWN, "mastered": cls.KNOWN}
        if v in aliases:
            return aliases[v]
        try:
            return cls(v)
        except ValueError as exc:
            raise InputError(f"unknown status {value!r} (use taught, practising or known)") from exc


@dataclass(frozen=True)
class Group:
    name: str
    level: Level = Level.BEGINNER
    notes: str = ""
    archived: bool = False
    id: int | None = None

    def with_(self, **changes: Any) -> Group:
        return replace(self, **changes)


@dataclass(frozen=True)
class Student:
    name: str
    level: Level = Level.BEGINNER
    notes: str = ""
    archived: bool = False
    id: int | None = None

    def with_(self, **changes: Any) -> Student:
        return replace(self, **changes)


@dataclass(frozen=True)
class Session:
    """One class given to a group: the moves it covered and who came."""

    group_id: int
    date: str                           # ISO date
    title: str = ""
    plan_id: int | None = None
    clip_ids: tuple[int, ...] = ()
    attendance: tuple[int, ...] = ()    # student ids; empty when not recorded
    notes: str = ""
    id: int | None = None


@dataclass(frozen=True)
class Progress:
    """Where a group (or a student) stands with one move."""

    clip_id: int
    status: Status
    last_taught: str = ""               # ISO date, empty if only ever set by hand
    times_taught: int = 0


# -- validation --------------------------------------------------------------------------------
def clean_name(name: Any, what: str = "name") -> str:
    """A trimmed, non-empty, single-line name; InputError otherwise."""
    if not isinstance(name, str):
        raise InputError(f"the {what} must be text")
    text = " ".join(name.split())
    if not text:
        raise InputError(f"the {what} is empty")
    if len(text) > MAX_NAME:
        raise InputError(f"the {what} is too long ({len(text)} characters, at most {MAX_NAME})")
    return text


def clean_notes(notes: Any) -> str:
    if not isinstance(notes, str):
        raise InputError("notes must be text")
    if len(notes) > MAX_NOTES:
        raise InputError(f"the notes are too long ({len(notes)} characters)")
    return notes


def parse_level(value: Any) -> Level:
    try:
        return Level.parse(str(value or ""), None)
    except ValueError as exc:
        raise InputError(f"unknown level {value!r} (use beginner, intermediate or advanced)") from exc


def parse_date(value: Any) -> str:
    """An ISO date (YYYY-MM-DD); InputError for anything else."""
    text = str(value or "").strip()
    try:
        return _dt.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise InputError(f"{text!r} is not a date (use YYYY-MM-DD)") from exc


def unique_name(wanted: str, taken: Iterable[str]) -> str:
    """``wanted``, or ``wanted (2)``, ``(3)``... so that it differs (ignoring case) from ``taken``."""
    lower = {t.casefold() for t in taken}
    if wanted.casefold() not in lower:
        return wanted
    n = 2
    while f"{wanted} ({n})".casefold() in lower:
        n += 1
    return f"{wanted} ({n})"


# -- progress rules --------------------------------------------------------------------------------
def after_session(current: Progress | None, clip_id: int, date: str) -> Progress:
    """A move's progress once a session on ``date`` taught it: never lowered, latest date kept."""
    if current is None:
        return Progress(clip_id, Status.TAUGHT, date, 1)
    last = max(current.last_taught, date) if current.last_taught else date
    return Progress(clip_id, current.status, last, current.times_taught + 1)


def recount(clip_id: int, status: Status, dates: Iterable[str]) -> Progress | None:
    """Progress rebuilt from the sessions left after one was removed (None: nothing left)."""
    ds = sorted(d for d in dates if d)
    if not ds and status is Status.TAUGHT:
        return None  # "taught" came only from sessions; with none left it goes
    return Progress(clip_id, status, ds[-1] if ds else "", len(ds))


def weeks_since(date: str, today: _dt.date) -> float | None:
    if not date:
        return None
    try:
        d = _dt.date.fromisoformat(date)
    except ValueError:
        return None
    return (today - d).days / 7.0


def status_counts(progress: Mapping[int, Progress]) -> dict[str, int]:
    out = {s.value: 0 for s in Status}
    for p in progress.values():
        out[p.status.value] += 1
    return out
