"""The player area (placeholder until the loop-point player lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from bachata_desktop.ui.context import AppContext
from bachata_desktop.ui.widgets.empty_state import EmptyState


class PlayerPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.addWidget(EmptyState("Player", "Double-click a move to practise it here."))

    def open_clip(self, clip_id: int) -> None:
        pass

    def open_media(self, path: str, grid: object = None) -> None:
        pass
