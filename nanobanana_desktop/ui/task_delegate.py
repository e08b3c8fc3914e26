"""How one task is drawn in the list: a card with its status, prompt, numbers and images.

Everything is painted with QPainter and drawText, so prompts and server messages are
always plain text. Colours come from the palette and from style.py's tones.
Thumbnails keep their images' shape: a 2:3 poster is a tall tile, not a square swatch.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ..engine.records import TaskRecord, TaskState
from .style import ON_SCRIM, SCRIM, STATUS, mix, muted_colour, on_colour
from .task_model import MAX_THUMBNAILS, CardRole, format_elapsed
from .translations import format_number, localized, state_label

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
# Drawn cards kept: about 40 cards 1,300 px wide at twice the pixels, over 200 at 1x.
CARD_CACHE_BYTES = 48 * 1024 * 1024
# The palette's colours a card is drawn from (the others are mixed from these).
_CARD_COLOURS = (QPalette.ColorRole.Base, QPalette.ColorRole.Text, QPalette.ColorRole.Highlight)
# The item states a card shows, as bits of QStyle.StateFlag's value (plain integers: Python
# enum arithmetic costs more than a cached card's whole paint).
_SELECTED = QStyle.StateFlag.State_Selected.value
_HOVERED = QStyle.StateFlag.State_MouseOver.value
_SHOWN_STATES = _SELECTED | _HOVERED

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
    return STATUS[status_kind(state)].pick(is_dark(palette))


def status_text(task: TaskRecord, elapsed: float | None) -> str:
    """The status line's coloured part: what the task is doing and for how long."""
    if elapsed is None:
        return state_label(task.state)
    took = format_elapsed(elapsed)
    if task.state is TaskState.SUCCEEDED:
        return QCoreApplication.translate("TaskCard", "done in {time}").format(time=took)
    if task.state is TaskState.FAILED:
        return QCoreApplication.translate("TaskCard", "failed after {time}").format(time=took)
    return f"{state_label(task.state)}{SEPARATOR}{took}"


def meta_text(task: TaskRecord) -> str:
    translate = QCoreApplication.translate
    parts = [f"#{task.id}", task.model]
    refs = len(task.references)
    if refs:
        parts.append(
            translate("TaskCard", "1 ref")
            if refs == 1
            else translate("TaskCard", "{count} refs").format(count=refs)
        )
    if task.consumed is not None:
        credits = format_number(task.consumed)
        parts.append(
            translate("TaskCard", "{credits} credit").format(credits=credits)
            if task.consumed == 1
            else translate("TaskCard", "{credits} credits").format(credits=credits)
        )
    return SEPARATOR.join(parts)


def reason_text(task: TaskRecord) -> str:
    """The reason on one line, without a closing full stop: a list line, not a sentence."""
    reason = " ".join(localized(task.status_reason or "").split())
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


class _Fonts:
    """The card's fonts and their metrics: made once per list font, not at every paint."""

    def __init__(self, font: QFont) -> None:
        self.font = QFont(font)
        self.key = font.key()
        self.bold = QFont(font)
        self.bold.setWeight(QFont.Weight.DemiBold)
        self.small = QFont(font)
        self.small.setPointSizeF(max(7.0, font.pointSizeF() * 0.92))
        self.status = QFont(self.small)
        self.status.setWeight(QFont.Weight.DemiBold)
        self.bold_metrics = QFontMetrics(self.bold)
        self.small_metrics = QFontMetrics(self.small)
        self.status_metrics = QFontMetrics(self.status)


@dataclass(frozen=True)
class _Layout:
    icon: QRectF
    prompt: QRect  # line 1
    status: QRect  # line 2, the whole width the text may take
    reason: QRect | None  # line 3, when there is a reason to show


@dataclass
class _Card:
    """What one paint of a card needs, looked up once; laid out only when drawn."""

    task: TaskRecord
    rect: QRect
    elapsed: float | None
    images: list[QImage | None]
    total: int  # images saved
    last: bool  # the list's last row
    live: bool  # its clock moves
    fonts: _Fonts

    @cached_property
    def widths(self) -> list[int]:
        """The thumbnail tiles that fit."""
        return tile_widths(self.images, self.task.aspect_ratio) if self.images else []

    @cached_property
    def layout(self) -> _Layout:
        strip = sum(self.widths) + THUMB_GAP * max(0, len(self.widths) - 1)
        return _layout(self.rect, self.fonts, strip, bool(reason_text(self.task)))


