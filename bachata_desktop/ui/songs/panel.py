"""The songs area (placeholder until the Songs view lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.widgets.empty_state import EmptyState


class SongsPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.addWidget(EmptyState("Songs", "Drop a song here to see its tempo, beats and 8-counts."))
