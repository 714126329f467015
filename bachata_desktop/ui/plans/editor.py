"""The class-plan editor: header fields, the segment/item tree, totals, undo/redo and autosave.

Every change builds a new ``ClassPlan`` and goes through :meth:`PlanEditor.apply`, which pushes a
``QUndoCommand`` holding the plan before and after. Each change is written at once to an autosave
file (atomic) and, shortly after, to the database (one transaction); both run on the write pool.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.clip import move_title
from bachata_desktop.core.plan import ClassPlan, ItemKind, PlanItem, Segment, SegmentKind
from bachata_desktop.services import plans as plan_service
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.plans.tree_model import ObjectRole, PlanTreeModel

AUTOSAVE_DELAY_MS = 700


class _PlanChange(QUndoCommand):
    def __init__(self, editor: PlanEditor, before: ClassPlan, after: ClassPlan, text: str) -> None:
        super().__init__(text)
        self.editor, self.before, self.after = editor, before, after

    def redo(self) -> None:
        self.editor._set_plan(self.after)

    def undo(self) -> None:
        self.editor._set_plan(self.before)


class PlanEditor(QWidget):
    plan_saved = Signal(object)      # ClassPlan, after the database write
    plan_changed = Signal(object)    # ClassPlan, after every edit, undo or redo

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan: ClassPlan | None = None
        self.undo_stack = QUndoStack(self)
        self._updating = False
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_now)
        self.model = PlanTreeModel(lambda p, text: self.apply(p, text), self._item_for_clip,
                                   self._item_for_choreography, self)
        self._build()

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        head = QFormLayout()
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Class title")
        self.title_edit.editingFinished.connect(self._on_header_edited)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.dateChanged.connect(self._on_header_edited)
        self.level_box = QComboBox()
        for value in ("beginner", "intermediate", "advanced", "mixed"):
            self.level_box.addItem(value.capitalize(), value)  # shown capitalised, stored as is
        self.level_box.currentTextChanged.connect(self._on_header_edited)
        self.target_spin = QDoubleSpinBox()
        self.target_spin.setRange(5, 600)
        self.target_spin.setSuffix(" min")
        self.target_spin.setDecimals(0)
        self.target_spin.valueChanged.connect(self._on_header_edited)
        row = QHBoxLayout()
        row.addWidget(self.date_edit)
        row.addWidget(QLabel("Level"))
        row.addWidget(self.level_box)
        row.addWidget(QLabel("Target"))
        row.addWidget(self.target_spin)
        row.addStretch(1)
        head.addRow("Title", self.title_edit)
        head.addRow("Date", row)
        lay.addLayout(head)

        totals = QHBoxLayout()
        self.total_label = QLabel()
        self.total_label.setObjectName("planTotal")
        self.total_bar = QProgressBar()
        self.total_bar.setTextVisible(False)
        self.total_bar.setFixedHeight(8)
        totals.addWidget(self.total_label)
        totals.addWidget(self.total_bar, 1)
        lay.addLayout(totals)

        tools = QHBoxLayout()
        self.add_segment_button = QToolButton()
        self.add_segment_button.setText("+ Segment")
        self.add_segment_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_segment_button.setToolTip("Add a part to the class: warm-up, technique, pattern, …")
        menu = QMenu(self.add_segment_button)
        for kind in SegmentKind:
            menu.addAction(kind.label, lambda k=kind: self.add_segment(k))
        self.add_segment_button.setMenu(menu)
        self.add_exercise_button = QPushButton("+ Exercise")
        self.add_exercise_button.setToolTip("Add a free-text exercise to the selected segment")
        self.add_exercise_button.clicked.connect(lambda: self.add_exercise("New exercise", 5))
        self.remove_button = QPushButton("Remove")
        self.remove_button.setShortcut(QKeySequence.StandardKey.Delete)
        self.remove_button.setToolTip("Remove the selected item or segment (Delete; Undo brings it back)")
        self.remove_button.clicked.connect(self.remove_selected)
        self.undo_button = QToolButton()
        self.undo_button.setDefaultAction(self.undo_stack.createUndoAction(self, "Undo"))
        self.undo_button.defaultAction().setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_button = QToolButton()
        self.redo_button.setDefaultAction(self.undo_stack.createRedoAction(self, "Redo"))
        self.redo_button.defaultAction().setShortcut(QKeySequence.StandardKey.Redo)
        self.addAction(self.undo_button.defaultAction())
        self.addAction(self.redo_button.defaultAction())
        for w in (self.add_segment_button, self.add_exercise_button, self.remove_button,
                  self.undo_button, self.redo_button):
            tools.addWidget(w)
        tools.addStretch(1)
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Open the selected move in the player, or the choreography in the generator")
        self.open_button.clicked.connect(self.open_selected)
        tools.addWidget(self.open_button)
        lay.addLayout(tools)

        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setDragEnabled(True)
        self.tree.setAcceptDrops(True)
        self.tree.setDropIndicatorShown(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        # Counts and Minutes as wide as their numbers: at 1280 the items' titles were cut to
        # "Basic step in place,…" beside two 100-px columns of short numbers
        for col in (1, 2):
            self.tree.header().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.doubleClicked.connect(self._on_tree_double_clicked)
        lay.addWidget(self.tree, 1)
        self.model.modelReset.connect(self.tree.expandAll)
        self.setEnabled(False)

    # -- plan in / out -------------------------------------------------------------------------
    def set_plan(self, plan: ClassPlan | None) -> None:
        """Show another plan (flushes pending saves of the current one, clears undo)."""
        if self._save_timer.isActive():
            self._save_timer.stop()
            self.save_now()
        self.undo_stack.clear()
        self._set_plan(plan)
        self.setEnabled(plan is not None)

    def _set_plan(self, plan: ClassPlan | None) -> None:
        self.plan = plan
        self._updating = True
        try:
            self.model.set_plan(plan or ClassPlan(""))
            if plan is not None:
                self.title_edit.setText(plan.title)
                d = QDate.fromString(plan.date, "yyyy-MM-dd")
                self.date_edit.setDate(d if d.isValid() else QDate.currentDate())
                if self.level_box.findData(plan.level) < 0:   # a level typed elsewhere
                    self.level_box.addItem(plan.level.capitalize(), plan.level)
                self.level_box.setCurrentIndex(self.level_box.findData(plan.level))
                self.target_spin.setValue(plan.target_minutes)
        finally:
            self._updating = False
        self._refresh_totals()
        if plan is not None:
            self.plan_changed.emit(plan)

    def apply(self, new_plan: ClassPlan, text: str) -> None:
        """Make an edit undoable, autosave it, and schedule the database write."""
        if self.plan is None or new_plan == self.plan:
            return
        self.undo_stack.push(_PlanChange(self, self.plan, new_plan, text))
        self._autosave()

    def _autosave(self) -> None:
        if self.plan is None:
            return
        plan = self.plan
        folder = self.ctx.paths.autosave
        self.ctx.jobs.submit(lambda _ctx: plan_service.autosave(folder, plan), pool="write",
                             title="Autosave", visible=False,
                             on_failed=lambda e: self.ctx.navigator.status.emit(f"Autosave failed: {e}"))
        self._save_timer.start()

    def save_now(self) -> None:
        if self.plan is None:
            return
        plan = self.plan
        store, folder = self.ctx.store, self.ctx.paths.autosave

        def write(_ctx: object) -> ClassPlan:
            saved = plan_service.save_plan(store, plan)
            plan_service.clear_autosave(folder, plan)
            return saved

        self.ctx.jobs.submit(write, pool="write", title="Saving plan", visible=False,
                             on_finished=self.plan_saved.emit,
                             on_failed=lambda e: self.ctx.navigator.status.emit(f"Could not save the plan: {e}"))

    # -- header ----------------------------------------------------------------------------------
    def _on_header_edited(self, *_: object) -> None:
        if self._updating or self.plan is None:
            return
        new = self.plan.with_(title=self.title_edit.text().strip() or "Untitled class",
                              date=self.date_edit.date().toString("yyyy-MM-dd"),
                              level=str(self.level_box.currentData() or ""),
                              target_minutes=float(self.target_spin.value()))
        self.apply(new, "Edit class details")

    def _refresh_totals(self) -> None:
        p = self.plan
        if p is None:
            self.total_label.setText("")
            self.total_bar.setValue(0)
            return
        total, target = p.total_minutes, p.target_minutes
        diff = target - total
        state = f"{diff:g} min left" if diff >= 0 else f"{-diff:g} min over"
        self.total_label.setText(f"<b>{total:g}</b> of {target:g} min · {state}")
        self.total_bar.setRange(0, max(1, int(target)))
        self.total_bar.setValue(int(min(total, target)))
        color = "#e0664f" if diff >= 0 else "#b3261e"
        self.total_bar.setStyleSheet(f"QProgressBar::chunk {{ background: {color}; }}")

    # -- edits -------------------------------------------------------------------------------------
    def selected_segment_id(self) -> str | None:
        seg = self.model.segment_at(self.tree.currentIndex())
        if seg is not None:
            return seg.id
        return self.plan.segments[-1].id if self.plan and self.plan.segments else None

    def add_segment(self, kind: SegmentKind, title: str = "") -> None:
        if self.plan is not None:
            self.apply(self.plan.add_segment(Segment(kind, title)), f"Add {kind.label}")

    def add_exercise(self, title: str, minutes: float) -> None:
        if self.plan is None:
            return
        if not self.plan.segments:
            self.add_segment(SegmentKind.PRACTICE)
        seg_id = self.selected_segment_id()
        if seg_id is not None and self.plan is not None:
            self.apply(self.plan.add_item(seg_id, PlanItem(ItemKind.EXERCISE, title, minutes)),
                       "Add exercise")

    def add_clips(self, clip_ids: list[int], seg_id: str | None = None) -> None:
        if self.plan is None:
            return
        seg_id = seg_id or self.selected_segment_id()
        if seg_id is None:
            return
        plan = self.plan
        for cid in clip_ids:
            item = self._item_for_clip(cid)
            if item is not None:
                plan = plan.add_item(seg_id, item)
        self.apply(plan, "Add moves")

    def remove_selected(self) -> None:
        if self.plan is None:
            return
        ix = self.tree.currentIndex()
        item = self.model.item_at(ix)
        if item is not None:
            self.apply(self.plan.remove_item(item.id), f"Remove {item.title}")
            return
        seg = self.model.segment_at(ix)
        if seg is not None:
            self.apply(self.plan.remove_segment(seg.id), f"Remove {seg.display_title}")

    def open_selected(self) -> None:
        item = self.model.item_at(self.tree.currentIndex())
        if item is None or item.ref_id is None:
            return
        if item.kind is ItemKind.MOVE:
            self.ctx.navigator.open_clip.emit(item.ref_id)
        elif item.kind is ItemKind.CHOREOGRAPHY:
            self.ctx.navigator.open_choreography.emit(item.ref_id)
        elif item.kind is ItemKind.SONG:
            self.ctx.navigator.open_song.emit(item.ref_id)

    def _on_tree_double_clicked(self, index: QModelIndex) -> None:
        item = index.data(ObjectRole)
        if isinstance(item, PlanItem) and index.column() == 0 and item.kind is not ItemKind.EXERCISE:
            self.open_selected()

    # -- resolving dropped things ------------------------------------------------------------------
    def _item_for_clip(self, clip_id: int) -> PlanItem | None:
        clip = self.ctx.store.clips.get(clip_id)
        if clip is None:
            return None
        minutes = 10.0 if clip.level.rank >= 1 else 8.0  # teaching a pattern takes longer than showing it
        return PlanItem(ItemKind.MOVE, move_title(clip.name), minutes, ref_id=clip.id, counts=clip.counts)

    def _item_for_choreography(self, choreo_id: int) -> PlanItem | None:
        doc = self.ctx.store.choreographies.get(choreo_id)
        if doc is None:
            return None
        return PlanItem(ItemKind.CHOREOGRAPHY, doc.title, 15.0, ref_id=doc.id)

    def save_now_sync(self) -> None:
        """Write a pending change at once (before duplicating, sharing or quitting)."""
        if self._save_timer.isActive():
            self._save_timer.stop()
            if self.plan is not None:
                plan_service.save_plan(self.ctx.store, self.plan)
                plan_service.clear_autosave(self.ctx.paths.autosave, self.plan)

    def shutdown(self) -> None:
        self.save_now_sync()  # synchronous on quit: the pools are about to stop
