"""``bachata-desktop export-video CHOREO.json OUT.mp4``: a choreography rendered to a video.

CHOREO.json is what ``generate --json`` prints (a :class:`~bachata_desktop.core.choreography.Choreography`
dict; a ``{"choreography": {...}}`` wrapper is accepted too). The song is the path recorded in it
unless ``--song`` is given; the clips come from the library in ``BACHATA_HOME``. ``--sheet`` also
writes the printable count sheet (``.pdf`` or ``.html``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bachata_desktop.cli.common import open_store, print_json
from bachata_desktop.core.errors import InputError

MAX_CHOREOGRAPHY_BYTES = 32 << 20


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("choreography", metavar="CHOREO.json", help="what `generate --json` printed")
    p.add_argument("out", metavar="OUT.mp4", help="the video to write")
    p.add_argument("--song", help="the song file (default: the path recorded in CHOREO.json)")
    p.add_argument("--preset", default="720p", choices=("480p", "720p", "1080p"),
                   help="video size (default 720p = 1280x720)")
    p.add_argument("--mirror", action="store_true", help="mirror the dancers left-right")
    p.add_argument("--no-overlays", action="store_true", help="no count or move-name overlays")
    p.add_argument("--no-next", action="store_true", help="do not show the next move's name")
    p.add_argument("--sheet", metavar="OUT.pdf|OUT.html", help="also write the count sheet")
    p.add_argument("--json", action="store_true", help="print the export report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def load_choreography(path: str | Path) -> Any:
    """Read a choreography JSON file; InputError with a one-line reason if it is not one.

    The file is checked against the one choreography schema (core/formats.py) before use.
    """
    from bachata_desktop.core.choreography import Choreography
    from bachata_desktop.core.formats import CHOREOGRAPHY
    from bachata_desktop.core.schema import SchemaError, load_json, validate

    p = Path(path)
    try:
        if p.stat().st_size > MAX_CHOREOGRAPHY_BYTES:
            raise InputError(f"{p.name} is too large to be a choreography")
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"choreography file not found: {p}") from None
    except OSError as exc:
        raise InputError(f"cannot read the choreography {p.name}: {exc.strerror or exc}") from None
    try:
        data = load_json(raw, "the file")
    except SchemaError as exc:
        raise InputError(f"cannot read the choreography {p.name}: {exc}") from None
    if isinstance(data, dict) and "slots" not in data and isinstance(data.get("choreography"), dict):
        data = data["choreography"]
    if not isinstance(data, dict):
        raise InputError(f"{p.name} is not a choreography (expected a JSON object)")
    try:
        validate(CHOREOGRAPHY, data, "")
        return Choreography.from_dict(data)
    except SchemaError as exc:
        raise InputError(f"{p.name} is not a valid choreography: {exc}") from None
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise InputError(f"{p.name} is not a valid choreography: {exc!r}") from None


def run(args: argparse.Namespace) -> int:
    from bachata_desktop.core.task import StderrContext
    from bachata_desktop.services.video_export import export_video

    choreo = load_choreography(args.choreography)
    if args.sheet and Path(args.sheet).suffix.lower() not in (".pdf", ".html", ".htm"):
        raise InputError(f"--sheet must end in .pdf or .html: {args.sheet}")
    store = open_store()
    try:
        ctx = StderrContext("export-video", quiet=args.quiet)
        report = export_video(store, choreo, args.song, args.out, ctx, preset=args.preset,
                              mirror=args.mirror, overlays=not args.no_overlays,
                              show_next=not args.no_next)
        sheet = None
        if args.sheet:
            from bachata_desktop.services.count_sheet import export_count_sheet
            from bachata_desktop.ui.print_pdf import html_to_pdf  # the one PDF path (Qt)

            sheet = str(export_count_sheet(store, choreo, args.sheet,
                                           pdf_writer=lambda h, o, t: html_to_pdf(h, o, title=t)))
    finally:
        store.close()
    if args.json:
        print_json({**report.to_dict(), "sheet": sheet})
    else:
        print(f"wrote {report.path} ({report.duration_s:.1f} s, {report.width}x{report.height}, "
              f"{report.realtime_factor:.1f}x real time)" + (f" and {sheet}" if sheet else ""))
    return 0
