"""A small PDF writer for printable tables (the count sheet), with no Qt and no extra package.

Services may not import Qt, and the count sheet must print from the command line and in a frozen
app alike, so this writes PDF 1.4 directly: A4 pages, the standard Helvetica fonts (every PDF
reader has them, nothing is embedded), word-wrapped cells, a header row repeated on each page,
zebra rows, and page numbers. Text is encoded as WinAnsi (cp1252): Western European accents print
as they are; characters outside it are transliterated (NFKD) or become "?".
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

PAGE_W, PAGE_H = 595.28, 841.89  # A4 in points
MARGIN = 36.0

# Advance widths (1/1000 em) of ASCII 32..126 from the Adobe AFM metrics of the base-14 fonts.
_HELV = [278, 278, 355, 556, 556, 889, 667, 222, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
         556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,
         722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
         667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 222, 556, 556, 500, 556, 556, 278, 556,
         556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
         500, 334, 260, 334, 584]
_HELV_BOLD = [278, 333, 474, 556, 556, 889, 722, 278, 333, 333, 389, 584, 278, 333, 278, 278, 556,
              556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722,
              722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722,
              667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 278, 556, 611, 556,
              611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333,
              611, 556, 778, 556, 556, 500, 389, 280, 389, 584]


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # points


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    rule_above: bool = False   # a heavier line above (e.g. a new section)
    bold_first: int = 0        # how many leading cells are bold


def _winansi(text: str) -> bytes:
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch).encode("cp1252", "ignore")
            out += base or b"?"
    return bytes(out)


def text_width(text: str, size: float, bold: bool = False) -> float:
    table = _HELV_BOLD if bold else _HELV
    total = 0
    for b in _winansi(text):
        total += table[b - 32] if 32 <= b <= 126 else 556
    return total * size / 1000.0


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` points; over-long words are cut."""
    lines: list[str] = []
    for para in (text or "").split("\n"):
        line = ""
        for word in para.split():
            cand = f"{line} {word}" if line else word
            if text_width(cand, size, bold) <= width:
                line = cand
                continue
            if line:
                lines.append(line)
            while text_width(word, size, bold) > width and len(word) > 1:
                k = len(word)
                while k > 1 and text_width(word[:k], size, bold) > width:
                    k -= 1
                lines.append(word[:k])
                word = word[k:]
            line = word
        lines.append(line)
    return lines or [""]


def _esc(text: str) -> bytes:
    return _winansi(text).replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


class _Page:
    def __init__(self) -> None:
        self.ops: list[bytes] = []

    def text(self, x: float, y: float, s: str, size: float, bold: bool = False,
             grey: float = 0.0) -> None:
        font = b"/F2" if bold else b"/F1"
        self.ops.append(b"%.3f g BT %s %.1f Tf %.2f %.2f Td (%s) Tj ET" % (
            grey, font, size, x, y, _esc(s)))

    def rect(self, x: float, y: float, w: float, h: float, grey: float) -> None:
        self.ops.append(b"%.3f g %.2f %.2f %.2f %.2f re f" % (grey, x, y, w, h))

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float, grey: float) -> None:
        self.ops.append(b"%.3f G %.2f w %.2f %.2f m %.2f %.2f l S" % (grey, width, x0, y0, x1, y1))

    def stream(self) -> bytes:
        return b"\n".join(self.ops)


def table_pdf(title: str, subtitle: Sequence[str], columns: Sequence[Column], rows: Sequence[Row],
              footer: Sequence[str] = (), size: float = 9.0) -> bytes:
    """A4 PDF of a titled table; columns are scaled to fit the page width."""
    avail = PAGE_W - 2 * MARGIN
    scale = avail / sum(c.width for c in columns)
    widths = [c.width * scale for c in columns]
    lead, pad = size * 1.25, 3.0
    pages: list[_Page] = []
    page = _Page()
    y = PAGE_H - MARGIN

    def header_row(p: _Page, top: float) -> float:
        h = lead + 2 * pad
        p.rect(MARGIN, top - h, avail, h, 0.85)
        x = MARGIN
        for col, w in zip(columns, widths, strict=True):
            p.text(x + pad, top - pad - size, col.title, size, bold=True)
            x += w
        return top - h

    page.text(MARGIN, y - 16, title, 16, bold=True)
    y -= 24
    for line in subtitle:
        for part in wrap(line, avail, size + 1):
            page.text(MARGIN, y - size - 1, part, size + 1, grey=0.25)
            y -= lead + 1
    y = header_row(page, y - 6)
    for i, row in enumerate(rows):
        cells = [wrap(c, w - 2 * pad, size, bold=k < row.bold_first)
                 for k, (c, w) in enumerate(zip(row.cells, widths, strict=True))]
        h = max(len(c) for c in cells) * lead + 2 * pad
        if y - h < MARGIN + 20:
            pages.append(page)
            page = _Page()
            y = header_row(page, PAGE_H - MARGIN)
        if i % 2:
            page.rect(MARGIN, y - h, avail, h, 0.95)
        if row.rule_above:
            page.line(MARGIN, y, MARGIN + avail, y, 1.0, 0.3)
        x = MARGIN
        for k, (lines, w) in enumerate(zip(cells, widths, strict=True)):
            for j, text in enumerate(lines):
                page.text(x + pad, y - pad - size - j * lead, text, size, bold=k < row.bold_first)
            x += w
        y -= h
    for line in footer:
        for part in wrap(line, avail, size):
            if y - lead < MARGIN + 20:
                pages.append(page)
                page = _Page()
                y = PAGE_H - MARGIN
            page.text(MARGIN, y - lead - 4, part, size, grey=0.25)
            y -= lead
    pages.append(page)
    for n, p in enumerate(pages, 1):
        label = f"{title} - page {n} of {len(pages)}"
        p.text(PAGE_W - MARGIN - text_width(label, 7), MARGIN - 14, label, 7, grey=0.4)
    return _assemble(pages)


def _assemble(pages: Sequence[_Page]) -> bytes:
    objs: list[bytes] = []
    n_pages = len(pages)
    kids = b" ".join(b"%d 0 R" % (5 + 2 * i) for i in range(n_pages))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n_pages))
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold "
                b"/Encoding /WinAnsiEncoding >>")
    for i, p in enumerate(pages):
        data = zlib.compress(p.stream())
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources "
                    b"<< /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>"
                    % (PAGE_W, PAGE_H, 6 + 2 * i))
        objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (k, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


__all__ = ["Column", "Row", "table_pdf", "text_width", "wrap"]
