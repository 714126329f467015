"""Real music against an anchor: our grid vs madmom's beats and downbeats (and librosa's beats).

madmom runs only in its own venv (benchmarks/madmom_anchor.py writes a JSON cache, $MADMOM_CACHE);
this benchmark reads that cache and never imports madmom. benchmarks/madmom_cache.json is the
cache made for the shared material (paths relative to ../shared; madmom 0.17 RNN + DBN beat and
downbeat trackers), so the benchmark reruns without madmom. Material: the soundtracks of the shared
clips and the two shared songs.

Per file: tempo agreement (within 4 %), beat F vs madmom (±70 ms, mir_eval's rule), and where the
beats agree (F >= 0.8) whether our 1s and 5s sit on madmom's downbeats (>= half of them within
70 ms). Two checks independent of both trackers: the bar position (of four, on madmom's beats) with
the largest mean chroma change and the one with the strongest bass attack (< 200 Hz): how often each
is madmom's downbeat, and how often it is ours.

    PYTHONPATH=. python -m benchmarks.bench_madmom [--verbose]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = Path(os.environ.get("MADMOM_CACHE", HERE / "madmom_cache.json"))
SHARED = Path(os.environ.get("BACHATA_SHARED", REPO.parent / "shared"))


def _f(ref: np.ndarray, est: np.ndarray) -> float:
    sys.path.insert(0, str(REPO / "tests" / "analysis"))
    from songtruth import _f_measure

    return _f_measure(np.asarray(ref, float), np.asarray(est, float), 0.07)


def _near(t: np.ndarray, ref: np.ndarray, tol: float = 0.07) -> np.ndarray:
    if ref.size == 0:
        return np.zeros(t.size, dtype=bool)
    return np.array([np.min(np.abs(ref - x)) <= tol for x in t])


def _bar_checks(feats, mm_bar: list) -> tuple[int | None, int | None]:  # noqa: ANN001
    """(bar position 1..4 of the largest chroma change, of the strongest bass attack) on madmom's beats."""
    from bachata_desktop.analysis.audio.grid import beat_sync, beat_values

    if len(mm_bar) < 8:
        return None, None
    t = np.array([b[0] for b in mm_bar])
    pos = np.array([b[1] for b in mm_bar])
    fr = t * feats.frame_rate
    ch = beat_sync(feats.chroma, fr, feats.n_frames)
    ch = ch / np.maximum(np.linalg.norm(ch, axis=1, keepdims=True), 1e-9)
    change = np.r_[0.0, 1.0 - np.sum(ch[1:] * ch[:-1], axis=1)]
    bass = beat_values(feats.onset_low, fr)
    best = []
    for v in (change, bass):
        means = [v[pos == k].mean() if np.any(pos == k) else -1 for k in range(1, 5)]
        best.append(int(np.argmax(means)) + 1)
    return best[0], best[1]