def _layout(rect: QRect, fonts: _Fonts, strip: int, reason: bool) -> _Layout:
    text_left = rect.left() + PAD + ICON + ICON_GAP
    text_right = rect.right() - PAD - (strip + PAD if strip else 0)
    width = max(0, text_right - text_left)
    heights = [fonts.bold_metrics.height(), fonts.small_metrics.height()]
    if reason:
        heights.append(fonts.small_metrics.height())
    block = sum(heights) + LINE_GAP * (len(heights) - 1)
    y = rect.top() + (rect.height() - block) // 2
    icon = QRectF(rect.left() + PAD, y + (heights[0] - ICON) / 2, ICON, ICON)
    prompt = QRect(text_left, y, width, heights[0])
    y += heights[0] + LINE_GAP
    status = QRect(text_left, y, width, heights[1])
    y += heights[1] + LINE_GAP
    return _Layout(icon, prompt, status, QRect(text_left, y, width, heights[2]) if reason else None)


class CardCache:
    """Drawn cards by task, each with the key it was drawn for; least recently painted go
    first once they take more than ``budget`` bytes."""

    def __init__(self, budget: int = CARD_CACHE_BYTES) -> None:
        self.budget = budget
        self.drawn = 0  # cards drawn afresh, rather than taken from here
        self._cards: OrderedDict[int, tuple[tuple[object, ...], QPixmap]] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._cards)

    def get(self, local_id: int, key: tuple[object, ...]) -> QPixmap | None:
        entry = self._cards.get(local_id)
        if entry is None or entry[0] != key:
            return None
        self._cards.move_to_end(local_id)
        return entry[1]

    def put(self, local_id: int, key: tuple[object, ...], card: QPixmap) -> None:
        self.drawn += 1
        self._drop(local_id)
        self._cards[local_id] = (key, card)
        self._bytes += _bytes(card)
        while self._bytes > self.budget and len(self._cards) > 1:
            self._drop(next(iter(self._cards)))

    def clear(self) -> None:
        self._cards.clear()
        self._bytes = 0

    def _drop(self, local_id: int) -> None:
        entry = self._cards.pop(local_id, None)
        if entry is not None:
            self._bytes -= _bytes(entry[1])


