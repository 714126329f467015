"""One pass of spectral features shared by the tempo, grid, section and embedding steps.

The whole song goes through a single STFT (22050 Hz, 2048/512); mel bands, onset envelopes (full,
bass, mid/high), chroma, MFCC, loudness and a few spectral shape curves are all derived from it, so
the analysis of a 4-minute song stays around a second and never runs a whole-song CQT. The STFT,
mel and chroma banks are numpy (the mel bank matches librosa's Slaney bank) so that librosa and
numba are not loaded at all.
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


def _hz_to_mel(f: np.ndarray | float) -> np.ndarray:
    """Slaney's mel scale (linear below 1 kHz, logarithmic above), as librosa's default."""
    f = np.asarray(f, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    lin = f / f_sp
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-9) / min_log_hz) / logstep, lin)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


@functools.lru_cache(maxsize=4)
def _filters(sr: int, n_fft: int, n_mels: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mel bank (Slaney-normalised triangles), chroma bank, bin and band frequencies, shape weights.

    Written in numpy rather than taken from librosa: importing librosa costs seconds (numba) on the
    first song, and these banks are all the analysis needs from it.
    """
    freqs = np.linspace(0.0, sr / 2.0, n_fft // 2 + 1)
    fmin, fmax = 30.0, min(11000.0, sr / 2.0)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    lower = (freqs[None, :] - edges[:-2, None]) / np.diff(edges)[:-1, None]
    upper = (edges[2:, None] - freqs[None, :]) / np.diff(edges)[1:, None]
    mel = np.maximum(0.0, np.minimum(lower, upper)) * (2.0 / (edges[2:] - edges[:-2]))[:, None]
    mel_f = edges[1:-1]
    # chroma: each bin from 60 Hz to 5 kHz (bass and guitar, not percussion noise) votes for the
    # pitch classes near its pitch, with a Gaussian of half a semitone
    chroma = np.zeros((12, freqs.size))
    ok = (freqs >= 60.0) & (freqs <= 5000.0)
    midi = 69.0 + 12.0 * np.log2(np.maximum(freqs[ok], 1e-9) / 440.0)
    for c in range(12):
        d = (midi - c + 6.0) % 12.0 - 6.0
        chroma[c, ok] = np.exp(-0.5 * (d / 0.5) ** 2)
    chroma /= np.maximum(chroma.sum(axis=0, keepdims=True), 1e-9)
    f32 = freqs.astype(np.float32)
    shape_w = np.vstack([np.ones_like(f32), f32, f32 * f32, (f32 > 3000).astype(np.float32)])
    return mel.astype(np.float32), chroma.astype(np.float32), f32, mel_f.astype(np.float32), shape_w


def _stft_magnitude(y: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """|STFT| (bins, frames) with a periodic Hann window, frames centred (zero padding), in blocks
    so the windowed frames never all sit in memory; the FFTs use both cores."""
    import scipy.fft

    pad = n_fft // 2
    yp = np.pad(y, (pad, pad))
    n_frames = 1 + (yp.size - n_fft) // hop
    frames = np.lib.stride_tricks.sliding_window_view(yp, n_fft)[::hop][:n_frames]
    window = (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)
    out = np.empty((n_fft // 2 + 1, n_frames), dtype=np.float32)
    block = 1024
    for i in range(0, n_frames, block):
        spec = scipy.fft.rfft(frames[i:i + block] * window, axis=1, workers=-1)
        out[:, i:i + block] = np.abs(spec).T
    return out


def _flux(mel_db: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Half-wave rectified log-mel difference; the first frame is compared with silence."""
    sub = mel_db[rows]
    floor = np.full((sub.shape[0], 1), float(mel_db.min()), dtype=sub.dtype)
    d = np.maximum(0.0, np.diff(sub, axis=1, prepend=floor))
    return d.mean(axis=0).astype(np.float32)


def compute_features(y: np.ndarray, sr: int) -> Features:
    """Every frame-level feature the analysis needs, from one STFT of mono ``y``."""
    import scipy.fft

    y = np.asarray(y, dtype=np.float32)
    if y.size < N_FFT:
        y = np.pad(y, (0, N_FFT - y.size))
    mel_fb, chroma_fb, _freqs, mel_f, shape_w = _filters(sr, N_FFT, N_MELS)
    mag = _stft_magnitude(y, N_FFT, HOP)
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
    mfcc = scipy.fft.dct(mel_db, type=2, norm="ortho", axis=0)[:20].astype(np.float32)

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
