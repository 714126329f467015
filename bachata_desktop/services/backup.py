"""Backing the whole library up into one archive, and restoring it without ever half-restoring.

``export_library`` writes a zip: ``manifest.json`` (format and schema version, row counts, and the
size and sha256 of every member), ``library.sqlite3`` (a consistent copy made with SQLite's online
backup, so the app may keep working meanwhile), ``media/...`` (the clip and song files) and
``poses/...`` (keypoints). The archive is written to a temporary name and renamed at the end.

``restore_library`` treats the archive as hostile until proven otherwise. Before anything in the
library is touched it checks: the zip is complete; every member name stays inside the library (no
``..``, absolute or drive paths, backslashes, symlinks, or unexpected top-level names); the manifest
lists exactly the members; each member extracts to exactly its declared size (checked while
streaming, so a zip bomb stops at the declared size) with the declared sha256; the database passes
``integrity_check``, is not newer than this app, every embedding has its modality's size and only
finite values, and every clip's media file is present. The members are extracted into a folder
beside the library, which then replaces the library folder with a rename (the machine-local
``backups/``, ``models/`` and ``autosave/`` folders are carried over), after a backup of the current
database into ``backups/``. The hnswlib indexes are derived data: they are dropped and rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import tempfile
import uuid
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from bachata_desktop.core.errors import InputError, StorageError
from bachata_desktop.core.formats import LIBRARY_BACKUP_MANIFEST
from bachata_desktop.core.schema import SchemaError, load_json, validate
from bachata_desktop.core.task import NullContext, TaskContext, check_cancelled
from bachata_desktop.recovery import RESTORE_MARK, aside_name, restore_staging_name
from bachata_desktop.services.zip_guard import (
    ZipLimits,
    check_name,
    copy_member,
    open_checked,
    read_member,
)

FORMAT = "bachata-buddy-library"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "library.sqlite3"
CONTENT_DIRS = ("media", "poses")
LOCAL_DIRS = ("backups", "models", "autosave")   # belong to this machine: kept across a restore
MAX_MANIFEST_BYTES = 64 << 20
_CHUNK = 1 << 20
_COUNTED = ("clips", "analyses", "embeddings", "songs", "markers", "choreographies", "plans")


@dataclass(frozen=True)
class BackupInfo:
    """What an export wrote or a restore brought back."""

    archive: str
    schema_version: int
    counts: dict[str, int]
    members: int
    bytes: int
    external_files: tuple[str, ...] = field(default=())   # songs outside the library, not included

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in _COUNTED} \
        | _class_counts(conn)


def _class_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows of the classes-and-students tables (schema 3), when the database has them."""
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {t: int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
            for t in ("class_groups", "students", "class_sessions", "group_progress") if t in have}


def _check_classes(conn: sqlite3.Connection) -> None:
    """The classes-and-students rows must read back (see services/group_export.check_class_rows)."""
    from bachata_desktop.services.group_export import check_class_rows

    check_class_rows(conn)


def _content_files(data_dir: Path) -> list[tuple[str, Path]]:
    out = []
    for top in CONTENT_DIRS:
        root = data_dir / top
        if not root.is_dir():
            continue
        for p in sorted(root.rglob("*")):
            if p.is_file() and not p.is_symlink() and not p.name.startswith("."):
                out.append((p.relative_to(data_dir).as_posix(), p))
    return out


