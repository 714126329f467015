"""Dialogs of the Classes area: a group or a student, and "record a session".

Each dialog calls its ``save`` callback on OK; a clear error (a duplicate name, a bad date) shows
in the dialog, which stays open with everything typed in it, so nothing is lost.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.clip import Clip, Level, move_title
from bachata_desktop.core.errors import BachataError
from bachata_desktop.core.groups import Student
from bachata_desktop.core.plan import ClassPlan


class _SavingDialog(QDialog):
    def __init__(self, title: str, save: Callable[[QDialog], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._save = save
        self.result_value: Any = None
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setObjectName("dialogError")
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)

    def accept(self) -> None:
        try:
            self.result_value = self._save(self)
        except BachataError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        super().accept()


def _level_box(level: Level) -> QComboBox:
    box = QComboBox()
    for lv in Level:
        box.addItem(lv.value.capitalize(), lv.value)
    box.setCurrentIndex(list(Level).index(level))
    return box


class PersonDialog(_SavingDialog):
    """A group or a student: name, level, notes."""

    def __init__(self, title: str, save: Callable[[QDialog], Any], name: str = "",
                 level: Level = Level.BEGINNER, notes: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, save, parent)
        self.name_edit = QLineEdit(name)
        self.name_edit.setPlaceholderText("e.g. Tuesday beginners")
        self.level_box = _level_box(level)
        self.notes_edit = QPlainTextEdit(notes)
        self.notes_edit.setFixedHeight(90)
        self.form.addRow("Name", self.name_edit)
        self.form.addRow("Level", self.level_box)
        self.form.addRow("Notes", self.notes_edit)
        self.resize(420, 260)

    def values(self) -> dict[str, str]:
        return {"name": self.name_edit.text(), "level": str(self.level_box.currentData()),
                "notes": self.notes_edit.toPlainText()}


class SessionDialog(_SavingDialog):
    """Record a class: date, the plan taught (its moves), or moves picked by hand, and who came."""

    def __init__(self, save: Callable[[QDialog], Any], plans: list[ClassPlan], clips: list[Clip],
                 students: list[Student], plan_id: int | None = None,
                 groups: list[tuple[int, str]] | None = None, parent: QWidget | None = None,
                 members: Callable[[int], list[Student]] | None = None) -> None:
        """``groups`` (opened from a plan): the group is picked here, and ``members(group id)``
        gives the students offered under "Who came" for the picked group."""
        super().__init__("Record a session", save, parent)
        self._members = members
        self.group_box: QComboBox | None = None
        if groups is not None:  # opened from a plan: which group was it taught to?
            self.group_box = QComboBox()
            for gid, name in groups:
                self.group_box.addItem(name, gid)
            self.form.addRow("Group", self.group_box)
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.plan_box = QComboBox()
        self.plan_box.addItem("— none: pick the moves below —", None)
        for p in plans:
            self.plan_box.addItem(f"{p.title} ({p.date or 'no date'})", p.id)
        if plan_id is not None:
            self.plan_box.setCurrentIndex(max(0, self.plan_box.findData(plan_id)))
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("(the plan's title)")
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter moves…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self.moves = QListWidget()
        for c in clips:
            it = QListWidgetItem(move_title(c.name))
            it.setData(Qt.ItemDataRole.UserRole, c.id)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Unchecked)
            self.moves.addItem(it)
        self.attendance = QListWidget()
        self._fill_attendance(students)
        self.attendance.setMaximumHeight(120)
        self.form.addRow("Date", self.date_edit)
        self.form.addRow("Plan taught", self.plan_box)
        self.form.addRow("Title", self.title_edit)
        self.form.addRow("Other moves", self.filter_edit)
        self.form.addRow("", self.moves)
        if self.group_box is not None and members is not None:
            self.form.addRow("Who came (optional)", self.attendance)
            self.group_box.currentIndexChanged.connect(self._on_group_changed)
            self._on_group_changed()
        elif students:
            self.form.addRow("Who came (optional)", self.attendance)
        self.resize(520, 560)

    def _fill_attendance(self, students: list[Student]) -> None:
        self.attendance.clear()
        for s in students:
            it = QListWidgetItem(s.name)
            it.setData(Qt.ItemDataRole.UserRole, s.id)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Unchecked)
            self.attendance.addItem(it)

    def _on_group_changed(self) -> None:
        """Another group picked: its own students are offered (none ticked; a group without
        students hides the row)."""
        if self.group_box is None or self._members is None:
            return
        students = self._members(int(self.group_box.currentData()))
        self._fill_attendance(students)
        self.form.setRowVisible(self.attendance, bool(students))

    def _on_filter_edit_text_changed(self, text: str) -> None:
        words = text.lower().split()
        for n in range(self.moves.count()):
            it = self.moves.item(n)
            it.setHidden(not all(w in it.text().lower() for w in words))

    @staticmethod
    def _checked(widget: QListWidget) -> list[int]:
        out = []
        for n in range(widget.count()):
            it = widget.item(n)
            if it.checkState() == Qt.CheckState.Checked:
                out.append(int(it.data(Qt.ItemDataRole.UserRole)))
        return out

    def values(self) -> dict[str, Any]:
        d = self.date_edit.date()
        return {"date": _dt.date(d.year(), d.month(), d.day()).isoformat(),
                "plan_id": self.plan_box.currentData(), "title": self.title_edit.text(),
                "clip_ids": self._checked(self.moves), "attendance": self._checked(self.attendance),
                "group_id": self.group_box.currentData() if self.group_box is not None else None}
