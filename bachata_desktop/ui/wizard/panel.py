"""The generator area (placeholder until the wizard lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.widgets.empty_state import EmptyState


class GeneratorPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.addWidget(EmptyState("Choreography generator",
                                 "Pick a song and a level to generate a choreography."))
