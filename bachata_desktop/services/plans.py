"""Class plans: save, list, duplicate, autosave/recover, render to HTML, share as one file.

Autosave writes the whole plan to a temp file, fsyncs it and swaps it in with ``os.replace``, so a
crash mid-write leaves the previous autosave intact. A shared plan (``.bbplan``) is a zip with
``plan.json``, ``manifest.json`` (checksums) and optionally the media of the moves it uses; import
validates all of it before touching the library and refuses a bad file with nothing changed.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from bachata_desktop.core.clip import Clip, category_label
from bachata_desktop.core.documents import StoredDocument
from bachata_desktop.core.errors import InputError, StorageError
from bachata_desktop.core.plan import ClassPlan, ItemKind
from bachata_desktop.core.thumbnails import thumbnail_file
from bachata_desktop.services import export_files
from bachata_desktop.store import Store

BUNDLE_FORMAT = "bachata-buddy-plan"
MAX_BUNDLE_JSON = 2 * 2**20            # plan.json / manifest.json
MAX_BUNDLE_MEDIA = 2 * 2**30           # all media in a bundle
MAX_MEMBERS = 600


# -- persistence ---------------------------------------------------------------------------------
def save_plan(store: Store, plan: ClassPlan) -> ClassPlan:
    doc = store.plans.save(StoredDocument(plan.id, plan.title, plan.to_dict(),
                                          meta={"plan_date": plan.date, "level": plan.level}))
    return plan.with_(id=doc.id)


def load_plan(store: Store, plan_id: int) -> ClassPlan:
    doc = store.plans.get(plan_id)
    if doc is None:
        raise InputError(f"There is no class plan with id {plan_id}.")
    return ClassPlan.from_dict(doc.data, plan_id=doc.id)


def list_plans(store: Store) -> list[ClassPlan]:
    out = []
    for doc in store.plans.list():
        try:
            out.append(ClassPlan.from_dict(doc.data, plan_id=doc.id))
        except InputError:
            continue  # a damaged row is skipped in lists; opening it says why
    return out


def duplicate_plan(store: Store, plan_id: int) -> ClassPlan:
    return save_plan(store, load_plan(store, plan_id).duplicate())


# -- autosave ------------------------------------------------------------------------------------
def autosave_path(folder: Path, plan: ClassPlan) -> Path:
    return Path(folder) / f"plan-{plan.id if plan.id is not None else 'new'}.json"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` holds either the old or the new content, never a mix."""
    export_files.write_atomic(Path(path), data, make_parent=True)


