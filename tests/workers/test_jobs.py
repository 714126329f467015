"""Jobs report progress, deliver results and errors on the GUI thread, and can be cancelled."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThread

from bachata_desktop.core.errors import InputError
from bachata_desktop.core.task import check_cancelled


def counting(ctx, n: int, delay: float = 0.0):
    total = 0
    for i in range(n):
        check_cancelled(ctx)
        total += i
        ctx.report((i + 1) / n, f"step {i + 1} of {n}")
        if delay:
            time.sleep(delay)
    return total


def test_result_and_progress_arrive_on_gui_thread(qtbot, jobs) -> None:
    seen: list[tuple[float, str, bool]] = []
    results: list[tuple[int, bool]] = []
    gui = QThread.currentThread()
    job = jobs.submit(counting, 50, 0.005, title="count", pool="io",
                      on_progress=lambda f, m: seen.append((f, m, QThread.currentThread() is gui)),
                      on_finished=lambda r: results.append((r, QThread.currentThread() is gui)))
    qtbot.waitUntil(lambda: job.wait(0), timeout=10000)  # done, even if before we listened
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results == [(sum(range(50)), True)]
    assert seen, "no progress reported"
    assert all(on_gui for _, _, on_gui in seen)
    assert seen[-1][0] == pytest.approx(1.0)
    # throttled: 50 steps over ~0.25 s give far fewer than 50 emits
    assert len(seen) < 50


def test_cancel_stops_work_and_reports_cancelled(qtbot, jobs) -> None:
    started = threading.Event()

    def slow(ctx):
        started.set()
        for _ in range(1000):
            check_cancelled(ctx)
            time.sleep(0.01)
        return "finished anyway"

    finished: list[object] = []
    job = jobs.submit(slow, title="slow", on_finished=finished.append)
    assert started.wait(5)
    with qtbot.waitSignal(job.signals.cancelled, timeout=5000):
        jobs.cancel(job.id)
    assert job.state == "cancelled"
    assert finished == []


def test_error_reaches_gui_thread_with_clear_message(qtbot, jobs) -> None:
    def bad(ctx):
        raise InputError("song.mp3 is not an audio file")

    errors: list[str] = []
    job = jobs.submit(bad, title="analyse", on_failed=errors.append)
    qtbot.waitUntil(lambda: job.wait(0), timeout=5000)  # done, even if before we listened
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert errors == ["song.mp3 is not an audio file"]


def test_unexpected_exception_becomes_message(qtbot, jobs) -> None:
    def buggy(ctx):
        return 1 / 0

    errors: list[str] = []
    job = jobs.submit(buggy, title="Buggy task", on_failed=errors.append)
    qtbot.waitUntil(lambda: job.wait(0), timeout=5000)  # done, even if before we listened
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert errors[0].startswith("Buggy task failed: ZeroDivisionError")


def test_superseded_job_result_is_dropped(qtbot, jobs) -> None:
    results: list[str] = []
    gate = threading.Event()

    def first(ctx):
        gate.wait(5)
        return "old"

    def second(ctx):
        return "new"

    j1 = jobs.submit(first, key="thumb:1", pool="io", on_finished=results.append)
    j2 = jobs.submit(second, key="thumb:1", pool="io", on_finished=results.append)
    gate.set()
    for j in (j1, j2):
        if j.state in ("queued", "running"):
            qtbot.waitUntil(lambda j=j: j.wait(0), timeout=5000)  # done, even if before we listened
    qtbot.wait(50)
    assert results == ["new"]
    assert j1.ctx.cancelled()


def test_write_pool_runs_one_job_at_a_time(qtbot, jobs) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def write(ctx):
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02)
        with lock:
            active -= 1

    submitted = [jobs.submit(write, pool="write") for _ in range(6)]
    qtbot.waitUntil(lambda: all(j.state == "finished" for j in submitted), timeout=10000)
    assert peak == 1


def test_shutdown_cancels_and_waits(qtbot, jobs) -> None:
    started = threading.Event()

    def forever(ctx):
        started.set()
        while True:
            check_cancelled(ctx)
            time.sleep(0.01)

    job = jobs.submit(forever, pool="ml")
    assert started.wait(5)
    assert jobs.shutdown(5000)
    assert job.state == "cancelled"


def test_a_finished_job_lets_go_of_its_result_and_arguments(qtbot, jobs) -> None:
    """The pool keeps every job object it ran; a job must not keep what it carried."""
    import gc
    import weakref

    import numpy as np

    class Big:
        def __init__(self) -> None:
            self.data = np.zeros(1_000_000)

    arg = Big()
    arg_ref = weakref.ref(arg)
    got: list[weakref.ref] = []

    def make(_ctx, _arg):
        return Big()

    job = jobs.submit(make, arg, pool="io", on_finished=lambda r: got.append(weakref.ref(r)))
    del arg
    with qtbot.waitSignal(jobs.job_removed, timeout=10000):
        pass
    gc.collect()
    assert got and got[0]() is None, "the finished job still holds its result"
    assert arg_ref() is None, "the finished job still holds its arguments"
    assert job.state == "finished"


def test_every_pool_has_an_explicit_stack_and_analysis_has_its_own(jobs) -> None:
    """FFmpeg, numpy and the inference runtimes run on every pool: none may get the platform's
    default secondary-thread stack (512 KB on macOS); the analysis queue has its own pool so that
    interactive model work on ``ml`` never waits behind it."""
    assert set(jobs.pools) == {"io", "ml", "analysis", "songs", "write"}
    for name, pool in jobs.pools.items():
        assert pool.stackSize() >= 8 * 1024 * 1024, name
    assert jobs.pools["analysis"] is not jobs.pools["ml"]
    assert jobs.pools["songs"] not in (jobs.pools["ml"], jobs.pools["analysis"])
    assert jobs.pools["ml"].maxThreadCount() == 1 and jobs.pools["analysis"].maxThreadCount() == 1
