"""A class plan as a two-level tree: segments, and the items inside each.

The model is a view of one immutable ``ClassPlan``. It never edits the plan itself: drops and
edits are turned into a new plan and handed to ``on_edit`` (the editor pushes it on its undo
stack), which then calls :meth:`set_plan`. ``internalId`` is 0 for a segment row and
``segment_row + 1`` for an item row, so parents are found without Python pointers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment
from bachata_desktop.ui.mime import CHOREOGRAPHY_IDS_MIME, CLIP_IDS_MIME, PLAN_ITEM_MIME, decode_ids

IdRole = Qt.ItemDataRole.UserRole + 1       # segment or item id (str)
KindRole = Qt.ItemDataRole.UserRole + 2     # "segment" or "item"
ObjectRole = Qt.ItemDataRole.UserRole + 3   # the Segment or PlanItem

COLUMNS = ("Item", "Counts", "Minutes", "Notes")
ITEM_ICONS = {ItemKind.MOVE: "▸", ItemKind.CHOREOGRAPHY: "✦", ItemKind.SONG: "♫", ItemKind.EXERCISE: "✎"}

Index = QModelIndex | QPersistentModelIndex


class PlanTreeModel(QAbstractItemModel):
    def __init__(self, on_edit: Callable[[ClassPlan, str], None],
                 resolve_clip: Callable[[int], PlanItem | None],
                 resolve_choreography: Callable[[int], PlanItem | None], parent: Any = None) -> None:
        super().__init__(parent)
        self.plan = ClassPlan("")
        self.on_edit = on_edit
        self.resolve_clip = resolve_clip
        self.resolve_choreography = resolve_choreography

    def set_plan(self, plan: ClassPlan) -> None:
        self.beginResetModel()
        self.plan = plan
        self.endResetModel()

    # -- structure ---------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self.plan.segments)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self.plan.segments[parent.row()].items)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def segment_at(self, index: Index) -> Segment | None:
        if not index.isValid():
            return None
        row = index.row() if index.internalId() == 0 else index.internalId() - 1
        return self.plan.segments[row] if 0 <= row < len(self.plan.segments) else None

    def item_at(self, index: Index) -> PlanItem | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        seg = self.plan.segments[index.internalId() - 1]
        return seg.items[index.row()] if index.row() < len(seg.items) else None

    def index_of(self, obj_id: str) -> QModelIndex:
        for r, seg in enumerate(self.plan.segments):
            if seg.id == obj_id:
                return self.index(r, 0)
            for k, item in enumerate(seg.items):
                if item.id == obj_id:
                    return self.index(k, 0, self.index(r, 0))
        return QModelIndex()

    # -- data --------------------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.item_at(index)
        seg = self.segment_at(index)
        if seg is None:
            return None
        col = index.column()
        if item is None:  # segment row
            if role == Qt.ItemDataRole.DisplayRole:
                return [seg.display_title, "", f"{seg.minutes:g}", seg.notes][col]
            if role == Qt.ItemDataRole.FontRole:
                f = QFont()
                f.setBold(True)
                return f
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor("#f3ece9"))
            if role == IdRole:
                return seg.id
            if role == KindRole:
                return "segment"
            if role == ObjectRole:
                return seg
            if role == Qt.ItemDataRole.EditRole and col in (0, 3):
                return seg.display_title if col == 0 else seg.notes
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return [f"{ITEM_ICONS[item.kind]}  {item.title}", "" if item.counts is None else str(item.counts),
                    f"{item.duration_min:g}", item.notes][col]
        if role == Qt.ItemDataRole.EditRole:
            return [item.title, item.counts or 0, item.duration_min, item.notes][col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.kind.value}: {item.title}" + (f"\n{item.notes}" if item.notes else "")
        if role == IdRole:
            return item.id
        if role == KindRole:
            return "item"
        if role == ObjectRole:
            return item
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        base |= Qt.ItemFlag.ItemIsDragEnabled
        if self.item_at(index) is not None or index.column() in (0, 3):
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        item = self.item_at(index)
        col = index.column()
        try:
            if item is None:
                seg = self.segment_at(index)
                assert seg is not None
                key = "title" if col == 0 else "notes"
                new = self.plan.update_segment(seg.id, **{key: str(value)})
            else:
                field = ("title", "counts", "duration_min", "notes")[col]
                if field == "counts":
                    v: Any = int(value) or None
                elif field == "duration_min":
                    v = max(0.0, min(600.0, float(value)))
                else:
                    v = str(value)
                new = self.plan.update_item(item.id, **{field: v})
        except (TypeError, ValueError):
            return False
        self.on_edit(new, "Edit")
        return True

    # -- drag and drop -----------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [PLAN_ITEM_MIME, CLIP_IDS_MIME, CHOREOGRAPHY_IDS_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # noqa: N802
        mime = QMimeData()
        ids = []
        for ix in indexes:
            if ix.column() == 0:
                ids.append(self.data(ix, IdRole))
        mime.setData(PLAN_ITEM_MIME, json.dumps(ids).encode("utf-8"))
        return mime

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                        parent: Index) -> bool:
        return any(data.hasFormat(t) for t in self.mimeTypes()) and bool(self.plan.segments)

    def _drop_target(self, row: int, parent: Index) -> tuple[str | None, int]:
        """(segment id, position) for a drop; dropping on a segment row appends to it."""
        if not parent.isValid():
            if not self.plan.segments:
                return None, 0
            if row < 0:
                return self.plan.segments[-1].id, len(self.plan.segments[-1].items)
            # between segments: into the segment above, at its end
            seg = self.plan.segments[max(0, row - 1)]
            return seg.id, len(seg.items)
        if parent.internalId() == 0:
            seg = self.plan.segments[parent.row()]
            return seg.id, len(seg.items) if row < 0 else row
        seg = self.plan.segments[parent.internalId() - 1]
        return seg.id, parent.row()

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                     parent: Index) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if data.hasFormat(PLAN_ITEM_MIME):
            return self._drop_internal(data, row, parent)
        seg_id, pos = self._drop_target(row, parent)
        if seg_id is None:
            return False
        new_items: list[PlanItem] = []
        for cid in decode_ids(data, CLIP_IDS_MIME):
            it = self.resolve_clip(cid)
            if it is not None:
                new_items.append(it)
        for chid in decode_ids(data, CHOREOGRAPHY_IDS_MIME):
            it = self.resolve_choreography(chid)
            if it is not None:
                new_items.append(it)
        if not new_items:
            return False
        plan = self.plan
        for k, it in enumerate(new_items):
            plan = plan.add_item(seg_id, it, pos + k)
        self.on_edit(plan, f"Add {len(new_items)} item{'s' if len(new_items) > 1 else ''}")
        return True

    def _drop_internal(self, data: QMimeData, row: int, parent: Index) -> bool:
        try:
            ids = json.loads(bytes(data.data(PLAN_ITEM_MIME).data()).decode("utf-8"))
        except ValueError:
            return False
        seg_ids = {s.id for s in self.plan.segments}
        plan = self.plan
        if ids and all(i in seg_ids for i in ids):  # reordering segments
            target = row if (not parent.isValid() and row >= 0) else (
                parent.row() if parent.isValid() and parent.internalId() == 0 else len(plan.segments))
            for i in ids:
                cur = [s.id for s in plan.segments].index(i)
                plan = plan.move_segment(i, target - 1 if cur < target else target)
            self.on_edit(plan, "Reorder segments")
            return False  # we rebuilt the model ourselves: the view must not remove rows
        seg_id, pos = self._drop_target(row, parent)
        if seg_id is None:
            return False
        for i in ids:
            if i in seg_ids:
                continue
            try:
                src_seg, src_pos = plan.find_item(i)
            except KeyError:
                continue
            adj = pos - 1 if (src_seg == seg_id and src_pos < pos) else pos
            plan = plan.move_item(i, seg_id, adj)
            pos = adj + 1
        self.on_edit(plan, "Move item")
        return False  # see above: returning True would make the view delete the source rows
