"""Song sections (intro, verse/derecho, chorus, mambo/majao, outro) and the energy per phrase.

Bachata changes section on a phrase start, so segmentation works on whole 8-count phrases, each
described on its first bar (counts 1-4: a fill or break on its last counts stays out) by cues an
arranger changes between sections: loudness, the level of each of 8 registers (an instrument
entering, leaving or moving), the spectral shape (timbre: bongo vs bell, a brighter guitar), where
the bass attacks in the bar (1 and 5, 1-3-5-7, tumbao) and where the chords change (the harmonic
rhythm). Each cue's change from one phrase to the next is measured against that cue's typical
change in the song, so a 1 dB step counts in a steady song and not in a restless one; a phrase
start scores the strongest cue that changes there and not at the phrase starts beside it (a
fade-out or a crescendo is one section, not a boundary per phrase), plus a bonus after a phrase
whose ending stands out (a fill, a break). The boundaries are the best-scoring set at least two
phrases apart (a dynamic programme, not greedy peaks), none in the last two phrases (the ending
belongs to the last section, and trailing phrases far quieter than the song, a fade's end or the
last chord ringing out, start none); then neighbouring sections whose whole-section means no cue
tells apart are merged, so a song whose phrases alternate (A B A B) is not cut every two phrases.
A fade-out (a gradual decline of the last phrases) is the last section, from where it begins.
Segments are then labelled by position, energy and repetition: a quiet opening is the intro, a
quiet ending the outro, the loudest segment in the second half that is louder than the choruses is
the mambo, repeated louder segments are choruses, and the rest are verses.
"""

from __future__ import annotations

import numpy as np

from bachata_desktop.analysis.audio.features import Features
from bachata_desktop.analysis.audio.grid import beat_sync, span_means
from bachata_desktop.core.song import Section, SectionLabel

# Chosen on the generators' tuning seeds 0-11 (benchmarks/bench_grid.py; held-out seeds 1000-1011
# and 3000-3011 reported apart, never tuned on), with the shared Samba track's count checked
CUE_WEIGHTS = {"loud": 1.0, "shape": 1.0, "bass_rhythm": 0.8, "chord_rhythm": 0.8,
               **{f"band{i}": 0.8 for i in range(8)}}
HEAD = 0.4          # share of the phrase each cue is measured on (counts 1-3)
NEIGHBOUR = 0.7     # a change shared with the phrase starts beside it counts this much less (ramps)
MIN_SCORE = 0.6     # a boundary's score (in typical changes) must exceed this
TAIL_Z = 1.5        # an ending this far above the song's typical ending (robust z) is a fill or break...
TAIL_BONUS = 1.0    # ...and adds this much per unit of z above TAIL_Z (up to 3) to the next phrase
KEEP_TAIL_Z = 3.0   # a boundary after an ending this strong is never merged away...
KEEP_SCORE = 2.5    # ...nor one whose own change scores this high (a drop and a return, a new instrument)
MERGE_BELOW = 2.0   # neighbouring sections whose means differ by less (in typical changes) merge
MIN_LEN = 2         # phrases per section
TYPICAL_FLOOR = 0.5   # the smallest typical change of a cue, in its floors (below)
# the smallest spread of a cue over a song that counts as variation: half a dB of loudness or of a
# register, a few thousandths of the spectral shape, 2 % of a rhythm profile's share
CUE_FLOORS = {"loud": 0.5, "band": 0.5, "shape": 0.003, "bass_rhythm": 0.02, "chord_rhythm": 0.02}
FADE_DB = 6.0       # a decline this deep over the last phrases is a fade-out...
FADE_STEP_DB = 1.0   # ...each phrase at least this much quieter than the one before
QUIET_END_DB = 6.0   # last phrases this far under the song's median loudness are the fade or ring-out


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


def _profile(env: np.ndarray, fr: np.ndarray, length: np.ndarray, slots: int) -> np.ndarray:
    """Per phrase: ``env`` over the first bar (half the phrase) in ``slots`` equal slots, as shares.
    Each slot is centred on its half-beat or beat, so an attack on it stays in it when the grid
    is a frame early or late."""
    csum = np.r_[0.0, np.cumsum(env)]
    edges = np.clip(np.round(fr[:, None] + 0.5 * length[:, None] * (np.arange(slots + 1)[None, :] - 0.5) / slots
                             ).astype(np.int64), 0, env.size)
    prof = (csum[edges[:, 1:]] - csum[edges[:, :-1]]) / np.maximum(np.diff(edges, axis=1), 1)
    return prof / (prof.sum(axis=1, keepdims=True) + 1e-9)


