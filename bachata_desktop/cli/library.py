"""``bachata-desktop library ...``: the move library from the command line.

``import PATH... [--annotations FILE] [--no-analyze]`` copies clips in and (unless told not to)
runs the analysis queue until it is empty, with progress on stderr; ``list``, ``search TEXT``,
``similar CLIP_ID`` print JSON with ``--json``; ``export FILE`` and ``restore FILE`` back the
library up and bring it back. Search results are ``{clip_id, name, move_label, score}``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bachata_desktop.cli.common import open_store, print_json
from bachata_desktop.core.clip import Clip
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.task import StderrContext


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="import clip files or folders (and analyse them)")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.add_argument("--annotations", type=Path, metavar="FILE",
                     help="a bachata_annotations.json of the original web app")
    imp.add_argument("--no-analyze", action="store_true", help="import only; analyse later")
    imp.add_argument("--json", action="store_true")
    lst = sub.add_parser("list", help="every clip with its metadata")
    lst.add_argument("--json", action="store_true")
    se = sub.add_parser("search", help="text + semantic search")
    se.add_argument("text")
    se.add_argument("-k", type=int, default=10)
    se.add_argument("--json", action="store_true")
    si = sub.add_parser("similar", help="clips most similar to a clip (id or clip key)")
    si.add_argument("clip")
    si.add_argument("-k", type=int, default=10)
    si.add_argument("--json", action="store_true")
    an = sub.add_parser("analyze", help="run the analysis queue until it is empty")
    an.add_argument("--json", action="store_true")
    ex = sub.add_parser("export", help="write the whole library to one archive")
    ex.add_argument("file", type=Path)
    ex.add_argument("--json", action="store_true")
    rs = sub.add_parser("restore", help="replace the library with an exported archive")
    rs.add_argument("file", type=Path)
    rs.add_argument("--json", action="store_true")


def clip_to_dict(c: Clip) -> dict[str, Any]:
    return {"clip_id": c.id, "clip_key": c.clip_key, "name": c.name, "move_label": c.category,
            "category": c.category, "level": c.level.value, "energy": c.energy.value,
            "role_focus": c.role_focus.value, "duration_s": c.duration_s, "fps": c.fps,
            "width": c.width, "height": c.height, "tempo_bpm": c.tempo_bpm, "counts": c.counts,
            "start_hold": c.start_hold.value, "end_hold": c.end_hold.value, "tags": list(c.tags),
            "notes": c.notes, "teaching_notes": c.teaching_notes, "media_path": c.media_path,
            "content_hash": c.content_hash, "analysis_state": c.analysis_state.value,
            "analysis_error": c.analysis_error, "lead_follow_flipped": c.lead_follow_flipped,
            "added_at": c.added_at, "updated_at": c.updated_at}


def _indexes(store: Any) -> Any:
    from bachata_desktop.store.indexes.hnsw import IndexSet

    return IndexSet(store.paths.indexes, store.embeddings)


def _resolve_clip(store: Any, ref: str) -> Clip:
    clip = store.clips.get(int(ref)) if ref.strip().isdigit() else None
    if clip is None:
        clip = store.clips.get_by_key(ref.strip())
    if clip is None:
        raise InputError(f"no clip with id or key {ref!r} in the library")
    return clip


def _hits_json(hits: list[Any]) -> list[dict[str, Any]]:
    return [{"clip_id": h.clip.id, "name": h.clip.name, "move_label": h.clip.category,
             "score": round(float(h.score), 4), "why": h.why} for h in hits]


def _print_hits(hits: list[Any], as_json: bool) -> None:
    if as_json:
        print_json(_hits_json(hits))
        return
    for h in hits:
        print(f"{h.score:6.3f}  {h.clip.id:>5}  {h.clip.name}  [{h.clip.category}]  {h.why}")


def _run_queue(store: Any) -> dict[str, Any]:
    from bachata_desktop.services.clip_analysis import run_queue

    summary = run_queue(store, _indexes(store), StderrContext("analysis"))
    return {"analysed": summary.done, "failed": summary.failed}


def _do_import(args: argparse.Namespace, store: Any) -> int:
    from bachata_desktop.services.library_import import import_clips

    report = import_clips(store, args.paths, StderrContext("import"), annotations=args.annotations,
                          enqueue_analysis=True)
    for p in report.skipped:
        print(f"skipped {p.path}: {p.message}", file=sys.stderr)
    out: dict[str, Any] = {
        "imported": [clip_to_dict(c) for c in report.imported],
        "duplicates": [{"clip_id": c.id, "name": c.name} for c in report.duplicates],
        "skipped": [{"path": p.path, "message": p.message} for p in report.skipped],
    }
    if not args.no_analyze:
        out["analysis"] = _run_queue(store)
        fresh = store.clips.get_many([c.id for c in report.imported])
        out["imported"] = [clip_to_dict(fresh[c.id]) for c in report.imported if c.id in fresh]
    if args.json:
        print_json(out)
    else:
        print(report.summary)
        if "analysis" in out:
            a = out["analysis"]
            print(f"analysis: {len(a['analysed'])} done, {len(a['failed'])} failed")
    if not report.imported and not report.duplicates and report.skipped:
        return 2
    return 0


def run(args: argparse.Namespace) -> int:
    store = open_store(say_read_only=args.action != "restore")  # restore says it itself
    try:
        if args.action == "import":
            return _do_import(args, store)
        if args.action == "list":
            clips = store.clips.list()
            if args.json:
                print_json([clip_to_dict(c) for c in clips])
            else:
                for c in clips:
                    print(f"{c.id:>5}  {c.name}  [{c.category}]  {c.level.value}  "
                          f"{c.duration_s:.1f}s  {c.analysis_state.value}")
            return 0
        if args.action == "analyze":
            res = _run_queue(store)
            if args.json:
                print_json(res)
            else:
                print(f"analysis: {len(res['analysed'])} done, {len(res['failed'])} failed")
            return 0
        if args.action == "search":
            from bachata_desktop.services.search import search

            _print_hits(search(store, _indexes(store), args.text, args.k), args.json)
            return 0
        if args.action == "similar":
            from bachata_desktop.services.search import similar

            clip = _resolve_clip(store, args.clip)
            _print_hits(similar(store, _indexes(store), clip.id, args.k), args.json)
            return 0
        if args.action == "export":
            from bachata_desktop.services.backup import export_library

            info = export_library(store, args.file, StderrContext("export"))
            print_json(info.to_dict()) if args.json else print(f"exported to {args.file}")
            return 0
        if args.action == "restore":
            from bachata_desktop.services.backup import restore_library

            paths = store.paths
            store.close()
            store = None
            info = restore_library(paths, args.file, StderrContext("restore"))
            print_json(info.to_dict()) if args.json else print(f"restored from {args.file}")
            return 0
        raise InputError(f"unknown library action {args.action!r}")
    finally:
        if store is not None:
            store.close()
