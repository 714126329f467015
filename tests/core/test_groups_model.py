"""Classes and students, the pure model: validation, progress rules and what to teach next."""

from __future__ import annotations

import datetime as dt

import pytest

from bachata_desktop.core.clip import Clip, Hold, Level
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.groups import (
    Progress,
    Status,
    after_session,
    clean_name,
    parse_date,
    parse_level,
    recount,
    unique_name,
)
from bachata_desktop.core.suggest import FamilyRules, missing, parse_token, suggest

RULES = FamilyRules.from_dict({"families": {
    "basic": {"requires": []}, "ladyturn": {"requires": ["basic"]}, "spin": {"requires": ["ladyturn"]},
    "cross_body_lead": {"requires": ["basic"]}}, "same_family_words": ["double"]})
TODAY = dt.date(2026, 3, 1)


def _clip(cid: int, name: str, cat: str, level: Level = Level.BEGINNER,
          holds: tuple[Hold, Hold] = (Hold.UNKNOWN, Hold.UNKNOWN)) -> Clip:
    return Clip(cid, f"k{cid}", name, cat, f"{cid}.mp4", f"h{cid}", level=level,
                start_hold=holds[0], end_hold=holds[1])


LIB = {c.id: c for c in (
    _clip(1, "basic_side", "basic", holds=(Hold.CLOSED, Hold.CLOSED)),
    _clip(2, "ladyturn_left", "ladyturn", holds=(Hold.OPEN, Hold.OPEN)),
    _clip(3, "lady_double_turn", "ladyturn", Level.INTERMEDIATE, (Hold.OPEN, Hold.OPEN)),
    _clip(4, "spin", "spin", holds=(Hold.OPEN, Hold.OPEN)),
    _clip(5, "cross_body_lead", "cross_body_lead", holds=(Hold.CLOSED, Hold.OPEN)),
    _clip(6, "hammer", "hammerlock", Level.ADVANCED),
)}


def test_names_levels_dates_are_checked() -> None:
    assert clean_name("  Tuesday   beginners ") == "Tuesday beginners"
    for bad in ("", "   ", "x" * 500, 7):
        with pytest.raises(InputError):
            clean_name(bad)
    assert parse_level("Medium") is Level.INTERMEDIATE
    with pytest.raises(InputError, match="unknown level"):
        parse_level("expert")
    assert parse_date("2026-02-03") == "2026-02-03"
    with pytest.raises(InputError, match="not a date"):
        parse_date("03/02/2026")
    assert Status.parse("Practicing") is Status.PRACTISING
    with pytest.raises(InputError, match="unknown status"):
        Status.parse("maybe")
    assert unique_name("Sensual 2", ["sensual 2", "Sensual 2 (2)"]) == "Sensual 2 (3)"


def test_a_session_never_lowers_progress_and_keeps_the_latest_date() -> None:
    p = after_session(None, 4, "2026-01-10")
    assert p == Progress(4, Status.TAUGHT, "2026-01-10", 1)
    known = Progress(4, Status.KNOWN, "2026-02-01", 3)
    older = after_session(known, 4, "2026-01-05")  # an old class recorded late
    assert older.status is Status.KNOWN and older.last_taught == "2026-02-01" and older.times_taught == 4
    assert recount(4, Status.TAUGHT, []) is None            # taught only by the removed session
    assert recount(4, Status.KNOWN, []) == Progress(4, Status.KNOWN, "", 0)  # set by hand: stays
    assert recount(4, Status.PRACTISING, ["2026-01-01", "2026-02-02"]).last_taught == "2026-02-02"


def test_new_group_is_offered_the_basics_first() -> None:
    s = suggest(Level.BEGINNER, LIB, {}, {}, RULES, TODAY)
    assert [x.clip_id for x in s.new] == [1]          # everything else needs a basic first
    waiting = dict(s.waiting)
    assert waiting[2] == ("family:basic",) and waiting[4] == ("family:ladyturn",)
    assert 3 not in waiting and 6 not in waiting      # above the group's level: not considered


def test_prerequisites_unlock_moves_and_holds_in_use_rank_first() -> None:
    progress = {1: Progress(1, Status.KNOWN, "2026-02-20", 2)}
    s = suggest(Level.BEGINNER, LIB, progress, {}, RULES, TODAY)
    ids = [x.clip_id for x in s.new]
    assert ids == [5, 2]        # cross body lead starts in the closed hold the group uses
    assert "closed hold it already uses" in s.new[0].reason
    assert "has Basic" in s.new[0].reason
    progress[2] = Progress(2, Status.TAUGHT, "2026-02-25", 1)
    ids = [x.clip_id for x in suggest(Level.INTERMEDIATE, LIB, progress, {}, RULES, TODAY).new]
    assert ids[0] == 3          # its own level first: the double turn, a lady turn is taught
    assert 4 in ids             # the spin is open now that a lady turn was taught


def test_double_needs_a_simpler_move_of_its_family() -> None:
    assert "family:ladyturn" in RULES.defaults_for(LIB[3])
    progress = {1: Progress(1, Status.KNOWN, "2026-02-20", 2)}
    s = suggest(Level.INTERMEDIATE, LIB, progress, {}, RULES, TODAY)
    assert dict(s.waiting)[3] == ("family:ladyturn",)


def test_explicit_prerequisites_replace_the_family_defaults() -> None:
    s = suggest(Level.BEGINNER, LIB, {}, {2: (), 4: ("clip:5",)}, RULES, TODAY)
    assert 2 in [x.clip_id for x in s.new]               # "needs nothing" set by hand
    assert dict(s.waiting)[4] == ("clip:5",)
    # a requirement the library cannot meet is ignored, not blocking for ever
    assert missing(("family:bolero", "clip:99"), LIB[4], LIB, {}) == []
    with pytest.raises(InputError):
        parse_token("move:3")


def test_moves_not_reviewed_for_weeks_come_back_oldest_first() -> None:
    progress = {1: Progress(1, Status.PRACTISING, "2026-01-01", 1),
                2: Progress(2, Status.TAUGHT, "2026-01-20", 1),
                5: Progress(5, Status.TAUGHT, "2026-02-25", 1),   # recent
                4: Progress(4, Status.KNOWN, "2025-12-01", 5)}    # known: no review needed
    s = suggest(Level.BEGINNER, LIB, progress, {}, RULES, TODAY, review_weeks=3)
    assert [x.clip_id for x in s.review] == [1, 2]
    assert s.review[0].reason == "practising, not taught for 8 weeks"
    assert s.all()[0].kind == "review"


def test_same_inputs_same_answer() -> None:
    progress = {1: Progress(1, Status.KNOWN, "2026-02-20", 2)}
    a = suggest(Level.BEGINNER, LIB, progress, {}, RULES, TODAY)
    b = suggest(Level.BEGINNER, dict(reversed(list(LIB.items()))), progress, {}, RULES, TODAY)
    assert a == b


def test_malformed_family_data_is_refused() -> None:
    for bad in ({}, {"families": {"basic": {"requires": "x"}}}, {"families": {}, "same_family_words": 3}):
        with pytest.raises(InputError, match="move families"):
            FamilyRules.from_dict(bad)
