"""Music in three: the tracker keeps a waltz's tempo and beats, and the grid says it is not in 4/4.

The waltzes come from tests/analysis/gen_waltz.py (slow, jazz and Viennese waltzes; written from
what a waltz sounds like, not from the grid code). A slow waltz read as bachata was tracked at
double tempo (beat F 0.65); the measured meter halves it and flags the 8-count grid as a guess.
benchmarks/bench_meter.py runs the held-out seeds.
"""

from __future__ import annotations

import gen_arranger  # tests/analysis is on sys.path (pytest rootdir-relative import)
import gen_band
import gen_chords
import gen_waltz
import pytest
from generated import analysed
from songtruth import _f_measure

from bachata_desktop.analysis.audio.analyze import analyze_samples
from bachata_desktop.core.song import unsure_spans


@pytest.mark.parametrize(("seed", "style"), [(3, "slow"), (12, "slow"), (1, "jazz"), (2, "viennese")])
def test_a_waltz_keeps_its_tempo_and_beats_and_is_flagged(seed: int, style: str) -> None:
    song = gen_waltz.generate(seed)
    assert song.style == style
    a = analyze_samples(song.audio, song.sr)
    assert abs(a.tempo_bpm - song.bpm) / song.bpm <= 0.02, (a.tempo_bpm, song.bpm)   # never doubled
    assert _f_measure(song.beat_times, a.beat_times) >= 0.95
    assert a.meter == 3
    # the 8-count grid over bars of three is a guess: the whole song is unsure, nothing reads "sure"
    assert a.one_confidence <= 0.2 and all(s.confidence <= 0.2 for s in a.sections)
    assert unsure_spans(a) == ((0.0, a.duration, "the whole song"),)


def test_a_waltz_with_no_accent_on_the_one_is_still_in_three() -> None:
    """The chord stabs on 2 and 3 as loud as the bass on 1: the bar shows in the bass alone."""
    song = gen_waltz.generate(5, style="slow", flat_accents=True, pickup=2, noise=0.03)
    a = analyze_samples(song.audio, song.sr)
    assert a.meter == 3 and abs(a.tempo_bpm - song.bpm) / song.bpm <= 0.02


@pytest.mark.parametrize("gen", [gen_chords, gen_band, gen_arranger], ids=["chords", "band", "arranger"])
def test_bachata_stays_in_four(gen) -> None:  # noqa: ANN001
    for seed in (0, 1):
        assert analysed(gen, seed)[1].meter == 4
