"""Moves and choreographies reach a class plan: dragged from the library grid (the sidebar switches
areas under the drag), "Add to plan" on a card, "Add to class plan" in the generator, and dragged
from Collections over the Plans tab. Real main window, store, shared clips and plans.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from bachata_desktop.core.plan import ItemKind
from bachata_desktop.core.task import RecordingContext
from bachata_desktop.ui.mime import CHOREOGRAPHY_IDS_MIME, CLIP_IDS_MIME, decode_ids

CLIPS = ("basic/front_step.mp4", "outro/outro4.mp4", "bolero/machete_completo.mp4")


def _drag_over(widget, pos, mime: QMimeData) -> bool:
    """Drag ``mime`` into ``widget`` at ``pos`` (enter, then move), as a real drag would."""
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(pos, actions, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(pos, actions, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, move)
    return move.isAccepted()


def _drop(widget, pos, mime: QMimeData) -> bool:
    _drag_over(widget, pos, mime)
    drop = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


@pytest.fixture
def library(qtbot, main_window, shared_clips_dir):
    from bachata_desktop.services.library_import import import_clips

    store = main_window.ctx.store
    import_clips(store, [shared_clips_dir / c for c in CLIPS], RecordingContext(),
                 enqueue_analysis=False)
    main_window.library.reload()
    qtbot.waitUntil(lambda: main_window.library.proxy.rowCount() == len(CLIPS), timeout=10000)
    plan = main_window.plans.new_plan(title="Tuesday beginners")
    assert main_window.plans.editor.plan.id == plan.id
    return main_window


def _items(window, kind: ItemKind) -> list[int]:
    plan = window.plans.editor.plan
    return [i.ref_id for s in plan.segments for i in s.items if i.kind is kind]


def _nav_row_pos(window, key: str):
    from bachata_desktop.ui.main_window import AREAS

    row = [k for k, _l, _s in AREAS].index(key)
    return window.nav.visualItemRect(window.nav.item(row)).center()


def test_drag_a_card_over_the_sidebar_to_a_plan(qtbot, library) -> None:
    window = library
    lib = window.library
    window.show_area("library")
    assert lib.grid.dragEnabled()
    index = lib.proxy.index(0, 0)
    assert lib.proxy.flags(index) & Qt.ItemFlag.ItemIsDragEnabled
    mime = lib.proxy.mimeData([index])
    clip_id = decode_ids(mime, CLIP_IDS_MIME)
    assert clip_id == [index.data(Qt.ItemDataRole.UserRole + 4)]
    # resting on "Class plans" in the sidebar opens the area under the drag
    assert _drag_over(window.nav.viewport(), _nav_row_pos(window, "plans"), mime)
    qtbot.waitUntil(lambda: window.current_area() == "plans", timeout=5000)
    # and the drop lands in the plan (on its first segment)
    tree = window.plans.editor.tree
    seg_rect = tree.visualRect(window.plans.editor.model.index(0, 0))
    assert _drop(tree.viewport(), seg_rect.center(), mime)
    assert _items(window, ItemKind.MOVE) == clip_id
    # a file dragged from the desktop does not switch areas (it is an import, handled elsewhere)
    window.show_area("library")
    files = QMimeData()
    files.setText("not ours")
    assert not _drag_over(window.nav.viewport(), _nav_row_pos(window, "plans"), files)


def test_add_to_plan_from_the_card_menu(qtbot, library) -> None:
    window = library
    lib = window.library
    cid = lib.proxy.index(1, 0).data(Qt.ItemDataRole.UserRole + 4)
    menu = lib.context_menu(cid)
    sub = next(a.menu() for a in menu.actions() if a.text() == "Add to plan")
    target = next(a for a in sub.actions() if a.text().startswith("Tuesday beginners"))
    target.trigger()
    assert window.current_area() == "plans"
    assert _items(window, ItemKind.MOVE) == [cid]
    # "the open plan (or a new one)" with no plan at all creates one
    window.plans.editor.set_plan(None)
    sub.actions()[0].trigger()
    assert window.plans.editor.plan is not None and _items(window, ItemKind.MOVE) == [cid]


def test_drag_from_collections_over_the_plans_tab(qtbot, library) -> None:
    from bachata_desktop.core.documents import StoredDocument

    window = library
    doc = window.ctx.store.choreographies.save(StoredDocument(None, "Routine A", {"slots": []}))
    window.plans.collections.reload()
    window.show_area("plans")
    tabs = window.plans.tabs
    tabs.setCurrentWidget(window.plans.collections)
    from bachata_desktop.ui.mime import encode_ids

    mime = encode_ids(CHOREOGRAPHY_IDS_MIME, [doc.id])
    bar = tabs.tabBar()
    _drag_over(bar, bar.tabRect(0).center(), mime)
    qtbot.waitUntil(lambda: tabs.currentIndex() == 0, timeout=5000)
    tree = window.plans.editor.tree
    assert _drop(tree.viewport(), tree.visualRect(window.plans.editor.model.index(0, 0)).center(),
                 mime)
    assert _items(window, ItemKind.CHOREOGRAPHY) == [doc.id]


def test_generator_add_to_class_plan_adds_the_choreography(qtbot, main_window, tmp_path) -> None:
    from synth import synth_song
    from test_wizard import _run_to_result, fill_from_shared_clips

    window = main_window
    fill_from_shared_clips(window.ctx.store)
    plan = window.plans.new_plan(title="Friday class")
    song = synth_song(124.0, form=(("intro", 1), ("verse", 2), ("outro", 1)), seed=4)
    path = song.write(Path(tmp_path) / "song.wav")
    gen = window.generator
    window.show_area("generator")
    _run_to_result(qtbot, gen, path)
    qtbot.mouseClick(gen.result_view.plan_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gen.doc_id is not None and window.current_area() == "plans",
                    timeout=30000)
    assert window.plans.editor.plan.id == plan.id
    assert _items(window, ItemKind.CHOREOGRAPHY) == [gen.doc_id]
