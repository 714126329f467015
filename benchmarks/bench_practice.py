"""Counted practice track: a 4-minute song to a counted M4A at 0.75x, next to a plain re-encode.

The song is synthetic (a steady 125 BPM pulse with a chord pad, 44.1 kHz stereo, written as M4A
like a student's phone library), so the figure does not depend on shared assets. Measured in the
same run: the practice track (decode, atempo at 0.75x, spoken counts with a count-in, AAC encode)
and a plain re-encode of the same file (decode + AAC encode at 1.0x, no counts): the difference is
what the slowing and counting cost. Goal: the track takes <= 0.25x the song's duration.

Run: ``PYTHONPATH=. python -m benchmarks practice [--quick]``.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

BPM = 125.0


def _song(seconds: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from bachata_desktop.services.practice_audio import RATE

    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    x = 0.12 * (np.sin(2 * np.pi * 220 * t) + np.sin(2 * np.pi * 277.2 * t) + np.sin(2 * np.pi * 329.6 * t))
    beats = np.arange(0.3, seconds - 0.1, 60.0 / BPM)
    hit = (0.6 * np.exp(-np.arange(int(0.05 * RATE)) / (0.01 * RATE))
           * np.sin(2 * np.pi * 180 * np.arange(int(0.05 * RATE)) / RATE))
    for b in beats:
        i = int(b * RATE)
        x[i: i + hit.size] += hit[: n - i]
    stereo = np.stack([x, x]).astype(np.float32)
    counts = np.arange(beats.size) % 8 + 1
    return stereo, beats, counts


def run(quick: bool = False) -> list[dict]:
    from bachata_desktop.services.practice_audio import (
        PracticeOptions,
        decode_stereo,
        render_practice_track,
        write_audio,
    )

    seconds = 60.0 if quick else 240.0
    stereo, beats, counts = _song(seconds)
    with tempfile.TemporaryDirectory(prefix="bench-practice-") as tmp:
        src = Path(tmp) / "song.m4a"
        write_audio(stereo, src, "bench song")
        t0, c0 = time.perf_counter(), time.process_time()
        write_audio(decode_stereo(src), Path(tmp) / "plain.m4a", "plain")
        plain, plain_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        rep = render_practice_track(None, src, beats, counts, seconds, Path(tmp) / "counted.m4a",
                                    PracticeOptions(speed=0.75, counts="voice", count_in=True,
                                                    voice="samples"))
        ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
    share = ours / seconds
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return [
        {"benchmark": f"practice track, {seconds / 60:.0f}-min song -> counted M4A at 0.75x",
         "value": round(ours, 2), "unit": "s", "baseline": round(plain, 2),
         "ratio": round(ours / plain, 2), "goal": f"<= {0.25 * seconds:.0f} s (0.25x the song)",
         "note": f"{share:.3f}x the song's duration; baseline: plain AAC re-encode of the same file; "
                 f"output {rep.duration_s:.1f} s, {rep.cues} counts; CPU s: {ours_cpu:.1f} vs "
                 f"{plain_cpu:.1f} plain; load average {load:.1f} on {os.cpu_count()} cores"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
