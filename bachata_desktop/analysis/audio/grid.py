"""The 8-count grid: which beat is the "1", using what bachata musicians play.

Within a bar the evidence is local and strong: the bass lands on 1 and 5, and the bongo (and the
tap of the dancers) accents 4 and 8, so the low-band onset and the mid/high-band accent at each beat
fix the position in the bar. Telling the 1 from the 5 needs the larger structure: phrases, sections
and the start of the music begin on a "1", so structural novelty between the 8 beats before and after
a beat (beat-synchronous chroma, timbre and loudness) and the entry of the bass count for "1".
A Viterbi pass over the beats with eight states (the counts) combines them, and allows rare inserted
or skipped beats (breaks, tracker slips) at a high cost, so one phase holds across the song.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bachata_desktop.analysis.audio.features import Features


@dataclass(frozen=True)
class GridConfig:
    w_bass: float = 1.0
    w_accent: float = 1.5
    w_novelty: float = 1.0
    w_entry: float = 2.0
    slip_cost: float = 8.0       # log-cost of an inserted or skipped beat


def _robust_z(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return x
    med = np.median(x)
    mad = np.median(np.abs(x - med)) * 1.4826
    sd = mad if mad > 1e-9 else (x.std() if x.std() > 1e-9 else 1.0)
    return np.clip((x - med) / sd, -4.0, 4.0)


def beat_values(env: np.ndarray, frames: np.ndarray, before: int = 1, after: int = 2) -> np.ndarray:
    """Peak of ``env`` in a small window around each beat frame."""
    n = env.size
    fr = np.clip(np.round(frames).astype(np.int64), 0, n - 1)
    offs = np.arange(-before, after + 1)
    idx = np.clip(fr[:, None] + offs[None, :], 0, n - 1)
    return env[idx].max(axis=1)


def beat_sync(feat: np.ndarray, frames: np.ndarray, n_frames: int) -> np.ndarray:
    """Mean of frame features (d, n) over each inter-beat span -> (n_beats, d)."""
    edges = np.concatenate([np.round(frames).astype(np.int64), [n_frames]])
    edges = np.clip(edges, 0, n_frames)
    csum = np.concatenate([np.zeros((feat.shape[0], 1)), np.cumsum(feat, axis=1)], axis=1)
    a, b = edges[:-1], np.maximum(edges[1:], edges[:-1] + 1)
    b = np.minimum(b, n_frames)
    a = np.minimum(a, b - 1)
    return ((csum[:, b] - csum[:, a]) / np.maximum(b - a, 1)).T


def novelty(vectors: np.ndarray, half: int) -> np.ndarray:
    """Checkerboard novelty (Foote) at each row boundary: row i is the first row after the change."""
    n = vectors.shape[0]
    out = np.zeros(n)
    if n < 2 * half + 1:
        return out
    v = vectors - vectors.mean(axis=0, keepdims=True)
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    sim = v @ v.T
    g = np.exp(-0.5 * ((np.arange(2 * half) - half + 0.5) / (0.6 * half)) ** 2)
    sign = np.where(np.arange(2 * half) < half, -1.0, 1.0)
    kern = np.outer(g * sign, g * sign)
    for i in range(half, n - half + 1):
        blk = sim[i - half: i + half, i - half: i + half]
        out[i] = float((blk * kern).sum())
    return np.maximum(out, 0.0)


def beat_features(feats: Features, frames: np.ndarray) -> dict[str, np.ndarray]:
    """Per-beat evidence: bass onset, accent, structural novelty, bass entry."""
    # the bass line's level just after each beat: the root lands on 1 and 5, lighter notes on 3, 7
    # and the "and" before 1 and 5 (an onset measure is fooled by those anticipations)
    period = float(np.median(np.diff(frames))) if frames.size > 1 else 10.0
    n = feats.n_frames
    bass = np.array([feats.low_db[min(int(f), n - 1): min(int(f + 0.3 * period) + 1, n)].mean()
                     if int(f) < n else feats.low_db[-1] for f in frames])
    accent = beat_values(0.6 * feats.onset_mid + 0.4 * feats.onset_high, frames)
    mfcc = feats.mfcc[1:13]
    mfcc = (mfcc - mfcc.mean(axis=1, keepdims=True)) / (mfcc.std(axis=1, keepdims=True) + 1e-6)
    loud = (feats.rms_db - feats.rms_db.mean()) / (feats.rms_db.std() + 1e-6)
    stack = np.vstack([feats.chroma, 0.5 * mfcc, 2.0 * loud[None, :]])
    sync = beat_sync(stack, frames, feats.n_frames)
    nov = novelty(sync, 8) if frames.size >= 17 else np.zeros(frames.size)
    # keep only the peaks (a change happens on one beat), scaled by the typical peak height
    nz = np.zeros_like(nov)
    if nov.any():
        for i in range(nov.size):
            if nov[i] > 0 and nov[i] >= nov[max(0, i - 2): i + 3].max():
                nz[i] = nov[i]
        peaks = nz[nz > 0]
        scale = float(np.percentile(peaks, 75)) if peaks.size else 1.0
        nz = np.clip(nz / max(scale, 1e-9), 0.0, 3.0)
    bz = _robust_z(bass)
    # bass entry: the first beat whose bass onset stands out after a stretch without any
    entry = np.zeros(frames.size)
    strong = np.flatnonzero(bz > 1.5)
    if strong.size and strong[0] > 0:
        entry[strong[0]] = 1.0
    az = _robust_z(accent)
    # a beat right after silence (or at the very start) has every band rising at once: its accent
    # says nothing about the count
    ref = float(np.percentile(feats.rms_db, 95))
    for i, f in enumerate(frames):
        a, b = max(0, int(f - 0.5 * period)), max(0, int(f) - 1)
        if b <= a or float(feats.rms_db[a:b].max()) < ref - 40.0:
            az[i] = 0.0
    return {"bass": bz, "accent": az, "novelty": np.maximum(nz, 0.0), "entry": entry}


def assign_counts(ev: dict[str, np.ndarray], config: GridConfig = GridConfig()) -> np.ndarray:
    """Counts 1..8 for each beat by Viterbi decoding over the eight count states."""
    bass, accent, nov, entry = ev["bass"], ev["accent"], ev["novelty"], ev["entry"]
    n = bass.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    c = np.arange(1, 9)
    s_bass = np.where((c == 1) | (c == 5), 1.0, -1.0 / 3.0)
    s_acc = np.where((c == 4) | (c == 8), 1.0, -1.0 / 3.0)
    obs = (config.w_bass * bass[:, None] * s_bass[None, :]
           + config.w_accent * accent[:, None] * s_acc[None, :]
           + config.w_novelty * nov[:, None] * (c == 1)[None, :]
           + config.w_entry * entry[:, None] * (c == 1)[None, :])
    # transitions: next count (free), repeat or skip one (slip_cost)
    trans = np.full((8, 8), -np.inf)
    for s in range(8):
        trans[s, (s + 1) % 8] = 0.0
        trans[s, s] = -config.slip_cost
        trans[s, (s + 2) % 8] = -config.slip_cost
    score = obs[0].copy()
    back = np.zeros((n, 8), dtype=np.int64)
    for i in range(1, n):
        cand = score[:, None] + trans
        back[i] = np.argmax(cand, axis=0)
        score = cand[back[i], np.arange(8)] + obs[i]
    states = np.zeros(n, dtype=np.int64)
    states[-1] = int(np.argmax(score))
    for i in range(n - 1, 0, -1):
        states[i - 1] = back[i, states[i]]
    return states + 1


__all__ = ["GridConfig", "assign_counts", "beat_features", "beat_sync", "beat_values", "novelty"]
