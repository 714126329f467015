"""Draw the app icon with QPainter: a dancing couple over a "1..8" count badge.

Why a script: the icon is original artwork made from code (no copied images), and every size and
format an installer needs is regenerated from one drawing. Outputs (committed):
``resources/icons/app.png`` (1024 px, also the source for macOS ``iconutil``, see
``packaging/macos/build_dmg.sh``) and ``resources/icons/app.ico`` (16-256 px, Windows; written with
Pillow, which is installed with ultralytics).

Run: ``QT_QPA_PLATFORM=offscreen python packaging/make_icon.py``
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def draw(size: int = 1024) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 100.0, size / 100.0)  # draw on a 100 x 100 canvas

    # Rounded tile, warm red to deep purple (macOS-style margins so it sits well in the Dock).
    tile = QRectF(6, 6, 88, 88)
    grad = QLinearGradient(tile.topLeft(), tile.bottomRight())
    grad.setColorAt(0.0, QColor("#ff5a5f"))
    grad.setColorAt(1.0, QColor("#6a1b9a"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(grad))
    p.drawRoundedRect(tile, 20, 20)

    # The couple: two heads and two flowing bodies joined at the hands (open hold).
    white = QColor("#fff7f0")
    p.setBrush(white)
    p.drawEllipse(QPointF(36, 27), 6.5, 6.5)  # lead
    p.drawEllipse(QPointF(63, 29), 6, 6)      # follow
    pen = QPen(white, 7.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
               Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    lead = QPainterPath(QPointF(36, 37))
    lead.cubicTo(QPointF(33, 48), QPointF(38, 56), QPointF(33, 70))
    p.drawPath(lead)
    follow = QPainterPath(QPointF(63, 38))
    follow.cubicTo(QPointF(68, 48), QPointF(60, 55), QPointF(67, 70))
    p.drawPath(follow)
    p.setPen(QPen(white, 4.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    arms = QPainterPath(QPointF(37, 42))
    arms.quadTo(QPointF(50, 52), QPointF(62, 43))
    p.drawPath(arms)
    # The follow's free arm up, mid-turn.
    free = QPainterPath(QPointF(64, 40))
    free.quadTo(QPointF(74, 34), QPointF(73, 21))
    p.drawPath(free)

    # Count badge: "1..8" on a light pill along the bottom.
    badge = QRectF(24, 74, 52, 14)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(255, 255, 255, 235))
    p.drawRoundedRect(badge, 7, 7)
    font = QFont("DejaVu Sans")
    font.setBold(True)
    font.setPixelSize(11)
    p.setFont(font)
    p.setPen(QColor("#6a1b9a"))
    p.drawText(badge, Qt.AlignmentFlag.AlignCenter, "1\u20268")
    p.end()
    return img


def _png_bytes(img: QImage) -> bytes:
    buf = QBuffer()
    buf.open(QBuffer.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(buf.data())


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw(1024)
    big.save(str(OUT / "app.png"), "PNG")
    from PIL import Image

    # Each ICO size is drawn at that size (crisper than downscaling one bitmap).
    frames = [Image.open(io.BytesIO(_png_bytes(draw(s)))).convert("RGBA") for s in ICO_SIZES]
    frames[-1].save(OUT / "app.ico", format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                    append_images=frames[:-1])
    print(f"wrote {OUT / 'app.png'} and {OUT / 'app.ico'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
