"""Work around a PySide6 6.12 reference-count bug that kills the player on CPython 3.11.

Measured here (PySide6 6.12.0, CPython 3.11.7): every call of a PySide6 method that returns
nothing (``QPainter.drawLine``, ``QTimer.stop``, ``QWidget.update`` ...) drops one reference to
``None`` without having taken it. On CPython >= 3.12 ``None`` is immortal and nothing happens; on
3.11 its count (a few thousand after start-up) reaches zero after a few seconds of video painting
and the interpreter aborts with "Fatal Python error: none_dealloc".

:func:`protect_none` detects the leak with a few harmless calls and, only if it is there, gives
``None`` a very large reference count so it can never reach zero in a session. The real fix is a
PySide6 without the bug (or CPython >= 3.12); remove this module then.
"""

from __future__ import annotations

import ctypes
import logging
import platform
import sys

from PySide6.QtCore import QTimer

log = logging.getLogger(__name__)
_applied = False
_BOOST = 1 << 40


def none_leak_per_call() -> float:
    """References to ``None`` lost per void PySide6 call (0.0 when PySide6 is well behaved)."""
    timer = QTimer()
    n = 200
    before = sys.getrefcount(None)
    for _ in range(n):
        timer.stop()
    return max(0.0, (before - sys.getrefcount(None)) / n)


def protect_none() -> bool:
    """Apply the workaround once per process if needed; True if it is (now) applied."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return False
    leak = none_leak_per_call()
    if leak < 0.5:
        return False
    ctypes.c_ssize_t.from_address(id(None)).value += _BOOST
    _applied = True
    log.warning("PySide6 drops a reference to None on each void call (%.1f per call); "
                "None's reference count raised so the app cannot abort", leak)
    return True
