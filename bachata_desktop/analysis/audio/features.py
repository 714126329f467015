"""One pass of spectral features shared by the tempo, grid, section and embedding steps.

The whole song goes through a single STFT (22050 Hz, 2048/512); mel bands, onset envelopes (full,
bass, mid/high), chroma, MFCC, loudness and a few spectral shape curves are all derived from it, so
the analysis of a 4-minute song stays well under a second and never runs a whole-song CQT.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

N_FFT = 2048
HOP = 512
N_MELS = 64


@dataclass(frozen=True)
class Features:
    sr: int
    hop: int
    onset: np.ndarray         # (n,) log-mel spectral flux, all bands
    onset_low: np.ndarray     # (n,) flux of the bands below ~200 Hz (bass)
    onset_mid: np.ndarray     # (n,) flux of ~400-4000 Hz (bongo, guitar attacks)
    onset_high: np.ndarray    # (n,) flux above ~4000 Hz (güira, slaps)
    rms_db: np.ndarray        # (n,) frame loudness in dB (relative to full scale)
    low_db: np.ndarray        # (n,) loudness of the bands below ~200 Hz (the bass line), dB
    mel_db: np.ndarray        # (N_MELS, n)
    chroma: np.ndarray        # (12, n), each frame max-normalised
    mfcc: np.ndarray          # (20, n)
    spectral: np.ndarray      # (5, n): centroid, bandwidth, rolloff (Hz, /sr), flatness, zero-ish crossing proxy

    @property
    def n_frames(self) -> int:
        return int(self.onset.shape[0])

    @property
    def frame_rate(self) -> float:
        return self.sr / self.hop

    def frame_times(self) -> np.ndarray:
        return np.arange(self.n_frames) * (self.hop / self.sr)

    def time_to_frame(self, t: float | np.ndarray) -> np.ndarray:
        return np.asarray(t) * self.frame_rate


@functools.lru_cache(maxsize=4)
def _filters(sr: int, n_fft: int, n_mels: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import librosa

    mel = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=30.0, fmax=min(11000.0, sr / 2)).astype(np.float32)
    chroma = librosa.filters.chroma(sr=sr, n_fft=n_fft, tuning=0.0).astype(np.float32)
    # chroma only from 60 Hz to 5 kHz: the bass and the guitar, not the percussion noise
    freqs = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    chroma[:, (freqs < 60) | (freqs > 5000)] = 0.0
    mel_f = librosa.mel_frequencies(n_mels=n_mels + 2, fmin=30.0, fmax=min(11000.0, sr / 2))[1:-1]
    f32 = freqs.astype(np.float32)
    shape_w = np.vstack([np.ones_like(f32), f32, f32 * f32, (f32 > 3000).astype(np.float32)])
    return mel, chroma, f32, mel_f.astype(np.float32), shape_w


def _flux(mel_db: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Half-wave rectified log-mel difference; the first frame is compared with silence."""
    sub = mel_db[rows]
    floor = np.full((sub.shape[0], 1), float(mel_db.min()), dtype=sub.dtype)
    d = np.maximum(0.0, np.diff(sub, axis=1, prepend=floor))
    return d.mean(axis=0).astype(np.float32)


def compute_features(y: np.ndarray, sr: int) -> Features:
    """Every frame-level feature the analysis needs, from one STFT of mono ``y``."""
    import librosa

    y = np.asarray(y, dtype=np.float32)
    if y.size < N_FFT:
        y = np.pad(y, (0, N_FFT - y.size))
    mel_fb, chroma_fb, _freqs, mel_f, shape_w = _filters(sr, N_FFT, N_MELS)
    spec = librosa.stft(y, n_fft=N_FFT, hop_length=HOP, center=True, dtype=np.complex64)
    mag = np.abs(spec)
    del spec
    power = np.square(mag)
    mel = mel_fb @ power
    mel_db = 10.0 * np.log10(np.maximum(mel, 1e-10))
    mel_db = np.maximum(mel_db, mel_db.max() - 80.0).astype(np.float32)

    onset = _flux(mel_db, np.arange(N_MELS))
    onset_low = _flux(mel_db, np.flatnonzero(mel_f < 200))
    onset_mid = _flux(mel_db, np.flatnonzero((mel_f >= 400) & (mel_f < 4000)))
    onset_high = _flux(mel_db, np.flatnonzero(mel_f >= 4000))
    low_db = (10.0 * np.log10(np.maximum(mel[mel_f < 200].mean(axis=0), 1e-10))).astype(np.float32)

    # loudness: Parseval over the Hann-windowed frame, in dB re full scale
    energy = (shape_w[0] @ power) * 2.0 / (N_FFT * N_FFT * 0.375)
    rms_db = (10.0 * np.log10(np.maximum(energy, 1e-10))).astype(np.float32)

    chroma = chroma_fb @ power
    chroma /= np.maximum(chroma.max(axis=0, keepdims=True), 1e-10)
    mfcc = librosa.feature.mfcc(S=mel_db, n_mfcc=20).astype(np.float32)

    # spectral shape: one matrix product for the sums over bins, rolloff and flatness from the mel bands
    stats = shape_w @ mag                               # (4, n): sum, sum f, sum f^2, sum above 3 kHz
    total = np.maximum(stats[0], 1e-10)
    centroid = stats[1] / total
    bandwidth = np.sqrt(np.maximum(stats[2] / total - centroid ** 2, 0.0))
    hf = stats[3] / total
    cum = np.cumsum(mel, axis=0)
    rolloff = mel_f[np.argmax(cum >= 0.85 * cum[-1:], axis=0)]
    logm = np.log(mel + 1e-10)
    flatness = np.exp(logm.mean(axis=0)) / (mel.mean(axis=0) + 1e-10)
    nyq = sr / 2.0
    spectral = np.vstack([centroid / nyq, bandwidth / nyq, rolloff / nyq, flatness, hf]).astype(np.float32)
    return Features(sr=sr, hop=HOP, onset=onset, onset_low=onset_low, onset_mid=onset_mid,
                    onset_high=onset_high, rms_db=rms_db, low_db=low_db, mel_db=mel_db, chroma=chroma.astype(np.float32),
                    mfcc=mfcc, spectral=spectral)


__all__ = ["HOP", "N_FFT", "N_MELS", "Features", "compute_features"]
