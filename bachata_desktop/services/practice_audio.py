"""Counted practice tracks: the song (or a span of it) slowed with its pitch kept, counted over it.

A student practises at home to this file on a phone: the music at 0.5-1.0x, spoken counts (all
eight or the six steps, English or Spanish) or a click with an accented "1", optional move names
called a phrase ahead from a choreography, an optional "5 6 7 8" count-in, and a music/voice
balance. Written as M4A (AAC), MP3 or WAV with a title tag.

The slowing is FFmpeg's ``atempo`` filter run through a PyAV filter graph (WSOLA: tempo changes,
pitch does not); the counts are placed by :mod:`core.count_cues` on the corrected grid mapped
through the same speed, so a count lands on its beat in the slowed music. Bad input (a corrupt song,
an impossible span, an unknown format) raises :class:`InputError` with one line before anything is
written; the output is written to a temporary name and moved into place when complete.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from bachata_desktop.core.count_cues import CuePlan, check_span, check_speed, plan_cues
from bachata_desktop.core.errors import InputError
from bachata_desktop.core.task import NullContext, TaskContext, check_cancelled

RATE = 44100
FORMATS = {".m4a": ("mp4", "aac"), ".mp3": ("mp3", "libmp3lame"), ".wav": ("wav", "pcm_s16le")}
BLOCK = 8192
ENCODE_FRAME = 1152 * 4


@dataclass(frozen=True)
class PracticeOptions:
    speed: float = 0.75
    counts: str = "voice"          # voice | click | none
    lang: str = "en"               # en | es
    steps: str = "eight"           # eight | six (spoken counts only)
    start: float | None = None     # span in song seconds (None: the whole song)
    end: float | None = None
    count_in: bool = False
    balance: float = 0.5           # 0: music only ... 1: voice only; 0.5: both at full level
    voice: str = "auto"            # auto | samples | system
    title: str = ""


@dataclass(frozen=True)
class PracticeReport:
    path: str
    format: str
    duration_s: float
    start_s: float
    end_s: float
    speed: float
    count_in_s: float
    counts: str
    lang: str
    steps: str
    voice: str                     # which voice counted (shown in the UI)
    cues: int
    names_called: int
    elapsed_s: float
    timing_fix_ms: float = 0.0     # the slowed music was moved by this much to sit on the grid
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["notes"] = list(self.notes)
        return d


def _gains(balance: float) -> tuple[float, float]:
    """(music, voice) gains: the middle keeps both at full level, the ends fade one out."""
    b = min(1.0, max(0.0, float(balance)))
    return min(1.0, 2.0 * (1.0 - b)), min(1.0, 2.0 * b)


# ----------------------------------------------------------------------------------------------
# Decoding and slowing
# ----------------------------------------------------------------------------------------------
def decode_stereo(path: Path, start: float | None = None, end: float | None = None) -> np.ndarray:
    """The song (or ``[start, end)``) as float32 ``(2, n)`` at 44.1 kHz; InputError if unreadable."""
    import av

    try:
        container = av.open(str(path))
    except Exception as exc:  # noqa: BLE001 - av.error.* all mean "not a readable media file"
        raise InputError(f"{path.name} is not a readable audio file (unknown format or damaged)") from exc
    chunks: list[np.ndarray] = []
    try:
        if not container.streams.audio:
            raise InputError(f"{path.name} has no audio track")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
        first = int(round((start or 0.0) * RATE))
        last = None if end is None else int(round(end * RATE))
        pos = 0
        try:
            for frame in container.decode(stream):
                frame.pts = None  # the resampler counts samples (some formats lack timestamps)
                for out in resampler.resample(frame):
                    a = out.to_ndarray().reshape(2, -1)
                    lo, hi = max(first - pos, 0), a.shape[1] if last is None else min(a.shape[1], last - pos)
                    if hi > lo:
                        chunks.append(a[:, lo:hi])
                    pos += a.shape[1]
                if last is not None and pos >= last:
                    break
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(2, -1))
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - corrupt packets
            if not chunks:
                raise InputError(f"{path.name} is damaged: no audio could be decoded") from exc
    finally:
        container.close()
    if not chunks:
        raise InputError(f"{path.name} contains no decodable audio")
    return np.ascontiguousarray(np.concatenate(chunks, axis=1), dtype=np.float32)


def stretch(x: np.ndarray, speed: float, ctx: TaskContext | None = None) -> np.ndarray:
    """``x`` (2, n) played at ``speed`` with its pitch kept: FFmpeg's atempo in a PyAV graph."""
    import av
    from av.filter import Graph

    if abs(speed - 1.0) < 1e-9:
        return x
    ctx = ctx or NullContext()
    g = Graph()
    src = g.add_abuffer(format="fltp", sample_rate=RATE, layout="stereo", time_base=Fraction(1, RATE))
    tempo = g.add("atempo", f"{speed:.6f}")
    fmt = g.add("aformat", "sample_fmts=fltp:channel_layouts=stereo")
    sink = g.add("abuffersink")
    src.link_to(tempo)
    tempo.link_to(fmt)
    fmt.link_to(sink)
    g.configure()
    out: list[np.ndarray] = []

    def drain() -> None:
        while True:
            try:
                frame = g.pull()
            except (av.BlockingIOError, av.EOFError):
                return
            out.append(frame.to_ndarray().reshape(2, -1))

    n = x.shape[1]
    for i in range(0, n, BLOCK * 4):
        block = np.ascontiguousarray(x[:, i: i + BLOCK * 4])
        frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = RATE, i, Fraction(1, RATE)
        g.push(frame)
        drain()
        if i % (BLOCK * 64) == 0:
            check_cancelled(ctx)
            ctx.report(0.15 + 0.45 * i / max(n, 1), "slowing the music (pitch kept)")
    g.push(None)
    drain()
    return np.concatenate(out, axis=1) if out else np.zeros((2, 0), np.float32)


