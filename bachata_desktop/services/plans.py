"""Class plans: save, list, duplicate, autosave/recover, render to HTML, share as one file.

Autosave writes the whole plan to a temp file, fsyncs it and swaps it in with ``os.replace``, so a
crash mid-write leaves the previous autosave intact. A shared plan (``.bbplan``) is a zip with
``plan.json``, ``manifest.json`` (checksums) and optionally the media of the moves it uses; import
validates all of it before touching the library and refuses a bad file with nothing changed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import os
import re
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from bachata_desktop.core.clip import Clip, category_label
from bachata_desktop.core.documents import StoredDocument
from bachata_desktop.core.errors import InputError, StorageError
from bachata_desktop.core.formats import PLAN, PLAN_BUNDLE_MANIFEST
from bachata_desktop.core.plan import ClassPlan, ItemKind
from bachata_desktop.core.schema import load_document
from bachata_desktop.core.thumbnails import thumbnail_file
from bachata_desktop.services import export_files
from bachata_desktop.services.library_import import file_hash
from bachata_desktop.services.zip_guard import ZipLimits, copy_member, open_checked, read_member
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
    """Write ``plan`` (and, optionally, the clips it uses) as one ``.bbplan`` file.

    Media are streamed from disk (never held in memory whole); each clip is listed once.
    """
    members: dict[str, bytes | Path] = {}
    digests: dict[str, str] = {}
    clips: list[dict[str, Any]] = []
    seen: set[int] = set()
    for item in plan.items():
        if item.kind is not ItemKind.MOVE or item.ref_id is None or item.ref_id in seen:
            continue
        seen.add(item.ref_id)
        clip = store.clips.get(item.ref_id)
        if clip is None:
            continue
        entry = {"ref_id": clip.id, "clip_key": clip.clip_key, "name": clip.name,
                 "category": clip.category, "level": clip.level.value, "energy": clip.energy.value,
                 "content_hash": clip.content_hash, "counts": clip.counts, "media": None}
        media = store.media_file(clip.media_path)
        if include_media and media.is_file():
            name = f"media/{clip.content_hash[:16]}{media.suffix.lower()}"
            members[name] = media
            digests[name] = file_hash(media)
            entry["media"] = name
        clips.append(entry)
    members["plan.json"] = json.dumps(plan.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
    digests["plan.json"] = hashlib.sha256(members["plan.json"]).hexdigest()  # type: ignore[arg-type]
    for name, blob in _group_member(store, group_id).items():
        members[name] = blob
        digests[name] = hashlib.sha256(blob).hexdigest()
    manifest = {"format": BUNDLE_FORMAT, "version": 1, "clips": clips, "files": digests}
    members["manifest.json"] = json.dumps(manifest, indent=1).encode("utf-8")
    out = Path(out)
    tmp = out.with_name(f".{out.name}.partial")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                if isinstance(data, Path):
                    zf.write(data, name, compress_type=zipfile.ZIP_STORED)
                else:
                    zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
        os.replace(tmp, out)
    except OSError as exc:
        if tmp.exists():
            tmp.unlink()
        raise StorageError(f"Could not write {out}: {exc.strerror or exc}") from exc
    return out


BUNDLE_LIMITS = ZipLimits(max_members=MAX_MEMBERS, max_member_bytes=MAX_BUNDLE_MEDIA,
                          max_total_bytes=MAX_BUNDLE_MEDIA + 2 * MAX_BUNDLE_JSON,
                          what="the plan file")
_MEDIA_MEMBER = re.compile(r"media/[0-9a-f]{16}\.[a-z0-9]{1,8}")


@dataclass(frozen=True)
class Bundle:
    """A validated ``.bbplan``: its plan, manifest and media members (still in the zip)."""

    plan: ClassPlan
    manifest: dict[str, Any]
    media: dict[str, zipfile.ZipInfo]
    group: dict[str, Any] | None = None   # a class shared with the plan, validated


def read_bundle(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> Bundle:
    """Check a ``.bbplan`` opened by :func:`zip_guard.open_checked`: names, schema, checksums.

    Only the two small JSON members are read (each capped); media stay in the zip for
    :func:`import_bundle` to stream. InputError (one line) on anything wrong.
    """
    by_name = {i.filename: i for i in infos}
    if not {"plan.json", "manifest.json"} <= set(by_name):
        raise InputError("The plan file is missing plan.json or manifest.json.")
    for name in by_name:
        if (name not in ("plan.json", "manifest.json", GROUP_MEMBER)
                and not _MEDIA_MEMBER.fullmatch(name)):
            raise InputError(f"The plan file contains an unexpected file {name[:80]!r}; refused.")
        if name.startswith("media/") and by_name[name].compress_type != zipfile.ZIP_STORED:
            # videos do not compress: a compressed one can only be a zip bomb
            raise InputError(f"The plan file's {name} is compressed, which a video never is; "
                             "refused.")
    raw_manifest = read_member(zf, by_name["manifest.json"], MAX_BUNDLE_JSON, "the plan file")
    raw_plan = read_member(zf, by_name["plan.json"], MAX_BUNDLE_JSON, "the plan file")
    manifest = load_document(raw_manifest, PLAN_BUNDLE_MANIFEST, "the plan file's manifest")
    files = manifest["files"]
    if set(files) != set(by_name) - {"manifest.json"}:
        raise InputError("The plan file's manifest does not list exactly the files it holds; "
                         "refused.")
    if files["plan.json"] != hashlib.sha256(raw_plan).hexdigest():
        raise InputError("Checksum mismatch for plan.json: the plan file was altered or damaged.")
    plan = ClassPlan.from_dict(load_document(raw_plan, PLAN, "the plan file's plan.json"))
    clips = manifest.get("clips") or []
    refs = [c["ref_id"] for c in clips]
    if len(refs) != len(set(refs)):
        raise InputError("The plan file's manifest lists one move twice; refused.")
    media = {n: i for n, i in by_name.items() if n.startswith("media/")}
    for c in clips:
        if c.get("media") is not None and c["media"] not in media:
            raise InputError(f"The plan file lists media {c['media']!r} it does not contain.")
    group = None
    if GROUP_MEMBER in by_name:
        raw_group = read_member(zf, by_name[GROUP_MEMBER], MAX_BUNDLE_JSON, "the plan file")
        if files[GROUP_MEMBER] != hashlib.sha256(raw_group).hexdigest():
            raise InputError(f"Checksum mismatch for {GROUP_MEMBER}: the plan file was altered "
                             "or damaged.")
        group = _read_group_member(raw_group)   # validated before anything is written
    return Bundle(plan, manifest, media, group)


def _stage_media(zf: zipfile.ZipFile, info: zipfile.ZipInfo, c: dict[str, Any], expect: str,
                 staging: Path) -> tuple[Path, Any]:
    """Stream one media member to ``staging``, check its checksums and that it is a video."""
    from bachata_desktop.services.library_import import probe_video

    tmp = staging / PurePosixPath(info.filename).name
    _size, digest = copy_member(zf, info, tmp, MAX_BUNDLE_MEDIA, "the plan file")
    if digest != expect:
        raise InputError(f"Checksum mismatch for {info.filename}: the plan file was altered or "
                         "damaged.")
    if digest != c["content_hash"]:
        raise InputError(f"Media for {c.get('name')!r} do not match their checksum.")
    try:
        probe = probe_video(tmp)
    except InputError as exc:
        raise InputError(f"The plan file's media for {c.get('name')!r} is not a usable video "
                         f"({exc}); refused.") from None
    return tmp, probe


def import_bundle(store: Store, path: Path) -> ImportedPlan:
    """Validate ``path`` fully, then add its missing clips and the plan (as a new plan).

    All or nothing: media are streamed into a staging folder inside the library and checked
    (checksum, decodable video) before any row is written; then they are moved into place and
    the clips and the plan are added in one transaction.
    """
    from bachata_desktop.core.clip import Energy, Level

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path.name} is not a Bachata Buddy plan file (not found).")
    zf, infos = open_checked(path, BUNDLE_LIMITS)
    media_root = store.paths.media
    staging = media_root / f".bbplan-{os.getpid()}-{uuid.uuid4().hex[:8]}.part"
    written: list[Path] = []
    try:
        with zf:
            bundle = read_bundle(zf, infos)
            id_map: dict[int, int] = {}
            added = matched = 0
            missing: list[str] = []
            to_add: list[tuple[Path, Path, Any, dict[str, Any]]] = []
            files = bundle.manifest["files"]
            for c in bundle.manifest.get("clips") or []:
                existing = store.clips.get_by_hash(c["content_hash"])
                if existing is not None and existing.id is not None:
                    id_map[int(c["ref_id"])] = existing.id
                    matched += 1
                elif c.get("media"):
                    staging.mkdir(parents=True, exist_ok=True)  # beside the targets: renames
                    tmp, probe = _stage_media(zf, bundle.media[c["media"]], c, files[c["media"]],
                                              staging)
                    target = media_root / "shared" / f"{c['content_hash'][:16]}{tmp.suffix}"
                    to_add.append((tmp, target, probe, c))
                else:
                    missing.append(str(c.get("name") or "?"))
        # Everything is validated: move the media into place, then rows in one transaction.
        with store.db.write():
            for tmp, target, _probe, _c in to_add:
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    os.replace(tmp, target)
                    written.append(target)
            for _tmp, target, probe, c in to_add:
                key = str(c.get("clip_key") or c["content_hash"][:16])
                if store.clips.get_by_key(key) is not None:
                    key = f"{key}-{c['content_hash'][:8]}"
                clip = store.clips.add(Clip(
                    None, key, str(c.get("name") or key), str(c.get("category") or "style"),
                    str(target.relative_to(media_root).as_posix()), c["content_hash"],
                    level=Level.parse(c.get("level"), Level.BEGINNER),
                    energy=Energy.parse(c.get("energy"), Energy.MEDIUM),
                    counts=int(c.get("counts") or 8), duration_s=probe.duration_s, fps=probe.fps,
                    width=probe.width, height=probe.height,
                    source_path=f"shared plan {path.name}"))
                store.queue.enqueue(clip.id or 0)
                id_map[int(c["ref_id"])] = clip.id or 0
                added += 1
            new_plan = bundle.plan
            for item in bundle.plan.items():
                if item.kind is ItemKind.MOVE and item.ref_id is not None:
                    new_plan = new_plan.update_item(item.id, ref_id=id_map.get(item.ref_id))
                elif item.kind in (ItemKind.CHOREOGRAPHY, ItemKind.SONG):
                    new_plan = new_plan.update_item(item.id, ref_id=None)  # not shared
            saved = save_plan(store, new_plan.with_(id=None))
            group = _import_group_member(store, bundle.group)
    except BaseException:
        for p in written:
            with contextlib.suppress(OSError):
                p.unlink()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ImportedPlan(saved, added, matched, tuple(missing), group)


# -- a group shared with the plan (classes and students) -------------------------------------------
GROUP_MEMBER = "group.json"


def _group_member(store: Store, group_id: int | None) -> dict[str, bytes]:
    if group_id is None:
        return {}
    from bachata_desktop.services.group_export import shared_group

    return {GROUP_MEMBER: shared_group(store, group_id)}


def _read_group_member(raw: bytes) -> dict[str, Any]:
    from bachata_desktop.services.group_export import parse_shared_group

    return parse_shared_group(raw)


def _import_group_member(store: Store, parsed: dict[str, Any] | None) -> str | None:
    if parsed is None:
        return None
    from bachata_desktop.services.group_export import import_shared_group

    return import_shared_group(store, parsed).name
