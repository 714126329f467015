"""Qt models over the classes-and-students data: groups, sessions, the moves x status grid, suggestions."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from bachata_desktop.core.clip import Clip, category_label, move_title
from bachata_desktop.core.groups import Group, Session, Status
from bachata_desktop.core.suggest import Suggestion
from bachata_desktop.services.group_export import Overview

GroupRole = Qt.ItemDataRole.UserRole + 1
ClipIdRole = Qt.ItemDataRole.UserRole + 2
SessionRole = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex

# Status colours: the same three everywhere (grid, badges), light enough to read text on.
STATUS_COLORS = {Status.TAUGHT: "#f6e3c6", Status.PRACTISING: "#d7e6f7", Status.KNOWN: "#d5ecd4"}


class GroupListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.groups: list[Group] = []
        self.sessions: dict[int, int] = {}

    def set_rows(self, groups: list[Group], sessions: dict[int, int]) -> None:
        self.beginResetModel()
        self.groups, self.sessions = list(groups), dict(sessions)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.groups)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.groups):
            return None
        g = self.groups[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            n = self.sessions.get(g.id or 0, 0)
            tail = " · archived" if g.archived else ""
            return f"{g.name}\n{g.level.value.capitalize()} · {n} session{'s' if n != 1 else ''}{tail}"
        if role == Qt.ItemDataRole.ForegroundRole and g.archived:
            return QBrush(QColor("#8a828e"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return g.notes or g.name
        if role == GroupRole:
            return g
        return None

    def row_of(self, group_id: int | None) -> int:
        return next((n for n, g in enumerate(self.groups) if g.id == group_id), -1)


class SessionTableModel(QAbstractTableModel):
    HEADERS = ("Date", "Class", "Moves", "Came")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.sessions: list[Session] = []

    def set_rows(self, sessions: list[Session]) -> None:
        self.beginResetModel()
        self.sessions = sorted(sessions, key=lambda s: (s.date, s.id or 0), reverse=True)  # newest first
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.sessions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.sessions):
            return None
        s = self.sessions[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (s.date, s.title or "(no title)", str(len(s.clip_ids)),
                    str(len(s.attendance)) if s.attendance else "–")[index.column()]
        if role == SessionRole:
            return s
        return None


class ProgressTableModel(QAbstractTableModel):
    """Moves x status: one row per move the group was taught, a column per student."""

    FIXED = ("Move", "Family", "Status", "Last taught", "Times")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.overview: Overview | None = None

    def set_overview(self, ov: Overview | None) -> None:
        self.beginResetModel()
        self.overview = ov
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() or self.overview is None else len(self.overview.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        if parent.isValid() or self.overview is None:
            return 0 if parent.isValid() else len(self.FIXED)
        return len(self.FIXED) + len(self.overview.students)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section < len(self.FIXED):
            return self.FIXED[section]
        if self.overview is not None and section - len(self.FIXED) < len(self.overview.students):
            return self.overview.students[section - len(self.FIXED)].name
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.overview is None or not index.isValid() or not 0 <= index.row() < len(self.overview.rows):
            return None
        r = self.overview.rows[index.row()]
        col = index.column()
        if role == ClipIdRole:
            return r.clip.id
        if role == Qt.ItemDataRole.DisplayRole:
            if col < len(self.FIXED):
                return (move_title(r.clip.name), category_label(r.clip.category), r.progress.status.label,
                        r.progress.last_taught or "–", str(r.progress.times_taught))[col]
            v = r.students[col - len(self.FIXED)] if col - len(self.FIXED) < len(r.students) else ""
            return v.capitalize() or "–"
        if role == Qt.ItemDataRole.BackgroundRole:
            if col == 2:
                return QBrush(QColor(STATUS_COLORS[r.progress.status]))
            if col >= len(self.FIXED):
                v = r.students[col - len(self.FIXED)] if col - len(self.FIXED) < len(r.students) else ""
                if v:
                    return QBrush(QColor(STATUS_COLORS[Status(v)]))
        return None


class SuggestionTableModel(QAbstractTableModel):
    """Suggestions with a check box each: the checked ones go into the draft plan."""

    HEADERS = ("Move", "Why")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Suggestion] = []
        self.clips: dict[int, Clip] = {}
        self.checked: set[int] = set()

    def set_rows(self, rows: list[Suggestion], clips: dict[int, Clip]) -> None:
        self.beginResetModel()
        self.rows, self.clips = list(rows), dict(clips)
        self.checked = {s.clip_id for s in rows}
        self.endResetModel()

    def picked(self) -> list[Suggestion]:
        return [s for s in self.rows if s.clip_id in self.checked]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        f = super().flags(index)
        return f | Qt.ItemFlag.ItemIsUserCheckable if index.isValid() and index.column() == 0 else f

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        s = self.rows[index.row()]
        if role == ClipIdRole:
            return s.clip_id
        if role == Qt.ItemDataRole.DisplayRole:
            c = self.clips.get(s.clip_id)
            if index.column() == 0:
                tag = "Review" if s.kind == "review" else "New"
                return f"{tag}: {move_title(c.name) if c else s.clip_id}"
            return s.reason
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            return Qt.CheckState.Checked if s.clip_id in self.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return s.reason
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.column() != 0:
            return False
        cid = self.rows[index.row()].clip_id
        on = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        (self.checked.add if on else self.checked.discard)(cid)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True


StudentRole = Qt.ItemDataRole.UserRole + 4


class StudentListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.students: list[Any] = []
        self.other_groups: dict[int, list[str]] = {}

    def set_rows(self, students: list[Any], other_groups: dict[int, list[str]]) -> None:
        self.beginResetModel()
        self.students, self.other_groups = list(students), dict(other_groups)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.students)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.students):
            return None
        s = self.students[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            others = self.other_groups.get(s.id or 0, [])
            also = f" · also in {', '.join(others)}" if others else ""
            return f"{s.name} ({s.level.value}){' · archived' if s.archived else ''}{also}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return s.notes or s.name
        if role == StudentRole:
            return s
        return None