ALIGN_HOP = 128
MAX_LAG_S = 0.06


def _onset_envelope(x: np.ndarray) -> np.ndarray:
    """Rises of the RMS envelope (hop :data:`ALIGN_HOP`): where the hits are."""
    n = x.size // ALIGN_HOP
    if n < 2:
        return np.zeros(0)
    frames = x[: n * ALIGN_HOP].reshape(n, ALIGN_HOP).astype(np.float64)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return np.maximum(np.diff(rms, prepend=rms[0]), 0.0)


def timing_lag(original: np.ndarray, slowed: np.ndarray, speed: float) -> float:
    """How far (s) the slowed music's hits sit from where the speed puts them (negative: early).

    WSOLA (atempo) picks each output segment from a small tolerance window around its ideal place,
    so on real music the hits come out a few tens of ms early or late, by an amount that depends on
    the music. Cross-correlating the onset envelopes finds that shift for this song.
    """
    e_in, e_out = _onset_envelope(original), _onset_envelope(slowed)
    if e_in.size < 4 or e_out.size < 4 or not e_out.any():
        return 0.0
    hop_s = ALIGN_HOP / RATE
    expected = np.interp(np.arange(e_out.size) * hop_s * speed, np.arange(e_in.size) * hop_s, e_in)
    max_lag = int(MAX_LAG_S / hop_s)
    best, best_lag = -1.0, 0
    for lag in range(-max_lag, max_lag + 1):
        a = expected[max(0, -lag): e_out.size - max(0, lag)]
        b = e_out[max(0, lag): max(0, lag) + a.size]
        score = float(np.dot(a, b))
        if score > best:
            best, best_lag = score, lag
    return best_lag * hop_s


def _shift(x: np.ndarray, seconds: float) -> np.ndarray:
    """``x`` (2, n) delayed by ``seconds`` (advanced when negative), same length."""
    k = int(round(seconds * RATE))
    if k == 0:
        return x
    out = np.zeros_like(x)
    if k > 0:
        out[:, k:] = x[:, : x.shape[1] - k]
    else:
        out[:, : x.shape[1] + k] = x[:, -k:]
    return out