def autosave(folder: Path, plan: ClassPlan) -> Path:
    path = autosave_path(folder, plan)
    payload = {"plan_id": plan.id, "plan": plan.to_dict()}
    write_atomic(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    return path


def recover_autosaves(folder: Path) -> list[tuple[Path, ClassPlan]]:
    """Plans left in the autosave folder (after a crash); unreadable files are skipped."""
    out = []
    for p in sorted(Path(folder).glob("plan-*.json")):
        try:
            raw = json.loads(p.read_text("utf-8"))
            out.append((p, ClassPlan.from_dict(raw["plan"], plan_id=raw.get("plan_id"))))
        except (OSError, ValueError, KeyError, InputError):
            continue
    return out


def clear_autosave(folder: Path, plan: ClassPlan) -> None:
    p = autosave_path(folder, plan)
    if p.exists():
        p.unlink()


# -- printing --------------------------------------------------------------------------------------
def _thumb_data_uri(store: Store, clip: Clip) -> str:
    """The library grid's cached thumbnail, else a frame a third into the clip (PyAV)."""
    p = thumbnail_file(store.paths.thumbnails, clip)
    if p.exists():
        data = p.read_bytes()
    else:
        data = _frame_jpeg(store.media_file(clip.media_path))
        if not data:
            return ""
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def _frame_jpeg(media: Path, width: int = 240) -> bytes:
    import io

    import av

    try:
        with av.open(str(media)) as container:
            stream = container.streams.video[0]
            duration = float(stream.duration * stream.time_base) if stream.duration else 0.0
            if duration > 0:
                container.seek(int(duration / 3 / stream.time_base), stream=stream)
            for frame in container.decode(stream):
                image = frame.to_image()  # PIL, which PyAV uses for this
                image.thumbnail((width, width))
                out = io.BytesIO()
                image.save(out, format="JPEG", quality=80)
                return out.getvalue()
    except (OSError, av.FFmpegError, IndexError, ValueError):
        return b""  # a missing or damaged clip prints without a picture
    return b""


def plan_html(store: Store, plan: ClassPlan) -> str:
    """A self-contained, printable HTML page of the plan (also the source of the PDF)."""
    e = html.escape
    total, target = plan.total_minutes, plan.target_minutes
    rows: list[str] = []
    clock = 0.0
    for seg in plan.segments:
        rows.append(f"<tr class='seg'><td colspan='5'><b>{e(seg.display_title)}</b> "
                    f"<span class='muted'>· {seg.minutes:.0f} min</span>"
                    f"{' — ' + e(seg.notes) if seg.notes else ''}</td></tr>")
        for item in seg.items:
            detail, thumb = "", ""
            if item.kind is ItemKind.MOVE and item.ref_id is not None:
                clip = store.clips.get(item.ref_id)
                if clip is not None:
                    detail = f"{category_label(clip.category)} · {clip.level.value} · {clip.counts} counts"
                    uri = _thumb_data_uri(store, clip)
                    thumb = f"<img src='{uri}' width='64'>" if uri else ""
                else:
                    detail = "(move no longer in the library)"
            elif item.kind is ItemKind.CHOREOGRAPHY and item.ref_id is not None:
                doc = store.choreographies.get(item.ref_id)
                detail = f"choreography: {e(doc.title)}" if doc else "(choreography deleted)"
            elif item.kind is ItemKind.SONG and item.ref_id is not None:
                song = store.songs.get(item.ref_id)
                if song is not None:
                    bpm = f" · {song.tempo_bpm:.0f} BPM" if song.tempo_bpm else ""
                    detail = f"song{bpm}"
            counts = f"{item.counts}" if item.counts else ""
            rows.append(
                f"<tr><td class='t'>{int(clock):d}′</td><td>{thumb}</td>"
                f"<td><b>{e(item.title)}</b><br><span class='muted'>{e(detail)}</span></td>"
                f"<td class='c'>{counts}</td><td>{item.duration_min:.0f} min"
                f"{'<br><i>' + e(item.notes) + '</i>' if item.notes else ''}</td></tr>")
            clock += item.duration_min
    over = "over" if total > target else "within"
    return f"""<html><head><meta charset='utf-8'><title>{e(plan.title)}</title>
<style>
body {{ font-family: 'DejaVu Sans', Arial, sans-serif; color: #2b2530; }}
h1 {{ margin-bottom: 0; }} .muted {{ color: #6c6470; }}
table {{ border-collapse: collapse; width: 100%; margin-top: 12px; }}
td {{ border-bottom: 1px solid #e3dde6; padding: 6px; vertical-align: top; }}
tr.seg td {{ background: #f3ece9; border-top: 2px solid #e0664f; }}
td.t, td.c {{ color: #6c6470; white-space: nowrap; }}
</style></head><body>
<h1>{e(plan.title)}</h1>
<p class='muted'>{e(plan.date or 'no date')} · {e(plan.level)} · {total:.0f} of {target:.0f} minutes ({over} target)</p>
{'<p>' + e(plan.notes) + '</p>' if plan.notes else ''}
<table width='100%'><tr><td class='t'><b>At</b></td><td></td><td><b>Item</b></td><td class='c'><b>Counts</b></td><td><b>Time / notes</b></td></tr>
{''.join(rows)}
</table></body></html>"""


# -- sharing ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportedPlan:
    plan: ClassPlan
    clips_added: int
    clips_matched: int
    missing_moves: tuple[str, ...]
    group: str | None = None      # the group that came with the plan, as named here


def export_bundle(store: Store, plan: ClassPlan, out: Path, include_media: bool = True,
                  group_id: int | None = None) -> Path:
    """Write ``plan`` (and, optionally, the clips it uses) as one ``.bbplan`` file."""
    members: dict[str, bytes] = {}
    clips: list[dict[str, Any]] = []
    for item in plan.items():
        if item.kind is not ItemKind.MOVE or item.ref_id is None:
            continue
        clip = store.clips.get(item.ref_id)
        if clip is None:
            continue
        entry = {"ref_id": clip.id, "clip_key": clip.clip_key, "name": clip.name,
                 "category": clip.category, "level": clip.level.value, "energy": clip.energy.value,
                 "content_hash": clip.content_hash, "counts": clip.counts, "media": None}
        media = store.media_file(clip.media_path)
        if include_media and media.exists():
            name = f"media/{clip.content_hash[:16]}{media.suffix.lower()}"
            members[name] = media.read_bytes()
            entry["media"] = name
        clips.append(entry)
    members["plan.json"] = json.dumps(plan.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
    members.update(_group_member(store, group_id))
    manifest = {"format": BUNDLE_FORMAT, "version": 1, "clips": clips,
                "files": {n: hashlib.sha256(b).hexdigest() for n, b in members.items()}}
    members["manifest.json"] = json.dumps(manifest, indent=1).encode("utf-8")
    out = Path(out)
    tmp = out.with_name(f".{out.name}.partial")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data, compress_type=zipfile.ZIP_STORED if name.startswith("media/")
                            else zipfile.ZIP_DEFLATED)
        os.replace(tmp, out)
    except OSError as exc:
        if tmp.exists():
            tmp.unlink()
        raise StorageError(f"Could not write {out}: {exc.strerror or exc}") from exc
    return out


def _safe_member(name: str) -> bool:
    p = PurePosixPath(name)
    return not (p.is_absolute() or ".." in p.parts or "\\" in name or name.startswith("/")
                or (p.parts and ":" in p.parts[0]))


def read_bundle(path: Path) -> tuple[ClassPlan, dict[str, Any], dict[str, bytes]]:
    """Open and validate a ``.bbplan`` completely; InputError on anything wrong."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{Path(path).name} is not a Bachata Buddy plan file.") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputError("The plan file has too many entries.")
        for info in infos:
            if not _safe_member(info.filename):
                raise InputError(f"The plan file contains an unsafe path: {info.filename!r}.")
            if info.external_attr >> 16 & 0o170000 == 0o120000:
                raise InputError(f"The plan file contains a link: {info.filename!r}.")
        names = {i.filename for i in infos}
        if not {"plan.json", "manifest.json"} <= names:
            raise InputError("The plan file is missing plan.json or manifest.json.")
        media_total = sum(i.file_size for i in infos if i.filename.startswith("media/"))
        if media_total > MAX_BUNDLE_MEDIA:
            raise InputError("The plan file's media are larger than 2 GB.")
        data: dict[str, bytes] = {}
        try:
            for info in infos:
                limit = MAX_BUNDLE_JSON if info.filename.endswith(".json") else MAX_BUNDLE_MEDIA
                if info.file_size > limit:
                    raise InputError(f"{info.filename} in the plan file is too large.")
                data[info.filename] = zf.read(info)
        except (zipfile.BadZipFile, EOFError, OSError, zlib_error()) as exc:
            raise InputError(f"The plan file is damaged or truncated ({exc}).") from exc
    try:
        manifest = json.loads(data["manifest.json"])
        raw_plan = json.loads(data["plan.json"])
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"The plan file holds malformed JSON ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise InputError("The file is not a Bachata Buddy plan (unknown format).")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise InputError("The plan file's manifest has no checksums.")
    for name, blob in data.items():
        if name == "manifest.json":
            continue
        if files.get(name) != hashlib.sha256(blob).hexdigest():
            raise InputError(f"Checksum mismatch for {name}: the plan file was altered or damaged.")
    plan = ClassPlan.from_dict(raw_plan)
    clips = manifest.get("clips", [])
    if not isinstance(clips, list):
        raise InputError("The plan file's manifest is malformed (clips).")
    for c in clips:
        if not isinstance(c, dict) or not isinstance(c.get("content_hash"), str):
            raise InputError("The plan file's manifest is malformed (clip entry).")
        if c.get("media") is not None and c["media"] not in data:
            raise InputError(f"The plan file lists media {c['media']!r} it does not contain.")
    return plan, manifest, data


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


def import_bundle(store: Store, path: Path) -> ImportedPlan:
    """Validate ``path`` fully, then add its missing clips and the plan (as a new plan)."""
    plan, manifest, data = read_bundle(path)
    shared_group = _read_group_member(data)  # validated before anything is written
    id_map: dict[int, int] = {}
    added = matched = 0
    missing: list[str] = []
    media_root = store.paths.media
    to_write: list[tuple[Path, bytes, dict[str, Any]]] = []
    for c in manifest.get("clips", []):
        existing = store.clips.get_by_hash(c["content_hash"])
        if existing is not None and existing.id is not None:
            id_map[int(c["ref_id"])] = existing.id
            matched += 1
        elif c.get("media"):
            blob = data[c["media"]]
            if hashlib.sha256(blob).hexdigest() != c["content_hash"]:
                raise InputError(f"Media for {c.get('name')!r} do not match their checksum.")
            target = media_root / "shared" / f"{c['content_hash'][:16]}{PurePosixPath(c['media']).suffix}"
            to_write.append((target, blob, c))
        else:
            missing.append(str(c.get("name", "?")))
    # Everything is validated: now write media, then rows in one transaction.
    written: list[Path] = []
    try:
        for target, blob, _c in to_write:
            write_atomic(target, blob)
            written.append(target)
        with store.db.write():
            from bachata_desktop.core.clip import Energy, Level

            for target, _blob, c in to_write:
                key = str(c.get("clip_key") or c["content_hash"][:16])
                if store.clips.get_by_key(key) is not None:
                    key = f"{key}-{c['content_hash'][:8]}"
                clip = store.clips.add(Clip(
                    None, key, str(c.get("name", key)), str(c.get("category", "style")),
                    str(target.relative_to(media_root)), c["content_hash"],
                    level=Level.parse(c.get("level"), Level.BEGINNER),
                    energy=Energy.parse(c.get("energy"), Energy.MEDIUM), counts=int(c.get("counts") or 8),
                    source_path=f"shared plan {Path(path).name}"))
                store.queue.enqueue(clip.id or 0)
                id_map[int(c["ref_id"])] = clip.id or 0
                added += 1
            new_plan = plan
            for item in plan.items():
                if item.kind is ItemKind.MOVE and item.ref_id is not None:
                    new_plan = new_plan.update_item(item.id, ref_id=id_map.get(item.ref_id))
                elif item.kind in (ItemKind.CHOREOGRAPHY, ItemKind.SONG):
                    new_plan = new_plan.update_item(item.id, ref_id=None)  # not shared
            saved = save_plan(store, new_plan.with_(id=None))
            group = _import_group_member(store, shared_group)
    except BaseException:
        for p in written:
            if p.exists():
                p.unlink()
        raise
    return ImportedPlan(saved, added, matched, tuple(missing), group)


# -- a group shared with the plan (classes and students) -------------------------------------------
GROUP_MEMBER = "group.json"


def _group_member(store: Store, group_id: int | None) -> dict[str, bytes]:
    if group_id is None:
        return {}
    from bachata_desktop.services.group_export import shared_group

    return {GROUP_MEMBER: shared_group(store, group_id)}


def _read_group_member(data: dict[str, bytes]) -> dict[str, Any] | None:
    if GROUP_MEMBER not in data:
        return None
    from bachata_desktop.services.group_export import parse_shared_group

    return parse_shared_group(data[GROUP_MEMBER])


def _import_group_member(store: Store, parsed: dict[str, Any] | None) -> str | None:
    if parsed is None:
        return None
    from bachata_desktop.services.group_export import import_shared_group

    return import_shared_group(store, parsed).name
