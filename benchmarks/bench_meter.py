"""Music in three: generated waltzes (tests/analysis/gen_waltz.py) next to librosa and madmom.

Per seed set (0..11 looked at while choosing the meter thresholds; 1000..1011 held out): tempo
within 2 %, beat F (±70 ms) against the generator's beats, and the share flagged as not in 4/4;
the bachata generators' held-out seeds must all stay in four. Baseline: librosa.beat.beat_track on
the same audio. madmom's DBN beat tracker on renders of some of the same songs is read from
benchmarks/madmom_waltz.json (seeds 0-11 and 1000-1005, made with benchmarks/madmom_anchor.py in its
own venv from ``gen_waltz.generate(seed).write(...)``, its DBN downbeat tracker allowed 3 or 4 beats
to the bar; madmom is never imported here).

    PYTHONPATH=. python -m benchmarks.bench_meter [--quick] [--verbose]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from benchmarks.bench_grid import GENERATORS, _setup, analysed

HERE = Path(__file__).resolve().parent
MADMOM_WALTZ = HERE / "madmom_waltz.json"


def _waltzes(seeds: range, verbose: bool) -> dict:
    import gen_waltz
    import librosa
    from songtruth import _f_measure

    from bachata_desktop.analysis.audio.analyze import analyze_samples

    madmom = json.loads(MADMOM_WALTZ.read_text()) if MADMOM_WALTZ.exists() else {}
    rows = []
    for seed in seeds:
        song = gen_waltz.generate(seed)
        a = analyze_samples(song.audio, song.sr)
        lt, lf = librosa.beat.beat_track(y=song.audio, sr=song.sr)
        lb = librosa.frames_to_time(lf, sr=song.sr)
        row = {"seed": seed, "style": song.style, "bpm": song.bpm, "tempo": a.tempo_bpm,
               "f": _f_measure(song.beat_times, a.beat_times), "three": a.meter == 3,
               "lb_tempo": float(np.atleast_1d(lt)[0]), "lb_f": _f_measure(song.beat_times, lb)}
        mm = madmom.get(str(seed))
        if mm:
            mb = np.asarray(mm["beats"])
            row.update(mm_tempo=60.0 / float(np.median(np.diff(mb))), mm_f=_f_measure(song.beat_times, mb),
                       mm_three=bool(mm.get("beats_per_bar") == 3))
        rows.append(row)
        if verbose:
            print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}), file=sys.stderr)
    ok = [abs(r["tempo"] - r["bpm"]) / r["bpm"] <= 0.02 for r in rows]
    lb_ok = [abs(r["lb_tempo"] - r["bpm"]) / r["bpm"] <= 0.02 for r in rows]
    mm = [r for r in rows if "mm_f" in r]
    return {"n": len(rows), "tempo": float(np.mean(ok)), "f": float(np.mean([r["f"] for r in rows])),
            "three": float(np.mean([r["three"] for r in rows])), "lb_tempo": float(np.mean(lb_ok)),
            "lb_f": float(np.mean([r["lb_f"] for r in rows])), "mm_n": len(mm),
            "mm_f": float(np.mean([r["mm_f"] for r in mm])) if mm else None,
            "mm_tempo": float(np.mean([abs(r["mm_tempo"] - r["bpm"]) / r["bpm"] <= 0.02 for r in mm])) if mm else None,
            "mm_three": float(np.mean([r["mm_three"] for r in mm])) if mm else None,
            "ours_on_mm": float(np.mean([r["f"] for r in mm])) if mm else None}


def run(quick: bool = False, verbose: bool = False) -> list[dict]:
    _setup()


    out = []
    sets = {"tuning seeds 0-11": range(0, 4 if quick else 12), "held-out seeds 1000-1011": range(1000, 1004 if quick else 1012)}
    for name, seeds in sets.items():
        r = _waltzes(seeds, verbose)
        mm = (f"; madmom on {r['mm_n']} of these: beat F {r['mm_f']:.3f}, tempo within 2% {r['mm_tempo']:.0%}, "
              f"bar of three {r['mm_three']:.0%} (ours on the same: F {r['ours_on_mm']:.3f})" if r["mm_n"] else "")
        out.append({"benchmark": f"waltz (3/4), {name} ({r['n']} songs)", "value": round(r["f"], 3),
                    "unit": "beat F", "baseline": round(r["lb_f"], 3),
                    "ratio": round(r["f"] / r["lb_f"], 3) if r["lb_f"] else None,
                    "goal": "tempo within 2%, F >= 0.95, flagged not 4/4 in all",
                    "note": (f"tempo within 2%: ours {r['tempo']:.0%}, librosa {r['lb_tempo']:.0%}; "
                             f"flagged not in 4/4: {r['three']:.0%}{mm}; baseline = librosa.beat.beat_track")})
    flagged = total = 0
    for gen in GENERATORS:
        for seed in range(1000, 1002 if quick else 1012):
            flagged += analysed(gen, seed)[0].meter != 4  # bench_grid analysed them in this run
            total += 1
    out.append({"benchmark": f"bachata generators, held-out seeds ({total} songs)", "value": flagged,
                "unit": "read as music in three", "baseline": None, "ratio": None, "goal": "0",
                "note": "gen_chords, gen_band, gen_arranger seeds 1000.."})
    return out


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv, verbose="--verbose" in sys.argv), indent=2))