def _fit(x: np.ndarray, n: int) -> np.ndarray:
    """Exactly ``n`` samples: trim, or pad with silence (atempo's last block may be short)."""
    if x.shape[1] >= n:
        return x[:, :n]
    return np.concatenate([x, np.zeros((2, n - x.shape[1]), np.float32)], axis=1)


# ----------------------------------------------------------------------------------------------
# Mixing and writing
# ----------------------------------------------------------------------------------------------
def mix_cues(track: np.ndarray, plan: CuePlan, sounds: dict[int, np.ndarray],
             names: dict[str, np.ndarray], gain: float) -> int:
    """Add each cue's sound to ``track`` (2, n) in place at its sample; returns the cues placed.

    ``sounds``: count (1..8) -> mono sound; ``names``: move name -> mono sound.
    """
    placed = 0
    for cue in plan.cues:
        snd = names.get(cue.text) if cue.kind == "name" else sounds.get(cue.count)
        if snd is None or snd.size == 0:
            continue
        i = int(round(cue.time * RATE))
        if i >= track.shape[1]:
            continue
        piece = snd[: track.shape[1] - i] * gain
        track[:, i: i + piece.size] += piece
        placed += 1
    return placed


def write_audio(track: np.ndarray, out: Path, title: str, ctx: TaskContext | None = None) -> None:
    """Encode ``track`` (2, n) to ``out`` (.m4a AAC, .mp3, .wav) with a title tag, atomically."""
    import av

    ctx = ctx or NullContext()
    fmt, codec = FORMATS[out.suffix.lower()]
    tmp = out.with_name(f".{out.stem}.partial{out.suffix}")
    try:
        with av.open(str(tmp), "w", format=fmt) as container:
            if title:
                container.metadata["title"] = title
            stream = container.add_stream(codec, rate=RATE, layout="stereo")
            if codec != "pcm_s16le":
                stream.bit_rate = 160_000
            if codec == "aac":
                # FFmpeg's default AAC coder ("twoloop") searches hard; "fast" is several times
                # quicker and transparent enough for practice music at 160 kb/s.
                stream.codec_context.options = {"aac_coder": "fast"}
            src_fmt = "s16" if codec == "pcm_s16le" else "fltp"
            data = track if src_fmt == "fltp" else np.round(
                np.clip(track, -1, 1) * 32767).astype(np.int16).T.reshape(1, -1)
            n = track.shape[1]
            for i in range(0, n, ENCODE_FRAME):
                block = data[:, i: i + ENCODE_FRAME] if src_fmt == "fltp" \
                    else data[:, 2 * i: 2 * (i + ENCODE_FRAME)]
                frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block), format=src_fmt,
                                                   layout="stereo")
                frame.sample_rate, frame.pts = RATE, i
                for packet in stream.encode(frame):
                    container.mux(packet)
                if i % (ENCODE_FRAME * 200) == 0:
                    check_cancelled(ctx)
                    ctx.report(0.7 + 0.3 * i / max(n, 1), "writing the track")
            for packet in stream.encode(None):
                container.mux(packet)
        os.replace(tmp, out)
    except InputError:
        raise
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise InputError(f"cannot write {out.name}: {exc.strerror or exc}") from exc
        raise