# -------------------------------------------------------------------------------------------------
# export
# -------------------------------------------------------------------------------------------------
def export_library(store: Any, out_file: Path | str, ctx: TaskContext | None = None) -> BackupInfo:
    """Write the whole library to ``out_file`` (a zip); see the module docstring."""
    ctx = ctx or NullContext()
    out_file = Path(out_file)
    data_dir = Path(store.paths.data)
    try:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_zip = tempfile.mkstemp(prefix=f".{out_file.name}.", suffix=".partial",
                                       dir=out_file.parent)
        os.close(fd)
    except OSError as exc:
        raise StorageError(f"cannot write {out_file}: {exc.strerror}") from exc
    tmp_db = Path(tmp_zip + ".db")
    try:
        ctx.report(0.0, "copying the database")
        dst = sqlite3.connect(tmp_db)
        try:
            store.db.conn.backup(dst)
            schema = int(dst.execute("PRAGMA user_version").fetchone()[0])
            counts = _counts(dst)
            external = tuple(str(r[0]) for r in dst.execute("SELECT path FROM songs")
                             if Path(str(r[0])).is_absolute())
            _check_clip_files(dst, data_dir)
        finally:
            dst.close()
        files = [(DATABASE, tmp_db), *_content_files(data_dir)]
        total = sum(p.stat().st_size for _, p in files) or 1
        done = 0
        members: list[dict[str, Any]] = []
        with zipfile.ZipFile(tmp_zip, "w", allowZip64=True) as zf:
            for name, path in files:
                check_cancelled(ctx)
                # media and npz are compressed already: store them; deflate the database
                method = zipfile.ZIP_DEFLATED if name == DATABASE else zipfile.ZIP_STORED
                info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
                info.compress_type = method
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                h = hashlib.sha256()
                size = 0
                with open(path, "rb") as src, zf.open(info, "w", force_zip64=True) as dst_f:
                    while chunk := src.read(_CHUNK):
                        h.update(chunk)
                        dst_f.write(chunk)
                        size += len(chunk)
                members.append({"path": name, "size": size, "sha256": h.hexdigest()})
                done += size
                ctx.report(min(0.99, done / total), f"{len(members)}/{len(files)} {name}")
            manifest = {
                "format": FORMAT, "format_version": FORMAT_VERSION, "schema_version": schema,
                "app_version": _app_version(), "created_at": datetime.now(UTC).isoformat(),
                "counts": counts, "members": members, "external_files": list(external),
            }
            zf.writestr(MANIFEST, json.dumps(manifest, indent=1))
        os.replace(tmp_zip, out_file)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_zip)
        if isinstance(exc, OSError):
            raise StorageError(f"could not write the backup {out_file}: {exc}") from exc
        raise
    finally:
        with contextlib.suppress(OSError):
            tmp_db.unlink()
    ctx.report(1.0, f"exported {counts['clips']} clips")
    return BackupInfo(str(out_file), schema, counts, len(members), done, external)


def _check_clip_files(conn: sqlite3.Connection, data_dir: Path) -> None:
    """A backup that restore would refuse is worse than none: every clip's file must be there."""
    for name, rel in conn.execute("SELECT name, media_path FROM clips ORDER BY id"):
        p = PurePosixPath(str(rel).replace("\\", "/"))
        if p.is_absolute() or ".." in p.parts or not p.parts:
            raise StorageError(f"cannot back up: clip {name!r} points outside the library "
                               f"({rel}); delete it and import it again")
        if not (data_dir / "media").joinpath(*p.parts).is_file():
            raise StorageError(f"cannot back up: the file of clip {name!r} (media/{rel}) is "
                               "missing; import it again or delete the clip, then back up")


def _app_version() -> str:
    from bachata_desktop import __version__

    return str(__version__)


# -------------------------------------------------------------------------------------------------
# validation
# -------------------------------------------------------------------------------------------------
MAX_DATABASE_BYTES = 4 << 30
MAX_POSE_BYTES = 256 << 20
BACKUP_LIMITS = ZipLimits(max_members=500_000, max_member_bytes=64 << 30,
                          max_total_bytes=4 << 40, what="the backup")


def _check_member_name(info: zipfile.ZipInfo) -> str | None:
    """The safe relative path of a member, None for a directory; InputError for a hostile one."""
    name = check_name(info, "the backup")
    if name is None:
        return None
    p = PurePosixPath(name)
    if name not in (MANIFEST, DATABASE) and (len(p.parts) < 2 or p.parts[0] not in CONTENT_DIRS):
        raise InputError(f"the archive contains an unexpected file ({name[:80]}); refused")
    if name == DATABASE and info.file_size > MAX_DATABASE_BYTES:
        raise InputError("the archive's database is implausibly large; refused")
    if name not in (MANIFEST, DATABASE) and info.compress_type != zipfile.ZIP_STORED:
        # media and keypoints are written stored: a compressed one can only be a zip bomb
        raise InputError(f"{name[:80]} in the archive is compressed, which this app never "
                         "writes; refused")
    if p.parts[0] == "poses" and info.file_size > MAX_POSE_BYTES:
        raise InputError(f"{name[:80]} in the archive is implausibly large; refused")
    return name


