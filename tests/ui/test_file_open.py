"""macOS opens a double-clicked .bbplan by sending the app a QFileOpenEvent: it must reach the
main window's file routing, also when it arrives before the window exists."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from bachata_desktop.ui import file_open


def test_open_events_before_and_after_the_window_reach_the_plans_area(main_window, tmp_path):
    app = QApplication.instance()
    early, late = tmp_path / "early.bbplan", tmp_path / "late.bbplan"
    for p in (early, late):
        p.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip: the import will refuse it
    router = file_open.FileOpenRouter(app)
    app.installEventFilter(router)
    try:
        emitted: list[list[str]] = []
        main_window.ctx.navigator.import_plans.connect(emitted.append)
        assert QCoreApplication.sendEvent(app, QFileOpenEvent(str(early)))  # consumed, kept
        assert emitted == []
        router.set_handler(main_window.handle_paths)  # the window is ready: the early one goes
        assert emitted == [[str(early)]]
        assert QCoreApplication.sendEvent(app, QFileOpenEvent(str(late)))
        assert emitted == [[str(early)], [str(late)]]
        # The plans area tried both (an empty zip is refused, in a non-modal warning naming it).
        warnings = [w.text() for w in main_window.findChildren(QMessageBox, "importWarning")]
        assert any("early.bbplan" in t for t in warnings) and any("late.bbplan" in t for t in warnings)
    finally:
        app.removeEventFilter(router)
        router.deleteLater()


def test_install_is_idempotent(qapp):
    first = file_open.install(qapp)
    assert file_open.install(qapp) is first
    qapp.removeEventFilter(first)
    first.setParent(None)
    first.deleteLater()
