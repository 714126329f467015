"""``bachata-desktop analyze-clip FILE [--json]``: the couple pose analysis of one video.

Prints frames analysed, fps, the fraction of frames with both dancers, identity swaps repaired,
embedding sizes and timings (JSON with ``--json``); progress goes to stderr, and bad input gives
one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="video file of one move clip")
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    parser.add_argument("--fps", type=float, default=None, help="analysis frames per second (10)")
    parser.add_argument("--imgsz", type=int, default=None, help="model input size in pixels (480)")
    parser.add_argument("--backend", choices=("auto", "openvino", "ultralytics"), default=None,
                        help="pose backend (auto: plain OpenVINO for an OpenVINO model folder)")
    parser.add_argument("--flip", action="store_true", help="exchange lead and follow")
    parser.add_argument("--keypoints", type=Path, default=None,
                        help="also save per-frame keypoints of both dancers to this .npz")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace  # noqa: PLC0415

    from bachata_desktop import offline  # noqa: PLC0415
    from bachata_desktop.analysis.pose.analyze import PoseConfig, analyze_clip  # noqa: PLC0415
    from bachata_desktop.core.errors import BachataError  # noqa: PLC0415
    from bachata_desktop.core.task import StderrContext  # noqa: PLC0415

    offline.harden()
    cfg = PoseConfig()
    changes = {k: v for k, v in (("analysis_fps", args.fps), ("imgsz", args.imgsz),
                                 ("backend", args.backend)) if v is not None}
    cfg = replace(cfg, **changes)
    ctx = StderrContext(label=Path(args.file).name, quiet=args.quiet or not sys.stderr.isatty())
    try:
        res = analyze_clip(args.file, ctx, config=cfg, flipped=args.flip,
                           keypoints_out=args.keypoints)
    except BachataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = {
        "file": str(args.file),
        "frames_analyzed": res.frames_analyzed,
        "analysis_fps": round(res.analysis_fps, 3),
        "source_fps": round(res.source_fps, 3),
        "duration_s": round(res.duration_s, 3),
        "both_dancers_ratio": round(res.both_dancers_ratio, 4),
        "any_dancer_ratio": round(res.any_dancer_ratio, 4),
        "people_found": res.people_found,
        "swaps_repaired": res.swaps_repaired,
        "lead_reason": res.lead_reason,
        "embedding_dims": {k: int(v.shape[0]) for k, v in res.embeddings.items()},
        "has_embeddings": res.has_embeddings,
        "start_hold_guess": res.start_hold_guess,
        "end_hold_guess": res.end_hold_guess,
        "motion_energy": round(res.motion_energy, 4),
        "hand_connection_ratio": round(res.hand_connection_ratio, 4),
        "timings": res.timings,
        "speed_x_realtime": round(res.duration_s / res.timings["total_s"], 2)
        if res.timings.get("total_s") else None,
        "model_id": res.model_id,
        "backend": res.backend,
        "imgsz": res.imgsz,
        "keypoints_file": res.keypoints_file,
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bachata-desktop analyze-clip")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