def _read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        info = zf.getinfo(MANIFEST)
    except KeyError as exc:
        raise InputError("not a Bachata Buddy library archive (no manifest.json)") from exc
    raw = read_member(zf, info, MAX_MANIFEST_BYTES, "the backup")
    doc = load_json(raw, "the archive's manifest")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError("not a Bachata Buddy library archive (unknown manifest format)")
    version = doc.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise InputError("the archive was written by a newer version of Bachata Buddy; "
                         "please update the app")
    try:
        validate(LIBRARY_BACKUP_MANIFEST, doc, "")
    except SchemaError as exc:
        raise InputError(f"the archive's manifest is malformed ({exc}); refused") from None
    return doc


def _validate_listing(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                      manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    declared: dict[str, dict[str, Any]] = {}
    for e in manifest["members"]:
        if e["path"] in declared:
            raise InputError(f"the archive's manifest lists {e['path'][:80]} twice; refused")
        declared[e["path"]] = e
    present: set[str] = set()
    for info in infos:
        name = _check_member_name(info)
        if name is None or name == MANIFEST:
            continue
        present.add(name)
        if name not in declared:
            raise InputError(f"the archive contains {name[:80]}, which its manifest does not "
                             "list; refused")
        if info.file_size != declared[name]["size"]:
            raise InputError(f"{name[:80]} in the archive is not the size its manifest declares; "
                             "refused")
    missing = sorted(set(declared) - present)
    if missing:
        raise InputError(f"the archive is missing {missing[0][:80]} (listed in its manifest); "
                         "refused")
    if DATABASE not in present:
        raise InputError("the archive holds no library database; refused")
    return declared


def _extract(zf: zipfile.ZipFile, declared: dict[str, dict[str, Any]], names: list[str],
             dest: Path, ctx: TaskContext, done: int = 0) -> int:
    total = sum(e["size"] for e in declared.values()) or 1
    root = dest.resolve()
    for name in names:
        entry = declared[name]
        check_cancelled(ctx)
        target = dest.joinpath(*PurePosixPath(name).parts)
        if root not in target.resolve().parents:
            raise InputError(f"the archive contains a path that escapes the library ({name})")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"the archive's {name[:80]} cannot be placed ({exc.strerror}); "
                             "refused") from exc
        size, digest = copy_member(zf, zf.getinfo(name), target, entry["size"], "the backup")
        if size != entry["size"] or digest != entry["sha256"]:
            raise InputError(f"checksum mismatch for {name[:80]}: the archive is damaged or was "
                             "altered; refused")
        done += size
        ctx.report(0.1 + 0.7 * done / total, f"checked {name}")
    return done


def _expected_schema(version: int) -> dict[tuple[str, str], str]:
    """(type, name) -> normalised SQL of what this app's migrations create at ``version``."""
    from bachata_desktop.store.migrations import MIGRATIONS

    conn = sqlite3.connect(":memory:")
    try:
        for number, step in MIGRATIONS:
            if number > version:
                break
            step(conn)
        return _schema(conn)
    finally:
        conn.close()


