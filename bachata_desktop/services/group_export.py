"""A group's overview (timeline of sessions, moves x status) as data, CSV and PDF; and the group
part of a shared plan file.

The PDF goes through the app's one PDF path, Qt's HTML-to-PDF (``ui/print_pdf.html_to_pdf``, passed
in by the caller so services stay Qt-free), like the plans and the count sheet: any script a font
covers prints as typed. A shared group (``group.json`` in a ``.bbplan``) names
moves by content hash, since ids differ between libraries; it is validated completely before
anything is written.
"""

from __future__ import annotations

import csv
import html
import io
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bachata_desktop.core.clip import Clip, category_label, move_title
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.groups import (
    Group,
    Progress,
    Session,
    Status,
    Student,
    clean_name,
    clean_notes,
    parse_date,
    parse_level,
    status_counts,
    unique_name,
)
from bachata_desktop.core.suggest import parse_token
from bachata_desktop.services import export_files
from bachata_desktop.services.groups import get_group
from bachata_desktop.store import Store

SHARE_FORMAT = "bachata-buddy-group"
MAX_SHARED_MOVES = 5000


@dataclass(frozen=True)
class OverviewRow:
    clip: Clip
    progress: Progress
    students: tuple[str, ...]        # each member's status for the move ("" if none)


@dataclass(frozen=True)
class Overview:
    group: Group
    students: tuple[Student, ...]
    sessions: tuple[Session, ...]
    rows: tuple[OverviewRow, ...]

    def counts(self) -> dict[str, int]:
        return status_counts({r.clip.id or 0: r.progress for r in self.rows})

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": {"id": self.group.id, "name": self.group.name, "level": self.group.level.value,
                      "notes": self.group.notes, "archived": self.group.archived},
            "students": [{"id": s.id, "name": s.name, "level": s.level.value} for s in self.students],
            "sessions": [{"id": s.id, "date": s.date, "title": s.title, "plan_id": s.plan_id,
                          "clip_ids": list(s.clip_ids), "attendance": list(s.attendance)}
                         for s in self.sessions],
            "moves": [{"clip_id": r.clip.id, "name": move_title(r.clip.name),
                       "category": r.clip.category, "status": r.progress.status.value,
                       "last_taught": r.progress.last_taught, "times_taught": r.progress.times_taught,
                       "students": dict(zip((s.name for s in self.students), r.students, strict=True))}
                      for r in self.rows],
            "counts": self.counts(),
        }


def overview(store: Store, group_id: int) -> Overview:
    g = get_group(store, group_id)
    students = tuple(store.groups.members(group_id))
    progress = store.groups.progress(group_id)
    # a move deleted from the library leaves the overview (its progress stays for an undo)
    clips = store.clips.get_many(list(progress), include_deleted=False)
    per_student = [store.groups.student_progress(s.id or 0) for s in students]
    rows = []
    for cid, p in progress.items():
        clip = clips.get(cid)
        if clip is None:
            continue
        rows.append(OverviewRow(clip, p, tuple(sp[cid].status.value if cid in sp else ""
                                                for sp in per_student)))
    rows.sort(key=lambda r: (-r.progress.status.rank, r.clip.category, r.clip.name.lower()))
    return Overview(g, students, tuple(store.groups.sessions(group_id)), tuple(rows))


def to_csv(ov: Overview) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["move", "family", "level", "status", "last taught", "times taught",
                *(s.name for s in ov.students)])
    for r in ov.rows:
        w.writerow([move_title(r.clip.name), category_label(r.clip.category), r.clip.level.value,
                    r.progress.status.value, r.progress.last_taught, r.progress.times_taught,
                    *r.students])
    w.writerow([])
    w.writerow(["session date", "title", "moves", "attended"])
    for s in ov.sessions:
        w.writerow([s.date, s.title, len(s.clip_ids), len(s.attendance)])
    return out.getvalue()


