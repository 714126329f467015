"""``group``, ``session``, ``progress`` and ``suggest`` on the command line (JSON, exit codes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bachata_desktop.cli import run_cli
from bachata_desktop.core.clip import Clip, Level


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = run_cli(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_group_session_progress_suggest(store, capsys, tmp_path: Path) -> None:
    basic = store.clips.add(Clip(None, "b", "basic_side", "basic", "b.mp4", "h1"))
    turn = store.clips.add(Clip(None, "t", "ladyturn_left", "ladyturn", "t.mp4", "h2"))
    store.clips.add(Clip(None, "s", "shadow", "shadow", "s.mp4", "h3", level=Level.ADVANCED))
    rc, out, _ = _cli(capsys, "group", "add", "Tuesday beginners", "--json")
    assert rc == 0 and json.loads(out)["name"] == "Tuesday beginners"
    rc, _, err = _cli(capsys, "group", "add", "TUESDAY beginners")
    assert rc == 2 and "already exists" in err and len(err.strip().splitlines()) == 1
    rc, out, _ = _cli(capsys, "suggest", "Tuesday beginners", "--json", "--date", "2026-01-01")
    sug = json.loads(out)
    assert [s["clip_id"] for s in sug["new"]] == [basic.id]
    assert sug["waiting"] == [{"clip_id": turn.id, "needs": ["family:basic"]}]
    rc, out, _ = _cli(capsys, "session", "add", "tuesday beginners", "--date", "2026-01-06",
                      "--clip", str(basic.id), "--json")
    assert rc == 0 and json.loads(out)["clip_ids"] == [basic.id]
    rc, out, _ = _cli(capsys, "progress", "Tuesday beginners", "--json")
    moves = json.loads(out)["moves"]
    assert moves == [{"clip_id": basic.id, "name": "Basic side", "category": "basic",
                      "status": "taught", "last_taught": "2026-01-06", "times_taught": 1}]
    rc, out, _ = _cli(capsys, "suggest", "Tuesday beginners", "--json", "--date", "2026-02-20")
    sug = json.loads(out)
    assert [s["clip_id"] for s in sug["new"]] == [turn.id]
    assert [s["clip_id"] for s in sug["review"]] == [basic.id]
    rc, out, _ = _cli(capsys, "group", "show", "Tuesday beginners", "--json")
    shown = json.loads(out)
    assert shown["counts"]["taught"] == 1 and shown["sessions"][0]["date"] == "2026-01-06"
    rc, out, _ = _cli(capsys, "group", "list", "--json")
    assert json.loads(out)[0]["sessions"] == 1
    rc, _, _ = _cli(capsys, "group", "export", "Tuesday beginners", str(tmp_path / "t.csv"))
    assert rc == 0 and "Basic side" in (tmp_path / "t.csv").read_text("utf-8-sig")


@pytest.mark.parametrize("argv, message", [
    (("progress", "Nobody", "--json"), "no group named"),
    (("session", "add", "G", "--date", "2026-02-30"), "not a date"),
    (("session", "add", "G", "--clip", "42"), "No move with id 42"),
    (("group", "add", "  "), "group name is empty"),
    (("group", "add", "X", "--level", "expert"), "unknown level"),
])
def test_bad_input_one_line_exit_2(store, capsys, argv, message) -> None:
    _cli(capsys, "group", "add", "G")
    rc, _, err = _cli(capsys, *argv)
    assert rc == 2 and message in err and len(err.strip().splitlines()) == 1


def test_session_from_a_plan_and_a_plan_shared_with_its_class(store, capsys, tmp_path: Path) -> None:
    import hashlib

    from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind
    from bachata_desktop.services import plans

    (store.paths.media / "b.mp4").write_bytes(b"basic video")
    basic = store.clips.add(Clip(None, "b", "basic_side", "basic", "b.mp4",
                                 hashlib.sha256(b"basic video").hexdigest()))
    plan = plans.save_plan(store, ClassPlan("Week 1", segments=(
        Segment(SegmentKind.PATTERN, items=(PlanItem(ItemKind.MOVE, "Basic", 10, basic.id),)),)))
    _cli(capsys, "group", "add", "Tuesday beginners")
    rc, out, _ = _cli(capsys, "session", "add", "Tuesday beginners", "--plan", str(plan.id),
                      "--date", "2026-01-06", "--json")
    assert rc == 0 and json.loads(out)["clip_ids"] == [basic.id] and json.loads(out)["title"] == "Week 1"
    out_file = tmp_path / "week1.bbplan"
    rc, _, err = _cli(capsys, "plan", "share", str(plan.id), str(out_file), "--group", "Tuesday beginners")
    assert rc == 0, err
    rc, out, _ = _cli(capsys, "plan", "import", str(out_file), "--json")
    assert rc == 0 and json.loads(out)["group"] == "Tuesday beginners (2)"
    rc, out, _ = _cli(capsys, "group", "list", "--json")
    assert [g["name"] for g in json.loads(out)] == ["Tuesday beginners", "Tuesday beginners (2)"]
    rc, _, err = _cli(capsys, "plan", "share", str(plan.id), str(out_file), "--group", "Nobody")
    assert rc == 2 and "no group named" in err


def test_progress_of_one_student(store, capsys) -> None:
    from bachata_desktop.services import groups

    basic = store.clips.add(Clip(None, "b", "basic_side", "basic", "b.mp4", "h1"))
    turn = store.clips.add(Clip(None, "t", "ladyturn_left", "ladyturn", "t.mp4", "h2"))
    g = groups.create_group(store, "Tuesday beginners")
    ana = groups.create_student(store, "Ana", group_ids=[g.id])
    groups.create_student(store, "Ben", group_ids=[g.id])
    groups.create_student(store, "Carla")                       # in no group
    rc, _, err = _cli(capsys, "session", "add", "Tuesday beginners", "--date", "2026-01-06",
                      "--clip", str(basic.id), "--clip", str(turn.id), "--student", str(ana.id))
    assert rc == 0, err
    groups.set_status(store, g.id, basic.id, "known", student_id=ana.id)
    rc, out, _ = _cli(capsys, "progress", "Tuesday beginners", "--student", "ana", "--json")
    got = json.loads(out)
    assert rc == 0 and got["student"] == {"id": ana.id, "name": "Ana", "level": "beginner"}
    assert [(m["clip_id"], m["status"], m["last_taught"]) for m in got["moves"]] == [
        (basic.id, "known", "2026-01-06"), (turn.id, "taught", "2026-01-06")]
    rc, out, _ = _cli(capsys, "progress", "Tuesday beginners", "--json")   # the group's own
    assert [m["status"] for m in json.loads(out)["moves"]] == ["taught", "taught"]
    rc, out, _ = _cli(capsys, "progress", "Tuesday beginners", "--student", "Ben", "--json")
    assert rc == 0 and json.loads(out)["moves"] == []                      # Ben did not come
    rc, out, _ = _cli(capsys, "progress", "Tuesday beginners", "--student", "Ana")
    assert rc == 0 and out.splitlines()[0] == "Ana in Tuesday beginners" and "known" in out
    for who in ("Carla", "Nobody"):
        rc, _, err = _cli(capsys, "progress", "Tuesday beginners", "--student", who, "--json")
        assert rc == 2 and f"no student named “{who}” in “Tuesday beginners”" in err
        assert len(err.strip().splitlines()) == 1


def test_progress_and_overview_leave_out_moves_deleted_from_the_library(store, capsys) -> None:
    from bachata_desktop.services import group_export, groups

    basic = store.clips.add(Clip(None, "b", "basic_side", "basic", "b.mp4", "h1"))
    turn = store.clips.add(Clip(None, "t", "ladyturn_left", "ladyturn", "t.mp4", "h2"))
    g = groups.create_group(store, "G")
    groups.record_session(store, g.id, "2026-01-06", clip_ids=[basic.id, turn.id])
    store.clips.delete(turn.id)
    assert [r.clip.id for r in group_export.overview(store, g.id).rows] == [basic.id]
    rc, out, _ = _cli(capsys, "group", "show", "G", "--json")
    shown = json.loads(out)
    assert [m["clip_id"] for m in shown["moves"]] == [basic.id] and shown["counts"]["taught"] == 1
    rc, out, _ = _cli(capsys, "progress", "G", "--json")
    assert [m["clip_id"] for m in json.loads(out)["moves"]] == [basic.id]
    store.clips.restore(turn.id)                          # undo: the move and its progress are back
    assert {r.clip.id for r in group_export.overview(store, g.id).rows} == {basic.id, turn.id}
