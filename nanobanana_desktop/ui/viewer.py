"""The image viewer: one gallery image large, with zoom, pan, next/previous and its details.

The full image is decoded in a worker thread (QImageReader makes a QImage, which unlike a
QPixmap may be made off the UI thread); until it arrives the previous one stays on screen.
Left and Right walk the gallery's current order, loading the next page at its end.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QImageReader,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..blocking import run_blocking
from ..engine.gallery import GalleryItem
from .style import TOOL_BUTTON_STYLE, muted

if TYPE_CHECKING:
    from ..engine.store import Store
    from .gallery_model import GalleryModel

log = logging.getLogger(__name__)

__all__ = ["ImageCanvas", "ImageViewer", "tool_button"]

ZOOM_STEP = 1.25  # one wheel notch
ZOOM_MIN = 0.02
ZOOM_MAX = 32.0
MAX_PIXELS = 120_000_000  # beyond any generated image; a decompression bomb stops here


def read_image(path: Path) -> QImage:
    """Runs in a worker thread: the whole image, upright (EXIF orientation applied)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and size.width() * size.height() > MAX_PIXELS:
        raise ValueError(
            QCoreApplication.translate(
                "ImageViewer", "{name} is {width}x{height} pixels, too many to show"
            ).format(name=path.name, width=size.width(), height=size.height())
        )
    image = reader.read()
    if image.isNull():
        raise ValueError(
            QCoreApplication.translate("ImageViewer", "{name} cannot be shown: {why}").format(
                name=path.name, why=reader.errorString()
            )
        )
    return image


