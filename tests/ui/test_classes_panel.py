"""The Classes area driven through its real widgets: groups, sessions, the grid, suggestions, drafts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from bachata_desktop.core.clip import Clip, Hold, Level
from bachata_desktop.core.groups import Status
from bachata_desktop.services import groups as group_service


def _add_clips(store) -> dict[str, int]:
    out = {}
    for i, (name, cat, hold) in enumerate([("basic_side", "basic", Hold.CLOSED),
                                           ("ladyturn_left", "ladyturn", Hold.OPEN),
                                           ("cross_body_lead", "cross_body_lead", Hold.CLOSED),
                                           ("spin", "spin", Hold.OPEN)]):
        out[name] = store.clips.add(Clip(None, f"k{i}", name, cat, f"{i}.mp4", f"h{i}",
                                         level=Level.BEGINNER, start_hold=hold, end_hold=hold)).id
    return out


@pytest.fixture
def ctx(qtbot, app_paths):
    from bachata_desktop.app import build_context, make_application

    make_application([])
    c = build_context(app_paths)
    yield c
    c.jobs.shutdown(10000)
    c.store.close()


@pytest.fixture
def panel(qtbot, ctx):
    from bachata_desktop.ui.groups.panel import ClassesPanel

    p = ClassesPanel(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 760)
    p.show()
    return p


def _answer_dialog(fill) -> None:
    """Fill and accept the next modal dialog (a real one, shown by exec())."""
    def go() -> None:
        w = QApplication.activeModalWidget()
        if w is None:
            QTimer.singleShot(20, go)
            return
        fill(w)
    QTimer.singleShot(0, go)


def test_models_pass_the_qt_model_tester(qtmodeltester, panel, ctx) -> None:
    ids = _add_clips(ctx.store)
    g = group_service.create_group(ctx.store, "Tuesday beginners")
    a = group_service.create_student(ctx.store, "Ana", group_ids=[g.id])
    group_service.record_session(ctx.store, g.id, "2026-01-06", clip_ids=[ids["basic_side"]],
                                 attendance=[a.id])
    panel.reload(g.id)
    for m in (panel.list_model, panel.overview.sessions_model, panel.overview.grid_model,
              panel.next_class.model, panel.students.model):
        qtmodeltester.check(m)


def test_empty_state_then_new_group_with_duplicate_name_kept_open(qtbot, panel, ctx) -> None:
    assert panel.right.currentWidget() is panel.empty
    group_service.create_group(ctx.store, "Tuesday beginners")
    seen: list[str] = []

    def fill(dlg) -> None:
        dlg.name_edit.setText("tuesday BEGINNERS")
        dlg.accept()                                   # refused: the dialog stays open
        seen.append(dlg.error.text())
        assert dlg.isVisible() and dlg.name_edit.text() == "tuesday BEGINNERS"
        dlg.name_edit.setText("Sensual level 2")
        dlg.level_box.setCurrentIndex(1)
        dlg.accept()

    _answer_dialog(fill)
    g = panel.new_group_dialog()
    assert "already exists" in seen[0]
    assert g.name == "Sensual level 2" and g.level is Level.INTERMEDIATE
    assert panel.current_group_id() == g.id and panel.right.currentIndex() == 1
    assert "Sensual level 2" in panel.header.text()


def test_record_session_fills_timeline_and_grid_then_set_status(qtbot, panel, ctx) -> None:
    ids = _add_clips(ctx.store)
    g = group_service.create_group(ctx.store, "Tuesday beginners")
    ana = group_service.create_student(ctx.store, "Ana", group_ids=[g.id])
    panel.reload(g.id)
    assert panel.students.model.rowCount() == 1

    def fill(dlg) -> None:
        dlg.date_edit.setDate(QDate(2026, 1, 6))
        dlg.filter_edit.setText("cross")
        visible = [dlg.moves.item(n).text() for n in range(dlg.moves.count())
                   if not dlg.moves.item(n).isHidden()]
        assert visible == ["Cross body lead"]
        dlg.filter_edit.clear()
        for n in range(dlg.moves.count()):
            it = dlg.moves.item(n)
            if it.data(Qt.ItemDataRole.UserRole) in (ids["basic_side"], ids["cross_body_lead"]):
                it.setCheckState(Qt.CheckState.Checked)
        dlg.attendance.item(0).setCheckState(Qt.CheckState.Checked)
        dlg.title_edit.setText("Week 1")
        dlg.accept()

    _answer_dialog(fill)
    panel.record_session_dialog()
    ov = panel.overview
    assert ov.sessions_model.rowCount() == 1
    assert ov.sessions_model.index(0, 1).data() == "Week 1"
    assert ov.grid_model.rowCount() == 2
    assert ov.grid_model.headerData(5, Qt.Orientation.Horizontal) == "Ana"
    assert ov.grid_model.index(0, 5).data() == "Taught"
    assert "1 session" in panel.list_model.index(0).data()
    ov.grid.selectRow(0)
    cid = ov.selected_clip_ids()[0]
    ov.set_selected_status(Status.KNOWN)
    assert ctx.store.groups.progress(g.id)[cid].status is Status.KNOWN
    assert "1 known" in ov.grid_title.text()
    assert ctx.store.groups.student_progress(ana.id)[cid].status is Status.TAUGHT
    ov.set_student_status(ana.id, cid, Status.PRACTISING)     # one student's own progress
    assert ctx.store.groups.student_progress(ana.id)[cid].status is Status.PRACTISING
    assert ov.grid_model.index(0, 5).data() == "Practising"


def test_deleting_a_taught_group_is_refused_and_archive_keeps_it(qtbot, panel, ctx, monkeypatch) -> None:
    ids = _add_clips(ctx.store)
    g = group_service.create_group(ctx.store, "Tuesday beginners")
    group_service.record_session(ctx.store, g.id, "2026-01-06", clip_ids=[ids["basic_side"]])
    panel.reload(g.id)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: shown.append(text))
    assert panel.delete_current() is False
    assert "archive it instead" in shown[0] and ctx.store.groups.get_group(g.id) is not None
    panel.toggle_archive()
    assert panel.list_model.rowCount() == 0              # archived groups leave the list...
    panel.show_archived.setChecked(True)
    assert panel.list_model.groups[0].archived           # ...and are kept
    assert ctx.store.groups.session_count(g.id) == 1
    fresh = group_service.create_group(ctx.store, "Never taught")
    panel.reload(fresh.id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    assert panel.delete_current() is True                # a group never taught may go
    assert ctx.store.groups.get_group(fresh.id) is None and ctx.store.groups.get_group(g.id) is not None


def test_suggestions_to_a_new_plan_in_one_click(qtbot, panel, ctx) -> None:
    ids = _add_clips(ctx.store)
    g = group_service.create_group(ctx.store, "Tuesday beginners")
    group_service.record_session(ctx.store, g.id, "2026-01-06", clip_ids=[ids["basic_side"]])
    panel.reload(g.id)
    nc = panel.next_class
    assert nc.current is None                     # not worked out while the tab is hidden
    panel.tabs.setCurrentWidget(nc)               # shown: worked out on the I/O pool
    qtbot.waitUntil(lambda: nc.current is not None, timeout=10000)
    shown = [nc.model.rows[r].clip_id for r in range(nc.model.rowCount())]
    assert set(shown) >= {ids["ladyturn_left"], ids["cross_body_lead"]}
    assert ids["spin"] not in shown and "Spin (needs Lady turn)" in nc.waiting.text()
    # uncheck one, then one click
    row = shown.index(ids["cross_body_lead"])
    nc.model.setData(nc.model.index(row, 0), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    with qtbot.waitSignal(panel.plan_drafted, timeout=2000) as sig:
        qtbot.mouseClick(nc.draft_button, Qt.MouseButton.LeftButton)
    from bachata_desktop.services import plans

    plan = plans.load_plan(ctx.store, sig.args[0])
    moves = [i.ref_id for i in plan.items() if i.ref_id is not None]
    assert ids["ladyturn_left"] in moves and ids["cross_body_lead"] not in moves


def test_export_csv_from_the_overview(qtbot, panel, ctx, tmp_path: Path) -> None:
    ids = _add_clips(ctx.store)
    g = group_service.create_group(ctx.store, "Martes")
    group_service.record_session(ctx.store, g.id, "2026-01-06", clip_ids=[ids["spin"]])
    panel.reload(g.id)
    out = panel.overview.export_to(tmp_path / "martes.csv")
    assert "Spin" in out.read_text("utf-8-sig")


def test_main_window_has_classes_and_a_draft_opens_in_plans(qtbot, main_window) -> None:
    ctx = main_window.ctx
    ids = _add_clips(ctx.store)
    g = group_service.create_group(ctx.store, "Tuesday beginners")
    main_window.show_area("classes")
    assert main_window.stack.currentWidget() is main_window.classes
    main_window.classes.reload(g.id)
    nc = main_window.classes.next_class
    main_window.classes.tabs.setCurrentWidget(nc)
    qtbot.waitUntil(lambda: nc.current is not None, timeout=10000)
    nc.make_draft()
    assert main_window.current_area() == "plans"
    assert main_window.plans.editor.plan.title == "Tuesday beginners: next class"
    assert [i.ref_id for i in main_window.plans.editor.plan.items() if i.ref_id] == [ids["basic_side"]]


def test_plan_editor_records_the_plan_as_taught_in_one_click(qtbot, ctx) -> None:
    from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind
    from bachata_desktop.services import plans
    from bachata_desktop.ui.plans.panel import PlansPanel

    ids = _add_clips(ctx.store)
    group_service.create_group(ctx.store, "Privates")
    g = group_service.create_group(ctx.store, "Tuesday beginners")
    plan = plans.save_plan(ctx.store, ClassPlan("Week 4", "2026-02-03", segments=(
        Segment(SegmentKind.PATTERN, items=(PlanItem(ItemKind.MOVE, "Spin", 10, ids["spin"]),)),)))
    p = PlansPanel(ctx)
    qtbot.addWidget(p)
    p.show()
    p.reload(select_id=plan.id)

    def fill(dlg) -> None:
        assert dlg.plan_box.currentData() == plan.id          # the plan being edited
        dlg.group_box.setCurrentIndex(dlg.group_box.findData(g.id))
        dlg.date_edit.setDate(QDate(2026, 2, 3))
        dlg.accept()

    _answer_dialog(fill)
    qtbot.mouseClick(p.taught_button, Qt.MouseButton.LeftButton)
    s = ctx.store.groups.sessions(g.id)
    assert [(x.date, x.title, x.clip_ids) for x in s] == [("2026-02-03", "Week 4", (ids["spin"],))]
    assert ctx.store.groups.progress(g.id)[ids["spin"]].status is Status.TAUGHT
    p.shutdown()


def test_sharing_a_plan_asks_for_a_class_only_when_there_are_classes(qtbot, ctx, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    from bachata_desktop.ui.groups.panel import NO_GROUP, ask_share_group

    asked: list[list[str]] = []

    def answer(_parent, _title, _label, items, *_a):
        asked.append(list(items))
        return items[-1], True

    monkeypatch.setattr(QInputDialog, "getItem", answer)
    assert ask_share_group(ctx) == (True, None) and asked == []
    g = group_service.create_group(ctx.store, "Tuesday beginners")
    assert ask_share_group(ctx) == (True, g.id)
    assert asked[-1] == [NO_GROUP, "Tuesday beginners"]
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a: ("", False))
    assert ask_share_group(ctx) == (False, None)                  # cancelled: nothing is written


def test_plan_editor_taught_offers_the_picked_group_s_students(qtbot, ctx) -> None:
    """"Taught…" from a plan: "Who came (optional)" lists the students of the group picked in the
    dialog (none ticked: attendance stays optional), follows a change of group, and is hidden for a
    group without students; the ticked students get the plan's moves as their own progress."""
    from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind
    from bachata_desktop.services import plans
    from bachata_desktop.ui.plans.panel import PlansPanel

    ids = _add_clips(ctx.store)
    empty = group_service.create_group(ctx.store, "Privates")
    g = group_service.create_group(ctx.store, "Tuesday beginners")
    ana = group_service.create_student(ctx.store, "Ana", group_ids=[g.id])
    ben = group_service.create_student(ctx.store, "Ben", group_ids=[g.id])
    plan = plans.save_plan(ctx.store, ClassPlan("Week 5", "2026-02-10", segments=(
        Segment(SegmentKind.PATTERN, items=(PlanItem(ItemKind.MOVE, "Spin", 10, ids["spin"]),)),)))
    p = PlansPanel(ctx)
    qtbot.addWidget(p)
    p.show()
    p.reload(select_id=plan.id)
    seen: dict[str, object] = {}

    def names(dlg) -> list[str]:
        return [dlg.attendance.item(n).text() for n in range(dlg.attendance.count())]

    def fill(dlg) -> None:
        dlg.group_box.setCurrentIndex(dlg.group_box.findData(empty.id))
        seen["empty"] = (names(dlg), dlg.form.isRowVisible(dlg.attendance))
        dlg.group_box.setCurrentIndex(dlg.group_box.findData(g.id))
        seen["group"] = (names(dlg), dlg.form.isRowVisible(dlg.attendance),
                         [dlg.attendance.item(n).checkState() for n in range(dlg.attendance.count())])
        dlg.attendance.item(names(dlg).index("Ana")).setCheckState(Qt.CheckState.Checked)
        dlg.date_edit.setDate(QDate(2026, 2, 10))
        dlg.accept()

    _answer_dialog(fill)
    qtbot.mouseClick(p.taught_button, Qt.MouseButton.LeftButton)
    assert seen["empty"] == ([], False)
    assert seen["group"] == (["Ana", "Ben"], True, [Qt.CheckState.Unchecked] * 2)
    [s] = ctx.store.groups.sessions(g.id)
    assert s.attendance == (ana.id,) and s.clip_ids == (ids["spin"],)
    assert ctx.store.groups.student_progress(ana.id)[ids["spin"]].status is Status.TAUGHT
    assert ctx.store.groups.student_progress(ben.id) == {}
    p.shutdown()
