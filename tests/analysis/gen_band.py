"""Generator 2: a "live band" with timing imperfections. What it varies: swing of the eighths, slow
tempo drift, background noise, breaks (the band stops for the last bar of a phrase and comes back on
the "1"), majao mambos (bongo replaced by a bell on every beat, güira doubled), choruses (a voice
an octave up, a louder guitar), the chords' rhythm
chosen per song, a bass that plays 1 and 5 with random extra notes.
It holds fixed: no intro (the band starts on a "1" or with one pickup beat of bell).

Instruments: Karplus-Strong plucked guitar (strummed chords on 1-2-3-4 "and"s), a filtered-saw bass,
a two-tone bongo from damped resonators, a bell, a shaker-like güira.
"""

from __future__ import annotations

import numpy as np
from songtruth import GeneratedSong

SR = 22050


def _pluck(f0: float, dur: float, rng: np.random.Generator, damp: float = 0.996) -> np.ndarray:
    n, period = int(dur * SR), max(2, int(SR / f0))
    buf = rng.uniform(-1, 1, period)
    blocks = []
    for _ in range(n // period + 1):         # one period at a time: each averages the last one
        blocks.append(buf)
        buf = damp * 0.5 * (buf + np.roll(buf, -1))
    return np.concatenate(blocks)[:n].astype(np.float32)


def _resonator(f: float, dur: float, decay: float) -> np.ndarray:
    t = np.arange(int(dur * SR)) / SR
    return (np.sin(2 * np.pi * f * t) * np.exp(-t / decay)).astype(np.float32)


def _saw(f: float, dur: float, decay: float) -> np.ndarray:
    t = np.arange(int(dur * SR)) / SR
    x = 2 * ((f * t) % 1.0) - 1
    from scipy.signal import lfilter

    k = np.exp(-2 * np.pi * 300 / SR)        # one-pole low-pass: a round bass
    y = lfilter([1 - k], [1, -k], x)
    return (y * np.minimum(1, t / 0.005) * np.exp(-t / decay)).astype(np.float32)


def _add(buf: np.ndarray, t: float, x: np.ndarray, g: float) -> None:
    i = int(round(t * SR))
    if 0 <= i < buf.size:
        j = min(buf.size, i + x.size)
        buf[i:j] += g * x[: j - i]


def generate(seed: int, *, bpm: float | None = None, swing: float | None = None, drift: float | None = None,
             noise: float | None = None, breaks: bool | None = None) -> GeneratedSong:
    rng = np.random.default_rng(10_000 + seed)
    bpm = float(bpm if bpm is not None else rng.uniform(104, 160))
    swing = float(rng.uniform(0.0, 0.12) if swing is None else swing)     # share of an eighth
    drift = float(rng.uniform(0.0, 0.015) if drift is None else drift)    # relative tempo wander
    noise = float(rng.uniform(0.0, 0.08) if noise is None else noise)
    breaks = bool(rng.random() < 0.6) if breaks is None else breaks
    harmonic = ("bar", "half_bar", "phrase")[int(rng.integers(0, 3))]
    pickup = int(rng.integers(0, 2))
    sections = [("verse", 3), ("chorus", 2), ("majao", 2), ("verse", 2), ("chorus", 2), ("majao", 3)]
    n_beats = pickup + 8 * sum(n for _, n in sections)
    # beat times with a slow sinusoidal tempo wander around the nominal tempo
    p0 = 60.0 / bpm
    phase = rng.uniform(0, 2 * np.pi)
    k = np.arange(n_beats)
    periods = p0 * (1 + drift * np.sin(2 * np.pi * k / max(n_beats * 0.7, 1) + phase))
    t0 = float(rng.uniform(0.3, 1.0))
    times = t0 + np.concatenate([[0.0], np.cumsum(periods[:-1])])
    times = times + rng.normal(0, 0.004, times.size)
    buf = np.zeros(int((times[-1] + 2.5) * SR), dtype=np.float32)
    counts = np.array([(8 - pickup + i) % 8 + 1 for i in range(n_beats)])
    bongo_lo, bongo_hi = _resonator(210, 0.15, 0.05), _resonator(330, 0.1, 0.025)
    bell = _resonator(1850, 0.25, 0.08) + 0.5 * _resonator(2710, 0.25, 0.05)
    shaker = rng.standard_normal(int(0.04 * SR)).astype(np.float32) * np.exp(-np.arange(int(0.04 * SR)) / SR / 0.01)
    shaker = np.diff(shaker, prepend=0.0).astype(np.float32)          # a crude high-pass
    roots = rng.choice([40, 41, 43, 45, 47, 48], 4, replace=False)
    chord_cache: dict[int, np.ndarray] = {}

    def chord(root: int) -> np.ndarray:
        if root not in chord_cache:
            notes = [root + 12, root + 19, root + 24, root + 28]
            chord_cache[root] = sum(_pluck(440 * 2 ** ((m - 69) / 12), 0.45, rng) for m in notes) / 4
        return chord_cache[root]

    sec_starts: list[float] = []
    i = pickup
    if pickup:
        _add(buf, times[0], bell, 0.3)
    for si, (name, n) in enumerate(sections):
        if si:
            sec_starts.append(float(times[i]))
        for ph in range(n):
            brk = breaks and ph == n - 1 and si < len(sections) - 1
            for b in range(8):
                t = float(times[i])
                per = float(periods[i])
                c = b + 1
                if harmonic == "bar":
                    root = roots[(ph * 2 + b // 4) % 4]
                elif harmonic == "half_bar":
                    root = roots[(b // 2) % 2 + 2 * (ph % 2)]
                else:
                    root = roots[(si + ph) % 4]
                if brk and b >= 4:
                    if b == 4:          # the band stops: one held chord
                        _add(buf, t, chord(int(root)), 0.35)
                    i += 1
                    continue
                and_t = t + per * (0.5 + swing * 0.5)
                gtr = {"verse": 0.22, "chorus": 0.3, "majao": 0.3}[name]
                if name == "chorus" and c in (1, 5):      # the chorus adds a voice an octave up
                    _add(buf, t, _resonator(440 * 2 ** ((root + 36 - 69) / 12), 4 * per, 1.5 * per), 0.12)
                _add(buf, t, chord(int(root)), gtr)
                _add(buf, and_t, chord(int(root)), gtr * 0.6)
                if name == "majao":
                    _add(buf, t, bell, 0.35 if c in (1, 5) else 0.25)
                    _add(buf, and_t, shaker, 0.35)
                    _add(buf, t, shaker, 0.4)
                else:
                    _add(buf, t, bongo_hi if c in (4, 8) else bongo_lo, 0.55 if c in (4, 8) else 0.35)
                    _add(buf, and_t, bongo_hi, 0.12)
                    _add(buf, t, shaker, 0.25)
                    _add(buf, and_t, shaker, 0.2)
                f = 440 * 2 ** ((root - 69) / 12)
                if c in (1, 5):
                    _add(buf, t, _saw(f, per * 1.5, 0.4), 0.7)
                elif rng.random() < 0.25:
                    _add(buf, t, _saw(f * (1.5 if c in (3, 7) else 2.0), per * 0.6, 0.2), 0.4)
                i += 1
    if noise:
        buf += noise * np.random.default_rng(seed).standard_normal(buf.size).astype(np.float32) * float(np.abs(buf).max())
    audio = buf / (np.abs(buf).max() + 1e-9) * 0.8
    return GeneratedSong(audio.astype(np.float32), SR, float(60.0 / periods.mean()), times, counts,
                         np.array(sec_starts), {"gen": "band", "swing": round(swing, 3), "drift": round(drift, 4),
                                                "noise": round(noise, 3), "breaks": breaks, "harmonic": harmonic,
                                                "pickup": pickup})


__all__ = ["generate"]
