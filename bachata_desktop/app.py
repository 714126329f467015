"""Composition root: builds the store, indexes, job pools and the main window, then runs Qt."""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from bachata_desktop import APP_NAME, ORG_NAME, __version__
from bachata_desktop.core.errors import BachataError
from bachata_desktop.paths import AppPaths, resource
from bachata_desktop.store import Store
from bachata_desktop.store.indexes import IndexSet
from bachata_desktop.store.settings import load_settings
from bachata_desktop.ui.context import AppContext, Navigator
from bachata_desktop.workers.manager import JobManager

if TYPE_CHECKING:
    from bachata_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def setup_logging(paths: AppPaths) -> None:
    try:
        paths.logs.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            paths.logs / "bachata-buddy.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def build_context(paths: AppPaths) -> AppContext:
    store = Store.open(paths)
    if store.db.read_only:
        from bachata_desktop import recovery

        recovery.NOTES.append(f"the library at {paths.data} is read-only: you can browse it, but "
                              "changes cannot be saved")
    else:
        store.queue.requeue_interrupted()  # analysis that was running when the app last stopped
    indexes = IndexSet(paths.indexes, store.embeddings)
    return AppContext(paths=paths, store=store, indexes=indexes, jobs=JobManager(),
                      navigator=Navigator(), settings=load_settings(paths.settings_file))


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    icon = resource("icons", "app.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    qss = resource("style.qss")
    if qss.exists():
        app.setStyleSheet(qss.read_text("utf-8"))
    return app  # type: ignore[return-value]


def create_main_window(paths: AppPaths) -> tuple[MainWindow, AppContext]:
    from bachata_desktop.ui.main_window import MainWindow

    ctx = build_context(paths)
    window = MainWindow(ctx)
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(lambda: shutdown(ctx))
    return window, ctx


QUIT_WAIT_MS = 300  # how long quitting waits for analysis / file jobs after cancelling them


def shutdown(ctx: AppContext, timeout_ms: int = 5000) -> bool:
    """Cancel all jobs, wait for the writer (and briefly for the rest), close the database.

    True when every pool stopped in time. A job still running (a model being loaded cannot be
    interrupted) is left to die with the process: the analysis queue is persistent and resumes
    at the next start, and SQLite keeps a cut transaction out of the database.
    """
    stopped = ctx.jobs.shutdown(timeout_ms, others_ms=QUIT_WAIT_MS)
    ctx.store.close()
    return stopped


def run(paths: AppPaths, open_paths: list[Path] | None = None, quit_after_ms: int | None = None) -> int:
    setup_logging(paths)
    app = make_application()
    from bachata_desktop.ui import file_open

    router = file_open.install(app)  # macOS: a double-clicked .bbplan arrives as QFileOpenEvent
    try:
        window, ctx = create_main_window(paths)
    except BachataError as exc:
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 2
    window.show()
    _show_recovery_notes(window)
    router.set_handler(window.handle_paths)
    if os.environ.get("BACHATA_STARTUP_PROBE"):
        _install_startup_probe(app, window)
    if open_paths:
        QTimer.singleShot(0, lambda: window.handle_paths(open_paths))
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, window.close)
    rc = app.exec()
    shutdown_now(rc)
    return rc  # not reached


def shutdown_now(rc: int) -> None:
    """End the process as soon as the window's work is saved (it was, in aboutToQuit).

    Waiting for the interpreter to tear down the ML stacks and for uncancellable native threads
    took 5-9 s after the window closed; everything that matters is on disk by now.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)


def _show_recovery_notes(window: MainWindow) -> None:
    """Say what start-up put right after an interrupted restore or import (never silently),
    or that the library is read-only."""
    from bachata_desktop import recovery

    notes = list(recovery.NOTES)
    recovery.NOTES.clear()
    if not notes:
        return
    for n in notes:
        log.warning("start-up: %s", n)
    box = QMessageBox(QMessageBox.Icon.Information, APP_NAME,
                      "Bachata Buddy noticed this when it started:\n\n"
                      + "\n".join(f"• {n[0].upper()}{n[1:]}." for n in notes), parent=window)
    box.setModal(False)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()


def _install_startup_probe(app: QApplication, window: MainWindow) -> None:
    """Benchmarks: print when the window is on screen and the idle resident memory, then quit."""

    def shown() -> None:
        print(json.dumps({"event": "shown", "time": time.time()}), flush=True)
        QTimer.singleShot(2000, idle)

    def idle() -> None:
        import psutil

        rss = psutil.Process().memory_info().rss
        print(json.dumps({"event": "idle", "rss_mb": rss / 2**20}), flush=True)
        window.close()

    QTimer.singleShot(0, shown)
