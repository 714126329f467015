"""Classes and students on the command line.

One module serves four subcommands (``group``, ``session``, ``progress``, ``suggest``): which one
is read from the parser's name, so ``cli/__init__.py`` registers each with one line.
"""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path
from typing import Any

from bachata_desktop.cli.common import open_store, print_json


def add_arguments(p: argparse.ArgumentParser) -> None:
    command = p.prog.split()[-1]
    p.set_defaults(_groups_command=command)
    if command == "group":
        sub = p.add_subparsers(dest="group_command", metavar="ACTION", required=True)
        ls = sub.add_parser("list", help="list groups")
        ls.add_argument("--all", action="store_true", help="include archived groups")
        ls.add_argument("--json", action="store_true")
        add = sub.add_parser("add", help="create a group")
        add.add_argument("name")
        add.add_argument("--level", default="beginner")
        add.add_argument("--notes", default="")
        add.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="a group: students, sessions, progress")
        show.add_argument("group", help="group name or id")
        show.add_argument("--json", action="store_true")
        ex = sub.add_parser("export", help="export a group's overview (by extension: .pdf or .csv)")
        ex.add_argument("group", help="group name or id")
        ex.add_argument("out", type=Path)
    elif command == "session":
        sub = p.add_subparsers(dest="session_command", metavar="ACTION", required=True)
        add = sub.add_parser("add", help="record a class taught to a group")
        add.add_argument("group", help="group name or id")
        add.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")
        add.add_argument("--plan", type=int, default=None, help="class plan id taught")
        add.add_argument("--clip", type=int, action="append", default=[], help="a move id taught")
        add.add_argument("--student", type=int, action="append", default=[],
                         help="a student id who came")
        add.add_argument("--title", default="")
        add.add_argument("--json", action="store_true")
    else:  # progress, suggest
        p.add_argument("group", help="group name or id")
        p.add_argument("--json", action="store_true")
        if command == "progress":
            p.add_argument("--student", default=None,
                           help="one student's own progress (name or id, in the group)")
        if command == "suggest":
            p.add_argument("--date", default=None, help="as if today were YYYY-MM-DD")


def run(args: argparse.Namespace) -> int:
    from bachata_desktop.services import groups

    store = open_store()
    try:
        command = args._groups_command
        if command == "group":
            return _group(store, args)
        if command == "session":
            g = groups.find_group(store, args.group)
            s = groups.record_session(store, g.id or 0, args.date or _dt.date.today().isoformat(),
                                      plan_id=args.plan, clip_ids=args.clip, title=args.title,
                                      attendance=args.student)
            info = {"session_id": s.id, "group": g.name, "date": s.date, "title": s.title,
                    "clip_ids": list(s.clip_ids), "attendance": list(s.attendance)}
            if args.json:
                print_json(info)
            else:
                print(f"session {s.id}: {g.name} on {s.date}, {len(s.clip_ids)} moves taught")
            return 0
        g = groups.find_group(store, args.group)
        if command == "progress":
            st = groups.find_member(store, g.id or 0, args.student) if args.student else None
            rows = groups.progress_rows(store, g.id or 0, st.id if st else None)
            if args.json:
                info = {"group": g.name, "level": g.level.value, "moves": rows}
                if st is not None:
                    info["student"] = {"id": st.id, "name": st.name, "level": st.level.value}
                print_json(info)
            else:
                if st is not None:
                    print(f"{st.name} in {g.name}")
                for r in rows:
                    print(f"{r['clip_id']:>4}  {r['status']:<10}  {r['last_taught'] or '----------'}  "
                          f"{r['name']}")
            return 0
        today = _parse_day(args.date)
        sug = groups.suggestions(store, g.id or 0, today)
        clips = {c.id: c for c in store.clips.list()}
        if args.json:
            print_json({"group": g.name, "level": g.level.value, "date": today.isoformat(),
                        "review": [s.to_dict(clips) for s in sug.review],
                        "new": [s.to_dict(clips) for s in sug.new],
                        "waiting": [{"clip_id": c, "needs": list(n)} for c, n in sug.waiting]})
        else:
            for s in sug.all():
                d = s.to_dict(clips)
                print(f"{d['kind']:<7} {d['clip_id']:>4}  {d['name']}  ({d['reason']})")
        return 0
    finally:
        store.close()


def _parse_day(text: str | None) -> _dt.date:
    from bachata_desktop.core.groups import parse_date

    return _dt.date.fromisoformat(parse_date(text)) if text else _dt.date.today()


def _group(store: Any, args: argparse.Namespace) -> int:
    from bachata_desktop.services import group_export, groups

    if args.group_command == "list":
        rows = [{"group_id": g.id, "name": g.name, "level": g.level.value, "archived": g.archived,
                 "students": len(store.groups.members(g.id or 0)),
                 "sessions": store.groups.session_count(g.id or 0)}
                for g in store.groups.list_groups(include_archived=args.all)]
        if args.json:
            print_json(rows)
        else:
            for r in rows:
                print(f"{r['group_id']:>4}  {r['name']}  ({r['level']}, {r['students']} students, "
                      f"{r['sessions']} sessions{', archived' if r['archived'] else ''})")
        return 0
    if args.group_command == "add":
        g = groups.create_group(store, args.name, args.level, args.notes)
        if args.json:
            print_json({"group_id": g.id, "name": g.name, "level": g.level.value})
        else:
            print(f"group {g.id}: {g.name}")
        return 0
    g = groups.find_group(store, args.group)
    if args.group_command == "export":
        from bachata_desktop.ui.print_pdf import html_to_pdf  # the one PDF path (Qt)

        group_export.export_overview(
            store, g.id or 0, args.out,
            pdf_writer=lambda h, o, t: html_to_pdf(h, o, title=t, landscape=True))
        print(args.out)
        return 0
    ov = group_export.overview(store, g.id or 0)
    if args.json:
        print_json(ov.to_dict())
    else:
        print(f"{g.name} ({g.level.value}){' - archived' if g.archived else ''}")
        print(f"students: {', '.join(s.name for s in ov.students) or '-'}")
        for s in ov.sessions:
            print(f"  {s.date}  {s.title or '(no title)'}  {len(s.clip_ids)} moves")
        counts = ov.counts()
        print("moves: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0

