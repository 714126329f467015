"""The library browser in the real main window: drop-import real clips, thumbnails, filters,
search, editing saved to SQLite, delete with undo, double-click to play, analysis queue start."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from drop_files import drop_files
from PySide6.QtCore import Qt

from bachata_desktop.core.clip import Energy, Hold, Level
from bachata_desktop.ui.library.model import ClipRole

SHARED = Path(os.environ.get("BACHATA_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))
CLIPS_DIR = SHARED / "data" / "clips"
ANNOTATIONS = CLIPS_DIR / "bachata_annotations.json"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared asset not found: {path}")
    return path


SAMPLE = ("basic/slow_basic3.mp4", "ladyturn/ladyturn_left.mp4", "bodywaves/triple_bodywave.mp4")


def _wait_idle(qtbot, window, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: not window.ctx.jobs.active(), timeout=timeout)


@pytest.fixture
def imported(qtbot, main_window):
    """The window after dropping three shared clips onto it (analysis off, like --no-analyze)."""
    need(ANNOTATIONS)
    files = [need(CLIPS_DIR / rel) for rel in SAMPLE]
    lib = main_window.library
    lib.auto_analyze = False
    main_window.show_area("songs")
    drop_files(main_window, files)
    assert main_window.current_area() == "library"
    qtbot.waitUntil(lambda: lib.model.rowCount() == len(files), timeout=30000)
    _wait_idle(qtbot, main_window)
    return main_window


def _clip_by_key(lib, key: str):
    return next(c for c in (lib.model.clip_at(r) for r in range(lib.model.rowCount()))
                if c.clip_key == key)


def test_drop_imports_clips_with_annotation_metadata(imported) -> None:
    lib = imported.library
    ann = {e["clip_id"]: e for e in json.loads(ANNOTATIONS.read_text("utf-8"))["clips"]}
    assert lib.stack.currentWidget() is lib.splitter
    assert lib.count_label.text() == "3 moves"
    for rel in SAMPLE:
        key = Path(rel).stem
        clip = _clip_by_key(lib, key)
        stored = lib.ctx.store.clips.get(clip.id)
        assert stored == clip
        assert clip.category == ann[key]["move_label"]
        assert clip.level is Level.parse(ann[key]["difficulty"])
        assert clip.energy is Energy.parse(ann[key]["energy_level"])
        assert clip.duration_s > 3 and clip.width == 1280
        assert lib.ctx.store.media_file(clip.media_path).is_file()
    assert not lib.analysis_running()
    assert "3 imported" in lib.banner.label.text()


def test_thumbnails_are_made_in_background_and_cached_on_disk(qtbot, imported) -> None:
    lib = imported.library
    ids = lib.model.ids()
    qtbot.waitUntil(lambda: all(lib.thumbs.cached(i) is not None for i in ids), timeout=30000)
    files = list(lib.ctx.paths.thumbnails.glob("*.jpg"))
    assert len(files) == len(ids)
    pm = lib.thumbs.cached(ids[0])
    assert pm.width() > 50 and pm.height() > 50
    assert pm.toImage().pixelColor(pm.width() // 2, pm.height() // 2).name() != "#3b3242"


def test_re_dropping_the_same_clips_adds_nothing(qtbot, imported) -> None:
    lib = imported.library
    drop_files(imported, [CLIPS_DIR / SAMPLE[0]])
    qtbot.waitUntil(lambda: "already in the library" in lib.banner.label.text(), timeout=20000)
    assert lib.model.rowCount() == 3


def test_bad_file_is_reported_and_the_rest_imported(qtbot, main_window, tmp_path: Path) -> None:
    lib = main_window.library
    lib.auto_analyze = False
    bad = tmp_path / "broken move.mp4"
    bad.write_bytes(b"\0" * 1000)
    good = need(CLIPS_DIR / SAMPLE[1])
    drop_files(main_window, [bad, good])
    qtbot.waitUntil(lambda: lib.model.rowCount() == 1 and lib.banner.kind == "warning", timeout=30000)
    assert "skipped" in lib.banner.label.text()
    assert "broken move.mp4" in lib.banner.label.toolTip()


def test_filters_in_the_filter_bar(qtbot, imported) -> None:
    lib = imported.library
    bar = lib.filters
    bar.category.setCurrentIndex(bar.category.findData("ladyturn"))
    assert [c.clip_key for c in map(lib.proxy.clip_at, range(lib.proxy.rowCount()))] == ["ladyturn_left"]
    assert lib.count_label.text() == "1 of 3 moves"
    assert bar.clear_button.isVisibleTo(bar)
    bar.clear_button.click()
    assert lib.proxy.rowCount() == 3
    bar.level.setCurrentIndex(bar.level.findData(Level.INTERMEDIATE.value))
    assert [lib.proxy.clip_at(r).clip_key for r in range(lib.proxy.rowCount())] == ["triple_bodywave"]
    bar.energy.setCurrentIndex(bar.energy.findData(Energy.LOW.value))
    assert lib.proxy.rowCount() == 0
    bar.clear()
    bar.analysed.setCurrentIndex(bar.analysed.findData("done"))
    assert lib.proxy.rowCount() == 0  # nothing analysed: the import ran without analysis
    bar.clear()
    bar.sort.setCurrentIndex(bar.sort.findData("duration"))
    durations = [lib.proxy.clip_at(r).duration_s for r in range(lib.proxy.rowCount())]
    assert durations == sorted(durations)


def test_search_box_filters_by_words_then_ranks_by_meaning(qtbot, imported) -> None:
    from bachata_desktop.services.search import reembed_text

    lib = imported.library
    for cid in lib.model.ids():  # what the analysis' text step does, without pose and audio
        reembed_text(lib.ctx.store, lib.ctx.indexes, cid)
    lib.search_edit.setText("bodyw")
    assert lib.proxy.visible_ids() == [_clip_by_key(lib, "triple_bodywave").id]  # at once, by words
    lib.search_edit.setText("the follower turns around")
    with qtbot.waitSignal(lib.proxy.layoutChanged, timeout=30000):
        lib.run_search()
    assert lib.proxy.ranked
    ranked = lib.proxy.visible_ids()
    assert ranked and ranked[0] == _clip_by_key(lib, "ladyturn_left").id
    assert "best matches" in lib.banner.label.text()
    lib.banner.action.click()  # "Show all moves"
    assert not lib.proxy.ranked and lib.proxy.rowCount() == 3 and lib.search_edit.text() == ""


def test_similar_moves_shows_a_ranking_without_the_clip(qtbot, imported) -> None:
    from bachata_desktop.services.search import reembed_text

    lib = imported.library
    source = _clip_by_key(lib, "slow_basic3")
    assert lib.select_clip(source.id)
    lib.show_similar(source.id)
    qtbot.waitUntil(lambda: lib.proxy.ranked, timeout=30000)
    assert lib.proxy.rowCount() == 0 and "analysed" in lib.banner.label.text()
    for cid in lib.model.ids():  # text embeddings only: similarity by description
        reembed_text(lib.ctx.store, lib.ctx.indexes, cid)
    lib.show_similar(source.id)
    qtbot.waitUntil(lambda: lib.proxy.rowCount() > 0, timeout=30000)
    ids = lib.proxy.visible_ids()
    assert source.id not in ids and len(ids) == 2
    assert "most like" in lib.banner.label.text()
    # the best match is the current card, and the editor shows it (not the hidden source)
    assert lib.current_clip_id() == ids[0] and lib.detail.clip.id == ids[0]
    assert lib.selected_clip_ids() == [ids[0]]


def test_similar_moves_say_their_order_and_each_cards_parts(qtbot, imported) -> None:
    from bachata_desktop.services.search import reembed_text

    lib = imported.library
    source = _clip_by_key(lib, "ladyturn_left")
    for cid in lib.model.ids():  # text embeddings only: the parts are the description alone
        reembed_text(lib.ctx.store, lib.ctx.indexes, cid)
    lib.show_similar(source.id)
    qtbot.waitUntil(lambda: lib.proxy.ranked and lib.proxy.rowCount() > 0, timeout=30000)
    assert "same family first, then by pose + music + description" in lib.banner.label.text()
    assert "pose" in lib.banner.label.toolTip()
    for row in range(lib.proxy.rowCount()):
        tip = lib.proxy.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
        assert "<i>description&nbsp;" in tip and "pose" not in tip, tip  # no pose analysed: left out
    lib.banner.action.click()  # "Show all moves": the cards lose the ranking's parts
    qtbot.waitUntil(lambda: not lib.proxy.ranked, timeout=5000)
    tips = [lib.proxy.index(r, 0).data(Qt.ItemDataRole.ToolTipRole)
            for r in range(lib.proxy.rowCount())]
    assert tips and not any("description&nbsp;" in t for t in tips)


def test_editing_is_saved_at_once(qtbot, imported) -> None:
    lib = imported.library
    clip = _clip_by_key(lib, "slow_basic3")
    assert lib.select_clip(clip.id)
    d = lib.detail
    assert d.clip.id == clip.id and d.name_edit.text() == "slow_basic3"
    assert d.title.text() == "Slow basic 3"  # read as a name, like the card and the player
    d.name_edit.setText("Slow basic (side)")
    d.name_edit.editingFinished.emit()
    d.category_combo.setEditText("Sensual combos")
    d.category_combo.lineEdit().editingFinished.emit()
    d.level_combo.setCurrentIndex(d.level_combo.findData(Level.ADVANCED.value))
    d.start_hold_combo.setCurrentIndex(d.start_hold_combo.findData(Hold.SHADOW.value))
    d.counts_spin.setValue(16)
    d.tags_edit.setText("warm-up, footwork , warm-up")
    d.tags_edit.editingFinished.emit()
    d.teaching_edit.setPlainText("Count out loud; weight change on 4.")
    d.flush()
    store = lib.ctx.store

    def saved():
        c = store.clips.get(clip.id)
        return (c.name == "Slow basic (side)" and c.category == "sensual_combos"
                and c.level is Level.ADVANCED and c.start_hold is Hold.SHADOW and c.counts == 16
                and c.tags == ("warm-up", "footwork")
                and c.teaching_notes == "Count out loud; weight change on 4.")

    qtbot.waitUntil(saved, timeout=10000)
    stored = store.clips.get(clip.id)
    assert stored.extra.get("holds_source") == "user"  # the analysis will not overwrite it now
    assert stored.media_path == clip.media_path and stored.content_hash == clip.content_hash
    card = lib.model.clip(clip.id)
    assert card.name == "Slow basic (side)" and card.level is Level.ADVANCED
    # the user-defined category is offered in the filter bar and the editor from now on
    qtbot.waitUntil(lambda: lib.filters.category.findData("sensual_combos") >= 0, timeout=5000)
    assert d.category_combo.findData("sensual_combos") >= 0
    # the new text is embedded in the background, so search finds it by the new words' meaning
    qtbot.waitUntil(lambda: store.embeddings.get("clip", clip.id, "text") is not None, timeout=30000)


def test_delete_and_undo(qtbot, imported) -> None:
    lib = imported.library
    store = lib.ctx.store
    clip = _clip_by_key(lib, "ladyturn_left")
    lib.select_clip(clip.id)
    lib.delete_selected()
    assert lib.model.row_of(clip.id) == -1 and lib.count_label.text() == "2 moves"
    assert lib.banner.isVisibleTo(lib) and lib.banner.action.text() == "Undo"
    qtbot.waitUntil(lambda: store.clips.is_deleted(clip.id), timeout=5000)
    assert store.clips.count() == 2
    lib.banner.action.click()
    assert lib.model.row_of(clip.id) >= 0
    qtbot.waitUntil(lambda: not store.clips.is_deleted(clip.id), timeout=5000)
    assert store.clips.get(clip.id) == clip
    lib.undo_stack.redo()  # Ctrl+Shift+Z deletes it again
    qtbot.waitUntil(lambda: store.clips.is_deleted(clip.id), timeout=5000)
    assert lib.model.row_of(clip.id) == -1


def test_double_click_opens_the_player(qtbot, imported) -> None:
    lib = imported.library
    idx = lib.proxy.index(1, 0)
    rect = lib.grid.visualRect(idx)
    assert lib.grid.indexAt(rect.center()) == idx
    with qtbot.waitSignal(lib.ctx.navigator.open_clip, timeout=3000) as sig:
        # a real double-click: press and release, then the double-click press and release
        qtbot.mouseClick(lib.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(lib.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args[0] == idx.data(ClipRole).id
    assert imported.current_area() == "player"


def test_import_starts_analysis_and_the_queue_resumes_on_start(qtbot, main_window) -> None:
    from bachata_desktop.ui.library.panel import LibraryPanel

    lib = main_window.library
    store = lib.ctx.store
    drop_files(main_window, [need(CLIPS_DIR / SAMPLE[0])])
    qtbot.waitUntil(lambda: lib.analysis_running(), timeout=30000)
    cid = lib.model.id_at(0)
    lib.ctx.jobs.cancel_all()  # the user quits mid-analysis
    qtbot.waitUntil(lambda: not lib.analysis_running(), timeout=60000)
    _wait_idle(qtbot, main_window, 60000)
    if not store.queue.pending():
        pytest.skip("the analysis finished before it could be cancelled")
    assert store.queue.pending() == [cid]
    again = LibraryPanel(lib.ctx)  # a new start of the app finds the queue and resumes it
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.analysis_running(), timeout=10000)
    lib.ctx.jobs.cancel_all()
    qtbot.waitUntil(lambda: not again.analysis_running(), timeout=60000)

