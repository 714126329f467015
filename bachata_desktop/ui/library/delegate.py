"""One card of the library grid: thumbnail, name, category chip, level, duration, analysis state.

The base class paints the item background and selection (``super().paint`` with the text and icon
taken out), then the card is drawn on top. Every card has the same size, so the view can run with
``uniformItemSizes`` and lay out 10,000 cards without asking each one.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from bachata_desktop.core.clip import (
    AnalysisState,
    Clip,
    Level,
    category_label,
    energy_text,
    move_title,
    unset_fields,
)
from bachata_desktop.ui.library.model import ClipRole, ThumbnailRole, format_duration

CARD_SIZE = QSize(208, 196)
THUMB_SIZE = QSize(192, 108)
PAD = 8

ACCENT = QColor("#e0664f")
INK = QColor("#2b2530")
MUTED = QColor("#6c6470")
BORDER = QColor("#e3dde6")
LEVEL_COLORS = {Level.BEGINNER: QColor("#4f9d69"), Level.INTERMEDIATE: QColor("#d39a2f"),
                Level.ADVANCED: QColor("#c2475a")}
# A calm colour per category so the eye can group cards; user categories get a hashed one.
_CHIP_HUES = (8, 28, 48, 150, 175, 200, 220, 245, 270, 295, 320, 340, 95, 120, 185, 60)


def chip_color(category: str) -> QColor:
    hue = _CHIP_HUES[sum(category.encode("utf-8")) % len(_CHIP_HUES)]
    return QColor.fromHsl(hue, 120, 236)


def chip_text_color(category: str) -> QColor:
    hue = _CHIP_HUES[sum(category.encode("utf-8")) % len(_CHIP_HUES)]
    return QColor.fromHsl(hue, 110, 70)


class ClipCardDelegate(QStyledItemDelegate):
    """Draws a :data:`CARD_SIZE` card per clip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_font = QFont()
        self.name_font.setPointSizeF(self.name_font.pointSizeF() + 0.5)
        self.name_font.setWeight(QFont.Weight.DemiBold)
        self.small_font = QFont()
        self.small_font.setPointSizeF(max(7.0, self.small_font.pointSizeF() - 1.5))
        self._name_fm = QFontMetrics(self.name_font)
        self._small_fm = QFontMetrics(self.small_font)
        self.card_size = QSize(CARD_SIZE)  # the grid widens cards to fill its columns
        self.rank_of = None  # optional callable(clip_id) -> int | None, set while showing a ranking
        self.badge_of = None  # optional callable(clip_id) -> (text, colour) | None: class progress

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        return self.card_size

    def initStyleOption(self, option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        # The card draws its own text and picture; the base class paints only the backdrop.
        option.text = ""
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDisplay
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        clip = index.data(ClipRole)
        if not isinstance(clip, Clip):
            super().paint(painter, option, index)
            return
        # The style paints the backdrop (no text, no icon, see initStyleOption); selection, hover
        # and focus are shown by the card's border instead of the style's highlight.
        base = QStyleOptionViewItem(option)
        base.state &= ~(QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_MouseOver
                        | QStyle.StateFlag.State_HasFocus)
        super().paint(painter, base, index)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QRectF(option.rect).adjusted(3, 3, -3, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        path = QPainterPath()
        path.addRoundedRect(card, 8, 8)
        painter.fillPath(path, QColor("#fff7f4") if selected else QColor("white"))
        pen = QPen(ACCENT if selected else (QColor("#cfc6d4") if hovered else BORDER),
                   2.0 if selected else 1.0)
        painter.setPen(pen)
        painter.drawPath(path)
        painter.restore()
        self._paint_card(painter, option.rect, clip, index)

    def _paint_badge(self, painter: QPainter, thumb_box: QRect, text: str, color: str) -> None:
        """A pill at the picture's bottom-left (e.g. a class's progress: "Known", "Not yet taught")."""
        painter.setFont(self.small_font)
        w = self._small_fm.horizontalAdvance(text) + 12
        pill = QRectF(thumb_box.x() + 4, thumb_box.bottom() - 20, w, 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(color))
        painter.drawRoundedRect(pill, 4, 4)
        painter.setPen(INK)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_card(self, painter: QPainter, rect: QRect, clip: Clip,
                    index: QModelIndex | QPersistentModelIndex) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        x0 = rect.x() + PAD
        y = rect.y() + PAD
        inner_w = rect.width() - 2 * PAD
        thumb_box = QRect(x0, y, inner_w, THUMB_SIZE.height())
        clip_path = QPainterPath()
        clip_path.addRoundedRect(QRectF(thumb_box), 5, 5)
        painter.fillPath(clip_path, QColor("#2b2530"))
        pm = index.data(ThumbnailRole)
        if isinstance(pm, QPixmap) and not pm.isNull():
            # A 1:1 blit at whole pixels, no clip path: clipping each picture to the rounded box
            # cost ~0.5 ms per card, the largest part of a scrolled frame.
            dpr = pm.devicePixelRatio() or 1.0
            w, h = round(pm.width() / dpr), round(pm.height() / dpr)
            if w > thumb_box.width() or h > thumb_box.height():
                w, h = min(w, thumb_box.width()), min(h, thumb_box.height())
            target = QRect(thumb_box.x() + (thumb_box.width() - w) // 2,
                           thumb_box.y() + (thumb_box.height() - h) // 2, w, h)
            painter.drawPixmap(target, pm)
        # duration badge on the picture
        dur = format_duration(clip.duration_s)
        painter.setFont(self.small_font)
        bw = self._small_fm.horizontalAdvance(dur) + 10
        badge = QRectF(thumb_box.right() - bw - 4, thumb_box.bottom() - 20, bw, 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(badge, 4, 4)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, dur)
        # analysis state dot (top-left): grey pending, amber running, red failed, none when done
        state_color = {AnalysisState.PENDING: QColor("#b9aec0"), AnalysisState.RUNNING: QColor("#e5a93b"),
                       AnalysisState.FAILED: QColor("#d64545")}.get(clip.analysis_state)
        if state_color is not None:
            painter.setPen(QPen(QColor("white"), 1.5))
            painter.setBrush(state_color)
            painter.drawEllipse(QRectF(thumb_box.x() + 6, thumb_box.y() + 6, 10, 10))
        rank = self.rank_of(clip.id) if self.rank_of is not None and clip.id is not None else None
        if rank is not None:
            text = f"#{rank + 1}"
            rw = self._small_fm.horizontalAdvance(text) + 10
            rb = QRectF(thumb_box.right() - rw - 4, thumb_box.y() + 4, rw, 16)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(ACCENT)
            painter.drawRoundedRect(rb, 4, 4)
            painter.setPen(QColor("white"))
            painter.drawText(rb, Qt.AlignmentFlag.AlignCenter, text)
        badge_info = self.badge_of(clip.id) if self.badge_of is not None and clip.id is not None else None
        if badge_info is not None:
            self._paint_badge(painter, thumb_box, *badge_info)
        y = thumb_box.bottom() + 8
        # name
        painter.setFont(self.name_font)
        painter.setPen(INK)
        name = self._name_fm.elidedText(move_title(clip.name), Qt.TextElideMode.ElideRight, inner_w)
        painter.drawText(QRect(x0, y, inner_w, self._name_fm.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        y += self._name_fm.height() + 6
        # category chip + level on one line
        painter.setFont(self.small_font)
        label = category_label(clip.category)
        unset = unset_fields(clip)
        level_text = "Level not set" if "level" in unset else clip.level.value.capitalize()
        level_w = self._small_fm.horizontalAdvance(level_text) + 14
        chip_max = inner_w - level_w - 6
        label = self._small_fm.elidedText(label, Qt.TextElideMode.ElideRight, chip_max - 12)
        cw = self._small_fm.horizontalAdvance(label) + 12
        chip = QRectF(x0, y, cw, 18)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(chip_color(clip.category))
        painter.drawRoundedRect(chip, 9, 9)
        painter.setPen(chip_text_color(clip.category))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
        lvl = QRectF(x0 + inner_w - level_w, y, level_w, 18)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(MUTED if "level" in unset else LEVEL_COLORS.get(clip.level, MUTED))
        painter.drawEllipse(QRectF(lvl.x() + 1, lvl.center().y() - 3.5, 7, 7))
        painter.setPen(MUTED)
        painter.drawText(lvl.adjusted(11, 0, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         level_text)
        y += 24
        # energy and counts
        meta = f"{energy_text(clip)} · {clip.counts} counts"
        if clip.role_focus.value != "both":
            meta += f" · {clip.role_focus.value}"
        painter.drawText(QRect(x0, y, inner_w, self._small_fm.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         self._small_fm.elidedText(meta, Qt.TextElideMode.ElideRight, inner_w))
        painter.restore()
