"""The "Overview" tab of a group: its timeline of sessions and the moves x status grid, with export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.errors import BachataError
from bachata_desktop.core.groups import Status
from bachata_desktop.services import group_export
from bachata_desktop.services import groups as group_service
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.groups.models import (
    ClipIdRole,
    ProgressTableModel,
    SessionRole,
    SessionTableModel,
)


class OverviewView(QWidget):
    changed = Signal()                 # sessions or statuses changed (the list's counts follow)
    record_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.group_id: int | None = None
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.record_button = QPushButton("Record a session…")
        self.record_button.setObjectName("primary")
        self.record_button.setToolTip("Record a class taught to this group: its moves count as taught")
        self.record_button.clicked.connect(self.record_requested.emit)
        self.delete_session_button = QPushButton("Remove session")
        self.delete_session_button.setToolTip("Undo a session recorded by mistake")
        self.delete_session_button.clicked.connect(self.delete_selected_session)
        self.status_button = QToolButton()
        self.status_button.setText("Set status")
        self.status_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.status_button.setToolTip("Set the selected moves' status for the class (right-click a "
                                      "student's column for one student)")
        menu = QMenu(self.status_button)
        for st in Status:
            menu.addAction(st.label, lambda s=st: self.set_selected_status(s))
        menu.addSeparator()
        menu.addAction("Not taught (clear)", lambda: self.set_selected_status(None))
        self.status_button.setMenu(menu)
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setToolTip("The group's overview as a PDF or a spreadsheet (CSV)")
        emenu = QMenu(self.export_button)
        emenu.addAction("PDF…", lambda: self._export_dialog("pdf"))
        emenu.addAction("CSV (spreadsheet)…", lambda: self._export_dialog("csv"))
        self.export_button.setMenu(emenu)
        for w in (self.record_button, self.delete_session_button):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.status_button, self.export_button):
            bar.addWidget(w)
        lay.addLayout(bar)
        # Timeline above, grid below: the grid needs the full width (a column per student).
        split = QSplitter(Qt.Orientation.Vertical)
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        left_lay.addWidget(QLabel("<b>Sessions</b> (newest first)"))
        self.sessions_model = SessionTableModel(self)
        self.sessions = QTableView()
        self.sessions.setModel(self.sessions_model)
        self._table_look(self.sessions)
        self.sessions.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        left_lay.addWidget(self.sessions, 1)
        right = QWidget()
        right_lay = QVBoxLayout(right)
        right_lay.setContentsMargins(0, 0, 0, 0)
        self.grid_title = QLabel("<b>Moves</b>")
        right_lay.addWidget(self.grid_title)
        self.grid_model = ProgressTableModel(self)
        self.grid = QTableView()
        self.grid.setModel(self.grid_model)
        self._table_look(self.grid)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.grid.doubleClicked.connect(self._on_grid_double_clicked)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._on_grid_context_menu)
        right_lay.addWidget(self.grid, 1)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([170, 500])
        lay.addWidget(split, 1)

    @staticmethod
    def _table_look(t: QTableView) -> None:
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.verticalHeader().hide()
        t.verticalHeader().setDefaultSectionSize(26)
        t.setAlternatingRowColors(True)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def set_group(self, group_id: int | None) -> None:
        self.group_id = group_id
        self.refresh()

    def refresh(self) -> None:
        if self.group_id is None:
            self.sessions_model.set_rows([])
            self.grid_model.set_overview(None)
            return
        ov = group_export.overview(self.ctx.store, self.group_id)
        self.sessions_model.set_rows(list(ov.sessions))
        self.grid_model.set_overview(ov)
        c = ov.counts()
        self.grid_title.setText(f"<b>Moves</b> · {c['taught']} taught · {c['practising']} practising · "
                                f"{c['known']} known")
        self.record_button.setEnabled(not ov.group.archived)

    def selected_clip_ids(self) -> list[int]:
        rows = {i.row() for i in self.grid.selectionModel().selectedRows()}
        return [int(self.grid_model.index(r, 0).data(ClipIdRole)) for r in sorted(rows)]

    def set_selected_status(self, status: Status | None) -> None:
        if self.group_id is None:
            return
        for cid in self.selected_clip_ids():
            group_service.set_status(self.ctx.store, self.group_id, cid, status)
        self.refresh()
        self.changed.emit()

    def set_student_status(self, student_id: int, clip_id: int, status: Status | None) -> None:
        if self.group_id is None:
            return
        group_service.set_status(self.ctx.store, self.group_id, clip_id, status, student_id=student_id)
        self.refresh()

    def _on_grid_context_menu(self, pos) -> None:  # type: ignore[no-untyped-def]
        idx = self.grid.indexAt(pos)
        ov = self.grid_model.overview
        if not idx.isValid() or ov is None:
            return
        menu = QMenu(self)
        for st in Status:
            menu.addAction(f"Class: {st.label.lower()}", lambda s=st: self.set_selected_status(s))
        menu.addAction("Class: not taught (clear)", lambda: self.set_selected_status(None))
        col = idx.column() - len(ProgressTableModel.FIXED)
        if 0 <= col < len(ov.students):
            student, cid = ov.students[col], int(idx.data(ClipIdRole))
            menu.addSeparator()
            for st in Status:
                menu.addAction(f"{student.name}: {st.label.lower()}",
                               lambda s=st: self.set_student_status(student.id or 0, cid, s))
            menu.addAction(f"{student.name}: not taught (clear)",
                           lambda: self.set_student_status(student.id or 0, cid, None))
        menu.popup(self.grid.viewport().mapToGlobal(pos))

    def delete_selected_session(self) -> None:
        idx = self.sessions.selectionModel().currentIndex()
        s = idx.data(SessionRole) if idx.isValid() else None
        if s is None:
            return
        if QMessageBox.question(self, "Remove session", f"Remove the session of {s.date} "
                                f"(“{s.title or 'no title'}”)? Statuses you set by hand stay.") \
                != QMessageBox.StandardButton.Yes:
            return
        group_service.delete_session(self.ctx.store, s.id)
        self.refresh()
        self.changed.emit()

    def export_to(self, out: Path) -> Path:
        if self.group_id is None:
            raise BachataError("Choose a group first.")
        from bachata_desktop.ui.print_pdf import html_to_pdf  # the one PDF path (Qt)

        return group_export.export_overview(
            self.ctx.store, self.group_id, out,
            pdf_writer=lambda h, o, t: html_to_pdf(h, o, title=t, landscape=True))

    def _export_dialog(self, kind: str) -> None:
        if self.group_id is None:
            return
        g = group_service.get_group(self.ctx.store, self.group_id)
        name, _ = QFileDialog.getSaveFileName(self, f"Export {kind.upper()}",
                                              str(Path.home() / f"{g.name}.{kind}"),
                                              f"{kind.upper()} (*.{kind})")
        if name:
            try:
                self.export_to(Path(name))
                self.ctx.navigator.status.emit(f"Exported {name}")
            except BachataError as exc:
                QMessageBox.warning(self, "Export failed", str(exc))

    def _on_grid_double_clicked(self, index) -> None:  # type: ignore[no-untyped-def]
        cid = index.data(ClipIdRole) if index.isValid() else None
        if cid is not None:
            self.ctx.navigator.open_clip.emit(int(cid))
