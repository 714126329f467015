"""File dialogs open where the instructor last was (per kind: clips, songs, exports, plans)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from bachata_desktop.paths import AppPaths


def _settings(paths: AppPaths) -> QSettings:
    return QSettings(str(paths.config / "folders.ini"), QSettings.Format.IniFormat)


def last_folder(paths: AppPaths, kind: str, default: str | Path | None = None) -> str:
    """The folder last used for ``kind`` if it still exists, else ``default`` (else home)."""
    value = _settings(paths).value(f"last/{kind}", "")
    if isinstance(value, str) and value and Path(value).is_dir():
        return value
    return str(default or Path.home())


def remember_folder(paths: AppPaths, kind: str, chosen: str | Path) -> None:
    """Remember the folder of ``chosen`` (a file or a folder) for the next dialog of ``kind``."""
    p = Path(chosen)
    folder = p if p.is_dir() else p.parent
    s = _settings(paths)
    s.setValue(f"last/{kind}", str(folder))
    s.sync()


__all__ = ["last_folder", "remember_folder"]
