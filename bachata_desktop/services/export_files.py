"""Writing exported files safely: a hidden temporary name in the target folder, then ``os.replace``.

Exports (videos, count sheets) must never leave a half-written file where the instructor expects a
finished one, and must turn the disk's refusals into one clear message. Both rules live here.
"""

from __future__ import annotations

import errno
import os
import uuid
from pathlib import Path

from bachata_desktop.core.errors import InputError, StorageError


def storage_error(exc: OSError, out: Path) -> StorageError:
    """A one-line StorageError for an OSError met while writing ``out``."""
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return StorageError(f"not enough disk space to write {out.name} in {out.parent}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(f"cannot write to the folder {out.parent}: permission denied")
    return StorageError(f"cannot write {out}: {exc.strerror or exc}")


def temp_beside(out: Path) -> Path:
    """Create (empty) and return a hidden temporary file next to ``out``."""
    folder = out.parent
    if not folder.is_dir():
        raise InputError(f"the folder to save in does not exist: {folder}")
    tmp = folder / f".{out.stem}.{uuid.uuid4().hex[:8]}.part"
    try:
        with open(tmp, "xb"):
            pass
    except OSError as exc:
        raise storage_error(exc, out) from exc
    return tmp


def write_atomic(path: Path, data: bytes, make_parent: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file; nothing is left behind on failure.

    ``make_parent`` creates the folder first (app data); otherwise a missing folder is the user's
    mistake and gets a clear error.
    """
    if make_parent:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc, path) from exc
    tmp = temp_beside(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise storage_error(exc, path) from exc


__all__ = ["storage_error", "temp_beside", "write_atomic"]
