"""Make a folder truly read-only for a test: permissions for a normal user, a read-only bind
mount for root (root ignores permissions). Skips only where neither is possible."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    folder = Path(folder)
    if os.name != "posix":
        pytest.skip("read-only folders are tested on POSIX")
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for p in modes:
            p.chmod(modes[p] & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            yield
        finally:
            for p, m in modes.items():
                p.chmod(m)
        return
    ok = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if ok.returncode != 0:
        pytest.skip("running as root without permission to mount a read-only folder")
    try:
        r = subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True)
        if r.returncode != 0:
            pytest.skip("cannot remount read-only")
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
