"""Quitting waits for the writer, not for work that cannot be interrupted (a model being loaded):
the process used to linger 5-9 s after the window closed."""

from __future__ import annotations

import threading
import time


def test_quit_waits_for_the_writer_but_not_for_a_blocked_model_load(qtbot, jobs) -> None:
    loading = threading.Event()
    release = threading.Event()
    written: list[str] = []

    def model_load(_ctx) -> str:  # ignores cancel, like a native model load
        loading.set()
        release.wait(60)
        return "loaded"

    writing = threading.Event()

    def write(_ctx) -> None:
        writing.set()
        time.sleep(0.3)  # a write still going on when the window closes
        written.append("saved")

    ml = jobs.submit(model_load, title="Load the text model", pool="ml")
    jobs.submit(write, title="Save", pool="write")
    assert loading.wait(10) and writing.wait(10)  # both started (queued ones are dropped)
    watchdog = threading.Timer(10.0, release.set)  # only keeps a wrong version from hanging
    watchdog.start()
    try:
        stopped = jobs.shutdown(60_000, others_ms=0)
        still_loading = ml.state == "running"
    finally:
        release.set()
        watchdog.cancel()
    assert written == ["saved"]        # the writer's work landed before quitting went on
    assert not stopped and still_loading  # and the model load was not waited for
    ml.wait(10)
