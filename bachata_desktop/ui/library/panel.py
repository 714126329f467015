"""The move library: a grid of clip cards with filters, search, similar moves and an editor.

The panel wires the pieces together: :class:`ClipListModel` (ids + lazy rows) under a
:class:`ClipFilterProxy`, a :class:`ClipGrid` of cards with background thumbnails, and a
:class:`ClipDetail` editor. All store work runs as jobs: loading and importing on the ``io`` pool,
edits and deletes on the ``write`` pool, search, similar moves and re-embedding on the ``ml`` pool,
and the background analysis queue on its own ``analysis`` pool, so that a search or "Similar moves"
never waits behind the queue.
Imports come from ``Navigator.import_clips`` (drops, menus); a finished import starts the
persistent analysis queue, which also resumes when the app starts.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.clip import Clip, move_title
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.library import tasks
from bachata_desktop.ui.library.delegate import THUMB_SIZE
from bachata_desktop.ui.library.detail import ClipDetail, save_edits
from bachata_desktop.ui.library.model import ClipListModel, ClipRole, SortField
from bachata_desktop.ui.library.proxy import ClipFilterProxy, LibraryFilter
from bachata_desktop.ui.library.thumbnails import ThumbnailProvider
from bachata_desktop.ui.library.widgets import Banner, ClipGrid, FilterBar
from bachata_desktop.ui.widgets.empty_state import EmptyState

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 300      # pause in typing before the search runs
SEMANTIC_MIN_CHARS = 3     # shorter queries only filter by text
RESULT_COUNT = 60
ANALYSIS_POLL_MS = 1500

PANEL_QSS = """
QLineEdit#librarySearch { padding: 6px 10px; border: 1px solid #d8d0dc; border-radius: 14px;
                          background: white; min-width: 260px; }
