"""The generated choreography drawn over its song: one coloured block per move, clickable.

The instructor reads the routine here at a glance: the song's waveform and energy curve, its
sections as a coloured band, and below them one block per move (coloured by the move's family,
with its name and counts) exactly where it is danced. Clicking a block selects it so the panel
can show why that move was chosen and offer the alternatives. The widget paints only what it is
given (a :class:`~bachata_desktop.core.choreography.Choreography`, an optional analysis and an
optional min/max envelope); it owns no data and starts no work.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from bachata_desktop.core.choreography import Choreography, Slot
from bachata_desktop.core.clip import category_label
from bachata_desktop.core.song import SectionLabel, SongAnalysis

# One hue per move family; similar families get neighbouring hues.
CATEGORY_COLOURS: dict[str, QColor] = {
    "basic": QColor(120, 144, 156), "intros": QColor(96, 125, 139), "outro": QColor(84, 110, 122),
    "cross_body_lead": QColor(66, 133, 244), "ladyturn": QColor(3, 169, 244),
    "spin": QColor(0, 188, 212), "hammerlock": QColor(0, 150, 136),
    "shadow": QColor(126, 87, 194), "bodywaves": QColor(236, 64, 122),
    "hiprolls": QColor(216, 27, 96), "headrolls": QColor(171, 71, 188),
    "bolero": QColor(224, 102, 79), "footwork": QColor(124, 179, 66),
    "golpes": QColor(251, 140, 0), "arm_styling": QColor(255, 193, 7),
    "style": QColor(141, 110, 99),
}
SECTION_COLOURS: dict[str, QColor] = {
    SectionLabel.INTRO.value: QColor(96, 125, 139), SectionLabel.VERSE.value: QColor(66, 133, 244),
    SectionLabel.CHORUS.value: QColor(234, 67, 53), SectionLabel.MAMBO.value: QColor(251, 140, 0),
    SectionLabel.OUTRO.value: QColor(120, 144, 156),
}
BACKGROUND = QColor(24, 28, 36)
WAVE_COLOUR = QColor(170, 182, 200, 150)
ENERGY_COLOUR = QColor(0, 230, 118)
PHRASE_COLOUR = QColor(255, 214, 0, 70)
SELECT_COLOUR = QColor(255, 255, 255)


def category_colour(category: str) -> QColor:
    if category in CATEGORY_COLOURS:
        return CATEGORY_COLOURS[category]
    hue = (sum(map(ord, category)) * 37) % 360
    return QColor.fromHsv(hue, 150, 200)


def category_icon(category: str, size: int = 12) -> QIcon:
    """A small rounded swatch of the family's colour (readable on light and dark backgrounds)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(category_colour(category))
    p.drawRoundedRect(QRectF(0, 0, size, size), 3, 3)
    p.end()
    return QIcon(pix)


