"""The library list model and its filter proxy, without a view: qtmodeltester, lazy rows, filters."""

from __future__ import annotations

import pytest

# tests/ui is on sys.path (pytest's rootdir-relative import)
from library_helpers import add_synthetic_clips, synthetic_clip
from PySide6.QtCore import QModelIndex, Qt

from bachata_desktop.core.clip import AnalysisState, Energy, Level, RoleFocus, move_title
from bachata_desktop.ui.library.model import (
    FETCH_BLOCK,
    ClipIdRole,
    ClipListModel,
    ClipRole,
    SortField,
    SortRole,
    ThumbnailRole,
    sort_key,
)
from bachata_desktop.ui.library.proxy import Analysed, ClipFilterProxy, LibraryFilter


@pytest.fixture
def clips(store):
    return add_synthetic_clips(store, 120)


def test_model_passes_qtmodeltester_with_rows_inserts_and_removes(qtmodeltester, store, clips) -> None:
    model = ClipListModel(fetch=store.clips.get_many)
    model.set_rows(clips)
    qtmodeltester.check(model)
    extra = add_synthetic_clips(store, 3, start=500)
    for c in extra:
        model.insert(c)
    model.remove(clips[5].id)
    model.update_clip(clips[6].with_(name="renamed"))
    qtmodeltester.check(model)
    assert model.rowCount() == 122


def test_proxy_passes_qtmodeltester(qtmodeltester, store, clips) -> None:
    model = ClipListModel(fetch=store.clips.get_many)
    model.set_rows(clips)
    proxy = ClipFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter(LibraryFilter(level=Level.ADVANCED))
    qtmodeltester.check(proxy)
    proxy.set_ranking([clips[3].id, clips[1].id])
    qtmodeltester.check(proxy)


def test_roles_return_clip_sort_key_and_id(store, clips) -> None:
    model = ClipListModel(fetch=store.clips.get_many, thumbnail=lambda c: f"pixmap-{c.id}")
    model.set_rows(clips)
    idx = model.index(0, 0)
    clip = idx.data(ClipRole)
    assert clip.id == idx.data(ClipIdRole)
    assert idx.data(Qt.ItemDataRole.DisplayRole) == move_title(clip.name)
    assert idx.data(ThumbnailRole) == f"pixmap-{clip.id}"
    assert tuple(idx.data(SortRole)) == sort_key(clip, SortField.NAME)
    names = [model.index(r, 0).data(ClipRole).name.casefold() for r in range(model.rowCount())]
    assert names == sorted(names)


def test_lazy_rows_fetch_blocks_not_single_rows(store, clips) -> None:
    """Given only ids, the model loads rows a block at a time the first time a view needs them."""
    many = clips + add_synthetic_clips(store, 600, start=1000)
    model = ClipListModel(fetch=store.clips.get_many)
    model.set_ids([c.id for c in many])
    assert model.cached_count() == 0
    assert model.index(0, 0).data(ClipRole).id == many[0].id
    assert model.fetch_count == 1
    for r in range(1, 100):  # the rest of the block is cached: no more SQL
        model.index(r, 0).data(Qt.ItemDataRole.DisplayRole)
    assert model.fetch_count == 1
    assert model.cached_count() <= FETCH_BLOCK
    model.index(len(many) - 1, 0).data(ClipRole)
    assert model.fetch_count == 2
    assert model.cached_count() < len(many)


def test_insert_goes_to_sorted_place_and_signals(qtbot, store, clips) -> None:
    model = ClipListModel(fetch=store.clips.get_many)
    model.set_rows(clips)
    new = add_synthetic_clips(store, 1, start=9000)[0].with_(name="aaa first")
    with qtbot.waitSignal(model.rowsInserted, timeout=1000) as sig:
        model.insert(new)
    assert sig.args[1] == 0 and model.id_at(0) == new.id
    assert model.row_of(new.id) == 0 and model.row_of(clips[0].id) >= 1


def test_update_emits_role_scoped_data_changed(qtbot, store, clips) -> None:
    model = ClipListModel(fetch=store.clips.get_many)
    model.set_rows(clips)
    clip = clips[10]
    with qtbot.waitSignal(model.dataChanged, timeout=1000) as sig:
        model.update_clip(clip.with_(level=Level.ADVANCED))
    assert sig.args[0].row() == model.row_of(clip.id)
    assert ClipRole in sig.args[2]
    with qtbot.waitSignal(model.dataChanged, timeout=1000) as sig:
        model.thumbnail_changed(clip.id)
    assert list(sig.args[2]) == [ThumbnailRole]


