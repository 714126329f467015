"""Every location the app reads or writes, resolved once.

platformdirs gives the per-OS folders; ``BACHATA_HOME`` puts everything under one folder (tests,
portable installs). Bundled resources and models are found through :func:`resource` and
:func:`model_search_path`, which also work inside a PyInstaller bundle (``sys._MEIPASS``).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from bachata_desktop import APP_ID, ORG_NAME

ENV_HOME = "BACHATA_HOME"
ENV_MODELS = "BACHATA_MODELS"
ENV_OFFLINE = "BACHATA_OFFLINE"


@dataclass(frozen=True)
class AppPaths:
    """Resolved user folders. Create them with :meth:`ensure`."""

    data: Path
    cache: Path
    logs: Path
    config: Path

    @property
    def database(self) -> Path:
        return self.data / "library.sqlite3"

    @property
    def media(self) -> Path:
        """Imported clip and song files, copied here (the library folder)."""
        return self.data / "media"

    @property
    def poses(self) -> Path:
        """Per-frame keypoints of both dancers, one compact .npz per clip."""
        return self.data / "poses"

    @property
    def backups(self) -> Path:
        return self.data / "backups"

    @property
    def indexes(self) -> Path:
        """hnswlib indexes: derived data, rebuilt from SQLite whenever needed."""
        return self.cache / "indexes"

    @property
    def thumbnails(self) -> Path:
        return self.cache / "thumbnails"

    @property
    def user_models(self) -> Path:
        return self.data / "models"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def autosave(self) -> Path:
        return self.data / "autosave"

    def ensure(self) -> AppPaths:
        """Create the folders, after finishing or undoing an interrupted restore (never an empty
        library beside the user's data); StorageError when they cannot be created."""
        from bachata_desktop import recovery
        from bachata_desktop.core.errors import StorageError

        recovery.recover_once(self.data)
        try:
            self._make()
        except OSError as exc:
            where = exc.filename or self.data
            raise StorageError(f"cannot create the app's folder {where}: "
                               f"{exc.strerror or exc}") from exc
        return self

    def _make(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        for p in (self.cache, self.logs, self.config, self.media, self.poses,
                  self.backups, self.indexes, self.thumbnails, self.user_models, self.autosave):
            try:
                p.mkdir(parents=True, exist_ok=True)
            except OSError:
                if not os.access(self.data, os.W_OK) or not os.access(p.parent, os.W_OK):
                    continue  # a read-only library opens read-only; writing says so later
                raise


def app_paths(home: str | os.PathLike[str] | None = None) -> AppPaths:
    """Resolve the user folders; ``home`` or ``$BACHATA_HOME`` override platformdirs."""
    home = home if home is not None else os.environ.get(ENV_HOME) or None
    if home:
        root = Path(home).expanduser().resolve()
        return AppPaths(data=root / "data", cache=root / "cache", logs=root / "logs",
                        config=root / "config")
    import platformdirs

    return AppPaths(
        data=Path(platformdirs.user_data_dir(APP_ID, ORG_NAME)),
        cache=Path(platformdirs.user_cache_dir(APP_ID, ORG_NAME)),
        logs=Path(platformdirs.user_log_dir(APP_ID, ORG_NAME)),
        config=Path(platformdirs.user_config_dir(APP_ID, ORG_NAME)),
    )


def install_root() -> Path:
    """The folder holding ``resources/`` and ``models/``: the bundle when frozen, else the repo."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resource(*parts: str) -> Path:
    """Path of a bundled read-only resource (icons, templates, fonts)."""
    return install_root().joinpath("resources", *parts)


def data_resource(*parts: str) -> Path:
    """Path of built-in data the app ships in the top-level ``data/`` folder (count samples, ...)."""
    return install_root().joinpath("data", *parts)


def bundled_models() -> Path:
    return install_root() / "models"


def model_search_path(paths: AppPaths | None = None) -> list[Path]:
    """Folders searched for model files, in order: bundled, user models, then $BACHATA_MODELS."""
    paths = paths or app_paths()
    out = [bundled_models(), paths.user_models]
    extra = os.environ.get(ENV_MODELS, "")
    out.extend(Path(p).expanduser() for p in extra.split(os.pathsep) if p.strip())
    return out


def is_offline() -> bool:
    return os.environ.get(ENV_OFFLINE, "").strip().lower() in {"1", "true", "yes", "on"}
