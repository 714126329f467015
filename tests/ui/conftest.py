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
