"""The couple's move vector: the role-free descriptors of ``move_features`` standardised with
numbers fitted once on the shared clips, shipped as ``data/pose_move_metric.json``.

Why a fitted file: the descriptors have different units (turns per second, fractions of frames,
torso lengths); each is mapped to ``weight * tanh((x - median) / scale)`` so no unit dominates
the cosine and an outlier saturates instead of swamping the rest. ``median`` and ``scale``
(1.5 x the inter-quartile range, with a floor) were measured over the 80 shared clips without
their labels; the weights are uniform, because per-descriptor weights fitted on the labels
(diagonal NCA, feature selection) did not beat them under nested cross-validation
(``benchmarks/bench_pose_move.py``). The file's sha256 is pinned here and checked on load, so a
damaged or edited file is refused with one clear line instead of silently changing every
similarity. ``python -m benchmarks.bench_pose_move --fit`` writes the file and prints its hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bachata_desktop.analysis.pose.features import DancerFeatures
from bachata_desktop.analysis.pose.move_features import describe
from bachata_desktop.core.errors import InputError

METRIC_FILE = "pose_move_metric.json"
METRIC_SHA256 = "573a256509541da0ac8361bb156b7627c40d358d1561e97366c80152c38e5770"


@dataclass(frozen=True)
class MoveMetric:
    names: tuple[str, ...]
    median: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    version: int

    def vector(self, lead: DancerFeatures, follow: DancerFeatures) -> np.ndarray:
        """The clip's move vector (one value per descriptor, 0 where unmeasured)."""
        x, names = describe(lead, follow)
        if tuple(names) != self.names:
            raise InputError(f"{METRIC_FILE} describes other descriptors than this version "
                             "of the app measures; reinstall the app")
        z = np.tanh((x - self.median) / self.scale) * self.weights
        return np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)


def default_path() -> Path:
    from bachata_desktop import paths

    return paths.data_resource(METRIC_FILE)


def read_metric(path: Path, sha256: str = METRIC_SHA256) -> MoveMetric:
    """Load and verify a metric file; one-line InputError when missing, altered or malformed."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"pose similarity file {path.name} is missing or unreadable: "
                         f"{exc.strerror or exc}; reinstall the app") from exc
    if hashlib.sha256(raw).hexdigest() != sha256:
        raise InputError(f"pose similarity file {path.name} does not match its checksum "
                         "(damaged or edited); reinstall the app")
    try:
        d = json.loads(raw.decode("utf-8"))
        names = tuple(str(n) for n in d["names"])
        arrays = [np.asarray(d[k], np.float64) for k in ("median", "scale", "weights")]
        version = int(d["version"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"pose similarity file {path.name} is malformed: {exc}") from exc
    if any(a.shape != (len(names),) for a in arrays) or not all(np.isfinite(a).all() for a in arrays) \
            or (arrays[1] <= 0).any():
        raise InputError(f"pose similarity file {path.name} is malformed: bad array sizes or values")
    return MoveMetric(names, arrays[0], arrays[1], arrays[2], version)


@lru_cache(maxsize=1)
def shipped_metric() -> MoveMetric:
    """The metric the app ships (read and verified once per process)."""
    return read_metric(default_path())


def fit_metric(x: np.ndarray, names: list[str], version: int) -> dict:
    """Standardisation of descriptor rows ``x`` (clips x descriptors), unsupervised: the
    JSON document ``read_metric`` loads."""
    med = np.nanmedian(x, axis=0)
    iqr = np.nanpercentile(x, 75, axis=0) - np.nanpercentile(x, 25, axis=0)
    scale = 1.5 * np.maximum(iqr, 1e-3 + 0.1 * np.nanstd(x, axis=0))
    med = np.nan_to_num(med)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    return {"version": version, "names": list(names),
            "median": [round(float(v), 6) for v in med],
            "scale": [round(float(v), 6) for v in scale],
            "weights": [1.0] * len(names)}


__all__ = ["METRIC_FILE", "METRIC_SHA256", "MoveMetric", "default_path", "fit_metric", "read_metric",
           "shipped_metric"]
