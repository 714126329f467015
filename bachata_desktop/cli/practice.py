"""``bachata-desktop practice-audio SONG OUT``: a counted practice track for a student's phone.

The song slowed with its pitch kept (``--speed``, 0.5-1.0), counted by voice or click, optionally a
span (``--from``/``--to`` seconds), a choreography's move names called a phrase ahead, and a
"5 6 7 8" count-in. OUT ends in .m4a, .mp3 or .wav. ``--json`` prints the report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bachata_desktop.core.count_cues import COUNT_MODES, LANGS, STEP_MODES


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("song", type=Path, help="the song file (wav, mp3, m4a, ...)")
    p.add_argument("out", type=Path, help="the track to write: .m4a (AAC), .mp3 or .wav")
    p.add_argument("--speed", type=float, default=0.75, help="0.5-1.0, pitch kept (default 0.75)")
    p.add_argument("--counts", choices=COUNT_MODES, default="voice", help="voice (default), click, none")
    p.add_argument("--lang", choices=LANGS, default="en", help="spoken counts: en (default) or es")
    p.add_argument("--steps", choices=STEP_MODES, default="eight",
                   help="speak all eight counts (default) or the six steps (1 2 3, 5 6 7)")
    p.add_argument("--from", dest="start", type=float, default=None, metavar="T",
                   help="span start in seconds")
    p.add_argument("--to", dest="end", type=float, default=None, metavar="T", help="span end in seconds")
    p.add_argument("--choreography", metavar="FILE",
                   help="a choreography JSON: its move names are called a phrase ahead")
    p.add_argument("--count-in", action="store_true", help='"5 6 7 8" before the music')
    p.add_argument("--balance", type=float, default=0.5,
                   help="0 music only ... 0.5 both full (default) ... 1 counts only")
    p.add_argument("--voice", choices=("auto", "samples", "system"), default="auto",
                   help="the system's speech (macOS/Windows) or the built-in count samples")
    p.add_argument("--title", default="", help="title tag (default: song name and speed)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def run(args: argparse.Namespace) -> int:
    from bachata_desktop.cli.common import open_store, print_json
    from bachata_desktop.core.task import StderrContext
    from bachata_desktop.services.practice_audio import PracticeOptions
    from bachata_desktop.services.practice_track import make_practice_track

    choreo = None
    if args.choreography:
        from bachata_desktop.cli.export import load_choreography

        choreo = load_choreography(args.choreography)
    options = PracticeOptions(speed=args.speed, counts=args.counts, lang=args.lang, steps=args.steps,
                              start=args.start, end=args.end, count_in=args.count_in,
                              balance=args.balance, voice=args.voice, title=args.title)
    ctx = StderrContext("practice-audio", quiet=args.quiet or not sys.stderr.isatty())
    store = open_store()
    try:
        report = make_practice_track(ctx, store, args.song, args.out, options, choreo)
    finally:
        store.close()
    if args.json:
        print_json(report.to_dict())
    else:
        print(f"wrote {report.path} ({report.duration_s:.1f} s at {report.speed:g}x, counts: "
              f"{report.voice}, made in {report.elapsed_s:.1f} s)")
        for note in report.notes:
            print(f"note: {note}")
    return 0


__all__ = ["add_arguments", "run"]