def test_sort_by_keeps_persistent_indexes(store, clips) -> None:
    model = ClipListModel(fetch=store.clips.get_many)
    model.set_rows(clips)
    target = clips[42]
    from PySide6.QtCore import QPersistentModelIndex

    pidx = QPersistentModelIndex(model.index_of(target.id))
    model.sort_by(SortField.DURATION, descending=True)
    durations = [model.clip_at(r).duration_s for r in range(model.rowCount())]
    assert durations == sorted(durations, reverse=True)
    assert pidx.row() == model.row_of(target.id)
    model.sort_by(SortField.LEVEL)
    ranks = [model.clip_at(r).level.rank for r in range(model.rowCount())]
    assert ranks == sorted(ranks)


def test_sync_adds_updates_and_removes(store, clips) -> None:
    model = ClipListModel(fetch=store.clips.get_many)
    model.set_rows(clips[:50])
    changed = clips[3].with_(notes="edited elsewhere")
    fresh = [changed] + clips[4:60]
    model.sync(fresh)
    assert set(model.ids()) == {c.id for c in fresh}
    assert model.clip(changed.id).notes == "edited elsewhere"


@pytest.mark.parametrize(("flt", "check"), [
    (LibraryFilter(category="spin"), lambda c: c.category == "spin"),
    (LibraryFilter(level=Level.BEGINNER), lambda c: c.level is Level.BEGINNER),
    (LibraryFilter(energy=Energy.HIGH), lambda c: c.energy is Energy.HIGH),
    (LibraryFilter(role_focus=RoleFocus.FOLLOW), lambda c: c.role_focus is RoleFocus.FOLLOW),
    (LibraryFilter(analysed=Analysed.DONE), lambda c: c.analysis_state is AnalysisState.DONE),
    (LibraryFilter(analysed=Analysed.NOT_DONE), lambda c: c.analysis_state is not AnalysisState.DONE),
    (LibraryFilter(text="smooth"), lambda c: "smooth" in c.name or "smooth" in c.tags),
    (LibraryFilter(text="body waves"), lambda c: c.category == "bodywaves"),
    (LibraryFilter(level=Level.ADVANCED, energy=Energy.LOW), lambda c: c.level is Level.ADVANCED
     and c.energy is Energy.LOW),
])
def test_proxy_filters(store, clips, flt, check) -> None:
    model = ClipListModel(fetch=store.clips.get_many)
    model.set_rows(clips)
    proxy = ClipFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter(flt)
    shown = {proxy.clip_at(r).id for r in range(proxy.rowCount())}
    expected = {c.id for c in clips if check(c)}
    assert shown == expected and expected
    proxy.set_filter(LibraryFilter())
    assert proxy.rowCount() == len(clips)


def test_proxy_text_filter_sees_tags_and_notes(store, clips) -> None:
    model = ClipListModel(fetch=store.clips.get_many)
    tagged = clips[7].with_(tags=("crowd pleaser",), teaching_notes="Prep on 8, spot the wall")
    model.set_rows([tagged, *clips[8:20]])
    proxy = ClipFilterProxy()
    proxy.setSourceModel(model)
    for text in ("crowd", "SPOT the wall", "pleaser prep"):
        proxy.set_filter(LibraryFilter(text=text))
        assert proxy.visible_ids() == [tagged.id], text


def test_ranking_orders_by_rank_and_respects_filters(store, clips) -> None:
    model = ClipListModel(fetch=store.clips.get_many)
    model.set_rows(clips)
    proxy = ClipFilterProxy()
    proxy.setSourceModel(model)
    ranked = [clips[30].id, clips[2].id, clips[77].id, clips[5].id]
    proxy.set_ranking(ranked)
    assert proxy.visible_ids() == ranked
    assert proxy.rank_of(clips[77].id) == 2
    level = clips[2].level
    proxy.set_filter(LibraryFilter(level=level))
    assert proxy.visible_ids() == [cid for cid in ranked if model.clip(cid).level is level]
    proxy.set_filter(LibraryFilter())
    proxy.set_ranking(None)
    assert proxy.rowCount() == len(clips)
    assert proxy.visible_ids() == model.ids()  # back to the model's own (sorted) order


def test_filter_follows_data_changes(store, clips) -> None:
    model = ClipListModel(fetch=store.clips.get_many)
    model.set_rows(clips)
    proxy = ClipFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter(LibraryFilter(analysed=Analysed.DONE))
    pending = next(c for c in clips if c.analysis_state is AnalysisState.PENDING)
    assert pending.id not in proxy.visible_ids()
    model.update_clip(pending.with_(analysis_state=AnalysisState.DONE))
    assert pending.id in proxy.visible_ids()


def test_invalid_index_and_unknown_ids(store, clips) -> None:
    model = ClipListModel(fetch=store.clips.get_many)
    model.set_rows(clips[:3])
    assert model.data(QModelIndex(), ClipRole) is None
    assert model.row_of(999999) == -1
    assert model.remove(999999) is None
    model.update_clip(synthetic_clip(5).with_(id=999999))  # not shown: ignored
    assert model.rowCount() == 3
