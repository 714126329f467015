"""Generator 4: music in three (3/4), the case the 8-count grid must not silently double.

Written from what a waltz sounds like, not from the grid code: an "oom-pah-pah" accompaniment
(the bass on 1, the chord on 2 and 3), a melody that moves mostly on the bar, brushes or a hi-hat
on every beat (louder on 1), and a chord per bar or per two bars. What it varies: the style and
tempo (a slow ballroom waltz at 84-96 BPM, a jazz waltz at 110-150, a Viennese waltz at 165-180),
whether the chord stabs are as loud as the bass (no accent cue on the 1), the harmonic rhythm,
pickup notes before the first bar, a little timing jitter and noise.

Returns the audio with every beat's time and the bar starts (the 1s of the three).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SR = 22050
STYLES = ("slow", "jazz", "viennese")
_RANGES = {"slow": (84.0, 96.0), "jazz": (110.0, 150.0), "viennese": (165.0, 180.0)}
# pitch-class triads (root first): I - vi - ii - V and I - IV - V - I in a few keys
_PROGS = (((0, 4, 7), (9, 0, 4), (2, 5, 9), (7, 11, 2)),
          ((0, 4, 7), (5, 9, 0), (7, 11, 2), (0, 4, 7)),
          ((7, 11, 2), (4, 7, 11), (9, 0, 4), (2, 6, 9)))


@dataclass(frozen=True)
class WaltzSong:
    audio: np.ndarray          # float32 mono
    sr: int
    bpm: float
    beat_times: np.ndarray     # every beat (quarter note), pickups included
    bar_starts: np.ndarray     # the 1 of every bar
    style: str

    @property
    def duration(self) -> float:
        return self.audio.size / self.sr

    def write(self, path) -> object:  # noqa: ANN001 - str or Path
        import soundfile as sf

        sf.write(str(path), self.audio, self.sr)
        return path


def _hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def _voice(f0: float, dur: float, decay: float, partials: tuple[float, ...], attack: float = 0.004) -> np.ndarray:
    t = np.arange(int(dur * SR)) / SR
    x = np.zeros_like(t)
    for k, a in enumerate(partials):
        if f0 * (k + 1) < SR / 2:
            x += a * np.sin(2 * np.pi * f0 * (k + 1) * t)
    return (x * np.minimum(1.0, t / attack) * np.exp(-t / decay)).astype(np.float32)


def _brush(dur: float, decay: float, rng: np.random.Generator, low_cut: float) -> np.ndarray:
    n = int(dur * SR)
    spec = np.fft.rfft(rng.standard_normal(n))
    spec[np.fft.rfftfreq(n, 1 / SR) < low_cut] = 0
    x = np.fft.irfft(spec, n)
    x /= np.abs(x).max() + 1e-9
    return (x * np.exp(-np.arange(n) / SR / decay)).astype(np.float32)


def _mix(buf: np.ndarray, t: float, x: np.ndarray, gain: float) -> None:
    i = int(round(t * SR))
    if 0 <= i < buf.size:
        j = min(buf.size, i + x.size)
        buf[i:j] += gain * x[: j - i]


def generate(seed: int, *, style: str | None = None, bpm: float | None = None, duration: float = 40.0,
             flat_accents: bool | None = None, pickup: int | None = None, noise: float | None = None) -> WaltzSong:
    rng = np.random.default_rng(seed)
    style = style or STYLES[seed % len(STYLES)]
    lo, hi = _RANGES[style]
    bpm = float(bpm if bpm is not None else rng.uniform(lo, hi))
    flat = bool(rng.random() < 0.4) if flat_accents is None else flat_accents
    pickup = int(rng.integers(0, 3)) if pickup is None else pickup
    noise = float(rng.uniform(0.0, 0.03)) if noise is None else noise
    prog = _PROGS[int(rng.integers(0, len(_PROGS)))]
    key = int(rng.integers(-4, 5))
    bars_per_chord = int(rng.choice((1, 2)))
    p = 60.0 / bpm
    start = 0.3 + pickup * p
    n_bars = int((duration - start) / (3 * p)) - 1
    buf = np.zeros(int(duration * SR) + SR, dtype=np.float32)
    jitter = 0.008 if style != "viennese" else 0.004

    beats = [start - (pickup - i) * p for i in range(pickup)]
    bars = []
    melody_scale = (0, 2, 4, 5, 7, 9, 11)
    for b in range(n_bars):
        chord = prog[(b // bars_per_chord) % len(prog)]
        t1 = start + 3 * b * p
        bars.append(t1)
        root = 36 + key + chord[0]
        for k in range(3):
            t = t1 + k * p + rng.normal(0.0, jitter)
            beats.append(t1 + k * p)
            if k == 0:
                _mix(buf, t, _voice(_hz(root), 2.6 * p, 0.9 * p, (1.0, 0.5, 0.25, 0.1)), 0.9)
                _mix(buf, t, _brush(0.2, 0.05, rng, 3000.0), 0.22)
            else:
                stab = sum(_voice(_hz(58 + key + pc), 0.8 * p, 0.25 * p, (1.0, 0.6, 0.3, 0.2, 0.1)) for pc in chord)
                _mix(buf, t, stab, 0.35 if flat else 0.22)
                _mix(buf, t, _brush(0.15, 0.035, rng, 4000.0), 0.16 if flat else 0.1)
        # the melody: a long note on the 1, sometimes a quarter on 3 or an eighth before the next bar
        deg = int(rng.integers(0, 7))
        note = 72 + key + melody_scale[deg]
        _mix(buf, t1 + rng.normal(0.0, jitter), _voice(_hz(note), 2.0 * p, 1.2 * p, (1.0, 0.3, 0.15), 0.02), 0.3)
        if rng.random() < 0.5:
            note2 = 72 + key + melody_scale[(deg + int(rng.integers(-2, 3))) % 7]
            _mix(buf, t1 + 2 * p, _voice(_hz(note2), p, 0.6 * p, (1.0, 0.3, 0.15), 0.02), 0.22)
    # pickup notes: the melody alone before the first bar
    for i in range(pickup):
        _mix(buf, start - (pickup - i) * p, _voice(_hz(76 + key - 2 * i), p, 0.5 * p, (1.0, 0.3), 0.02), 0.25)
    end = int((start + 3 * n_bars * p + 1.0) * SR)
    buf = buf[: min(buf.size, end)]
    if noise > 0:
        buf += noise * rng.standard_normal(buf.size).astype(np.float32)
    buf /= np.abs(buf).max() + 1e-9
    return WaltzSong(audio=(0.8 * buf).astype(np.float32), sr=SR, bpm=bpm, beat_times=np.asarray(beats),
                     bar_starts=np.asarray(bars), style=style)


__all__ = ["STYLES", "WaltzSong", "generate"]