def _schema(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    return {(str(t), str(n)): " ".join(str(sql or "").split()) for t, n, sql in conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}


def _check_schema(conn: sqlite3.Connection, version: int) -> None:
    """Only the tables, indexes, triggers and views this app creates: a backup carrying its own
    trigger (say, one that deletes clips on every insert) or view is refused."""
    want = _expected_schema(version)
    have = _schema(conn)
    for key in sorted(set(have) - set(want)):
        raise InputError(f"the archive's database holds an unknown {key[0]} {key[1][:60]!r}; "
                         "refused")
    for key in sorted(set(want) - set(have)):
        raise InputError(f"the archive's database lacks the {key[0]} {key[1][:60]!r}; refused")
    for key in sorted(want):
        if have[key] != want[key]:
            raise InputError(f"the archive's database has a changed {key[0]} {key[1][:60]!r}; "
                             "refused")


def _validate_database(db_file: Path, members: set[str], manifest: dict[str, Any]
                       ) -> tuple[dict[str, int], set[str]]:
    """Counts and the media members the rows use; InputError for anything wrong."""
    try:
        return _validate_database_rows(db_file, members, manifest)
    except sqlite3.Error as exc:
        raise InputError(f"the archive's database is damaged ({exc}); refused") from exc


def _validate_database_rows(db_file: Path, members: set[str], manifest: dict[str, Any]
                            ) -> tuple[dict[str, int], set[str]]:
    from bachata_desktop.store.migrations import SCHEMA_VERSION
    from bachata_desktop.store.repos import MODALITY_DIMS

    try:
        conn = sqlite3.connect(f"{db_file.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(f"the archive's database cannot be opened ({exc}); refused") from exc
    try:
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            raise InputError(f"the archive's database is damaged ({exc}); refused") from exc
        if ok != "ok":
            raise InputError(f"the archive's database is damaged ({ok}); refused")
        if version > SCHEMA_VERSION:
            raise InputError("the archive's database is from a newer version of Bachata Buddy; "
                             "please update the app")
        if version < 1:
            raise InputError("the archive's database is empty; refused")
        _check_schema(conn, version)
        for owner_kind, owner_id, modality, dim, blob in conn.execute(
                "SELECT owner_kind, owner_id, modality, dim, vector FROM embeddings"):
            want = MODALITY_DIMS.get(modality)
            where = f"{owner_kind} {owner_id} {modality}"
            if want is None:
                raise InputError(f"unknown embedding modality in the archive ({where}); refused")
            if dim != want or not isinstance(blob, bytes) or len(blob) != 4 * want:
                raise InputError(f"wrong embedding size in the archive ({where}: "
                                 f"{len(blob) // 4 if isinstance(blob, bytes) else '?'} values, "
                                 f"expected {want}); refused")
            if not np.all(np.isfinite(np.frombuffer(blob, dtype="<f4"))):
                raise InputError(f"embedding with NaN or Inf in the archive ({where}); refused")
        used: set[str] = set()
        for (media_path,) in conn.execute("SELECT media_path FROM clips"):
            used.add(_check_stored_path(str(media_path), members, "clip media"))
        for (song_path,) in conn.execute("SELECT path FROM songs"):
            if not Path(str(song_path)).is_absolute():
                used.add(_check_stored_path(str(song_path), members, "song"))
        _check_classes(conn)
        counts = _counts(conn)
    finally:
        conn.close()
    declared = manifest.get("counts") or {}
    for k, v in counts.items():
        if k in declared and int(declared[k]) != v:
            raise InputError(f"the archive's database has {v} {k}, its manifest says "
                             f"{declared[k]}; refused")
    return counts, used


def _check_stored_path(rel: str, members: set[str], what: str) -> str:
    p = PurePosixPath(rel.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise InputError(f"a {what} path in the archive escapes the library ({rel}); refused")
    name = "media/" + p.as_posix()
    if name not in members:
        raise InputError(f"the archive lacks the {what} file {rel}; refused")
    return name


# -------------------------------------------------------------------------------------------------
# restore
# -------------------------------------------------------------------------------------------------
def restore_library(store_or_paths: Any, archive: Path | str, ctx: TaskContext | None = None,
                    indexes: Any = None) -> BackupInfo:
    """Replace the library with ``archive`` after validating all of it (see the module docstring).

    ``store_or_paths`` is the open :class:`Store` or its ``AppPaths``. A Store's connections are
    closed before the swap; it reconnects to the restored database on its next use (so do any
    other threads' connections). Pass ``indexes`` to have them invalidated (they rebuild from the
    restored database). Raises InputError (nothing changed) for a bad or hostile archive.
    """
    ctx = ctx or NullContext()
    archive = Path(archive)
    store = store_or_paths if hasattr(store_or_paths, "db") else None
    paths = store.paths if store is not None else store_or_paths
    data_dir = Path(paths.data)
    if not archive.is_file():
        raise InputError(f"backup archive not found: {archive}")
    ctx.report(0.0, "checking the archive")
    staging = restore_staging_name(data_dir, os.getpid(), uuid.uuid4().hex[:8])
    zf, infos = open_checked(archive, BACKUP_LIMITS)
    try:
        with zf:
            manifest = _read_manifest(zf)
            declared = _validate_listing(zf, infos, manifest)
            need = sum(e["size"] for e in declared.values())
            try:
                data_dir.parent.mkdir(parents=True, exist_ok=True)
                free = shutil.disk_usage(data_dir.parent).free
            except OSError as exc:
                raise StorageError(f"cannot use the library folder {data_dir.parent}: "
                                   f"{exc.strerror or exc}; nothing was changed") from exc
            if need > free:
                raise StorageError(f"not enough disk space to restore ({need >> 20} MB needed, "
                                   f"{free >> 20} MB free); nothing was changed")
            if not os.access(data_dir.parent, os.W_OK) or (
                    data_dir.exists() and not os.access(data_dir, os.W_OK)):
                raise StorageError(f"the library at {data_dir} is read-only; nothing was "
                                   "changed")
            try:
                staging.mkdir()
            except OSError as exc:
                raise StorageError(f"cannot write beside the library ({exc.strerror or exc}); "
                                   "nothing was changed") from exc
            # The database first: its rows say which files the archive may carry.
            done = _extract(zf, declared, [DATABASE], staging, ctx)
            counts, used = _validate_database(staging / DATABASE, set(declared), manifest)
            unused = sorted(n for n in declared if n.startswith("media/") and n not in used)
            if unused:
                extra = sum(declared[n]["size"] for n in unused)
                raise InputError(f"the archive carries {len(unused)} file(s) no clip or song uses "
                                 f"({unused[0][:80]}, {extra >> 20} MB in all); refused")
            _extract(zf, declared, [n for n in declared if n != DATABASE], staging, ctx, done)
        check_cancelled(ctx)
        ctx.report(0.85, "migrating the restored database")
        from bachata_desktop.store.db import Database

        db = Database.open(staging / DATABASE, staging / "backups")  # migrates an older schema
        schema = db.user_version()
        db.close()
        for name in CONTENT_DIRS:
            (staging / name).mkdir(exist_ok=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    ctx.report(0.9, "replacing the library")
    if store is not None:
        store.close()
    _backup_current(data_dir / DATABASE, Path(paths.backups))
    _swap_in(staging, data_dir)
    _drop_indexes(paths, indexes)
    ctx.report(1.0, f"restored {counts['clips']} clips")
    return BackupInfo(str(archive), schema, counts, len(declared), sum(
        e["size"] for e in declared.values()), tuple(manifest.get("external_files") or ()))


def _swap_in(staging: Path, data_dir: Path) -> None:
    """Move machine-local folders into ``staging``, then swap it with ``data_dir`` by renames."""
    aside = aside_name(data_dir, uuid.uuid4().hex[:8])
    try:
        # complete and checked: a start-up after a kill between the renames finishes the swap
        (staging / RESTORE_MARK).touch()
        if data_dir.exists():
            for name in LOCAL_DIRS:
                src = data_dir / name
                if src.is_dir():  # copied, not moved: the old library stays whole until the swap
                    shutil.copytree(src, staging / name, symlinks=True, dirs_exist_ok=True)
            os.replace(data_dir, aside)
        os.replace(staging, data_dir)
    except OSError as exc:
        if aside.exists() and not data_dir.exists():
            os.replace(aside, data_dir)  # put the old library back
        shutil.rmtree(staging, ignore_errors=True)
        raise StorageError(f"could not replace the library at {data_dir}: {exc}; "
                           "nothing was changed") from exc
    shutil.rmtree(aside, ignore_errors=True)
    with contextlib.suppress(OSError):
        (data_dir / RESTORE_MARK).unlink()


def _backup_current(db_file: Path, folder: Path) -> None:
    """A copy of the database being replaced, so that a restore can itself be undone."""
    if not db_file.is_file():
        return
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{db_file.stem}-{stamp}-before-restore.sqlite3"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(db_file)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            target.unlink()
        raise StorageError(f"could not back up the current library before restoring: {exc}; "
                           "nothing was changed") from exc


def _drop_indexes(paths: Any, indexes: Any) -> None:
    """The indexes describe the old library: delete them so they are rebuilt from SQLite."""
    if indexes is not None:
        indexes.invalidate()
    folder = Path(paths.indexes)
    if folder.is_dir():
        for sub in folder.iterdir():
            if sub.is_dir():
                shutil.rmtree(sub, ignore_errors=True)


__all__ = ["BackupInfo", "FORMAT", "FORMAT_VERSION", "export_library", "restore_library"]
