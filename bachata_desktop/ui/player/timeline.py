"""The player's timeline: playhead, A-B handles to drag, beat ticks (the "1"s taller) and markers.

It only draws and reports: dragging the playhead asks for a seek (``seek_requested``), dragging
an A or B handle proposes a new loop (``loop_edited``, snapped to a nearby beat or to a frame by
``core.loop.snap``; hold Shift to place it freely on frames). The panel owns the state.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from bachata_desktop.core.clip import Marker
from bachata_desktop.core.loop import BeatGrid, LoopRegion, snap

HANDLE_GRAB_PX = 8
A_COLOR = QColor(60, 200, 120)
B_COLOR = QColor(240, 110, 60)


class Timeline(QWidget):
    seek_requested = Signal(float)        # seconds
    loop_edited = Signal(object)          # LoopRegion

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(56)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.duration = 0.0
        self.position = 0.0
        self.fps = 30.0
        self.loop: LoopRegion | None = None
        self.grid: BeatGrid | None = None
        self.markers: list[Marker] = []
        self._drag: str | None = None  # "a", "b" or "playhead"
        self.setToolTip("Click or drag to seek · drag the green A and orange B handles to "
                        "change the loop ([ and ] set them at the playhead)")

    # -- state -----------------------------------------------------------------------------------
    def set_media(self, duration: float, fps: float, grid: BeatGrid | None) -> None:
        self.duration, self.fps, self.grid = max(0.0, duration), fps, grid
        self.update()

    def set_position(self, t: float) -> None:
        self.position = t
        self.update()

    def set_loop(self, loop: LoopRegion | None) -> None:
        self.loop = loop
        self.update()

    def set_markers(self, markers: list[Marker]) -> None:
        self.markers = list(markers)
        self.update()

    # -- geometry --------------------------------------------------------------------------------
    def _track(self) -> QRectF:
        return QRectF(10, 18, max(1, self.width() - 20), self.height() - 26)

    def x_for(self, t: float) -> float:
        tr = self._track()
        if self.duration <= 0:
            return tr.left()
        return tr.left() + tr.width() * min(max(t / self.duration, 0.0), 1.0)

    def time_at(self, x: float) -> float:
        tr = self._track()
        return min(max((x - tr.left()) / tr.width(), 0.0), 1.0) * self.duration

    # -- mouse -----------------------------------------------------------------------------------
    def _handle_at(self, x: float) -> str | None:
        if self.loop is None:
            return None
        da, db = abs(x - self.x_for(self.loop.a)), abs(x - self.x_for(self.loop.b))
        if min(da, db) > HANDLE_GRAB_PX:
            return None
        return "a" if da <= db else "b"

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton or self.duration <= 0:
            return
        x = event.position().x()
        self._drag = self._handle_at(x) or "playhead"
        self._drag_to(x, event.modifiers())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        x = event.position().x()
        if self._drag:
            self._drag_to(x, event.modifiers())
        else:
            self.setCursor(Qt.CursorShape.SizeHorCursor if self._handle_at(x)
                           else Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._drag = None

    def _drag_to(self, x: float, mods: Qt.KeyboardModifier) -> None:
        t = self.time_at(x)
        if self._drag == "playhead" or self.loop is None:
            self.seek_requested.emit(t)
            return
        free = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        t = snap(t, self.fps, None if free else self.grid, tolerance=0.1)
        new = self.loop.with_a(t) if self._drag == "a" else self.loop.with_b(t)
        self.loop_edited.emit(new)

    # -- painting --------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        tr = self._track()
        p.fillRect(self.rect(), self.palette().window())
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(60, 60, 68))
        p.drawRoundedRect(QRectF(tr.left(), tr.center().y() - 3, tr.width(), 6), 3, 3)
        if self.duration <= 0:
            p.end()
            return
        if self.loop is not None:
            xa, xb = self.x_for(self.loop.a), self.x_for(self.loop.b)
            shade = QColor(60, 200, 120, 70 if self.loop.enabled else 30)
            p.setBrush(shade)
            p.drawRect(QRectF(xa, tr.top(), xb - xa, tr.height()))
        if self.grid is not None:
            for t, c in zip(self.grid.times, self.grid.counts, strict=True):
                if 0 <= t <= self.duration:
                    x = self.x_for(t)
                    tall = c == 1
                    p.setPen(QPen(QColor(255, 200, 40) if tall else QColor(150, 150, 160),
                                  2 if tall else 1))
                    top = tr.top() + (0 if tall else tr.height() * 0.45)
                    p.drawLine(QPointF(x, top), QPointF(x, tr.bottom()))
        for m in self.markers:
            x = self.x_for(m.time_s)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(180, 130, 255))
            p.drawPolygon(QPolygonF([QPointF(x - 5, 2), QPointF(x + 5, 2), QPointF(x, 12)]))
        if self.loop is not None:
            for t, color, label in ((self.loop.a, A_COLOR, "A"), (self.loop.b, B_COLOR, "B")):
                x = self.x_for(t)
                p.setPen(QPen(color, 3))
                p.drawLine(QPointF(x, tr.top() - 4), QPointF(x, tr.bottom() + 4))
                p.setPen(color)
                p.drawText(QRectF(x - 8, tr.bottom() - 2, 16, 10), Qt.AlignmentFlag.AlignCenter,
                           label)
        x = self.x_for(self.position)
        p.setPen(QPen(QColor(255, 255, 255), 2))
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        p.end()
