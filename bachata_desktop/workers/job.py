"""One wrapper for all long work: a plain function run on a pool, reported through signals.

The function gets a :class:`JobContext` (the ``core.task.TaskContext`` protocol). Its signals live
on a ``JobSignals`` QObject created on the GUI thread, so every slot connected to them runs on the
GUI thread (queued connection). Progress is throttled to one emit per 100 ms.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

from bachata_desktop.core.errors import BachataError, Cancelled

log = logging.getLogger(__name__)
_ids = itertools.count(1)


def _released(*_args: Any, **_kwargs: Any) -> None:
    raise RuntimeError("this job already ran")


class JobSignals(QObject):
    started = Signal()  # the job left its pool's queue and runs now
    progress = Signal(float, str)
    partial = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()  # after any of finished / failed / cancelled


class JobContext:
    """What the work sees: report progress, hand out partial results, ask whether to stop."""

    PROGRESS_INTERVAL = 0.1

    def __init__(self, signals: JobSignals) -> None:
        self._signals = signals
        self._cancel = threading.Event()
        self._last = 0.0
        self.fraction = 0.0
        self.message = ""

    def report(self, fraction: float, message: str = "") -> None:
        self.fraction, self.message = max(0.0, min(1.0, float(fraction))), message
        now = time.monotonic()
        if now - self._last >= self.PROGRESS_INTERVAL or self.fraction >= 1.0:
            self._last = now
            self._signals.progress.emit(self.fraction, message)

    def partial(self, obj: Any) -> None:
        self._signals.partial.emit(obj)

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()


class Job(QRunnable):
    """Runs ``fn(ctx, *args, **kwargs)`` on a pool thread."""

    def __init__(self, fn: Callable[..., Any], *args: Any, title: str = "", pool_name: str = "io",
                 key: str | None = None, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the manager keeps it until done; Python owns the lifetime
        self.id = next(_ids)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.title = title or getattr(fn, "__name__", "job")
        self.pool_name = pool_name
        self.key = key
        self.signals = JobSignals()
        self.ctx = JobContext(self.signals)
        self.state = "queued"  # queued, running, finished, failed, cancelled
        self.error = ""
        self.result: Any = None
        self._done_event = threading.Event()

    def cancel(self) -> None:
        self.ctx.cancel()

    def release(self) -> None:
        """Drop the work's inputs and result once they were delivered (GUI thread, after done).

        The pool's Python wrapper keeps every runnable it ran; without this each finished job
        kept its arguments and its result (a thumbnail, a song's analysis, a ranking) for the
        rest of the session."""
        self.fn, self.args, self.kwargs, self.result = _released, (), {}, None

    def wait(self, timeout: float | None = None) -> bool:
        return self._done_event.wait(timeout)

    def run(self) -> None:  # called on a pool thread
        if self.ctx.cancelled():
            self._finish("cancelled")
            return
        self.state = "running"
        try:
            self.signals.started.emit()
        except RuntimeError:
            pass  # deleted during shutdown
        try:
            result = self.fn(self.ctx, *self.args, **self.kwargs)
        except Cancelled:
            self._finish("cancelled")
        except BachataError as exc:
            self.error = str(exc)
            self._finish("failed")
        except MemoryError:
            self.error = "Not enough memory to finish this task."
            self._finish("failed")
        except Exception as exc:  # an unexpected bug: the user gets a message, the log the trace
            log.error("job %s failed:\n%s", self.title, traceback.format_exc())
            self.error = f"{self.title} failed: {type(exc).__name__}: {exc}"
            self._finish("failed")
        else:
            if self.ctx.cancelled():
                self._finish("cancelled")
            else:
                self.result = result
                self._finish("finished")

    def _finish(self, state: str) -> None:
        self.state = state
        try:
            if state == "finished":
                self.signals.finished.emit(self.result)
            elif state == "failed":
                self.signals.failed.emit(self.error)
            else:
                self.signals.cancelled.emit()
            self.signals.done.emit()
        except RuntimeError:
            pass  # the signals object was deleted during shutdown; nobody is listening
        finally:
            self._done_event.set()
