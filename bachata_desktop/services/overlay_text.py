"""Move names on the exported video in the instructor's own spelling (accents, any script).

cv2's Hershey fonts draw ASCII only, so "Paseála" lost its accent and a Cyrillic name vanished from
the name bar. Pillow draws with any TrueType / OpenType font. The project ships no font file (it
holds only what we wrote), so the export uses one found on the machine: ``BACHATA_OVERLAY_FONT``
(a local .ttf / .otf / .ttc file) first, then well-known system fonts of each platform. Characters
the font has no glyph for (it would draw its "missing glyph" box) are folded to their ASCII base
letter or dropped. With no usable font the caller falls back to Pillow's built-in font and ASCII.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

FONT_ENV = "BACHATA_OVERLAY_FONT"


def _candidates() -> list[Path]:
    if sys.platform == "darwin":
        names = ["/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
                 "/Library/Fonts/Arial Unicode.ttf",
                 "/System/Library/Fonts/Supplemental/Arial.ttf",
                 "/System/Library/Fonts/Helvetica.ttc"]
    elif sys.platform.startswith("win"):
        fonts = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        names = [str(fonts / n) for n in ("segoeui.ttf", "arial.ttf", "tahoma.ttf")]
    else:
        names = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/TTF/DejaVuSans.ttf",
                 "/usr/share/fonts/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
                 "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
                 "/usr/share/fonts/truetype/freefont/FreeSans.ttf"]
    return [Path(n) for n in names]


def _usable(path: Path) -> bool:
    try:
        from PIL import ImageFont  # noqa: PLC0415

        ImageFont.truetype(str(path), 20)
    except (ImportError, OSError, ValueError):
        return False
    return True


@lru_cache(maxsize=4)
def _font_path_for(override: str) -> Path | None:
    if override:
        p = Path(override)
        return p if p.is_file() and _usable(p) else None
    for p in _candidates():
        if p.is_file() and _usable(p):
            return p
    return None


def font_path() -> Path | None:
    """The font file the overlays use, or None (built-in font + ASCII). An unusable override is
    ignored."""
    override = os.environ.get(FONT_ENV, "")
    return _font_path_for(override) or (_font_path_for("") if override else None)


@lru_cache(maxsize=32)
def _font(path: str, size: int):
    from PIL import ImageFont  # noqa: PLC0415

    return ImageFont.truetype(path, max(4, size))


@lru_cache(maxsize=4)
def _missing_glyph(path: str) -> bytes:
    """The bitmap the font draws for a code point it lacks (a private-use one)."""
    return _glyph(path, "\ue000")


@lru_cache(maxsize=4096)
def _glyph(path: str, ch: str) -> bytes:
    mask = _font(path, 32).getmask(ch)
    return bytes(mask.size) + np.asarray(mask, dtype=np.uint8).tobytes()


@lru_cache(maxsize=32)
def _builtin_font(size: int):
    """Pillow's own scalable font (Pillow >= 10.1 with FreeType): no file on the machine needed."""
    from PIL import ImageFont  # noqa: PLC0415

    return ImageFont.load_default(max(4, size))


def overlay_font(size: int):
    """The overlays' font at ``size`` px: the system font when there is one, else the built-in."""
    path = font_path()
    return _font(str(path), max(4, size)) if path is not None else _builtin_font(size)


def ascii_text(text: str) -> str:
    """What the built-in fallback font draws (used when no system font is found): accents
    dropped (Paseála -> Paseala), others removed."""
    t = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in t if 32 <= ord(ch) < 127).strip()


def drawable(text: str, path: Path) -> str:
    """``text`` with the characters the font cannot draw folded to ASCII, or dropped."""
    missing = _missing_glyph(str(path))
    out = []
    for ch in text:
        if ch.isspace() or _glyph(str(path), ch) != missing:
            out.append(ch)
            continue
        out.append(ascii_text(ch))
    return " ".join("".join(out).split())


def _draw_fitted(mask: np.ndarray, text: str, x: int, baseline: int, max_w: int, height: float,
                 bold: bool, font_for) -> int:
    from PIL import Image, ImageDraw  # noqa: PLC0415

    ref = font_for(100)
    box = ref.getbbox("Ag")
    size = 100.0 * height / max(1, box[3] - box[1])
    stroke = max(1, int(round(size / 28))) if bold else 0
    width = font_for(int(round(size))).getlength(text) + 2 * stroke
    if width > max_w > 0:
        size *= max_w / width
        stroke = max(1, int(round(size / 28))) if bold else 0
    font = font_for(int(round(size)))
    img = Image.fromarray(mask)
    ImageDraw.Draw(img).text((x, baseline), text, fill=255, font=font, anchor="ls",
                             stroke_width=stroke, stroke_fill=255)
    mask[...] = np.maximum(mask, np.asarray(img))
    return int(round(font.getlength(text))) + 2 * stroke


def draw_fitted(mask: np.ndarray, text: str, x: int, baseline: int, max_w: int, height: float,
                bold: bool, path: Path) -> int:
    """Draw ``text`` (its "Ag" ``height`` pixels tall, shrunk to fit ``max_w``) into the uint8
    coverage ``mask`` with its baseline at ``baseline``; returns the width drawn."""
    text = drawable(text, path)
    if not text:
        return 0
    return _draw_fitted(mask, text, x, baseline, max_w, height, bold,
                        lambda size: _font(str(path), max(4, size)))


def draw_fitted_builtin(mask: np.ndarray, text: str, x: int, baseline: int, max_w: int,
                        height: float, bold: bool) -> int:
    """As :func:`draw_fitted` with Pillow's built-in font (ASCII ``text``)."""
    if not text.strip():
        return 0
    return _draw_fitted(mask, text, x, baseline, max_w, height, bold, _builtin_font)


__all__ = ["FONT_ENV", "ascii_text", "draw_fitted", "draw_fitted_builtin", "drawable", "font_path",
           "overlay_font"]
