"""What a killed restore or import left behind, put right (or reported) when the library opens.

A restore extracts into ``.<data>-restore-<pid>-<id>`` beside the library, marks it complete
(``.restore-complete`` inside it), then swaps it in with two renames, moving the old library to
``.<data>-old-<id>``. Killed between the renames, the library folder is missing: the next start
finishes the restore when the staging folder is complete, else puts the old library back; it never
silently creates an empty library next to the user's data. Staging folders of processes that are
gone are removed, and an old library left beside a finished restore is removed only when the
restored library carries the marker (otherwise it is kept and reported).

Imports (clips and songs) write ``.import-<pid>-*.part`` files and plan imports
``.bbplan-<pid>-*.part`` folders in ``media/``; the pose analysis writes ``.kp-<pid>-*.npz`` and
``.pose-<pid>-*.part`` keypoints files in ``poses/``; those of dead processes are removed. Every action is returned as a one-line note (the
CLI prints them on stderr, the app logs them).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

RESTORE_MARK = ".restore-complete"
NOTES: list[str] = []            # this process's recovery notes, not yet shown (CLI: stderr)
_DONE: set[str] = set()
_PID = re.compile(r"^\.(?:import|bbplan|pose)-(\d+)-.*\.part$|^\.kp-(\d+)-.*\.npz$")


def restore_staging_name(data_dir: Path, pid: int, tag: str) -> Path:
    return data_dir.parent / f".{data_dir.name}-restore-{pid}-{tag}"


def aside_name(data_dir: Path, tag: str) -> Path:
    return data_dir.parent / f".{data_dir.name}-old-{tag}"


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        import psutil

        return bool(psutil.pid_exists(pid))
    except ImportError:  # pragma: no cover - psutil is a dependency
        return True      # unknown: leave the file alone


def _staging_pid(p: Path, data_dir: Path) -> int | None:
    m = re.match(rf"^\.{re.escape(data_dir.name)}-restore-(\d+)-", p.name)
    return int(m.group(1)) if m else None


def recover_once(data_dir: Path) -> None:
    """:func:`recover` the first time a process opens ``data_dir``; notes go to :data:`NOTES`."""
    key = str(Path(data_dir).resolve())
    if key in _DONE:
        return
    _DONE.add(key)
    try:
        NOTES.extend(recover(data_dir))
    except OSError as exc:  # never block opening the library on the clean-up
        NOTES.append(f"could not clear what an interrupted restore or import left: {exc}")


def recover(data_dir: Path) -> list[str]:
    """Finish or undo an interrupted restore and clear dead processes' leftovers; notes."""
    data_dir = Path(data_dir)
    parent = data_dir.parent
    notes: list[str] = []
    if not parent.is_dir():
        return notes
    stagings = sorted(parent.glob(f".{data_dir.name}-restore-*"), key=_mtime, reverse=True)
    asides = sorted(parent.glob(f".{data_dir.name}-old-*"), key=_mtime, reverse=True)
    busy = {s for s in stagings if (pid := _staging_pid(s, data_dir)) is not None and pid_alive(pid)}
    if busy:  # a restore is running in another process right now: leave everything to it
        return notes
    if not data_dir.exists():
        done = next((s for s in stagings if (s / RESTORE_MARK).is_file()), None)
        if done is not None:
            os.replace(done, data_dir)
            stagings.remove(done)
            notes.append(f"a restore was interrupted after it had been checked; it was finished, "
                         f"so the library at {data_dir} is the restored one")
        elif asides:
            os.replace(asides[0], data_dir)
            asides.pop(0)
            notes.append(f"a restore was interrupted before it was done; the library at "
                         f"{data_dir} was put back as it was before")
    for s in stagings:
        shutil.rmtree(s, ignore_errors=True)
        notes.append(f"an unfinished restore left by a stopped process ({s.name}) was removed; "
                     "the library was not changed by it")
    marked = (data_dir / RESTORE_MARK).is_file()
    for a in asides:
        if marked:
            shutil.rmtree(a, ignore_errors=True)
            notes.append(f"the copy of the replaced library that the restore had set aside "
                         f"({a.name}) was removed")
        else:
            notes.append(f"an earlier library was found in {a} and left in place; move it back "
                         f"over {data_dir} to use it")
    if marked:
        with contextlib.suppress(OSError):
            (data_dir / RESTORE_MARK).unlink()
    notes.extend(_clear_parts(data_dir / "media", ".*.part", "an interrupted import"))
    notes.extend(_clear_parts(data_dir / "poses", ".*", "an interrupted pose analysis"))
    for n in notes:
        log.warning("%s", n)
    return notes


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def _clear_parts(folder: Path, pattern: str, what: str) -> list[str]:
    if not folder.is_dir():
        return []
    removed = 0
    for p in folder.rglob(pattern):
        m = _PID.match(p.name)
        if m is None or pid_alive(int(m.group(1) or m.group(2))):
            continue
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                p.unlink()
        removed += 1
    return ([f"{removed} partial file(s) left by {what} were removed"]
            if removed else [])


__all__ = ["NOTES", "RESTORE_MARK", "aside_name", "pid_alive", "recover", "recover_once",
           "restore_staging_name"]
