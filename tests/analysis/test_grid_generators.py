"""The 8-count grid on three independent song generators (benchmarks/bench_grid.py runs more seeds).

Each generator varies what the others hold fixed (chord rhythm, bass pattern, intro and pickups;
swing, drift, noise, breaks and majao; entries, fills, fades and per-section arrangement). The
seeds here are among the tuning seeds; the held-out seeds (1000 on) are only run by the benchmark.
"""

from __future__ import annotations

import gen_arranger  # tests/analysis is on sys.path (pytest rootdir-relative import)
import gen_band
import gen_chords
import numpy as np
import pytest
from generated import analysed
from songtruth import score_grid

from bachata_desktop.analysis.audio.analyze import analyze_samples, tempo_hint_config
from bachata_desktop.core.song import COUNTS_PER_PHRASE


def _scores(gen, seeds) -> list[dict[str, float]]:  # noqa: ANN001
    return [score_grid(*analysed(gen, seed)) for seed in seeds]


@pytest.mark.parametrize("gen", [gen_chords, gen_band, gen_arranger], ids=["chords", "band", "arranger"])
def test_each_generator_tempo_beats_and_the_one(gen) -> None:  # noqa: ANN001
    rows = _scores(gen, range(4))
    for r in rows:
        assert r["tempo_err"] <= 0.02, rows
        assert r["beat_f"] >= 0.95, rows
        assert r["slips"] == 0, rows          # a steady song never slips a count
    assert np.mean([r["ones"] for r in rows]) >= 0.9, rows
    assert np.mean([r["fives_as_ones"] for r in rows]) <= 0.1, rows


@pytest.mark.parametrize("bass", gen_chords.BASS_MODES)
def test_same_chords_in_both_bars_still_finds_the_one(bass: str) -> None:
    """Nothing harmonic tells the 1 from the 5 here: the structure (entries, level changes, where the
    music starts) must."""
    song = gen_chords.generate(7, chords="same_bars", bass=bass, intro=False, pickup=2)
    res = analyze_samples(song.audio, song.sr)
    r = score_grid(song, res)
    assert r["ones"] >= 0.9 and r["beat_f"] >= 0.95, r
    assert 0.0 <= res.one_confidence <= 1.0
    assert all(0.0 <= s.confidence <= 1.0 for s in res.sections)


@pytest.mark.parametrize("seed", [118, 184, 238])
def test_a_fill_before_the_one_does_not_put_the_song_on_the_five(seed: int) -> None:
    """gen_arranger songs (seeds from the second tuning set, 100-347) whose band plays from the first
    "1" and whose sections end in a bongo fill on 7-8: the eight-beat novelty peaks on the 5 before
    each new section (the fill already sounds like it), and the whole song was counted from the 5.
    The texture change from the two beats before to the two after (the fill ends on the 1) finds it."""
    song = gen_arranger.generate(seed)
    r = score_grid(song, analyze_samples(song.audio, song.sr))
    assert r["ones"] >= 0.9 and r["fives_as_ones"] <= 0.1, r
    assert r["slips"] == 0, r


@pytest.mark.parametrize("seed", [108, 137])
def test_a_fast_song_is_not_read_at_two_thirds_of_its_tempo(seed: int) -> None:
    """gen_chords songs at ~149 BPM (seeds from the second tuning set, 100-347) were read at ~99 BPM:
    the widest pulse lay at 2/3 of the beat and its in-range octave was taken although it scored
    far below the beat itself."""
    song = gen_chords.generate(seed)
    r = score_grid(song, analyze_samples(song.audio, song.sr))
    assert r["tempo_err"] <= 0.02 and r["beat_f"] >= 0.95, r
    assert r["ones"] >= 0.9, r


def test_a_tapped_tempo_hint_keeps_the_beats_on_the_music() -> None:
    """A tap 1.5 % off re-tracks near that tempo: the beats stay on the music to the end (a rigid
    grid at the tapped tempo would be off by 1.5 % of the song's length)."""
    song = gen_band.generate(3, drift=0.0, swing=0.0, noise=0.0, breaks=False)
    res = analyze_samples(song.audio, song.sr, config=tempo_hint_config(song.bpm * 1.015))
    last = song.beat_times[-1]
    ours = res.beat_times
    assert abs(ours[np.argmin(np.abs(ours - last))] - last) <= 0.07
    assert abs(res.tempo_bpm - song.bpm) / song.bpm <= 0.01
    assert all(1 <= b.count <= COUNTS_PER_PHRASE for b in res.beats)


def test_a_short_clip_grid_is_marked_a_guess() -> None:
    song = gen_band.generate(5)
    cut = song.audio[: int(6.0 * song.sr)]
    assert analyze_samples(cut, song.sr, require_beats=False).grid_guess
    assert not analyze_samples(song.audio, song.sr).grid_guess


