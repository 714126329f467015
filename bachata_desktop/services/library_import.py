"""Importing move clips into the library: what a drop or a folder contains, then copying it in.

``scan(paths)`` looks without touching the library: it walks files and folders, reads an original
web-app ``bachata_annotations.json`` (clip_id, video_path, move_label, energy_level,
estimated_tempo, difficulty) when one sits in a scanned folder (or in the parent folder of a
category folder), and otherwise takes the category from the file's folder name when it is a known
category and the name from the file name.

``import_clips(store, paths, ctx)`` then, file by file: hashes the content (sha256; a file already
in the library is a no-op, so re-importing a folder only adds what is new and an interrupted import
resumes by importing again), probes it with PyAV (an unreadable, empty, truncated or mislabelled
file is reported and skipped, the rest goes on), copies it atomically to
``media/<category>/<hash[:12]>_<name><ext>``, adds the clip and queues its analysis in one database
transaction, and hands each new clip to ``ctx.partial``.

A malformed annotations file is an error for the whole import (nothing is imported): falling back
to folder metadata would import the clips without their level/energy/tempo, and because re-import
is a no-op by content hash, the metadata could then never be picked up by fixing the file and
importing again.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from bachata_desktop.core.clip import (
    CATEGORIES,
    CATEGORY_LABELS,
    DEFAULT_HOLDS,
    UNSET_KEY,
    Clip,
    Energy,
    Hold,
    Level,
)
from bachata_desktop.core.errors import InputError, StorageError
from bachata_desktop.core.formats import ANNOTATIONS
from bachata_desktop.core.media_types import ANNOTATION_FILE, is_video
from bachata_desktop.core.schema import SchemaError, load_json, validate
from bachata_desktop.core.task import TaskContext, check_cancelled

UNCATEGORIZED = "uncategorized"
ANALYSIS_KIND = "clip"
_HASH_CHUNK = 1 << 20
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, getattr(errno, "EDQUOT", errno.ENOSPC)})


@dataclass(frozen=True)
class ImportItem:
    """One video file to import, with the metadata found for it."""

    path: Path
    clip_key: str
    name: str
    category: str
    level: Level = Level.BEGINNER
    energy: Energy = Energy.MEDIUM
    tempo_bpm: float | None = None
    source: str = "file"                 # "annotations" | "folder" | "file"
    annotation: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class ImportProblem:
    """A file (or annotation entry) that was not imported, and why, in one line."""

    path: str
    message: str


@dataclass(frozen=True)
class ImportPlan:
    items: tuple[ImportItem, ...] = ()
    problems: tuple[ImportProblem, ...] = ()     # known before copying anything
    annotation_files: tuple[Path, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.items


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[Clip, ...] = ()
    duplicates: tuple[Clip, ...] = ()            # already in the library (re-import is a no-op)
    skipped: tuple[ImportProblem, ...] = ()
    cancelled: bool = False

    @property
    def summary(self) -> str:
        parts = [f"{len(self.imported)} imported"]
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} already in the library")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        if self.cancelled:
            parts.append("cancelled")
        return ", ".join(parts)


@dataclass(frozen=True)
class MediaInfo:
    duration_s: float
    fps: float
    width: int
    height: int
    has_audio: bool


# --------------------------------------------------------------------------------------------
# metadata
# --------------------------------------------------------------------------------------------
def normalise_category(name: str) -> str | None:
    """A known category for a folder or label name ("Lady turn", "cross-body-lead"), else None."""
    key = re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFC", name).strip().lower())
    if key in CATEGORIES:
        return key
    for cat, label in CATEGORY_LABELS.items():
        if key == re.sub(r"\s+", "_", label.lower()):
            return cat
    return None


def _clean_key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).strip()
    return re.sub(r"[\s/\\:]+", "_", text) or "clip"


@dataclass(frozen=True)
class Annotations:
    """A parsed ``bachata_annotations.json``: entries by resolved video path."""

    file: Path
    entries: dict[Path, dict[str, Any]]
    problems: tuple[ImportProblem, ...]


def load_annotations(file: Path, root: Path | None = None, report_missing: bool = True
                     ) -> Annotations:
    """Parse an annotations file; InputError (one line) when it is not the expected JSON.

    ``root``: the folder its video paths are relative to (default: the file's own folder; an
    annotations file kept elsewhere describes the imported folder). ``report_missing``: list
    entries whose file is not there as problems.
    """
    file = Path(file)
    try:
        data = file.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"annotations file not found: {file}") from exc
    except OSError as exc:
        raise InputError(f"cannot read annotations file {file}: {exc.strerror}") from exc
    what = f"annotations file {file.name}"
    raw = load_json(data, what)
    if isinstance(raw, list):  # a bare list of entries is accepted too
        raw = {"clips": raw}
    try:
        validate(ANNOTATIONS, raw, "")
    except SchemaError as exc:
        raise InputError(f"{what}: {exc}; nothing was imported") from None
    clips = raw["clips"]
    root = (Path(root) if root is not None else file.parent).resolve()
    entries: dict[Path, dict[str, Any]] = {}
    problems: list[ImportProblem] = []
    for entry in clips:
        rel = PurePosixPath(entry["video_path"].replace("\\", "/"))
        target = (root / Path(*rel.parts)).resolve() if rel.parts else root
        if rel.is_absolute() or ".." in rel.parts or root not in target.parents:
            problems.append(ImportProblem(entry["video_path"],
                                          "annotation points outside its folder; skipped"))
            continue
        if not target.is_file():
            if report_missing:
                problems.append(ImportProblem(entry["video_path"], "listed in the annotations "
                                              "but the file is missing; skipped"))
            continue
        entries[target] = entry
    return Annotations(file, entries, tuple(problems))


def _item_from_annotation(path: Path, entry: dict[str, Any]) -> ImportItem:
    key = _clean_key(str(entry.get("clip_id") or path.stem))
    category = (normalise_category(str(entry.get("move_label") or ""))
                or normalise_category(path.parent.name) or UNCATEGORIZED)
    if entry.get("move_label") and normalise_category(str(entry["move_label"])) is None:
        # a user-defined category: it becomes a folder name under media/, so never "." or ".."
        category = safe_file_name(_clean_key(str(entry["move_label"])).lower(), 60)
        if category.strip(".") == "":
            category = UNCATEGORIZED
    tempo: float | None
    try:
        tempo = float(entry["estimated_tempo"])
        if not 30.0 <= tempo <= 300.0:
            tempo = None
    except (KeyError, TypeError, ValueError):
        tempo = None
    return ImportItem(path=path, clip_key=key, name=key, category=category,
                      level=Level.parse(entry.get("difficulty"), Level.BEGINNER),
                      energy=Energy.parse(entry.get("energy_level"), Energy.MEDIUM),
                      tempo_bpm=tempo, source="annotations", annotation=dict(entry))


def _item_from_file(path: Path) -> ImportItem:
    key = _clean_key(path.stem)
    cat = normalise_category(path.parent.name)
    return ImportItem(path=path, clip_key=key, name=key, category=cat or UNCATEGORIZED,
                      source="folder" if cat else "file")


def _annotation_candidates(path: Path) -> list[Path]:
    """Annotation files that may describe ``path``: in its folder and its parent folder."""
    out = []
    for folder in (path.parent, path.parent.parent):
        f = folder / ANNOTATION_FILE
        if f.is_file():
            out.append(f)
    return out


def scan(paths: list[Path] | tuple[Path, ...] | list[str], annotations: Path | None = None
         ) -> ImportPlan:
    """What importing ``paths`` (files and folders) would add, with metadata. Reads no media.

    Raises:
        InputError: an annotations file (given or found in a scanned folder) is malformed.
    """
    files: list[Path] = []
    problems: list[ImportProblem] = []
    ann_files: list[Path] = []       # given, or at the root of a scanned folder: report all
    near_files: list[Path] = []      # beside a single dropped file: use, do not report
    if annotations is not None:
        ann_files.append(Path(annotations))
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted((f for f in p.rglob("*") if f.is_file() and is_video(f)
                            and not f.name.startswith(".")), key=lambda f: str(f).lower())
            files.extend(found)
            if (p / ANNOTATION_FILE).is_file():
                ann_files.append(p / ANNOTATION_FILE)
            if (p.parent / ANNOTATION_FILE).is_file():  # a category folder of the original layout
                near_files.append(p.parent / ANNOTATION_FILE)
        elif p.is_file() and is_video(p):
            files.append(p)
            near_files.extend(_annotation_candidates(p))
        elif p.is_file():
            problems.append(ImportProblem(str(p), "not a video file; skipped"))
        else:
            problems.append(ImportProblem(str(p), "no such file or folder; skipped"))
    by_path: dict[Path, dict[str, Any]] = {}
    if annotations is not None:
        home = Path(annotations).resolve().parent
        dirs = [Path(p).resolve() for p in paths if Path(p).is_dir()]
        if dirs and not any(home == d or home in d.parents for d in dirs):
            # kept elsewhere: its paths are read from each imported folder (and its parent, for
            # a category folder of the original layout); missing entries are simply not there
            ann_files.remove(Path(annotations))
            for d in dirs:
                for r in (d, d.parent):
                    for k, v in load_annotations(Path(annotations), r, False).entries.items():
                        by_path.setdefault(k, v)
    seen_ann: set[Path] = set()
    if annotations is not None and Path(annotations) not in ann_files:
        seen_ann.add(Path(annotations).resolve())  # used, through the imported folders
    for f, report in [(f, True) for f in ann_files] + [(f, False) for f in near_files]:
        rf = f.resolve()
        if rf in seen_ann:
            continue
        seen_ann.add(rf)
        ann = load_annotations(f)
        for k, v in ann.entries.items():
            by_path.setdefault(k, v)  # the given file wins over a discovered one
        if report:
            problems.extend(ann.problems)
    items: list[ImportItem] = []
    seen: set[Path] = set()
    for f in files:
        rf = f.resolve()
        if rf in seen:
            continue
        seen.add(rf)
        entry = by_path.get(rf)
        items.append(_item_from_annotation(f, entry) if entry is not None else _item_from_file(f))
    return ImportPlan(tuple(items), tuple(problems), tuple(Path(f) for f in seen_ann))


# --------------------------------------------------------------------------------------------
# media checks and copying
# --------------------------------------------------------------------------------------------
def file_hash(path: Path, ctx: TaskContext | None = None) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def probe_video(path: Path) -> MediaInfo:
    """Duration, fps and size of a video; InputError when it is not a complete, readable video."""
    import av

    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror}") from exc
    if size == 0:
        raise InputError(f"{name} is empty (0 bytes)")
    try:
        container = av.open(str(path))
    except Exception as exc:  # PyAV raises many FFmpeg error types
        raise InputError(f"{name} is not a readable video (damaged, truncated or not a video "
                         "file)") from exc
    try:
        if not container.streams.video:
            raise InputError(f"{name} has no video stream")
        stream = container.streams.video[0]
        fps = float(stream.average_rate or stream.guessed_rate or 0.0)
        duration = (float(stream.duration * stream.time_base) if stream.duration
                    else (container.duration or 0) / 1e6)
        if duration <= 0 or not fps:
            raise InputError(f"{name} has no duration or frame rate (damaged video)")
        # Demuxing is cheap (no decoding): a file cut short has fewer packets than it declares.
        packets, last = 0, 0.0
        try:
            for pk in container.demux(stream):
                if pk.pts is not None:
                    packets += 1
                    last = max(last, float(pk.pts * stream.time_base))
        except Exception as exc:
            raise InputError(f"{name} is damaged ({exc.__class__.__name__})") from exc
        start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        declared = stream.frames or int(duration * fps)
        if packets == 0 or (declared and packets < 0.9 * declared) or \
                last - start < duration - max(1.0, 0.1 * duration):
            raise InputError(f"{name} is truncated ({packets} of {declared} frames present)")
        container.seek(0)
        width = height = 0
        try:
            for frame in container.decode(stream):
                width, height = frame.width, frame.height
                break
        except Exception as exc:
            raise InputError(f"{name}: the first frame cannot be decoded") from exc
        if not width:
            raise InputError(f"{name} has no decodable frames")
        return MediaInfo(round(duration, 4), round(fps, 4), int(width), int(height),
                         bool(container.streams.audio))
    finally:
        container.close()


def safe_file_name(name: str, max_len: int = 80) -> str:
    """A file name that any OS and zip accepts: NFC, no separators or control characters."""
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r'[\x00-\x1f<>:"/\\|?*]+', "_", name).strip(" .") or "clip"
    return name[:max_len]


def copy_to_part(src: Path, folder: Path) -> Path:
    """Copy ``src`` to a new ``.import-<pid>-*.part`` file in ``folder``, flushed to disk.

    The pid in the name lets the next start remove it if this process dies first."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".import-{os.getpid()}-", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            while chunk := inp.read(_HASH_CHUNK):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def _unique_key(store: Any, key: str, content_hash: str) -> str:
    if store.clips.get_by_key(key) is None:
        return key
    alt = f"{key}-{content_hash[:6]}"
    n = 2
    while store.clips.get_by_key(alt) is not None:
        alt = f"{key}-{content_hash[:6]}-{n}"
        n += 1
    return alt


