"""HTML to PDF with Qt's own text engine (QTextDocument + QPdfWriter): no browser, no extra deps.

Used by the class-plan and count-sheet exports, in the GUI and from the command line (where a
QGuiApplication is created on the offscreen platform if none exists).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QApplication

from bachata_desktop.core.errors import StorageError


def ensure_gui_application() -> QGuiApplication:
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        # A full QApplication, not a QGuiApplication: a process can hold only one, and anything
        # that later creates a widget in this process (the GUI, tests) needs the widget kind.
        app = QApplication([])
    return app  # type: ignore[return-value]


def html_to_pdf(html: str, out: Path, title: str = "", landscape: bool = False) -> Path:
    """Write ``html`` as an A4 PDF at ``out`` atomically (temp file, then rename)."""
    ensure_gui_application()
    out = Path(out)
    if not out.parent.exists():
        raise StorageError(f"The folder {out.parent} does not exist.")
    tmp = out.with_name(f".{out.name}.partial")
    try:
        writer = QPdfWriter(str(tmp))
        writer.setTitle(title)
        writer.setCreator("Bachata Buddy")
        writer.setResolution(96)
        orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation,
                                         QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
        doc = QTextDocument()
        doc.setHtml(html)
        rect = writer.pageLayout().paintRectPixels(writer.resolution())
        doc.setPageSize(QSizeF(rect.width(), rect.height()))
        doc.print_(writer)
        del writer  # flushes and closes the file
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise StorageError(f"Could not write the PDF to {out.parent} (is it writable?).")
        os.replace(tmp, out)
    except OSError as exc:
        raise StorageError(f"Could not write {out}: {exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return out
