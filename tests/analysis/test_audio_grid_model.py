"""core.song: the grid look-ups, JSON round trip and the instructor's corrections (pure)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from bachata_desktop.core.song import (
    GridCorrection,
    Section,
    SectionLabel,
    Song,
    SongAnalysis,
    apply_correction,
    build_grid,
)


def make(period: float = 0.5, pickup: int = 2, phrases: int = 4) -> SongAnalysis:
    n = pickup + 8 * phrases
    times = 1.0 + period * np.arange(n)
    counts = (np.arange(n) - pickup) % 8 + 1
    beats, downbeats, ph = build_grid(times, counts)
    duration = float(times[-1] + period)
    sections = (Section(0.0, ph[2], SectionLabel.VERSE, 0.4), Section(ph[2], duration, SectionLabel.CHORUS, 0.7))
    return SongAnalysis(duration=duration, tempo_bpm=60.0 / period, beats=beats, downbeats=downbeats,
                        phrases=ph, sections=sections, energy=(0.3, 0.4, 0.7, 0.8),
                        embedding=np.ones(128, np.float32) / np.sqrt(128))


def test_grid_lookups() -> None:
    a = make()
    assert a.phrases[0] == pytest.approx(2.0) and len(a.phrases) == 4
    assert a.downbeats[:2] == (pytest.approx(2.0), pytest.approx(4.0))
    assert a.beats[0].count == 7 and a.beats[0].phrase == -1
    assert a.count_at(0.5) is None                      # before the first beat
    assert a.count_at(2.2) == 1 and a.count_at(3.6) == 4
    assert a.phrase_at(1.9) == -1 and a.phrase_at(2.0) == 0 and a.phrase_at(6.1) == 1
    assert a.beat_index_at(2.0) == 2
    assert a.section_at(7.0).label is SectionLabel.VERSE
    assert a.section_at(10.0).label is SectionLabel.CHORUS


def test_json_round_trip() -> None:
    a = make()
    d = json.loads(json.dumps(a.to_dict(), allow_nan=False))
    b = SongAnalysis.from_dict(d)
    assert b == a
    assert np.allclose(b.embedding, a.embedding) and b.embedding.dtype == np.float32
    assert d["sections"][1]["label"] == "chorus"
    assert set(d) >= {"tempo_bpm", "beats", "downbeats", "phrases", "sections", "energy", "duration"}
    # the measured meter survives the store; analyses stored before it was measured read as 4/4
    three = replace(a, meter=3)
    assert SongAnalysis.from_dict(json.loads(json.dumps(three.to_dict()))).meter == 3
    assert SongAnalysis.from_dict({k: v for k, v in d.items() if k != "meter"}).meter == 4


def test_correction_is_serialisable_and_identity_is_noop() -> None:
    c = GridCorrection(tempo_bpm=121.5, one_shift=-1, offset_s=0.03)
    assert GridCorrection.from_dict(json.loads(json.dumps(c.to_dict()))) == c
    assert GridCorrection.from_dict({}) == GridCorrection()
    a = make()
    assert apply_correction(a, GridCorrection()) is a
    assert apply_correction(a, GridCorrection(one_shift=8)) is a


@pytest.mark.parametrize("shift", [1, -1])
def test_shift_the_one(shift: int) -> None:
    a = make()
    b = apply_correction(a, GridCorrection(one_shift=shift))
    assert b.phrases[0] == pytest.approx(a.phrases[0] + shift * 0.5)
    assert [x.time for x in b.beats] == [x.time for x in a.beats]
    assert len(b.energy) == len(b.phrases)
    assert a.phrases[0] == pytest.approx(2.0)          # the original is untouched
    back = apply_correction(b, GridCorrection(one_shift=-shift))
    assert back.phrases == a.phrases


def test_tap_tempo_relays_the_grid_from_the_first_one() -> None:
    a = make()
    b = apply_correction(a, GridCorrection(tempo_bpm=100.0))
    assert b.tempo_bpm == 100.0
    assert b.phrases[0] == pytest.approx(a.phrases[0])
    assert np.allclose(np.diff(b.beat_times), 0.6)
    assert b.beat_times[0] >= 0.0 and b.beat_times[-1] <= a.duration
    counts = [x.count for x in b.beats]
    assert all((c2 - c1) % 8 == 1 for c1, c2 in zip(counts, counts[1:], strict=False))


def test_nudge_moves_every_beat_and_snaps_sections() -> None:
    a = make()
    b = apply_correction(a, GridCorrection(offset_s=0.04))
    assert np.allclose(b.beat_times, a.beat_times + 0.04)
    assert b.sections[1].start == pytest.approx(b.phrases[2])
    assert b.sections[0].start == 0.0 and b.sections[-1].end == a.duration


def test_song_dataclass() -> None:
    s = Song(id=None, title="Obsesión", path="songs/ab.mp3", content_hash="ab", duration_s=200.0)
    assert s.with_(id=3).id == 3 and s.tempo_bpm is None


def test_a_local_one_fix_moves_the_counts_from_there_to_the_next_fix_only() -> None:
    from bachata_desktop.core.song import one_here_shift

    a = make(pickup=0, phrases=6)
    # the beat at count 5 of the third phrase becomes a 1 from there on
    t5 = a.phrases[2] + 4 * 0.5
    c1 = one_here_shift(a, GridCorrection(), t5 + 0.1)
    b = apply_correction(a, c1)
    assert [x.count for x in b.beats[:20]] == [x.count for x in a.beats[:20]]   # before: unchanged
    assert b.count_at(t5) == 1 and b.count_at(t5 + 0.5) == 2
    assert len(b.phrases) == len(a.phrases) + 1 or b.phrases[-1] != a.phrases[-1]
    # a second fix later on ends the first one's span; the first keeps its own effect
    t_late = a.phrases[4] + 0.5 * 2
    c2 = one_here_shift(b, c1, t_late)
    c = apply_correction(a, c2)
    assert c.count_at(t5) == 1 and c.count_at(t_late) == 1
    assert c.count_at(t_late - 0.5) == b.count_at(t_late - 0.5)
    # undo = the previous correction; it survives JSON
    assert GridCorrection.from_dict(json.loads(json.dumps(c2.to_dict()))) == c2
    assert apply_correction(a, c1) == b
    # a fix that changes nothing is not kept
    assert one_here_shift(a, GridCorrection(), a.phrases[1]).ones_from == ()


def test_confidence_guess_and_changes_round_trip() -> None:
    a = make()
    a = SongAnalysis(**{**a.__dict__, "one_confidence": 0.42, "grid_guess": True, "count_changes": (3.5,),
                        "sections": (Section(0.0, a.duration, SectionLabel.VERSE, 0.4, 0.3),)})
    b = SongAnalysis.from_dict(json.loads(json.dumps(a.to_dict())))
    assert b.one_confidence == pytest.approx(0.42) and b.grid_guess and b.count_changes == (3.5,)
    assert b.sections[0].confidence == pytest.approx(0.3)
    # an analysis stored before these fields existed reads as confident, not a guess
    old = a.to_dict()
    for k in ("one_confidence", "grid_guess", "count_changes"):
        old.pop(k)
    c = SongAnalysis.from_dict(old)
    assert c.one_confidence == 1.0 and not c.grid_guess and c.count_changes == ()
