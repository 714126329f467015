"""The class plans area (placeholder until the plan editor lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.widgets.empty_state import EmptyState


class PlansPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.addWidget(EmptyState("Class plans", "Plan this week's classes: warm-up, technique, "
                                 "patterns and choreography practice."))
