"""Song sections (intro, verse/derecho, chorus, mambo/majao, outro) and the energy per phrase.

Bachata changes section on a phrase start, so segmentation works on whole 8-count phrases: the
change of band loudness, loudness, onset density and rhythm patterns from one phrase to the next
gives the boundaries (local peaks, at least two phrases apart), and a fill or break ending a phrase
announces one; segments are then labelled by position, energy and
repetition: a quiet opening is the intro, a quiet ending the outro, the loudest segment in the second
half that is louder than the choruses is the mambo, repeated louder segments are choruses, and the
rest are verses.
"""

from __future__ import annotations

import numpy as np

from bachata_desktop.analysis.audio.features import Features
from bachata_desktop.analysis.audio.grid import beat_sync
from bachata_desktop.core.song import Section, SectionLabel

# Chosen on the generators' tuning seeds (benchmarks/bench_grid.py; held-out seeds reported apart):
# a phrase whose ending (fill, break) stands out by this robust z announces a section after it;
# weight of the rhythm patterns next to the levels (more helps the arranger's songs, whose sections
# change bass and chord rhythm, but hurts the chord generator's, whose patterns vary by phrase)
TAIL_Z = 2.0
PATTERN_W = 0.3
LOUD_W = 4.0          # overall loudness counts four times among the levels (twice: band 0.92, arranger 0.67)


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


def phrase_vectors(feats: Features, phrases: tuple[float, ...] | list[float], head: float = 0.4,
                   tail: bool = False) -> np.ndarray:
    """Per phrase: loudness in 16 mel band groups (instruments entering or leaving), overall
    loudness (weighted ``LOUD_W``) and onset density, over the first ``head`` of the phrase, standardised
    over the song, then the :func:`rhythm_patterns`. The end of a phrase is left out: fills and
    breaks sit on its last counts and would make the phrase before a new section look like the
    section after it; the last phrase spans a median phrase, not the song's tail. With ``tail``:
    per phrase, how far its ending differs from its head instead."""
    fr = phrase_frames(feats, phrases)
    length = np.diff(fr)
    med = float(np.median(length)) if length.size else 8 * feats.frame_rate * 0.5
    length = np.r_[length, med].astype(np.float64)
    bands = feats.mel_db.reshape(16, -1, feats.mel_db.shape[1]).mean(axis=1)
    stack = np.vstack([bands, feats.rms_db[None, :], np.log(feats.onset[None, :] + 1e-3)])
    csum = np.concatenate([np.zeros((stack.shape[0], 1)), np.cumsum(stack, axis=1)], axis=1)
    a = np.clip(fr, 0, feats.n_frames - 1)
    b = np.clip(fr + np.maximum(np.round(head * length).astype(np.int64), 1), a + 1, feats.n_frames)
    vec = ((csum[:, b] - csum[:, a]) / (b - a)).T
    med, sd = np.median(vec, axis=0), vec.std(axis=0) + 1e-6
    vec = (vec - med) / sd
    vec[:, 16] *= LOUD_W
    if not tail:
        return np.hstack([vec, PATTERN_W * rhythm_patterns(feats, fr, length)]) if PATTERN_W else vec
    e = np.clip(fr + np.round(length).astype(np.int64), b + 1, feats.n_frames)
    a2 = np.minimum(b, e - 1)
    end = ((csum[:, e] - csum[:, a2]) / (e - a2)).T
    end = (end - med) / sd
    end[:, 16] *= LOUD_W
    return np.linalg.norm(end - vec, axis=1)


def rhythm_patterns(feats: Features, fr: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Per phrase: where in the phrase the bass attacks, the percussion attacks and the chords
    change (16 half-beat slots, 8 beat slots), each profile normalised to its sum, standardised over
    the song and scaled so the block weighs like the loudness block. The bass pattern (1 and 5,
    1-3-5-7, tumbao), the bongo's derecho or majao and the harmonic rhythm are what a section keeps
    and the next one often changes, while the level may not."""
    ch = feats.chroma / np.maximum(np.linalg.norm(feats.chroma, axis=0, keepdims=True), 1e-9)
    change = np.r_[0.0, np.linalg.norm(np.diff(ch, axis=1), axis=0)]
    rows = []
    for f0, ln in zip(fr, length, strict=True):
        parts = []
        for env, slots in ((feats.onset_low, 16), (feats.onset_mid + feats.onset_high, 16), (change, 8)):
            edges = np.clip(np.round(f0 + ln * np.arange(slots + 1) / slots).astype(np.int64), 0, feats.n_frames)
            prof = np.array([env[a:b].mean() if b > a else 0.0 for a, b in zip(edges[:-1], edges[1:], strict=True)])
            parts.append(prof / (prof.sum() + 1e-9))
        rows.append(np.concatenate(parts))
    m = np.array(rows)
    m = (m - m.mean(axis=0)) / (m.std(axis=0) + 1e-6)
    return m * np.sqrt(18.0 / m.shape[1])


def segment(feats: Features, phrases: tuple[float, ...] | list[float], energy: np.ndarray,
            min_len: int = 2, half: int = 1, head: float = 0.4, thr_q: float = 10.0) -> list[int]:
    """Indices of the phrases that start a new section (always includes 0).

    Each phrase is described by :func:`phrase_vectors` over its first ``head`` (counts 1-3: the
    break or fill on its last counts stays out); a phrase start scores the distance between the
    ``half`` phrases before and after it (one: a small change beside a large one is not masked by
    it). Local peaks above a low percentile of the scores become boundaries, strongest first,
    ``min_len`` phrases apart; then the phrase after one whose ending stands out (a fill, a break).
    Chords themselves are left out (they change from phrase to phrase inside a section); only
    where in the phrase they change counts, in the rhythm patterns.
    """
    n = len(phrases)
    if n <= min_len:
        return [0]
    vec = phrase_vectors(feats, phrases, head)
    score = np.zeros(n)
    for i in range(1, n):
        before = vec[max(0, i - half):i].mean(axis=0)
        after = vec[i:i + half].mean(axis=0)
        score[i] = float(np.linalg.norm(after - before))
    # a fill or a break on the last counts of a phrase announces a new section after it
    ending = phrase_vectors(feats, phrases, head, tail=True)
    z = (ending - np.median(ending)) / (np.median(np.abs(ending - np.median(ending))) * 1.4826 + 1e-6)
    # the biggest changes (intro, mambo, outro) would lift a median threshold over the verse/chorus
    # changes: a low percentile, and only local peaks
    thr = float(np.percentile(score[1:], thr_q))
    bounds = [0]
    for k in np.argsort(-score):
        if k == 0 or score[k] <= thr or score[k] < score[max(1, k - 1): k + 2].max():
            continue
        if all(abs(int(k) - b) >= min_len for b in bounds):
            bounds.append(int(k))
    for k in np.argsort(-z[:-1]) + 1:
        if z[k - 1] < TAIL_Z or score[k] <= thr:
            break
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