def _import_one(store: Any, item: ImportItem, enqueue: bool) -> tuple[Clip, bool]:
    """(clip, is_new). Raises InputError for a bad file.

    The file is copied to a ``.part`` beside its place first; then the hash lookup, the rename and
    the insert happen inside one write transaction (BEGIN IMMEDIATE locks out every other
    process): two imports of the same file at once (two windows, a window and the CLI) see each
    other's row, and a failed insert never deletes a file that another process's row points to.
    """
    try:
        h = file_hash(item.path)
    except OSError as exc:
        raise InputError(f"cannot read {item.path.name}: {exc.strerror}") from exc
    existing = _existing(store, h)
    if existing is not None:
        return existing, False
    info = probe_video(item.path)  # slow: outside the lock
    ext = item.path.suffix.lower() or ".mp4"
    rel = PurePosixPath(item.category) / f"{h[:12]}_{safe_file_name(item.path.stem)}{ext}"
    dest = store.paths.media / Path(*rel.parts)
    if store.paths.media.resolve() not in dest.resolve().parents:
        raise InputError(f"{item.path.name}: category {item.category!r} is not a folder name")
    start_hold, end_hold = DEFAULT_HOLDS.get(item.category, (Hold.UNKNOWN, Hold.UNKNOWN))
    # "default" holds may be replaced by the pose analysis' guess; an edit makes them "user".
    extra: dict[str, Any] = {"import_source": item.source, "has_audio": info.has_audio,
                             "holds_source": "default"}
    if item.annotation:
        extra["annotation"] = item.annotation
    unset = [f for f, key in (("level", "difficulty"), ("energy", "energy_level"))
             if not str(item.annotation.get(key) or "").strip()]
    if unset:  # shown as "not set", not as the default standing in for it
        extra[UNSET_KEY] = unset
    if item.tempo_bpm is not None:
        extra["annotated_tempo_bpm"] = item.tempo_bpm
    clip = Clip(id=None, clip_key="", name=item.name, category=item.category,
                media_path=str(rel), content_hash=h, level=item.level, energy=item.energy,
                duration_s=info.duration_s, fps=info.fps, width=info.width, height=info.height,
                tempo_bpm=item.tempo_bpm, start_hold=start_hold, end_hold=end_hold,
                source_path=str(item.path.resolve()), extra=extra)
    # Copy outside the lock (slow), rename inside it (instant): the write lock is held briefly.
    tmp = copy_to_part(item.path, dest.parent)
    try:
        with store.db.write() as conn:
            existing = _existing(store, h)  # another process may have added it meanwhile
            if existing is not None:
                return existing, False
            placed = False
            try:
                if not dest.is_file():
                    os.replace(tmp, dest)
                    placed = True
                clip = store.clips.add(clip.with_(clip_key=_unique_key(store, item.clip_key, h)))
                if enqueue:
                    store.queue.enqueue(clip.id, ANALYSIS_KIND)
            except BaseException:
                # Still inside the lock: remove the file only if no committed row uses it.
                if placed and conn.execute("SELECT 1 FROM clips WHERE media_path=? AND "
                                           "content_hash != ?", (str(rel), h)).fetchone() is None:
                    with contextlib.suppress(OSError):
                        dest.unlink()
                raise
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()  # not renamed: the file was there already, or the import failed
    return clip, True


