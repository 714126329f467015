"""Switch areas while dragging: hovering a dragged move over a sidebar entry opens that area.

Moves and choreographies are dragged from one area (the library, the collections) onto a class
plan in another; the plan is not on screen when the drag starts. Like a tab bar with
``changeCurrentOnDrag``, a list of areas switches to the entry under the cursor after a short
hover, so the drag can continue onto the page that appears.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QDragMoveEvent
from PySide6.QtWidgets import QListWidget

HOVER_MS = 350  # like a spring-loaded folder: long enough not to switch when just passing over


class DragHoverSwitcher(QObject):
    """Event filter on a ``QListWidget``'s viewport: a drag resting on a row makes it current."""

    def __init__(self, nav: QListWidget, mime_types: Iterable[str]) -> None:
        super().__init__(nav)
        self.nav = nav
        self.mime_types = tuple(mime_types)
        self._row = -1
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(HOVER_MS)
        self._timer.timeout.connect(self._switch)
        nav.setAcceptDrops(True)
        nav.viewport().setAcceptDrops(True)
        nav.viewport().installEventFilter(self)

    def _ours(self, event: QDragMoveEvent) -> bool:
        mime = event.mimeData()
        return any(mime.hasFormat(t) for t in self.mime_types)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragMoveEvent)
            if not self._ours(event):
                return False
            row = self.nav.indexAt(event.position().toPoint()).row()
            if row != self._row:
                self._row = row
                self._timer.start()
            # accepted so the drag keeps reporting moves here; a drop on the list does nothing
            event.acceptProposedAction()
            return True
        if kind in (QEvent.Type.DragLeave, QEvent.Type.Drop):
            self._timer.stop()
            self._row = -1
            if kind == QEvent.Type.Drop:
                event.ignore()
                return True
        return False

    def _switch(self) -> None:
        if self._row >= 0 and self._row != self.nav.currentRow():
            self.nav.setCurrentRow(self._row)
