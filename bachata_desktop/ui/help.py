"""Help: the keyboard cheat-sheet (read from the actions themselves, so it never goes stale) and
a short first-run guide. Both are non-modal windows, so they can stay open beside the work."""

from __future__ import annotations

import html
from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from bachata_desktop import APP_NAME

GUIDE_HTML = f"""
<h2>Getting started with {APP_NAME}</h2>
<ol>
<li><b>Add your moves.</b> Drag clip files or a folder onto the window (or <i>File → Import a
folder of clips…</i>). Keep an annotations file elsewhere? Use <i>File → Import a folder with an
annotations file…</i>. Each clip is analysed in the background; you can keep working.</li>
<li><b>Find and tidy them.</b> In the <b>Library</b>, type to search by name or meaning, filter by
family, level and energy, and set what the import could not know (“not set”) in the editor on the
right.</li>
<li><b>Add a song.</b> Drop a song on the window or use <i>File → Add songs…</i>. The
<b>Songs</b> area shows its beats and 8-counts; fix the “1” there if it is off.</li>
<li><b>Generate a routine.</b> In the <b>Generator</b>, pick the song, say what you want
(“sensual, lots of body waves, end with a dip”), and generate. Click a move to see why it was
chosen and swap it; <i>Preview video</i> plays it at once, <i>Export video…</i> writes an MP4.</li>
<li><b>Plan the class.</b> In <b>Class plans</b>, build the lesson, print it or share it.</li>
<li><b>Practise.</b> The <b>Player</b> loops 8-counts, slows down, mirrors and counts.</li>
</ol>
<p>Everything works offline. <i>Help → Keyboard shortcuts</i> lists every key.</p>
"""


def _keys(action: QAction) -> str:
    seqs = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()]
    return " / ".join(s for s in seqs if s)


def shortcuts_html(groups: Iterable[tuple[str, Iterable[tuple[str, str]]]]) -> str:
    """A table per group of (keys, what it does) rows."""
    out = ["<h2>Keyboard shortcuts</h2>"]
    for title, rows in groups:
        body = "".join(f"<tr><td style='padding-right:18px'><b>{html.escape(k)}</b></td>"
                       f"<td>{html.escape(t)}</td></tr>" for k, t in rows if k)
        if body:
            out.append(f"<h3>{html.escape(title)}</h3><table cellspacing=3>{body}</table>")
    return "".join(out)


def _label(action: QAction) -> str:
    text = action.text().replace("&", "").rstrip("…")
    # "Undo Delete Basic 2" names the last change: the cheat-sheet names the key's job
    return text.split(" ")[0] if text.startswith(("Undo", "Redo")) else text


def window_shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    return [(_keys(a), _label(a)) for a in actions if _keys(a)]


def player_shortcut_rows() -> list[tuple[str, str]]:
    from bachata_desktop.ui.player.transport import ACTIONS

    return [(" / ".join(spec.keys), spec.tip) for spec in ACTIONS]


class HelpWindow(QDialog):
    """A non-modal, resizable page of help text."""

    def __init__(self, title: str, body: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} · {APP_NAME}")
        self.setModal(False)
        lay = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.text.setHtml(body)
        lay.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay.addWidget(buttons)
        self.resize(620, 560)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)


__all__ = ["GUIDE_HTML", "HelpWindow", "player_shortcut_rows", "shortcuts_html",
           "window_shortcut_rows"]
