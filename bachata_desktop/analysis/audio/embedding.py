"""The 128-D audio embedding of a song or of a clip's soundtrack, for similarity search and fusion.

Four groups of summary statistics from the shared features: timbre (MFCC means and deviations),
harmony (chroma profile), spectral shape and band energies, and rhythm (onset autocorrelation at
absolute lags and at fractions of the beat, tempo, pulse clarity). Each group is centred with fixed
constants, L2-normalised and weighted, then the whole vector is L2-normalised, so songs and clips of
any length land in the same space and cosine similarity compares like with like.
"""

from __future__ import annotations

import numpy as np

from bachata_desktop.analysis.audio.features import Features
from bachata_desktop.core.song import EMBEDDING_DIM

_WEIGHTS = {"timbre": 0.35, "harmony": 0.2, "spectral": 0.2, "rhythm": 0.25}
_ABS_LAGS_S = np.geomspace(0.1, 3.0, 24)
_BEAT_FRACTIONS = np.array([0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0])


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.nan_to_num(np.asarray(v, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    n = np.linalg.norm(v)
    return v / n if n > 1e-12 else v


def _autocorr(x: np.ndarray) -> np.ndarray:
    x = x - x.mean()
    n = x.size
    nfft = 1 << int(np.ceil(np.log2(max(2 * n, 2))))
    f = np.fft.rfft(x, nfft)
    ac = np.fft.irfft(f * np.conj(f), nfft)[:n]
    ac /= np.maximum(np.arange(n, 0, -1), 1)
    return ac / ac[0] if ac[0] > 0 else ac


def _ac_at(ac: np.ndarray, lags: np.ndarray) -> np.ndarray:
    return np.where(lags < ac.size - 1, np.interp(lags, np.arange(ac.size), ac), 0.0)


def audio_embedding(feats: Features, tempo_bpm: float | None) -> np.ndarray:
    """float32 (128,), L2-normalised and finite."""
    mfcc = feats.mfcc.astype(np.float64)
    mean = mfcc.mean(axis=1)
    mean[0] *= 0.05
    timbre = np.concatenate([mean / 20.0, mfcc.std(axis=1) / 10.0 - 1.0])                # 40

    chroma = feats.chroma.astype(np.float64)
    cm = chroma.mean(axis=1)
    harmony = np.concatenate([cm - cm.mean(), chroma.std(axis=1) - 0.25])                   # 24

    spec = feats.spectral.astype(np.float64)
    ref = np.array([0.15, 0.15, 0.3, 0.05, 0.1])
    sp = np.concatenate([(spec.mean(axis=1) - ref) / ref, spec.std(axis=1) / ref])          # 10
    bands = np.array_split(feats.mel_db.astype(np.float64), 8, axis=0)
    bm = np.array([b.mean() for b in bands])
    bs = np.array([b.std() for b in bands])
    spectral = np.concatenate([sp, (bm - bm.mean()) / 20.0, bs / 10.0 - 1.0])              # 26

    onset = feats.onset.astype(np.float64)
    ac = _autocorr(onset) if onset.size > 4 else np.zeros(2)
    abs_ac = _ac_at(ac, _ABS_LAGS_S * feats.frame_rate)                                    # 24
    bpm = float(tempo_bpm) if tempo_bpm and tempo_bpm > 0 else 120.0
    beat_ac = _ac_at(ac, _BEAT_FRACTIONS * 60.0 / bpm * feats.frame_rate)                  # 10
    lo, mi, hi = (float(feats.onset_low.mean()), float(feats.onset_mid.mean()),
                  float(feats.onset_high.mean()))
    tot = lo + mi + hi + 1e-9
    extra = np.array([(bpm - 128.0) / 30.0, onset.std() / (onset.mean() + 1e-9) - 1.0,
                      lo / tot - 1 / 3, hi / tot - 1 / 3])                                   # 4
    rhythm = np.concatenate([abs_ac - 0.2, beat_ac - 0.2, extra])                           # 38

    parts = [_WEIGHTS["timbre"] * _unit(timbre), _WEIGHTS["harmony"] * _unit(harmony),
             _WEIGHTS["spectral"] * _unit(spectral), _WEIGHTS["rhythm"] * _unit(rhythm)]
    vec = _unit(np.concatenate(parts)).astype(np.float32)
    if vec.size != EMBEDDING_DIM:  # pragma: no cover - guarded by the group sizes above
        raise AssertionError(f"embedding has {vec.size} dims, expected {EMBEDDING_DIM}")
    if not np.any(vec):
        vec = np.full(EMBEDDING_DIM, 1.0 / np.sqrt(EMBEDDING_DIM), dtype=np.float32)
    return vec


__all__ = ["audio_embedding"]
