"""Why a move was chosen, and what else would fit: the score terms and the ranked alternatives.

An instructor trusts a generated routine only if each choice can be explained and changed. This
widget shows the selected slot's score terms in plain words (positive terms helped, negative ones
cost), the raw similarities to the request per modality, and the next-best moves for the same
phrases with a one-click "Swap" (the panel runs the swap; the other moves stay unless the
instructor ticks "Re-optimise the rest").
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.core.choreography import Alternative, Slot
from bachata_desktop.core.clip import category_label
from bachata_desktop.ui.wizard.timeline import category_icon

# Score term -> what it means to an instructor (terms not listed are shown by their key).
TERM_LABELS: dict[str, str] = {
    "fit": "Fits the request", "energy": "Energy vs. the music", "level": "Level",
    "peak": "Difficulty vs. section", "style": "Style", "role": "Role focus",
    "include": "Requested family", "position": "Place in the song (opening / ending)",
    "shortened": "Cut to fit the phrase", "noise": "Variety (seed)",
    "transition_in": "Transition from the previous move", "hold_in": "Hold from the previous move",
    "transition_out": "Transition into the next move", "hold_out": "Hold into the next move",
    "repetition": "Repetition", "total": "Total score",
}
SIMILARITY_LABELS: dict[str, str] = {
    "sim_text": "text", "sim_audio": "music", "sim_lead": "lead pose",
    "sim_follow": "follow pose", "sim_interaction": "interaction", "similarity": "fused",
}


def term_rows(reasons: Mapping[str, float]) -> list[tuple[str, float]]:
    """The score terms worth showing, biggest effect first, the total last."""
    rows = [(TERM_LABELS.get(k, k.replace("_", " ").capitalize()), float(v))
            for k, v in reasons.items()
            if k not in SIMILARITY_LABELS and k != "total" and abs(float(v)) >= 0.005]
    rows.sort(key=lambda r: -abs(r[1]))
    if "total" in reasons:
        rows.append((TERM_LABELS["total"], float(reasons["total"])))
    return rows


def similarity_text(reasons: Mapping[str, float]) -> str:
    parts = [f"{SIMILARITY_LABELS[k]} {float(v):+.2f}" for k, v in reasons.items()
             if k in SIMILARITY_LABELS]
    return "Similarity to the request: " + ", ".join(parts) if parts else ""


class SlotDetail(QWidget):
    """The selected move: its reasons and its alternatives, each with a Swap button."""

    swap_requested = Signal(int, int)       # slot index, clip id
    play_clip_requested = Signal(int)       # clip id
    notes_requested = Signal(int)           # clip id: suggest teaching notes

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slot_index = -1
        self.slot: Slot | None = None
        self.swap_enabled = True
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        self.title = QLabel("Click a move on the timeline to see why it was chosen.")
        self.title.setWordWrap(True)
        self.title.setObjectName("slotTitle")
        self.title.setStyleSheet("font-weight: 600; font-size: 14px;")
        self.subtitle = QLabel("")
        self.subtitle.setWordWrap(True)
        self.play_btn = QPushButton("Play this move")
        self.play_btn.setEnabled(False)
        self.play_btn.clicked.connect(self._play)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.play_btn)
        lay.addLayout(head)
        lay.addWidget(self.subtitle)

        cols = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(_caption("Why this move"))
        self.reasons = QTableWidget(0, 2)
        self.reasons.setHorizontalHeaderLabels(["Term", "Score"])
        _table_setup(self.reasons)
        left.addWidget(self.reasons, 1)
        self.similarity = QLabel("")
        self.similarity.setWordWrap(True)
        self.similarity.setStyleSheet("color: #8a8f98;")
        # two lines reserved: a squeezed layout otherwise drew the table's edge over the wrapped text
        self.similarity.setMinimumHeight(2 * self.similarity.fontMetrics().lineSpacing() + 4)
        left.addWidget(self.similarity)

        right.addWidget(_caption("Alternatives for these counts"))
        self.alternatives = QTableWidget(0, 3)
        self.alternatives.setHorizontalHeaderLabels(["Move", "Score", ""])
        _table_setup(self.alternatives)
        right.addWidget(self.alternatives, 1)
        self.hint = QLabel("Swap puts that move here; the other moves stay as they are.")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #8a8f98;")
        right.addWidget(self.hint)
        self.reoptimise = QCheckBox("Re-optimise the rest around it")
        self.reoptimise.setToolTip("Also let the generator change the neighbouring moves so they "
                                   "flow into and out of the new one")
        self.reoptimise.toggled.connect(lambda on: self.hint.setText(
            "Swap puts that move here and re-arranges the rest around it." if on else
            "Swap puts that move here; the other moves stay as they are."))
        right.addWidget(self.reoptimise)
        cols.addLayout(left, 1)
        cols.addLayout(right, 1)
        lay.addLayout(cols, 1)

        notes_row = QHBoxLayout()
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes_btn = QPushButton("Suggest teaching notes")
        self.notes_btn.setToolTip("Gemini when online and set up, else notes from the move family")
        self.notes_btn.setEnabled(False)
        self.notes_btn.clicked.connect(self._ask_notes)
        self.notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidget(self.notes)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMaximumHeight(64)
        notes_row.addWidget(scroll, 1)
        notes_row.addWidget(self.notes_btn, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(notes_row)

    def set_slot(self, index: int, slot: Slot | None) -> None:
        self.slot_index, self.slot = index, slot
        self.reasons.setRowCount(0)
        self.alternatives.setRowCount(0)
        self.play_btn.setEnabled(slot is not None)
        self.notes_btn.setEnabled(slot is not None)
        self.notes.setText("")
        if slot is None:
            self.title.setText("Click a move on the timeline to see why it was chosen.")
            self.subtitle.setText("")
            self.similarity.setText("")
            return
        self.title.setText(f"{index + 1}. {slot.name}")
        rep = " (danced twice)" if slot.repeats > 1 else ""
        pin = " · kept by you" if slot.pinned else ""
        m0, s0 = divmod(slot.start, 60)
        self.subtitle.setText(f"{category_label(slot.category)} · {slot.counts} counts{rep} · "
                              f"from {int(m0)}:{s0:04.1f}"
                              + (f" · {slot.section}" if slot.section else "") + pin)
        for label, value in term_rows(slot.reasons):
            r = self.reasons.rowCount()
            self.reasons.insertRow(r)
            self.reasons.setItem(r, 0, QTableWidgetItem(label))
            item = QTableWidgetItem(f"{value:+.2f}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if label != TERM_LABELS["total"]:
                item.setForeground(QColor(102, 187, 106) if value > 0 else QColor(239, 83, 80))
            self.reasons.setItem(r, 1, item)
        self.similarity.setText(similarity_text(slot.reasons))
        for alt in slot.alternatives:
            self._add_alternative(alt)

    def set_swap_enabled(self, enabled: bool, why: str = "") -> None:
        self.swap_enabled = enabled
        for r in range(self.alternatives.rowCount()):
            btn = self.alternatives.cellWidget(r, 2)
            if isinstance(btn, QPushButton):
                btn.setEnabled(enabled)
                btn.setToolTip(why if not enabled else "Use this move here")

    def swap_button(self, row: int) -> QPushButton:
        btn = self.alternatives.cellWidget(row, 2)
        assert isinstance(btn, QPushButton)
        return btn

    def _add_alternative(self, alt: Alternative) -> None:
        r = self.alternatives.rowCount()
        self.alternatives.insertRow(r)
        name = QTableWidgetItem(category_icon(alt.category),
                                f"{alt.name or alt.clip_id} · {category_label(alt.category)}")
        terms = term_rows(alt.reasons)[:4]
        name.setToolTip("\n".join(f"{k}: {v:+.2f}" for k, v in terms))
        self.alternatives.setItem(r, 0, name)
        score = QTableWidgetItem(f"{alt.score:+.2f}")
        score.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.alternatives.setItem(r, 1, score)
        btn = QPushButton("Swap")
        btn.setEnabled(self.swap_enabled)
        btn.setToolTip("Use this move here")
        btn.clicked.connect(lambda _=False, cid=alt.clip_id: self.swap_requested.emit(
            self.slot_index, cid))
        self.alternatives.setCellWidget(r, 2, btn)

    def set_teaching_notes(self, clip_id: int, text: str, source: str = "") -> None:
        """Show notes for the selected move (ignored if the selection moved on)."""
        if self.slot is None or self.slot.clip_id != clip_id:
            return
        body = "<br>".join(html.escape(line.strip()) for line in text.splitlines() if line.strip())
        head = f"<b>Teaching notes</b> <span style='color:#8a8f98'>({html.escape(source)})</span>" \
            if source else "<b>Teaching notes</b>"
        self.notes.setText(f"{head}<br>{body}")

    def _ask_notes(self) -> None:
        if self.slot is not None:
            self.notes.setText("<i>Writing teaching notes…</i>")
            self.notes_requested.emit(self.slot.clip_id)

    def _play(self) -> None:
        if self.slot is not None:
            self.play_clip_requested.emit(self.slot.clip_id)


def _caption(text: str) -> QLabel:
    lab = QLabel(text.upper())
    lab.setStyleSheet("color: #8a8f98; font-size: 11px; font-weight: 600; margin-top: 6px;")
    return lab


def _table_setup(table: QTableWidget) -> None:
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(26)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.setShowGrid(False)
    table.setMinimumHeight(96)     # header + 2.5 rows; it scrolls: a 720 px screen has no room for 130
    hh = table.horizontalHeader()
    hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for c in range(1, table.columnCount()):
        hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
