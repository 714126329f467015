"""Generator 3: an "arranger" that builds songs from a random score. What it varies: the form
(2-4 phrases per section, 4-7 sections), instruments entering one by one (requinto guitar alone,
then bass, then bongo, then güira), a requinto melody with pickup notes over 1-4 beats, fills (a
bongo roll on 7-8 before a new section), a fade-out, and the chord rhythm (two chords per bar, a
chord per bar, or a chord per phrase) and the bass (1 and 5, 1-3-5-7, or tumbao with the "and"
before 1 and 5) chosen per section rather than per song.
It holds fixed: mild timing jitter, no swing or drift, low noise.

Instruments (FM synthesis, unlike the other generators): an FM-plucked requinto, a two-operator
FM bass, a pitched-noise bongo pair, a metallic güira scrape on the "and"s.
"""

from __future__ import annotations

import numpy as np
from songtruth import GeneratedSong

SR = 22050


def _fm(fc: float, ratio: float, index: float, dur: float, decay: float) -> np.ndarray:
    t = np.arange(int(dur * SR)) / SR
    env = np.minimum(1.0, t / 0.004) * np.exp(-t / decay)
    return (env * np.sin(2 * np.pi * fc * t + index * env * np.sin(2 * np.pi * fc * ratio * t))).astype(np.float32)


def _hit(rng: np.random.Generator, f: float, dur: float, decay: float) -> np.ndarray:
    n = int(dur * SR)
    t = np.arange(n) / SR
    x = 0.6 * np.sin(2 * np.pi * f * t * (1 + 0.3 * np.exp(-t / 0.01))) + 0.4 * rng.standard_normal(n)
    return (x * np.exp(-t / decay)).astype(np.float32)


def _mix(buf: np.ndarray, t: float, x: np.ndarray, g: float) -> None:
    i = int(round(t * SR))
    if 0 <= i < buf.size:
        j = min(buf.size, i + x.size)
        buf[i:j] += g * x[: j - i]


def _midi(m: float) -> float:
    return 440.0 * 2 ** ((m - 69) / 12)


def generate(seed: int, *, bpm: float | None = None, pickup: int | None = None) -> GeneratedSong:
    rng = np.random.default_rng(20_000 + seed)
    bpm = float(bpm if bpm is not None else rng.uniform(100, 160))
    pickup = int(rng.integers(0, 5)) if pickup is None else pickup
    p = 60.0 / bpm
    n_sec = int(rng.integers(4, 8))
    lengths = [int(rng.integers(2, 5)) for _ in range(n_sec)]
    # instruments enter one by one over the first sections: requinto, bass, bongo, güira
    entry = sorted(rng.choice(np.arange(0, 3), 3))            # section index of bass, bongo, güira
    key = int(rng.integers(0, 12))
    scale = np.array([0, 2, 3, 5, 7, 8, 10])                  # minor
    degrees = [0, 5, 2, 6, 3, 4]
    start = float(rng.uniform(0.1, 2.0))
    first_one = start + pickup * p
    n_beats = 8 * sum(lengths)
    total = first_one + n_beats * p + 3.0
    buf = np.zeros(int(total * SR), dtype=np.float32)
    bongo_lo, bongo_hi = _hit(rng, 190, 0.12, 0.04), _hit(rng, 300, 0.08, 0.02)
    guira = (rng.standard_normal(int(0.05 * SR)) * np.sin(np.linspace(0, np.pi, int(0.05 * SR)))).astype(np.float32)
    guira = np.diff(guira, prepend=0.0).astype(np.float32)
    beats, counts, sec_starts = [], [], []
    # pickup: the requinto climbs a scale into the first 1
    for k in range(pickup):
        t = start + k * p
        beats.append(t)
        counts.append(8 - pickup + 1 + k)
        _mix(buf, t, _fm(_midi(64 + key % 5 + scale[k % 7]), 2.0, 1.5, 0.3, 0.12), 0.3)
    b_idx = 0
    jit = rng.normal(0, 0.003, n_beats + 1)
    for s, n in enumerate(lengths):
        if s:
            sec_starts.append(first_one + b_idx * p + jit[b_idx])
        chord_rhythm = ("half_bar", "bar", "phrase")[int(rng.integers(0, 3))]
        bass_style = ("1_5", "1357", "tumbao")[int(rng.integers(0, 3))]
        loud = 0.6 + 0.4 * (s / max(n_sec - 1, 1))
        fade = s == n_sec - 1
        for ph in range(n):
            fill = ph == n - 1 and s < n_sec - 1 and rng.random() < 0.6
            for b in range(8):
                c = b + 1
                t = first_one + b_idx * p + jit[b_idx]
                beats.append(t)
                counts.append(c)
                g = loud * (1.0 - 0.8 * (ph * 8 + b) / (n * 8) if fade else 1.0)
                if chord_rhythm == "half_bar":
                    deg = degrees[(b // 2) % 4]
                elif chord_rhythm == "bar":
                    deg = degrees[(ph * 2 + b // 4) % 6]
                else:
                    deg = degrees[(s + ph) % 6]
                root = 36 + key + scale[deg % 7]
                # requinto: a broken chord on eighths, an octave-jumping melody
                for e in range(2):
                    m = 60 + key + scale[(deg + 2 * ((b * 2 + e) % 3)) % 7] + 12 * (e == 1 and b % 3 == 0)
                    _mix(buf, t + e * p / 2, _fm(_midi(m), 3.0, 2.0, 0.35, 0.1), 0.18 * g)
                if s >= entry[0]:
                    f = _midi(root)
                    if bass_style == "1_5" and c in (1, 5):
                        _mix(buf, t, _fm(f, 1.0, 1.2, 1.4 * p, 0.45), 0.75 * g)
                    elif bass_style == "1357" and c % 2:
                        _mix(buf, t, _fm(f * (1.5 if c in (3, 7) else 1), 1.0, 1.2, p, 0.35), (0.75 if c in (1, 5) else 0.5) * g)
                    elif bass_style == "tumbao":
                        if c in (1, 5):
                            _mix(buf, t, _fm(f, 1.0, 1.2, 0.8 * p, 0.3), 0.75 * g)
                        if c in (3, 7):
                            _mix(buf, t + p / 2, _fm(f * 1.5, 1.0, 1.0, 0.5 * p, 0.2), 0.5 * g)
                        if c in (4, 8):
                            _mix(buf, t + p / 2, _fm(f * 2, 1.0, 1.0, 0.45 * p, 0.2), 0.55 * g)
                if s >= entry[1]:
                    if fill and c >= 7:
                        for q in range(4):
                            _mix(buf, t + q * p / 4, bongo_hi if q % 2 else bongo_lo, 0.4 * g)
                    else:
                        _mix(buf, t, bongo_hi if c in (4, 8) else bongo_lo, (0.5 if c in (4, 8) else 0.3) * g)
                if s >= entry[2]:
                    _mix(buf, t + p / 2, guira, 0.1 * g)
                    _mix(buf, t, guira, 0.14 * g)
                b_idx += 1
    _mix(buf, first_one + b_idx * p, _fm(_midi(36 + key), 1.0, 1.0, 2.0, 0.7), 0.5)
    buf += 0.004 * rng.standard_normal(buf.size).astype(np.float32)
    audio = buf / (np.abs(buf).max() + 1e-9) * 0.8
    return GeneratedSong(audio.astype(np.float32), SR, bpm, np.array(beats), np.array(counts), np.array(sec_starts),
                         {"gen": "arranger", "pickup": pickup, "sections": lengths, "entries": [int(e) for e in entry]})


__all__ = ["generate"]
