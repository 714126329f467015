"""The move library area (placeholder until the library browser lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.widgets.empty_state import EmptyState


class LibraryPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.addWidget(EmptyState("Your move library",
                                 "Drag video clips or a whole folder of moves onto this window to "
                                 "import them."))