QLineEdit#librarySearch:focus { border-color: #e0664f; }
QLabel#libraryCount { color: #6c6470; }
QListView#clipGrid { background: #f6f4f1; border: none; }
QFrame#banner { background: #eaf2fb; border: 1px solid #b9d0ea; border-radius: 6px; }
QFrame#banner[kind="success"] { background: #e9f6ec; border-color: #a9d8b4; }
QFrame#banner[kind="warning"] { background: #fff5e0; border-color: #ecd08f; }
QFrame#banner[kind="error"] { background: #fdeaea; border-color: #e6a9a9; }
QPushButton#bannerAction { color: #1f5f9e; font-weight: 600; border: none; padding: 2px 8px; }
QPushButton#linkButton { color: #c2503a; border: none; padding: 2px 4px; }
QScrollArea#detailScroll { background: white; border: none; border-left: 1px solid #e3dde6; }
QWidget#clipDetail { background: white; }
QLabel#detailTitle { font-size: 17px; font-weight: 600; color: #2b2530; }
QLabel#detailInfo { color: #6c6470; }
QPushButton#danger { color: #b03a2e; }
"""


class DeleteClipsCommand(QUndoCommand):
    """Soft-deletes clips; undo brings them back (same ids, analyses and embeddings kept)."""

    def __init__(self, panel: LibraryPanel, clips: list[Clip]) -> None:
        names = move_title(clips[0].name) if len(clips) == 1 else f"{len(clips)} moves"
        super().__init__(f"Delete {names}")
        self.panel, self.clips = panel, clips

    def redo(self) -> None:
        self.panel._apply_deleted(self.clips, True)

    def undo(self) -> None:
        self.panel._apply_deleted(self.clips, False)


class LibraryPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.auto_analyze = True  # tests of the browser switch analysis off (like --no-analyze)
        self.loaded = False
        self._analysis_job: Any = None
        self._pending: frozenset[int] = frozenset()
        self._ranking: tasks.Ranking | None = None
        self._emitting_change = False
        self._mutations = 0  # local model changes; a load started before one is stale
        self.context_menu_extras: list[Any] = []  # callables (menu, clip_ids) adding actions
        self.setStyleSheet(PANEL_QSS)

        screen = QGuiApplication.primaryScreen()
        self.thumbs = ThumbnailProvider(
            ctx.jobs, ctx.paths.thumbnails, lambda c: ctx.store.media_file(c.media_path),
            display=QSize(THUMB_SIZE), device_pixel_ratio=screen.devicePixelRatio() if screen else 1.0,
            parent=self)
        self.model = ClipListModel(fetch=ctx.store.clips.get_many, thumbnail=self.thumbs.pixmap, parent=self)
        self.thumbs.thumbnail_ready.connect(self.model.thumbnail_changed)
        self.proxy = ClipFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.undo_stack = QUndoStack(self)
        self._build()
        self._connect()
        QTimer.singleShot(0, self.reload)

    # -- building ----------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        top = QWidget()
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(18, 14, 18, 8)
        top_lay.setSpacing(8)
        head = QHBoxLayout()
        title = QLabel("Move library")
        title.setObjectName("areaTitle")
        head.addWidget(title)
        self.count_label = QLabel("")
        self.count_label.setObjectName("libraryCount")
        head.addWidget(self.count_label)
        head.addStretch(1)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("librarySearch")
        self.search_edit.setPlaceholderText("Search: smooth turn for beginners")
        self.search_edit.setClearButtonEnabled(True)
        head.addWidget(self.search_edit)
        self.import_button = QPushButton("Import clips…")
        self.import_button.setObjectName("primary")
        head.addWidget(self.import_button)
        top_lay.addLayout(head)
        self.filters = FilterBar()
        top_lay.addWidget(self.filters)
        self.banner = Banner()
        top_lay.addWidget(self.banner)
        outer.addWidget(top)

        self.grid = ClipGrid()
        self.grid.setModel(self.proxy)
        self.grid.card_delegate.rank_of = self.proxy.rank_of
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.detail = ClipDetail()
        scroll = QScrollArea()
        scroll.setObjectName("detailScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)
        scroll.setMinimumWidth(300)
        scroll.setMaximumWidth(440)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([800, 320])
        self.empty = EmptyState("Your move library is empty",
                                "Drag video clips or a whole folder of moves onto this window to "
                                "import them. A folder from the original web app imports with its "
                                "categories, levels and energy.", "Import a folder…")
        self.loading = EmptyState("Loading your moves…", "")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.loading)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.splitter)
        outer.addWidget(self.stack, 1)

        self.delete_action = QAction("Delete", self)
        self.delete_action.setShortcuts([QKeySequence.StandardKey.Delete, QKeySequence("Backspace")])
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.grid.addAction(self.delete_action)
        self.open_action = QAction("Open in player", self)
        self.open_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
        self.open_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.grid.addAction(self.open_action)
        self.undo_action = self.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.redo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addActions([self.undo_action, self.redo_action])
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(ANALYSIS_POLL_MS)

    def _connect(self) -> None:
        nav = self.ctx.navigator
        nav.import_clips.connect(self.import_paths)
        nav.library_changed.connect(self._on_navigator_library_changed)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.empty.button.clicked.connect(self._on_import_button_clicked)  # type: ignore[union-attr]
        self.filters.filter_changed.connect(self._on_filters_filter_changed)
        self.filters.sort_changed.connect(self._on_filters_sort_changed)
        self.search_edit.textChanged.connect(self._on_search_text_changed)
        self.search_edit.returnPressed.connect(self.run_search)
        self.search_timer.timeout.connect(self.run_search)
        self.grid.doubleClicked.connect(self._on_grid_double_clicked)
        self.grid.customContextMenuRequested.connect(self._on_grid_context_menu)
        self.grid.selectionModel().currentChanged.connect(self._on_grid_current_changed)
        self.grid.selectionModel().selectionChanged.connect(
            lambda *_: self._on_grid_current_changed(self.grid.currentIndex(), QModelIndex()))
        self.delete_action.triggered.connect(self.delete_selected)
        self.open_action.triggered.connect(lambda: self.open_clip(self.current_clip_id()))
        self.detail.clip_edited.connect(self.save_clip)
        self.detail.play_requested.connect(self.open_clip)
        self.detail.similar_requested.connect(self.show_similar)
        self.detail.delete_requested.connect(lambda cid: self.delete_clips([cid]))
        self.banner.action_clicked.connect(self._on_banner_action_clicked)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.poll_timer.timeout.connect(self._poll_analysis)

    # -- loading -------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Load every clip off the GUI thread, then bring the model in line with it."""
        seen = self._mutations
        self.ctx.jobs.submit(tasks.load_clips, self.ctx.store, title="Loading library", pool="io",
                             key="library-load", visible=False,
                             on_finished=lambda clips: self._on_clips_loaded(clips, seen),
                             on_failed=self._show_error)

    def _on_clips_loaded(self, clips: list[Clip], seen: int) -> None:
        if seen != self._mutations:
            self.reload()  # rows changed here while it loaded: its snapshot would undo that
            return
        self.model.sync(clips)
        shown = self.detail.clip
        fresh = next((c for c in clips if shown is not None and c.id == shown.id), None)
        if shown is not None and fresh is not None and fresh.analysis_state != shown.analysis_state:
            self.detail.set_clip(fresh)  # analysed meanwhile (here or by another process)
        first = not self.loaded
        self.loaded = True
        self._refresh_categories()
        self._update_count()
        if first:
            if self.proxy.rowCount() and not self.grid.currentIndex().isValid():
                self.grid.setCurrentIndex(self.proxy.index(0, 0))
            QTimer.singleShot(0, self._resume_analysis)

    def _refresh_categories(self) -> None:
        present = {c.category for c in self.model._cache.values()}
        self.filters.set_categories(present)
        self.detail.set_categories(sorted(present))

    def _update_count(self, *_: object) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        noun = "move" if total == 1 else "moves"
        self.count_label.setText(f"{total} {noun}" if shown == total and not self.proxy.ranked
                                 else f"{shown} of {total} {noun}")
        if self.loaded:
            self.stack.setCurrentWidget(self.splitter if total else self.empty)

    # -- selection and navigation --------------------------------------------------------------------
    def current_clip_id(self) -> int | None:
        clip = self.grid.currentIndex().data(ClipRole)
        return clip.id if isinstance(clip, Clip) else None

    def selected_clip_ids(self) -> list[int]:
        ids = []
        for idx in self.grid.selectionModel().selectedIndexes():
            clip = idx.data(ClipRole)
            if isinstance(clip, Clip) and clip.id is not None:
                ids.append(clip.id)
        return ids

    def select_clip(self, clip_id: int) -> bool:
        idx = self.proxy.index_of(clip_id)
        if not idx.isValid():
            return False
        self.grid.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.grid.scrollTo(idx)
        return True

    def open_clip(self, clip_id: int | None) -> None:
        if clip_id is not None:
            self.ctx.navigator.open_clip.emit(int(clip_id))

    def _on_grid_double_clicked(self, index: QModelIndex) -> None:
        clip = index.data(ClipRole)
        if isinstance(clip, Clip):
            self.open_clip(clip.id)

    def _on_grid_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # the editor shows the selected clip only: the current index without a selection (after
        # a delete, a cleared selection) is not something Delete or an edit should act on
        sel = self.grid.selectionModel()
        if not (current.isValid() and sel.isSelected(current)):
            rows = sel.selectedIndexes()
            current = rows[0] if len(rows) == 1 else QModelIndex()
        clip = current.data(ClipRole) if current.isValid() else None
        if isinstance(clip, Clip) and self.detail.clip is not None and self.detail.clip.id == clip.id:
            return
        self.detail.set_clip(clip if isinstance(clip, Clip) else None)

    def _on_grid_context_menu(self, pos: Any) -> None:
        idx = self.grid.indexAt(pos)
        clip = idx.data(ClipRole)
        if not isinstance(clip, Clip) or clip.id is None:
            return
        cid = clip.id
        self.context_menu(cid).popup(self.grid.viewport().mapToGlobal(pos))

    def context_menu(self, cid: int) -> QMenu:
        """The card menu: open, similar, add to a class plan, delete (the selection or this card)."""
        menu = QMenu(self)
        menu.addAction("Open in player", lambda: self.open_clip(cid))
        menu.addAction("Similar moves", lambda: self.show_similar(cid))
        selected = self.selected_clip_ids()
        ids = selected if cid in selected else [cid]
        plans = menu.addMenu(f"Add {len(ids)} moves to plan" if len(ids) > 1 else "Add to plan")
        plans.setObjectName("addToPlanMenu")
        nav = self.ctx.navigator
        recent = self._recent_plans()
        # None: the plan open in Class plans, or a new one when there is none yet
        plans.addAction("Current class plan" if recent else "New class plan",
                        lambda: nav.add_clips_to_plan.emit(ids, None))
        if recent:
            plans.addSeparator()
        for plan_id, title in recent:
            plans.addAction(title, lambda p=plan_id: nav.add_clips_to_plan.emit(ids, p))
        menu.addSeparator()
        menu.addAction(f"Delete {len(ids)} moves" if len(ids) > 1 else "Delete",
                       lambda: self.delete_clips(ids))
        for extend in self.context_menu_extras:
            extend(menu, ids)
        return menu

    def _recent_plans(self, limit: int = 8) -> list[tuple[int, str]]:
        """(id, "title · date") of the newest plans (a few small rows; read when the menu opens)."""
        from bachata_desktop.services.plans import list_plans

        try:
            plans = sorted(list_plans(self.ctx.store), key=lambda p: (p.date or "", p.id or 0),
                           reverse=True)
        except Exception as exc:  # a damaged plans table must not break the card menu
            log.warning("cannot list plans: %s", exc)
            return []
        return [(p.id, f"{p.title} · {p.date}" if p.date else p.title)
                for p in plans[:limit] if p.id is not None]

    # -- filters, sort, search ---------------------------------------------------------------------
    def _on_filters_filter_changed(self, flt: LibraryFilter) -> None:
        self.proxy.set_filter(flt.with_(text=self.proxy.library_filter.text))

    def _on_filters_sort_changed(self, field: SortField, descending: bool) -> None:
        self.model.sort_by(field, descending)

    def _on_search_text_changed(self, text: str) -> None:
        # The text filter answers at once; the merged (text + meaning) search follows after a pause.
        if self._ranking is not None and self._ranking.kind == "search":
            self._set_ranking(None)
        self.proxy.set_filter(self.proxy.library_filter.with_(text=text.strip()))
        if text.strip():
            self.search_timer.start()
        else:
            self.search_timer.stop()
            if self.banner.kind in ("search", "error"):
                self.banner.dismiss()

    def run_search(self) -> Any:
        """Merged text + semantic search for the search box's text (ml pool)."""
        self.search_timer.stop()
        text = self.search_edit.text().strip()
        if len(text) < SEMANTIC_MIN_CHARS:
            return None
        self.count_label.setText("searching…")
        self.banner.show_message(f"Searching “{text}”…", kind="search")
        return self.ctx.jobs.submit(tasks.search_library, self.ctx.store, self.ctx.indexes, text, RESULT_COUNT,
                             title=f"Searching “{text}”", pool="ml", key="library-search",
                             visible=False, on_finished=self._on_ranking_ready,
                             on_failed=self._on_search_failed)

    def show_similar(self, clip_id: int) -> Any:
        """Rank the library by similarity to one clip (trimodal fusion, ml pool)."""
        clip = self.model.clip(int(clip_id))
        name = move_title(clip.name) if clip is not None else "this move"
        self.banner.show_message(f"Finding moves like “{name}”…", kind="search")
        return self.ctx.jobs.submit(tasks.similar_moves, self.ctx.store, self.ctx.indexes, int(clip_id),
                             RESULT_COUNT, title="Finding similar moves", pool="ml",
                             key="library-search", visible=False, on_finished=self._on_ranking_ready,
                             on_failed=self._on_search_failed)

    def _on_ranking_ready(self, ranking: tasks.Ranking) -> None:
        if ranking.kind == "search" and ranking.query != self.search_edit.text().strip():
            return  # the box changed meanwhile; a newer search is on its way
        if ranking.kind == "similar" and self.search_edit.text():
            self.search_edit.blockSignals(True)
            self.search_edit.clear()
            self.search_edit.blockSignals(False)
        self.proxy.set_filter(self.proxy.library_filter.with_(text=""))
        self._set_ranking(ranking)
        shown = self.proxy.rowCount()
        name = move_title(ranking.query)
        if ranking.kind == "search":
            text = (f"{shown} best matches for “{ranking.query}” (names, tags, notes and meaning)"
                    if shown else f"No moves match “{ranking.query}”.")
        else:
            order = ranking.order or "most similar first"
            text = (f"{shown} moves most like “{name}”: {order}" if shown else
                    f"No moves to compare with “{name}” yet: similar moves need analysed clips.")
        details = ("Hover a card to see its parts: pose (how the couple moves: turns, arms, hold, "
                   "waves, footwork; measured from the video alone, never from the label), music, "
                   "description, and “label: same family” when the move's label ranked it first."
                   if ranking.kind == "similar" and shown else "")
        self.banner.show_message(text, "Show all moves", key="clear-ranking", kind="search",
                                 details=details)
        if shown:
            # The best match becomes the current card: otherwise the editor kept showing a clip the
            # ranking had hidden (or one Qt picked off screen), next to an unrelated first card.
            self.grid.selectionModel().setCurrentIndex(
                self.proxy.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.grid.scrollToTop()

    def _on_search_failed(self, error: str) -> None:
        # Keep the plain text filter the user already sees, and say why meaning search is off.
        self.banner.show_message(f"Only names, tags and notes were searched: {error}", kind="error")

    def _set_ranking(self, ranking: tasks.Ranking | None) -> None:
        self._ranking = ranking
        self.model.set_rank_notes({} if ranking is None else
                                  dict(zip(ranking.clip_ids, ranking.notes, strict=False)))
        self.proxy.set_ranking(None if ranking is None else ranking.clip_ids)
        self._update_count()

    def clear_ranking(self) -> None:
        self._set_ranking(None)
        self.search_edit.clear()
        self.banner.dismiss()

    # -- editing -------------------------------------------------------------------------------------
    def save_clip(self, clip: Clip) -> None:
        """Save an edit at once (write pool), then re-embed its text in the background (ml pool)."""
        self._mutations += 1
        self.model.update_clip(clip)  # the card shows the edit straight away
        self.ctx.jobs.submit(save_edits, self.ctx.store, clip, title=f"Saving {move_title(clip.name)}",
                             pool="write", key=f"save-clip-{clip.id}", visible=False,
                             on_finished=self._on_clip_saved, on_failed=self._show_error)

    def _on_clip_saved(self, clip: Clip) -> None:
        self._apply_clip(clip)
        self._refresh_categories()
        self._emit_library_changed()
        self.ctx.jobs.submit(tasks.reembed, self.ctx.store, self.ctx.indexes, clip.id,
                             title="Updating search", pool="ml", key=f"reembed-{clip.id}",
                             visible=False, on_failed=lambda e: log.warning("re-embed failed: %s", e))

    def _apply_clip(self, clip: Clip) -> None:
        self._mutations += 1
        self.model.upsert(clip)
        shown = self.detail.clip
        if shown is not None and shown.id == clip.id:
            self.detail.set_clip(clip)

    # -- deleting ------------------------------------------------------------------------------------
    def delete_selected(self) -> None:
        self.delete_clips(self.selected_clip_ids())

    def delete_clips(self, clip_ids: list[int]) -> None:
        clips = [c for c in (self.model.clip(cid) for cid in clip_ids) if c is not None]
        if clips:
            self.undo_stack.push(DeleteClipsCommand(self, clips))

    def _apply_deleted(self, clips: list[Clip], deleted: bool) -> None:
        ids = [c.id for c in clips if c.id is not None]
        self._mutations += 1
        self.ctx.jobs.submit(tasks.set_deleted, self.ctx.store, ids, deleted, title="Deleting",
                             pool="write", visible=False, on_failed=self._show_error,
                             on_finished=lambda _ids: self._emit_library_changed())
        if deleted:
            rows = [r for r in (self.proxy.index_of(cid).row() for cid in ids) if r >= 0]
            for cid in ids:
                self.model.remove(cid)
            self._select_row_after_delete(min(rows) if rows else 0)
            names = move_title(clips[0].name) if len(clips) == 1 else f"{len(clips)} moves"
            self.banner.show_message(f"Deleted “{names}”.", "Undo", key="undo", kind="undo")
        else:
            for clip in clips:
                self.model.upsert(clip)
            if ids:
                self.select_clip(ids[0])
            self.banner.show_message("Restored." if len(clips) == 1 else f"Restored {len(clips)} moves.",
                                     kind="success")
        self._update_count()

    def _select_row_after_delete(self, row: int) -> None:
        """Select (not only focus) the card that took the deleted one's place, or none."""
        n = self.proxy.rowCount()
        if n == 0:
            self.grid.selectionModel().clear()
            self.detail.set_clip(None)
            return
        idx = self.proxy.index(min(row, n - 1), 0)
        self.grid.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    # -- importing and analysing ---------------------------------------------------------------------
    def import_paths(self, paths: list[str], annotations: str | None = None) -> Any:
        """Import dropped or chosen files and folders (io pool); new cards appear as they land.
        ``annotations``: an annotations file kept elsewhere (else one inside the folder is used)."""
        if not paths:
            return None
        what = Path(paths[0]).name if len(paths) == 1 else f"{len(paths)} items"
        return self.ctx.jobs.submit(tasks.import_paths, self.ctx.store, list(paths), annotations,
                                    title=f"Importing {what}", pool="io",
                                    on_partial=self._on_import_partial,
                                    on_finished=self._on_import_finished,
                                    on_failed=self._show_error)

    def _on_import_partial(self, clip: object) -> None:
        if isinstance(clip, Clip):
            self._mutations += 1
            self.model.upsert(clip)
            if self.stack.currentWidget() is not self.splitter:
                self.loaded = True
                self._update_count()

    def _on_import_finished(self, report: Any) -> None:
        self._mutations += 1
        for clip in getattr(report, "imported", ()):
            self.model.upsert(clip)
        self.loaded = True
        self._refresh_categories()
        self._update_count()
        skipped = list(getattr(report, "skipped", ()))
        summary = getattr(report, "summary", "import finished")
        details = "\n".join(f"{Path(p.path).name}: {p.message}" for p in skipped)
        if skipped:
            first = skipped[0].message
            more = f" (+{len(skipped) - 1} more, hover for details)" if len(skipped) > 1 else ""
            some = bool(getattr(report, "imported", ()) or getattr(report, "duplicates", ()))
            self.banner.show_message(f"Import: {summary}. {first}{more}",
                                     kind="warning" if some else "error", details=details)
        else:
            self.banner.show_message(f"Import: {summary}.", kind="success")
        self.ctx.navigator.status.emit(f"Import: {summary}")
        if getattr(report, "imported", ()):
            self._emit_library_changed()
            if self.auto_analyze:
                self.start_analysis()

    def start_analysis(self) -> None:
        """Drain the persistent analysis queue on the analysis pool (one runner at a time)."""
        job = self._analysis_job
        if job is not None and job.state in ("queued", "running"):
            return  # the running queue picks up newly queued clips itself
        if not self.ctx.store.queue.pending() and not tasks.grids_outdated(self.ctx.store):
            return  # (clip beat grids made under older rules are analysed again by the same job)
        self._pending = frozenset()
        self._analysis_job = self.ctx.jobs.submit(
            tasks.analyse_queue, self.ctx.store, self.ctx.indexes, title="Analysing clips",
            pool="analysis", key="analysis-queue", on_finished=self._on_analysis_finished,
            on_failed=self._on_analysis_failed, on_partial=self._on_import_partial,
            on_cancelled=self._on_analysis_stopped)
        self.poll_timer.start()

    def _resume_analysis(self) -> None:
        if self.auto_analyze and (self.ctx.store.queue.pending() or tasks.grids_outdated(self.ctx.store)):
            self.start_analysis()

    def _poll_analysis(self) -> None:
        self.ctx.jobs.submit(tasks.poll_analysis, self.ctx.store, self._pending, title="poll",
                             pool="io", key="library-poll", visible=False,
                             on_finished=self._on_analysis_polled)

    def _on_analysis_polled(self, poll: tasks.AnalysisPoll) -> None:
        self._pending = poll.pending
        for clip in poll.changed:
            self._apply_clip(clip)

    def _on_analysis_finished(self, summary: Any) -> None:
        self._on_analysis_stopped()
        failed = getattr(summary, "failed", ())
        done = getattr(summary, "done", ())
        msg = f"Analysis: {len(done)} clips analysed" + (f", {len(failed)} with errors" if failed else "")
        self.ctx.navigator.status.emit(msg)
        self.reload()
        self._emit_library_changed()
        if self.auto_analyze and self.ctx.store.queue.pending():
            QTimer.singleShot(0, self.start_analysis)  # clips queued just as the runner stopped

    def _on_analysis_failed(self, error: str) -> None:
        self._on_analysis_stopped()
        self._show_error(f"Analysis stopped: {error}")
        self.reload()

    def _on_analysis_stopped(self) -> None:
        self.poll_timer.stop()
        self._analysis_job = None

    def analysis_running(self) -> bool:
        job = self._analysis_job
        return job is not None and job.state in ("queued", "running")

    # -- misc ----------------------------------------------------------------------------------------
    def _on_import_button_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of clips", str(Path.home()))
        if folder:
            self.ctx.navigator.import_clips.emit([folder])

    def _on_banner_action_clicked(self, key: str) -> None:
        if key == "undo":
            self.undo_stack.undo()
        elif key == "clear-ranking":
            self.clear_ranking()

    def _on_navigator_library_changed(self) -> None:
        if not self._emitting_change:
            self.reload()  # another area changed clips (e.g. the player flipped lead/follow)

    def _emit_library_changed(self) -> None:
        self._emitting_change = True
        try:
            self.ctx.navigator.library_changed.emit()
        finally:
            self._emitting_change = False

    def _show_error(self, error: str) -> None:
        self.banner.show_message(error, kind="error")
        self.ctx.navigator.status.emit(error)

    def shutdown(self) -> None:
        """Called by the main window on close: commit a pending edit, stop thumbnail work."""
        self.detail.flush()
        self.thumbs.stop()
        self.poll_timer.stop()

