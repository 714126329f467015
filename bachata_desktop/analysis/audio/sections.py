"""Song sections (intro, verse/derecho, chorus, mambo/majao, outro) and the energy per phrase.

Bachata changes section on a phrase start, so segmentation works on whole 8-count phrases: the
change of band loudness, loudness and onset density between the phrases before and after a phrase
start gives the boundaries (local peaks, at least two phrases apart); segments are then labelled by position, energy and
repetition: a quiet opening is the intro, a quiet ending the outro, the loudest segment in the second
half that is louder than the choruses is the mambo, repeated louder segments are choruses, and the
rest are verses.
"""

from __future__ import annotations

import numpy as np

from bachata_desktop.analysis.audio.features import Features
from bachata_desktop.analysis.audio.grid import beat_sync
from bachata_desktop.core.song import Section, SectionLabel


def _scale01(x: np.ndarray, lo_q: float = 5, hi_q: float = 95) -> np.ndarray:
    if x.size == 0:
        return x
    lo, hi = np.percentile(x, lo_q), np.percentile(x, hi_q)
    if hi - lo < 1e-9:
        return np.full_like(x, 0.5, dtype=np.float64)
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def phrase_frames(feats: Features, phrases: tuple[float, ...] | list[float]) -> np.ndarray:
    return np.clip(np.round(np.asarray(phrases, dtype=np.float64) * feats.frame_rate).astype(np.int64),
                   0, max(feats.n_frames - 1, 0))


def phrase_energy(feats: Features, phrases: tuple[float, ...] | list[float]) -> np.ndarray:
    """Energy of each phrase in [0, 1]: loudness (dB) and onset density, relative to the song,
    with a floor from absolute loudness so that a uniformly quiet song is not called energetic."""
    if len(phrases) == 0:
        return np.zeros(0)
    fr = phrase_frames(feats, phrases)
    stack = np.vstack([feats.rms_db, feats.onset])
    per = beat_sync(stack, fr, feats.n_frames)          # (n_phrases, 2)
    loud = _scale01(per[:, 0])
    dens = _scale01(per[:, 1])
    rel = 0.65 * loud + 0.35 * dens
    absolute = np.clip((per[:, 0] + 40.0) / 30.0, 0.0, 1.0)   # -40 dBFS -> 0, -10 dBFS -> 1
    return np.clip(0.15 + 0.7 * rel * (0.5 + 0.5 * absolute), 0.0, 1.0)


def segment(feats: Features, phrases: tuple[float, ...] | list[float], energy: np.ndarray,
            min_len: int = 2, half: int = 2) -> list[int]:
    """Indices of the phrases that start a new section (always includes 0).

    Each phrase is described by its loudness in 16 mel band groups (instruments entering or
    leaving), its overall loudness and its onset density, standardised over the song; a phrase
    start scores the distance between the ``half`` phrases before and after it. Local peaks above
    a low percentile of the scores become boundaries, strongest first, ``min_len`` phrases apart.
    Harmony is left out: chords change from phrase to phrase inside a section (measured on the
    generated songs, adding chroma lowered the share of section changes found).
    """
    n = len(phrases)
    if n <= min_len:
        return [0]
    fr = phrase_frames(feats, phrases)
    bands = feats.mel_db.reshape(16, -1, feats.mel_db.shape[1]).mean(axis=1)
    stack = np.vstack([bands, feats.rms_db[None, :], np.log(feats.onset[None, :] + 1e-3)])
    vec = beat_sync(stack, fr, feats.n_frames)
    vec = (vec - np.median(vec, axis=0)) / (vec.std(axis=0) + 1e-6)
    vec[:, 16] *= 2.0                       # overall loudness counts twice
    score = np.zeros(n)
    for i in range(1, n):
        before = vec[max(0, i - half):i].mean(axis=0)
        after = vec[i:i + half].mean(axis=0)
        score[i] = float(np.linalg.norm(after - before))
    # the biggest changes (intro, mambo, outro) would lift a median threshold over the verse/chorus
    # changes: a low percentile, and only local peaks
    thr = float(np.percentile(score[1:], 30))
    bounds = [0]
    for k in np.argsort(-score):
        if k == 0 or score[k] <= thr or score[k] < score[max(1, k - 1): k + 2].max():
            continue
        if all(abs(int(k) - b) >= min_len for b in bounds):
            bounds.append(int(k))
    return sorted(bounds)


def label_sections(feats: Features, phrases: tuple[float, ...] | list[float], energy: np.ndarray,
                   bounds: list[int], duration: float) -> tuple[Section, ...]:
    n = len(phrases)
    if n == 0:
        return (Section(0.0, duration, SectionLabel.VERSE, 0.5),)
    segs = list(zip(bounds, bounds[1:] + [n], strict=True))
    e = np.array([float(np.mean(energy[a:b])) for a, b in segs])
    fr = phrase_frames(feats, phrases)
    chroma_ph = beat_sync(feats.chroma, fr, feats.n_frames)
    mf = feats.mfcc[1:13]
    mf = (mf - mf.mean(axis=1, keepdims=True)) / (mf.std(axis=1, keepdims=True) + 1e-6)
    mfcc_ph = beat_sync(mf, fr, feats.n_frames)
    desc = np.array([np.concatenate([chroma_ph[a:b].mean(axis=0) - chroma_ph.mean(axis=0),
                                     0.5 * (mfcc_ph[a:b].mean(axis=0))]) for a, b in segs])
    desc /= np.maximum(np.linalg.norm(desc, axis=1, keepdims=True), 1e-9)
    sim = desc @ desc.T
    labels = [SectionLabel.VERSE] * len(segs)
    mean_e = float(np.mean(energy))
    first_mid, last_mid = 0, len(segs) - 1
    if len(segs) >= 3 and e[0] < mean_e and segs[0][1] - segs[0][0] <= max(4, n // 4):
        labels[0] = SectionLabel.INTRO
        first_mid = 1
    if len(segs) >= 3 and e[-1] < mean_e and segs[-1][1] - segs[-1][0] <= max(4, n // 4):
        labels[-1] = SectionLabel.OUTRO
        last_mid = len(segs) - 2
    mid = list(range(first_mid, last_mid + 1))
    if mid:
        med = float(np.median(e[mid]))
        for i in mid:
            repeats = sum(1 for j in mid if j != i and sim[i, j] > 0.6)
            if repeats >= 1 and e[i] >= med:
                labels[i] = SectionLabel.CHORUS
        chorus_e = [e[i] for i in mid if labels[i] is SectionLabel.CHORUS]
        top = max(mid, key=lambda i: e[i])
        half = phrases[segs[top][0]] >= 0.4 * duration
        if len(mid) >= 3 and half and (not chorus_e or e[top] > max(chorus_e) - 1e-9) \
                and e[top] > med + 0.05:
            labels[top] = SectionLabel.MAMBO
    out: list[Section] = []
    for k, ((a, b), lab) in enumerate(zip(segs, labels, strict=True)):
        start = 0.0 if k == 0 else float(phrases[a])
        end = duration if b >= n else float(phrases[b])
        out.append(Section(start, end, lab, float(np.clip(e[k], 0.0, 1.0))))
    return tuple(out)


def find_sections(feats: Features, phrases: tuple[float, ...] | list[float], duration: float
                  ) -> tuple[tuple[Section, ...], np.ndarray]:
    """(sections, energy per phrase)."""
    energy = phrase_energy(feats, phrases)
    bounds = segment(feats, phrases, energy)
    return label_sections(feats, phrases, energy, bounds, duration), energy


__all__ = ["find_sections", "label_sections", "phrase_energy", "segment"]
