"""Tell the instructor when a long job ends while they look elsewhere: a tray message where the
desktop has a tray, the taskbar entry asks for attention, and the status bar says it."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QMainWindow, QSystemTrayIcon

LONG_JOB_S = 20.0  # shorter jobs end while the instructor is still looking at them


class JobNotifier(QObject):
    """Watches the job manager; a visible job that ran at least ``long_s`` seconds is announced."""

    def __init__(self, window: QMainWindow, jobs: QObject, long_s: float = LONG_JOB_S) -> None:
        super().__init__(window)
        self.window, self.long_s = window, long_s
        self.started: dict[int, float] = {}
        self.sent: list[str] = []          # what was announced (tests and the log read it)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(window.windowIcon(), self)
        jobs.job_added.connect(self._on_added)
        jobs.job_removed.connect(self._on_removed)

    def _on_added(self, job: object) -> None:
        self.started[int(getattr(job, "id", 0))] = time.monotonic()

    def _on_removed(self, job: object) -> None:
        t0 = self.started.pop(int(getattr(job, "id", 0)), None)
        if t0 is None or not getattr(job, "visible", True):
            return
        if time.monotonic() - t0 < self.long_s:
            return
        state = getattr(job, "state", "")
        if state == "cancelled":
            return
        title = getattr(job, "title", "Task")
        text = f"{title}: done" if state == "finished" else f"{title}: failed — {getattr(job, 'error', '')}"
        self.notify(text)

    def notify(self, text: str) -> None:
        self.sent.append(text)
        self.window.statusBar().showMessage(text, 15000)
        QApplication.alert(self.window)
        if self.tray is not None and not self.window.isActiveWindow():
            self.tray.show()
            self.tray.showMessage(self.window.windowTitle(), text)


__all__ = ["LONG_JOB_S", "JobNotifier"]
