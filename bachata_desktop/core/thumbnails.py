"""Where a clip's cached thumbnail lives: one name shared by the library grid and the printouts."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bachata_desktop.core.clip import Clip

DISK_SIZE = (320, 180)   # the JPEG kept on disk (width, height)
CACHE_VERSION = "v2"     # bump when the way frames are chosen or scaled changes


def thumbnail_file(folder: Path, clip: Clip) -> Path:
    """``<folder>/<hash>.jpg``: keyed by the media content, so a re-import reuses it."""
    basis = f"{clip.content_hash or clip.media_path}:{DISK_SIZE[0]}x{DISK_SIZE[1]}:{CACHE_VERSION}"
    return Path(folder) / f"{hashlib.sha1(basis.encode('utf-8')).hexdigest()[:24]}.jpg"
