"""Classes and students: sessions from plans, progress, suggestions, drafts, exports, backups."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest

from bachata_desktop.core.choreography import Choreography, Request, Slot, SongInfo
from bachata_desktop.core.clip import Clip, Hold, Level
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.groups import Status
from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind
from bachata_desktop.core.task import RecordingContext
from bachata_desktop.services import group_export, groups, plans
from bachata_desktop.services.backup import export_library, restore_library
from bachata_desktop.services.generate import save_choreography


def _lib(store) -> dict[str, int]:
    specs = [("basic_side", "basic", Level.BEGINNER, Hold.CLOSED),
             ("ladyturn_left", "ladyturn", Level.BEGINNER, Hold.OPEN),
             ("spin", "spin", Level.BEGINNER, Hold.OPEN),
             ("cross_body_lead", "cross_body_lead", Level.BEGINNER, Hold.CLOSED),
             ("shadow", "shadow", Level.INTERMEDIATE, Hold.OPEN)]
    out = {}
    for n, (name, cat, level, hold) in enumerate(specs):
        (store.paths.media / f"{name}.mp4").write_bytes(b"stand-in media %d" % n)  # for backups
        c = store.clips.add(Clip(None, name, name, cat, f"{name}.mp4", f"hash{n}", level=level,
                                 start_hold=hold, end_hold=hold))
        out[name] = c.id
    return out


def _plan_with_choreo(store, ids: dict[str, int]) -> ClassPlan:
    choreo = Choreography(SongInfo("song"), 120.0, Request(), 1,
                          (Slot(0.0, 4.0, 8, (0,), ids["ladyturn_left"]),
                           Slot(4.0, 8.0, 8, (1,), ids["basic_side"])))
    doc = save_choreography(store, choreo, "Routine")
    plan = ClassPlan("Week 1", "2026-01-06", "beginner", 60, (
        Segment(SegmentKind.PATTERN, items=(PlanItem(ItemKind.MOVE, "Basic", 10, ids["basic_side"]),
                                            PlanItem(ItemKind.EXERCISE, "Stretch", 5))),
        Segment(SegmentKind.CHOREOGRAPHY, items=(PlanItem(ItemKind.CHOREOGRAPHY, "Routine", 20, doc.id),)),
    ))
    return plans.save_plan(store, plan)


def test_a_taught_plan_counts_its_moves_and_its_choreographies(store) -> None:
    ids = _lib(store)
    g = groups.create_group(store, "Tuesday beginners")
    ana = groups.create_student(store, "Ana", group_ids=[g.id])
    ben = groups.create_student(store, "Ben", group_ids=[g.id])
    plan = _plan_with_choreo(store, ids)
    s = groups.record_session(store, g.id, "2026-01-06", plan_id=plan.id, attendance=[ana.id])
    assert s.title == "Week 1"
    assert set(s.clip_ids) == {ids["basic_side"], ids["ladyturn_left"]}
    progress = store.groups.progress(g.id)
    assert {c: p.status for c, p in progress.items()} == {ids["basic_side"]: Status.TAUGHT,
                                                           ids["ladyturn_left"]: Status.TAUGHT}
    assert set(store.groups.student_progress(ana.id)) == set(s.clip_ids)
    assert store.groups.student_progress(ben.id) == {}
    groups.set_status(store, g.id, ids["basic_side"], "known")
    s2 = groups.record_session(store, g.id, "2026-01-13", clip_ids=[ids["basic_side"]])
    p = store.groups.progress(g.id)[ids["basic_side"]]
    assert (p.status, p.last_taught, p.times_taught) == (Status.KNOWN, "2026-01-13", 2)
    groups.delete_session(store, s2.id)     # undo a mistaken record: the date goes back
    p = store.groups.progress(g.id)[ids["basic_side"]]
    assert (p.status, p.last_taught, p.times_taught) == (Status.KNOWN, "2026-01-06", 1)
    assert groups.status_map(store, g.id)[ids["ladyturn_left"]] is Status.TAUGHT
    groups.set_status(store, g.id, ids["spin"], Status.PRACTISING, student_id=ben.id)
    assert store.groups.student_progress(ben.id)[ids["spin"]].status is Status.PRACTISING


def test_bad_input_gets_a_clear_message_and_loses_nothing(store) -> None:
    ids = _lib(store)
    g = groups.create_group(store, "Sensual 2", "intermediate")
    with pytest.raises(InputError, match="already exists"):
        groups.create_group(store, " sensual  2 ")
    other = groups.create_group(store, "Privates")
    with pytest.raises(InputError, match="already exists"):
        groups.update_group(store, other.id, name="SENSUAL 2")
    stranger = groups.create_student(store, "Zoe")
    with pytest.raises(InputError, match="already exists"):
        groups.create_student(store, "zoe", group_ids=[g.id])
    assert [m.name for m in store.groups.members(g.id)] == []   # nothing half-done
    groups.record_session(store, g.id, "2026-02-01", clip_ids=[ids["basic_side"]])
    before = (store.groups.sessions(g.id), store.groups.progress(g.id))
    for kwargs, msg in (({"clip_ids": [999]}, "No move with id 999"),
                        ({"attendance": [stranger.id]}, "not in"),
                        ({"plan_id": 999}, "no class plan")):
        with pytest.raises(InputError, match=msg):
            groups.record_session(store, g.id, "2026-02-08", **kwargs)
    with pytest.raises(InputError, match="not a date"):
        groups.record_session(store, g.id, "next tuesday")
    with pytest.raises(InputError, match="archive it instead"):
        groups.delete_group(store, g.id)
    assert (store.groups.sessions(g.id), store.groups.progress(g.id)) == before
    groups.archive_group(store, g.id)
    with pytest.raises(InputError, match="archived"):
        groups.record_session(store, g.id, "2026-02-08", clip_ids=[ids["spin"]])
    groups.delete_group(store, other.id)   # never taught: it may go
    assert store.groups.get_group(other.id) is None
    with pytest.raises(InputError, match="own prerequisite"):
        groups.set_prerequisites(store, ids["spin"], [f"clip:{ids['spin']}"])
    with pytest.raises(InputError, match="bad prerequisite"):
        groups.set_prerequisites(store, ids["spin"], ["spin please"])


def test_shipped_family_defaults_drive_the_suggestions_and_the_draft(store) -> None:
    ids = _lib(store)
    rules = groups.family_rules()
    assert rules.requires["spin"] == ("ladyturn",) and rules.requires["ladyturn"] == ("basic",)
    g = groups.create_group(store, "Tuesday beginners")
    first = groups.suggestions(store, g.id, dt.date(2026, 1, 1))
    assert [s.clip_id for s in first.new] == [ids["basic_side"]]
    groups.record_session(store, g.id, "2026-01-06", clip_ids=[ids["basic_side"]])
    later = groups.suggestions(store, g.id, dt.date(2026, 2, 10))
    assert [s.clip_id for s in later.new] == [ids["cross_body_lead"], ids["ladyturn_left"]]
    assert [s.clip_id for s in later.review] == [ids["basic_side"]]
    groups.set_prerequisites(store, ids["spin"], [])   # set by hand in the clip editor
    assert groups.prerequisites_of(store, store.clips.get(ids["spin"])) == ((), True)
    assert ids["spin"] in [s.clip_id for s in groups.suggestions(store, g.id).new]
    plan = groups.draft_plan(store, g.id, later, dt.date(2026, 2, 10))
    loaded = plans.load_plan(store, plan.id)
    moves = [i.ref_id for i in loaded.items() if i.kind is ItemKind.MOVE]
    assert moves == [ids["basic_side"], ids["cross_body_lead"], ids["ladyturn_left"]]
    assert loaded.title == "Tuesday beginners: next class" and loaded.date == "2026-02-10"


def test_overview_exports_to_csv_and_pdf(store, tmp_path: Path) -> None:
    ids = _lib(store)
    g = groups.create_group(store, "Martes ñ")
    ana = groups.create_student(store, "Ana Núñez", group_ids=[g.id])
    groups.record_session(store, g.id, "2026-01-06", clip_ids=[ids["basic_side"], ids["spin"]],
                          title="Class 1", attendance=[ana.id])
    groups.set_status(store, g.id, ids["basic_side"], "known")
    out = group_export.export_overview(store, g.id, tmp_path / "o" / "martes.csv")
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert rows[0] == ["move", "family", "level", "status", "last taught", "times taught", "Ana Núñez"]
    assert rows[1][:4] == ["Basic side", "Basic", "beginner", "known"] and rows[1][-1] == "taught"
    assert ["2026-01-06", "Class 1", "2", "1"] in rows
    import pypdf

    from bachata_desktop.ui.print_pdf import html_to_pdf  # the one PDF path, as the app uses it

    pdf = group_export.export_overview(store, g.id, tmp_path / "martes.pdf",
                                       pdf_writer=lambda h, o, t: html_to_pdf(h, o, title=t))
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages).split())
    assert "Martes ñ: progress" in text and "Ana Núñez" in text
    assert "Martes" in text and "Basic side" in text and "2026-01-06" in text and "Ana" in text
    with pytest.raises(InputError, match=r"\.pdf or \.csv"):
        group_export.export_overview(store, g.id, tmp_path / "x.docx")
    d = group_export.overview(store, g.id).to_dict()
    assert d["counts"] == {"taught": 1, "practising": 0, "known": 1}


def test_backup_restore_round_trip_keeps_classes(store, app_paths, tmp_path: Path) -> None:
    ids = _lib(store)
    g = groups.create_group(store, "Tuesday beginners", notes="room 2")
    ana = groups.create_student(store, "Ana", group_ids=[g.id])
    groups.record_session(store, g.id, "2026-01-06", clip_ids=[ids["basic_side"]], attendance=[ana.id])
    groups.set_status(store, g.id, ids["basic_side"], "practising")
    groups.set_prerequisites(store, ids["spin"], ["family:basic"])
    before = group_export.overview(store, g.id).to_dict()
    info = export_library(store, tmp_path / "lib.zip", RecordingContext())
    assert info.counts["class_groups"] == 1 and info.counts["class_sessions"] == 1
    store.close()
    shutil.rmtree(app_paths.data)
    restore_library(app_paths, tmp_path / "lib.zip", RecordingContext())
    from bachata_desktop.store import Store

    again = Store.open(app_paths)
    try:
        assert group_export.overview(again, g.id).to_dict() == before
        assert again.groups.prerequisites() == {ids["spin"]: ("family:basic",)}
    finally:
        again.close()


def test_a_draft_fits_its_moves_into_the_class_time(store) -> None:
    from bachata_desktop.core.suggest import Suggestion, Suggestions

    ids = _lib(store)
    g = groups.create_group(store, "Big class")
    few = Suggestions(tuple(Suggestion(i, "new", "r", 1.0) for i in list(ids.values())[:2]), (), ())
    plan = groups.draft_plan(store, g.id, few)
    assert plan.target_minutes == 60 and plan.total_minutes <= 60
    many_ids = [store.clips.add(Clip(None, f"x{n}", f"move {n}", "basic", f"x{n}.mp4", f"hx{n}")).id
                for n in range(25)]
    many = Suggestions(tuple(Suggestion(i, "new", "r", 1.0) for i in many_ids), (), ())
    plan = groups.draft_plan(store, g.id, many)
    assert plan.total_minutes <= plan.target_minutes and plan.target_minutes % 15 == 0


@pytest.mark.parametrize("sql, message", [
    ("UPDATE class_sessions SET clip_ids='oops'", "malformed"),
    ("UPDATE group_progress SET status='great'", "unknown status"),
    ("UPDATE move_prerequisites SET requires='[\"spin please\"]'", "bad prerequisite"),
])
def test_malformed_classes_in_an_archive_are_refused(store, app_paths, tmp_path: Path, sql,
                                                     message) -> None:
    import hashlib
    import json
    import sqlite3
    import zipfile

    ids = _lib(store)
    g = groups.create_group(store, "Tuesday beginners")
    groups.record_session(store, g.id, "2026-01-06", clip_ids=[ids["basic_side"]])
    groups.set_prerequisites(store, ids["spin"], ["family:basic"])
    good = tmp_path / "good.zip"
    export_library(store, good, RecordingContext())
    with zipfile.ZipFile(good) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    db = tmp_path / "edit.sqlite3"
    db.write_bytes(members["library.sqlite3"])
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA ignore_check_constraints=ON")
    conn.execute(sql)
    conn.commit()
    conn.close()
    members["library.sqlite3"] = db.read_bytes()
    manifest = json.loads(members["manifest.json"])
    for m in manifest["members"]:
        m["size"], m["sha256"] = len(members[m["path"]]), hashlib.sha256(members[m["path"]]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    before = group_export.overview(store, g.id).to_dict()
    with pytest.raises(InputError, match=message):
        restore_library(store, bad, RecordingContext())
    assert group_export.overview(store, g.id).to_dict() == before   # the library is untouched
