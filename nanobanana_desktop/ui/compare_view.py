"""Compare two gallery images: side by side, or as one picture split by a slider.

Both images are laid on one shared plane, scaled to the same width (the wider image's
pixels), centred on its origin: two variations of a 1K and a 2K render then line up
detail for detail. One :class:`ViewState` (zoom and the plane's point at the centre) drives
every pane, so a wheel zoom around the cursor, a pan, Fit and 1:1 in one pane move the
other with it. In split mode a single pane shows image A left of the divider and image B
right of it; the divider is dragged with the mouse, or moved with the arrow keys.

The images are decoded in a worker thread (``viewer.read_image``); until they arrive the
panes say "Loading…", and an unreadable file says why in its pane.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QObject,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from ..blocking import run_blocking
from ..engine.gallery import GalleryItem
from .style import SEGMENT_STYLE, muted
from .viewer import ZOOM_MAX, ZOOM_MIN, ZOOM_STEP, read_image, tool_button

if TYPE_CHECKING:
    from .gallery_model import GalleryModel

log = logging.getLogger(__name__)

__all__ = ["CompareMode", "ComparePane", "CompareView", "ViewState"]

DIVIDER_GRAB = 10.0  # px either side of the split line that grab it rather than pan
SPLIT_KEY_STEP = 0.05  # of the width, per arrow key
BACKDROP = QColor(24, 24, 26)


class CompareMode(enum.Enum):
    # Shown through QCoreApplication.translate("CompareMode", value) on the mode buttons.
    SIDE_BY_SIDE = QT_TRANSLATE_NOOP("CompareMode", "Side by side")
    SPLIT = QT_TRANSLATE_NOOP("CompareMode", "Split")


class ViewState(QObject):
    """The zoom and the plane's point at each pane's centre, shared by every pane."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.zoom = 1.0  # screen pixels (device-independent) per plane unit
        self.centre = QPointF(0.0, 0.0)
        self.fitting = True  # Fit follows the panes' size until the user zooms or pans
        self.bounds = QRectF()  # the plane's extent: the union of the laid-out images

    def set(self, zoom: float, centre: QPointF, *, fitting: bool = False) -> None:
        self.zoom = max(ZOOM_MIN, min(ZOOM_MAX, zoom))
        self.centre = self._clamped(centre)
        self.fitting = fitting
        self.changed.emit()

    def _clamped(self, centre: QPointF) -> QPointF:
        # The centre stays over the images: a pan can not lose them off screen.
        if self.bounds.isEmpty():
            return QPointF(centre)
        return QPointF(
            max(self.bounds.left(), min(self.bounds.right(), centre.x())),
            max(self.bounds.top(), min(self.bounds.bottom(), centre.y())),
        )


class Picture:
    """One side of the comparison: its gallery item, and its pixels once loaded."""

    def __init__(self, item: GalleryItem, path: Path, letter: str) -> None:
        self.item = item
        self.path = path
        self.letter = letter
        self.pixmap: QPixmap | None = None
        self.error: str | None = None
        self.rect = QRectF()  # where it lies on the shared plane

    @property
    def size(self) -> QSize | None:
        if self.pixmap is not None and not self.pixmap.isNull():
            return self.pixmap.size()
        if self.item.width and self.item.height:
            return QSize(self.item.width, self.item.height)
        return None


def lay_out(pictures: Sequence[Picture]) -> QRectF:
    """Scale every picture to the widest one's width, centred on the origin; the union."""
    sizes = [p.size for p in pictures]
    width = max((s.width() for s in sizes if s is not None), default=1)
    bounds = QRectF()
    for picture, size in zip(pictures, sizes, strict=True):
        if size is None or size.isEmpty():
            picture.rect = QRectF()
            continue
        height = size.height() * width / size.width()
        picture.rect = QRectF(-width / 2, -height / 2, width, height)
        bounds = bounds.united(picture.rect)
    return bounds


