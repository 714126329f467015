"""``bachata-desktop plan``: list, export (PDF/HTML), share and import class plans."""

from __future__ import annotations

import argparse
from pathlib import Path

from bachata_desktop.cli.common import open_store, print_json
from bachata_desktop.core.errors import InputError


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="list class plans")
    ls.add_argument("--json", action="store_true")
    ex = sub.add_parser("export", help="export a plan to PDF or HTML (by the file's extension)")
    ex.add_argument("plan_id", type=int)
    ex.add_argument("out", type=Path)
    sh = sub.add_parser("share", help="write a plan as one .bbplan file (with its media)")
    sh.add_argument("plan_id", type=int)
    sh.add_argument("out", type=Path)
    sh.add_argument("--no-media", action="store_true", help="leave the clips out")
    sh.add_argument("--group", default=None, help="include this group's progress (name or id)")
    im = sub.add_parser("import", help="import a shared .bbplan file")
    im.add_argument("file", type=Path)
    im.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from bachata_desktop.services import plans

    store = open_store()
    try:
        if args.plan_command == "list":
            rows = [{"plan_id": p.id, "title": p.title, "date": p.date, "level": p.level,
                     "minutes": p.total_minutes, "target_minutes": p.target_minutes}
                    for p in plans.list_plans(store)]
            if args.json:
                print_json(rows)
            else:
                for r in rows:
                    print(f"{r['plan_id']:>4}  {r['date'] or '----------'}  {r['title']}  "
                          f"({r['minutes']:.0f}/{r['target_minutes']:.0f} min)")
            return 0
        if args.plan_command == "export":
            plan = plans.load_plan(store, args.plan_id)
            html = plans.plan_html(store, plan)
            suffix = args.out.suffix.lower()
            if suffix in (".html", ".htm"):
                plans.write_atomic(args.out, html.encode("utf-8"))
            elif suffix == ".pdf":
                from bachata_desktop.ui.print_pdf import html_to_pdf

                html_to_pdf(html, args.out, title=plan.title)
            else:
                raise InputError("The output file must end in .pdf or .html")
            print(args.out)
            return 0
        if args.plan_command == "share":
            plan = plans.load_plan(store, args.plan_id)
            group_id = None
            if args.group:
                from bachata_desktop.services.groups import find_group

                group_id = find_group(store, args.group).id
            plans.export_bundle(store, plan, args.out, include_media=not args.no_media,
                                group_id=group_id)
            print(args.out)
            return 0
        if args.plan_command == "import":
            result = plans.import_bundle(store, args.file)
            info = {"plan_id": result.plan.id, "title": result.plan.title,
                    "clips_added": result.clips_added, "clips_matched": result.clips_matched,
                    "missing_moves": list(result.missing_moves), "group": result.group}
            if args.json:
                print_json(info)
            else:
                print(f"imported plan {info['plan_id']}: {info['title']}")
            return 0
    finally:
        store.close()
    return 2
