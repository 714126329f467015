"""Counted practice tracks: length, count onsets on the slowed grid, pitch kept, bad input.

Songs are synthetic (numpy, written as WAV) with a known beat grid, so every expectation is exact.
Onsets are measured in the decoded output file, after the real encoder (AAC, MP3, WAV).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bachata_desktop.core.errors import InputError
from bachata_desktop.services.practice_audio import (
    RATE,
    PracticeOptions,
    decode_stereo,
    render_practice_track,
)

P = 0.48                                   # 125 BPM
DUR = 24.0
TIMES = np.arange(0.2, DUR, P)
COUNTS = (np.arange(TIMES.size) + 2) % 8 + 1   # the first "1" on the 7th beat (a pickup)
FRAME = 1024 / RATE                        # one AAC frame


def _write(path: Path, x: np.ndarray) -> Path:
    import soundfile as sf

    sf.write(str(path), x.astype(np.float32), RATE)
    return path


@pytest.fixture
def tone_song(tmp_path: Path) -> Path:
    t = np.arange(int(DUR * RATE)) / RATE
    return _write(tmp_path / "tone.wav", 0.3 * np.sin(2 * np.pi * 440.0 * t))


@pytest.fixture
def pulse_song(tmp_path: Path) -> Path:
    """A short sharp hit on every beat of the grid and silence between."""
    x = np.zeros(int(DUR * RATE))
    n = int(0.02 * RATE)
    hit = 0.8 * np.exp(-np.arange(n) / (0.004 * RATE)) * np.sin(2 * np.pi * 1000 * np.arange(n) / RATE)
    for b in TIMES:
        i = int(round(b * RATE))
        x[i: i + n] += hit[: x.size - i]
    return _write(tmp_path / "pulse.wav", x)


def _onsets(x: np.ndarray, thr: float = 0.01, gap: float = 0.12) -> np.ndarray:
    """Start of each sound after at least ``gap`` seconds below ``thr``."""
    idx = np.flatnonzero(np.abs(x) > thr)
    out, last = [], -(10**9)
    for i in idx:
        if i - last > gap * RATE:
            out.append(i / RATE)
        last = i
    return np.asarray(out)


def _render(song: Path, out: Path, **kw) -> object:
    return render_practice_track(None, song, TIMES, COUNTS, DUR, out, PracticeOptions(**kw))


@pytest.mark.parametrize("ext", [".m4a", ".mp3", ".wav"])
def test_duration_is_the_slowed_span_plus_the_count_in(tone_song, tmp_path, ext):
    out = tmp_path / f"track{ext}"
    rep = _render(tone_song, out, speed=0.75, counts="click", start=2.0, end=20.0, count_in=True,
                  voice="samples", title="Practice 75%")
    expected = 18.0 / 0.75 + 4 * P / 0.75
    assert rep.count_in_s == pytest.approx(4 * P / 0.75, abs=1 / RATE)
    got = decode_stereo(out).shape[1] / RATE
    assert abs(got - expected) <= FRAME, (got, expected)
    import av

    with av.open(str(out)) as c:
        assert c.metadata.get("title") == "Practice 75%"


@pytest.mark.parametrize(("mode", "ext"), [("click", ".m4a"), ("voice", ".m4a"), ("voice", ".wav")])
def test_count_onsets_fall_on_the_scaled_grid_with_the_count_in(tone_song, tmp_path, mode, ext):
    out = tmp_path / f"counts{ext}"
    rep = _render(tone_song, out, speed=0.75, counts=mode, start=2.0, end=20.0, count_in=True,
                  balance=1.0, voice="samples")       # balance 1: the counts alone, no music
    inside = TIMES[(TIMES >= 2.0) & (TIMES < 20.0)]
    first = rep.count_in_s + (inside[0] - 2.0) / 0.75
    expected = np.r_[[first - k * P / 0.75 for k in (4, 3, 2, 1)],
                     rep.count_in_s + (inside - 2.0) / 0.75]
    got = _onsets(decode_stereo(out)[0])
    assert got.size == expected.size
    assert np.max(np.abs(got - expected)) < 0.020


def test_accented_clicks_are_on_the_grids_ones(tone_song, tmp_path):
    out = tmp_path / "clicks.wav"
    _render(tone_song, out, speed=0.75, counts="click", balance=1.0)
    y = decode_stereo(out)[0]
    peaks = []
    for t in _onsets(y):
        i = int(t * RATE)
        peaks.append(float(np.abs(y[i: i + int(0.02 * RATE)]).max()))
    peaks_a = np.asarray(peaks)
    loud = peaks_a > 0.5 * (peaks_a.max() + np.median(peaks_a))
    assert loud.sum() == int((COUNTS == 1).sum())
    assert np.array_equal(loud, COUNTS == 1)


# At half speed WSOLA plays each stretch of the input twice, so a hit's start can come from either
# copy: its onset wanders over ~25 ms (measured), hence the looser bound there.
@pytest.mark.parametrize(("speed", "tolerance"), [(0.5, 0.035), (0.75, 0.020), (0.9, 0.020)])
def test_slowed_music_keeps_its_beats_on_the_scaled_grid(pulse_song, tmp_path, speed, tolerance):
    out = tmp_path / "music.m4a"
    _render(pulse_song, out, speed=speed, counts="none", start=1.0, end=21.0)
    inside = TIMES[(TIMES >= 1.0) & (TIMES < 20.9)]
    got = _onsets(decode_stereo(out)[0], thr=0.1)
    assert got.size == inside.size
    assert np.max(np.abs(got - (inside - 1.0) / speed)) < tolerance


def test_pitch_is_unchanged_at_three_quarter_speed(tone_song, tmp_path):
    out = tmp_path / "slow.m4a"
    _render(tone_song, out, speed=0.75, counts="none")
    y = decode_stereo(out)[0]
    seg = y[5 * RATE: 15 * RATE]
    spec = np.abs(np.fft.rfft(seg * np.hanning(seg.size)))
    freq = np.argmax(spec) * RATE / seg.size
    assert abs(freq - 440.0) / 440.0 < 0.01
    assert y.size / RATE == pytest.approx(DUR / 0.75, abs=FRAME)


@pytest.mark.parametrize("content", [b"", b"not audio at all" * 200, bytes(range(256)) * 50])
def test_corrupt_songs_get_one_clear_line_and_no_file(tmp_path, content):
    bad = tmp_path / "broken.mp3"
    bad.write_bytes(content)
    out = tmp_path / "out.m4a"
    with pytest.raises(InputError) as err:
        _render(bad, out, speed=0.75)
    assert "broken.mp3" in str(err.value) and "\n" not in str(err.value)
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_impossible_span_and_unknown_format_are_refused_before_writing(tone_song, tmp_path):
    with pytest.raises(InputError, match="after the end of the song"):
        _render(tone_song, tmp_path / "a.m4a", start=10.0, end=60.0)
    with pytest.raises(InputError, match=r"\.m4a"):
        _render(tone_song, tmp_path / "a.ogg")
    assert not list(tmp_path.glob("a.*"))
