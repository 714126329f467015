"""The count sheet: a choreography as a table to teach from, one row per 8-count phrase.

Each row says when the phrase starts in the song, its section, which counts of the move it holds
("1-8", "9-16" for the second half of a 16-count move, "1-4 x2" for a 4-count move danced twice),
the move, its level and teaching notes. It is written as self-contained HTML (print CSS: A4, header
row repeated, rows never split) or as PDF. There is one PDF path in the app: the same HTML goes
through Qt's HTML-to-PDF (``ui/print_pdf.html_to_pdf``, as the class plans do), so any script a
system font covers prints as typed ("танец", "Paseála"). Services stay Qt-free: the caller (the
CLI, the GUI) passes that writer in.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bachata_desktop.core.choreography import Choreography, Slot
from bachata_desktop.core.clip import category_label, move_title
from bachata_desktop.core.errors import InputError
from bachata_desktop.services.export_files import write_atomic

COLUMNS = ("Time", "Section", "Counts", "Move", "Level", "Notes")


@dataclass(frozen=True)
class SheetRow:
    time_s: float
    section: str
    counts: str
    move: str
    level: str
    notes: str
    first_of_move: bool = True
    new_section: bool = False

    @property
    def time_label(self) -> str:
        return format_time(self.time_s)

    def cells(self) -> tuple[str, ...]:
        return (self.time_label, self.section, self.counts, self.move, self.level, self.notes)


@dataclass(frozen=True)
class CountSheet:
    title: str
    subtitle: tuple[str, ...]
    rows: tuple[SheetRow, ...]
    notes: tuple[str, ...] = ()


def format_time(seconds: float) -> str:
    """Song time as m:ss.s (e.g. 1:04.5)."""
    s = max(0.0, float(seconds))
    m = int(s // 60)
    return f"{m}:{s - 60 * m:04.1f}"


def _phrase_counts(slot: Slot, j: int, n: int) -> str:
    if slot.repeats > 1:
        per = max(1, slot.counts // max(1, slot.repeats * n))
        return f"1-{per} x{slot.repeats}"
    return f"{8 * j + 1}-{8 * j + 8}"


def build_count_sheet(choreo: Choreography, store: Any = None) -> CountSheet:
    """The rows of the sheet; ``store`` (optional) adds each move's level and teaching notes."""
    if not choreo.slots:
        raise InputError("the choreography has no moves")
    phrases = {p.index: p for p in choreo.phrases}
    rows: list[SheetRow] = []
    last_section = None
    for slot in choreo.slots:
        clip = store.clips.get(slot.clip_id, include_deleted=True) if store is not None else None
        name = slot.name or (move_title(clip.name) if clip else f"clip {slot.clip_id}")
        category = slot.category or (clip.category if clip else "")
        move = f"{name} ({category_label(category)})" if category else name
        level = clip.level.value if clip is not None else ""
        notes = []
        if clip is not None and (clip.teaching_notes or clip.notes):
            notes.append((clip.teaching_notes or clip.notes).strip())
        if slot.repeats > 1:
            notes.append(f"{slot.counts // slot.repeats}-count move, danced {slot.repeats} times")
        if slot.pinned:
            notes.append("chosen by hand")
        if store is not None and clip is None:
            notes.append("not in the library")
        n = max(1, len(slot.phrases) or -(-slot.counts // 8))
        for j in range(n):
            spec = phrases.get(slot.phrases[j]) if j < len(slot.phrases) else None
            t = spec.start_s if spec else slot.start + j * (slot.end - slot.start) / n
            section = (spec.section_label if spec else slot.section) or ""
            rows.append(SheetRow(
                time_s=t, section=section.capitalize(), counts=_phrase_counts(slot, j, n),
                move=move if j == 0 else f"{name} (continued)", level=level if j == 0 else "",
                notes="; ".join(notes) if j == 0 else "", first_of_move=j == 0,
                new_section=bool(rows) and section != last_section))
            last_section = section
    song = choreo.song
    req = choreo.request
    parts = [f"{choreo.tempo:.0f} BPM" if choreo.tempo > 0 else "",
             f"level {req.level.value}", f"style {req.style.value}" if req.style else "",
             f"{len(choreo.slots)} moves, {len(rows)} phrases",
             f"{format_time(choreo.slots[0].start)} to {format_time(choreo.slots[-1].end)}",
             f"seed {choreo.seed}"]
    subtitle = [", ".join(p for p in parts if p)]
    if req.text:
        subtitle.append(f"Request: {req.text}")
    title = f"Count sheet - {song.title}" if song.title else "Count sheet"
    return CountSheet(title, tuple(subtitle), tuple(rows), tuple(choreo.notes))


_CSS = """
body { font-family: Helvetica, Arial, sans-serif; font-size: 10pt; color: #111; margin: 1.5em; }
h1 { font-size: 16pt; margin: 0 0 .2em; }
p.sub { color: #444; margin: 0 0 .8em; }
table { border-collapse: collapse; width: 100%; }
th { background: #d9d9d9; text-align: left; padding: 4px 6px; }
td { padding: 4px 6px; vertical-align: top; border-bottom: 1px solid #e0e0e0; }
tr:nth-child(even) td { background: #f3f3f3; }
tr.section td { border-top: 2px solid #555; }
tr.cont td.move { color: #666; font-style: italic; }
td.time, td.counts { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.move { font-weight: bold; }
ul.notes { color: #444; }
@media print {
  @page { size: A4; margin: 14mm; }
  body { margin: 0; }
  thead { display: table-header-group; }
  tr { page-break-inside: avoid; break-inside: avoid; }
}
"""


def to_html(sheet: CountSheet) -> str:
    """A self-contained HTML page (inline CSS, no scripts, no external resources)."""
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in COLUMNS)
    body = []
    for r in sheet.rows:
        cls = " ".join(c for c in ("section" if r.new_section else "",
                                   "" if r.first_of_move else "cont") if c)
        cells = zip(("time", "section", "counts", "move", "level", "notes"), r.cells(), strict=True)
        tds = "".join(f'<td class="{k}">{e(v)}</td>' for k, v in cells)
        body.append(f'<tr class="{cls}">{tds}</tr>' if cls else f"<tr>{tds}</tr>")
    notes = ("<ul class=\"notes\">" + "".join(f"<li>{e(n)}</li>" for n in sheet.notes) + "</ul>"
             if sheet.notes else "")
    subs = "".join(f'<p class="sub">{e(s)}</p>' for s in sheet.subtitle)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{e(sheet.title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{e(sheet.title)}</h1>{subs}<table><thead><tr>{head}</tr></thead><tbody>"
            + "\n".join(body) + f"</tbody></table>{notes}</body></html>\n")


# (html, out, title) -> out: ``ui.print_pdf.html_to_pdf``, Qt's HTML-to-PDF (A4, atomic write).
PdfWriter = Callable[[str, Path, str], Path]


def export_count_sheet(store: Any, choreo: Choreography, out_path: str | os.PathLike[str],
                       fmt: str | None = None, pdf_writer: PdfWriter | None = None) -> Path:
    """Write the count sheet as PDF (through ``pdf_writer``) or HTML; returns the path.

    The format comes from ``fmt`` or the file's suffix."""
    out = Path(out_path).expanduser().absolute()
    kind = (fmt or out.suffix.lstrip(".")).lower()
    if kind not in ("pdf", "html", "htm"):
        raise InputError(f"a count sheet is written as .pdf or .html, not '{out.suffix or kind}'")
    sheet = build_count_sheet(choreo, store)
    if kind == "pdf":
        if pdf_writer is None:
            raise ValueError("a PDF count sheet needs the caller's pdf_writer (ui.print_pdf)")
        if not out.parent.is_dir():
            raise InputError(f"the folder {out.parent} does not exist")
        return Path(pdf_writer(to_html(sheet), out, sheet.title))
    write_atomic(out, to_html(sheet).encode("utf-8"))
    return out


def sheet_rows(choreo: Choreography, store: Any = None) -> Sequence[SheetRow]:
    return build_count_sheet(choreo, store).rows


__all__ = ["COLUMNS", "CountSheet", "SheetRow", "build_count_sheet", "export_count_sheet",
           "format_time", "sheet_rows", "to_html"]
