"""Synthetic bachata songs with known beats and "1"s: tempo, beats, the 8-count grid, sections."""

from __future__ import annotations

import numpy as np
import pytest
from synth import synth_song  # tests/analysis is on sys.path (pytest rootdir-relative import)

from bachata_desktop.analysis.audio.analyze import AnalysisConfig, analyze_samples
from bachata_desktop.analysis.audio.beats import TempoConfig
from bachata_desktop.core.errors import Cancelled, InputError
from bachata_desktop.core.song import COUNTS_PER_PHRASE, SectionLabel
from bachata_desktop.core.task import RecordingContext

mir_eval = pytest.importorskip("mir_eval")

TEMPOS = (100, 110, 120, 130, 140, 150, 160)
VARIANTS = {"plain": (0.0, 0), "silence": (2.3, 0), "pickup": (0.0, 3), "silence+pickup": (1.7, 2)}


def ones_correct(found_ones: np.ndarray, true_ones: np.ndarray, tol: float = 0.07) -> float:
    """Share of the true phrase starts that have a detected "1" within ``tol`` seconds."""
    if found_ones.size == 0:
        return 0.0
    return float(np.mean([np.min(np.abs(found_ones - t)) <= tol for t in true_ones]))


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("bpm", TEMPOS)
def test_tempo_beats_and_ones(bpm: int, variant: str) -> None:
    silence, pickup = VARIANTS[variant]
    song = synth_song(bpm, leading_silence=silence, pickup_beats=pickup, duration=45.0, seed=bpm)
    res = analyze_samples(song.audio, song.sr)

    assert abs(res.tempo_bpm - bpm) / bpm <= 0.02, f"tempo {res.tempo_bpm:.2f} for {bpm}"
    times = res.beat_times
    f = mir_eval.beat.f_measure(song.beat_times, times, f_measure_threshold=0.07)
    assert f >= 0.95, f"beat F-measure {f:.3f}"
    assert ones_correct(np.asarray(res.phrases), song.ones) >= 0.9
    # every beat carries a count and the phrase it belongs to
    assert all(1 <= b.count <= COUNTS_PER_PHRASE for b in res.beats)
    for b in res.beats:
        if b.phrase >= 0:
            assert res.phrases[b.phrase] <= b.time + 1e-9
    # nothing is placed in the leading silence
    if silence:
        assert times[0] > silence - 0.07
    # pickup beats keep their counts and belong to no phrase
    if pickup:
        first_one = res.phrases[0]
        pick = [b for b in res.beats if b.time < first_one - 0.05]
        assert pick and all(b.phrase == -1 for b in pick)
        assert pick[-1].count == 8


def test_full_form_sections_energy_and_boundaries() -> None:
    song = synth_song(126, seed=3)
    res = analyze_samples(song.audio, song.sr)
    assert len(res.energy) == len(res.phrases)
    assert all(0.0 <= e <= 1.0 for e in res.energy)
    # contiguous cover of the song, boundaries on phrase starts
    assert res.sections[0].start == 0.0 and res.sections[-1].end == pytest.approx(res.duration)
    for a, b in zip(res.sections, res.sections[1:], strict=False):
        assert a.end == b.start
        assert min(abs(b.start - p) for p in res.phrases) < 1e-6
    assert res.sections[0].label is SectionLabel.INTRO
    assert res.sections[-1].label is SectionLabel.OUTRO
    # labels agree with the truth over most of the song
    grid = np.arange(0.0, res.duration, 0.25)
    truth = []
    for t in grid:
        lab = next((lab for a, b, lab in song.sections if a <= t < b), song.sections[-1][2])
        truth.append(lab)
    found = [(res.section_at(float(t)) or res.sections[-1]).label.value for t in grid]
    agree = np.mean([a == b for a, b in zip(truth, found, strict=True)])
    assert agree >= 0.75, f"section labels agree on {agree:.0%} of the song"
    # the mambo is the most energetic section and louder than the verses
    mambo = [s for s in res.sections if s.label is SectionLabel.MAMBO]
    verses = [s for s in res.sections if s.label is SectionLabel.VERSE]
    assert mambo and verses
    assert mambo[0].energy == max(s.energy for s in res.sections)
    assert mambo[0].energy > max(v.energy for v in verses)


def test_embedding_is_unit_finite_and_separates_music() -> None:
    a = analyze_samples(synth_song(124, duration=40.0, seed=1).audio, 22050).embedding
    b = analyze_samples(synth_song(128, duration=40.0, seed=2).audio, 22050).embedding
    rng = np.random.default_rng(0)
    t = np.arange(int(40 * 22050)) / 22050
    drone = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.3 * t))
             + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
    c = analyze_samples(drone, 22050, require_beats=False).embedding
    for e in (a, b, c):
        assert e.shape == (128,) and e.dtype == np.float32
        assert np.all(np.isfinite(e)) and abs(float(np.linalg.norm(e)) - 1.0) < 1e-5
    assert float(a @ b) > float(a @ c) + 0.1


def test_configurable_tempo_range() -> None:
    song = synth_song(150, duration=30.0, seed=5)
    slow = AnalysisConfig(tempo=TempoConfig(bpm_min=60.0, bpm_max=100.0, prior_bpm=80.0))
    res = analyze_samples(song.audio, song.sr, config=slow)
    assert abs(res.tempo_bpm - 75.0) / 75.0 <= 0.02   # the half-time reading, inside the asked range


def test_progress_and_cancel() -> None:
    song = synth_song(120, duration=20.0)
    ctx = RecordingContext()
    analyze_samples(song.audio, song.sr, ctx)
    fractions = [f for f, _ in ctx.reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    with pytest.raises(Cancelled):
        analyze_samples(song.audio, song.sr, RecordingContext(cancel_after_reports=1))


def test_silence_and_too_short_are_clear_errors() -> None:
    with pytest.raises(InputError, match="silent"):
        analyze_samples(np.zeros(22050 * 10, dtype=np.float32), 22050)
    with pytest.raises(InputError, match="too short"):
        analyze_samples(np.zeros(1000, dtype=np.float32), 22050)


@pytest.mark.parametrize("bpm", [100, 130, 160])
def test_tempo_and_beats_survive_a_noise_floor(bpm: int) -> None:
    song = synth_song(bpm, leading_silence=1.0, pickup_beats=1, duration=40.0, seed=bpm, jitter_s=0.012)
    noisy = song.audio + 0.15 * np.random.default_rng(bpm).standard_normal(song.audio.size).astype(np.float32)
    res = analyze_samples(noisy, song.sr)
    assert abs(res.tempo_bpm - bpm) / bpm <= 0.02
    assert mir_eval.beat.f_measure(song.beat_times, res.beat_times) >= 0.95


@pytest.mark.parametrize("bpm", [92, 96, 168, 175])
def test_a_song_just_outside_the_range_keeps_its_own_pulse(bpm: int) -> None:
    """No octave of these tempos lies in 100-160: folding them in by 4/3 or 3/2 would put three of
    every four beats between the music's beats. They are read as they are, on the music's beats."""
    song = synth_song(bpm, duration=45.0, seed=bpm)
    res = analyze_samples(song.audio, song.sr)
    assert abs(res.tempo_bpm - bpm) / bpm <= 0.02, f"tempo {res.tempo_bpm:.2f} for {bpm}"
    f = mir_eval.beat.f_measure(song.beat_times, res.beat_times, f_measure_threshold=0.07)
    assert f >= 0.95, f"beat F-measure {f:.3f}"
