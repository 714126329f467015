"""Named thread pools and the list of running jobs.

``io`` (4 threads) for file work and thumbnails, ``ml`` (1 thread, big stack) for interactive model
work (a query's embedding, similar moves, a song for the generator, generating), ``analysis``
(1 thread, big stack) for the library's background analysis queue, so a search never waits behind
minutes of queued clips, ``songs`` (1 thread, big stack) for songs imported in the background (a
song already analysed is a lookup and stays on ``ml``; a new song's analysis takes minutes and must
wait neither behind the clip queue nor in front of a search), and ``write`` (1 thread) as the only
writer to SQLite and the indexes.
Jobs submitted with the same ``key`` supersede each other: the older one is cancelled and its
result dropped. Every pool gets an explicit thread stack size: the platform default (512 KB for
secondary threads on macOS) is too small for FFmpeg, numpy and the inference runtimes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from bachata_desktop.workers.job import Job

log = logging.getLogger(__name__)

POOL_SIZES = {"io": 4, "ml": 1, "analysis": 1, "songs": 1, "write": 1}
ML_STACK_SIZE = 16 * 1024 * 1024  # torch/openvino need more than the default pool thread stack
STACK_SIZES = {"io": 8 * 1024 * 1024, "ml": ML_STACK_SIZE, "analysis": ML_STACK_SIZE,
               "songs": ML_STACK_SIZE, "write": 8 * 1024 * 1024}


class _Relay(QObject):
    """Lives on the GUI thread, so signals from a pool thread reach it as queued calls.

    (A plain Python callable connected to a signal would run on the emitting thread.)
    """

    def __init__(self, manager: JobManager, job: Job, callbacks: dict[str, Any]) -> None:
        super().__init__(manager)
        self.manager, self.job, self.cb = manager, job, callbacks
        s = job.signals
        s.started.connect(self.on_started)
        s.progress.connect(self.on_progress)
        s.partial.connect(self.on_partial)
        s.finished.connect(self.on_finished)
        s.failed.connect(self.on_failed)
        s.cancelled.connect(self.on_cancelled)
        s.done.connect(self.on_done)

    def _current(self) -> bool:
        key = self.job.key
        return key is None or self.manager._by_key.get(key) is self.job

    @Slot()
    def on_started(self) -> None:
        self.manager.job_started.emit(self.job)

    @Slot(float, str)
    def on_progress(self, fraction: float, message: str) -> None:
        if cb := self.cb.get("progress"):
            cb(fraction, message)
        self.manager.job_changed.emit(self.job)

    @Slot(object)
    def on_partial(self, obj: Any) -> None:
        if (cb := self.cb.get("partial")) and self._current():
            cb(obj)

    @Slot(object)
    def on_finished(self, result: Any) -> None:
        if (cb := self.cb.get("finished")) and self._current():
            cb(result)

    @Slot(str)
    def on_failed(self, error: str) -> None:
        if (cb := self.cb.get("failed")) and self._current():
            cb(error)

    @Slot()
    def on_cancelled(self) -> None:
        if cb := self.cb.get("cancelled"):
            cb()

    @Slot()
    def on_done(self) -> None:
        self.manager._on_job_done(self.job)
        self.deleteLater()


class JobManager(QObject):
    job_added = Signal(object)
    job_started = Signal(object)   # left its pool's queue (tests measure waiting by this event)
    job_changed = Signal(object)
    job_removed = Signal(object)

    def __init__(self, pools: dict[str, QThreadPool] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if pools is None:
            pools = {}
            for name, size in POOL_SIZES.items():
                pool = QThreadPool(self)
                pool.setObjectName(f"{name}_pool")
                pool.setMaxThreadCount(size)
                pool.setStackSize(STACK_SIZES[name])
                pools[name] = pool
        self.pools = pools
        self.jobs: dict[int, Job] = {}
        self._by_key: dict[str, Job] = {}

    def submit(self, fn: Callable[..., Any], *args: Any, title: str = "", pool: str = "io",
               key: str | None = None, visible: bool = True,
               on_finished: Callable[[Any], None] | None = None,
               on_failed: Callable[[str], None] | None = None,
               on_progress: Callable[[float, str], None] | None = None,
               on_partial: Callable[[Any], None] | None = None,
               on_cancelled: Callable[[], None] | None = None, **kwargs: Any) -> Job:
        """Run ``fn(ctx, *args, **kwargs)`` on ``pool``; callbacks run on the GUI thread."""
        job = Job(fn, *args, title=title, pool_name=pool, key=key, **kwargs)
        job.visible = visible  # type: ignore[attr-defined]
        if key is not None:
            old = self._by_key.get(key)
            if old is not None and old.state in ("queued", "running"):
                old.cancel()
            self._by_key[key] = job

        # Results of a job superseded by a newer one with the same key are dropped by the relay.
        job.relay = _Relay(self, job, {  # type: ignore[attr-defined]
            "finished": on_finished, "failed": on_failed, "progress": on_progress,
            "partial": on_partial, "cancelled": on_cancelled})
        self.jobs[job.id] = job
        if visible:
            self.job_added.emit(job)
        self.pools[pool].start(job)
        return job

    def _on_job_done(self, job: Job) -> None:
        # the relay delivered finished/failed before done (same queue): nothing reads these now
        job.release()
        job.relay = None  # type: ignore[attr-defined]
        self.jobs.pop(job.id, None)
        if job.key is not None and self._by_key.get(job.key) is job:
            self._by_key.pop(job.key, None)
        self.job_removed.emit(job)

    def active(self) -> list[Job]:
        return [j for j in self.jobs.values() if j.state in ("queued", "running")]

    def cancel(self, job_id: int) -> None:
        job = self.jobs.get(job_id)
        if job is not None:
            job.cancel()

    def cancel_all(self) -> None:
        for job in list(self.jobs.values()):
            job.cancel()

    def shutdown(self, timeout_ms: int = 5000, others_ms: int | None = None) -> bool:
        """Cancel everything and wait for the pools; True when all stopped in time.

        ``others_ms``: how long to wait for the pools other than ``write`` (default
        ``timeout_ms``). Quitting waits the full time only for the writer, whose work must land;
        a model load or a frame batch on ``ml`` cannot be interrupted and is not worth waiting for.
        """
        self.cancel_all()
        for pool in self.pools.values():
            pool.clear()  # queued jobs that never started
        ok = True
        deadline = time.monotonic() + (others_ms if others_ms is not None else timeout_ms) / 1000
        for name, pool in self.pools.items():
            if name == "write" or others_ms is None:
                wait = timeout_ms
            else:  # one shared budget for all the other pools, not one each
                wait = max(0, int((deadline - time.monotonic()) * 1000))
            ok = pool.waitForDone(wait) and ok
        return ok
