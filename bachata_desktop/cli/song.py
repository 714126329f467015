"""``bachata-desktop analyze-song FILE [--json]``: tempo, beats, the 8-count grid, sections, energy.

With ``--json`` prints ``tempo_bpm``, ``beats`` (``{"time", "count"}``), ``downbeats`` (counts 1 and
5), ``phrases`` (the "1"s), ``sections``, ``energy`` (per phrase) and ``duration``; without it, a
short human summary. Progress goes to stderr; bad input gives one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="song file (wav, flac, mp3, ogg, m4a, ...)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    parser.add_argument("--min-bpm", type=float, default=None, help="lowest tempo considered (100)")
    parser.add_argument("--max-bpm", type=float, default=None, help="highest tempo considered (160)")
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="refuse songs longer than this (20)")
    parser.add_argument("--embedding", action="store_true", help="include the 128-D embedding")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _config(args: argparse.Namespace):  # noqa: ANN202 - AnalysisConfig, imported lazily
    from dataclasses import replace

    from bachata_desktop.analysis.audio.analyze import AnalysisConfig
    from bachata_desktop.core.errors import InputError

    cfg = AnalysisConfig()
    tempo = cfg.tempo
    if args.min_bpm is not None:
        tempo = replace(tempo, bpm_min=float(args.min_bpm))
    if args.max_bpm is not None:
        tempo = replace(tempo, bpm_max=float(args.max_bpm))
    if not (0 < tempo.bpm_min < tempo.bpm_max):
        raise InputError(f"the tempo range {tempo.bpm_min:g}-{tempo.bpm_max:g} BPM is empty")
    prior = min(max(tempo.prior_bpm, tempo.bpm_min), tempo.bpm_max)
    cfg = replace(cfg, tempo=replace(tempo, prior_bpm=prior))
    if args.max_minutes is not None:
        cfg = replace(cfg, max_duration_s=float(args.max_minutes) * 60.0)
    return cfg


def run(args: argparse.Namespace) -> int:
    from bachata_desktop.analysis.audio.analyze import analyze_song
    from bachata_desktop.cli.common import print_json
    from bachata_desktop.core.task import StderrContext

    ctx = StderrContext(label=Path(args.file).name, quiet=args.quiet or not sys.stderr.isatty())
    res = analyze_song(args.file, ctx, config=_config(args))
    d = res.to_dict()
    out = {
        "file": str(args.file),
        "duration": d["duration"],
        "tempo_bpm": round(res.tempo_bpm, 2),
        "beats": [{"time": b["time"], "count": b["count"]} for b in d["beats"]],
        "downbeats": d["downbeats"],
        "phrases": d["phrases"],
        "sections": d["sections"],
        "energy": d["energy"],
        "analysis_version": d["analysis_version"],
    }
    if args.embedding:
        out["embedding"] = d["embedding"]
    if args.json:
        print_json(out)
        return 0
    first_one = f"{res.phrases[0]:.2f} s" if res.phrases else "none"
    print(f"{Path(args.file).name}: {res.duration:.1f} s, {res.tempo_bpm:.1f} BPM, "
          f"{len(res.beats)} beats, {len(res.phrases)} phrases, first '1' at {first_one}")
    for s in res.sections:
        print(f"  {s.start:7.2f} - {s.end:7.2f}  {s.label.value:<7} energy {s.energy:.2f}")
    return 0


__all__ = ["add_arguments", "run"]