def to_html(ov: Overview) -> str:
    """The overview as a printable HTML page: the moves x status table, then the sessions."""
    g = ov.group
    e = html.escape
    counts = ov.counts()
    names = [s.name for s in ov.students][:8]   # a page holds about eight student columns
    head = "".join(f"<th>{e(h)}</th>" for h in
                   ("Move", "Family", "Status", "Last taught", "Times", *names))
    body = "".join(
        "<tr>" + f"<td><b>{e(move_title(r.clip.name))}</b></td>"
        + "".join(f"<td>{e(x)}</td>" for x in (
            category_label(r.clip.category), r.progress.status.label,
            r.progress.last_taught or "-", str(r.progress.times_taught),
            *(x.capitalize() or "-" for x in r.students[:len(names)])))
        + "</tr>" for r in ov.rows)
    sub = (f"{g.level.value.capitalize()} · {len(ov.students)} students · {len(ov.sessions)} "
           "sessions · " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    notes = g.notes.strip().splitlines()[0][:200] if g.notes.strip() else ""
    sessions = "".join(
        f"<li>{e(s.date)} {e(s.title or '(no title)')}: {len(s.clip_ids)} moves"
        + (f", {len(s.attendance)} came" if s.attendance else "") + "</li>" for s in ov.sessions)
    return (
        "<html><head><meta charset='utf-8'><style>"
        "body{font-family:sans-serif;font-size:9pt} h1{font-size:15pt;margin:0}"
        "table{border-collapse:collapse;width:100%} th,td{border:1px solid #bbb;padding:2px 4px;"
        "text-align:left} th{background:#eee}</style></head><body>"
        f"<h1>{e(g.name)}: progress</h1><p>{e(sub)}</p>"
        + (f"<p><i>{e(notes)}</i></p>" if notes else "")
        + f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        + (f"<h2>Sessions</h2><ul>{sessions}</ul>" if sessions else "<p>No sessions recorded yet.</p>")
        + "</body></html>")


# (html, out, title) -> out: ``ui.print_pdf.html_to_pdf`` (Qt's HTML-to-PDF, atomic write)
PdfWriter = Callable[[str, Path, str], Path]


def export_overview(store: Store, group_id: int, out: Path,
                    pdf_writer: PdfWriter | None = None) -> Path:
    """Write the overview as ``.csv`` or ``.pdf`` (by the file's extension), atomically.

    A PDF needs the caller's ``pdf_writer`` (``ui.print_pdf.html_to_pdf``).
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".pdf"):
        raise InputError("The output file must end in .pdf or .csv")
    ov = overview(store, group_id)
    if suffix == ".pdf":
        if pdf_writer is None:
            raise ValueError("a PDF overview needs the caller's pdf_writer (ui.print_pdf)")
        out.parent.mkdir(parents=True, exist_ok=True)
        return Path(pdf_writer(to_html(ov), out, f"{ov.group.name}: progress"))
    export_files.write_atomic(out, to_csv(ov).encode("utf-8-sig"), make_parent=True)
    return out


# -- sharing a group with a plan -------------------------------------------------------------------
def shared_group(store: Store, group_id: int) -> bytes:
    """The ``group.json`` of a plan share: the group, its sessions' dates and its progress."""
    ov = overview(store, group_id)
    g = ov.group
    data = {"format": SHARE_FORMAT, "version": 1, "name": g.name, "level": g.level.value,
            "notes": g.notes,
            "sessions": [{"date": s.date, "title": s.title} for s in ov.sessions],
            "moves": [{"content_hash": r.clip.content_hash, "name": r.clip.name,
                       "status": r.progress.status.value, "last_taught": r.progress.last_taught,
                       "times_taught": r.progress.times_taught} for r in ov.rows]}
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def parse_shared_group(blob: bytes) -> dict[str, Any]:
    """Validate a shared ``group.json`` completely; InputError naming what is wrong."""
    try:
        d = json.loads(blob.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"The shared group is not valid JSON ({exc}).") from exc
    if not isinstance(d, dict) or d.get("format") != SHARE_FORMAT:
        raise InputError("The shared group has an unknown format.")
    if not isinstance(d.get("version"), int) or d["version"] > 1:
        raise InputError("The shared group was written by a newer version of Bachata Buddy.")
    moves, sessions = d.get("moves", []), d.get("sessions", [])
    if not isinstance(moves, list) or not isinstance(sessions, list) or len(moves) > MAX_SHARED_MOVES:
        raise InputError("The shared group is malformed (moves or sessions).")
    out_moves = []
    for m in moves:
        if not isinstance(m, dict) or not isinstance(m.get("content_hash"), str):
            raise InputError("The shared group is malformed (a move without its hash).")
        last = m.get("last_taught") or ""
        out_moves.append({"content_hash": m["content_hash"], "status": Status.parse(m.get("status")),
                          "last_taught": parse_date(last) if last else "",
                          "times_taught": _count(m.get("times_taught", 0))})
    out_sessions = []
    for s in sessions:
        if not isinstance(s, dict):
            raise InputError("The shared group is malformed (a session).")
        out_sessions.append({"date": parse_date(s.get("date")),
                             "title": clean_notes(s.get("title", ""))})
    return {"name": clean_name(d.get("name"), "group name"), "level": parse_level(d.get("level")),
            "notes": clean_notes(d.get("notes", "")), "moves": out_moves, "sessions": out_sessions}


def _count(v: Any) -> int:
    if not isinstance(v, int) or v < 0:
        raise InputError(f"The shared group is malformed (times taught {v!r}).")
    return v


def import_shared_group(store: Store, parsed: dict[str, Any]) -> Group:
    """Add a validated shared group as a new group (renamed if the name is taken) with its progress."""
    taken = [g.name for g in store.groups.list_groups(include_archived=True)]
    name = unique_name(parsed["name"], taken)
    with store.db.write():
        g = store.groups.add_group(Group(name, parsed["level"], parsed["notes"]))
        for m in parsed["moves"]:
            clip = store.clips.get_by_hash(m["content_hash"])
            if clip is None or clip.id is None:
                continue  # a move not in this library (and not in the file): nothing to track
            store.groups.put_progress(g.id or 0, Progress(clip.id, m["status"], m["last_taught"],
                                                          m["times_taught"]))
        for s in parsed["sessions"]:
            store.groups.add_session(Session(g.id or 0, s["date"], s["title"]))
    return g


# -- a restored library's classes ------------------------------------------------------------------
def check_class_rows(conn: sqlite3.Connection) -> None:
    """Refuse (InputError) classes data the app could not read back: a malformed archive.

    The schema's own checks hold for databases this app wrote; an archive is treated as hostile,
    so its statuses, dates, move lists and prerequisites are read the way the app will read them.
    """
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "class_sessions" not in have:
        return  # an archive from before classes existed: the migration adds the tables
    try:
        for table in ("group_progress", "student_progress"):
            for status, last in conn.execute(f"SELECT status, last_taught FROM {table}"):
                Status.parse(status)
                if last:
                    parse_date(last)
        for date, clip_ids in conn.execute("SELECT session_date, clip_ids FROM class_sessions"):
            parse_date(date)
            ids = json.loads(clip_ids)
            if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
                raise InputError(f"a session's moves are not a list of ids ({clip_ids[:40]!r})")
        for (requires,) in conn.execute("SELECT requires FROM move_prerequisites"):
            tokens = json.loads(requires)
            if not isinstance(tokens, list):
                raise InputError(f"prerequisites are not a list ({requires[:40]!r})")
            for t in tokens:
                parse_token(t)
        for (level,) in conn.execute("SELECT level FROM class_groups UNION ALL SELECT level FROM students"):
            parse_level(level)
    except (ValueError, TypeError, sqlite3.Error, InputError) as exc:
        raise InputError(f"the archive's classes and students data is malformed ({exc}); refused") \
            from exc
