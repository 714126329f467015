"""Classes and students: the use cases behind the Classes area, the CLI and the library badges.

Every write that touches several rows (a session and the progress it implies) runs in one
transaction, so a failure leaves the library as it was. Bad input raises InputError with a message
fit to show as it is.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
from collections.abc import Iterable
from typing import Any

from bachata_desktop.core.clip import Clip, move_title
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.groups import (
    Group,
    Progress,
    Session,
    Status,
    Student,
    after_session,
    clean_name,
    clean_notes,
    parse_date,
    parse_level,
    recount,
)
from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind
from bachata_desktop.core.suggest import FamilyRules, Suggestions, parse_token, suggest
from bachata_desktop.paths import data_resource
from bachata_desktop.store import Store

FAMILIES_FILE = ("move_families.json",)


@functools.lru_cache(maxsize=1)
def family_rules() -> FamilyRules:
    """The shipped default prerequisites per move family (empty if the file is missing)."""
    path = data_resource(*FAMILIES_FILE)
    try:
        return FamilyRules.from_dict(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, InputError):
        return FamilyRules()  # a damaged install suggests without defaults rather than failing


# -- groups and students ---------------------------------------------------------------------------
def create_group(store: Store, name: str, level: str = "beginner", notes: str = "") -> Group:
    return store.groups.add_group(Group(clean_name(name, "group name"), parse_level(level),
                                        clean_notes(notes)))


def get_group(store: Store, group_id: int) -> Group:
    g = store.groups.get_group(group_id)
    if g is None:
        raise InputError(f"There is no group with id {group_id}.")
    return g


def find_group(store: Store, ref: str | int) -> Group:
    """A group by id or by name (ignoring case)."""
    text = str(ref).strip()
    g = store.groups.group_by_name(text)
    if g is None and text.isdigit():
        g = store.groups.get_group(int(text))
    if g is None:
        raise InputError(f"There is no group named “{text}”.")
    return g


def _cleaned(changes: dict[str, Any], what: str) -> dict[str, Any]:
    """Name, level and notes checked the way creating a group or student checks them."""
    out = dict(changes)
    if "name" in out:
        out["name"] = clean_name(out["name"], f"{what} name")
    if "level" in out:
        out["level"] = parse_level(out["level"])
    if "notes" in out:
        out["notes"] = clean_notes(out["notes"])
    return out


def update_group(store: Store, group_id: int, **changes: Any) -> Group:
    g = get_group(store, group_id)
    return store.groups.update_group(g.with_(**_cleaned(changes, "group")))


def archive_group(store: Store, group_id: int, archived: bool = True) -> Group:
    return update_group(store, group_id, archived=archived)


def delete_group(store: Store, group_id: int) -> None:
    """Delete a group that was never taught; one with sessions must be archived instead."""
    g = get_group(store, group_id)
    n = store.groups.session_count(group_id)
    if n:
        raise InputError(f"“{g.name}” has {n} recorded session{'s' if n != 1 else ''}: archive it "
                         "instead; nothing was deleted.")
    store.groups.delete_group(group_id)


def create_student(store: Store, name: str, level: str = "beginner", notes: str = "",
                   group_ids: Iterable[int] = ()) -> Student:
    groups = [get_group(store, g) for g in group_ids]
    with store.db.write():
        s = store.groups.add_student(Student(clean_name(name, "student name"), parse_level(level),
                                             clean_notes(notes)))
        for g in groups:
            store.groups.add_member(g.id or 0, s.id or 0)
    return s


def get_student(store: Store, student_id: int) -> Student:
    s = store.groups.get_student(student_id)
    if s is None:
        raise InputError(f"There is no student with id {student_id}.")
    return s


def update_student(store: Store, student_id: int, **changes: Any) -> Student:
    s = get_student(store, student_id)
    return store.groups.update_student(s.with_(**_cleaned(changes, "student")))


def find_member(store: Store, group_id: int, ref: str | int) -> Student:
    """A student of the group by name (ignoring case) or by id."""
    g = get_group(store, group_id)
    text = str(ref).strip()
    members = store.groups.members(group_id, include_archived=True)
    found = next((m for m in members if m.name.casefold() == text.casefold()), None)
    if found is None and text.isdigit():
        found = next((m for m in members if m.id == int(text)), None)
    if found is None:
        raise InputError(f"There is no student named “{text}” in “{g.name}”.")
    return found


def add_member(store: Store, group_id: int, student_id: int) -> None:
    get_group(store, group_id)
    get_student(store, student_id)
    store.groups.add_member(group_id, student_id)


# -- sessions ----------------------------------------------------------------------------------------
def plan_clip_ids(store: Store, plan: ClassPlan) -> list[int]:
    """The moves a plan teaches: its move items and the moves of its choreographies, in order."""
    from bachata_desktop.services.generate import load_choreography

    out: list[int] = []
    for item in plan.items():
        if item.ref_id is None:
            continue
        if item.kind is ItemKind.MOVE:
            out.append(item.ref_id)
        elif item.kind is ItemKind.CHOREOGRAPHY:
            try:
                out.extend(load_choreography(store, item.ref_id).clip_ids)
            except InputError:
                continue  # a deleted or unreadable choreography teaches nothing
    live = set(store.clips.ids())
    return [c for c in dict.fromkeys(out) if c in live]


def record_session(store: Store, group_id: int, date: str, plan_id: int | None = None,
                   clip_ids: Iterable[int] = (), title: str = "", attendance: Iterable[int] = (),
                   notes: str = "") -> Session:
    """Record a class: its moves count as taught to the group (and to the students who came)."""
    from bachata_desktop.services.plans import load_plan

    g = get_group(store, group_id)
    if g.archived:
        raise InputError(f"“{g.name}” is archived; restore it before recording a session.")
    day = parse_date(date)
    ids = [int(c) for c in clip_ids]
    if plan_id is not None:
        plan = load_plan(store, plan_id)
        ids = plan_clip_ids(store, plan) + ids
        title = title or plan.title
    live = store.clips.get_many(list(dict.fromkeys(ids)))   # only the moves named
    unknown = [c for c in ids if c not in live or store.clips.is_deleted(c)]
    if unknown:
        raise InputError(f"No move with id {unknown[0]} in the library; nothing was recorded.")
    ids = list(dict.fromkeys(ids))
    members = {s.id for s in store.groups.members(group_id, include_archived=True)}
    present = list(dict.fromkeys(int(a) for a in attendance))
    strangers = [a for a in present if a not in members]
    if strangers:
        raise InputError(f"Student {strangers[0]} is not in “{g.name}”; nothing was recorded.")
    session = Session(group_id, day, title.strip(), plan_id, tuple(ids), tuple(present),
                      clean_notes(notes))
    with store.db.write():
        saved = store.groups.add_session(session)
        progress = store.groups.progress(group_id)
        for c in ids:
            store.groups.put_progress(group_id, after_session(progress.get(c), c, day))
        for st in present:
            sp = store.groups.student_progress(st)
            for c in ids:
                store.groups.put_student_progress(st, after_session(sp.get(c), c, day))
    return saved


def delete_session(store: Store, session_id: int) -> None:
    """Remove a session; dates and counts are rebuilt from the sessions left, statuses set by hand stay."""
    s = store.groups.get_session(session_id)
    if s is None:
        raise InputError(f"There is no session with id {session_id}.")
    with store.db.write():
        store.groups.delete_session(session_id)
        rest = store.groups.sessions(s.group_id)
        progress = store.groups.progress(s.group_id)
        for c in s.clip_ids:
            if c not in progress:
                continue
            p = recount(c, progress[c].status, [r.date for r in rest if c in r.clip_ids])
            if p is None:
                store.groups.clear_progress(s.group_id, c)
            else:
                store.groups.put_progress(s.group_id, p)
        for st in s.attendance:
            sp = store.groups.student_progress(st)
            for c in s.clip_ids:
                if c not in sp:
                    continue
                p = recount(c, sp[c].status, [r.date for r in rest
                                              if c in r.clip_ids and st in r.attendance])
                if p is None:
                    store.groups.clear_student_progress(st, c)
                else:
                    store.groups.put_student_progress(st, p)


# -- progress ----------------------------------------------------------------------------------------
def set_status(store: Store, group_id: int, clip_id: int, status: Status | str | None,
               student_id: int | None = None) -> Progress | None:
    """Set (or with ``None`` clear) a move's status for a group, or for one student of it."""
    get_group(store, group_id)
    if store.clips.get(clip_id) is None:
        raise InputError(f"No move with id {clip_id} in the library.")
    if student_id is not None:
        get_student(store, student_id)
        current = store.groups.student_progress(student_id).get(clip_id)
    else:
        current = store.groups.progress(group_id).get(clip_id)
    if status is None:
        if student_id is not None:
            store.groups.clear_student_progress(student_id, clip_id)
        else:
            store.groups.clear_progress(group_id, clip_id)
        return None
    st = status if isinstance(status, Status) else Status.parse(status)
    p = Progress(clip_id, st, current.last_taught if current else "",
                 current.times_taught if current else 0)
    if student_id is not None:
        store.groups.put_student_progress(student_id, p)
    else:
        store.groups.put_progress(group_id, p)
    return p


