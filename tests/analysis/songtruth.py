"""What a generated song knows about itself, shared by the independent song generators.

Each generator (``gen_chords``, ``gen_band``, ``gen_arranger``) builds audio with numpy only and
returns a :class:`GeneratedSong`; :func:`score_grid` compares an analysis with it the same way for all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class GeneratedSong:
    audio: np.ndarray            # float32 mono
    sr: int
    bpm: float                   # the nominal tempo (drifting songs wander around it)
    beat_times: np.ndarray       # every beat the dancers step on, pickups included
    counts: np.ndarray           # 1..8 per beat
    section_starts: np.ndarray   # times of the "1"s that start a new section (the first excluded)
    tags: dict = field(default_factory=dict)   # what the generator varied (for the report)

    @property
    def ones(self) -> np.ndarray:
        return self.beat_times[self.counts == 1]

    @property
    def duration(self) -> float:
        return self.audio.size / self.sr


def _f_measure(ref: np.ndarray, est: np.ndarray, tol: float = 0.07) -> float:
    """Beat F-measure (mir_eval's definition: one-to-one matching within ``tol``)."""
    ref, est = np.sort(ref), np.sort(est)
    if ref.size == 0 or est.size == 0:
        return 0.0
    used = np.zeros(est.size, dtype=bool)
    hits = 0
    for r in ref:
        j = np.searchsorted(est, r)
        best, bd = -1, tol + 1e-9
        for k in (j - 1, j):
            if 0 <= k < est.size and not used[k] and abs(est[k] - r) <= bd:
                best, bd = k, abs(est[k] - r)
        if best >= 0:
            used[best] = True
            hits += 1
    p, r_ = hits / est.size, hits / ref.size
    return 0.0 if hits == 0 else 2 * p * r_ / (p + r_)


def _hit_share(truth: np.ndarray, found: np.ndarray, tol: float) -> float:
    if truth.size == 0:
        return 1.0
    if found.size == 0:
        return 0.0
    return float(np.mean([np.min(np.abs(found - t)) <= tol for t in truth]))


def score_grid(song: GeneratedSong, analysis) -> dict[str, float]:  # noqa: ANN001 - core.song.SongAnalysis
    """tempo_err (relative), beat_f, ones (share of true 1s found), fives_as_ones (share of true
    5s called 1), sections (share of true section changes with a boundary within a beat),
    slips (count labels that do not advance by one)."""
    period = 60.0 / song.bpm
    times = analysis.beat_times
    counts = np.array([b.count for b in analysis.beats])
    fives = song.beat_times[song.counts == 5]
    found_ones = np.asarray(analysis.phrases)
    bounds = np.array([s.start for s in analysis.sections[1:]])
    return {
        "tempo_err": abs(analysis.tempo_bpm - song.bpm) / song.bpm,
        "beat_f": _f_measure(song.beat_times, times),
        "ones": _hit_share(song.ones, found_ones, 0.07),
        "fives_as_ones": _hit_share(fives, found_ones, 0.07),
        "sections": _hit_share(song.section_starts, bounds, 0.6 * period),
        # boundaries found that are a true section change (1.0 when none is found)
        "section_precision": _hit_share(bounds, song.section_starts, 0.6 * period) if bounds.size else 1.0,
        "slips": float(np.sum((np.diff(counts) % 8) != 1)) if counts.size > 1 else 0.0,
    }


__all__ = ["GeneratedSong", "score_grid"]