class ComparePane(QWidget):
    """One or two pictures on the shared plane; two means split by a draggable divider."""

    split_changed = Signal(float)

    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.pictures: list[Picture] = []
        self.split = 0.5  # the divider, as a fraction of the width (split mode)
        self._drag: str | None = None  # "pan" or "split" while a button is down
        self._last = QPointF()
        self.setMinimumSize(160, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)  # the cursor shows what a drag would do
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        state.changed.connect(self.update)

    def show_pictures(self, pictures: Sequence[Picture]) -> None:
        self.pictures = list(pictures)
        letters = [p.letter for p in pictures]
        if len(letters) == 2:
            name = self.tr("image {first} and image {second}").format(
                first=letters[0], second=letters[1]
            )
        else:
            name = " ".join(self.tr("image {letter}").format(letter=x) for x in letters)
        self.setAccessibleName(name)
        self.update()

    @property
    def is_split(self) -> bool:
        return len(self.pictures) == 2

    # ------------------------------------------------------------ plane <-> widget

    def centre_point(self) -> QPointF:
        return QPointF(self.width() / 2, self.height() / 2)

    def to_plane(self, point: QPointF) -> QPointF:
        state = self.state
        return state.centre + (point - self.centre_point()) / state.zoom

    def to_widget(self, point: QPointF) -> QPointF:
        state = self.state
        return (point - state.centre) * state.zoom + self.centre_point()

    def divider_x(self) -> float:
        return self.split * self.width()

    def set_split(self, fraction: float) -> None:
        fraction = max(0.0, min(1.0, fraction))
        if fraction != self.split:
            self.split = fraction
            self.update()
            self.split_changed.emit(fraction)

    # ------------------------------------------------------------ zoom and pan

    def zoom_at(self, steps: float, anchor: QPointF) -> None:
        """Zoom by ``steps`` notches, the plane's point under ``anchor`` staying put."""
        state = self.state
        under = self.to_plane(anchor)
        zoom = max(ZOOM_MIN, min(ZOOM_MAX, state.zoom * ZOOM_STEP**steps))
        state.set(zoom, under - (anchor - self.centre_point()) / zoom)

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / 120
        if notches:
            self.zoom_at(notches, event.position())
        event.accept()

    def _near_divider(self, x: float) -> bool:
        return self.is_split and abs(x - self.divider_x()) <= DIVIDER_GRAB

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self._drag = "split" if self._near_divider(event.position().x()) else "pan"
        self._last = event.position()
        if self._drag == "pan":
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        position = event.position()
        if self._drag == "split":
            self.set_split(position.x() / max(1, self.width()))
        elif self._drag == "pan":
            state = self.state
            state.set(state.zoom, state.centre - (position - self._last) / state.zoom)
            self._last = position
        else:
            near = self._near_divider(position.x())
            self.setCursor(Qt.CursorShape.SplitHCursor if near else Qt.CursorShape.OpenHandCursor)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag = None
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.is_split and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = SPLIT_KEY_STEP if event.key() == Qt.Key.Key_Right else -SPLIT_KEY_STEP
            self.set_split(self.split + step)
            event.accept()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        parent = self.window()
        if isinstance(parent, CompareView) and self.state.fitting:
            parent.fit()

    # ------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), BACKDROP)
        if self.is_split:
            divider = self.divider_x()
            left = QRectF(0, 0, divider, self.height())
            right = QRectF(divider, 0, self.width() - divider, self.height())
            self._paint_picture(painter, self.pictures[0], left)
            self._paint_picture(painter, self.pictures[1], right)
            self._paint_divider(painter, divider)
            self._paint_letter(painter, self.pictures[0], left=True)
            self._paint_letter(painter, self.pictures[1], left=False)
        elif self.pictures:
            self._paint_picture(painter, self.pictures[0], QRectF(self.rect()))
            self._paint_letter(painter, self.pictures[0], left=True)
        painter.end()

    def _paint_picture(self, painter: QPainter, picture: Picture, clip: QRectF) -> None:
        painter.save()
        painter.setClipRect(clip)
        if picture.pixmap is not None and not picture.rect.isEmpty():
            top_left = self.to_widget(picture.rect.topLeft())
            bottom_right = self.to_widget(picture.rect.bottomRight())
            painter.drawPixmap(QRectF(top_left, bottom_right), picture.pixmap, QRectF())
        else:
            text = picture.error or self.tr("Loading…")
            painter.setPen(QColor(200, 200, 204))
            painter.drawText(
                clip.adjusted(16, 16, -16, -16),
                int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap),
                text,
            )
        painter.restore()

    def _paint_divider(self, painter: QPainter, x: float) -> None:
        painter.save()
        painter.setPen(QPen(QColor(0, 0, 0, 90), 4))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        painter.setPen(QPen(QColor(255, 255, 255, 235), 2))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        centre = QPointF(x, self.height() / 2)
        painter.setPen(QPen(QColor(0, 0, 0, 60), 1))
        painter.setBrush(QColor(255, 255, 255, 240))
        painter.drawEllipse(centre, 16, 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(40, 40, 44))
        for direction in (-1, 1):
            tip = centre + QPointF(9 * direction, 0)
            arrow = QPainterPath(tip)
            arrow.lineTo(tip + QPointF(-5 * direction, -5))
            arrow.lineTo(tip + QPointF(-5 * direction, 5))
            arrow.closeSubpath()
            painter.drawPath(arrow)
        painter.restore()

    def _paint_letter(self, painter: QPainter, picture: Picture, *, left: bool) -> None:
        painter.save()
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        side = metrics.height() + 10
        # At the picture's own top corner (kept inside the pane), not the window's: on a
        # wide pane a tall picture leaves the pane's corners far from it.
        shown = QRectF(self.rect())
        if not picture.rect.isEmpty():
            placed = QRectF(
                self.to_widget(picture.rect.topLeft()), self.to_widget(picture.rect.bottomRight())
            )
            shown = shown.intersected(placed) if shown.intersects(placed) else shown
        x = shown.left() + 12 if left else shown.right() - 12 - side
        box = QRectF(x, shown.top() + 12, side, side)
        painter.setPen(QPen(QColor(255, 255, 255, 60), 1))
        painter.setBrush(QColor(20, 20, 22, 190))
        painter.drawRoundedRect(box, side / 2, side / 2)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), picture.letter)
        painter.restore()