def tool_button(name: str, text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
    """A small secondary button of the viewers' tool rows."""
    made = QToolButton()
    made.setObjectName(name)
    made.setText(text)
    made.setToolTip(tip)
    made.setStyleSheet(TOOL_BUTTON_STYLE)
    made.clicked.connect(lambda _checked=False: slot())
    return made


class ImageCanvas(QGraphicsView):
    """Wheel zoom around the cursor, drag to pan, "fit" that follows the window's size."""

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(Qt.GlobalColor.black)
        self.fitting = True  # fit follows resizes until the user zooms

    def set_image(self, image: QImage) -> None:
        self.item.setPixmap(QPixmap.fromImage(image))
        self.scene().setSceneRect(self.item.boundingRect())
        self.fit()

    def zoom(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        self.fitting = True
        if not self.item.pixmap().isNull():
            self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)
            if self.zoom() > 1.0:  # small images are not blown up to fill the window
                self.set_zoom(1.0, fitting=True)
        self.zoom_changed.emit(self.zoom())

    def actual_size(self) -> None:
        """1:1: one image pixel to one screen pixel (device pixels on HiDPI screens)."""
        self.set_zoom(1.0 / self.devicePixelRatioF())

    def set_zoom(self, factor: float, *, fitting: bool = False) -> None:
        factor = max(ZOOM_MIN, min(ZOOM_MAX, factor))
        self.fitting = fitting
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.resetTransform()
        self.scale(factor, factor)
        self.setTransformationAnchor(anchor)
        self.zoom_changed.emit(self.zoom())

    def zoom_by(self, steps: float) -> None:
        """Zoom by ``steps`` notches, keeping the point under the cursor in place."""
        target = max(ZOOM_MIN, min(ZOOM_MAX, self.zoom() * ZOOM_STEP**steps))
        factor = target / self.zoom()
        self.fitting = False
        self.scale(factor, factor)  # the anchor is under the mouse
        self.zoom_changed.emit(self.zoom())

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / 120
        if notches:
            self.zoom_by(notches)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fitting:
            self.fit()


class ImageViewer(QDialog):
    row_changed = Signal(int)  # the gallery row shown, for the gallery's selection

    def __init__(self, model: GalleryModel, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageViewer")
        self.setWindowTitle(self.tr("Image"))
        self.resize(1200, 800)
        self.model = model
        self.store = store
        self.row = -1
        self.item: GalleryItem | None = None
        self.error: str | None = None
        self._load: asyncio.Task[Any] | None = None
        self._details: asyncio.Task[Any] | None = None
        self.loaded = asyncio.Event()

        self.canvas = ImageCanvas()
        self.canvas.setObjectName("viewerCanvas")
        self.canvas.zoom_changed.connect(self._zoom_changed)
        self.message = muted(QLabel(""))
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextFormat(Qt.TextFormat.PlainText)

        button = tool_button
        self.prev_button = button(
            "viewerPrev", "◀", self.tr("Previous image (Left)"), self.previous
        )
        self.next_button = button("viewerNext", "▶", self.tr("Next image (Right)"), self.next)
        self.fit_button = button(
            "viewerFit", self.tr("Fit"), self.tr("Fit the window (F)"), self.canvas.fit
        )
        self.actual_button = button(
            "viewerActual", "1:1", self.tr("Actual size (1)"), self.canvas.actual_size
        )
        self.zoom_label = muted(QLabel(""))
        self.position_label = muted(QLabel(""))
        tools = QHBoxLayout()
        tools.addWidget(self.prev_button)
        tools.addWidget(self.next_button)
        tools.addWidget(self.position_label)
        tools.addStretch(1)
        tools.addWidget(self.message)
        tools.addStretch(1)
        tools.addWidget(self.zoom_label)
        tools.addWidget(self.fit_button)
        tools.addWidget(self.actual_button)

        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.canvas, 1)
        left.addLayout(tools)

        self.fields: dict[str, QLabel] = {}
        self.copy_buttons: dict[str, QToolButton] = {}
        grid = QGridLayout()
        grid.setColumnStretch(0, 1)
        for row, (key, title, tip) in enumerate(
            (
                ("prompt", self.tr("Prompt"), self.tr("Copy the prompt")),
                ("model", self.tr("Model"), self.tr("Copy the model")),
                ("size", self.tr("Size"), self.tr("Copy the size")),
                ("credits", self.tr("Credits"), self.tr("Copy the credits")),
                ("task", self.tr("Task"), self.tr("Copy the task")),
                ("saved", self.tr("Saved"), self.tr("Copy the saved time")),
                ("path", self.tr("File"), self.tr("Copy the file")),
            )
        ):
            heading = muted(QLabel(title))
            value = QLabel("")
            value.setObjectName(f"viewer_{key}")
            value.setTextFormat(Qt.TextFormat.PlainText)  # prompts are untrusted text
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            copy = QToolButton()
            copy.setObjectName(f"copy_{key}")
            copy.setText(self.tr("Copy"))
            copy.setStyleSheet(TOOL_BUTTON_STYLE)
            copy.setToolTip(tip)
            copy.clicked.connect(lambda _c=False, k=key: self.copy_field(k))
            grid.addWidget(heading, 2 * row, 0)
            grid.addWidget(copy, 2 * row, 1, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(value, 2 * row + 1, 0, 1, 2)
            self.fields[key] = value
            self.copy_buttons[key] = copy
        side = QWidget()
        side.setObjectName("viewerDetails")
        side.setFixedWidth(300)
        side_layout = QVBoxLayout(side)
        side_layout.addLayout(grid)
        side_layout.addStretch(1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(left, 1)
        layout.addWidget(side)

        for keys, slot in (
            (Qt.Key.Key_Left, self.previous),
            (Qt.Key.Key_Right, self.next),
            (Qt.Key.Key_F, self.canvas.fit),
            (Qt.Key.Key_1, self.canvas.actual_size),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)

    # ------------------------------------------------------------ navigation

    def show_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        self.row = row
        item = self.model.item_at(row)
        self.item = item
        self.error = None
        self.loaded.clear()
        self._show_details(item, None)
        total = self.model.total
        self.position_label.setText(
            self.tr("{number} of {total}").format(number=row + 1, total=total)
        )
        self.prev_button.setEnabled(row > 0)
        self.next_button.setEnabled(row + 1 < max(total, self.model.rowCount()))
        self.message.setText(self.tr("Loading…"))
        for task in (self._load, self._details):
            if task is not None:
                task.cancel()
        loop = asyncio.get_running_loop()
        self._load = loop.create_task(self._load_image(item))
        self._details = loop.create_task(self._load_task(item))
        self.row_changed.emit(row)

    def next(self) -> None:
        if self.row + 1 >= self.model.rowCount() and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())  # at the end of the loaded pages
            asyncio.get_running_loop().create_task(self._next_after_fetch())
            return
        self.show_row(self.row + 1)

    async def _next_after_fetch(self) -> None:
        await self.model.wait_idle()
        self.show_row(self.row + 1)

    def previous(self) -> None:
        self.show_row(self.row - 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter must not close it (QDialog's default button behaviour); Esc still does.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------ loading

    async def _load_image(self, item: GalleryItem) -> None:
        path = self.model.path_of(item)
        try:
            image = await run_blocking(read_image, path)
        except Exception as exc:
            self.error = str(exc)
            self.canvas.item.setPixmap(QPixmap())
            self.message.setText(str(exc))
        else:
            if item is self.item:
                self.canvas.set_image(image)
                self.message.setText("")
        finally:
            if item is self.item:
                self.loaded.set()

    async def _load_task(self, item: GalleryItem) -> None:
        try:
            task = await self.store.get_task(item.task)
        except KeyError:
            return
        if item is self.item and task.consumed is not None:
            self._show_details(item, f"{task.consumed.normalize():f}")

    def _show_details(self, item: GalleryItem, credits: str | None) -> None:
        size = f"{item.width} × {item.height}" if item.width and item.height else self.tr("unknown")
        if item.format:
            size += f" · {item.format}"
        if item.bytes:
            size += f" · {item.bytes / 1_000_000:.1f} MB"
        server = self.tr(" · server id {id}").format(id=item.task_id) if item.task_id else ""
        values = {
            "prompt": item.prompt,
            "model": item.model,
            "size": size,
            "credits": credits or "—",
            "task": f"{item.task}{server}",
            "saved": f"{datetime.fromtimestamp(item.saved_at):%Y-%m-%d %H:%M:%S}",
            "path": str(self.model.path_of(item)),
        }
        for key, value in values.items():
            self.fields[key].setText(value)
        self.setWindowTitle(" ".join(item.prompt.split())[:80] or self.tr("Image"))

    def copy_field(self, key: str) -> None:
        if self.item is None:
            return
        values = {"prompt": self.item.prompt, "task": self.item.task_id or str(self.item.task)}
        QGuiApplication.clipboard().setText(values.get(key, self.fields[key].text()))

    def _zoom_changed(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom * self.canvas.devicePixelRatioF() * 100:.0f} %")

    async def settle(self) -> None:
        for task in (self._load, self._details):
            if task is not None and not task.done():
                await asyncio.gather(task, return_exceptions=True)

    async def aclose(self) -> None:
        for task in (self._load, self._details):
            if task is not None:
                task.cancel()
        await self.settle()
        self.close()
