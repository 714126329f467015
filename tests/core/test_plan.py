"""Class plans: edits return new plans, totals follow, validation refuses malformed data."""

from __future__ import annotations

import pytest

from bachata_desktop.core.errors import InputError
from bachata_desktop.core.plan import (
    TEMPLATES,
    ClassPlan,
    ItemKind,
    PlanItem,
    Segment,
    SegmentKind,
    from_template,
)


def _plan() -> ClassPlan:
    warm = Segment(SegmentKind.WARMUP, items=(PlanItem(ItemKind.EXERCISE, "Basic", 10),))
    pat = Segment(SegmentKind.PATTERN, items=(PlanItem(ItemKind.MOVE, "Lady turn", 15, ref_id=3),
                                               PlanItem(ItemKind.MOVE, "Shadow", 10, ref_id=4)))
    return ClassPlan("Tuesday", "2026-11-24", "beginner", 60, (warm, pat))


def test_totals_and_reorder() -> None:
    p = _plan()
    assert p.total_minutes == 35 and p.remaining_minutes == 25
    shadow = p.segments[1].items[1]
    p2 = p.move_item(shadow.id, p.segments[0].id, 0)
    assert [i.title for i in p2.segments[0].items] == ["Shadow", "Basic"]
    assert [i.title for i in p2.segments[1].items] == ["Lady turn"]
    assert p2.total_minutes == 35
    assert [i.title for i in p.segments[1].items] == ["Lady turn", "Shadow"]  # original untouched
    p3 = p2.move_segment(p2.segments[1].id, 0)
    assert p3.segments[0].kind is SegmentKind.PATTERN
    p4 = p3.update_item(shadow.id, duration_min=20)
    assert p4.total_minutes == 45


def test_round_trip_and_duplicate() -> None:
    p = _plan()
    assert ClassPlan.from_dict(p.to_dict()) == p
    d = p.duplicate()
    assert d.title == "Tuesday (copy)" and d.total_minutes == p.total_minutes
    assert {i.id for i in d.items()}.isdisjoint({i.id for i in p.items()})


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(schema_version=99), "unsupported"),
    (lambda d: d.update(segments="nope"), "list"),
    (lambda d: d["segments"][0]["items"][0].update(duration_min="x"), "not a number"),
    (lambda d: d["segments"][0]["items"][0].update(duration_min=-5), "out of range"),
    (lambda d: d["segments"][1]["items"][0].update(id=d["segments"][0]["items"][0]["id"]), "duplicate"),
    (lambda d: d["segments"][0]["items"][0].update(id="../../etc"), "bad id"),
    (lambda d: d["segments"][0]["items"][0].update(kind="virus"), "malformed"),
    (lambda d: d.update(title=["x"]), "text"),
])
def test_malformed_plans_are_refused(mutate, message) -> None:
    d = _plan().to_dict()
    mutate(d)
    with pytest.raises(InputError, match=message):
        ClassPlan.from_dict(d)


def test_templates_give_fresh_plans() -> None:
    name = next(iter(TEMPLATES))
    a, b = from_template(name, date="2026-12-01"), from_template(name)
    assert a.date == "2026-12-01" and a.total_minutes > 0
    assert {i.id for i in a.items()}.isdisjoint({i.id for i in b.items()})
