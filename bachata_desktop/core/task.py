"""The contract between long-running work and whoever runs it.

Analysis, import, generation and export are plain functions that take a :class:`TaskContext`. The
Qt job wrapper (``workers.job``) implements it with signals; the command line implements it by
printing to stderr; tests use :class:`RecordingContext`. The work itself never knows which.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, Protocol, runtime_checkable

from bachata_desktop.core.errors import Cancelled


@runtime_checkable
class TaskContext(Protocol):
    def report(self, fraction: float, message: str = "") -> None:
        """Progress in [0, 1] with a short human message."""

    def partial(self, obj: Any) -> None:
        """An intermediate result (e.g. one imported clip) the caller may show at once."""

    def cancelled(self) -> bool:
        """True once the user asked to stop; the work should return soon after."""


def check_cancelled(ctx: TaskContext) -> None:
    """Raise :class:`Cancelled` if ``ctx`` was cancelled (call between frames or batches)."""
    if ctx.cancelled():
        raise Cancelled()


class NullContext:
    """Runs work with no progress reporting and no cancellation."""

    def report(self, fraction: float, message: str = "") -> None:
        pass

    def partial(self, obj: Any) -> None:
        pass

    def cancelled(self) -> bool:
        return False


class RecordingContext:
    """Keeps every report and partial result; can be cancelled from another thread or after N reports."""

    def __init__(self, cancel_after_reports: int | None = None) -> None:
        self.reports: list[tuple[float, str]] = []
        self.partials: list[Any] = []
        self._cancel = threading.Event()
        self._cancel_after = cancel_after_reports

    def report(self, fraction: float, message: str = "") -> None:
        self.reports.append((float(fraction), message))
        if self._cancel_after is not None and len(self.reports) >= self._cancel_after:
            self._cancel.set()

    def partial(self, obj: Any) -> None:
        self.partials.append(obj)

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()


class StderrContext:
    """Command-line progress: one line on stderr at most every ``interval`` seconds."""

    def __init__(self, label: str = "", interval: float = 0.5, quiet: bool = False) -> None:
        self._label = label
        self._interval = interval
        self._last = 0.0
        self._quiet = quiet
        self._cancel = threading.Event()

    def report(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if self._quiet or (now - self._last < self._interval and fraction < 1.0):
            return
        self._last = now
        prefix = f"{self._label}: " if self._label else ""
        print(f"{prefix}{fraction * 100:5.1f}% {message}", file=sys.stderr, flush=True)

    def partial(self, obj: Any) -> None:
        pass

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()


class SubContext:
    """Maps a child's progress [0, 1] into [start, end] of a parent's (multi-step work)."""

    def __init__(self, parent: TaskContext, start: float, end: float, prefix: str = "") -> None:
        self._parent, self._start, self._end, self._prefix = parent, start, end, prefix

    def report(self, fraction: float, message: str = "") -> None:
        f = self._start + (self._end - self._start) * max(0.0, min(1.0, fraction))
        msg = f"{self._prefix}{message}" if self._prefix else message
        self._parent.report(f, msg)

    def partial(self, obj: Any) -> None:
        self._parent.partial(obj)

    def cancelled(self) -> bool:
        return self._parent.cancelled()


__all__ = ["Cancelled", "NullContext", "RecordingContext", "StderrContext", "SubContext",
           "TaskContext", "check_cancelled"]
