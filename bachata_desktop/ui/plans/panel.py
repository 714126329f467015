"""The Class plans area: the list of plans and the editor, plus the collections of choreographies."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.errors import BachataError
from bachata_desktop.core.plan import TEMPLATES, ClassPlan, Segment, SegmentKind, from_template
from bachata_desktop.services import plans as plan_service
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.plans.collections import CollectionsView
from bachata_desktop.ui.plans.editor import PlanEditor
from bachata_desktop.ui.plans.plan_list import PlanListModel, PlanRole


class PlansPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 4)
        title = QLabel("Class plans")
        title.setObjectName("areaTitle")
        lay.addWidget(title)
        self.tabs = QTabWidget()
        # dragging a choreography from Collections over the "Plans" tab opens it, to drop there
        self.tabs.tabBar().setChangeCurrentOnDrag(True)
        self.tabs.tabBar().setAcceptDrops(True)
        lay.addWidget(self.tabs, 1)

        plans_page = QWidget()
        row = QHBoxLayout(plans_page)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        self.new_button = QToolButton()
        self.new_button.setText("New plan")
        self.new_button.setObjectName("primary")
        self.new_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.new_button.setToolTip("A new plan: warm-up, pattern, practice (the arrow: from a template)")
        self.new_button.clicked.connect(lambda: self.new_plan())
        menu = QMenu(self.new_button)
        for name in TEMPLATES:
            menu.addAction(f"From template: {name}", lambda n=name: self.new_plan(template=n))
        self.new_button.setMenu(menu)
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.setToolTip("A copy of this plan, to change for another class")
        self.duplicate_button.clicked.connect(self.duplicate_current)
        more = QToolButton()
        more.setText("More")
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more.setToolTip("Export, share, import or delete a plan")
        more_menu = QMenu(more)
        more_menu.addAction("Export PDF…", lambda: self._export_dialog("pdf"))
        more_menu.addAction("Export HTML…", lambda: self._export_dialog("html"))
        more_menu.addAction("Share as file…", self._share_dialog)
        more_menu.addAction("Import shared plan…", self._import_dialog)
        more_menu.addSeparator()
        more_menu.addAction("Delete plan", self.delete_current)
        more.setMenu(more_menu)
        self.taught_button = QPushButton("Taught…")  # classes and students: record a session
        self.taught_button.setToolTip("Record that you taught this plan to a group, on a date")
        self.taught_button.clicked.connect(self.record_taught)
        self.run_button = QPushButton("Run the class")
        self.run_button.setToolTip("Full screen for the projector: count, moves, item timers (Esc leaves)")
        self.run_button.clicked.connect(self.run_class)
        for w in (self.new_button, self.duplicate_button, self.taught_button, more, self.run_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        left_lay.addLayout(buttons)
        self.list_model = PlanListModel(self)
        self.list_view = QListView()
        self.list_view.setModel(self.list_model)
        self.list_view.setSpacing(2)
        left_lay.addWidget(self.list_view, 1)
        split.addWidget(left)
        self.editor = PlanEditor(ctx)
        split.addWidget(self.editor)
        split.setStretchFactor(1, 3)
        split.setSizes([280, 800])
        row.addWidget(split)
        self.tabs.addTab(plans_page, "Plans")
        self.collections = CollectionsView(ctx)
        self.tabs.addTab(self.collections, "Collections")

        self.list_view.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.editor.plan_saved.connect(self.list_model.upsert)
        self.editor.plan_changed.connect(self.list_model.upsert)
        ctx.navigator.import_plans.connect(self.import_files)
        ctx.navigator.add_clips_to_plan.connect(self.add_clips)
        ctx.navigator.add_choreography_to_plan.connect(self.add_choreography)
        self._recover()
        self.reload()

    # -- list ------------------------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        self.list_model.set_rows(plan_service.list_plans(self.ctx.store))
        row = self.list_model.row_of(select_id) if select_id is not None else (0 if self.list_model.plans else -1)
        if row >= 0:
            self.list_view.selectionModel().setCurrentIndex(
                self.list_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        else:
            self.editor.set_plan(None)

    def _on_list_current_changed(self, current, _previous) -> None:  # type: ignore[no-untyped-def]
        plan = current.data(PlanRole) if current.isValid() else None
        if plan is None or (self.editor.plan is not None and self.editor.plan.id == plan.id):
            return
        self.editor.set_plan(plan_service.load_plan(self.ctx.store, plan.id))

    def current_plan(self) -> ClassPlan | None:
        return self.editor.plan

    def run_class(self) -> QWidget | None:
        """Open the run-the-class view of the current plan (on a second screen when there is one)."""
        from bachata_desktop.ui.class_mode.window import ClassModeWindow

        plan = self.current_plan()
        if plan is None:
            self.ctx.navigator.status.emit("Choose a plan to run the class")
            return None
        self.class_window = ClassModeWindow(self.ctx, plan)
        return self.class_window

    def new_plan(self, template: str | None = None, title: str | None = None) -> ClassPlan:
        today = date.today().isoformat()
        if template:
            plan = from_template(template, title=title, date=today)
        else:
            plan = ClassPlan(title or "New class", today, "beginner", 60.0, (
                Segment(SegmentKind.WARMUP), Segment(SegmentKind.PATTERN), Segment(SegmentKind.PRACTICE)))
        saved = plan_service.save_plan(self.ctx.store, plan)
        self.reload(select_id=saved.id)
        return saved

    def duplicate_current(self) -> ClassPlan | None:
        plan = self.editor.plan
        if plan is None or plan.id is None:
            return None
        self.editor.save_now_sync()
        dup = plan_service.duplicate_plan(self.ctx.store, plan.id)
        self.reload(select_id=dup.id)
        return dup

    def record_taught(self) -> object:
        """The plan's moves (and its choreographies') count as taught to the chosen group."""
        from bachata_desktop.ui.groups.panel import record_plan_taught

        plan = self.editor.plan
        if plan is None or plan.id is None:
            return None
        self.editor.save_now_sync()
        return record_plan_taught(self.ctx, plan.id, self)

    def delete_current(self) -> None:
        plan = self.editor.plan
        if plan is None or plan.id is None:
            return
        if QMessageBox.question(self, "Delete plan", f"Delete “{plan.title}”?") != QMessageBox.StandardButton.Yes:
            return
        self.editor.set_plan(None)
        self.ctx.store.plans.delete(plan.id)
        plan_service.clear_autosave(self.ctx.paths.autosave, plan)
        self.reload()

    # -- adding from other areas ----------------------------------------------------------------
    def _target_plan(self, plan_id: int | None) -> ClassPlan:
        """The plan to add to, shown in the editor: ``plan_id``, else the open one, else a new one."""
        if plan_id is not None and (self.editor.plan is None or self.editor.plan.id != plan_id):
            self.editor.save_now_sync()
            self.reload(select_id=plan_id)
        if self.editor.plan is None:
            self.new_plan()
        assert self.editor.plan is not None
        self.tabs.setCurrentIndex(0)
        return self.editor.plan

    def _segment_for(self, plan: ClassPlan, kinds: tuple[SegmentKind, ...]) -> str | None:
        """The selected segment, else the first of ``kinds``, else the last one."""
        selected = self.editor.model.segment_at(self.editor.tree.currentIndex())
        if selected is not None:
            return selected.id
        for kind in kinds:
            for seg in plan.segments:
                if seg.kind is kind:
                    return seg.id
        return plan.segments[-1].id if plan.segments else None

    def add_clips(self, clip_ids: list[int], plan_id: int | None = None) -> ClassPlan | None:
        """Add library moves to a plan (its patterns segment) and show it."""
        plan = self._target_plan(plan_id)
        if not plan.segments:
            self.editor.add_segment(SegmentKind.PATTERN)
            plan = self.editor.plan or plan
        self.editor.add_clips([int(c) for c in clip_ids],
                              self._segment_for(plan, (SegmentKind.PATTERN, SegmentKind.TECHNIQUE)))
        n = len(clip_ids)
        self._announce(f"Added {n} {'move' if n == 1 else 'moves'} to “{plan.title}”")
        return self.editor.plan

    def add_choreography(self, doc_id: int, plan_id: int | None = None) -> ClassPlan | None:
        """Add a saved choreography to a plan (its choreography or practice segment) and show it."""
        plan = self._target_plan(plan_id)
        if not plan.segments:
            self.editor.add_segment(SegmentKind.CHOREOGRAPHY)
            plan = self.editor.plan or plan
        item = self.editor._item_for_choreography(int(doc_id))
        seg_id = self._segment_for(plan, (SegmentKind.CHOREOGRAPHY, SegmentKind.PRACTICE))
        if item is None or seg_id is None:
            self.ctx.navigator.status.emit("That choreography is no longer saved.")
            return self.editor.plan
        self.editor.apply(plan.add_item(seg_id, item), f"Add {item.title}")
        self._announce(f"Added “{item.title}” to “{plan.title}”")
        return self.editor.plan

    def _announce(self, text: str) -> None:
        self.ctx.navigator.show_area.emit("plans")
        self.ctx.navigator.status.emit(text)

    # -- files -------------------------------------------------------------------------------------
    def export_current(self, out: Path) -> Path:
        plan = self.editor.plan
        if plan is None:
            raise BachataError("Choose a plan first.")
        html = plan_service.plan_html(self.ctx.store, plan)
        if out.suffix.lower() == ".pdf":
            from bachata_desktop.ui.print_pdf import html_to_pdf

            return html_to_pdf(html, out, title=plan.title)
        plan_service.write_atomic(out, html.encode("utf-8"))
        return out

    def _export_dialog(self, kind: str) -> None:
        plan = self.editor.plan
        if plan is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, f"Export {kind.upper()}",
                                              str(Path.home() / f"{plan.title}.{kind}"),
                                              f"{kind.upper()} (*.{kind})")
        if name:
            try:
                self.export_current(Path(name))
                self.ctx.navigator.status.emit(f"Exported {name}")
            except BachataError as exc:
                QMessageBox.warning(self, "Export failed", str(exc))

    def _share_dialog(self) -> None:
        plan = self.editor.plan
        if plan is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Share plan", str(Path.home() / f"{plan.title}.bbplan"),
                                              "Bachata Buddy plan (*.bbplan)")
        if name:
            from bachata_desktop.ui.groups.panel import ask_share_group

            asked, group_id = ask_share_group(self.ctx, self)  # a class's progress too, if wanted
            if not asked:
                return
            self.editor.save_now_sync()
            try:
                plan_service.export_bundle(self.ctx.store, plan, Path(name), group_id=group_id)
                self.ctx.navigator.status.emit(f"Saved {name}")
            except BachataError as exc:
                QMessageBox.warning(self, "Share failed", str(exc))

    def _import_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Import shared plan", str(Path.home()),
                                                "Bachata Buddy plan (*.bbplan)")
        if files:
            self.import_files(files)

    def import_files(self, files: list[str]) -> list[str]:
        """Import shared plans; returns the error messages (also shown to the user)."""
        errors: list[str] = []
        last = None
        for f in files:
            try:
                result = plan_service.import_bundle(self.ctx.store, Path(f))
                last = result.plan.id
                msg = f"Imported “{result.plan.title}”: {result.clips_added} new moves"
                if result.missing_moves:
                    msg += f"; {len(result.missing_moves)} moves were not included in the file"
                if result.group:
                    msg += f"; with the progress of the class “{result.group}”"
                self.ctx.navigator.status.emit(msg)
                if result.clips_added:
                    self.ctx.navigator.library_changed.emit()
            except BachataError as exc:
                errors.append(f"{Path(f).name}: {exc}")
        if last is not None:
            self.reload(select_id=last)
        if errors:
            self._warn("Could not import", "\n".join(errors))
        return errors

    def _warn(self, title: str, text: str) -> None:
        """A non-modal warning: imports also arrive from drops, and must never block the loop."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setObjectName("importWarning")
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()

    def _recover(self) -> None:
        """Plans autosaved but not written to the database before a crash are written now."""
        recovered = plan_service.recover_autosaves(self.ctx.paths.autosave)
        for path, plan in recovered:
            if plan.id is not None and self.ctx.store.plans.get(plan.id) is None:
                plan = plan.with_(id=None)
            plan_service.save_plan(self.ctx.store, plan)
            path.unlink(missing_ok=True)
        if recovered:
            self.ctx.navigator.status.emit(f"Recovered {len(recovered)} plan(s) with unsaved changes")

    def shutdown(self) -> None:
        self.editor.shutdown()
