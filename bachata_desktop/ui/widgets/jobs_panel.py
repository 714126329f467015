"""Running jobs with progress and a cancel button each (a dock), plus a compact status-bar button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bachata_desktop.workers.job import Job
from bachata_desktop.workers.manager import JobManager


class _JobRow(QWidget):
    def __init__(self, job: Job, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job = job
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        text = QVBoxLayout()
        self.title = QLabel(job.title)
        self.title.setObjectName("jobTitle")
        self.message = QLabel("Waiting…")
        self.message.setObjectName("jobMessage")
        text.addWidget(self.title)
        text.addWidget(self.message)
        lay.addLayout(text, 2)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        lay.addWidget(self.bar, 3)
        self.cancel = QToolButton()
        self.cancel.setText("✕")
        self.cancel.setToolTip("Cancel this task")
        self.cancel.clicked.connect(self._on_cancel_clicked)
        lay.addWidget(self.cancel)

    def refresh(self) -> None:
        self.bar.setValue(int(self.job.ctx.fraction * 1000))
        if self.job.ctx.message:
            self.message.setText(self.job.ctx.message)
        elif self.job.state == "running":
            self.message.setText("Working…")

    def _on_cancel_clicked(self) -> None:
        self.job.cancel()
        self.message.setText("Cancelling…")
        self.cancel.setEnabled(False)


class JobsPanel(QWidget):
    """Lists visible jobs of a :class:`JobManager` while they run."""

    def __init__(self, jobs: JobManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.rows: dict[int, _JobRow] = {}
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(4, 4, 4, 4)
        self.idle = QLabel("No tasks running.")
        self.idle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.idle.setObjectName("emptyText")
        self._lay.addWidget(self.idle)
        self._lay.addStretch(1)
        jobs.job_added.connect(self._on_jobs_job_added)
        jobs.job_changed.connect(self._on_jobs_job_changed)
        jobs.job_removed.connect(self._on_jobs_job_removed)

    def _on_jobs_job_added(self, job: Job) -> None:
        row = _JobRow(job, self)
        self.rows[job.id] = row
        self._lay.insertWidget(self._lay.count() - 1, row)
        self.idle.setVisible(False)

    def _on_jobs_job_changed(self, job: Job) -> None:
        row = self.rows.get(job.id)
        if row is not None:
            row.refresh()

    def _on_jobs_job_removed(self, job: Job) -> None:
        row = self.rows.pop(job.id, None)
        if row is not None:
            row.setParent(None)
            row.deleteLater()
        self.idle.setVisible(not self.rows)


class JobsButton(QPushButton):
    """Status-bar summary of running work; clicking it shows the jobs dock."""

    def __init__(self, jobs: JobManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.setFlat(True)
        self.setObjectName("jobsButton")
        self.setToolTip("Show running tasks")
        for sig in (jobs.job_added, jobs.job_changed, jobs.job_removed):
            sig.connect(self._refresh)
        self._refresh()

    def _refresh(self, *_: object) -> None:
        active = [j for j in self.jobs.jobs.values() if getattr(j, "visible", True)]
        if not active:
            self.setText("Ready")
            return
        first = active[0]
        pct = int(first.ctx.fraction * 100)
        more = f" (+{len(active) - 1} more)" if len(active) > 1 else ""
        self.setText(f"⟳ {first.title} {pct}%{more}")
