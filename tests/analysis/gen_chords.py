"""Generator 1: harmony-driven songs. What it varies: where the chords change (the same chords in
both bars of a phrase, a new chord every bar, one chord per phrase), the bass pattern (1 and 5,
1-3-5-7, syncopated with the "and" before 1 and 5), a guitar-only intro, pickup notes.
It holds fixed: a steady tempo, no swing, no noise, a plain form (intro, verses, choruses, mambo).

Instruments: additive-synthesis guitar arpeggio on eighths, sine+harmonic bass, noise-burst bongo
(accent on 4 and 8 "martillo" pattern), high-passed noise güira on eighths.
"""

from __future__ import annotations

import numpy as np
from songtruth import GeneratedSong

SR = 22050
CHORD_MODES = ("same_bars", "per_bar", "per_phrase")
BASS_MODES = ("1_5", "1357", "synco")

# pitch-class sets (root first) of common bachata progressions (i - VI - III - VII and friends)
_PROGS = (((9, 0, 4), (5, 9, 0), (0, 4, 7), (7, 11, 2)),
          ((2, 5, 9), (10, 2, 5), (5, 9, 0), (0, 4, 7)),
          ((4, 7, 11), (0, 4, 7), (7, 11, 2), (2, 6, 9)))


def _note(f0: float, dur: float, decay: float, harm: tuple[float, ...]) -> np.ndarray:
    t = np.arange(int(dur * SR)) / SR
    x = sum(a * np.sin(2 * np.pi * f0 * (k + 1) * t) for k, a in enumerate(harm) if f0 * (k + 1) < SR / 2)
    return (x * np.minimum(1.0, t / 0.003) * np.exp(-t / decay)).astype(np.float32)


def _noise(dur: float, decay: float, rng: np.random.Generator, hp: float) -> np.ndarray:
    n = int(dur * SR)
    x = rng.standard_normal(n)
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(n, 1 / SR)
    spec[f < hp] = 0
    x = np.fft.irfft(spec, n)
    x /= np.abs(x).max() + 1e-9
    return (x * np.exp(-np.arange(n) / SR / decay)).astype(np.float32)


def _put(buf: np.ndarray, t: float, x: np.ndarray, g: float) -> None:
    i = int(round(t * SR))
    if i < 0 or i >= buf.size:
        return
    j = min(buf.size, i + x.size)
    buf[i:j] += g * x[: j - i]


def generate(seed: int, *, bpm: float | None = None, chords: str | None = None, bass: str | None = None,
             intro: bool | None = None, pickup: int | None = None) -> GeneratedSong:
    rng = np.random.default_rng(seed)
    bpm = float(bpm if bpm is not None else rng.uniform(108, 156))
    chords = chords or CHORD_MODES[seed % 3]
    bass = bass or BASS_MODES[(seed // 3) % 3]
    intro = bool(rng.random() < 0.5) if intro is None else intro
    pickup = int(rng.integers(0, 4)) if pickup is None else pickup
    prog = _PROGS[int(rng.integers(0, len(_PROGS)))]
    transpose = int(rng.integers(-3, 4))
    p = 60.0 / bpm
    start = float(rng.uniform(0.2, 1.5))
    # form: (name, phrases); a guitar intro of 2 phrases when asked
    form = ([("intro", 2)] if intro else []) + [("verse", 4), ("chorus", 3), ("verse", 3), ("mambo", 3),
                                                  ("chorus", 2)]
    n_ph = sum(n for _, n in form)
    first_one = start + pickup * p
    total = first_one + n_ph * 8 * p + 2.0
    buf = np.zeros(int(total * SR), dtype=np.float32)
    bongo = _noise(0.07, 0.02, rng, 500) + _note(330, 0.07, 0.03, (1.0,))
    guira = _noise(0.03, 0.008, rng, 6000)
    beats: list[float] = []
    counts: list[int] = []
    sec_starts: list[float] = []
    # pickup: a guitar run up to the 1, on the last beats of an imaginary phrase
    for k in range(pickup):
        t = start + k * p
        beats.append(t)
        counts.append(8 - pickup + 1 + k)
        _put(buf, t, _note(220 * 2 ** ((k * 2 + transpose) / 12), 0.4, 0.15, (1, .4, .2)), 0.35)
    ph = 0
    for si, (name, n) in enumerate(form):
        if si > 0:
            sec_starts.append(first_one + ph * 8 * p)
        lvl = {"intro": 0.6, "verse": 0.75, "chorus": 0.9, "mambo": 1.0}[name]
        for _ in range(n):
            for b in range(8):
                t = first_one + (ph * 8 + b) * p
                c = b + 1
                beats.append(t)
                counts.append(c)
                if chords == "same_bars":
                    chord = prog[(b % 4) // 2]
                elif chords == "per_bar":
                    chord = prog[(ph * 2 + b // 4) % 4]
                else:
                    chord = prog[ph % 4]
                root = 45 + (chord[0] + transpose) % 12
                # guitar: arpeggio on eighths through the chord tones, two octaves up
                for e in range(2):
                    tone = chord[(b * 2 + e) % 3]
                    midi = 57 + (tone + transpose) % 12 + 12 * ((b * 2 + e) % 4 == 3)
                    _put(buf, t + e * p / 2, _note(440 * 2 ** ((midi - 69) / 12), 0.5, 0.18,
                                                   (1, .5, .3, .2)), 0.22 * lvl)
                if name == "intro":
                    continue
                # bongo on every beat, the martillo's open tone on 4 and 8; güira eighths
                _put(buf, t, bongo, (0.55 if c in (4, 8) else 0.3) * lvl)
                _put(buf, t + p / 2, bongo, 0.15 * lvl)
                for e in range(2):
                    _put(buf, t + e * p / 2, guira, (0.2 if name == "mambo" else 0.12) * (1.3 if e == 0 else 1.0))
                f_root = 440 * 2 ** ((root - 69) / 12)
                if bass == "1_5" and c in (1, 5):
                    _put(buf, t, _note(f_root, 1.2 * p, 0.5, (1, .6, .2)), 0.8 * lvl)
                elif bass == "1357" and c % 2 == 1:
                    g = 0.8 if c in (1, 5) else 0.55
                    _put(buf, t, _note(f_root * (1.5 if c in (3, 7) else 1.0), 0.9 * p, 0.4, (1, .6, .2)), g * lvl)
                elif bass == "synco":
                    if c in (1, 5):
                        _put(buf, t, _note(f_root, 1.2 * p, 0.5, (1, .6, .2)), 0.8 * lvl)
                    if c in (4, 8):   # the "and" before 1 and 5: a short, lighter pickup note (a fifth up)
                        _put(buf, t + p / 2, _note(f_root * 1.5, 0.3 * p, 0.08, (1, .6, .2)), 0.45 * lvl)
            ph += 1
    # a last "1" to end on
    end = first_one + ph * 8 * p
    _put(buf, end, _note(110, 1.5, 0.6, (1, .5)), 0.6)
    audio = buf / (np.abs(buf).max() + 1e-9) * 0.8
    return GeneratedSong(audio.astype(np.float32), SR, bpm, np.array(beats), np.array(counts),
                         np.array(sec_starts), {"gen": "chords", "chords": chords, "bass": bass,
                                                "intro": intro, "pickup": pickup})


__all__ = ["BASS_MODES", "CHORD_MODES", "generate"]
