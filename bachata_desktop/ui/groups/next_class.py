"""The "Next class" tab: what to teach a group next, and one click to a class plan draft."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.clip import Clip, move_title
from bachata_desktop.core.errors import BachataError
from bachata_desktop.core.groups import Group
from bachata_desktop.core.suggest import Suggestions, token_label
from bachata_desktop.services import groups as group_service
from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.groups.models import SuggestionTableModel


class NextClassView(QWidget):
    plan_drafted = Signal(int)   # the id of the new class plan

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.group_id: int | None = None
        self.current: Suggestions | None = None
        self._stale = False
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        top.addWidget(self.intro, 1)
        top.addWidget(QLabel("Review moves not taught for"))
        self.weeks = QSpinBox()
        self.weeks.setRange(1, 52)
        self.weeks.setValue(3)
        self.weeks.setSuffix(" weeks")
        self.weeks.valueChanged.connect(lambda _v: self.refresh())
        top.addWidget(self.weeks)
        lay.addLayout(top)
        self.model = SuggestionTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        lay.addWidget(self.table, 1)
        self.waiting = QLabel()
        self.waiting.setObjectName("emptyText")
        self.waiting.setWordWrap(True)
        self.waiting.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.waiting)
        row = QHBoxLayout()
        row.addStretch(1)
        self.draft_button = QPushButton("Put into a new class plan")
        self.draft_button.setObjectName("primary")
        self.draft_button.setToolTip("A new plan with the checked moves: review first, then new moves")
        self.draft_button.clicked.connect(self.make_draft)
        row.addWidget(self.draft_button)
        lay.addLayout(row)

    def set_group(self, group_id: int | None) -> None:
        self.group_id = group_id
        self.refresh()

    def refresh(self) -> None:
        """Work the suggestions out on the I/O pool (a large library takes a moment); the tab
        shows them when they arrive, and a newer request supersedes an older one."""
        self.current = None
        self.model.set_rows([], {})
        self.waiting.setText("")
        self.draft_button.setEnabled(False)
        if self.group_id is None:
            self.intro.setText("")
            return
        if not self.isVisible():
            self._stale = True   # worked out when the tab is shown
            return
        self._stale = False
        self.intro.setText("Working out what to teach next…")
        store, gid, weeks = self.ctx.store, self.group_id, self.weeks.value()

        def work(_ctx: object) -> tuple[int, Group, Suggestions, dict[int, Clip]]:
            g = group_service.get_group(store, gid)
            sug = group_service.suggestions(store, gid, review_weeks=weeks)
            named = [s.clip_id for s in sug.all()] + [c for c, _ in sug.waiting[:8]]
            named += [int(t[5:]) for _c, need in sug.waiting[:8] for t in need if t.startswith("clip:")]
            return gid, g, sug, store.clips.get_many(named)

        self.ctx.jobs.submit(work, title="Suggesting the next class", pool="io", key="next-class",
                             visible=False, on_finished=self._on_suggestions_ready,
                             on_failed=self.intro.setText)

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_suggestions_ready(self, result: tuple[int, Group, Suggestions, dict[int, Clip]]) -> None:
        gid, g, sug, clips = result
        if gid != self.group_id:
            return  # the instructor moved on to another group meanwhile
        self.current = sug
        self.model.set_rows(self.current.all(), clips)
        n_new, n_rev = len(self.current.new), len(self.current.review)
        self.intro.setText(f"For <b>{g.name}</b> ({g.level.value}): {n_new} new move"
                           f"{'s' if n_new != 1 else ''} it is ready for and {n_rev} to review.")
        if self.current.waiting:
            bits = [f"{move_title(clips[c].name)} (needs {', '.join(token_label(t, clips) for t in need)})"
                    for c, need in self.current.waiting[:8] if c in clips]
            more = len(self.current.waiting) - len(bits)
            self.waiting.setText("Waiting for prerequisites: " + "; ".join(bits)
                                 + (f"; and {more} more" if more > 0 else ""))
        else:
            self.waiting.setText("")
        self.draft_button.setEnabled(bool(self.current.all()))

    def make_draft(self) -> int | None:
        if self.group_id is None or self.current is None:
            return None
        picked = {s.clip_id for s in self.model.picked()}
        chosen = Suggestions(tuple(s for s in self.current.new if s.clip_id in picked),
                             tuple(s for s in self.current.review if s.clip_id in picked), ())
        if not chosen.all():
            QMessageBox.information(self, "Nothing checked", "Check the moves to put into the plan.")
            return None
        try:
            plan = group_service.draft_plan(self.ctx.store, self.group_id, chosen)
        except BachataError as exc:
            QMessageBox.warning(self, "Could not make the plan", str(exc))
            return None
        self.ctx.navigator.status.emit(f"New class plan “{plan.title}” with {len(chosen.all())} moves")
        self.plan_drafted.emit(plan.id or 0)
        return plan.id

    def _on_table_double_clicked(self, index) -> None:  # type: ignore[no-untyped-def]
        cid = self.model.rows[index.row()].clip_id if index.isValid() else None
        if cid is not None:
            self.ctx.navigator.open_clip.emit(cid)
