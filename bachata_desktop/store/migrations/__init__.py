"""Numbered schema migrations. Each runs in one transaction after a timestamped backup.

Append new steps; never edit a released one. ``tests/store/test_migrations.py`` builds a database at
every earlier version and migrates it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from bachata_desktop.store.migrations import m001_initial, m002_queue_priority, m003_groups

Migration = Callable[[sqlite3.Connection], None]

MIGRATIONS: list[tuple[int, Migration]] = [
    (1, m001_initial.apply),
    (2, m002_queue_priority.apply),
    (3, m003_groups.apply),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