def status_map(store: Store, group_id: int) -> dict[int, Status]:
    """clip id -> status for a group (what the library badges and filter show)."""
    return {c: p.status for c, p in store.groups.progress(group_id).items()}


def progress_rows(store: Store, group_id: int, student_id: int | None = None
                  ) -> list[dict[str, Any]]:
    """Per move: the group's status, or with ``student_id`` that student's own; moves deleted
    from the library are left out (their progress stays, for an undo)."""
    get_group(store, group_id)
    progress = (store.groups.student_progress(student_id) if student_id is not None
                else store.groups.progress(group_id))
    clips = store.clips.get_many(list(progress), include_deleted=False)
    rows = []
    for c, p in sorted(progress.items()):
        clip = clips.get(c)
        if clip is None:
            continue
        rows.append({"clip_id": c, "name": move_title(clip.name),
                     "category": clip.category, "status": p.status.value,
                     "last_taught": p.last_taught, "times_taught": p.times_taught})
    return rows


# -- prerequisites and suggestions -----------------------------------------------------------------
def prerequisites_of(store: Store, clip: Clip) -> tuple[tuple[str, ...], bool]:
    """(tokens, set_by_hand) for a move."""
    explicit = store.groups.prerequisites()
    if clip.id in explicit:
        return explicit[clip.id], True
    return family_rules().defaults_for(clip), False


