"""The real music in ../shared: decoding, plausibility of the grid, and the clips' soundtracks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from songtruth import _f_measure  # tests/analysis is on sys.path (pytest rootdir-relative import)

from bachata_desktop.analysis.audio.analyze import analyze_clip_audio, analyze_song
from bachata_desktop.core.song import SongAnalysis


def test_real_songs_are_plausible(real_songs: dict[str, SongAnalysis]) -> None:
    for name, a in real_songs.items():
        # the range is a preference: a song whose pulse has no octave inside it keeps its pulse
        assert 100.0 * 0.85 <= a.tempo_bpm <= 160.0 * 1.15, name
        t = a.beat_times
        assert np.all(np.diff(t) > 0), name
        # beats cover most of the song at about the reported tempo
        expected = a.duration * a.tempo_bpm / 60.0
        assert 0.8 * expected <= len(t) <= 1.05 * expected, (name, len(t), expected)
        ibi = np.diff(t)
        assert np.median(np.abs(ibi - 60.0 / a.tempo_bpm)) < 0.03, name
        # counts advance one by one (a rare slip at a break is allowed)
        counts = np.array([b.count for b in a.beats])
        assert np.mean((np.diff(counts) % 8) == 1) > 0.98, name
        assert len(a.energy) == len(a.phrases) >= 4
        assert a.meter == 4, name
        assert a.sections[0].start == 0.0 and a.sections[-1].end == pytest.approx(a.duration)
        e = a.embedding
        assert e.shape == (128,) and np.all(np.isfinite(e)) and abs(np.linalg.norm(e) - 1) < 1e-5


def _tagged_bpm(path: Path) -> float | None:
    import av

    with av.open(str(path)) as c:
        tags = {**c.metadata, **{k: v for st in c.streams for k, v in st.metadata.items()}}
    for key, value in tags.items():
        if key.lower().startswith("bpm") or key.lower() == "tbpm":
            try:
                return float(value)
            except ValueError:
                return None
    return None


def test_real_songs_read_the_tempo_in_their_tags(real_songs: dict[str, SongAnalysis],
                                                 shared_songs_dir: Path) -> None:
    """Both shared songs carry a BPM tag (95 and 130): ground truth from the files themselves.
    Samba Isobel's pulse (95) lies below the bachata range; folding it into the range by anything
    but an octave read 126.6 (4/3 x 95), a grid off the music's beats."""
    checked = 0
    for name, a in real_songs.items():
        bpm = _tagged_bpm(shared_songs_dir / name)
        if bpm:
            checked += 1
            assert abs(a.tempo_bpm - bpm) / bpm <= 0.02, (name, a.tempo_bpm, bpm)
    if not checked:
        pytest.skip("no song in ../shared carries a BPM tag")


def test_real_song_analysis_is_deterministic(real_songs: dict[str, SongAnalysis],
                                             shared_songs_dir: Path) -> None:
    name, first = next(iter(real_songs.items()))
    again = analyze_song(shared_songs_dir / name)
    assert again == first
    assert np.array_equal(again.embedding, first.embedding)


