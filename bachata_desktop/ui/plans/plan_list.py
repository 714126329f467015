"""The list of class plans (newest date first) as a small list model over ``ClassPlan``."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from bachata_desktop.core.plan import ClassPlan

PlanRole = Qt.ItemDataRole.UserRole + 1


class PlanListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.plans: list[ClassPlan] = []

    def set_rows(self, plans: list[ClassPlan]) -> None:
        self.beginResetModel()
        self.plans = sorted(plans, key=lambda p: (p.date or "", p.id or 0), reverse=True)
        self.endResetModel()

    def upsert(self, plan: ClassPlan) -> None:
        for row, p in enumerate(self.plans):
            if p.id == plan.id:
                self.plans[row] = plan
                ix = self.index(row)
                self.dataChanged.emit(ix, ix, [Qt.ItemDataRole.DisplayRole, PlanRole])
                return
        self.beginInsertRows(QModelIndex(), 0, 0)
        self.plans.insert(0, plan)
        self.endInsertRows()

    def remove(self, plan_id: int) -> None:
        for row, p in enumerate(self.plans):
            if p.id == plan_id:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.plans[row]
                self.endRemoveRows()
                return

    def row_of(self, plan_id: int | None) -> int:
        for row, p in enumerate(self.plans):
            if p.id == plan_id:
                return row
        return -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.plans)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.plans)):
            return None
        p = self.plans[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{p.title}\n{p.date or 'no date'} · {p.level} · {p.total_minutes:g}/{p.target_minutes:g} min"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{len(p.segments)} segments, {len(p.items())} items"
        if role == PlanRole:
            return p
        return None
