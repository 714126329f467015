"""Choreography video export: speed (multiple of real time, frames per second) and peak memory.

A 3-minute choreography (48 slots of 8 counts at 128 BPM over the shared 250 s latin track, eight
shared 720p clips with synthetic beat grids at their annotated tempos) is exported at 720p with
overlays, in a fresh subprocess so that its peak RSS is its own. Baselines measured in the same run:
the same export with x264 "veryfast" (the preset we did not pick), and a 30-second export (peak
memory must not grow with the song's length). CPU seconds per video second are reported too: the
build machine is shared, and wall-clock speed moves with its load (noted in each row).

Run: ``PYTHONPATH=. python -m benchmarks export [--quick]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BACHATA_SHARED", REPO.parent / "shared"))
CLIPS = SHARED / "data" / "clips"
SONG = SHARED / "data" / "songs" / "Kevin_MacLeod-Samba_Isobel.ogg"
BPM = 128.0
USE = ("basic/energetic_basic2.mp4", "cross_body_lead", "ladyturn", "shadow", "spin", "bodywaves",
       "hammerlock", "golpes")

CHILD = r"""
import json, resource, sys, time
from bachata_desktop.core.choreography import Choreography
from bachata_desktop.core.task import NullContext
from bachata_desktop.paths import app_paths
from bachata_desktop.services.video_export import export_video
from bachata_desktop.store import Store
args = json.loads(sys.argv[1])
store = Store.open(app_paths(args["home"]).ensure())
choreo = Choreography.from_dict(json.load(open(args["choreo"])))
t0, c0 = time.perf_counter(), time.process_time()
rep = export_video(store, choreo, None, args["out"], NullContext(), preset=args["preset"],
                   x264_preset=args["x264"])
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({**rep.to_dict(), "wall": wall, "cpu": cpu,
                  "peak_rss_mb": ru.ru_maxrss / 1024.0}))
