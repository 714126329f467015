"""Decoding every common format to mono float, and a clear error for each kind of bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from synth import synth_song  # tests/analysis is on sys.path (pytest rootdir-relative import)

from bachata_desktop.analysis.audio.analyze import AnalysisConfig, analyze_song
from bachata_desktop.analysis.audio.decode import decode_audio
from bachata_desktop.core.errors import InputError

SONG = synth_song(124, duration=12.0, seed=7)


def _encode_pyav(path: Path, codec: str, container_format: str | None = None) -> Path:
    import av

    with av.open(str(path), "w", format=container_format) as out:
        stream = out.add_stream(codec, rate=SONG.sr)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(SONG.audio.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = SONG.sr
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def _write(tmp_path: Path, ext: str) -> Path:
    import soundfile as sf

    p = tmp_path / f"song.{ext}"
    if ext in ("wav", "flac", "ogg"):
        SONG.write(p)
    elif ext == "mp3":
        sf.write(str(p), SONG.audio, SONG.sr, format="MP3")
    elif ext == "m4a":
        _encode_pyav(p, "aac", "mp4")
    elif ext == "opus":
        _encode_pyav(p, "libopus", "ogg")
    return p


@pytest.mark.parametrize(("ext", "backend"), [("wav", "soundfile"), ("flac", "soundfile"),
                                              ("ogg", "soundfile"), ("mp3", "soundfile"),
                                              ("m4a", "pyav")])
def test_formats_decode_to_mono_float(tmp_path: Path, ext: str, backend: str) -> None:
    p = _write(tmp_path, ext)
    audio = decode_audio(p)
    assert audio.backend == backend
    assert audio.sr == 22050 and audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert abs(audio.duration - SONG.duration) < 0.15
    assert np.all(np.isfinite(audio.samples)) and float(np.abs(audio.samples).max()) > 0.1


def test_m4a_song_analyses_like_the_wav(tmp_path: Path) -> None:
    wav = analyze_song(_write(tmp_path, "wav"))
    m4a = analyze_song(_write(tmp_path, "m4a"))
    assert abs(m4a.tempo_bpm - 124) / 124 < 0.02 and abs(wav.tempo_bpm - 124) / 124 < 0.02
    assert len(m4a.phrases) == len(wav.phrases)


def test_stereo_and_other_rates_are_mixed_and_resampled(tmp_path: Path) -> None:
    import soundfile as sf

    stereo = np.stack([SONG.audio, 0.5 * SONG.audio], axis=1)
    from scipy.signal import resample_poly

    p = tmp_path / "stereo48k.wav"
    sf.write(str(p), resample_poly(stereo, 320, 147, axis=0).astype(np.float32), 48000)
    audio = decode_audio(p)
    assert audio.channels == 2 and audio.source_sr == 48000 and audio.sr == 22050
    assert abs(audio.duration - SONG.duration) < 0.05


def test_non_ascii_path(tmp_path: Path) -> None:
    folder = tmp_path / "música bachata ñ 日本"
    folder.mkdir()
    p = folder / "Canción — Corazón.flac"
    SONG.write(p)
    res = analyze_song(p)
    assert abs(res.tempo_bpm - 124) / 124 < 0.02


def test_zero_byte_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.mp3"
    p.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        decode_audio(p)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        decode_audio(tmp_path / "nope.wav")
    with pytest.raises(InputError, match="folder"):
        decode_audio(tmp_path)


@pytest.mark.parametrize("name", ["notes.mp3", "notes.m4a", "notes.wav", "notes.ogg"])
def test_text_file_renamed_as_audio(tmp_path: Path, name: str) -> None:
    p = tmp_path / name
    p.write_text("This is a class plan, not a song.\n" * 200, encoding="utf-8")
    with pytest.raises(InputError, match="not a readable audio file") as exc:
        decode_audio(p)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("ext", ["wav", "flac", "ogg", "mp3", "m4a"])
def test_truncated_file(tmp_path: Path, ext: str) -> None:
    p = _write(tmp_path, ext)
    data = p.read_bytes()
    cut = tmp_path / f"cut.{ext}"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated|not a readable audio file"):
        decode_audio(cut)


def test_random_bytes(tmp_path: Path) -> None:
    p = tmp_path / "noise.flac"
    p.write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    with pytest.raises(InputError):
        decode_audio(p)


def test_two_hour_song_is_refused_before_decoding(tmp_path: Path) -> None:
    import soundfile as sf

    p = tmp_path / "two_hours.flac"
    sr = 8000
    block = np.zeros(sr * 600, dtype=np.int16)   # digital silence compresses to almost nothing
    with sf.SoundFile(str(p), "w", samplerate=sr, channels=1, format="FLAC", subtype="PCM_16") as f:
        for _ in range(12):
            f.write(block)
    with pytest.raises(InputError, match="120 minutes long; songs up to 20 minutes"):
        analyze_song(p)


def test_duration_limit_is_configurable(tmp_path: Path) -> None:
    for ext in ("wav", "m4a"):
        p = _write(tmp_path, ext)
        with pytest.raises(InputError, match="minutes"):
            decode_audio(p, max_duration_s=6.0)
        with pytest.raises(InputError, match="minutes"):
            analyze_song(p, config=AnalysisConfig(max_duration_s=6.0))


def test_video_without_audio_track(tmp_path: Path) -> None:
    import av

    from bachata_desktop.analysis.audio.analyze import analyze_clip_audio

    p = tmp_path / "silent_video.mp4"
    with av.open(str(p), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 20, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    with pytest.raises(InputError, match="no audio track"):
        decode_audio(p)
    assert analyze_clip_audio(p) == (None, None)


def test_long_file_two_thread_decode_matches_a_plain_read(tmp_path: Path) -> None:
    import soundfile as sf

    long_song = synth_song(130, duration=75.0, seed=9)
    p = tmp_path / "long.flac"
    stereo = np.stack([long_song.audio, -0.5 * long_song.audio], axis=1)
    sf.write(str(p), stereo, long_song.sr)
    audio = decode_audio(p)          # 75 s > 60 s: the two halves are decoded on two threads
    plain, _ = sf.read(str(p), dtype="float32", always_2d=True)
    assert audio.samples.shape == (plain.shape[0],)
    assert np.allclose(audio.samples, plain.mean(axis=1), atol=1e-6)
    cut = tmp_path / "cut.flac"
    cut.write_bytes(p.read_bytes()[: p.stat().st_size * 2 // 3])
    with pytest.raises(InputError, match="truncated"):
        decode_audio(cut)