def test_confidence_separates_right_from_wrong_decisions() -> None:
    """Issue 14 item 2: the confidence of the "1" is higher where the "1" is right. Excerpts (6 s to
    the whole song) of held-out seeds of the three generators; the calibration was fitted on the
    tuning seeds (benchmarks/calib_confidence.py), so these are unseen."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.calib_confidence import auc, excerpt_rows

    rows = [r for g in ("gen_chords", "gen_band", "gen_arranger") for r in excerpt_rows(g, range(1000, 1003))]
    right = [r for r in rows if r["one"]]
    wrong = [r for r in rows if not r["one"]]
    assert len(right) >= 20 and len(wrong) >= 5, (len(right), len(wrong))
    assert auc([r["conf"] for r in rows], [r["one"] for r in rows]) >= 0.65
    assert np.mean([r["conf"] for r in right]) > np.mean([r["conf"] for r in wrong]) + 0.05
    # whole songs whose "1" is right read sure (the instructor is not told to check a right grid)
    whole = [r for r in rows if r["one"] and r["len"] > 30]
    assert whole and np.mean([r["conf"] >= 0.5 for r in whole]) >= 0.8, whole


@pytest.mark.parametrize("gen", [gen_chords, gen_band, gen_arranger], ids=["chords", "band", "arranger"])
def test_section_changes_found_on_each_generator(gen) -> None:  # noqa: ANN001
    """Issue 14 item 3 (benchmarks/bench_grid.py runs 12 tuning and three sets of 12 held-out seeds):
    the share of true section changes with a boundary within 0.6 beat, and the share of boundaries
    that are one. Before the per-cue change scores, the best-set choice and the merge of alike
    sections, these seeds gave chords 0.79, band 0.55, arranger 0.33 (boundaries right 0.79, 0.73,
    0.42); after the phrase-to-phrase change with rhythm patterns, band 0.85 / arranger 0.76 over
    the 12 tuning seeds (boundaries right 0.75 / 0.66)."""
    rows = _scores(gen, range(4))
    found = float(np.mean([r["sections"] for r in rows]))
    right = float(np.mean([r["section_precision"] for r in rows]))
    assert found >= 0.8, rows
    assert right >= 0.7, rows


def test_a_fade_out_is_one_section() -> None:
    """gen_arranger's last section fades out over its phrases (each phrase a few dB quieter): the
    fade is one section starting where the decline does, not a boundary per phrase. Tuning seeds
    0-7: its start found in 5 (a phrase early in seed 0, late in seed 5, missed in seed 2), a
    boundary inside it in 1 (the phrase-to-phrase segmentation started one inside it in all 8)."""
    found, inside = 0, 0
    for seed in range(8):
        song, res = analysed(gen_arranger, seed)
        last_true, beat = float(song.section_starts[-1]), 60.0 / song.bpm
        found += min(abs(s.start - last_true) for s in res.sections) <= 0.6 * beat
        inside += sum(s.start > last_true + beat for s in res.sections)
    assert found >= 5, found
    assert inside <= 1, inside


def test_real_song_sections_are_few_and_on_phrase_starts(real_songs) -> None:  # noqa: ANN001
    """The shared Samba track (250 s, 48 phrases): a number of sections an instructor can use (the
    phrase-to-phrase segmentation gave 20, two phrases each), each starting on a phrase start and
    at least two phrases long, none spanning a third of the song, and boundaries where its high
    register comes in (~43 s) and drops out (~164 s), the song's clearest energy breaks."""
    res = real_songs.get("Kevin_MacLeod-Samba_Isobel.ogg")
    if res is None:
        pytest.skip("Kevin_MacLeod-Samba_Isobel.ogg is missing from the shared songs")
    phrases = np.asarray(res.phrases)
    starts = [s.start for s in res.sections]
    assert 4 <= len(res.sections) <= 14, starts
    for s in res.sections[1:]:
        assert np.min(np.abs(phrases - s.start)) < 1e-6, s
    idx = [0] + [int(np.argmin(np.abs(phrases - s))) for s in starts[1:]] + [len(phrases)]
    assert min(np.diff(idx)) >= 2, idx
    assert max(s.end - s.start for s in res.sections) <= res.duration / 3, starts
    for t in (43.0, 164.0):
        assert min(abs(s - t) for s in starts[1:]) <= 3.0, (t, starts)


def test_alternating_phrases_are_one_section() -> None:
    """Two phrases of one section taking turns (A B A B …: a two-phrase chord cycle) and then a
    majao (C): the A/B stretch is one section, the change is at C. Built from gen_band's own phrases
    (seeds 0-5). The phrase-to-phrase segmentation cut the A/B stretch 1-3 times in every song."""
    inside, at_c = 0, 0
    for seed in range(6):
        song = gen_band.generate(seed, drift=0.0, swing=0.0, noise=0.01, breaks=False)
        sr = song.sr
        edges = (song.ones * sr).astype(int)
        a, b, c = (song.audio[edges[k]: edges[k + 1]] for k in (0, 1, 5))
        y = np.concatenate([np.zeros(sr // 2, np.float32)] + [a, b] * 5 + [c] * 6 + [a[:sr]])
        res = analyze_samples(y, sr)
        t_c, beat = 0.5 + 5 * (a.size + b.size) / sr, 60.0 / song.bpm
        starts = np.array([s.start for s in res.sections[1:]])
        inside += int(np.sum(starts < t_c - beat))
        at_c += int(np.any(np.abs(starts - t_c) <= 0.6 * beat))
    assert inside <= 1, inside
    assert at_c >= 4, at_c
