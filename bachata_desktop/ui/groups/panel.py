"""The Classes area: groups on the left; a group's overview, students and next class on the right."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.errors import BachataError
from bachata_desktop.core.groups import Group
from bachata_desktop.services import groups as group_service
from bachata_desktop.services import plans as plan_service
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.groups.dialogs import PersonDialog, SessionDialog
from bachata_desktop.ui.groups.models import GroupListModel, GroupRole
from bachata_desktop.ui.groups.next_class import NextClassView
from bachata_desktop.ui.groups.overview import OverviewView
from bachata_desktop.ui.groups.students import StudentsView


class ClassesPanel(QWidget):
    plan_drafted = Signal(int)   # a class plan was made from suggestions: open it
    groups_changed = Signal()    # the library's "taught to" filter lists groups

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 4)
        title = QLabel("Classes")
        title.setObjectName("areaTitle")
        lay.addWidget(title)
        split = QSplitter()
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("New group…")    # "…": it asks for a name first
        self.new_button.setToolTip("A class you teach: its students, sessions and progress")
        self.new_button.setObjectName("primary")
        self.new_button.clicked.connect(self.new_group_dialog)
        more = QToolButton()
        more.setText("More")
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more.setToolTip("Edit, archive or delete this group")
        more_menu = QMenu(more)
        more_menu.addAction("Edit group…", self.edit_group_dialog)
        self.archive_action = more_menu.addAction("Archive group", self.toggle_archive)
        more_menu.addSeparator()
        more_menu.addAction("Delete group", self.delete_current)
        more.setMenu(more_menu)
        buttons.addWidget(self.new_button)
        buttons.addWidget(more)
        buttons.addStretch(1)
        left_lay.addLayout(buttons)
        self.show_archived = QCheckBox("Show archived groups")
        self.show_archived.setToolTip("Also list the groups you no longer teach")
        self.show_archived.toggled.connect(lambda _on: self.reload(self.current_group_id()))
        left_lay.addWidget(self.show_archived)
        self.list_model = GroupListModel(self)
        self.list_view = QListView()
        self.list_view.setModel(self.list_model)
        self.list_view.setSpacing(3)
        left_lay.addWidget(self.list_view, 1)
        split.addWidget(left)

        self.right = QStackedWidget()
        self.empty = QLabel("<p style='font-size:20px; font-weight:600'>No classes yet</p>"
                            "<p>Create a group for each class you teach (say “Tuesday beginners”), "
                            "record what you teach it, and Bachata Buddy keeps track of what it "
                            "knows and suggests what to teach next.</p>")
        self.empty.setWordWrap(True)
        self.empty.setMargin(40)
        self.right.addWidget(self.empty)
        page = QWidget()
        page_lay = QVBoxLayout(page)
        page_lay.setContentsMargins(8, 0, 0, 0)
        self.header = QLabel()
        self.header.setWordWrap(True)
        page_lay.addWidget(self.header)
        self.tabs = QTabWidget()
        self.overview = OverviewView(ctx)
        self.students = StudentsView(ctx)
        self.next_class = NextClassView(ctx)
        self.tabs.addTab(self.overview, "Overview")
        self.tabs.addTab(self.students, "Students")
        self.tabs.addTab(self.next_class, "Next class")
        page_lay.addWidget(self.tabs, 1)
        self.right.addWidget(page)
        split.addWidget(self.right)
        split.setStretchFactor(1, 4)
        split.setSizes([220, 1000])
        lay.addWidget(split, 1)

        self.list_view.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.overview.changed.connect(self._on_group_data_changed)
        self.overview.record_requested.connect(self.record_session_dialog)
        self.students.changed.connect(self._on_group_data_changed)
        self.next_class.plan_drafted.connect(self.plan_drafted.emit)
        ctx.navigator.library_changed.connect(self._on_group_data_changed)
        self.reload()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt override
        # Sessions are also recorded from the class-plan editor: show the latest when we appear.
        self.reload(self.current_group_id())
        super().showEvent(event)

    # -- the list ------------------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        store = self.ctx.store
        groups = store.groups.list_groups(include_archived=self.show_archived.isChecked())
        self.list_model.set_rows(groups, {g.id or 0: store.groups.session_count(g.id or 0) for g in groups})
        row = self.list_model.row_of(select_id)
        if row < 0 and groups:
            row = 0
        if row >= 0:
            self.list_view.selectionModel().setCurrentIndex(
                self.list_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self._show_group(self.list_model.groups[row])
        else:
            self._show_group(None)

    def current_group_id(self) -> int | None:
        idx = self.list_view.currentIndex()
        g = idx.data(GroupRole) if idx.isValid() else None
        return g.id if g is not None else None

    def _on_list_current_changed(self, current, _previous) -> None:  # type: ignore[no-untyped-def]
        self._show_group(current.data(GroupRole) if current.isValid() else None)

    def _show_group(self, g: Group | None) -> None:
        self.right.setCurrentIndex(0 if g is None else 1)
        gid = g.id if g is not None else None
        if g is not None:
            self._set_header(g)
            self.archive_action.setText("Restore group" if g.archived else "Archive group")
        for view in (self.overview, self.students, self.next_class):
            view.set_group(gid)

    def _set_header(self, g: Group) -> None:
        n = len(self.ctx.store.groups.members(g.id or 0))
        notes = f"<br><span style='color:#6c6470'>{g.notes}</span>" if g.notes.strip() else ""
        self.header.setText(f"<span style='font-size:17px; font-weight:600'>{g.name}</span>"
                            f"&nbsp;&nbsp;{g.level.value.capitalize()} · {n} student"
                            f"{'s' if n != 1 else ''}{' · archived' if g.archived else ''}{notes}")

    def _on_group_data_changed(self) -> None:
        gid = self.current_group_id()
        self.reload(gid)

    # -- group actions -----------------------------------------------------------------------------
    def new_group_dialog(self) -> Group | None:
        dlg = PersonDialog("New group", lambda d: group_service.create_group(self.ctx.store, **d.values()),
                           parent=self)
        dlg.setObjectName("groupDialog")
        if dlg.exec():
            g: Group = dlg.result_value
            self.reload(g.id)
            self.groups_changed.emit()
            return g
        return None

    def edit_group_dialog(self) -> None:
        gid = self.current_group_id()
        if gid is None:
            return
        g = group_service.get_group(self.ctx.store, gid)
        dlg = PersonDialog("Edit group", lambda d: group_service.update_group(self.ctx.store, gid, **d.values()),
                           g.name, g.level, g.notes, parent=self)
        if dlg.exec():
            self.reload(gid)
            self.groups_changed.emit()

    def toggle_archive(self) -> None:
        gid = self.current_group_id()
        if gid is None:
            return
        g = group_service.get_group(self.ctx.store, gid)
        group_service.archive_group(self.ctx.store, gid, not g.archived)
        self.ctx.navigator.status.emit(f"{'Restored' if g.archived else 'Archived'} “{g.name}”")
        self.reload(gid)
        self.groups_changed.emit()

    def delete_current(self) -> bool:
        gid = self.current_group_id()
        if gid is None:
            return False
        g = group_service.get_group(self.ctx.store, gid)
        if self.ctx.store.groups.session_count(gid):
            try:
                group_service.delete_group(self.ctx.store, gid)  # refuses, saying why
            except BachataError as exc:
                QMessageBox.information(self, "Group kept", str(exc))
            return False
        if QMessageBox.question(self, "Delete group", f"Delete “{g.name}”? It has no sessions.") \
                != QMessageBox.StandardButton.Yes:
            return False
        group_service.delete_group(self.ctx.store, gid)
        self.reload()
        self.groups_changed.emit()
        return True

    # -- sessions ------------------------------------------------------------------------------------
    def record_session_dialog(self) -> None:
        gid = self.current_group_id()
        if gid is None:
            return
        members = self.ctx.store.groups.members(gid)

        def save(d: SessionDialog):  # type: ignore[no-untyped-def]
            v = d.values()
            return group_service.record_session(self.ctx.store, gid, v["date"], v["plan_id"],
                                                v["clip_ids"], v["title"], v["attendance"])

        dlg = SessionDialog(save, plan_service.list_plans(self.ctx.store), self.ctx.store.clips.list(),
                            members, parent=self)
        if dlg.exec():
            s = dlg.result_value
            self.ctx.navigator.status.emit(f"Recorded {s.date}: {len(s.clip_ids)} moves taught")
            self.reload(gid)


def record_plan_taught(ctx: AppContext, plan_id: int, parent: QWidget | None = None) -> object:
    """From the class-plan editor: "taught this plan to a group" (a dialog asks which, when and,
    optionally, which of its students came)."""
    groups = ctx.store.groups.list_groups()
    if not groups:
        QMessageBox.information(parent, "No classes yet",
                                "Create a group in the Classes area first (say “Tuesday beginners”).")
        return None

    def save(d: SessionDialog):  # type: ignore[no-untyped-def]
        v = d.values()
        return group_service.record_session(ctx.store, int(v["group_id"]), v["date"], v["plan_id"],
                                            v["clip_ids"], v["title"], v["attendance"])

    dlg = SessionDialog(save, plan_service.list_plans(ctx.store), ctx.store.clips.list(), [],
                        plan_id=plan_id, groups=[(g.id or 0, g.name) for g in groups], parent=parent,
                        members=ctx.store.groups.members)
    if dlg.exec():
        s = dlg.result_value
        ctx.navigator.status.emit(f"Recorded: taught on {s.date}, {len(s.clip_ids)} moves")
        return s
    return None


NO_GROUP = "No, the plan only"


def ask_share_group(ctx: AppContext, parent: QWidget | None = None) -> tuple[bool, int | None]:
    """Sharing a plan: include a class's progress? (asked only when there are classes).

    Returns (go on, group id or None); (False, None) when the instructor cancelled.
    """
    groups = ctx.store.groups.list_groups()
    if not groups:
        return True, None
    names = [NO_GROUP, *(g.name for g in groups)]
    choice, ok = QInputDialog.getItem(parent, "Share plan", "Include a class's progress "
                                      "(its sessions and what it knows) in the file?", names, 0, False)
    if not ok:
        return False, None
    return True, next((g.id for g in groups if g.name == choice), None)