class CompareView(QDialog):
    """Two gallery images at one synced zoom: side by side, or split by a slider."""

    def __init__(
        self,
        model: GalleryModel,
        items: Sequence[GalleryItem],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if len(items) != 2:
            raise ValueError("compare takes exactly two images")
        self.setObjectName("compareView")
        self.setWindowTitle(self.tr("Compare"))
        self.resize(1280, 800)
        self.model = model
        self.pictures = [
            Picture(item, model.path_of(item), letter)
            for item, letter in zip(items, "AB", strict=True)
        ]
        self.mode = CompareMode.SIDE_BY_SIDE
        self.state = ViewState(self)
        self.state.bounds = lay_out(self.pictures)  # from the stored sizes, until loaded
        self.state.changed.connect(self._zoom_changed)
        self.loaded = asyncio.Event()
        self._loads: list[asyncio.Task[None]] = []

        self.panes = [ComparePane(self.state), ComparePane(self.state)]
        self.split_pane = ComparePane(self.state)
        for pane, name in zip((*self.panes, self.split_pane), ("A", "B", "Split"), strict=True):
            pane.setObjectName(f"comparePane{name}")
        side = QWidget()
        side_layout = QHBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(2)
        for pane in self.panes:
            side_layout.addWidget(pane, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(side)
        self.stack.addWidget(self.split_pane)

        self.mode_buttons: dict[CompareMode, QToolButton] = {}
        modes = QHBoxLayout()
        modes.setSpacing(0)
        for mode, segment, keys in (
            (CompareMode.SIDE_BY_SIDE, "first", "S"),
            (CompareMode.SPLIT, "last", "D"),
        ):
            made = QToolButton()
            made.setObjectName(f"compare{mode.name.title().replace('_', '')}")
            label = QCoreApplication.translate("CompareMode", mode.value)
            made.setText(label)
            made.setCheckable(True)
            made.setProperty("segment", segment)
            made.setStyleSheet(SEGMENT_STYLE)
            made.setToolTip(f"{label} ({keys})")
            made.clicked.connect(lambda _c=False, m=mode: self.set_mode(m))
            modes.addWidget(made)
            self.mode_buttons[mode] = made
            QShortcut(QKeySequence(keys), self).activated.connect(lambda m=mode: self.set_mode(m))
        button = tool_button
        self.swap_button = button(
            "compareSwap", self.tr("Swap A ⇄ B"), self.tr("Swap the images (X)"), self.swap
        )
        self.fit_button = button("compareFit", self.tr("Fit"), self.tr("Fit both (F)"), self.fit)
        self.actual_button = button(
            "compareActual", "1:1", self.tr("Actual size (1)"), self.actual_size
        )
        self.zoom_label = muted(QLabel(""))
        self.zoom_label.setMinimumWidth(52)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        tools = QHBoxLayout()
        tools.addLayout(modes)
        tools.addSpacing(8)
        tools.addWidget(self.swap_button)
        tools.addStretch(1)
        tools.addWidget(self.zoom_label)
        tools.addWidget(self.fit_button)
        tools.addWidget(self.actual_button)

        self.captions = [QLabel(""), QLabel("")]
        captions = QHBoxLayout()
        for caption in self.captions:
            caption.setTextFormat(Qt.TextFormat.PlainText)  # prompts are untrusted text
            caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            captions.addWidget(muted(caption), 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(tools)
        layout.addWidget(self.stack, 1)
        layout.addLayout(captions)

        for key, slot in (
            (Qt.Key.Key_F, self.fit),
            (Qt.Key.Key_1, self.actual_size),
            (Qt.Key.Key_X, self.swap),
        ):
            QShortcut(QKeySequence(key), self).activated.connect(slot)
        self._show_pictures()
        self.set_mode(CompareMode.SIDE_BY_SIDE)

    # ------------------------------------------------------------ modes

    def set_mode(self, mode: CompareMode) -> None:
        self.mode = mode
        for each, made in self.mode_buttons.items():
            made.setChecked(each is mode)
        split = mode is CompareMode.SPLIT
        self.stack.setCurrentIndex(1 if split else 0)
        (self.split_pane if split else self.panes[0]).setFocus()
        if self.state.fitting:
            self.fit()

    def visible_panes(self) -> list[ComparePane]:
        return [self.split_pane] if self.mode is CompareMode.SPLIT else list(self.panes)

    def swap(self) -> None:
        self.pictures.reverse()
        for picture, letter in zip(self.pictures, "AB", strict=True):
            picture.letter = letter
        self._show_pictures()

    def _show_pictures(self) -> None:
        for pane, picture in zip(self.panes, self.pictures, strict=True):
            pane.show_pictures([picture])
        self.split_pane.show_pictures(self.pictures)
        for caption, picture in zip(self.captions, self.pictures, strict=True):
            item = picture.item
            size = f"{item.width}×{item.height}" if item.width and item.height else ""
            prompt = " ".join(item.prompt.split())
            caption.setText(" · ".join(p for p in (picture.letter, prompt, item.model, size) if p))
            caption.setToolTip(item.prompt)

    # ------------------------------------------------------------ zoom

    def fit(self) -> None:
        """Both images whole in their panes (never blown up past 100 %), centred."""
        bounds = self.state.bounds
        if bounds.isEmpty():
            self.state.set(1.0, QPointF(0, 0), fitting=True)
            return
        zoom = min(
            min(pane.width() / bounds.width(), pane.height() / bounds.height())
            for pane in self.visible_panes()
        )
        self.state.set(min(zoom, 1.0), bounds.center(), fitting=True)

    def actual_size(self) -> None:
        """1:1: one pixel of the wider image to one screen pixel (device pixels)."""
        self.state.set(1.0 / self.devicePixelRatioF(), self.state.centre)

    def _zoom_changed(self) -> None:
        self.zoom_label.setText(f"{self.state.zoom * self.devicePixelRatioF() * 100:.0f} %")

    # ------------------------------------------------------------ loading

    def start(self) -> None:
        """Decode both images off the UI thread; ``loaded`` is set when both are in."""
        loop = asyncio.get_running_loop()
        self._loads = [loop.create_task(self._load(p)) for p in self.pictures]
        gathered = asyncio.gather(*self._loads, return_exceptions=True)
        gathered.add_done_callback(lambda _f: self.loaded.set())

    async def _load(self, picture: Picture) -> None:
        try:
            image = await run_blocking(read_image, picture.path)
        except Exception as exc:
            picture.error = str(exc)
            log.info("compare: %s", exc)
        else:
            picture.pixmap = QPixmap.fromImage(image)
        self.state.bounds = lay_out(self.pictures)
        if self.state.fitting:
            self.fit()
        for pane in (*self.panes, self.split_pane):
            pane.update()

    async def settle(self) -> None:
        if self._loads:
            await asyncio.gather(*self._loads, return_exceptions=True)

    def stop_loading(self) -> None:
        for load in self._loads:
            load.cancel()

    async def aclose(self) -> None:
        self.stop_loading()
        await self.settle()
        if Shiboken.isValid(self):
            self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter must not close it (QDialog's default button behaviour); Esc still does.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)
