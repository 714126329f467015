"""Class progress where instructors already are: the library (a filter, card badges, a context
menu), the clip editor (prerequisites) and the player (a move's status).

Installed by the main window with one call, so the library and player modules only expose small
generic seams (an extra filter, a badge callback, context-menu extras) and know nothing of classes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QBoxLayout, QComboBox, QMenu, QWidget

from bachata_desktop.core.clip import Clip
from bachata_desktop.core.groups import Status
from bachata_desktop.services import groups as group_service
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.groups.models import STATUS_COLORS
from bachata_desktop.ui.groups.prerequisites import PrerequisitesBox
from bachata_desktop.ui.groups.status_box import ClassStatusBox
from bachata_desktop.ui.library.model import ClipRole

# What the library's class filter can show for the chosen class.
MODES = (("all", "All moves"), ("not_taught", "Not yet taught"), ("learning", "Taught, not known yet"),
         ("known", "Known"))
NOT_TAUGHT_COLOR = "#e6e0e8"


class LibraryClassFilter(QObject):
    """A "class" chooser in the library's filter bar: filters the grid and badges the cards."""

    def __init__(self, ctx: AppContext, library: Any) -> None:
        super().__init__(library)
        self.ctx = ctx
        self.library = library
        self.statuses: dict[int, Status] = {}
        self.class_combo = QComboBox()
        self.class_combo.setObjectName("libraryClass")
        self.class_combo.setToolTip("Show a class's progress on the cards, and filter by it")
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("libraryClassMode")
        for key, label in MODES:
            self.mode_combo.addItem(label, key)
        _insert_in_row(library.filters, [self.class_combo, self.mode_combo],
                       after=getattr(library.filters, "clear_button", None))
        fit = getattr(library.filters, "fit_pickers", None)
        if callable(fit):     # they shrink like the other pickers in a narrow window
            fit()
        self.class_combo.currentIndexChanged.connect(lambda _i: self.refresh_statuses())
        self.class_combo.currentTextChanged.connect(self.class_combo.setToolTip)  # names get elided
        self.mode_combo.currentIndexChanged.connect(lambda _i: self._apply())
        library.grid.card_delegate.badge_of = self.badge_of
        library.context_menu_extras.append(self.extend_menu)
        library.installEventFilter(self)
        self.refresh_groups()

    @property
    def group_id(self) -> int | None:
        gid = self.class_combo.currentData()
        return int(gid) if gid is not None else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.library and event.type() == QEvent.Type.Show:
            self.refresh_groups()  # sessions recorded elsewhere show when the library appears
        return False

    def refresh_groups(self) -> None:
        keep = self.class_combo.currentData()
        self.class_combo.blockSignals(True)
        self.class_combo.clear()
        self.class_combo.addItem("No class", None)
        for g in self.ctx.store.groups.list_groups():
            self.class_combo.addItem(g.name, g.id)
        idx = self.class_combo.findData(keep) if keep is not None else 0
        self.class_combo.setCurrentIndex(max(0, idx))
        self.class_combo.blockSignals(False)
        visible = self.class_combo.count() > 1
        self.class_combo.setVisible(visible)
        self.mode_combo.setVisible(visible)
        self.refresh_statuses()

    def refresh_statuses(self) -> None:
        gid = self.group_id
        self.statuses = group_service.status_map(self.ctx.store, gid) if gid is not None else {}
        self.mode_combo.setEnabled(gid is not None)
        self._apply()

    def set_class(self, group_id: int | None, mode: str = "all") -> None:
        self.refresh_groups()
        self.class_combo.setCurrentIndex(max(0, self.class_combo.findData(group_id)))
        self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(mode)))

    def accepts(self, clip_id: int) -> bool:
        mode = self.mode_combo.currentData()
        st = self.statuses.get(clip_id)
        if mode == "not_taught":
            return st is None
        if mode == "learning":
            return st in (Status.TAUGHT, Status.PRACTISING)
        if mode == "known":
            return st is Status.KNOWN
        return True

    def _apply(self) -> None:
        active = self.group_id is not None and self.mode_combo.currentData() != "all"
        self.library.proxy.set_extra_filter(self.accepts if active else None)
        self.library.grid.viewport().update()

    def badge_of(self, clip_id: int) -> tuple[str, str] | None:
        if self.group_id is None:
            return None
        st = self.statuses.get(clip_id)
        if st is None:
            return "Not yet taught", NOT_TAUGHT_COLOR
        return st.label, STATUS_COLORS[st]

    def extend_menu(self, menu: QMenu, clip_ids: list[int]) -> None:
        groups = self.ctx.store.groups.list_groups()
        if not groups:
            return
        sub = menu.addMenu("Class progress")
        for g in groups:
            gm = sub.addMenu(g.name)
            for st in Status:
                gm.addAction(st.label, lambda gid=g.id, s=st: self.set_status(gid, clip_ids, s))
            gm.addAction("Not taught", lambda gid=g.id: self.set_status(gid, clip_ids, None))

    def set_status(self, group_id: int, clip_ids: list[int], status: Status | None) -> None:
        for cid in clip_ids:
            group_service.set_status(self.ctx.store, group_id, cid, status)
        g = group_service.get_group(self.ctx.store, group_id)
        what = status.label.lower() if status else "not taught"
        self.ctx.navigator.status.emit(f"{g.name}: {len(clip_ids)} move(s) {what}")
        self.refresh_statuses()