def _bytes(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * 4


class TaskDelegate(QStyledItemDelegate):
    """Paints each card from a pixmap drawn once for what it shows (task, thumbnails, size,
    selection, colours). A running task's icon and status line change every second: they
    are painted over its card from small pixmaps of their own, which many cards share."""

    def __init__(self, parent: QObject | None = None, *, budget: int = CARD_CACHE_BYTES) -> None:
        super().__init__(parent)
        self.cards = CardCache(budget)
        self._fonts: dict[str, _Fonts] = {}
        self._last_fonts: _Fonts | None = None
        self._pieces: dict[tuple[object, ...], QPixmap] = {}  # see _blit

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        line = QFontMetrics(option.font).lineSpacing()
        # Three lines of text must fit even with a large system font.
        return QSize(320, max(ROW_HEIGHT, 3 * line + 2 * LINE_GAP + 24))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        content = index.data(CardRole)
        if not content:
            return
        task, elapsed, images, total = content
        rect: QRect = option.rect
        palette: QPalette = option.palette
        fonts = self._fonts_for(option.font)
        card = _Card(
            task=task,
            rect=rect,
            elapsed=elapsed,
            images=images,
            total=total,
            last=index.row() == index.model().rowCount() - 1,
            live=not task.state.is_final,
            fonts=fonts,
        )
        shown = option.state.value & _SHOWN_STATES
        ratio = painter.device().devicePixelRatioF()
        key = (
            task,
            None if card.live else card.elapsed,
            tuple(0 if image is None else image.cacheKey() for image in card.images),
            card.total,
            card.last,
            rect.width(),
            rect.height(),
            ratio,
            shown,
            tuple(palette.color(role).rgba() for role in _CARD_COLOURS),
            fonts.key,
        )
        pixmap = self.cards.get(task.id, key)
        if pixmap is None:
            pixmap = QPixmap(math.ceil(rect.width() * ratio), math.ceil(rect.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(_background(palette, shown))  # to its last device pixel
            on_pixmap = QPainter(pixmap)
            on_pixmap.translate(-rect.left(), -rect.top())
            self._paint_card(on_pixmap, rect, palette, shown, card)
            on_pixmap.end()
            self.cards.put(task.id, key, pixmap)
        painter.drawPixmap(rect.topLeft(), pixmap)
        if card.live:
            colour = status_colour(task.state, palette)
            self._blit_icon(painter, palette, shown, card, colour)
            self._blit_status(painter, palette, shown, card, colour)

    def _fonts_for(self, font: QFont) -> _Fonts:
        last = self._last_fonts
        if last is not None and last.font == font:
            return last
        key = font.key()
        fonts = self._fonts.get(key)
        if fonts is None:
            fonts = self._fonts[key] = _Fonts(font)
        self._last_fonts = fonts
        return fonts

    def _paint_card(
        self,
        painter: QPainter,
        rect: QRect,
        palette: QPalette,
        shown: int,
        card: _Card,
    ) -> None:
        """Everything a card shows, except, for a running task, what its clock changes."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self._paint_background(painter, rect, palette, shown, last=card.last)
        fonts, layout, task = card.fonts, card.layout, card.task

        # Line 1: the prompt, in the list's own text colour.
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        prompt = " ".join(task.prompt.split()) or QCoreApplication.translate(
            "TaskCard", "(no prompt)"
        )
        _text(painter, fonts.bold, fonts.bold_metrics, layout.prompt, prompt)
        if not card.live:
            colour = status_colour(task.state, palette)
            self._paint_icon(painter, task, card.elapsed, colour, layout.icon)
            self._paint_status(painter, palette, card, colour)

        # Line 3: why it failed or needs a look, quieter: the status words above carry the
        # colour. The whole text is in the tooltip.
        if layout.reason is not None:
            painter.setPen(muted_colour(palette, QPalette.ColorRole.Text, QPalette.ColorRole.Base))
            _text(painter, fonts.small, fonts.small_metrics, layout.reason, reason_text(task))

        if card.widths:
            self._paint_thumbnails(painter, rect, palette, card.images, card.widths, card.total)

    @staticmethod
    def _paint_status(painter: QPainter, palette: QPalette, card: _Card, colour: QColor) -> None:
        """Line 2: status and time in the status colour, then the task's numbers, quieter."""
        fonts, box = card.fonts, card.layout.status
        left, top, width, height = box.left(), box.top(), box.width(), box.height()
        text_right = left + width
        status = status_text(card.task, card.elapsed)
        advance = fonts.status_metrics.horizontalAdvance(status)
        # +2 for the box: the advance is rounded, and eliding would clip the last letter.
        painter.setPen(colour)
        status_box = QRect(left, top, min(width, advance + 2), height)
        _text(painter, fonts.status, fonts.status_metrics, status_box, status)
        # The separator follows the text itself, not the box: the same gap on both sides.
        rest = left + min(width, advance)
        # The same dot, spaced the same, as inside the status and the numbers.
        meta_left = rest + fonts.small_metrics.horizontalAdvance(SEPARATOR)
        if meta_left < text_right:
            painter.setPen(muted_colour(palette, QPalette.ColorRole.Text, QPalette.ColorRole.Base))
            painter.setFont(fonts.small)
            painter.drawText(
                QRect(rest, top, meta_left - rest, height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                SEPARATOR,
            )
            meta_box = QRect(meta_left, top, text_right - meta_left, height)
            _text(painter, fonts.small, fonts.small_metrics, meta_box, meta_text(card.task))

    def _blit_status(
        self, painter: QPainter, palette: QPalette, shown: int, card: _Card, colour: QColor
    ) -> None:
        """Line 2 of a running task, as _paint_status draws it, from pixmaps of its two
        parts: the status and time (the same for every task started in the same second),
        and the task's numbers (the same for as long as it runs)."""
        fonts, box = card.fonts, card.layout.status
        left, top, width, height = box.left(), box.top(), box.width(), box.height()
        status = status_text(card.task, card.elapsed)
        advance = fonts.status_metrics.horizontalAdvance(status)
        meta = meta_text(card.task)
        gap = fonts.small_metrics.horizontalAdvance(SEPARATOR)
        meta_width = gap + fonts.small_metrics.horizontalAdvance(meta)
        if advance + meta_width > width:
            painter.save()  # elided: drawn as text
            self._paint_status(painter, palette, card, colour)
            painter.restore()
            return
        background = _background(palette, shown)
        muted = muted_colour(palette, QPalette.ColorRole.Text, QPalette.ColorRole.Base)
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

        def numbers(on: QPainter) -> None:
            on.setPen(muted)
            on.setFont(fonts.small)
            on.drawText(QRect(0, 0, gap, height), align, SEPARATOR)
            on.drawText(QRect(gap, 0, meta_width - gap + 2, height), align, meta)

        def words(on: QPainter) -> None:
            on.setPen(colour)
            on.setFont(fonts.status)
            on.drawText(QRect(0, 0, advance + 2, height), align, status)

        # The numbers first: the status's box is 2 px wider than its text (see
        # _paint_status) and overlaps the separator's leading space.
        ground = background.rgba()
        key = ("numbers", meta, fonts.key, muted.rgba(), ground)
        self._blit(
            painter, QPointF(left + advance, top), key, numbers, meta_width + 2, height, background
        )
        key = ("words", status, fonts.key, colour.rgba(), ground)
        self._blit(painter, QPointF(left, top), key, words, advance + 2, height, background)

    def _blit_icon(
        self, painter: QPainter, palette: QPalette, shown: int, card: _Card, colour: QColor
    ) -> None:
        """A running task's icon, drawn once per state, colour and step of its animation."""
        # Both animations come round within 24 s (12 steps of the clock, 8 of the arc).
        step = int(card.elapsed or 0.0) % 24
        background = _background(palette, shown)

        def icon(on: QPainter) -> None:
            on.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_icon(on, card.task, float(step), colour, QRectF(0, 0, ICON, ICON))

        key = ("icon", card.task.state, step, colour.rgba(), background.rgba())
        self._blit(painter, card.layout.icon.topLeft(), key, icon, ICON, ICON, background)

    def _blit(
        self,
        painter: QPainter,
        at: QPointF,
        key: tuple[object, ...],
        draw: Callable[[QPainter], None],
        width: int,
        height: int,
        background: QColor,
    ) -> None:
        """A small piece of a card from a pixmap ``draw`` painted once on the card's colour.

        Opaque, so text is smoothed exactly as on the card itself; and drawn with the
        fraction of a pixel ``at`` has, then placed on whole pixels: copied, never resampled.
        """
        ratio = painter.device().devicePixelRatioF()
        x, y = math.floor(at.x()), math.floor(at.y())
        dx, dy = at.x() - x, at.y() - y
        full = (*key, width, height, ratio, dx, dy)
        pixmap = self._pieces.get(full)
        if pixmap is None:
            pixmap = QPixmap(math.ceil((width + dx) * ratio), math.ceil((height + dy) * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(background)
            on = QPainter(pixmap)
            on.translate(dx, dy)
            draw(on)
            on.end()
            if len(self._pieces) > 1024:  # a few seconds' worth of pieces: never unbounded
                self._pieces.clear()
            self._pieces[full] = pixmap
        painter.drawPixmap(QPoint(x, y), pixmap)

    # ------------------------------------------------------------ parts

    @staticmethod
    def _paint_background(
        painter: QPainter, rect: QRect, palette: QPalette, shown: int, *, last: bool = False
    ) -> None:
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        painter.fillRect(rect, _background(palette, shown))
        if shown & _SELECTED:
            highlight = palette.color(QPalette.ColorRole.Highlight)
            painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), highlight)
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
                painter.fillRect(tile, SCRIM.on(palette))
                painter.setPen(ON_SCRIM.on(palette))
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
        white = QPen(on_colour(colour), 2.0)
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


def _background(palette: QPalette, shown: int) -> QColor:
    """The card's own colour, for the item states in ``shown`` (see _SHOWN_STATES)."""
    base = palette.color(QPalette.ColorRole.Base)
    if shown & _SELECTED:
        # A tint, not the solid highlight: status colours and text stay readable on it.
        highlight = palette.color(QPalette.ColorRole.Highlight)
        return mix(base, highlight, 0.16 if not is_dark(palette) else 0.3)
    if shown & _HOVERED:
        return mix(base, palette.color(QPalette.ColorRole.Text), 0.04)
    return base


def _crop(image: QImage, ratio: float) -> QRectF:
    """The centred part of ``image`` with the tile's shape: all of it, unless the image is
    wider or taller than a tile may be."""
    width, height = float(image.width()), float(image.height())
    if width / height > ratio:
        width = height * ratio
    else:
        height = width / ratio
    return QRectF((image.width() - width) / 2, (image.height() - height) / 2, width, height)


def _text(painter: QPainter, font: QFont, metrics: QFontMetrics, box: QRect, text: str) -> None:
    painter.setFont(font)
    painter.drawText(
        box,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        elide(text, font, box.width(), metrics),
    )


_TRAILING = " .,;:·-–—("


def elide(text: str, font: QFont, width: int, metrics: QFontMetrics | None = None) -> str:
    """``text`` cut to ``width`` with "…", never leaving a dot or a comma before it."""
    metrics = metrics or QFontMetrics(font)
    elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    if elided != text and elided.endswith("…"):
        kept = elided[:-1].rstrip(_TRAILING)
        elided = f"{kept}…" if kept else elided
    return elided
