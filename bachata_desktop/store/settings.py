"""User preferences: a typed dataclass saved as JSON with a schema version and ordered migrators.

Window geometry lives in QSettings (it is per machine and per screen); everything else is here.
A corrupt file is moved aside and defaults are used, so a bad edit never stops the app starting.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2


@dataclass
class AppSettings:
    schema_version: int = SCHEMA_VERSION
    analysis_fps: float = 10.0          # pose frames analysed per second of video
    pose_imgsz: int = 320               # pose input size: as many both-dancer frames as 480, ~2x faster (bench_pose)
    tempo_min_bpm: float = 100.0        # bachata tempo prior
    tempo_max_bpm: float = 160.0
    default_level: str = "beginner"
    mirror_by_default: bool = False
    gemini_enabled: bool = True         # only used when online and a key is in the keyring
    gemini_model: str = "gemini-2.5-flash"  # a retired id here is replaced by analysis.llm.gemini
    gemini_timeout_s: float = 8.0
    export_preset: str = "720p"
    recent_songs: list[str] | None = None


def _v1_to_v2(d: dict[str, Any]) -> dict[str, Any]:
    # v1 stored one "tempo_range" pair; v2 splits it so each end is editable on its own.
    lo, hi = d.pop("tempo_range", (100.0, 160.0))
    d.setdefault("tempo_min_bpm", lo)
    d.setdefault("tempo_max_bpm", hi)
    return d


MIGRATORS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def load_settings(path: Path) -> AppSettings:
    try:
        raw = json.loads(Path(path).read_text("utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("settings file is not a JSON object")
    except FileNotFoundError:
        return AppSettings()
    except (OSError, ValueError) as exc:
        log.warning("settings %s unreadable (%s); using defaults", path, exc)
        with contextlib.suppress(OSError):
            os.replace(path, Path(path).with_suffix(".corrupt.json"))
        return AppSettings()
    version = int(raw.get("schema_version", 1))
    while version < SCHEMA_VERSION:
        raw = MIGRATORS[version](raw)
        version += 1
    raw["schema_version"] = SCHEMA_VERSION
    known = {f.name for f in fields(AppSettings)}
    return AppSettings(**{k: v for k, v in raw.items() if k in known})


def save_settings(settings: AppSettings, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2), "utf-8")
    os.replace(tmp, path)
