"""Both dancers' stored keypoints, looked up at the player's current time for the skeleton overlay.

The pose analysis saves one ``.npz`` per clip (see ``analysis.pose.analyze.save_keypoints``):
``times`` (T,) seconds, ``keypoints`` (T, 2, 17, 3) x, y, confidence in source-video pixels, slot
0 = lead and 1 = follow, NaN where a joint or dancer is missing, and ``size`` (width, height) of
the source video. Poses are sampled at a lower rate than the video (about 10 per second), so the
overlay interpolates between the two samples around the playhead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeypointTrack:
    times: np.ndarray       # (T,) float64 seconds, ascending
    keypoints: np.ndarray   # (T, 2, 17, 3) float32, NaN = missing; [:, 0] lead, [:, 1] follow
    size: tuple[int, int]   # source video (width, height) the coordinates refer to
    flipped: bool = False   # the lead/follow flip the file was written with

    def swapped(self) -> KeypointTrack:
        """The same track with lead and follow exchanged."""
        return KeypointTrack(self.times, self.keypoints[:, ::-1].copy(), self.size, not self.flipped)

    @classmethod
    def load(cls, path: str | Path | None) -> KeypointTrack | None:
        """Read a keypoints file; None (and a log line) if absent or unreadable."""
        if not path:
            return None
        p = Path(path)
        if not p.is_file():
            return None
        try:
            with np.load(p) as z:
                times = np.asarray(z["times"], np.float64).reshape(-1)
                kps = np.asarray(z["keypoints"], np.float32)
                size = tuple(int(v) for v in np.asarray(z["size"]).reshape(-1)[:2]) \
                    if "size" in z.files else (0, 0)
                flipped = bool(np.asarray(z["flipped"]).reshape(-1)[0]) if "flipped" in z.files else False
        except (OSError, KeyError, ValueError) as exc:
            log.warning("skeleton overlay off: cannot read %s: %s", p, exc)
            return None
        if kps.ndim != 4 or kps.shape[0] != times.size or kps.shape[1] < 2 or times.size == 0:
            log.warning("skeleton overlay off: %s has an unexpected layout %s", p, kps.shape)
            return None
        order = np.argsort(times, kind="stable")
        return cls(times[order], kps[order, :2], (size[0], size[1]), flipped)

    @property
    def max_gap(self) -> float:
        """How far from a sample a pose is still shown (one and a half sampling periods)."""
        if self.times.size < 2:
            return 0.2
        return 1.5 * float(np.median(np.diff(self.times)))

    def at(self, t: float) -> np.ndarray | None:
        """(2, 17, 3) keypoints at ``t`` (linear between samples, NaN where either is missing)."""
        times = self.times
        if t < times[0] - self.max_gap or t > times[-1] + self.max_gap:
            return None
        i = int(np.searchsorted(times, t, side="right"))
        if i <= 0:
            return self.keypoints[0]
        if i >= times.size:
            return self.keypoints[-1]
        t0, t1 = times[i - 1], times[i]
        k0, k1 = self.keypoints[i - 1], self.keypoints[i]
        if t1 - t0 > 2 * self.max_gap:
            return k0 if t - t0 < t1 - t else k1
        w = float((t - t0) / (t1 - t0)) if t1 > t0 else 0.0
        out = k0 * (1.0 - w) + k1 * w
        # A joint missing at one end of the interval: use the other end when it is the closer one.
        near = k0 if w < 0.5 else k1
        fill = np.isnan(out) & ~np.isnan(near)
        out[fill] = near[fill]
        return out
