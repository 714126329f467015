"""The "Students" tab of a group: who is in it; add new or existing students, edit, archive."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.errors import BachataError
from bachata_desktop.services import groups as group_service
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.groups.dialogs import PersonDialog
from bachata_desktop.ui.groups.models import StudentListModel, StudentRole


class StudentsView(QWidget):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.group_id: int | None = None
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.new_button = QPushButton("New student…")
        self.new_button.clicked.connect(self.new_student)
        self.existing_button = QToolButton()
        self.existing_button.setText("Add an existing student")
        self.existing_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.existing_button.setToolTip("A student of another group joins this one too")
        self.existing_menu = QMenu(self.existing_button)
        self.existing_menu.aboutToShow.connect(self._fill_existing_menu)
        self.existing_button.setMenu(self.existing_menu)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button = QPushButton("Remove from group")
        self.remove_button.setToolTip("The student leaves this group (other groups and history stay)")
        self.remove_button.clicked.connect(self.remove_selected)
        self.archive_button = QPushButton("Archive")
        self.archive_button.setToolTip("Archived students keep their history and leave the lists")
        self.archive_button.clicked.connect(self.archive_selected)
        for w in (self.new_button, self.existing_button, self.edit_button, self.remove_button,
                  self.archive_button):
            bar.addWidget(w)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.model = StudentListModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setSpacing(3)
        lay.addWidget(self.view, 1)
        hint = QLabel("A student can be in several groups. Attendance is optional: tick who came "
                      "when you record a session, and their own progress follows.")
        hint.setObjectName("emptyText")
        hint.setWordWrap(True)
        lay.addWidget(hint)

    def set_group(self, group_id: int | None) -> None:
        self.group_id = group_id
        self.refresh()

    def refresh(self) -> None:
        if self.group_id is None:
            self.model.set_rows([], {})
            return
        members = self.ctx.store.groups.members(self.group_id)
        others = {s.id or 0: [g.name for g in self.ctx.store.groups.groups_of(s.id or 0)
                              if g.id != self.group_id] for s in members}
        self.model.set_rows(members, others)

    def _selected(self):  # type: ignore[no-untyped-def]
        idx = self.view.currentIndex()
        return idx.data(StudentRole) if idx.isValid() else None

    def new_student(self) -> None:
        if self.group_id is None:
            return
        gid = self.group_id

        def save(d: PersonDialog):  # type: ignore[no-untyped-def]
            v = d.values()
            return group_service.create_student(self.ctx.store, v["name"], v["level"], v["notes"], [gid])

        if PersonDialog("New student", save, parent=self).exec():
            self.refresh()
            self.changed.emit()

    def _fill_existing_menu(self) -> None:
        self.existing_menu.clear()
        if self.group_id is None:
            return
        inside = {s.id for s in self.ctx.store.groups.members(self.group_id)}
        outside = [s for s in self.ctx.store.groups.list_students() if s.id not in inside]
        if not outside:
            act = self.existing_menu.addAction("(every student is in this group)")
            act.setEnabled(False)
        for s in outside:
            self.existing_menu.addAction(s.name, lambda sid=s.id: self.add_existing(sid))

    def add_existing(self, student_id: int) -> None:
        if self.group_id is None:
            return
        group_service.add_member(self.ctx.store, self.group_id, student_id)
        self.refresh()
        self.changed.emit()

    def edit_selected(self) -> None:
        s = self._selected()
        if s is None:
            return

        def save(d: PersonDialog):  # type: ignore[no-untyped-def]
            return group_service.update_student(self.ctx.store, s.id, **d.values())

        if PersonDialog("Edit student", save, s.name, s.level, s.notes, parent=self).exec():
            self.refresh()
            self.changed.emit()

    def remove_selected(self) -> None:
        s = self._selected()
        if s is None or self.group_id is None:
            return
        self.ctx.store.groups.remove_member(self.group_id, s.id)
        self.refresh()
        self.changed.emit()

    def archive_selected(self) -> None:
        s = self._selected()
        if s is None:
            return
        try:
            group_service.update_student(self.ctx.store, s.id, archived=True)
        except BachataError as exc:
            QMessageBox.warning(self, "Could not archive", str(exc))
            return
        self.ctx.navigator.status.emit(f"Archived {s.name}; their history is kept")
        self.refresh()
        self.changed.emit()