class ChoreographyTimeline(QWidget):
    """Song overview (sections, waveform, energy) with the moves as blocks; click selects a move."""

    slot_clicked = Signal(int)     # index into choreography.slots

    SECTION_BAND = 20.0
    BLOCK_BAND = 58.0
    AXIS_BAND = 16.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choreography: Choreography | None = None
        self.analysis: SongAnalysis | None = None
        self.peaks: np.ndarray | None = None
        self.selected = -1
        self.position: float | None = None
        self._bg: QPixmap | None = None
        self._bg_key: tuple = ()
        self.setMinimumHeight(160)     # sections, blocks and axis (94 px) + a strip of waveform: fits 720 px
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAccessibleName("Choreography timeline")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(900, 230)

    # -- data --------------------------------------------------------------------------------------
    def set_choreography(self, choreography: Choreography | None, keep_selection: bool = False
                         ) -> None:
        self._bg = None
        self.choreography = choreography
        n = len(choreography.slots) if choreography else 0
        if not keep_selection or self.selected >= n:
            self.selected = -1
        self.update()

    def set_analysis(self, analysis: SongAnalysis | None) -> None:
        self._bg = None
        self.analysis = analysis
        self.update()

    def set_peaks(self, peaks: np.ndarray | None) -> None:
        self._bg = None
        self.peaks = peaks
        self.update()

    def select(self, index: int) -> None:
        n = len(self.choreography.slots) if self.choreography else 0
        self.selected = index if 0 <= index < n else -1
        self.update()

    # -- geometry ----------------------------------------------------------------------------------
    def duration(self) -> float:
        d = 0.0
        if self.analysis is not None:
            d = self.analysis.duration
        if self.choreography is not None:
            d = max(d, self.choreography.song.duration_s,
                    max((s.end for s in self.choreography.slots), default=0.0))
        return d

    def _x(self, t: float) -> float:
        d = self.duration()
        return 0.0 if d <= 0 else t / d * (self.width() - 1)

    def block_rect(self, index: int) -> QRectF:
        """Where slot ``index`` is drawn (widget coordinates)."""
        assert self.choreography is not None
        s = self.choreography.slots[index]
        top = self.height() - self.AXIS_BAND - self.BLOCK_BAND
        x0, x1 = self._x(s.start), self._x(s.end)
        return QRectF(x0 + 1, top + 3, max(x1 - x0 - 2, 2.0), self.BLOCK_BAND - 6)

    def slot_at(self, x: float, y: float) -> int:
        if self.choreography is None:
            return -1
        for i in range(len(self.choreography.slots)):
            r = self.block_rect(i)
            if r.left() - 1 <= x <= r.right() + 1 and r.top() <= y <= r.bottom():
                return i
        return -1

    # -- input -------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton:
            return
        i = self.slot_at(event.position().x(), event.position().y())
        if i >= 0:
            self.select(i)
            self.slot_clicked.emit(i)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        i = self.slot_at(event.position().x(), event.position().y())
        if i >= 0 and self.choreography is not None:
            s = self.choreography.slots[i]
            self.setToolTip(_slot_tooltip(s))
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.setToolTip("")
            self.unsetCursor()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        n = len(self.choreography.slots) if self.choreography else 0
        step = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}.get(Qt.Key(event.key()))
        if step and n:
            i = min(max(self.selected + step, 0), n - 1) if self.selected >= 0 else 0
            self.select(i)
            self.slot_clicked.emit(i)
            return
        super().keyPressEvent(event)

    # -- painting ----------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.fillRect(self.rect(), BACKGROUND)
        d = self.duration()
        if d <= 0:
            p.setPen(QColor(180, 180, 180))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No choreography yet")
            return
        h = self.height()
        p.drawPixmap(0, 0, self._background(d))
        self._paint_blocks(p)
        if self.position is not None:
            x = self._x(self.position)
            p.setPen(QPen(QColor(255, 255, 255), 1.5))
            p.drawLine(QPointF(x, 0), QPointF(x, h))
        p.end()

    def _background(self, d: float) -> QPixmap:
        """Sections, waveform, phrase lines, energy and time axis: cached until the data or the
        size change (a selection only repaints the blocks)."""
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio, id(self.analysis), id(self.peaks),
               id(self.choreography.phrases) if self.choreography else 0, d)
        if self._bg is not None and self._bg_key == key:
            return self._bg
        w, h = self.width(), self.height()
        pix = QPixmap(max(1, int(w * ratio)), max(1, int(h * ratio)))
        pix.setDevicePixelRatio(ratio)
        pix.fill(BACKGROUND)
        p = QPainter(pix)
        p.setFont(self.font())
        wave_top = self.SECTION_BAND + 2
        wave_bottom = h - self.AXIS_BAND - self.BLOCK_BAND - 4
        self._paint_sections(p, w)
        self._paint_wave(p, w, wave_top, wave_bottom)
        self._paint_phrases(p, wave_top, h - self.AXIS_BAND)
        self._paint_energy(p, wave_top, wave_bottom)
        self._paint_axis(p, d, h)
        p.end()
        self._bg, self._bg_key = pix, key
        return pix

    def _sections(self) -> list[tuple[float, float, str]]:
        if self.analysis is not None and self.analysis.sections:
            return [(s.start, s.end, s.label.value) for s in self.analysis.sections]
        out: list[tuple[float, float, str]] = []
        for ph in self.choreography.phrases if self.choreography else ():
            if out and out[-1][2] == ph.section_label:
                out[-1] = (out[-1][0], ph.end_s, ph.section_label)
            else:
                out.append((ph.start_s, ph.end_s, ph.section_label))
        return out

    def _paint_sections(self, p: QPainter, _w: int) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() - 1))
        font.setBold(True)
        p.setFont(font)
        fm = QFontMetrics(font)
        for t0, t1, label in self._sections():
            x0, x1 = self._x(t0), self._x(t1)
            colour = SECTION_COLOURS.get(label, QColor(120, 120, 120))
            band = QColor(colour)
            band.setAlpha(200)
            p.fillRect(QRectF(x0, 0, x1 - x0, self.SECTION_BAND), band)
            tint = QColor(colour)
            tint.setAlpha(28)
            p.fillRect(QRectF(x0, self.SECTION_BAND, x1 - x0, self.height()), tint)
            text = label.capitalize()
            if fm.horizontalAdvance(text) + 8 < x1 - x0:
                p.setPen(QColor(255, 255, 255))
                p.drawText(QRectF(x0 + 5, 0, x1 - x0 - 6, self.SECTION_BAND),
                           Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)

    def _paint_wave(self, p: QPainter, w: int, top: float, bottom: float) -> None:
        mid, amp = (top + bottom) / 2.0, (bottom - top) / 2.0 - 1.0
        if self.peaks is None or len(self.peaks) == 0 or amp <= 0:
            p.setPen(QPen(WAVE_COLOUR, 1))
            p.drawLine(QPointF(0, mid), QPointF(w, mid))
            return
        peaks = np.asarray(self.peaks, dtype=np.float32)
        cols = max(1, int(w))
        idx = np.linspace(0, len(peaks), cols + 1).astype(np.int64)
        idx[-1] = len(peaks)
        poly = QPolygonF()
        lows = []
        for c in range(cols):
            a, b = idx[c], max(idx[c + 1], idx[c] + 1)
            seg = peaks[a:min(b, len(peaks))]
            if seg.size == 0:
                continue
            x = c * w / cols
            poly.append(QPointF(x, mid - float(seg[:, 1].max()) * amp))
            lows.append(QPointF(x, mid - float(seg[:, 0].min()) * amp))
        for pt in reversed(lows):
            poly.append(pt)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(WAVE_COLOUR)
        p.drawPolygon(poly)

    def _paint_phrases(self, p: QPainter, top: float, bottom: float) -> None:
        if self.choreography is None:
            return
        p.setPen(QPen(PHRASE_COLOUR, 1))
        for ph in self.choreography.phrases:
            x = self._x(ph.start_s)
            p.drawLine(QPointF(x, top), QPointF(x, bottom))

    def _paint_energy(self, p: QPainter, top: float, bottom: float) -> None:
        pts: list[tuple[float, float]] = []
        if self.choreography is not None and self.choreography.phrases:
            pts = [((ph.start_s + ph.end_s) / 2, ph.section_energy)
                   for ph in self.choreography.phrases]
        elif self.analysis is not None and self.analysis.energy:
            ph = list(self.analysis.phrases)
            pts = [(t, float(e)) for t, e in zip(ph, self.analysis.energy, strict=False)]
        if len(pts) < 2 or bottom - top < 8:
            return
        path = QPainterPath()
        for k, (t, e) in enumerate(pts):
            pt = QPointF(self._x(t), bottom - 3 - float(np.clip(e, 0, 1)) * (bottom - top - 6))
            if k == 0:
                path.moveTo(pt)
            else:
                path.lineTo(pt)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(ENERGY_COLOUR, 2))
        p.drawPath(path)

    def _paint_blocks(self, p: QPainter) -> None:
        if self.choreography is None:
            return
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() - 1))
        small = QFont(font)
        small.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        fm, fm_small = QFontMetrics(font), QFontMetrics(small)
        top = self.height() - self.AXIS_BAND - self.BLOCK_BAND
        p.fillRect(QRectF(0, top, self.width(), self.BLOCK_BAND), QColor(16, 19, 25))
        for i, s in enumerate(self.choreography.slots):
            r = self.block_rect(i)
            colour = category_colour(s.category)
            p.setPen(QPen(colour.lighter(135), 1))
            p.setBrush(colour if i != self.selected else colour.lighter(118))
            p.drawRoundedRect(r, 4, 4)
            if s.pinned:
                p.setBrush(QColor(255, 255, 255))
                p.setPen(Qt.PenStyle.NoPen)
                p.drawEllipse(QPointF(r.right() - 6, r.top() + 6), 3, 3)
            inner = r.adjusted(4, 2, -4, -2)
            if inner.width() > 14:
                name = s.name or category_label(s.category)
                counts = f"{s.counts} counts" + (" ×2" if s.repeats > 1 else "")
                if fm_small.horizontalAdvance(counts) > inner.width():
                    counts = f"{s.counts}" + ("×2" if s.repeats > 1 else "")
                p.setPen(QColor(255, 255, 255))
                p.setFont(font)
                p.drawText(QRectF(inner.left(), inner.top(), inner.width(), inner.height() / 2),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                           fm.elidedText(name, Qt.TextElideMode.ElideRight, int(inner.width())))
                p.setFont(small)
                p.setPen(QColor(255, 255, 255, 210))
                p.drawText(QRectF(inner.left(), inner.center().y(), inner.width(),
                                  inner.height() / 2),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                           fm_small.elidedText(counts, Qt.TextElideMode.ElideRight,
                                               int(inner.width())))
            if i == self.selected:
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.setPen(QPen(SELECT_COLOUR, 2.5))
                p.drawRoundedRect(r.adjusted(-1, -1, 1, 1), 5, 5)

    def _paint_axis(self, p: QPainter, d: float, h: int) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
        p.setFont(font)
        p.setPen(QColor(170, 175, 185))
        step = next((s for s in (5, 10, 15, 30, 60, 120) if d / s <= max(2, self.width() / 70)), 120)
        t = 0.0
        while t <= d:
            x = self._x(t)
            p.drawLine(QPointF(x, h - self.AXIS_BAND), QPointF(x, h - self.AXIS_BAND + 3))
            m, sec = divmod(int(round(t)), 60)
            label = f"{m}:{sec:02d}"
            p.drawText(QRectF(x + 2, h - self.AXIS_BAND, 40, self.AXIS_BAND),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
            t += step


def _slot_tooltip(s: Slot) -> str:
    m0, s0 = divmod(s.start, 60)
    return (f"{s.name} ({category_label(s.category)})\n{s.counts} counts from "
            f"{int(m0)}:{s0:05.2f}" + (f", {s.section}" if s.section else ""))
