"""Files the OS asks the running app to open (macOS: a double-clicked ``.bbplan``).

On macOS a double-clicked document does not arrive in ``argv``: the system sends the app a
``QFileOpenEvent`` (at launch, before any window exists, or later while it runs). Without a
handler nothing happened. This filter keeps the paths that arrive before the main window is ready
and hands every path to the window's ``handle_paths`` (the same route as a drop or ``argv``).
Windows and Linux pass files on the command line, which ``__main__`` already routes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFileOpenEvent


class FileOpenRouter(QObject):
    """Application event filter: QFileOpenEvent -> ``handler([path])``, buffered until it is set."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handler: Callable[[list[Path]], None] | None = None
        self._pending: list[Path] = []

    def set_handler(self, handler: Callable[[list[Path]], None]) -> None:
        self._handler = handler
        pending, self._pending = self._pending, []
        if pending:
            handler(pending)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            name = event.file() or event.url().toLocalFile()
            if name:
                if self._handler is None:
                    self._pending.append(Path(name))
                else:
                    self._handler([Path(name)])
                return True
        return super().eventFilter(watched, event)


def install(app: QObject) -> FileOpenRouter:
    """Install (once) and return the router of ``app``."""
    router = app.findChild(FileOpenRouter)
    if router is None:
        router = FileOpenRouter(app)
        app.installEventFilter(router)
    return router