def set_prerequisites(store: Store, clip_id: int, tokens: Iterable[str] | None) -> None:
    """Set a move's prerequisites (``None``: back to its family's defaults)."""
    if store.clips.get(clip_id) is None:
        raise InputError(f"No move with id {clip_id} in the library.")
    if tokens is None:
        store.groups.set_prerequisites(clip_id, None)
        return
    toks = tuple(dict.fromkeys(str(t).strip() for t in tokens if str(t).strip()))
    for t in toks:
        kind, value = parse_token(t)
        if kind == "clip" and int(value) == clip_id:
            raise InputError("A move cannot be its own prerequisite.")
    store.groups.set_prerequisites(clip_id, toks)


def suggestions(store: Store, group_id: int, today: _dt.date | None = None,
                review_weeks: float = 3) -> Suggestions:
    g = get_group(store, group_id)
    clips = {c.id: c for c in store.clips.list() if c.id is not None}
    return suggest(g.level, clips, store.groups.progress(group_id), store.groups.prerequisites(),
                   family_rules(), today or _dt.date.today(), review_weeks)


def draft_plan(store: Store, group_id: int, picked: Suggestions,
               today: _dt.date | None = None) -> ClassPlan:
    """A new class plan for the group with the suggested moves (review first, then new), saved."""
    from bachata_desktop.services.plans import save_plan

    g = get_group(store, group_id)
    clips = store.clips.get_many([s.clip_id for s in picked.all()])
    # The moves share the hour left after warm-up (8) and cool-down (5): at least 3 minutes each,
    # and a longer class when more moves were picked than an hour holds.
    n = max(1, len(picked.all()))
    minutes = float(max(3, min(8, (60 - 13) // n)))
    target = max(60.0, -(-(13 + minutes * n) // 15) * 15)

    def items(kind: str) -> tuple[PlanItem, ...]:
        out = []
        for s in (picked.review if kind == "review" else picked.new):
            c = clips.get(s.clip_id)
            if c is not None:
                out.append(PlanItem(ItemKind.MOVE, move_title(c.name), minutes, c.id, c.counts, s.reason))
        return tuple(out)

    day = (today or _dt.date.today()).isoformat()
    plan = ClassPlan(f"{g.name}: next class", day, g.level.value, target, (
        Segment(SegmentKind.WARMUP, items=(PlanItem(ItemKind.EXERCISE, "Basic step, counting out loud", 8),)),
        Segment(SegmentKind.PRACTICE, "Review", items=items("review")),
        Segment(SegmentKind.PATTERN, "New moves", items=items("new")),
        Segment(SegmentKind.COOLDOWN, items=(PlanItem(ItemKind.EXERCISE, "Recap and stretch", 5),)),
    ), notes=f"Draft from the suggestions for {g.name}.")
    return save_plan(store, plan)