def _insert_in_row(container: QWidget, widgets: list[QWidget], after: QWidget | None) -> None:
    lay = container.layout()
    if isinstance(lay, QBoxLayout):
        at = lay.indexOf(after) + 1 if after is not None and lay.indexOf(after) >= 0 else lay.count()
        for n, w in enumerate(widgets):
            lay.insertWidget(at + n, w)
    elif lay is not None:
        for w in widgets:
            lay.addWidget(w)


class ClassHooks:
    """Everything the Classes area adds to the library, the clip editor and the player."""

    def __init__(self, ctx: AppContext, library: Any, player: Any) -> None:
        self.library_filter = LibraryClassFilter(ctx, library)
        # clip editor: prerequisites under the clip's fields
        self.prerequisites = PrerequisitesBox(ctx)
        body = getattr(library.detail, "body", library.detail)
        lay = body.layout()
        if isinstance(lay, QBoxLayout):
            lay.insertWidget(max(0, lay.count() - 1), self.prerequisites)  # above the end stretch
        elif lay is not None:
            lay.addWidget(self.prerequisites)
        library.grid.selectionModel().currentChanged.connect(self._on_library_current_changed)
        # player: the open move's status for a class
        self.player = player
        self.player_box = ClassStatusBox(ctx)
        side = player.markers_box.parentWidget()
        if side is not None and side.layout() is not None:
            side.layout().addWidget(self.player_box)
        player.media_loaded.connect(self._on_player_media_loaded)
        self.player_box.status_set.connect(lambda _g, _c: self.library_filter.refresh_statuses())

    def _on_library_current_changed(self, current: Any, _previous: Any) -> None:
        clip = current.data(ClipRole) if current.isValid() else None
        self.prerequisites.set_clip(clip if isinstance(clip, Clip) else None)

    def _on_player_media_loaded(self, _duration: float) -> None:
        self.player_box.refresh_groups()
        chosen = self.library_filter.group_id  # the class the library is showing, if any
        if chosen is not None and self.player_box.group_combo.findData(chosen) >= 0:
            self.player_box.group_combo.setCurrentIndex(self.player_box.group_combo.findData(chosen))
        self.player_box.set_clip(self.player.clip_id)

    def groups_changed(self) -> None:
        self.library_filter.refresh_groups()
        self.player_box.refresh_groups()