def run(quick: bool = False, verbose: bool = False) -> list[dict]:
    if not CACHE.exists():
        return [{"benchmark": "madmom anchor (skipped)", "value": None, "unit": "", "baseline": None,
                 "ratio": None, "goal": "", "note": f"no madmom cache at {CACHE}: run benchmarks/madmom_anchor.py"}]
    sys.path.insert(0, str(REPO))
    import librosa

    from bachata_desktop.analysis.audio.analyze import analyze_clip_audio, analyze_song
    from bachata_desktop.analysis.audio.decode import decode_audio
    from bachata_desktop.analysis.audio.features import compute_features

    cache = json.loads(CACHE.read_text())
    ann_file = SHARED / "data" / "clips" / "bachata_annotations.json"
    annotated = {}
    if ann_file.exists():
        annotated = {c["video_path"].split("/")[-1] + "|" + c["video_path"].split("/")[0]: c.get("estimated_tempo")
                     for c in json.loads(ann_file.read_text())["clips"]}
    groups: dict[str, list[dict]] = {"clips >= 8 s": [], "clips < 8 s": [], "songs": []}
    for entry in cache.values():
        p = Path(entry["path"]) if Path(entry["path"]).is_absolute() else SHARED / entry["path"]
        if not p.exists() or len(entry["beats"]) < 4:
            continue
        song = p.suffix == ".ogg"
        res = analyze_song(p) if song else analyze_clip_audio(p)[0]
        audio = decode_audio(p, sr=22050)
        feats = compute_features(audio.samples, audio.sr)
        lb_tempo, lb_frames = librosa.beat.beat_track(y=audio.samples, sr=audio.sr)
        lb = librosa.frames_to_time(lb_frames, sr=audio.sr)
        mm_b = np.array(entry["beats"])
        mm_d = np.array(entry["downbeats"])
        mm_tempo = 60.0 / float(np.median(np.diff(mm_b)))
        row = {"file": p.name, "duration": audio.duration, "mm_tempo": mm_tempo,
               "lb_tempo": float(np.atleast_1d(lb_tempo)[0]), "lb_f": _f(mm_b, lb)}
        chroma_pos, bass_pos = _bar_checks(feats, entry["bar"])
        row["chroma_on_mm"] = chroma_pos == 1 if chroma_pos else None
        row["bass_on_mm"] = bass_pos == 1 if bass_pos else None
        if res is None:
            row.update(tempo=None, f=0.0, bar=None, guess=True)
        else:
            t = res.beat_times
            down = np.array(res.downbeats)
            f = _f(mm_b, t)
            row.update(tempo=res.tempo_bpm, f=f, guess=res.grid_guess, conf=res.one_confidence, three=res.meter != 4)
            row["bar"] = bool(np.mean(_near(down, mm_d)) >= 0.5) if f >= 0.8 and down.size else None
            # our downbeat phase vs the chroma / bass position on madmom's beats
            if chroma_pos and f >= 0.8 and down.size:
                bar_t = np.array([b[0] for b in entry["bar"]])
                bar_k = np.array([b[1] for b in entry["bar"]])
                ours_k = [int(bar_k[np.argmin(np.abs(bar_t - d))]) for d in down]
                mode = int(np.bincount(ours_k).argmax())
                row["chroma_on_ours"] = mode == chroma_pos
                row["bass_on_ours"] = mode == bass_pos
        row["tempo_ok"] = row["tempo"] is not None and abs(row["tempo"] - mm_tempo) / mm_tempo <= 0.04
        row["lb_tempo_ok"] = abs(row["lb_tempo"] - mm_tempo) / mm_tempo <= 0.04
        # where we and madmom disagree, the clip's annotated tempo (a person's) says who is right
        ann = annotated.get(p.name + "|" + p.parent.name)
        if ann and not row["tempo_ok"]:
            row["ann_tempo"] = ann
            row["ours_by_annotation"] = row["tempo"] is not None and abs(row["tempo"] - ann) / ann <= 0.05
            row["madmom_by_annotation"] = abs(mm_tempo - ann) / ann <= 0.05
        key = "songs" if song else ("clips >= 8 s" if audio.duration >= 8.0 else "clips < 8 s")
        groups[key].append(row)
        if verbose:
            print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}),
                  file=sys.stderr)
    out = []
    for name, rows in groups.items():
        if not rows:
            continue
        n = len(rows)

        def share(key: str, rows=rows) -> str:
            v = [r[key] for r in rows if r.get(key) is not None]
            return f"{sum(v)}/{len(v)}" if v else "-"

        f_ours = float(np.mean([r["f"] for r in rows]))
        # does the confidence of our "1" say where our bar agrees with madmom's? (AUC, 0.5 = no)
        judged = [r for r in rows if r.get("bar") is not None and r.get("conf") is not None]
        from benchmarks.calib_confidence import auc

        conf_auc = auc([r["conf"] for r in judged], [r["bar"] for r in judged]) if judged else float("nan")
        f_lb = float(np.mean([r["lb_f"] for r in rows]))
        out.append({"benchmark": f"madmom anchor: {name} ({n} files)", "value": round(f_ours, 3),
                    "unit": "beat F vs madmom", "baseline": round(f_lb, 3),
                    "ratio": round(f_ours / f_lb, 3) if f_lb else None,
                    "goal": "clips >= 8 s: tempo 95%, F >= 0.9, bar 85%",
                    "note": (f"tempo within 4% of madmom: ours {share('tempo_ok')}, librosa {share('lb_tempo_ok')}; "
                             f"where ours and madmom's differ, the annotated tempo sides with ours "
                             f"{share('ours_by_annotation')}, with madmom {share('madmom_by_annotation')}; "
                             f"our 1s/5s on madmom downbeats {share('bar')} (files with F >= 0.8); "
                             f"largest chroma change on madmom's downbeat {share('chroma_on_mm')}, on ours "
                             f"{share('chroma_on_ours')}; strongest bass attack on madmom's {share('bass_on_mm')}, "
                             f"on ours {share('bass_on_ours')}; grid marked a guess {share('guess')}; "
                             f"read as music in three {share('three')}; "
                             f"AUC of the 1's confidence vs bar agreement {conf_auc:.2f}; "
                             "baseline = librosa.beat.beat_track")})
    return out


if __name__ == "__main__":
    print(json.dumps(run(verbose="--verbose" in sys.argv), indent=2))
