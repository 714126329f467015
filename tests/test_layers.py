"""The Qt-free layers stay Qt-free, and heavy stacks are not imported at start-up."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import bachata_desktop

REPO = Path(__file__).resolve().parent.parent
QT_FREE = ("core", "analysis", "store", "services")
HEAVY = ("torch", "ultralytics", "librosa", "sentence_transformers", "hnswlib", "openvino", "cv2",
         "google.genai")


def _modules(package: str) -> list[str]:
    pkg = __import__(f"bachata_desktop.{package}", fromlist=["x"])
    names = [pkg.__name__]
    names += [m.name for m in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg.__name__}.")]
    return names


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_qt_free_layers_never_load_pyside6() -> None:
    modules = [m for p in QT_FREE for m in _modules(p)]
    assert len(modules) > 10
    code = ("import importlib, sys\n"
            f"for m in {modules!r}:\n"
            "    importlib.import_module(m)\n"
            "print(sorted(k for k in sys.modules if k.startswith('PySide6')))")
    assert _run(code).strip() == "[]"


def test_main_window_import_does_not_load_heavy_stacks() -> None:
    code = ("import sys\n"
            "import bachata_desktop.app, bachata_desktop.cli, bachata_desktop.__main__\n"
            f"print(sorted(k for k in sys.modules if k.split('.')[0] in {[h.split('.')[0] for h in HEAVY]!r}"
            " or k.startswith('google.genai')))")
    assert _run(code).strip() == "[]"


def test_import_linter_contracts_hold() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        import pytest

        pytest.skip("import-linter not installed (pip install -e .[test])")
    out = subprocess.run([str(exe)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr


def test_package_version_is_set() -> None:
    assert bachata_desktop.__version__.count(".") == 2
