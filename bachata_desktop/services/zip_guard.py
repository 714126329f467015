"""The one zip validator shared by library backups and shared plans (``.bbplan``).

An archive from outside is hostile until proven otherwise. :func:`open_checked` looks at the central
directory only (nothing is decompressed) and refuses: a file that is not a complete zip, too many
members, a member name that could escape the destination (``..``, absolute or drive paths,
backslashes, NUL or control characters, empty parts), a name part longer than 255 bytes or a path
nested too deep, a symbolic link, the same name twice, a name that is both a file and a folder,
a member declared bigger than its cap, and declared sizes that add up past the total cap.

Members are then read by streaming (:func:`read_member`, :func:`copy_member`), counting the bytes
that actually come out, so memory never holds more than one chunk of a media member, a small
document never more than its cap, and a member that inflates past its declared size (a zip bomb
with a lying header) is stopped there.
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bachata_desktop.core.errors import InputError, StorageError

CHUNK = 1 << 20
MAX_PART_BYTES = 255        # one file or folder name (the common file-system limit)
MAX_PATH_BYTES = 1024
MAX_PATH_DEPTH = 8


@dataclass(frozen=True)
class ZipLimits:
    max_members: int
    max_member_bytes: int          # any one member, declared and actual
    max_total_bytes: int           # all members together, declared
    what: str = "the archive"      # how messages name the file


def open_checked(path: Path | str, limits: ZipLimits) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """Open ``path`` and check its listing against ``limits``; InputError (one line) if hostile.

    Returns the open ZipFile (the caller closes it) and its file members (folders left out).
    """
    what = limits.what
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(f"{what} is not a complete zip file (damaged or truncated); "
                         f"refused") from exc
    try:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise InputError(f"{what} has too many entries ({len(infos)}, at most "
                             f"{limits.max_members}); refused")
        files: list[zipfile.ZipInfo] = []
        names: set[str] = set()
        folders: set[str] = set()
        total = 0
        for info in infos:
            name = check_name(info, what)
            if name is None:
                folders.add(info.filename.rstrip("/"))
                continue
            if name in names:
                raise InputError(f"{what} contains {_show(name)} twice; refused")
            names.add(name)
            parts = PurePosixPath(name).parts
            folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
            if info.file_size > limits.max_member_bytes:
                raise InputError(f"{_show(name)} in {what} is too large "
                                 f"({info.file_size >> 20} MB declared); refused")
            total += info.file_size
            if total > limits.max_total_bytes:
                raise InputError(f"{what} declares more than {limits.max_total_bytes >> 20} MB "
                                 "of content; refused")
            files.append(info)
        clash = names & folders
        if clash:
            raise InputError(f"{what} has {_show(sorted(clash)[0])} as both a file and a folder; "
                             "refused")
        return zf, files
    except BaseException:
        zf.close()
        raise


def _show(name: str) -> str:
    return repr(name if len(name) <= 80 else name[:77] + "...")


def check_name(info: zipfile.ZipInfo, what: str = "the archive") -> str | None:
    """The safe relative path of a member, None for a folder entry; InputError for a hostile one."""
    raw = info.filename
    if stat.S_ISLNK(info.external_attr >> 16):
        raise InputError(f"{what} contains a symbolic link ({_show(raw)}); refused")
    if ("\\" in raw or raw.startswith("/") or (len(raw) > 1 and raw[1] == ":")
            or any(ord(c) < 32 for c in raw)):
        raise InputError(f"{what} contains an unsafe path ({_show(raw)}); refused")
    p = PurePosixPath(raw)
    parts = raw.rstrip("/").split("/")
    if any(part in ("..", ".", "") for part in parts) or p.is_absolute():
        raise InputError(f"{what} contains a path that escapes its folder ({_show(raw)}); refused")
    if len(raw.encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES or len(parts) > MAX_PATH_DEPTH:
        raise InputError(f"{what} contains a path too long or too deep ({_show(raw)}); refused")
    if any(len(part.encode("utf-8", "surrogateescape")) > MAX_PART_BYTES for part in parts):
        raise InputError(f"{what} contains a name longer than {MAX_PART_BYTES} bytes "
                         f"({_show(raw)}); refused")
    if raw.endswith("/"):
        return None
    return raw


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int,
                what: str = "the archive") -> bytes:
    """A small member's bytes, read in chunks and stopped at ``max_bytes``."""
    if info.file_size > max_bytes:
        raise InputError(f"{_show(info.filename)} in {what} is too large; refused")
    out = bytearray()
    try:
        with zf.open(info) as src:
            while chunk := src.read(min(CHUNK, max_bytes + 1 - len(out))):
                out += chunk
                if len(out) > max_bytes:
                    raise InputError(f"{_show(info.filename)} in {what} is bigger than it "
                                     "declares; refused")
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError, NotImplementedError,
            RuntimeError) as exc:
        raise InputError(f"{what} is damaged or truncated ({_show(info.filename)}); "
                         "refused") from exc
    return bytes(out)


def copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, max_bytes: int,
                what: str = "the archive") -> tuple[int, str]:
    """Stream a member into the new file ``dest`` (must not exist); (size, sha256 hex).

    Stops with InputError past ``max_bytes`` or the member's declared size; the caller removes
    ``dest`` (it lies in the caller's staging folder).
    """
    limit = min(max_bytes, info.file_size)
    h = hashlib.sha256()
    size = 0
    try:
        with zf.open(info) as src:
            try:
                out = open(dest, "xb")  # noqa: SIM115 - closed below; errors mapped to one line
            except OSError as exc:
                raise StorageError(f"cannot write {dest}: {exc.strerror or exc}") from exc
            with out:
                while chunk := src.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise InputError(f"{_show(info.filename)} in {what} is bigger than it "
                                         "declares; refused")
                    h.update(chunk)
                    try:
                        out.write(chunk)
                    except OSError as exc:
                        raise StorageError(f"cannot write {dest}: {exc.strerror or exc}") from exc
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError, NotImplementedError,
            RuntimeError) as exc:
        raise InputError(f"{what} is damaged or truncated ({_show(info.filename)}); "
                         "refused") from exc
    return size, h.hexdigest()


__all__ = ["CHUNK", "ZipLimits", "check_name", "copy_member", "open_checked", "read_member"]
