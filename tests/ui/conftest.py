from __future__ import annotations

import pytest


@pytest.fixture
def main_window(qtbot, app_paths):
    from bachata_desktop.app import build_context, make_application
    from bachata_desktop.ui.main_window import MainWindow

    make_application([])
    ctx = build_context(app_paths)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    ctx.jobs.shutdown(10000)
    ctx.store.close()


@pytest.fixture(autouse=True)
def _no_blocking_dialogs(qapp):
    """A modal dialog in a test would wait forever for a click: close it and fail the test."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    seen: list[str] = []

    def sweep() -> None:
        w = QApplication.activeModalWidget()
        if w is not None:
            seen.append(f"{type(w).__name__}: {w.windowTitle()} {getattr(w, 'text', lambda: '')()}")
            w.close()

    timer = QTimer()
    timer.setInterval(250)
    timer.timeout.connect(sweep)
    timer.start()
    yield
    timer.stop()
    assert not seen, f"the test opened a blocking dialog: {seen}"