def _existing(store: Any, content_hash: str) -> Clip | None:
    existing = store.clips.get_by_hash(content_hash)
    if existing is not None and store.clips.is_deleted(existing.id):
        store.clips.restore(existing.id)  # importing a deleted clip again brings it back
        existing = store.clips.get(existing.id)
    return existing


def import_clips(store: Any, paths: list[Path] | tuple[Path, ...] | list[str],
                 ctx: TaskContext, annotations: Path | None = None,
                 enqueue_analysis: bool = True, plan: ImportPlan | None = None) -> ImportReport:
    """Import files and folders into ``store`` (see the module docstring).

    Each new clip is committed on its own, so a cancel or a crash keeps what was done; importing
    the same paths again resumes. Raises Cancelled when ``ctx`` is cancelled (clips imported before
    that are kept and were given to ``ctx.partial``), InputError for a malformed annotations file.
    """
    plan = plan if plan is not None else scan(paths, annotations)
    imported: list[Clip] = []
    duplicates: list[Clip] = []
    skipped = list(plan.problems)
    n = len(plan.items)
    ctx.report(0.0, f"importing {n} clips")
    for i, item in enumerate(plan.items):
        check_cancelled(ctx)
        try:
            clip, new = _import_one(store, item, enqueue_analysis)
        except InputError as exc:
            skipped.append(ImportProblem(str(item.path), str(exc)))
        except OSError as exc:
            if exc.errno in _DISK_ERRNOS:  # the library's disk refused: stop, keep what is done
                raise StorageError(f"cannot write to the library at {store.paths.media}: "
                                   f"{exc.strerror}; {len(imported)} clips were imported "
                                   "before it stopped") from exc
            skipped.append(ImportProblem(str(item.path), f"cannot copy {item.path.name}: "
                                         f"{exc.strerror or exc}"))
        else:
            (imported if new else duplicates).append(clip)
            if new:
                ctx.partial(clip)
        ctx.report((i + 1) / max(n, 1), f"{i + 1}/{n} {item.path.name}")
    return ImportReport(tuple(imported), tuple(duplicates), tuple(skipped))


__all__ = ["ANALYSIS_KIND", "UNCATEGORIZED", "Annotations", "ImportItem", "ImportPlan",
           "ImportProblem", "ImportReport", "MediaInfo", "copy_to_part", "file_hash",
           "import_clips", "load_annotations", "normalise_category", "probe_video",
           "safe_file_name", "scan"]
