"""The video surface: paints the player's frames itself, mirrored or not, with count and skeleton.

``QVideoWidget`` draws through the platform and cannot be mirrored or drawn on, so the player
feeds ``QVideoSink`` frames here. A frame is converted to a ``QImage`` only when it is painted
(frames that arrive faster than the screen repaints are never converted). Mirroring flips the
image (``QImage.flipped``); the skeleton is mapped through the mirrored transform so it stays on
the dancers; the count is drawn unmirrored so it stays readable.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen, QTransform
from PySide6.QtMultimedia import QVideoFrame
from PySide6.QtWidgets import QSizePolicy, QWidget

from bachata_desktop.core.pose import SKELETON

LEAD_COLOR = QColor(40, 150, 255)      # blue
FOLLOW_COLOR = QColor(255, 60, 170)    # pink
ONE_COLOR = QColor(255, 200, 40)       # the "1" of each 8-count
MIN_CONFIDENCE = 0.2


class VideoView(QWidget):
    """Paints the current frame, aspect-fitted, with optional mirror and overlays."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self._frame: QVideoFrame | None = None
        self._image: QImage | None = None
        self._frame_size = QSize()
        self.mirror = False
        self.show_counts = True
        self.show_skeleton = True
        self.count: int | None = None
        self.pose: np.ndarray | None = None          # (2, 17, 3) in source pixels
        self.pose_size: tuple[int, int] = (0, 0)     # source size the pose refers to
        self.placeholder = "Double-click a move in the Library to practise it here."
        # Measurements for the benchmark: frames painted and time spent painting them.
        self.frames_painted = 0
        self.paint_seconds = 0.0

    # -- state -----------------------------------------------------------------------------------
    def set_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        self._frame = QVideoFrame(frame)
        self._image = None
        self._frame_size = frame.size()
        self.update()

    def set_image(self, image: QImage) -> None:
        self._frame = None
        self._image = image
        self._frame_size = image.size()
        self.update()

    def clear(self) -> None:
        self._frame, self._image, self._frame_size = None, None, QSize()
        self.count, self.pose = None, None
        self.update()

    def has_frame(self) -> bool:
        return self._frame is not None or self._image is not None

    def current_image(self) -> QImage | None:
        if self._image is None and self._frame is not None:
            self._image = self._frame.toImage()
        return self._image

    def set_mirror(self, on: bool) -> None:
        self.mirror = bool(on)
        self.update()

    def set_overlays(self, count: int | None, pose: np.ndarray | None) -> None:
        self.count, self.pose = count, pose
        self.update()

    # -- geometry --------------------------------------------------------------------------------
    def source_size(self) -> tuple[int, int]:
        if self._frame_size.isValid() and not self._frame_size.isEmpty():
            return self._frame_size.width(), self._frame_size.height()
        return self.pose_size

    def video_rect(self) -> QRectF:
        """Where the frame is drawn: the widget's rectangle, aspect-fitted and centred."""
        w, h = self.source_size()
        if w <= 0 or h <= 0:
            return QRectF(self.rect())
        scale = min(self.width() / w, self.height() / h)
        dw, dh = w * scale, h * scale
        return QRectF((self.width() - dw) / 2, (self.height() - dh) / 2, dw, dh)

    def source_transform(self) -> QTransform:
        """Maps source-video pixels to widget pixels, including the mirror."""
        w, h = self.source_size()
        r = self.video_rect()
        if w <= 0 or h <= 0:
            return QTransform()
        sx, sy = r.width() / w, r.height() / h
        if self.mirror:
            return QTransform(-sx, 0, 0, sy, r.x() + r.width(), r.y())
        return QTransform(sx, 0, 0, sy, r.x(), r.y())

    # -- painting --------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        t0 = time.perf_counter()
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(17, 17, 20))
        image = self.current_image()
        if image is None:
            p.setPen(QColor(170, 170, 180))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self.placeholder)
            p.end()
            return
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        if self.mirror:
            # A flipped copy (~1 ms at 720p) keeps drawImage on Qt's fast scaling path; a
            # negative-scale painter transform took ~4x longer per frame (bench_player).
            image = image.flipped(Qt.Orientation.Horizontal)
        p.drawImage(self.video_rect(), image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.show_skeleton and self.pose is not None:
            self._paint_skeleton(p)
        if self.show_counts and self.count is not None:
            self._paint_count(p)
        p.end()
        self.frames_painted += 1
        self.paint_seconds += time.perf_counter() - t0

    def _paint_skeleton(self, p: QPainter) -> None:
        pose = self.pose
        assert pose is not None
        tr = self.source_transform()
        w, h = self.source_size()
        pw, ph = self.pose_size
        # Poses are in the analysed video's pixels; rescale if the decoded frame differs.
        kx = w / pw if pw > 0 and w > 0 else 1.0
        ky = h / ph if ph > 0 and h > 0 else 1.0
        r = self.video_rect()
        line_w = max(2.0, r.height() * 0.006)
        dot_r = max(3.0, r.height() * 0.008)
        for slot, color in ((0, LEAD_COLOR), (1, FOLLOW_COLOR)):
            if slot >= pose.shape[0]:
                continue
            kp = pose[slot]
            ok = ~np.isnan(kp[:, 0]) & ~np.isnan(kp[:, 1])
            if kp.shape[1] > 2:
                ok &= ~(kp[:, 2] < MIN_CONFIDENCE)
            pts = [tr.map(QPointF(float(x) * kx, float(y) * ky)) if good else None
                   for (x, y), good in zip(kp[:, :2], ok, strict=True)]
            p.setPen(QPen(color, line_w, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            for i, j in SKELETON:
                if pts[i] is not None and pts[j] is not None:
                    p.drawLine(pts[i], pts[j])
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            for pt in pts:
                if pt is not None:
                    p.drawEllipse(pt, dot_r, dot_r)
        p.setBrush(Qt.BrushStyle.NoBrush)

    def count_rect(self) -> QRectF:
        """The badge of the count overlay (top-left of the picture, never mirrored)."""
        r = self.video_rect()
        side = max(48.0, r.height() * 0.2)
        return QRectF(r.x() + side * 0.15, r.y() + side * 0.15, side, side * 1.15)

    def _paint_count(self, p: QPainter) -> None:
        box = self.count_rect()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawRoundedRect(box, box.width() * 0.12, box.width() * 0.12)
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(int(box.width() * 0.78))
        p.setFont(font)
        color = ONE_COLOR if self.count == 1 else QColor(255, 255, 255)
        p.setPen(color)
        digit = QRectF(box.x(), box.y(), box.width(), box.width())
        p.drawText(digit, Qt.AlignmentFlag.AlignCenter, str(self.count))
        # Eight dots under the number: where in the 8-count we are.
        dot = box.width() / 20
        y = box.y() + box.width() + (box.height() - box.width()) / 2
        p.setPen(Qt.PenStyle.NoPen)
        for k in range(1, 9):
            x = box.x() + box.width() * (k - 0.5) / 8
            p.setBrush(color if k == self.count else QColor(255, 255, 255, 90))
            p.drawEllipse(QPointF(x, y), dot, dot)
        p.setBrush(Qt.BrushStyle.NoBrush)