# ----------------------------------------------------------------------------------------------
# The whole job
# ----------------------------------------------------------------------------------------------
def render_practice_track(ctx: TaskContext | None, song_path: str | Path, beat_times: Sequence[float],
                          beat_counts: Sequence[int], song_duration: float, out_path: str | Path,
                          options: PracticeOptions = PracticeOptions(),
                          moves: Sequence[tuple[float, str]] = ()) -> PracticeReport:
    """Write the counted practice track of ``song_path`` to ``out_path`` (a job).

    ``beat_times``/``beat_counts``: the song's corrected grid; ``song_duration``: its length (s).
    ``moves``: (song time a move starts, its name), called a phrase ahead when a voice can say them.
    """
    from bachata_desktop.services.count_voice import click_sound, load_voice

    t0 = time.perf_counter()
    ctx = ctx or NullContext()
    src, out = Path(song_path), Path(out_path)
    if out.suffix.lower() not in FORMATS:
        raise InputError(f"the practice track must end in {', '.join(FORMATS)}: {out.name}")
    if not src.is_file():
        raise InputError(f"song file not found: {src}")
    if not out.parent.is_dir():
        raise InputError(f"the folder for {out.name} does not exist: {out.parent}")
    speed = check_speed(options.speed)
    if song_duration <= 0 or len(beat_times) < 2:
        raise InputError(f"{src.name} has no beat grid: analyse the song first")
    start, end = check_span(options.start, options.end, song_duration)
    notes: list[str] = []
    voice = None
    if options.counts == "voice" or moves:
        voice = load_voice(options.lang, RATE, options.voice)
    can_name = voice is not None and voice.can_say_names
    if moves and not can_name:
        notes.append("move names not called: this computer has no speech voice for them")
    name_sounds: dict[str, np.ndarray] = {}
    if can_name and voice is not None:
        for _, name in moves:
            snd = voice.say(name)
            if snd is not None:
                name_sounds[name] = snd
    longest = max((s.size for s in name_sounds.values()), default=RATE) / RATE
    plan = plan_cues(beat_times, beat_counts, start, end, speed, options.counts, options.steps,
                     options.count_in, [(t, n) for t, n in moves if n in name_sounds],
                     name_len_s=longest)
    ctx.report(0.02, f"reading {src.name}")
    music = decode_stereo(src, start, end)
    check_cancelled(ctx)
    n_span = int(round((end - start) / speed * RATE))
    slowed = _fit(stretch(music, speed, ctx), n_span)
    lag = timing_lag(music[0], slowed[0], speed) if speed < 1.0 else 0.0
    music = _shift(slowed, -lag)      # put the slowed hits back on the scaled grid
    n_in = int(round(plan.count_in_s * RATE))
    music_gain, voice_gain = _gains(options.balance)
    track = np.zeros((2, n_in + n_span), np.float32)
    track[:, n_in:] = music * music_gain
    sounds: dict[int, np.ndarray] = {}
    if options.counts == "click":
        accent, beat = click_sound(RATE, True), click_sound(RATE, False)
        sounds = {c: accent if c == 1 else beat for c in range(1, 9)}
    elif options.counts == "voice" and voice is not None:
        sounds = dict(voice.counts)
    placed = mix_cues(track, plan, sounds, name_sounds, voice_gain)
    peak = float(np.abs(track).max(initial=0.0))
    if peak > 0.99:
        track *= 0.99 / peak          # one gain for the whole track: the balance stays as asked
    ctx.report(0.7, "writing the track")
    title = options.title or f"{src.stem} - {int(round(speed * 100))}% counted"
    write_audio(track, out, title, ctx)
    ctx.report(1.0, f"wrote {out.name}")
    return PracticeReport(
        path=str(out), format=out.suffix.lower().lstrip("."), duration_s=track.shape[1] / RATE,
        start_s=start, end_s=end, speed=speed, count_in_s=n_in / RATE, counts=options.counts,
        lang=options.lang, steps=options.steps,
        voice=(voice.label if moves else voice.label.split(";")[0])
        if voice is not None and options.counts == "voice" else options.counts,
        cues=placed, names_called=sum(1 for c in plan.cues if c.kind == "name"),
        elapsed_s=time.perf_counter() - t0, timing_fix_ms=round(-lag * 1000, 1), notes=tuple(notes))


__all__ = ["FORMATS", "RATE", "PracticeOptions", "PracticeReport", "decode_stereo", "mix_cues", "timing_lag",
           "render_practice_track", "stretch", "write_audio"]
