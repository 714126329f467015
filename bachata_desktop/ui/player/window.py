"""A top-level window the video can be moved into: on a second screen or full screen for a class."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget


class DetachedWindow(QWidget):
    """Holds the video view while detached; closing it hands the view back to the panel."""

    closed = Signal()
    full_screen_left = Signal()   # back from full screen (Esc or F)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(title)
        self.resize(960, 540)
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.setStyleSheet("background: #111114;")

    def hold(self, view: QWidget) -> None:
        self.lay.addWidget(view)
        view.show()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
            self.full_screen_left.emit()
        else:
            self.showFullScreen()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.showNormal()
            self.full_screen_left.emit()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.closed.emit()
        super().closeEvent(event)