def test_clip_soundtracks_match_annotated_tempo(shared_clips_dir: Path) -> None:
    from benchmarks.bench_madmom import _near
    from benchmarks.calib_confidence import auc

    CLIPS = shared_clips_dir  # noqa: N806
    annotations = CLIPS / "bachata_annotations.json"
    if not annotations.exists():
        pytest.skip(f"shared asset not found: {annotations}")
    ann = json.loads(annotations.read_text(encoding="utf-8"))
    close, total = 0, 0
    embeddings = []
    # madmom's beats and downbeats for the same soundtracks (benchmarks/madmom_cache.json, made in its
    # own venv; madmom is never imported): the anchor the grid is compared with on real music
    cache_file = Path(__file__).resolve().parents[2] / "benchmarks" / "madmom_cache.json"
    anchor = {e["path"]: e for e in json.loads(cache_file.read_text()).values()}  # tracked in git
    vs_madmom = []
    for c in ann["clips"]:
        p = CLIPS / c["video_path"]
        if not p.exists() or not c.get("estimated_tempo"):
            continue
        grid, emb = analyze_clip_audio(p)
        assert emb is not None and emb.shape == (128,) and np.all(np.isfinite(emb))
        embeddings.append(emb)
        total += 1
        assert grid is not None, c["clip_id"]
        assert grid.beats and all(1 <= b.count <= 8 for b in grid.beats)
        # under ~8 s the bar and the "1" are only a guess, and the grid says so
        assert grid.grid_guess == (grid.duration < 8.0), c["clip_id"]
        assert 0.0 <= grid.one_confidence <= 1.0
        assert grid.meter == 4, c["clip_id"]          # real bachata is never read as music in three
        if abs(grid.tempo_bpm - c["estimated_tempo"]) / c["estimated_tempo"] <= 0.05:
            close += 1
        mm = anchor.get(f"data/clips/{c['video_path']}")
        if mm and grid.duration >= 8.0 and len(mm["beats"]) >= 8:
            f = _f_measure(np.asarray(mm["beats"]), grid.beat_times, 0.07)
            down = np.asarray(grid.downbeats)
            md = np.asarray(mm["downbeats"])
            bar = (bool(np.mean(_near(down, md)) >= 0.5)
                   if f >= 0.8 and down.size and md.size else None)
            vs_madmom.append((f, bar, grid.one_confidence))
    if total == 0:
        pytest.skip(f"no annotated clips found in {CLIPS}")
    # with the shared clips all there, the comparison must run (a changed cache key would skip it)
    assert len(vs_madmom) >= 40 or total < 60, (len(vs_madmom), total)
    if len(vs_madmom) >= 40:
        # clips >= 8 s: beats agree with madmom's (0.92 measured), the bars where the beats agree
        # mostly sit on its downbeats (58/70), and the confidence of the "1" is higher where they do
        # (AUC 0.74: the bar cues' own support, benchmarks/bench_madmom.py)
        assert np.mean([v[0] for v in vs_madmom]) >= 0.9
        judged = [(b, conf) for _, b, conf in vs_madmom if b is not None]
        assert np.mean([b for b, _ in judged]) >= 0.8
        assert auc([conf for _, conf in judged], [b for b, _ in judged]) >= 0.65
    assert close / total >= 0.85, f"{close}/{total} clips within 5% of the annotated tempo"
    # embeddings differ between clips (not a constant vector)
    m = np.stack(embeddings)
    assert float(np.mean(m @ m.T)) < 0.999


def test_real_songs_never_slip_a_count(real_songs: dict[str, SongAnalysis]) -> None:
    """Both shared songs keep a steady pulse: the count advances by one on every beat (a change of
    phase is allowed only where the analysis reports one, after a break), and the "1" carries a
    confidence for the song and each section."""
    for name, a in real_songs.items():
        counts = np.array([b.count for b in a.beats])
        times = a.beat_times
        allowed = {int(np.argmin(np.abs(times - t))) for t in a.count_changes}
        bad = [i + 1 for i in np.flatnonzero((np.diff(counts) % 8) != 1) if i + 1 not in allowed]
        assert not bad, (name, [(round(times[i], 2), counts[i - 1], counts[i]) for i in bad[:5]])
        assert 0.0 <= a.one_confidence <= 1.0 and not a.grid_guess
        assert all(0.0 <= s.confidence <= 1.0 for s in a.sections)
    # both songs' bars sit on madmom's downbeats (benchmarks/bench_madmom.py); Vibe Ace's bar cues
    # (chords, loudness, bass) all mark it and it reads sure. (Samba Isobel is a samba: its bass level
    # peaks off the downbeat and its chords change little, so its "1" is called unsure, to be checked by ear.)
    vibe = [a for name, a in real_songs.items() if "Vibe_Ace" in name]
    assert vibe, list(real_songs)
    assert all(a.one_confidence >= 0.5 for a in vibe), [a.one_confidence for a in vibe]
