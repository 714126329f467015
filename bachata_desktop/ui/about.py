"""About: versions of the app and its stacks, and where the user's data lives."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from bachata_desktop import APP_NAME, __version__
from bachata_desktop.paths import AppPaths, model_search_path

STACKS = ("numpy", "openvino", "tokenizers", "hnswlib", "av", "google-genai",
          "ultralytics", "torch")
OPTIONAL = ("ultralytics", "torch")  # the 'ultralytics' extra (other pose backend, .pt models)


def stack_versions() -> dict[str, str]:
    """Installed versions read from package metadata (nothing heavy is imported)."""
    out = {"Python": platform.python_version(), "Qt": qVersion(), "PySide6": pyside_version}
    for name in STACKS:
        label = f"{name} (optional)" if name in OPTIONAL else name
        try:
            out[label] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[label] = "not installed"
    return out


def about_html(paths: AppPaths) -> str:
    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in stack_versions().items())
    locs = {"Library (database and media)": paths.data, "Cache (indexes, thumbnails)": paths.cache,
            "Logs": paths.logs, "Settings": paths.config}
    loc_rows = "".join(f"<tr><td>{k}</td><td><code>{v}</code></td></tr>" for k, v in locs.items())
    models = "<br>".join(f"<code>{p}</code>" for p in model_search_path(paths))
    return (f"<h2>{APP_NAME} {__version__}</h2>"
            "<p>An offline-first assistant for bachata instructors.</p>"
            f"<h3>Versions</h3><table cellspacing=4>{rows}</table>"
            f"<h3>Your data</h3><table cellspacing=4>{loc_rows}</table>"
            f"<h3>Model folders searched</h3><p>{models}</p>"
            f"<p style='color:#888'>{platform.platform()} · {sys.executable}</p>")


class AboutDialog(QDialog):
    def __init__(self, paths: AppPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        lay = QVBoxLayout(self)
        self.label = QLabel(about_html(paths))
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)
        lay.addWidget(self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
