"""Synthetic bachata songs with known beats, known "1"s and known sections (test fixtures).

No bachata recording with a clear licence is available, so the tests build songs with numpy:
a bongo hit on every beat with accents on 4 and 8, a güira on every eighth note, the bass on 1 and 5
(and the "and" before them), a plucked guitar arpeggio on eighths with one chord per bar, and
sections (intro, verse, chorus, mambo, outro) whose instruments and loudness change on phrase starts.
Options: tempo, leading silence, pickup beats before the first "1", total duration.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SR = 22050

# (label, number of 8-count phrases)
DEFAULT_FORM: tuple[tuple[str, int], ...] = (
    ("intro", 2), ("verse", 4), ("chorus", 4), ("verse", 4), ("chorus", 4), ("mambo", 4), ("chorus", 2),
    ("outro", 2),
)

# name -> (guitar, bongo, guira, bass, pad, busy)
_MIX = {
    "intro": (0.55, 0.25, 0.0, 0.0, 0.0, False),
    "verse": (0.45, 0.55, 0.18, 0.7, 0.0, False),
    "chorus": (0.6, 0.7, 0.25, 0.85, 0.12, False),
    "mambo": (0.75, 0.9, 0.32, 1.0, 0.1, True),
    "outro": (0.45, 0.35, 0.1, 0.5, 0.0, False),
}

# Am | F | C | G, one chord per bar (4 beats), MIDI roots and chord tones
_PROGRESSION = ((57, (57, 60, 64)), (53, (53, 57, 60)), (48, (48, 52, 55)), (55, (55, 59, 62)))


@dataclass(frozen=True)
class SynthSong:
    audio: np.ndarray          # float32 mono
    sr: int
    bpm: float
    beat_times: np.ndarray     # every beat, pickups included
    counts: np.ndarray         # 1..8 per beat
    ones: np.ndarray           # times of the "1"s
    sections: tuple[tuple[float, float, str], ...]

    @property
    def duration(self) -> float:
        return len(self.audio) / self.sr

    def write(self, path: str | Path, subtype: str | None = None) -> Path:
        import soundfile as sf

        path = Path(path)
        sf.write(str(path), self.audio, self.sr, subtype=subtype)
        return path


def _hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69) / 12.0)


def _env(n: int, tau_s: float, sr: int) -> np.ndarray:
    t = np.arange(n) / sr
    attack = np.minimum(1.0, t / 0.002)
    return (attack * np.exp(-t / tau_s)).astype(np.float32)


def _bandnoise(n: int, rng: np.random.Generator, lo: float, hi: float, sr: int) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / sr)
    spec[(f < lo) | (f > hi)] = 0
    x = np.fft.irfft(spec, n)
    return (x / (np.abs(x).max() + 1e-9)).astype(np.float32)


def _tone(midi: float, n: int, tau_s: float, sr: int, harmonics: tuple[float, ...]) -> np.ndarray:
    t = np.arange(n) / sr
    f0 = _hz(midi)
    x = np.zeros(n, dtype=np.float64)
    for k, a in enumerate(harmonics, start=1):
        if f0 * k < sr / 2:
            x += a * np.sin(2 * np.pi * f0 * k * t)
    return (x * _env(n, tau_s, sr)).astype(np.float32)


def _add(buf: np.ndarray, start_s: float, x: np.ndarray, gain: float, sr: int) -> None:
    i = int(round(start_s * sr))
    if i >= len(buf) or gain == 0.0:
        return
    if i < 0:
        x, i = x[-i:], 0
    j = min(len(buf), i + len(x))
    buf[i:j] += gain * x[: j - i]


def synth_song(bpm: float = 125.0, *, leading_silence: float = 0.0, pickup_beats: int = 0,
               duration: float | None = None, form: tuple[tuple[str, int], ...] = DEFAULT_FORM,
               sr: int = SR, seed: int = 0, jitter_s: float = 0.004) -> SynthSong:
    """Build a song. The first "1" is at ``leading_silence + pickup_beats * period``.

    ``duration`` (seconds) cuts the song (the form is repeated if needed); None = the whole form.
    """
    rng = np.random.default_rng(seed)
    period = 60.0 / bpm
    first_one = leading_silence + pickup_beats * period
    labels: list[str] = []
    for name, n in form:
        labels.extend([name] * n)
    if duration is not None:
        need = int(np.ceil((duration - first_one) / (8 * period))) + 1
        while len(labels) < need:
            labels.extend(lab for name, n in form if name not in ("intro", "outro") for lab in [name] * n)
        labels = labels[:need]
    total = duration if duration is not None else first_one + len(labels) * 8 * period + 1.5
    n_total = int(round(total * sr))
    buf = np.zeros(n_total, dtype=np.float32)

    # instrument templates
    bongo = _bandnoise(int(0.06 * sr), rng, 600, 5000, sr) * _env(int(0.06 * sr), 0.018, sr)
    bongo += 0.6 * _tone(76, len(bongo), 0.03, sr, (1.0,))
    slap = _bandnoise(int(0.08 * sr), rng, 900, 8000, sr) * _env(int(0.08 * sr), 0.03, sr)
    slap += 0.5 * _tone(81, len(slap), 0.04, sr, (1.0, 0.3))
    guira = _bandnoise(int(0.03 * sr), rng, 5000, 10500, sr) * _env(int(0.03 * sr), 0.008, sr)
    tones: dict[tuple[int, float, int], np.ndarray] = {}

    def tone(midi: int, tau: float, kind: int) -> np.ndarray:
        key = (midi, tau, kind)
        if key not in tones:
            harm = (1.0, 0.5, 0.3, 0.15) if kind == 0 else (1.0, 0.25)
            tones[key] = _tone(midi, int(min(4 * tau, 1.2) * sr), tau, sr, harm)
        return tones[key]

    beat_times: list[float] = []
    counts: list[int] = []
    ones: list[float] = []
    sections: list[tuple[float, float, str]] = []

    def j() -> float:
        return float(rng.normal(0.0, jitter_s)) if jitter_s > 0 else 0.0

    # pickup: guitar notes and light bongo on the counts before the first "1"
    for k in range(pickup_beats):
        t = leading_silence + k * period
        c = 8 - pickup_beats + 1 + k
        beat_times.append(t)
        counts.append(c)
        _add(buf, t + j(), bongo, 0.25 if c not in (4, 8) else 0.5, sr)
        _add(buf, t + j(), tone(64 + (k % 3) * 3, 0.25, 0), 0.4, sr)

    for p, name in enumerate(labels):
        g_gain, b_gain, gu_gain, bass_gain, pad_gain, busy = _MIX[name]
        p0 = first_one + p * 8 * period
        if p0 >= total:
            break
        if not sections or sections[-1][2] != name:
            if sections:
                sections[-1] = (sections[-1][0], p0, sections[-1][2])
            sections.append((p0, p0, name))
        ones.append(p0)
        for c in range(1, 9):
            t = p0 + (c - 1) * period
            if t >= total - 0.05:
                break
            beat_times.append(t)
            counts.append(c)
            bar = (p * 2 + (c - 1) // 4) % len(_PROGRESSION)
            root, chord = _PROGRESSION[bar]
            # bongo: every beat, accent (slap) on 4 and 8; mambo adds driving off-beat hits
            if c in (4, 8):
                _add(buf, t + j(), slap, b_gain * 1.0, sr)
            else:
                _add(buf, t + j(), bongo, b_gain * 0.45, sr)
            if busy:
                _add(buf, t + period / 2 + j(), bongo, b_gain * 0.2, sr)
            # güira: steady eighths, a little louder on the beat
            _add(buf, t + j(), guira, gu_gain, sr)
            _add(buf, t + period / 2 + j(), guira, gu_gain * 0.7, sr)
            # bass on 1 and 5, a lighter pickup note on the "and" of 4 and 8
            if c in (1, 5):
                _add(buf, t + j(), tone(root - 24, 0.35, 1), bass_gain, sr)
                _add(buf, t + 2 * period + j(), tone(root - 24 + 7, 0.3, 1), bass_gain * 0.55, sr)
            if c in (4, 8):
                _add(buf, t + period / 2 + j(), tone(root - 24 + 7, 0.2, 1), bass_gain * 0.35, sr)
            # guitar arpeggio on eighths through the chord tones (16ths in the mambo)
            steps = 4 if busy else 2
            for s in range(steps):
                note = chord[((c - 1) * steps + s) % 3] + (12 if (s % 2 and name != "intro") else 0)
                _add(buf, t + s * period / steps + j(), tone(note, 0.22, 0), g_gain * 0.35, sr)
            if pad_gain and c in (1, 5):
                for note in chord:
                    _add(buf, t, tone(note + 12, 0.9, 1), pad_gain * 0.4, sr)
    if sections:
        sections[-1] = (sections[-1][0], min(total, first_one + len(labels) * 8 * period), sections[-1][2])
    buf += rng.normal(0, 0.002, size=n_total).astype(np.float32)
    if leading_silence > 0:
        buf[: int(leading_silence * sr)] = 0.0
    peak = float(np.abs(buf).max())
    if peak > 0:
        buf *= 0.9 / peak
    bt = np.asarray(beat_times)
    keep = bt < total - 0.05
    return SynthSong(audio=buf, sr=sr, bpm=float(bpm), beat_times=bt[keep],
                     counts=np.asarray(counts)[keep], ones=np.asarray([o for o in ones if o < total - 0.05]),
                     sections=tuple(sections))


__all__ = ["DEFAULT_FORM", "SR", "SynthSong", "synth_song"]
