"""The song's picture: waveform, coloured sections, beat grid with counts, energy curve, playhead;
and the big 1-8 count display lit in time with the music.

Both widgets only paint what they are given (a ``SongAnalysis``, a min/max envelope, a position);
clicks on the waveform ask for a seek through a signal, so the panel stays the only owner of the
media player.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from bachata_desktop.core.song import SectionLabel, SongAnalysis

SECTION_COLOURS: dict[SectionLabel, QColor] = {
    SectionLabel.INTRO: QColor(96, 125, 139),
    SectionLabel.VERSE: QColor(66, 133, 244),
    SectionLabel.CHORUS: QColor(234, 67, 53),
    SectionLabel.MAMBO: QColor(251, 140, 0),
    SectionLabel.OUTRO: QColor(120, 144, 156),
}
ONE_COLOUR = QColor(255, 214, 0)
FIVE_COLOUR = QColor(129, 212, 250)
BEAT_COLOUR = QColor(255, 255, 255, 70)
ENERGY_COLOUR = QColor(0, 230, 118)
WAVE_COLOUR = QColor(200, 210, 225)
BACKGROUND = QColor(24, 28, 36)


class WaveformView(QWidget):
    """Whole-song overview, or (``window_s`` set) a close-up that scrolls with the playhead, where
    every count is numbered; click or drag to seek."""

    seek_requested = Signal(float)   # seconds

    def __init__(self, parent: QWidget | None = None, window_s: float | None = None) -> None:
        super().__init__(parent)
        self.analysis: SongAnalysis | None = None
        self.peaks: np.ndarray | None = None
        self.duration = 0.0
        self.position = 0.0
        self.window_s = window_s
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(False)
        self.setToolTip("Click to play from here")

    # -- data ------------------------------------------------------------------------------------
    def set_analysis(self, analysis: SongAnalysis | None) -> None:
        self.analysis = analysis
        if analysis is not None:
            self.duration = max(self.duration, analysis.duration) if self.peaks is not None else analysis.duration
        self.update()

    def set_peaks(self, peaks: np.ndarray | None, duration: float) -> None:
        self.peaks = peaks
        self.duration = duration or (self.analysis.duration if self.analysis else 0.0)
        self.update()

    def set_position(self, seconds: float) -> None:
        if abs(seconds - self.position) > 1e-3:
            self.position = seconds
            self.update()

    def clear(self) -> None:
        self.analysis, self.peaks, self.duration, self.position = None, None, 0.0, 0.0
        self.update()

    # -- geometry --------------------------------------------------------------------------------
    def view_range(self) -> tuple[float, float]:
        """(start, end) seconds shown: the whole song, or a window around the playhead."""
        if not self.window_s or self.duration <= self.window_s:
            return 0.0, max(self.duration, 1e-6)
        start = min(max(self.position - 0.3 * self.window_s, 0.0), self.duration - self.window_s)
        return start, start + self.window_s

    def _x(self, t: float) -> float:
        a, b = self.view_range()
        return 0.0 if self.duration <= 0 else (t - a) / (b - a) * self.width()

    def time_at(self, x: float) -> float:
        if self.duration <= 0 or self.width() <= 0:
            return 0.0
        a, b = self.view_range()
        return float(a + min(max(x / self.width(), 0.0), 1.0) * (b - a))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self.duration > 0:
            self.seek_requested.emit(self.time_at(event.position().x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.buttons() & Qt.MouseButton.LeftButton and self.duration > 0:
            self.seek_requested.emit(self.time_at(event.position().x()))

    # -- painting --------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), BACKGROUND)
        top_band = 18.0            # section names
        count_band = 16.0          # count numbers at the bottom
        wave_top, wave_bottom = top_band, h - count_band
        mid = (wave_top + wave_bottom) / 2.0
        amp = (wave_bottom - wave_top) / 2.0 - 2.0
        a = self.analysis
        if self.duration <= 0:
            p.setPen(QColor(180, 180, 180))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No song selected")
            p.end()
            return
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        p.setFont(font)
        # sections
        if a is not None:
            for s in a.sections:
                x0, x1 = self._x(s.start), self._x(s.end)
                c = QColor(SECTION_COLOURS.get(s.label, WAVE_COLOUR))
                c.setAlpha(70)
                p.fillRect(QRectF(x0, wave_top, x1 - x0, wave_bottom - wave_top), c)
                c.setAlpha(255)
                p.fillRect(QRectF(x0, 0, x1 - x0, top_band - 2), c)
                p.setPen(QColor(255, 255, 255))
                lx0, lx1 = max(x0, 0.0), min(x1, float(w))
                if lx1 - lx0 > 30:
                    p.drawText(QRectF(lx0 + 3, 0, lx1 - lx0 - 6, top_band - 2),
                               Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, s.label.value)
        # waveform envelope
        view_a, view_b = self.view_range()
        if self.peaks is not None and len(self.peaks):
            n = len(self.peaks)
            cols = max(1, w)
            f0, f1 = view_a / self.duration * n, view_b / self.duration * n
            idx = np.minimum((f0 + np.arange(cols) * (f1 - f0) / cols).astype(np.int64), n - 1)
            idx2 = np.minimum((f0 + (np.arange(cols) + 1) * (f1 - f0) / cols).astype(np.int64), n)
            p.setPen(QPen(WAVE_COLOUR, 1))
            for x in range(cols):
                lo_i, hi_i = idx[x], max(idx2[x], idx[x] + 1)
                lo = float(self.peaks[lo_i:hi_i, 0].min())
                hi = float(self.peaks[lo_i:hi_i, 1].max())
                p.drawLine(QPointF(x + 0.5, mid - hi * amp), QPointF(x + 0.5, mid - lo * amp))
        # beat grid and counts
        if a is not None and a.beats:
            period_px = self._x(a.beat_period) - self._x(0.0)
            show_all_counts = period_px >= 11
            for b in a.beats:
                if not view_a - 1.0 <= b.time <= view_b + 1.0:
                    continue
                x = self._x(b.time)
                if b.count == 1:
                    p.setPen(QPen(ONE_COLOUR, 2))
                    p.drawLine(QPointF(x, wave_top), QPointF(x, wave_bottom))
                elif b.count == 5:
                    if period_px >= 2.5:
                        p.setPen(QPen(FIVE_COLOUR, 1))
                        p.drawLine(QPointF(x, wave_top + amp * 0.5), QPointF(x, wave_bottom))
                elif period_px >= 5:
                    p.setPen(QPen(BEAT_COLOUR, 1))
                    p.drawLine(QPointF(x, wave_bottom - amp * 0.3), QPointF(x, wave_bottom))
                if b.count == 1 or show_all_counts:
                    p.setPen(ONE_COLOUR if b.count == 1 else QColor(220, 220, 220))
                    p.drawText(QRectF(x - 8, wave_bottom, 16, count_band),
                               Qt.AlignmentFlag.AlignCenter, str(b.count))
        # energy per phrase
        if a is not None and a.energy and a.phrases:
            ends = list(a.phrases[1:]) + [a.duration]
            poly = QPolygonF()
            for t0, t1, e in zip(a.phrases, ends, a.energy, strict=False):
                y = wave_bottom - float(e) * (wave_bottom - wave_top)
                poly.append(QPointF(self._x(t0), y))
                poly.append(QPointF(self._x(t1), y))
            path = QPainterPath()
            path.addPolygon(poly)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.setPen(QPen(ENERGY_COLOUR, 2))
            p.drawPath(path)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        # playhead
        x = self._x(self.position)
        p.setPen(QPen(QColor(255, 255, 255), 2))
        p.drawLine(QPointF(x, 0), QPointF(x, h))
        p.end()


class CountDisplay(QWidget):
    """ "1 2 3 4 5 6 7 8" in large type; the count being played is lit (1 and 5 in their colours)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count: int | None = None
        self.setMinimumHeight(64)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_count(self, count: int | None) -> None:
        if count != self.count:
            self.count = count
            self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), BACKGROUND)
        cell = w / 8.0
        font = QFont(self.font())
        font.setPixelSize(int(min(h * 0.62, cell * 0.6)))
        font.setBold(True)
        p.setFont(font)
        for i in range(8):
            c = i + 1
            r = QRectF(i * cell + 3, 3, cell - 6, h - 6)
            lit = c == self.count
            if lit:
                colour = ONE_COLOUR if c == 1 else FIVE_COLOUR if c == 5 else QColor(0, 200, 140)
                p.setBrush(colour)
                p.setPen(Qt.PenStyle.NoPen)
                p.drawRoundedRect(r, 8, 8)
                p.setPen(QColor(20, 20, 20))
            else:
                p.setBrush(QColor(40, 46, 58))
                p.setPen(Qt.PenStyle.NoPen)
                p.drawRoundedRect(r, 8, 8)
                p.setPen(QColor(110, 118, 130) if c not in (1, 5) else QColor(170, 170, 150))
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, str(c))
        p.end()


__all__ = ["CountDisplay", "SECTION_COLOURS", "WaveformView"]
