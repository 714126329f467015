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

The count part (``counts`` in the file, embedding version 4): the clip's count template
(``move_template``) standardised per signal (one median / scale over all counts), turned into its
cycle spectrum and standardised again per value, both fitted without labels. It is stored as a
modality of its own (``counts``, ``analysis.pose.move_vector``), next to the descriptors'
``interaction`` vector, and "Similar moves" weighs the two equally (``services.search``); a clip
without a beat grid, or shorter than the cycle, has no ``counts`` vector and compares by the rest.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bachata_desktop.analysis.pose.features import DancerFeatures
from bachata_desktop.analysis.pose.move_features import describe
from bachata_desktop.analysis.pose.move_template import cycle_spectrum, template_names
from bachata_desktop.core.errors import InputError

METRIC_FILE = "pose_move_metric.json"
METRIC_SHA256 = "6dcc50fcc6ae5acc645fb1945150cbf325565798b7a19a3616b06d90b202f3ad"


@dataclass(frozen=True)
class CountScale:
    """Standardisation of the count template (``move_template``): one median / scale per signal
    over all counts, then per value of its cycle spectrum."""

    names: tuple[str, ...]
    median: np.ndarray
    scale: np.ndarray
    cycle_median: np.ndarray
    cycle_scale: np.ndarray

    def vector(self, template: np.ndarray | None) -> np.ndarray | None:
        """The unit-length standardised cycle spectrum of a (counts x signals) template; None
        when there is none or a count has no frame (a clip shorter than the cycle: a spectrum of
        a partly empty cycle would make such clips look alike). A signal missing from some
        counts is filled from its other counts; one never seen adds nothing (zeros)."""
        if template is None:
            return None
        t = np.asarray(template, np.float64)
        if t.size != len(self.names) or t.ndim != 2:
            raise InputError(f"{METRIC_FILE} describes another count template than this version "
                             "of the app measures; reinstall the app")
        if (~np.isfinite(t)).all(axis=1).any():
            return None
        z = np.tanh((t.ravel() - self.median) / self.scale).reshape(t.shape)
        seen = np.isfinite(z).any(axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # never-seen signals: zeroed below
            z = np.where(np.isfinite(z), z, np.nanmean(z, axis=0))
        h = cycle_spectrum(np.nan_to_num(z)[None])[0].reshape(-1, t.shape[1])
        h = np.tanh((h.ravel() - self.cycle_median) / self.cycle_scale).reshape(h.shape)
        h = np.where(seen, h, 0.0).ravel()
        n = float(np.linalg.norm(h))
        return h / n if n > 1e-12 else None


@dataclass(frozen=True)
class MoveMetric:
    names: tuple[str, ...]
    median: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    version: int
    counts: CountScale | None = None

    def vector(self, lead: DancerFeatures, follow: DancerFeatures) -> np.ndarray:
        """The clip's move vector (one value per descriptor, 0 where unmeasured)."""
        x, names = describe(lead, follow)
        if tuple(names) != self.names:
            raise InputError(f"{METRIC_FILE} describes other descriptors than this version "
                             "of the app measures; reinstall the app")
        return self.standardise(x)

    def standardise(self, x: np.ndarray) -> np.ndarray:
        """``vector`` from the descriptors ``describe`` measured (``x``)."""
        z = np.tanh((np.asarray(x, np.float64) - self.median) / self.scale) * self.weights
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
        counts = _count_scale(d["counts"]) if "counts" in d else None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"pose similarity file {path.name} is malformed: {exc}") from exc
    if any(a.shape != (len(names),) for a in arrays) or not all(np.isfinite(a).all() for a in arrays) \
            or (arrays[1] <= 0).any():
        raise InputError(f"pose similarity file {path.name} is malformed: bad array sizes or values")
    return MoveMetric(names, arrays[0], arrays[1], arrays[2], version, counts)


def _count_scale(d: dict) -> CountScale:
    names = tuple(str(n) for n in d["names"])
    med, scale, cmed, cscale = (np.asarray(d[k], np.float64)
                                for k in ("median", "scale", "cycle_median", "cycle_scale"))
    k = len({n.split("_", 1)[0] for n in names})
    if names != tuple(template_names(k)) \
            or any(a.shape != (len(names),) or not np.isfinite(a).all() for a in (med, scale)) \
            or any(a.shape != ((k // 2 + 1) * (len(names) // max(k, 1)),) or not np.isfinite(a).all()
                   for a in (cmed, cscale)) \
            or (scale <= 0).any() or (cscale <= 0).any():
        raise ValueError("bad count template names, sizes or values")
    return CountScale(names, med, scale, cmed, cscale)


@lru_cache(maxsize=1)
def shipped_metric() -> MoveMetric:
    """The metric the app ships (read and verified once per process)."""
    return read_metric(default_path())


def fit_metric(x: np.ndarray, names: list[str], version: int) -> dict:
    """Standardisation of descriptor rows ``x`` (clips x descriptors), unsupervised: the
    JSON document ``read_metric`` loads (without a count template)."""
    med = np.nanmedian(x, axis=0)
    iqr = np.nanpercentile(x, 75, axis=0) - np.nanpercentile(x, 25, axis=0)
    scale = 1.5 * np.maximum(iqr, 1e-3 + 0.1 * np.nanstd(x, axis=0))
    med = np.nan_to_num(med)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    return {"version": version, "names": list(names),
            "median": _rounded(med), "scale": _rounded(scale),
            "weights": [1.0] * len(names)}


def _robust(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(median, IQR / 1.349) per column over the finite values (1 where no spread)."""
    med = np.nan_to_num(np.nanmedian(x, axis=0))
    iqr = np.nanpercentile(x, 75, axis=0) - np.nanpercentile(x, 25, axis=0)
    scale = np.where(np.isfinite(iqr) & (iqr > 1e-9), iqr / 1.349, 1.0)
    return med, scale


def fit_counts(templates: np.ndarray) -> dict:
    """The count template's standardisation from clips' templates (clips x counts x signals),
    unsupervised: the ``counts`` part of the metric file."""
    n, k, m = templates.shape
    # one median / scale per signal over all counts (tiled per cell): the spectrum then does not
    # depend on which beat the cycle starts from
    med, scale = (np.tile(a, k) for a in _robust(templates.reshape(n * k, m)))
    z = np.nan_to_num(np.tanh((templates.reshape(n, -1) - med) / scale)).reshape(templates.shape)
    cmed, cscale = _robust(cycle_spectrum(z))
    return {"names": template_names(k), "median": _rounded(med), "scale": _rounded(scale),
            "cycle_median": _rounded(cmed), "cycle_scale": _rounded(cscale)}


def _rounded(a: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in a]


__all__ = ["METRIC_FILE", "METRIC_SHA256", "CountScale", "MoveMetric", "default_path", "fit_counts",
           "fit_metric", "read_metric", "shipped_metric"]