def phrase_cues(feats: Features, phrases: tuple[float, ...] | list[float]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """(cue name -> (n_phrases, d) values over each phrase's first ``HEAD``, how much each phrase's
    last quarter differs from its head). The last phrase spans a median phrase, not the song's tail."""
    fr = phrase_frames(feats, phrases)
    nf = feats.n_frames
    length = np.diff(fr).astype(np.float64)
    med = float(np.median(length)) if length.size else 8 * feats.frame_rate * 0.5
    length = np.r_[length, med]
    # from the phrase start's own frame (the grid's 1 rounded to the nearest frame)
    a = np.clip(fr, 0, nf - 1)
    b = np.clip(fr + np.maximum(np.round(HEAD * length).astype(np.int64), 1), a + 1, nf)
    bands = feats.mel_db.reshape(8, -1, feats.mel_db.shape[1]).mean(axis=1)
    band_means = span_means(bands, a, b)
    cues = {"loud": span_means(feats.rms_db[None, :], a, b),
            "shape": span_means(feats.spectral, a, b),
            **{f"band{i}": band_means[:, i:i + 1] for i in range(8)}}
    ch = feats.chroma / np.maximum(np.linalg.norm(feats.chroma, axis=0, keepdims=True), 1e-9)
    change = np.r_[0.0, np.linalg.norm(np.diff(ch, axis=1), axis=0)]
    cues["bass_rhythm"] = _profile(feats.onset_low, fr, length, 8)      # half-beat slots of bar 1
    cues["chord_rhythm"] = _profile(change, fr, length, 4)              # beats of bar 1
    # a fill or a break: the last quarter of the phrase against its head (16 registers, loudness, onsets)
    st = np.vstack([feats.mel_db.reshape(16, -1, feats.mel_db.shape[1]).mean(axis=1), feats.rms_db[None, :],
                    np.log(feats.onset[None, :] + 1e-3)])
    e = np.clip(fr + np.round(length).astype(np.int64), b + 1, nf)
    a2 = np.clip(fr + np.round(0.75 * length).astype(np.int64), a, e - 1)
    head, tail = span_means(st, a, b), span_means(st, a2, e)
    ending = np.linalg.norm((tail - head) / (head.std(axis=0) + 1e-6), axis=1)
    return cues, ending


def _standardize(x: np.ndarray, floor: float) -> np.ndarray:
    """Over the song, in standard deviations of at least ``floor`` (the cue's own unit): in a looped
    track a drift of a frame's rounding is not blown up into changes."""
    return (x - x.mean(axis=0)) / np.maximum(x.std(axis=0), floor)


def _ending_z(x: np.ndarray) -> np.ndarray:
    """Robust z of how much each phrase's ending stands out; the spread is floored at a tenth of the
    median so that in a looped track (every ending the same) a trace of difference is no fill."""
    med = float(np.median(x))
    return (x - med) / max(1.4826 * float(np.median(np.abs(x - med))), 0.1 * abs(med), 1e-6)


def _change_scores(cues: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, float]]:
    """(score per phrase start, standardised cues, each cue's typical phrase-to-phrase change)."""
    z, rows, typical = {}, [], {}
    for k, w in CUE_WEIGHTS.items():
        floor = CUE_FLOORS[k.rstrip("0123456789")]
        z[k] = _standardize(cues[k], floor)
        d = np.r_[0.0, np.linalg.norm(np.diff(z[k], axis=0), axis=1) / np.sqrt(z[k].shape[1])]
        # a typical change is at least TYPICAL_FLOOR cue floors: in a looped track (every phrase
        # the same) a frame's rounding of the grid is not a change
        least = TYPICAL_FLOOR * float(np.mean(floor / np.maximum(cues[k].std(axis=0), floor)))
        typical[k] = max(float(np.median(d[1:])), least)
        r = d / typical[k]
        beside = np.maximum(np.r_[0.0, r[:-1]], np.r_[r[1:], 0.0])
        rows.append(w * (r - NEIGHBOUR * beside))
    return np.max(np.vstack(rows), axis=0), z, typical


def _best_bounds(gain: np.ndarray, lo: int, hi: int) -> list[int]:
    """The phrase starts in [lo, hi], at least ``MIN_LEN`` apart (and from 0), with the largest
    total positive gain (weighted interval scheduling)."""
    n = gain.size
    best = np.zeros(n + 1)       # best[j]: the best total using starts below j
    took = np.zeros(n + 1, dtype=bool)
    for k in range(n):
        best[k + 1], took[k + 1] = best[k], False
        if lo <= k <= hi and gain[k] > 0:
            prev = best[k - MIN_LEN + 1] if k - MIN_LEN + 1 >= lo else 0.0
            if prev + gain[k] > best[k + 1]:
                best[k + 1], took[k + 1] = prev + gain[k], True
    out, j = [], n
    while j > 0:
        if took[j]:
            out.append(j - 1)
            j = j - MIN_LEN if j - MIN_LEN >= lo else 0
        else:
            j -= 1
    return sorted(out)


