"""Find, verify and load the pose model, fully offline.

The pose model may sit in the bundle's ``models/`` folder, the user's models folder or any folder of
``$BACHATA_MODELS`` (``paths.model_search_path()``), as an OpenVINO folder (``*_openvino_model``),
an ``.onnx`` or a ``.pt`` file. We resolve the path ourselves (ultralytics would otherwise try to
download a missing name from GitHub), check a file listed in ``models/manifest.json`` against its
sha256, and refuse an unlisted model or any ``.pt`` (a pickle) unless the user names it in
``$BACHATA_ALLOW_MODELS``, and call
``offline.harden()`` before ultralytics or openvino is imported.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path

from bachata_desktop import offline, paths
from bachata_desktop.core.errors import InputError, MissingExtraError, ModelNotFoundError

log = logging.getLogger(__name__)

# Preferred order: OpenVINO is the fastest on a laptop CPU, then ONNX, then PyTorch.
OPENVINO_SUFFIX = "_openvino_model"


class ModelFormat(str, Enum):
    OPENVINO = "openvino"
    ONNX = "onnx"
    PYTORCH = "pt"


@dataclass(frozen=True)
class ModelFile:
    """A resolved pose model on disk."""

    path: Path
    format: ModelFormat
    name: str
    verified: bool  # True when every file matched models/manifest.json

    @property
    def model_id(self) -> str:
        """Stable id stored with every embedding (rebuild indexes when it changes)."""
        return f"{self.name}:{self.format.value}"


def manifest_path() -> Path:
    return paths.bundled_models() / "manifest.json"


@lru_cache(maxsize=4)
def _load_manifest(path: str) -> tuple[dict, ...]:
    p = Path(path)
    if not p.is_file():
        return ()
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"models manifest {p} is unreadable: {exc}") from exc
    return tuple(data.get("models", []))


def manifest_entries(path: Path | None = None) -> tuple[dict, ...]:
    return _load_manifest(str(path or manifest_path()))


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _candidates(folder: Path) -> list[tuple[Path, ModelFormat]]:
    """Pose model candidates in one folder, best first."""
    if not folder.is_dir():
        return []
    found: list[tuple[int, str, Path, ModelFormat]] = []
    for p in folder.iterdir():
        name = p.name.lower()
        if p.is_dir() and name.endswith(OPENVINO_SUFFIX) and any(p.glob("*.xml")):
            found.append((0, name, p, ModelFormat.OPENVINO))
        elif p.is_file() and name.endswith(".onnx"):
            found.append((1, name, p, ModelFormat.ONNX))
        elif p.is_file() and name.endswith(".pt"):
            found.append((2, name, p, ModelFormat.PYTORCH))
    # Only pose models: the name must say so (a detector .pt would load but give no keypoints).
    found = [f for f in found if "pose" in f[1]]
    found.sort(key=lambda f: (f[0], f[1]))
    return [(p, fmt) for _, _, p, fmt in found]


def verify(path: Path, fmt: ModelFormat, entries: tuple[dict, ...] | None = None) -> bool:
    """True if ``path`` is listed and matches; False if unlisted; raises if listed but different."""
    entries = manifest_entries() if entries is None else entries
    entry = next((e for e in entries if e.get("file") == path.name), None)
    if entry is None:
        return False
    if fmt is ModelFormat.OPENVINO:
        files = entry.get("files", {})
        for fname, meta in files.items():
            fp = path / fname
            if not fp.is_file():
                raise InputError(f"model folder {path} is incomplete: {fname} is missing")
            if sha256_file(fp) != meta.get("sha256"):
                raise InputError(f"model file {fp} does not match its sha256 in models/manifest.json")
        return bool(files)
    if sha256_file(path) != entry.get("sha256"):
        raise InputError(f"model file {path} does not match its sha256 in models/manifest.json")
    return True


ENV_ALLOW = "BACHATA_ALLOW_MODELS"


def allowed_unverified() -> set[str]:
    """File names the user explicitly allows without a manifest entry ($BACHATA_ALLOW_MODELS,
    separated by commas or the path separator): the only way to use an unlisted model or a
    ``.pt`` (a pickle, which can run code when loaded)."""
    raw = os.environ.get(ENV_ALLOW, "")
    return {n.strip() for n in re.split(rf"[,{re.escape(os.pathsep)}]", raw) if n.strip()}


def find_pose_model(search_path: list[Path] | None = None) -> ModelFile:
    """The first usable pose model on the search path; ModelNotFoundError names every folder.

    Usable: listed in models/manifest.json with matching sha256, or named in
    $BACHATA_ALLOW_MODELS (then loaded with a warning). A ``.pt`` is used only when named there,
    listed or not. Anything else is skipped, and when nothing usable is found the message says
    which model was refused and how to allow it.
    """
    folders = list(search_path) if search_path is not None else paths.model_search_path()
    allowed = allowed_unverified()
    refused: list[Path] = []
    for folder in folders:
        for path, fmt in _candidates(Path(folder)):
            verified = verify(path, fmt)
            explicit = path.name in allowed
            if (fmt is ModelFormat.PYTORCH or not verified) and not explicit:
                refused.append(path)
                continue
            if not verified or fmt is ModelFormat.PYTORCH:
                log.warning("using %s, which you allowed by name although it is not verified by "
                            "models/manifest.json%s", path,
                            " (a .pt file is a pickle that can run code)"
                            if fmt is ModelFormat.PYTORCH else "")
            name = path.name[: -len(OPENVINO_SUFFIX)] if fmt is ModelFormat.OPENVINO else path.stem
            return ModelFile(path=path, format=fmt, name=name, verified=verified)
    where = ", ".join(str(f) for f in folders) or "(no folders)"
    if refused:
        first = refused[0]
        why = ("a .pt file is a pickle that can run code" if first.suffix == ".pt"
               else "it is not listed in models/manifest.json")
        raise ModelNotFoundError(
            f"the pose model {first} was not used: {why}. To use it anyway, set "
            f"{ENV_ALLOW}={first.name}")
    raise ModelNotFoundError(
        "no pose model found (a *pose*_openvino_model folder, *pose*.onnx or *pose*.pt); "
        f"searched: {where}. Put one there or add its folder to ${paths.ENV_MODELS}.")


ULTRALYTICS_MISSING = (
    "{name} needs the ultralytics backend, which is not installed (the default install runs "
    "OpenVINO models only, without torch): install it with pip install 'bachata-desktop[ultralytics]' "
    "(from a source checkout: <venv>/bin/pip install -e '.[ultralytics]'), or export the model once "
    "to OpenVINO (yolo export model={name} format=openvino dynamic=True) and use that folder")


def load_yolo(model: ModelFile):  # -> ultralytics.YOLO
    """Load ``model`` through ultralytics, offline (telemetry and DNS probes off)."""
    offline.harden(config_dir=str(paths.app_paths().config / "ultralytics"))
    from bachata_desktop.analysis.heavy_imports import IMPORT_LOCK

    try:
        with IMPORT_LOCK:  # never alongside another thread's first torch/transformers import
            from ultralytics import YOLO  # noqa: PLC0415 - heavy, loaded in the worker that needs it
    except ImportError as exc:
        raise MissingExtraError(ULTRALYTICS_MISSING.format(name=model.path.name)) from exc

    try:
        from ultralytics.utils import SETTINGS  # noqa: PLC0415

        if SETTINGS.get("sync", False):
            SETTINGS.update({"sync": False})
    except Exception:  # pragma: no cover - settings layout differs between versions
        log.debug("could not switch off ultralytics sync", exc_info=True)
    return YOLO(str(model.path), task="pose")


def load_pose_model(model: ModelFile | None = None, imgsz: int = 480, backend: str = "auto"):
    """A ready pose backend for ``model`` (default: the first on the search path)."""
    from bachata_desktop.analysis.pose.backend import make_backend  # noqa: PLC0415

    return make_backend(model or find_pose_model(), imgsz=imgsz, conf=0.25, kind=backend)


def model_load_error(model: ModelFile, exc: BaseException) -> InputError:
    """One line for a model the runtime cannot load (damaged weights, wrong format)."""
    first = (str(exc).strip().splitlines() or [""])[0][:160]
    return InputError(f"the pose model {model.path.name} cannot be loaded "
                      f"({type(exc).__name__}: {first}); replace it or remove it from the "
                      "models folder")


__all__ = ["ENV_ALLOW", "ModelFile", "ModelFormat", "allowed_unverified", "find_pose_model",
           "model_load_error", "load_pose_model", "load_yolo",
           "manifest_entries", "sha256_file", "verify"]
