"""Library polish in the real main window with real clips: banners coloured by what they mean,
and after a delete the editor shows the selected clip; Delete never removes an unselected one."""

from __future__ import annotations

from pathlib import Path

import pytest
from drop_files import drop_files
from PySide6.QtCore import Qt
from shared_assets import ANNOTATIONS, CLIPS_DIR, need

SAMPLE = ("basic/slow_basic3.mp4", "ladyturn/ladyturn_left.mp4", "bodywaves/triple_bodywave.mp4")


@pytest.fixture
def window(qtbot, main_window):
    need(ANNOTATIONS)
    files = [need(CLIPS_DIR / rel) for rel in SAMPLE]
    lib = main_window.library
    lib.auto_analyze = False
    drop_files(main_window, files)
    qtbot.waitUntil(lambda: lib.model.rowCount() == len(files), timeout=30000)
    qtbot.waitUntil(lambda: not main_window.ctx.jobs.active(), timeout=20000)
    return main_window


def _colour(banner) -> tuple[int, int, int]:
    img = banner.grab().toImage()
    c = img.pixelColor(4, img.height() // 2)
    return c.red(), c.green(), c.blue()


def test_banners_are_coloured_by_kind(qtbot, window, tmp_path: Path) -> None:
    lib = window.library
    banner = lib.banner
    assert banner.property("kind") == "success" and banner.label.text().startswith("✓")
    r, g, b = _colour(banner)
    assert g > r and g > b                                   # a clean import is green
    lib._show_error("the disk is full")
    assert banner.property("kind") == "error" and banner.label.text().startswith("✕")
    r, g, b = _colour(banner)
    assert r > g and r > b                                   # an error is red
    bad = tmp_path / "broken move.mp4"
    bad.write_bytes(b"not a video")
    lib.import_paths([str(bad), str(CLIPS_DIR / SAMPLE[0])])  # one broken, one already there
    qtbot.waitUntil(lambda: "skipped" in banner.label.text(), timeout=30000)
    assert banner.property("kind") == "warning" and banner.label.text().startswith("⚠")
    lib.banner.show_message("3 best matches", kind="search")
    r, g, b = _colour(banner)
    assert banner.property("kind") == "info" and b > r      # a search result is blue, not pink


def test_after_a_delete_the_editor_shows_the_selected_clip(qtbot, window) -> None:
    lib = window.library
    store = lib.ctx.store
    lib.select_clip(lib.proxy.index(0, 0).data(Qt.ItemDataRole.UserRole + 1).id)
    first = lib.selected_clip_ids()
    lib.delete_selected()
    qtbot.waitUntil(lambda: store.clips.count() == 2, timeout=5000)
    # the card that took its place is selected, and it is the one the editor shows
    assert len(lib.selected_clip_ids()) == 1 and lib.selected_clip_ids() != first
    assert lib.detail.clip is not None and lib.detail.clip.id == lib.selected_clip_ids()[0]
    # with nothing selected, the editor is empty and Delete removes nothing
    lib.grid.selectionModel().clearSelection()
    assert lib.detail.clip is None
    pushed = lib.undo_stack.count()
    lib.grid.setFocus()
    qtbot.keyClick(lib.grid, Qt.Key.Key_Delete)
    lib.delete_action.trigger()
    assert lib.undo_stack.count() == pushed and lib.model.rowCount() == 2
