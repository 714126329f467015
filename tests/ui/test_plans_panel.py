"""The class-plan editor and collections, driven through their real widgets and models."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMessageBox

from bachata_desktop.core.clip import Clip, Level
from bachata_desktop.core.documents import StoredDocument
from bachata_desktop.core.plan import ItemKind
from bachata_desktop.services import plans as plan_service
from bachata_desktop.ui.mime import CHOREOGRAPHY_IDS_MIME, CLIP_IDS_MIME, encode_ids


@pytest.fixture
def panel(qtbot, app_paths):
    from bachata_desktop.app import build_context, make_application
    from bachata_desktop.ui.plans.panel import PlansPanel

    make_application([])
    ctx = build_context(app_paths)
    for i, (name, cat, lvl) in enumerate([("Lady turn", "ladyturn", Level.BEGINNER),
                                          ("Shadow ñ", "shadow", Level.INTERMEDIATE),
                                          ("Hammerlock", "hammerlock", Level.ADVANCED)]):
        ctx.store.clips.add(Clip(None, f"k{i}", name, cat, f"{cat}/{i}.mp4", f"h{i}", level=lvl, counts=8))
    p = PlansPanel(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    yield p
    p.shutdown()
    ctx.jobs.shutdown(10000)
    ctx.store.close()


def _drop_clips(panel, clip_ids, seg_row: int) -> bool:
    model = panel.editor.model
    parent = model.index(seg_row, 0)
    mime = encode_ids(CLIP_IDS_MIME, clip_ids)
    assert model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, parent)
    return model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, parent)


def test_model_passes_qt_model_tester(qtmodeltester, panel) -> None:
    panel.new_plan(template=next(iter(__import__("bachata_desktop.core.plan", fromlist=["x"]).TEMPLATES)))
    qtmodeltester.check(panel.editor.model)
    qtmodeltester.check(panel.list_model)


def test_create_drop_reorder_undo_redo_totals(qtbot, panel) -> None:
    plan = panel.new_plan(title="Tuesday beginners")
    ed = panel.editor
    assert ed.plan.id == plan.id and ed.plan.total_minutes == 0
    assert "0 of 60 min" in ed.total_label.text().replace("<b>", "").replace("</b>", "")
    assert _drop_clips(panel, [1, 2], seg_row=1)  # into "Pattern"
    pattern = ed.plan.segments[1]
    assert [i.title for i in pattern.items] == ["Lady turn", "Shadow ñ"]
    assert all(i.kind is ItemKind.MOVE for i in pattern.items)
    assert ed.plan.total_minutes == 18  # 8 (beginner) + 10 (intermediate)
    assert "18 of 60 min" in ed.total_label.text().replace("<b>", "").replace("</b>", "")
    # reorder by dragging Shadow (an item) before Lady turn
    model = ed.model
    seg_ix = model.index(1, 0)
    mime = model.mimeData([model.index(1, 0, seg_ix)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, seg_ix)
    assert [i.title for i in ed.plan.segments[1].items] == ["Shadow ñ", "Lady turn"]
    # move a segment to the top
    mime = model.mimeData([model.index(2, 0)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert ed.plan.segments[0].kind.value == "practice"
    # edit a duration through the model, as the view's editor does
    item_ix = model.index_of(ed.plan.segments[2].items[0].id)
    assert model.setData(item_ix.siblingAtColumn(2), 25)
    assert ed.plan.total_minutes == 33  # Shadow 25 + Lady turn 8
    # undo everything, step by step, then redo
    assert ed.undo_stack.count() == 4
    for _ in range(4):
        ed.undo_stack.undo()
    assert ed.plan.total_minutes == 0 and ed.plan.segments[0].kind.value == "warmup"
    for _ in range(4):
        ed.undo_stack.redo()
    assert ed.plan.total_minutes == 33  # Shadow 25 + Lady turn 8
    assert "33 of 60 min" in ed.total_label.text().replace("<b>", "").replace("</b>", "")


def test_autosave_then_reopen(qtbot, panel, app_paths) -> None:
    plan = panel.new_plan(title="Autosaved")
    panel.editor.add_exercise("Footwork drill", 12)
    qtbot.waitUntil(lambda: panel.ctx.store.plans.get(plan.id).data["segments"][-1]["items"] != [],
                    timeout=5000)
    reopened = plan_service.load_plan(panel.ctx.store, plan.id)
    assert [i.title for i in reopened.items()] == ["Footwork drill"]
    assert not list(app_paths.autosave.glob("plan-*.json")), "autosave file left after the save"


def test_crash_before_db_write_is_recovered(qtbot, app_paths) -> None:
    """An autosave file left by a crash is written to the database on the next start."""
    from bachata_desktop.app import build_context, make_application
    from bachata_desktop.ui.plans.panel import PlansPanel

    make_application([])
    ctx = build_context(app_paths)
    saved = plan_service.save_plan(ctx.store, plan_service.ClassPlan("Before crash"))
    plan_service.autosave(app_paths.autosave, saved.with_(title="Edited just before the crash"))
    p = PlansPanel(ctx)
    qtbot.addWidget(p)
    assert plan_service.load_plan(ctx.store, saved.id).title == "Edited just before the crash"
    ctx.jobs.shutdown(5000)
    ctx.store.close()


def test_duplicate_and_choreography_drop(qtbot, panel) -> None:
    doc = panel.ctx.store.choreographies.save(StoredDocument(None, "Sensual routine", {"slots": []},
                                                             meta={"level": "intermediate"}))
    panel.new_plan(title="With routine")
    model = panel.editor.model
    mime = encode_ids(CHOREOGRAPHY_IDS_MIME, [doc.id])
    assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, model.index(0, 0))
    assert panel.editor.plan.segments[0].items[0].kind is ItemKind.CHOREOGRAPHY
    dup = panel.duplicate_current()
    assert dup.title == "With routine (copy)"
    assert [i.title for i in dup.items()] == ["Sensual routine"]
    assert panel.editor.plan.id == dup.id


def test_open_move_from_plan_item(qtbot, panel) -> None:
    panel.new_plan()
    _drop_clips(panel, [3], seg_row=1)
    ed = panel.editor
    ed.tree.setCurrentIndex(ed.model.index_of(ed.plan.segments[1].items[0].id))
    with qtbot.waitSignal(panel.ctx.navigator.open_clip, timeout=2000) as sig:
        ed.open_button.click()
    assert sig.args == [3]


def test_export_pdf_and_share_import(qtbot, panel, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    panel.new_plan(template="Beginner class (60 min)", title="Printable")
    out = panel.export_current(tmp_path / "printable.pdf")
    text = " ".join(" ".join(pg.extract_text() for pg in pypdf.PdfReader(out).pages).split())
    assert "Printable" in text and "Warm-up" in text
    bundle = plan_service.export_bundle(panel.ctx.store, panel.editor.plan, tmp_path / "p.bbplan")
    errors = panel.import_files([str(bundle), str(tmp_path / "missing.bbplan")])
    assert len(errors) == 1 and "missing.bbplan" in errors[0]
    box = panel.findChild(QMessageBox, "importWarning")
    assert box is not None and "missing.bbplan" in box.text() and box.isVisible()
    assert not box.isModal()
    box.close()
    titles = [p.title for p in panel.list_model.plans]
    assert titles.count("Printable") == 2


def test_collections_search_filter_sort_bulk(qtbot, panel, tmp_path: Path, monkeypatch) -> None:
    store = panel.ctx.store
    for title, level, song, cats in [("Alpha", "beginner", "Song A", ["basic"]),
                                     ("Bravo", "advanced", "Song B", ["spin", "spin"]),
                                     ("Charlie", "beginner", "Canción C", ["shadow"])]:
        slots = [{"start": i * 8.0, "end": (i + 1) * 8.0, "category": c} for i, c in enumerate(cats)]
        store.choreographies.save(StoredDocument(None, title, {"song": {"title": song}, "slots": slots},
                                                 meta={"level": level, "tags": ["tuesday"]}))
    panel.ctx.navigator.choreographies_changed.emit()
    view = panel.collections
    qtbot.waitUntil(lambda: view.proxy.rowCount() == 3, timeout=2000)
    view.search.setText("canción")
    assert view.proxy.rowCount() == 1
    view.search.setText("")
    view.level.setCurrentText("Beginner")
    assert view.proxy.rowCount() == 2
    view.level.setCurrentText("All levels")
    view.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # by number of moves
    assert view.proxy.index(0, 0).data() == "Bravo"
    view.table.selectAll()
    paths = view.export_selected(tmp_path)
    assert len(paths) == 3 and all(p.exists() for p in paths)
    assert "spin" in (tmp_path / f"Bravo-{store.choreographies.list()[1].id}.json").read_text()
    assert "3</b> choreographies" in view.stats.text()
    view.table.clearSelection()
    view.table.selectRow(0)
    view.table.selectRow(1)
    from PySide6.QtWidgets import QAbstractItemView

    view.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
    view.table.selectRow(0)
    view.table.selectRow(1)
    n = view.delete_selected(confirm=False)
    assert n >= 1 and len(store.choreographies.list()) == 3 - n
    assert view.proxy.rowCount() == 3 - n
    assert view.proxy.index(0, 2).data() in ("Beginner", "Intermediate")   # levels read capitalised
    while store.choreographies.list()[1:]:
        store.choreographies.delete(store.choreographies.list()[0].id)
    view.reload()
    assert "1</b> choreography (" in view.stats.text()


def test_level_reads_capitalised_and_is_stored_as_a_value(qtbot, panel) -> None:
    panel.new_plan(title="Levels")
    box = panel.editor.level_box
    assert box.currentText() == "Beginner" and panel.editor.plan.level == "beginner"
    box.setCurrentIndex(box.findText("Mixed"))
    assert panel.editor.plan.level == "mixed"
    # a level written by another tool (an imported plan) is kept as it is and shown capitalised
    panel.editor.set_plan(panel.editor.plan.with_(level="open"))
    assert box.currentText() == "Open" and panel.editor.plan.level == "open"
