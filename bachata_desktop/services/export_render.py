"""Pixels of the choreography video: letterboxing, mirroring and overlays, all in YUV 4:2:0.

The export decodes H.264 clips (YUV 4:2:0) and encodes H.264 (YUV 4:2:0). Converting every frame to
RGB and back cost more than the encoder itself on the 2-core machine (swscale's RGB path: ~18 ms a
720p frame), so frames stay in I420 planes from decoder to encoder: scaling is PyAV's swscale from
I420 to I420 (faster than three ``cv2.resize`` calls: 6.6-6.9 vs 11.5-14.7 ms a 720p frame, and no
OpenCV in the installer), mirroring is numpy, and overlays are small patches drawn once with Pillow
in RGB, converted to I420 once by swscale, cached, and pasted (the count box, opaque) or
alpha-blended (the name bar) per frame.

A frame is one contiguous ``uint8`` array of shape ``(H * 3 // 2, W)``: the Y plane, then U, then V
(each ``H/2 x W/2``), which is what ``av.VideoFrame.from_ndarray(..., format="yuv420p")`` takes.
Output sizes must be multiples of 4 in height and of 2 in width. PyAV and Pillow are imported
inside functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bachata_desktop.services.overlay_text import (
    ascii_text,
    draw_fitted,
    draw_fitted_builtin,
    font_path,
    overlay_font,
)

BLACK_Y, NEUTRAL_UV = 16, 128
ONE_RGB = (235, 120, 30)      # the "1" of each phrase: an orange box
FIVE_RGB = (60, 90, 150)      # the "5" (second bar): a blue box
BOX_RGB = (24, 24, 24)
NEXT_RGB = (255, 214, 90)     # "next" move: yellow
BAR_ALPHA = 0.6


def planes(frame: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes of an I420 frame array."""
    flat = frame.reshape(-1)
    n, q = width * height, (width // 2) * (height // 2)
    y = flat[:n].reshape(height, width)
    u = flat[n:n + q].reshape(height // 2, width // 2)
    v = flat[n + q:n + 2 * q].reshape(height // 2, width // 2)
    return y, u, v


def blank(width: int, height: int) -> np.ndarray:
    """A black I420 frame."""
    f = np.empty((height * 3 // 2, width), dtype=np.uint8)
    f[:height] = BLACK_Y
    f[height:] = NEUTRAL_UV
    return f


def _even(x: float) -> int:
    return max(2, int(round(x / 2.0)) * 2)


@dataclass(frozen=True)
class Fit:
    """Where a source of ``src_w x src_h`` lands, letterboxed, in the output frame."""

    src_w: int
    src_h: int
    w: int
    h: int
    x: int
    y: int

    @property
    def covers(self) -> bool:
        return self.x == 0 and self.y == 0


def fit_for(src_w: int, src_h: int, width: int, height: int) -> Fit:
    scale = min(width / src_w, height / src_h)
    w, h = min(width, _even(src_w * scale)), min(height, _even(src_h * scale))
    x, y = ((width - w) // 2) & ~1, ((height - h) // 2) & ~1
    return Fit(src_w, src_h, w, h, x, y)


def place(src: np.ndarray, fit: Fit, width: int, height: int, mirror: bool) -> np.ndarray:
    """The I420 source frame (``src_h * 3 // 2 x src_w``) scaled, letterboxed and maybe mirrored."""
    out = np.empty((height * 3 // 2, width), dtype=np.uint8) if fit.covers else blank(width, height)
    if fit.w == fit.src_w and fit.h == fit.src_h:
        scaled = src
    else:
        import av

        frame = av.VideoFrame.from_ndarray(src, format="yuv420p")
        interp = "AREA" if fit.w < fit.src_w else "BILINEAR"
        scaled = frame.reformat(fit.w, fit.h, format="yuv420p",
                                interpolation=interp).to_ndarray()
    planes_in = planes(scaled, fit.w, fit.h)
    for s, o, div in zip(planes_in, planes(out, width, height), (1, 2, 2), strict=True):
        w, h, x, y = fit.w // div, fit.h // div, fit.x // div, fit.y // div
        o[y:y + h, x:x + w] = s[:, ::-1] if mirror else s
    return out


def _rgb_to_i420(rgb: np.ndarray) -> np.ndarray:
    """RGB (even width and height) to one I420 array, by swscale (as the encoder's input)."""
    import av

    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
    return np.ascontiguousarray(frame.reformat(format="yuv420p").to_ndarray())


# ---------------------------------------------------------------------------------------------
# The count box: opaque, fixed place, one cached patch per count (tests classify it back)
# ---------------------------------------------------------------------------------------------
def count_box_rect(width: int, height: int) -> tuple[int, int, int, int]:
    """``(x, y, w, h)`` of the count box in an output frame of ``width x height``."""
    size = _even(0.2 * height)
    margin = _even(0.03 * height)
    return margin, margin, size, size


@lru_cache(maxsize=64)
def count_box_rgb(count: int, width: int, height: int) -> np.ndarray:
    """The count box for ``count`` (1..8) as RGB: the digit and eight ticks, filled up to it."""
    from PIL import Image, ImageDraw

    _, _, s, _ = count_box_rect(width, height)
    bg = ONE_RGB if count == 1 else FIVE_RGB if count == 5 else BOX_RGB
    img = Image.new("RGB", (s, s), bg)
    draw = ImageDraw.Draw(img)
    # the digit, ~55% of the box tall, centred in the box's upper 70%
    font = overlay_font(int(round(0.55 * s / 0.72)))  # a digit is ~0.72 of the font size
    draw.text((s / 2, 0.08 * s + 0.31 * s), str(count), fill=(255, 255, 255), font=font,
              anchor="mm", stroke_width=max(1, s // 40), stroke_fill=(255, 255, 255))
    # eight ticks along the bottom: where in the phrase we are
    pad = max(2, s // 14)
    gap = max(1, s // 40)
    tick_w = (s - 2 * pad - 7 * gap) / 8.0
    y0, y1 = s - pad - max(3, s // 10), s - pad
    for k in range(8):
        x0 = int(round(pad + k * (tick_w + gap)))
        x1 = int(round(pad + k * (tick_w + gap) + tick_w)) - 1
        colour = (255, 255, 255) if k < count else (90, 90, 90)
        draw.rectangle((x0, y0, x1, y1), fill=colour)
    return np.asarray(img, dtype=np.uint8).copy()


@lru_cache(maxsize=64)
def _count_box_i420(count: int, width: int, height: int) -> np.ndarray:
    return _rgb_to_i420(count_box_rgb(count, width, height))


# ---------------------------------------------------------------------------------------------
# The name bar: translucent strip along the bottom, the move's name and the next one
# ---------------------------------------------------------------------------------------------
def _put_fitted(mask: np.ndarray, text: str, x: int, baseline: int, max_w: int, height: float,
                thick: int, bold: bool = False) -> int:
    """Draw ``text`` into the coverage mask, shrunk to fit ``max_w``; returns the width drawn.

    With a system font (``overlay_text``) the name keeps its accents and script; without one,
    Pillow's built-in font draws its ASCII fold."""
    font_file = font_path()
    if font_file is not None:
        return draw_fitted(mask, text, x, baseline, max_w, height, bold, font_file)
    return draw_fitted_builtin(mask, ascii_text(text), x, baseline, max_w, height, bold)


@dataclass(frozen=True)
class BarPatch:
    """An I420 patch with per-pixel alpha (0..256) for the Y plane and the chroma planes."""

    y0: int
    i420: np.ndarray
    alpha_y: np.ndarray
    alpha_uv: np.ndarray


def bar_height(height: int) -> int:
    return _even(0.12 * height)


@lru_cache(maxsize=32)
def name_bar(name: str, next_name: str, width: int, height: int) -> BarPatch:
    """The bottom bar: ``name`` on the left in white, ``Next: next_name`` on the right in yellow."""
    bh = bar_height(height)
    pad = _even(0.025 * height)
    thick = max(1, height // 360)
    name_mask = np.zeros((bh, width), dtype=np.uint8)
    next_mask = np.zeros((bh, width), dtype=np.uint8)
    baseline = int(bh * 0.68)
    label = " ".join(next_name.split())
    right_w = 0
    if label:
        probe = np.zeros_like(next_mask)
        right_w = _put_fitted(probe, f"Next: {label}", 0, baseline, int(width * 0.4), bh * 0.3, thick)
        _put_fitted(next_mask, f"Next: {label}", width - pad - right_w, baseline,
                    int(width * 0.4), bh * 0.3, thick)
    _put_fitted(name_mask, name, pad, baseline, width - 3 * pad - right_w, bh * 0.45, thick,
                bold=True)
    c_name = name_mask.astype(np.float32) / 255.0
    c_next = next_mask.astype(np.float32) / 255.0
    cov = np.maximum(c_name, c_next)
    alpha = BAR_ALPHA + (1.0 - BAR_ALPHA) * cov
    # colour over a black backdrop, un-premultiplied: final = bg * (1 - alpha) + rgb * alpha
    rgb = (c_name[..., None] * np.array([255, 255, 255], np.float32)
           + c_next[..., None] * np.array(NEXT_RGB, np.float32)) / alpha[..., None]
    rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    a_y = np.round(alpha * 256).astype(np.uint16)
    # chroma alpha: the mean of each 2x2 block (what an area resize by one half gives)
    a_uv = np.round(alpha.reshape(bh // 2, 2, width // 2, 2).mean(axis=(1, 3)) * 256)
    return BarPatch(height - bh, _rgb_to_i420(rgb), a_y, a_uv.astype(np.uint16))


def _blend(dst: np.ndarray, src: np.ndarray, alpha: np.ndarray) -> None:
    d = dst.astype(np.uint16)
    d *= 256 - alpha
    d += src.astype(np.uint16) * alpha
    d >>= 8
    dst[...] = d


def draw_overlays(frame: np.ndarray, width: int, height: int, count: int, name: str,
                  next_name: str) -> None:
    """Draw the count box (if ``count`` is 1..8) and the name bar onto an I420 frame, in place."""
    fy, fu, fv = planes(frame, width, height)
    if 1 <= count <= 8:
        x, y, s, _ = count_box_rect(width, height)
        py, pu, pv = planes(_count_box_i420(count, width, height), s, s)
        fy[y:y + s, x:x + s] = py
        h2, x2, s2 = y // 2, x // 2, s // 2
        fu[h2:h2 + s2, x2:x2 + s2] = pu
        fv[h2:h2 + s2, x2:x2 + s2] = pv
    if name or next_name:
        bar = name_bar(name, next_name, width, height)
        bh = bar.alpha_y.shape[0]
        py, pu, pv = planes(bar.i420, width, bh)
        _blend(fy[bar.y0:], py, bar.alpha_y)
        _blend(fu[bar.y0 // 2:], pu, bar.alpha_uv)
        _blend(fv[bar.y0 // 2:], pv, bar.alpha_uv)


__all__ = ["BarPatch", "Fit", "ascii_text", "blank", "count_box_rect", "count_box_rgb",
           "draw_overlays", "fit_for", "name_bar", "place", "planes"]