def _merge_alike(bounds: list[int], z: dict[str, np.ndarray], typical: dict[str, float], n: int,
                 keep: np.ndarray) -> list[int]:
    """Remove, weakest first, the boundaries whose two sections' means no cue tells apart by
    ``MERGE_BELOW`` typical changes (those in ``keep``, after a strong fill or break, stay)."""
    names = list(CUE_WEIGHTS)
    allz = np.hstack([z[c] for c in names])
    dims = np.array([z[c].shape[1] for c in names])
    starts = np.r_[0, np.cumsum(dims)[:-1]]
    scale = np.array([CUE_WEIGHTS[c] / np.sqrt(z[c].shape[1]) / typical[c] for c in names])
    csum = np.vstack([np.zeros((1, allz.shape[1])), np.cumsum(allz, axis=0)])
    bounds = list(bounds)
    while len(bounds) > 1:
        edges = np.array(bounds + [n])
        means = (csum[edges[1:]] - csum[edges[:-1]]) / np.diff(edges)[:, None]
        per_cue = np.sqrt(np.add.reduceat(np.diff(means, axis=0) ** 2, starts, axis=1))
        strength = (per_cue * scale).max(axis=1)
        strength[keep[edges[1:-1]]] = np.inf
        j = int(np.argmin(strength))
        if strength[j] >= MERGE_BELOW:
            break
        del bounds[j + 1]
    return bounds


def _music_phrases(feats: Features, phrases: tuple[float, ...] | list[float]) -> int:
    """How many phrases the music fills: trailing phrases far quieter than the song (the end of a
    fade-out, the last chord ringing out after the final "1") belong to the section before them and
    do not start one; they are left out of the cues' statistics too."""
    fr = phrase_frames(feats, phrases)
    loud = beat_sync(feats.rms_db[None, :], fr, feats.n_frames)[:, 0]
    n = len(phrases)
    if n > 2 and feats.n_frames - fr[-1] < 0.5 * float(np.median(np.diff(fr))):
        n -= 1                           # the audio ends within its first half: no phrase to hear
    while n > 1 and loud[n - 1] < np.median(loud) - QUIET_END_DB:
        n -= 1
    return n


def _fade_start(loud: np.ndarray) -> int | None:
    """The phrase a fade-out starts on: the loudest before a gradual decline to the end of the song
    (each phrase quieter than the one before, a final hit after it aside) of at least ``FADE_DB``
    over at least two phrases; None when the song does not fade out."""
    m = loud.size - 1
    if m >= 1 and loud[m] > loud[m - 1]:
        m -= 1                           # the last "1" hit after the fade
    j = m
    while j > 0 and loud[j - 1] > loud[j] + FADE_STEP_DB:
        j -= 1
    drop = loud[j] - loud[m]
    if m - j < 2 or drop < FADE_DB:
        return None
    # gradual: no single phrase carries most of the drop (a last chord cut off is no fade)
    return j if float(np.max(-np.diff(loud[j:m + 1]))) <= 0.6 * drop else None


def segment(feats: Features, phrases: tuple[float, ...] | list[float]) -> list[int]:
    """Indices of the phrases that start a new section (always includes 0); see the module doc."""
    n = len(phrases)
    if n < 2 * MIN_LEN:
        return [0]
    cues, ending = phrase_cues(feats, phrases)
    fade = _fade_start(cues["loud"][:, 0])
    n = _music_phrases(feats, phrases)
    if n < 2 * MIN_LEN:
        return [0]
    cues, ending = {k: v[:n] for k, v in cues.items()}, ending[:n]
    score, z, typical = _change_scores(cues)
    tz = _ending_z(ending)
    bonus = np.r_[0.0, TAIL_BONUS * np.clip(tz[:-1] - TAIL_Z, 0.0, 3.0)]
    bounds = [0] + _best_bounds(score - MIN_SCORE + bonus, MIN_LEN, n - MIN_LEN)
    keep = np.r_[False, tz[:-1] >= KEEP_TAIL_Z] | (score >= KEEP_SCORE)
    bounds = _merge_alike(bounds, z, typical, n, keep)
    if fade is not None and fade >= MIN_LEN:
        # the fade-out is the last section: it starts where the decline does, whatever lies inside
        bounds = [b for b in bounds if b < fade and (b == 0 or fade - b >= MIN_LEN)] + [fade]
    return bounds


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
    bounds = segment(feats, phrases)
    return label_sections(feats, phrases, energy, bounds, duration), energy


__all__ = ["find_sections", "label_sections", "phrase_cues", "phrase_energy", "segment"]
