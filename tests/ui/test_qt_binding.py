"""Guard against Qt binding builds that corrupt Python's reference counts.

PySide6 6.12.0 on CPython 3.11 dropped one reference to ``None`` on every void Qt call; after a few
thousand calls (scrolling the library grid) the interpreter aborted. pyproject pins it out; this
test fails loudly if such a build is installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget


def test_void_qt_calls_keep_none_refcount(qapp) -> None:
    w = QWidget()
    o = QObject()
    before = sys.getrefcount(None)
    for _ in range(2000):
        w.update()
        o.setObjectName("x")
    after = sys.getrefcount(None)
    assert after - before > -100, f"None lost {before - after} references in 4000 void Qt calls"
