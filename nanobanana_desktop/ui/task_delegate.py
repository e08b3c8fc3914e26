"""How one task is drawn in the list: a card with its status, prompt, numbers and images.

Everything is painted with QPainter and drawText, so prompts and server messages are
always plain text. Colours come from the palette, except the four status colours.
Thumbnails keep their images' shape: a 2:3 poster is a tall tile, not a square swatch.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ..engine.records import TaskRecord, TaskState
from .style import mix, muted_colour
from .task_model import (
    MAX_THUMBNAILS,
    ElapsedRole,
    ImageCountRole,
    TaskRole,
    ThumbnailsRole,
    format_elapsed,
)

Index = QModelIndex | QPersistentModelIndex

ROW_HEIGHT = 80  # 12 + a 56 px thumbnail + 12
THUMB = 56  # the tiles' height; their width follows the image's shape
THUMB_GAP = 6
TILE_MIN = round(THUMB * 9 / 16)  # 9:16 fits; narrower images are cropped to it
TILE_MAX = round(THUMB * 16 / 9)  # 16:9 fits; wider images are cropped to it
# The strip's widest: what four square tiles take. Wide images show fewer tiles and "+N".
STRIP_BUDGET = MAX_THUMBNAILS * THUMB + (MAX_THUMBNAILS - 1) * THUMB_GAP
SEPARATOR = " · "
PAD = 16  # left and right of the card
ICON = 20
ICON_GAP = 12
LINE_GAP = 3
RADIUS = 6.0

_LIGHT = {
    "active": "#3d7eff",
    "done": "#2e7d32",
    "failed": "#c62828",
    "attention": "#b26a00",
}
# The same hues, lifted enough to read on a dark base.
_DARK = {
    "active": "#7aa5ff",
    "done": "#66bb6a",
    "failed": "#ef6b6b",
    "attention": "#ffb74d",
}
_WAITING = frozenset({TaskState.SUBMITTING, TaskState.PENDING, TaskState.SUBMITTED})


def status_kind(state: TaskState) -> str:
    if state is TaskState.SUCCEEDED:
        return "done"
    if state is TaskState.FAILED:
        return "failed"
    if state in (TaskState.UNKNOWN, TaskState.STALLED):
        return "attention"
    return "active"


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def status_colour(state: TaskState, palette: QPalette) -> QColor:
    table = _DARK if is_dark(palette) else _LIGHT
    return QColor(table[status_kind(state)])


def status_text(task: TaskRecord, elapsed: float | None) -> str:
    """The status line's coloured part: what the task is doing and for how long."""
    if elapsed is None:
        return task.state.label
    took = format_elapsed(elapsed)
    if task.state is TaskState.SUCCEEDED:
        return f"done in {took}"
    if task.state is TaskState.FAILED:
        return f"failed after {took}"
    return f"{task.state.label}{SEPARATOR}{took}"


def meta_text(task: TaskRecord) -> str:
    parts = [f"#{task.id}", task.model]
    refs = len(task.references)
    if refs:
        parts.append(f"{refs} ref{'s' if refs != 1 else ''}")
    if task.consumed is not None:
        credits = f"{task.consumed.normalize():f}"
        parts.append(f"{credits} credit{'' if credits == '1' else 's'}")
    return SEPARATOR.join(parts)


def reason_text(task: TaskRecord) -> str:
    """The reason on one line, without a closing full stop: a list line, not a sentence."""
    reason = " ".join((task.status_reason or "").split())
    if reason.endswith(".") and not reason.endswith(".."):
        reason = reason[:-1]
    return reason


def _ratio(text: str | None) -> float | None:
    """A ratio such as 2:3 as a number (0.667); None for auto, nothing, or nonsense."""
    width, _colon, height = (text or "").partition(":")
    try:
        ratio = float(width) / float(height)
    except (ValueError, ZeroDivisionError):
        return None
    return ratio if ratio > 0 else None


def tile_width(image: QImage | None, requested: str | None) -> int:
    """The image's own shape once it is loaded; before, the shape the task asked for."""
    if image is not None and not image.isNull() and image.height() > 0:
        ratio: float | None = image.width() / image.height()
    else:
        ratio = _ratio(requested)
    return max(TILE_MIN, min(TILE_MAX, round(THUMB * (ratio or 1.0))))


def tile_widths(images: list[QImage | None], requested: str | None) -> list[int]:
    """The tiles that fit in the strip, left to right; at least one."""
    widths: list[int] = []
    used = 0
    for image in images[:MAX_THUMBNAILS]:
        width = tile_width(image, requested)
        needed = width + (THUMB_GAP if widths else 0)
        if widths and used + needed > STRIP_BUDGET:
            break
        widths.append(width)
        used += needed
    return widths


class TaskDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        line = QFontMetrics(option.font).lineSpacing()
        # Three lines of text must fit even with a large system font.
        return QSize(320, max(ROW_HEIGHT, 3 * line + 2 * LINE_GAP + 24))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        task = index.data(TaskRole)
        if not isinstance(task, TaskRecord):
            return
        rect: QRect = option.rect
        palette: QPalette = option.palette
        state = option.state
        font: QFont = option.font
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        last = index.row() == index.model().rowCount(index.parent()) - 1
        self._paint_background(painter, rect, palette, state, last=last)

        text = palette.color(QPalette.ColorRole.Text)
        muted = muted_colour(palette, QPalette.ColorRole.Text, QPalette.ColorRole.Base)
        colour = status_colour(task.state, palette)
        elapsed = index.data(ElapsedRole)

        images = index.data(ThumbnailsRole) or []
        total = int(index.data(ImageCountRole) or 0)
        widths = tile_widths(images, task.aspect_ratio) if images else []
        strip = sum(widths) + THUMB_GAP * max(0, len(widths) - 1)
        text_left = rect.left() + PAD + ICON + ICON_GAP
        text_right = rect.right() - PAD - (strip + PAD if strip else 0)
        width = max(0, text_right - text_left)

        bold = QFont(font)
        bold.setWeight(QFont.Weight.DemiBold)
        small = QFont(font)
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.92))
        lines: list[tuple[QFont, int]] = [(bold, QFontMetrics(bold).height())]
        lines.append((small, QFontMetrics(small).height()))
        reason = reason_text(task)
        if reason:
            lines.append((small, QFontMetrics(small).height()))
        block = sum(h for _f, h in lines) + LINE_GAP * (len(lines) - 1)
        y = rect.top() + (rect.height() - block) // 2

        # Line 1: the prompt, in the list's own text colour.
        first_height = lines[0][1]
        self._paint_icon(
            painter,
            task,
            elapsed,
            colour,
            QRectF(rect.left() + PAD, y + (first_height - ICON) / 2, ICON, ICON),
        )
        painter.setFont(bold)
        painter.setPen(text)
        prompt = " ".join(task.prompt.split()) or "(no prompt)"
        self._text(painter, bold, QRect(text_left, y, width, first_height), prompt)
        y += first_height + LINE_GAP

        # Line 2: status and time in the status colour, then the task's numbers, quieter.
        height = lines[1][1]
        metrics = QFontMetrics(small)
        status = status_text(task, elapsed)
        status_font = QFont(small)
        status_font.setWeight(QFont.Weight.DemiBold)
        advance = QFontMetrics(status_font).horizontalAdvance(status)
        # +2 for the box: the advance is rounded, and eliding would clip the last letter.
        status_width = min(width, advance + 2)
        painter.setPen(colour)
        self._text(painter, status_font, QRect(text_left, y, status_width, height), status)
        # The separator follows the text itself, not the box: the same gap on both sides.
        rest = text_left + min(width, advance)
        # The same dot, spaced the same, as inside the status and the numbers.
        meta_left = rest + metrics.horizontalAdvance(SEPARATOR)
        if meta_left < text_right:
            painter.setPen(muted)
            painter.setFont(small)
            painter.drawText(
                QRect(rest, y, meta_left - rest, height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                SEPARATOR,
            )
            self._text(
                painter, small, QRect(meta_left, y, text_right - meta_left, height), meta_text(task)
            )
        y += height + LINE_GAP

        # Line 3: why it failed or needs a look, quieter: the status words above carry the
        # colour. The whole text is in the tooltip.
        if reason:
            painter.setPen(muted)
            self._text(painter, small, QRect(text_left, y, width, lines[2][1]), reason)

        if widths:
            self._paint_thumbnails(painter, rect, palette, images, widths, total)
        painter.restore()

    # ------------------------------------------------------------ parts

    @staticmethod
    def _text(painter: QPainter, font: QFont, box: QRect, text: str) -> None:
        painter.setFont(font)
        painter.drawText(
            box,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            elide(text, font, box.width()),
        )

    @staticmethod
    def _paint_background(
        painter: QPainter,
        rect: QRect,
        palette: QPalette,
        state: QStyle.StateFlag,
        *,
        last: bool = False,
    ) -> None:
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        selected = bool(state & QStyle.StateFlag.State_Selected)
        if selected:
            # A tint, not the solid highlight: status colours and text stay readable on it.
            painter.fillRect(rect, mix(base, highlight, 0.16 if not is_dark(palette) else 0.3))
            painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), highlight)
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, mix(base, text, 0.04))
        else:
            painter.fillRect(rect, base)
        if not last:  # under the last card, the list's own border is the line
            painter.setPen(QPen(mix(base, text, 0.1), 1))
            bottom = rect.bottom()
            painter.drawLine(rect.left() + PAD, bottom, rect.right() - PAD, bottom)

    def _paint_thumbnails(
        self,
        painter: QPainter,
        rect: QRect,
        palette: QPalette,
        images: list[QImage | None],
        widths: list[int],
        total: int,
    ) -> None:
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        shown = images[: len(widths)]
        strip = sum(widths) + THUMB_GAP * (len(widths) - 1)
        x = float(rect.right() - PAD - strip + 1)
        top = rect.top() + (rect.height() - THUMB) / 2
        for position, (image, width) in enumerate(zip(shown, widths, strict=True)):
            tile = QRectF(x, top, width, THUMB)
            x += width + THUMB_GAP
            path = QPainterPath()
            path.addRoundedRect(tile, RADIUS, RADIUS)
            painter.save()
            painter.setClipPath(path)
            if image is None or image.isNull():
                painter.fillRect(tile, mix(base, text, 0.07))  # loading, or unavailable
            else:
                painter.drawImage(tile, image, _crop(image, tile.width() / tile.height()))
            extra = total - len(shown)
            if position == len(shown) - 1 and extra > 0:
                painter.fillRect(tile, QColor(0, 0, 0, 120))
                painter.setPen(QColor("white"))
                painter.drawText(tile, Qt.AlignmentFlag.AlignCenter, f"+{extra}")
            painter.restore()
            painter.setPen(QPen(mix(base, text, 0.14), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(tile.adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)

    @staticmethod
    def _paint_icon(
        painter: QPainter,
        task: TaskRecord,
        elapsed: float | None,
        colour: QColor,
        box: QRectF,
    ) -> None:
        painter.save()
        kind = status_kind(task.state)
        centre = box.center()
        radius = box.width() / 2 - 1
        white = QPen(QColor("white"), 2.0)
        white.setCapStyle(Qt.PenCapStyle.RoundCap)
        white.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        seconds = elapsed or 0.0
        if kind == "done":
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(centre, radius, radius)
            painter.setPen(white)
            tick = QPainterPath(QPointF(centre.x() - 4.5, centre.y() + 0.5))
            tick.lineTo(centre.x() - 1.5, centre.y() + 3.5)
            tick.lineTo(centre.x() + 4.5, centre.y() - 3.5)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(tick)
        elif kind == "failed":
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(centre, radius, radius)
            painter.setPen(white)
            d = 3.5
            painter.drawLine(QPointF(centre.x() - d, centre.y() - d), centre + QPointF(d, d))
            painter.drawLine(QPointF(centre.x() + d, centre.y() - d), centre + QPointF(-d, d))
        elif kind == "attention":
            triangle = QPainterPath(QPointF(centre.x(), box.top() + 1.5))
            triangle.lineTo(box.right() - 0.5, box.bottom() - 1.5)
            triangle.lineTo(box.left() + 0.5, box.bottom() - 1.5)
            triangle.closeSubpath()
            outline = QPen(colour, 1.5)
            outline.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(outline)
            painter.setBrush(colour)
            painter.drawPath(triangle)
            painter.setPen(white)
            painter.drawLine(
                QPointF(centre.x(), centre.y() - 2.5), QPointF(centre.x(), centre.y() + 2)
            )
            painter.drawPoint(QPointF(centre.x(), centre.y() + 5.5))
        elif task.state in _WAITING:
            # A clock whose hand moves on with each tick of the list's clock: alive, not busy.
            pen = QPen(colour, 1.8)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(centre, radius - 0.5, radius - 0.5)
            angle = math.radians(int(seconds) * 30)
            hand = radius - 4
            painter.drawLine(
                centre, centre + QPointF(hand * math.sin(angle), -hand * math.cos(angle))
            )
            painter.drawLine(centre, centre + QPointF(0, -(radius - 6)))
        else:
            # Generating or saving: a ring with an arc that turns each second.
            track = QColor(colour)
            track.setAlphaF(0.22)
            pen = QPen(track, 2.6)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            ring = box.adjusted(2, 2, -2, -2)
            painter.drawEllipse(ring)
            pen.setColor(colour)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            start = 90 - (int(seconds) * 45) % 360
            painter.drawArc(ring, start * 16, -110 * 16)
        painter.restore()


def _crop(image: QImage, ratio: float) -> QRectF:
    """The centred part of ``image`` with the tile's shape: all of it, unless the image is
    wider or taller than a tile may be."""
    width, height = float(image.width()), float(image.height())
    if width / height > ratio:
        width = height * ratio
    else:
        height = width / ratio
    return QRectF((image.width() - width) / 2, (image.height() - height) / 2, width, height)


_TRAILING = " .,;:·-–—("


def elide(text: str, font: QFont, width: int) -> str:
    """``text`` cut to ``width`` with "…", never leaving a dot or a comma before it."""
    elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, width)
    if elided != text and elided.endswith("…"):
        kept = elided[:-1].rstrip(_TRAILING)
        elided = f"{kept}…" if kept else elided
    return elided
