"""Collections: saved choreographies with search, level filter, sort, bulk delete/export, stats."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.clip import category_label
from bachata_desktop.core.documents import StoredDocument
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.mime import CHOREOGRAPHY_IDS_MIME, encode_ids

DocRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Title", "Song", "Level", "Moves", "Minutes", "Tags", "Saved")


def _summary(doc: StoredDocument) -> dict[str, Any]:
    d = doc.data
    slots = d.get("slots", []) or []
    span = (slots[-1]["end"] - slots[0]["start"]) if slots else 0.0
    return {"title": doc.title, "song": (d.get("song") or {}).get("title", ""),
            "level": doc.meta.get("level") or (d.get("request") or {}).get("level", ""),
            "moves": len(slots), "minutes": span / 60.0, "tags": ", ".join(doc.meta.get("tags") or []),
            "saved": (doc.updated_at or "")[:10]}


class ChoreographyTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.docs: list[StoredDocument] = []
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, docs: list[StoredDocument]) -> None:
        self.beginResetModel()
        self.docs = list(docs)
        self.rows = [_summary(d) for d in self.docs]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.docs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        key = ("title", "song", "level", "moves", "minutes", "tags", "saved")[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            v = r[key]
            if key == "minutes":
                return f"{v:.1f}"
            return str(v).capitalize() if key == "level" else str(v)
        if role == SortRole:
            v = r[key]
            return v if isinstance(v, (int, float)) else str(v).lower()
        if role == DocRole:
            return self.docs[index.row()]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsDragEnabled

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [CHOREOGRAPHY_IDS_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # noqa: N802
        ids = sorted({self.docs[i.row()].id or 0 for i in indexes})
        return encode_ids(CHOREOGRAPHY_IDS_MIME, ids)


class ChoreographyFilter(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.level = ""
        self.setSortRole(SortRole)

    def set_filter(self, text: str, level: str) -> None:
        self.beginFilterChange()  # Qt >= 6.9; invalidateFilter() is deprecated
        self.text, self.level = text.strip().lower(), level
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        assert isinstance(model, ChoreographyTableModel)
        r = model.rows[row]
        if self.level and r["level"] != self.level:
            return False
        if self.text:
            hay = " ".join(str(r[k]) for k in ("title", "song", "tags", "level")).lower()
            hay += " " + model.docs[row].meta.get("search_text", "").lower()
            return all(word in hay for word in self.text.split())
        return True


class CollectionsView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search choreographies by title, song, tag or move…")
        self.search.setClearButtonEnabled(True)
        self.level = QComboBox()
        self.level.addItem("All levels", "")
        for value in ("beginner", "intermediate", "advanced"):
            self.level.addItem(value.capitalize(), value)
        self.delete_button = QPushButton("Delete")
        self.export_button = QPushButton("Export…")
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("primary")
        for w in (self.search, self.level, self.open_button, self.export_button, self.delete_button):
            bar.addWidget(w, 3 if w is self.search else 0)
        lay.addLayout(bar)
        self.model = ChoreographyTableModel(self)
        self.proxy = ChoreographyFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)   # song file names are long
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(lambda _ix: self.open_selected())
        lay.addWidget(self.table, 1)
        self.stats = QLabel()
        self.stats.setObjectName("emptyText")
        self.stats.setWordWrap(True)
        lay.addWidget(self.stats)
        self.search.textChanged.connect(self._apply_filter)
        self.level.currentTextChanged.connect(self._apply_filter)
        self.delete_button.clicked.connect(self.delete_selected)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.open_button.clicked.connect(self.open_selected)
        ctx.navigator.choreographies_changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        self.model.set_rows(self.ctx.store.choreographies.list())
        self.stats.setText(statistics_text(self.ctx))

    def _apply_filter(self, *_: object) -> None:
        self.proxy.set_filter(self.search.text(), str(self.level.currentData() or ""))

    def selected_docs(self) -> list[StoredDocument]:
        rows = {self.proxy.mapToSource(ix).row() for ix in self.table.selectionModel().selectedRows()}
        return [self.model.docs[r] for r in sorted(rows)]

    def open_selected(self) -> None:
        docs = self.selected_docs()
        if docs and docs[0].id is not None:
            self.ctx.navigator.open_choreography.emit(docs[0].id)

    def delete_selected(self, confirm: bool = True) -> int:
        docs = self.selected_docs()
        if not docs:
            return 0
        if confirm and QMessageBox.question(
                self, "Delete choreographies",
                f"Delete {len(docs)} choreograph{'ies' if len(docs) > 1 else 'y'}? This cannot be undone.") \
                != QMessageBox.StandardButton.Yes:
            return 0
        with self.ctx.store.db.write():
            for d in docs:
                self.ctx.store.choreographies.delete(d.id or 0)
        self.reload()
        self.ctx.navigator.status.emit(f"Deleted {len(docs)} choreographies")
        return len(docs)

    def export_selected(self, folder: Path) -> list[Path]:
        out = []
        for d in self.selected_docs():
            safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in d.title).strip() or "choreography"
            path = Path(folder) / f"{safe}-{d.id}.json"
            path.write_text(json.dumps(d.data, indent=1, ensure_ascii=False), "utf-8")
            out.append(path)
        return out

    def _on_export_clicked(self) -> None:
        if not self.selected_docs():
            return
        folder = QFileDialog.getExistingDirectory(self, "Export choreographies to…")
        if folder:
            try:
                paths = self.export_selected(Path(folder))
            except OSError as exc:
                QMessageBox.warning(self, "Export failed", f"Could not write to {folder}: {exc.strerror}")
                return
            self.ctx.navigator.status.emit(f"Exported {len(paths)} choreographies to {folder}")


def statistics(ctx: AppContext) -> dict[str, Any]:
    docs = ctx.store.choreographies.list()
    by_level = Counter(_summary(d)["level"] or "unknown" for d in docs)
    by_category: Counter[str] = Counter()
    for d in docs:
        for s in d.data.get("slots", []) or []:
            by_category[s.get("category") or "unknown"] += 1
    from bachata_desktop.services.plans import list_plans

    plans = list_plans(ctx.store)
    return {"choreographies": len(docs), "by_level": dict(by_level), "moves_by_category": dict(by_category),
            "plans": len(plans), "minutes_planned": sum(p.total_minutes for p in plans)}


def statistics_text(ctx: AppContext) -> str:
    s = statistics(ctx)
    levels = ", ".join(f"{k.capitalize()}: {v}" for k, v in sorted(s["by_level"].items())) or "none yet"
    cats = ", ".join(f"{category_label(k)} {v}" for k, v in
                     sorted(s["moves_by_category"].items(), key=lambda kv: -kv[1])[:6]) or "none yet"
    n_ch, n_pl = s["choreographies"], s["plans"]
    return (f"<b>{n_ch}</b> {'choreography' if n_ch == 1 else 'choreographies'} ({levels}) · "
            f"most used moves: {cats} · <b>{n_pl}</b> {'class plan' if n_pl == 1 else 'class plans'}, "
            f"{s['minutes_planned']:.0f} minutes planned")
