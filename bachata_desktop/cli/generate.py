"""``bachata-desktop generate --song FILE [...] [--json]``: a choreography from the command line.

Runs against the library in ``BACHATA_HOME``. The song's analysis comes from the library when the
same file was imported (with the instructor's grid corrections), else it is analysed now. The
free-text ``--request`` goes to Gemini when online and configured, else to the offline parser; the
flags given explicitly win over what the text says. ``--json`` prints exactly the choreography JSON
(song, tempo, slots with start, end, counts, clip_id, rate, reasons, alternatives); ``--out``
writes it to a file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bachata_desktop.core.choreography import Request, Span, Style
from bachata_desktop.core.clip import CATEGORIES, Energy, Level, RoleFocus


def _categories(text: str) -> tuple[str, ...]:
    from bachata_desktop.core.errors import InputError

    cats = tuple(c.strip().lower() for c in text.split(",") if c.strip())
    bad = [c for c in cats if c not in CATEGORIES]
    if bad:
        raise InputError(f"unknown move family {bad[0]!r} (known: {', '.join(CATEGORIES)})")
    return cats


def _seed(text: str) -> int:
    """A seed the random generators accept: a whole number from 0 to 2**63 - 1."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= v < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and {2**63 - 1}, not {v}")
    return v


def _seconds(text: str) -> float:
    import math

    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (math.isfinite(v) and v >= 0):
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds, not {text}")
    return v


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--song", type=Path, required=True, help="song file to dance to")
    parser.add_argument("--level", choices=[v.value for v in Level])
    parser.add_argument("--energy", choices=[v.value for v in Energy],
                        help="overall energy (default: follow the song's sections)")
    parser.add_argument("--style", choices=[v.value for v in Style])
    parser.add_argument("--role", choices=[v.value for v in RoleFocus])
    parser.add_argument("--include", default="", help="move families to include, comma-separated")
    parser.add_argument("--avoid", default="", help="move families to avoid, comma-separated")
    parser.add_argument("--start", type=_seconds, help="fill the song from this second")
    parser.add_argument("--end", type=_seconds, help="fill the song up to this second")
    parser.add_argument("--request", default="", help="free-text request (English or Spanish)")
    parser.add_argument("--offline-parser", action="store_true",
                        help="never ask Gemini, parse the request offline")
    parser.add_argument("--seed", type=_seed, default=0, help="same seed, same choreography")
    parser.add_argument("--out", type=Path, help="write the choreography JSON to this file")
    parser.add_argument("--json", action="store_true", help="print the choreography JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def build_request(args: argparse.Namespace) -> Request:
    """The form from the flags, refined by the free text, then the explicit flags again."""
    explicit: dict[str, object] = {}
    if args.level:
        explicit["level"] = Level(args.level)
    if args.energy:
        explicit["energy"] = Energy(args.energy)
    if args.style:
        explicit["style"] = Style(args.style)
    if args.role:
        explicit["role_focus"] = RoleFocus(args.role)
    if args.include:
        explicit["include"] = _categories(args.include)
    if args.avoid:
        explicit["avoid"] = _categories(args.avoid)
    span = Span(start_s=args.start, end_s=args.end) if (args.start is not None
                                                       or args.end is not None) else None
    req = Request(span=span, seed=int(args.seed), source="cli").with_(**explicit)
    if args.request.strip():
        if args.offline_parser:
            from bachata_desktop.analysis.llm.offline_parser import parse_request

            req = parse_request(args.request, req)
        else:
            from bachata_desktop.services.generate import understand_request

            req = understand_request(args.request, req)
        req = req.with_(**explicit)
        if "avoid" in explicit or "include" in explicit:
            req = req.with_(include=tuple(c for c in req.include if c not in req.avoid))
    return req


def _write_atomic(path: Path, text: str) -> None:
    from bachata_desktop.services.export_files import write_atomic

    write_atomic(path.expanduser(), text.encode("utf-8"), make_parent=True)


def run(args: argparse.Namespace) -> int:
    from bachata_desktop.cli.common import open_store, print_json
    from bachata_desktop.core.task import StderrContext
    from bachata_desktop.services.generate import generate_for_file

    request = build_request(args)
    ctx = StderrContext(label="generate", quiet=args.quiet or not sys.stderr.isatty())
    store = open_store()
    try:
        result = generate_for_file(ctx, store, args.song, request, seed=args.seed)
    finally:
        store.close()
    ch = result.choreography
    data = ch.to_dict()
    if args.out:
        _write_atomic(args.out, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    if args.json:
        print_json(data)
        return 0
    print(f"{ch.song.title}: {ch.tempo:.1f} BPM, {len(ch.slots)} moves, seed {ch.seed}")
    for i, s in enumerate(ch.slots):
        print(f"{i + 1:3d}  {s.start:7.2f}-{s.end:7.2f} s  {s.counts:2d} counts  "
              f"{s.section:7s} {s.name} [{s.category}] x{s.rate:.2f}")
    for note in ch.notes:
        print(f"note: {note}")
    if args.out:
        print(f"written to {args.out}")
    return 0