"""


def _library(home: Path) -> list[tuple[int, str]]:
    sys.path.insert(0, str(REPO))
    from bachata_desktop.core.clip import Clip
    from bachata_desktop.paths import app_paths
    from bachata_desktop.store import Store

    ann = json.loads((CLIPS / "bachata_annotations.json").read_text())["clips"]
    picked = []
    for want in USE:
        for a in ann:
            if a["video_path"] == want or a["video_path"].split("/")[0] == want:
                picked.append(a)
                break
    store = Store.open(app_paths(home).ensure())
    out = []
    try:
        for i, a in enumerate(picked):
            tempo = float(a.get("estimated_tempo") or 120)
            counts = 4 if a["video_path"].startswith("golpes") else 8
            clip = store.clips.add(Clip(id=None, clip_key=a["clip_id"], name=a["clip_id"],
                                        category=a["move_label"], content_hash=f"bench{i}",
                                        media_path=str(CLIPS / a["video_path"]),
                                        tempo_bpm=tempo, counts=counts))
            beats = [{"time": 0.5 + k * 60 / tempo, "count": k % 8 + 1} for k in range(24)]
            store.analyses.put("clip", clip.id, "audio", {"tempo_bpm": tempo, "beats": beats})
            out.append((clip.id, a["clip_id"]))
    finally:
        store.close()
    return out


def _choreo(clips: list[tuple[int, str]], seconds: float) -> dict:
    sys.path.insert(0, str(REPO))
    from bachata_desktop.core.choreography import (
        Choreography,
        PhraseSlotSpec,
        Request,
        Slot,
        SongInfo,
    )

    period = 60.0 / BPM
    n = max(1, int(round(seconds / (8 * period))))
    phrases = [PhraseSlotSpec(j, 2.0 + 8 * period * j, 2.0 + 8 * period * (j + 1),
                              2.0 + 8 * period * j) for j in range(n)]
    slots = []
    for j, p in enumerate(phrases):
        cid, name = clips[j % len(clips)]
        slots.append(Slot(start=p.start_s, end=p.end_s, counts=8, phrases=(j,), clip_id=cid,
                          name=name, repeats=2 if j % len(clips) == len(clips) - 1 else 1))
    return Choreography(song=SongInfo("Samba Isobel", str(SONG), None, 250.0, BPM), tempo=BPM,
                        request=Request(), seed=0, slots=tuple(slots),
                        phrases=tuple(phrases)).to_dict()


def _export(tmp: Path, home: Path, clips: list[tuple[int, str]], seconds: float, preset: str,
            x264: str) -> dict:
    cpath = tmp / f"choreo_{int(seconds)}.json"
    cpath.write_text(json.dumps(_choreo(clips, seconds)))
    args = {"home": str(home), "choreo": str(cpath), "out": str(tmp / f"out_{x264}.mp4"),
            "preset": preset, "x264": x264}
    res = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], cwd=REPO,
                         capture_output=True, text=True, timeout=1800,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-2000:])
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out["load"] = os.getloadavg()[0]
    return out


def run(quick: bool = False) -> list[dict]:
    if not SONG.exists() or not CLIPS.exists():
        return [{"benchmark": "export (skipped)", "value": None, "unit": "", "baseline": None,
                 "ratio": None, "goal": "", "note": f"shared assets missing under {SHARED}"}]
    from bachata_desktop.services.video_export import X264_PRESET

    seconds = 30.0 if quick else 180.0
    with tempfile.TemporaryDirectory(prefix="bench-export-") as d:
        tmp = Path(d)
        home = tmp / "home"
        clips = _library(home)
        main = _export(tmp, home, clips, seconds, "720p", X264_PRESET)
        base = _export(tmp, home, clips, seconds, "720p", "veryfast")
        short = _export(tmp, home, clips, 30.0, "720p", X264_PRESET)
    dur = main["duration_s"]
    label = f"{dur / 60:.1f}-min choreography, 720p, x264 {X264_PRESET}"
    load = f"load avg {main['load']:.1f} on {os.cpu_count()} cores"
    rt, rt_base = dur / main["wall"], dur / base["wall"]
    return [
        {"benchmark": f"export speed ({label})", "value": round(rt, 3), "unit": "x real time",
         "baseline": round(rt_base, 3), "ratio": round(rt / rt_base, 3), "goal": ">= 2x real time",
         "note": f"baseline: same export with x264 veryfast; wall {main['wall']:.1f} s; {load}"},
        {"benchmark": "export frames per second (720p)", "value": round(main["frames"] / main["wall"], 2),
         "unit": "fps", "baseline": round(base["frames"] / base["wall"], 2),
         "ratio": round(base["wall"] / main["wall"], 3), "goal": ">= 60 fps (2x of 30 fps)",
         "note": f"{main['frames']} frames; baseline x264 veryfast"},
        {"benchmark": "export CPU seconds per video second", "value": round(main["cpu"] / dur, 3),
         "unit": "cpu s / s", "baseline": round(base["cpu"] / dur, 3),
         "ratio": round(main["cpu"] / base["cpu"], 3), "goal": "<= 1.0 (2 cores: 2x real time)",
         "note": "process CPU time (all threads); independent of other load on the machine"},
        {"benchmark": f"export peak memory ({dur / 60:.1f} min)", "value": round(main["peak_rss_mb"], 1),
         "unit": "MB", "baseline": round(short["peak_rss_mb"], 1),
         "ratio": round(main["peak_rss_mb"] / short["peak_rss_mb"], 3),
         "goal": "flat in song length (ratio ~1)", "note": "baseline: 30-s export, same settings"},
        {"benchmark": "export file size (720p)", "value": round(main["size_bytes"] / dur / 1e6 * 60, 2),
         "unit": "MB per minute", "baseline": round(base["size_bytes"] / dur / 1e6 * 60, 2),
         "ratio": round(main["size_bytes"] / base["size_bytes"], 3), "goal": "",
         "note": "baseline: x264 veryfast; crf 23"},
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
