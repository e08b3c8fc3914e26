"""The gallery: every saved image as a tile, with search, filters and per-image actions.

The tiles are painted by a delegate from the model's thumbnails, so a tile whose thumbnail
is still loading shows a placeholder and scrolling never waits on the disk. Actions that
touch files (trash, undo, export) run in worker threads; the store is told afterwards, so
the gallery never lists a file that is not where it says.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QFile,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRectF,
    QSize,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QFont,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QProgressBar,
    QSlider,
    QStackedLayout,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..blocking import run_blocking
from ..engine.export import ExportError, ExportFormat, ExportItem, export_image, export_many
from ..engine.gallery import GalleryFilter, GalleryItem
from .background import BackgroundTasks
from .gallery_model import GalleryModel, detach_clipboard, drag_mime
from .quality_dialog import QualityDialog
from .style import SCRIM, SEGMENT_STYLE, STAR, TOOL_BUTTON_STYLE, mix, muted, muted_colour
from .thumbnail_images import ThumbnailImages
from .translations import localized

if TYPE_CHECKING:
    import httpx

    from ..engine.store import Store
    from .compare_view import CompareView
    from .viewer import ImageViewer

log = logging.getLogger(__name__)

__all__ = ["DateRange", "GalleryDelegate", "GalleryList", "GalleryPanel"]

Index = QModelIndex | QPersistentModelIndex

TILE_MIN = 96
TILE_MAX = 320
TILE_DEFAULT = 168
THUMB_SIZE = TILE_MAX  # made once at the largest tile; smaller tiles scale it down
TILE_GAP = 8
SEARCH_DELAY_MS = 150  # typing pauses shorter than this are one search
READ_AHEAD_SCREENS = 1.0  # thumbnails loaded ahead of the scroll, in screens of rows
SCALED_KEPT = 160  # tiles' scaled pixmaps kept: a couple of screens of the smallest tiles


class DateRange(enum.Enum):
    # Shown through QCoreApplication.translate("DateRange", value) in the filter bar.
    ANY = QT_TRANSLATE_NOOP("DateRange", "Any time")
    TODAY = QT_TRANSLATE_NOOP("DateRange", "Today")
    WEEK = QT_TRANSLATE_NOOP("DateRange", "Last 7 days")
    MONTH = QT_TRANSLATE_NOOP("DateRange", "Last 30 days")

    def since(self, now: float) -> float | None:
        if self is DateRange.ANY:
            return None
        if self is DateRange.TODAY:
            # Local midnight: "today" is the user's calendar day, not the last 24 hours.
            moment = datetime.fromtimestamp(now)
            return moment.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        return now - (7 if self is DateRange.WEEK else 30) * 86400


@dataclass(frozen=True)
class Trashed:
    """An image moved to the trash by this run: enough to move it back."""

    item: GalleryItem
    library_path: Path
    trash_path: Path


# ---------------------------------------------------------------- file work, off the UI thread


def _move_to_trash(paths: Sequence[tuple[int, Path]]) -> tuple[dict[int, Path], list[str]]:
    """Each file to the system trash (never unlinked); where it went, and what failed."""
    moved: dict[int, Path] = {}
    failed: list[str] = []
    # Qt's freedesktop trash fails ("Bad file descriptor") when the data folder that holds
    # the home trash does not exist yet, as on a fresh account: make it first.
    data = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    if data:
        try:
            Path(data).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.info("no data folder for the trash: %s", exc)
    for image_id, path in paths:
        handle = QFile(str(path))
        if handle.moveToTrash():
            moved[image_id] = Path(handle.fileName())
        else:
            why = handle.errorString() or QCoreApplication.translate(
                "GalleryPanel", "the trash refused it"
            )
            failed.append(f"{path.name}: {why}")
    return moved, failed


def _move_back(entries: Sequence[Trashed]) -> tuple[list[Trashed], list[str]]:
    """Undo: each file from the trash to where it was, and its trash record removed."""
    back: list[Trashed] = []
    failed: list[str] = []
    for entry in entries:
        target = entry.library_path
        if target.exists():
            again = QCoreApplication.translate("GalleryPanel", "a file of that name is there again")
            failed.append(f"{target.name}: {again}")
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(entry.trash_path, target)
        except OSError as exc:
            failed.append(f"{target.name}: {exc.strerror or exc}")
            continue
        # The freedesktop trash keeps a .trashinfo beside "files/": without it the trash
        # would list a file that is no longer in it.
        info = entry.trash_path.parent.parent / "info" / f"{entry.trash_path.name}.trashinfo"
        if entry.trash_path.parent.name == "files":
            try:
                info.unlink(missing_ok=True)
            except OSError as exc:
                log.info("trash record %s stays: %s", info, exc)
        back.append(entry)
    return back, failed


# ---------------------------------------------------------------- the tiles


class GalleryDelegate(QStyledItemDelegate):
    """One tile: a cell of the grid with the thumbnail centred in it, its shape kept
    (letterboxed), a placeholder of that shape while it loads, a plain "unreadable" tile
    for a broken file, and a star badge.

    A thumbnail is scaled to its tile and its corners rounded once, into a QPixmap kept
    for the next paints (a smooth scale under a rounded clip costs about 0.2 ms a tile;
    drawing the kept pixmap a tenth of that): a scroll repaints each tile it uncovers in
    two or three strips, and hover and selection repaint tiles too.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scaled: OrderedDict[tuple[int, int, int, int], QPixmap] = OrderedDict()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        view = self.parent()
        if isinstance(view, GalleryList) and view.gridSize().isValid():
            return view.gridSize()  # the whole cell: the tile's backdrop fills it
        return QSize(TILE_DEFAULT + TILE_GAP, TILE_DEFAULT + TILE_GAP)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        # The model's own methods, not index.data(): no QVariant round trip per tile, and
        # None stays None (PySide6 6.12 on Python 3.11 loses a reference to None on each
        # None it returns through QModelIndex.data; see the gallery's issue note).
        model = index.model()
        if not isinstance(model, GalleryModel) or not 0 <= index.row() < model.rowCount():
            return
        item = model.item_at(index.row())
        palette: QPalette = option.palette  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        half = TILE_GAP / 2
        cell = QRectF(option.rect).adjusted(half, half, -half, -half)  # type: ignore[attr-defined]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        base = palette.color(QPalette.ColorRole.Base)
        window = palette.color(QPalette.ColorRole.Window)
        # Every cell has the same quiet backdrop, so tiles of any shape line up as a grid.
        backdrop = mix(base, window, 0.55)
        pen: QPen | Qt.PenStyle = Qt.PenStyle.NoPen
        if selected or hovered:
            highlight = palette.color(QPalette.ColorRole.Highlight)
            backdrop = mix(backdrop, highlight, 0.22 if selected else 0.08)
            if selected:
                pen = QPen(highlight, 2.0)
        painter.setPen(pen)
        painter.setBrush(backdrop)
        painter.drawRoundedRect(cell.adjusted(1, 1, -1, -1), 8, 8)
        area = cell.adjusted(8, 8, -8, -8)
        image = model.thumbnail(item)
        error = model.thumbnail_error(item)
        if image is not None and not image.isNull():
            scale = min(area.width() / image.width(), area.height() / image.height())
            w, h = round(image.width() * scale), round(image.height() * scale)
            target = QRectF(
                round(area.center().x() - w / 2), round(area.center().y() - h / 2), w, h
            )
            ratio = painter.device().devicePixelRatioF()
            # A 1:1 copy: smoothing and antialiasing only slow the blend down.
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.drawPixmap(target.topLeft(), self._tile_pixmap(image, w, h, ratio))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            star_anchor = target
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(mix(backdrop, window, 0.9) if error else mix(backdrop, base, 0.7))
            ratio = (item.width or 1) / (item.height or 1) if item.width and item.height else 1.0
            w = min(area.width(), area.height() * ratio)
            h = w / ratio
            target = QRectF(area.center().x() - w / 2, area.center().y() - h / 2, w, h)
            painter.drawRoundedRect(target, 4, 4)
            if error:
                painter.setPen(muted_colour(palette, QPalette.ColorRole.Text))
                font = QFont(option.font)  # type: ignore[attr-defined]
                font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
                painter.setFont(font)
                painter.drawText(
                    target.adjusted(6, 6, -6, -6),
                    int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap),
                    self.tr("⚠\nunreadable"),
                )
            star_anchor = target
        if item.starred:
            self._paint_star(painter, star_anchor)
        painter.restore()

    def _tile_pixmap(self, image: QImage, width: int, height: int, ratio: float) -> QPixmap:
        """``image`` at ``width`` × ``height`` with rounded corners, made once and kept."""
        key = (image.cacheKey(), width, height, round(ratio * 100))
        made = self._scaled.get(key)
        if made is not None:
            self._scaled.move_to_end(key)
            return made
        made = QPixmap(QSize(width, height) * ratio)
        made.setDevicePixelRatio(ratio)
        made.fill(Qt.GlobalColor.transparent)
        painter = QPainter(made)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, width, height), 4, 4)
        painter.setClipPath(path)
        painter.drawImage(QRectF(0, 0, width, height), image)
        painter.end()
        self._scaled[key] = made
        while len(self._scaled) > SCALED_KEPT:
            self._scaled.popitem(last=False)
        return made

    @staticmethod
    def _paint_star(painter: QPainter, image: QRectF) -> None:
        radius = 11.0
        centre = image.topRight() + QPointF(-radius - 5, radius + 5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(SCRIM.pick(False))
        painter.drawEllipse(centre, radius, radius)
        painter.setPen(STAR.pick(False))
        font = painter.font()
        font.setPixelSize(int(radius * 1.4))
        painter.setFont(font)
        box = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), "★")


class GalleryList(QListView):
    """Icon mode, tiles in a grid that reflows with the width; drags carry the files.

    The columns share the width evenly (no ragged margin on the right), and every tile is
    a cell of the same size whatever its image's shape, so the gaps between images stay
    even. As it scrolls, the view tells the model which rows are in sight and which come
    next in the scroll's direction (:meth:`GalleryModel.set_window`).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)  # the order is the library's, not a layout
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)  # the hover highlight
        self.setSpacing(0)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWordWrap(False)
        self.tile = TILE_DEFAULT
        self.direction = 1  # +1 scrolling down (or not yet), -1 up: where read-ahead goes
        self._last_scroll = 0
        self._window_timer = QTimer(self)
        self._window_timer.setSingleShot(True)
        self._window_timer.setInterval(0)  # once per pass of the event loop, not per step
        self._window_timer.timeout.connect(self.report_window)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._schedule_window)

    def set_tile(self, tile: int) -> None:
        self.tile = tile
        self._fit_grid()

    def cell_size(self) -> QSize:
        """One grid cell: the tile plus the gap, widened so the columns fill the width."""
        step = self.tile + TILE_GAP
        # The scroll bar's width is always set aside: cells that changed size as the bar
        # comes and goes could make it come and go again.
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        width = max(step, self.width() - 2 * self.frameWidth() - bar)
        columns = max(1, width // step)
        return QSize(width // columns, step)

    def columns(self) -> int:
        return max(1, self.viewport().width() // max(1, self.gridSize().width()))

    def _fit_grid(self) -> None:
        cell = self.cell_size()
        if cell != self.gridSize():
            self.setGridSize(cell)
            self.setIconSize(QSize(self.tile, self.tile))
        self._schedule_window()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_grid()

    # ------------------------------------------------------------ read-ahead

    def visible_rows(self) -> range:
        """The rows with any part in sight, from the grid (every cell is the same size)."""
        model = self.model()
        count = model.rowCount() if model is not None else 0
        height = max(1, self.gridSize().height())
        top = self.verticalScrollBar().value()
        first = top // height
        last = (top + max(1, self.viewport().height()) - 1) // height
        columns = self.columns()
        return range(min(count, first * columns), min(count, (last + 1) * columns))

    def read_ahead(self, visible: range) -> range:
        """A screenful of rows past ``visible`` in the scroll's direction, nearest first
        (rows past the loaded pages included: they ask for the next page)."""
        columns = self.columns()
        lines = max(2, self.viewport().height() // max(1, self.gridSize().height()) + 1)
        reach = round(lines * READ_AHEAD_SCREENS) * columns
        if self.direction > 0:
            return range(visible.stop, visible.stop + reach)
        return range(visible.start - 1, max(-1, visible.start - 1 - reach), -1)

    def report_window(self) -> None:
        model = self.model()
        if isinstance(model, GalleryModel):
            visible = self.visible_rows()
            model.set_window(visible, self.read_ahead(visible))

    def _scrolled(self, value: int) -> None:
        if value != self._last_scroll:
            self.direction = 1 if value > self._last_scroll else -1
            self._last_scroll = value
        self._schedule_window()

    def _schedule_window(self, *_args: Any) -> None:
        if not self._window_timer.isActive():
            self._window_timer.start()


# ---------------------------------------------------------------- the panel


class GalleryPanel(QWidget):
    reuse_requested = Signal(int)  # a task's local id: its prompt and settings to the composer
    reference_requested = Signal(object)  # QMimeData of one image, for the first free slot
    notice = Signal(str)  # a short message for the status bar

    native_dialogs = True  # tests turn this off: a native file dialog cannot be driven

    def __init__(
        self,
        store: Store,
        library: Path,
        thumbnails: ThumbnailImages,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.library = library
        self.model = GalleryModel(store, library, thumbnails, parent=self)
        self.undo_stack: list[list[Trashed]] = []
        self.viewer: ImageViewer | None = None
        self.compare: CompareView | None = None
        self.file_dialog: QFileDialog | None = None
        self.quality_dialog: QualityDialog | None = None
        self.jpeg_quality: int | None = None  # the last quality chosen, offered again
        self._http: httpx.AsyncClient | None = None  # for checking result links
        self.export_cancel: threading.Event | None = None
        self._task_filter: int | None = None
        self._background = BackgroundTasks("a gallery action")
        self._started = False
        self._build()
        self._build_actions()
        self.model.count_changed.connect(self._count_changed)
        self.model.modelReset.connect(self._update_empty)
        self.model.rowsInserted.connect(self._update_empty)
        self.model.rowsRemoved.connect(self._update_empty)
        self.model.failed.connect(self.notice)

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.search = QLineEdit()
        self.search.setObjectName("gallerySearch")
        self.search.setPlaceholderText(self.tr("Search prompts"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filter)

        self.model_combo = QComboBox()
        self.model_combo.setObjectName("galleryModel")
        self.model_combo.addItem(self.tr("All models"), None)
        self.model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.model_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())

        self.date_combo = QComboBox()
        self.date_combo.setObjectName("galleryDate")
        for choice in DateRange:
            self.date_combo.addItem(QCoreApplication.translate("DateRange", choice.value), choice)
        self.date_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())

        self.starred_button = QToolButton()
        self.starred_button.setObjectName("galleryStarred")
        self.starred_button.setText(self.tr("★ Starred"))
        self.starred_button.setCheckable(True)
        # A one-button segment: the filter bars' checked look, rounded on both sides.
        self.starred_button.setProperty("segment", "only")
        self.starred_button.setStyleSheet(
            SEGMENT_STYLE + "QToolButton[segment='only'] { border: 1px solid palette(mid);"
            " border-radius: 6px; }"
        )
        self.starred_button.setToolTip(self.tr("Show only starred images (S stars the selection)"))
        self.starred_button.toggled.connect(lambda _on: self.apply_filter())

        self.task_chip = QToolButton()
        self.task_chip.setObjectName("galleryTaskChip")
        self.task_chip.setStyleSheet(TOOL_BUTTON_STYLE)
        self.task_chip.setToolTip(self.tr("Showing one task's images; click to show all"))
        self.task_chip.clicked.connect(lambda: self.show_task(None))
        self.task_chip.hide()

        self.zoom = QSlider(Qt.Orientation.Horizontal)
        self.zoom.setObjectName("galleryZoom")
        self.zoom.setRange(TILE_MIN, TILE_MAX)
        self.zoom.setValue(TILE_DEFAULT)
        self.zoom.setFixedWidth(120)
        self.zoom.setToolTip(self.tr("Tile size"))
        self.zoom.valueChanged.connect(self.set_tile_size)

        self.count_label = muted(QLabel(""))
        self.count_label.setObjectName("galleryCount")

        self.compare_button = QToolButton()
        self.compare_button.setObjectName("galleryCompare")
        self.compare_button.setText(self.tr("◧ Compare"))
        self.compare_button.setStyleSheet(TOOL_BUTTON_STYLE)
        self.compare_button.setToolTip(self.tr("Compare the two selected images (C)"))
        self.compare_button.clicked.connect(lambda _c=False: self.compare_selected())
        self.compare_button.hide()  # shown while exactly two images are selected

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(8)
        bar.addWidget(self.search, 2)
        bar.addWidget(self.model_combo)
        bar.addWidget(self.date_combo)
        bar.addWidget(self.starred_button)
        bar.addWidget(self.task_chip)
        bar.addStretch(1)
        bar.addWidget(self.compare_button)
        bar.addWidget(self.count_label)
        bar.addSpacing(8)
        zoom_icon = muted(QLabel("▦"))
        bar.addWidget(zoom_icon)
        bar.addWidget(self.zoom)

        self.view = GalleryList()
        self.view.setObjectName("galleryView")
        self.delegate = GalleryDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setModel(self.model)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.set_tile_size(TILE_DEFAULT)

        self.empty_label = muted(QLabel(""))
        self.empty_label.setObjectName("galleryEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self._stack = QStackedLayout()
        self._stack.addWidget(self.view)
        self._stack.addWidget(self.empty_label)
        holder = QWidget()
        holder.setLayout(self._stack)

        # A transient bar for "moved to the trash — Undo" and for an export's progress.
        self.undo_label = QLabel("")
        self.undo_label.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QToolButton()
        self.undo_button.setObjectName("galleryUndo")
        self.undo_button.setText(self.tr("Undo"))
        self.undo_button.setStyleSheet(TOOL_BUTTON_STYLE)
        self.undo_button.clicked.connect(self.undo)
        self.progress = QProgressBar()
        self.progress.setObjectName("galleryProgress")
        self.progress.setMaximumWidth(240)
        self.cancel_button = QToolButton()
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setStyleSheet(TOOL_BUTTON_STYLE)
        self.cancel_button.clicked.connect(self.cancel_export)
        self.notice_bar = QFrame()
        self.notice_bar.setObjectName("galleryNoticeBar")
        self.notice_bar.setStyleSheet(
            "#galleryNoticeBar { background: palette(alternate-base); border-radius: 6px; }"
        )
        row = QHBoxLayout(self.notice_bar)
        row.setContentsMargins(10, 4, 6, 4)
        row.addWidget(self.undo_label, 1)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        row.addWidget(self.undo_button)
        self.notice_bar.hide()
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(10000)
        self._notice_timer.timeout.connect(self.notice_bar.hide)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(bar)
        layout.addWidget(holder, 1)
        layout.addWidget(self.notice_bar)
        self._update_empty()

    def _build_actions(self) -> None:
        """Every per-image action, with its shortcut while the gallery has the focus."""

        def action(
            name: str, text: str, keys: str | QKeySequence.StandardKey | None, slot: Any
        ) -> QAction:
            made = QAction(text, self)
            made.setObjectName(name)
            if keys is not None:
                made.setShortcut(QKeySequence(keys))
                made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            made.triggered.connect(lambda _checked=False: slot())
            self.addAction(made)
            return made

        self.open_action = action("open", self.tr("Open"), None, self.open_current)
        self.compare_action = action("compare", self.tr("Compare"), "C", self.compare_selected)
        # Enter, and a double click (a single one where the desktop activates on it).
        self.view.activated.connect(lambda index: self.open_viewer(index.row()))
        self.save_as_action = action("saveAs", self.tr("Save As…"), "Ctrl+Shift+S", self.save_as)
        self.export_actions = {
            fmt: action(
                f"export{fmt.name}",
                self.tr("Export selection as {format}…").format(format=fmt.name),
                "Ctrl+E" if fmt is ExportFormat.PNG else None,
                lambda f=fmt: self.export_selection(f),
            )
            for fmt in ExportFormat
        }
        self.copy_image_action = action(
            "copyImage", self.tr("Copy image"), QKeySequence.StandardKey.Copy, self.copy_image
        )
        self.copy_prompt_action = action(
            "copyPrompt", self.tr("Copy prompt"), "Ctrl+Shift+C", self.copy_prompt
        )
        self.reveal_action = action("reveal", self.tr("Show in folder"), None, self.reveal)
        self.open_default_action = action(
            "openDefault", self.tr("Open with default app"), None, self.open_default
        )
        self.reference_action = action(
            "useReference", self.tr("Use as reference"), "Ctrl+Shift+R", self.use_as_reference
        )
        self.reuse_action = action("reuse", self.tr("Reuse prompt and settings"), None, self.reuse)
        self.star_action = action(
            "star", self.tr("Star"), "S", lambda: self._spawn(self.toggle_star())
        )
        self.trash_action = action(
            "trash",
            self.tr("Move to trash"),
            QKeySequence.StandardKey.Delete,
            lambda: self._spawn(self.trash_selected()),
        )
        self.undo_action = action(
            "undo", self.tr("Undo move to trash"), QKeySequence.StandardKey.Undo, self.undo
        )
        self._selection_changed()

    # ------------------------------------------------------------ filters and model

    def start(self) -> None:
        """The first showing: read the first page and the model list (once)."""
        if not self._started:
            self._started = True
            self.apply_filter()

    def current_filter(self) -> GalleryFilter:
        date = self.date_combo.currentData()
        return GalleryFilter(
            text=self.search.text(),
            model=self.model_combo.currentData(),
            since=date.since(time.time()) if isinstance(date, DateRange) else None,
            starred=self.starred_button.isChecked(),
            task=self._task_filter,
        )

    def apply_filter(self) -> None:
        self._search_timer.stop()
        self._started = True
        chosen = self.current_filter()
        if chosen == self.model.filter and self.model.rowCount() and not self.model.exhausted:
            return
        self.model.set_filter(chosen)
        self._spawn(self._refresh_models())

    def show_task(self, local_id: int | None) -> None:
        """Only this task's images (the task list's "Show in gallery"); None: all again."""
        self._task_filter = local_id
        if local_id is None:
            self.task_chip.hide()
        else:
            self.task_chip.setText(self.tr("Task {id}  ✕").format(id=local_id))
            self.task_chip.show()
        self.apply_filter()

    async def _refresh_models(self) -> None:
        chosen = replace(self.current_filter(), model=None)
        models = await self.store.gallery_models(chosen)
        current = self.model_combo.currentData()
        self.model_combo.blockSignals(True)
        try:
            self.model_combo.clear()
            self.model_combo.addItem(self.tr("All models"), None)
            for name, count in models:
                self.model_combo.addItem(f"{name} ({count})", name)
            if current is not None and self.model_combo.findData(current) < 0:
                self.model_combo.addItem(f"{current} (0)", current)  # keep the user's choice
            self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(current)))
        finally:
            self.model_combo.blockSignals(False)

    def set_tile_size(self, size: int) -> None:
        self.view.set_tile(size)

    def _count_changed(self, total: int) -> None:
        self.count_label.setText(
            self.tr("1 image") if total == 1 else self.tr("{count} images").format(count=total)
        )
        self._update_empty()

    def _update_empty(self) -> None:
        if self.model.rowCount() > 0:
            self._stack.setCurrentWidget(self.view)
            return
        chosen = self.model.filter
        narrowed = chosen != GalleryFilter(text=chosen.text) or chosen.text.strip()
        self.empty_label.setText(
            self.tr("No image matches these filters.")
            if narrowed
            else self.tr("No images yet.\n\nImages you generate appear here as they are saved.")
        )
        self._stack.setCurrentWidget(self.empty_label)

    def image_saved(self, image_id: int) -> None:
        """The engine saved an image: it joins the gallery (if the filter shows it)."""
        if self._started:
            self._spawn(self.model.add_saved(image_id))

    # ------------------------------------------------------------ selection

    def selected_items(self) -> list[GalleryItem]:
        rows = sorted(index.row() for index in self.view.selectionModel().selectedIndexes())
        return [self.model.item_at(row) for row in rows]

    def current_item(self) -> GalleryItem | None:
        index = self.view.currentIndex()
        if index.isValid() and self.view.selectionModel().isSelected(index):
            return self.model.item_at(index.row())
        chosen = self.selected_items()
        return chosen[0] if chosen else None

    def select_rows(self, rows: Sequence[int]) -> None:
        selection = self.view.selectionModel()
        flags = selection.SelectionFlag
        if rows:
            # Current first, without touching the selection: the view's own setCurrentIndex
            # would clear the rows selected before it.
            selection.setCurrentIndex(self.model.index(rows[0]), flags.NoUpdate)
        selection.clearSelection()
        for row in rows:
            selection.select(self.model.index(row), flags.Select)
        if rows:
            self.view.scrollTo(self.model.index(rows[0]))

    def _selection_changed(self) -> None:
        chosen = self.selected_items()
        one = len(chosen) == 1
        for single in (
            self.open_action,
            self.save_as_action,
            self.reveal_action,
            self.open_default_action,
            self.reference_action,
            self.reuse_action,
        ):
            single.setEnabled(one)
        for many in (
            self.copy_image_action,
            self.copy_prompt_action,
            self.star_action,
            self.trash_action,
        ):
            many.setEnabled(bool(chosen))
        for export in self.export_actions.values():
            export.setEnabled(bool(chosen) and self.export_cancel is None)
        self.copy_image_action.setEnabled(one)
        self.copy_prompt_action.setEnabled(one)
        pair = len(chosen) == 2
        self.compare_action.setEnabled(pair)
        self.compare_button.setVisible(pair)
        all_starred = bool(chosen) and all(item.starred for item in chosen)
        self.star_action.setText(self.tr("Unstar") if all_starred else self.tr("Star"))
        self.undo_action.setEnabled(bool(self.undo_stack))

    def build_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.addAction(self.open_action)
        if self.compare_action.isEnabled():
            menu.addAction(self.compare_action)
        menu.addAction(self.open_default_action)
        menu.addAction(self.reveal_action)
        menu.addSeparator()
        menu.addAction(self.reference_action)
        menu.addAction(self.reuse_action)
        menu.addSeparator()
        menu.addAction(self.copy_image_action)
        menu.addAction(self.copy_prompt_action)
        menu.addSeparator()
        menu.addAction(self.save_as_action)
        for export in self.export_actions.values():
            menu.addAction(export)
        menu.addSeparator()
        menu.addAction(self.star_action)
        menu.addAction(self.trash_action)
        return menu

    def _context_menu(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if not index.isValid():
            return
        if not self.view.selectionModel().isSelected(index):
            self.select_rows([index.row()])
        menu = self.build_menu()
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(self.view.viewport().mapToGlobal(position))

    # ------------------------------------------------------------ actions

    def path_of(self, item: GalleryItem) -> Path:
        return item.file(self.library)

    def open_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.open_viewer(index.row())

    def open_viewer(self, row: int) -> ImageViewer:
        from .viewer import ImageViewer

        if self.viewer is None:
            self.viewer = ImageViewer(self.model, self.store, parent=self)
            self.viewer.row_changed.connect(lambda r: self.select_rows([r]))
        self.viewer.show_row(row)
        if self.viewer.isVisible():
            # Open already, perhaps behind the window: bring it forward.
            self.viewer.raise_()
            self.viewer.activateWindow()
        else:
            self.viewer.show()
        return self.viewer

    def compare_selected(self) -> CompareView | None:
        """The two selected images in the compare view (nothing for any other count)."""
        from .compare_view import CompareView

        chosen = self.selected_items()
        if len(chosen) != 2:
            return None
        if self.compare is not None:
            self.compare.close()  # one comparison at a time
        # Current first: A is the image the user started from, B the one added.
        current = self.current_item()
        if current is not None and current.image_id == chosen[1].image_id:
            chosen.reverse()
        compare = CompareView(self.model, chosen, parent=self)
        compare.finished.connect(lambda _result: self._compare_closed(compare))
        self.compare = compare
        compare.start()
        compare.show()
        return compare

    def _compare_closed(self, compare: CompareView) -> None:
        if self.compare is compare:
            self.compare = None
        compare.stop_loading()  # a cancelled load touches no widget: Qt may delete it
        compare.deleteLater()

    def copy_image(self) -> None:
        item = self.current_item()
        if item is not None:
            QGuiApplication.clipboard().setMimeData(drag_mime([item], self.library))
            self.notice.emit(self.tr("Image copied"))

    def copy_prompt(self) -> None:
        item = self.current_item()
        if item is not None:
            QGuiApplication.clipboard().setText(item.prompt)
            self.notice.emit(self.tr("Prompt copied"))

    def reveal(self) -> None:
        item = self.current_item()
        if item is not None:
            # Opening the folder works on every desktop; selecting the file in it would
            # need each file manager's own command line.
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path_of(item).parent)))

    def open_default(self) -> None:
        item = self.current_item()
        if item is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path_of(item))))

    def use_as_reference(self) -> None:
        item = self.current_item()
        if item is not None:
            self._spawn(self.send_reference(item))

    async def send_reference(self, item: GalleryItem) -> None:
        """Offer ``item`` to the composer's first free slot: its result link while that
        still works (see engine/result_links.py), else the local file, sent inline."""
        from ..engine.downloads import image_http_client
        from ..engine.result_links import LINK_CHECK_TIMEOUT, usable_link

        if self._http is None:
            self._http = image_http_client(timeout=LINK_CHECK_TIMEOUT)
        link = await usable_link(item.origin, item.saved_at, self._http)
        self.reference_requested.emit(drag_mime([item], self.library, source_url=link))

    def reuse(self) -> None:
        item = self.current_item()
        if item is not None:
            self.reuse_requested.emit(item.task)

    async def toggle_star(self) -> None:
        chosen = self.selected_items()
        if not chosen:
            return
        starred = not all(item.starred for item in chosen)
        ids = [item.image_id for item in chosen]
        await self.store.set_starred(ids, starred)
        self.model.update_items(await self.store.gallery_items(ids))
        self._selection_changed()

    async def trash_selected(self) -> None:
        chosen = self.selected_items()
        if not chosen:
            return
        paths = [(item.image_id, self.path_of(item)) for item in chosen]
        moved, failed = await run_blocking(_move_to_trash, paths)
        if moved:
            await self.store.mark_deleted(
                list(moved), trashed_paths={i: str(p) for i, p in moved.items()}
            )
            self.undo_stack.append(
                [
                    Trashed(item, self.path_of(item), moved[item.image_id])
                    for item in chosen
                    if item.image_id in moved
                ]
            )
            self.model.remove_ids(moved)
            count = len(moved)
            self._show_notice(
                self.tr("Moved 1 image to the trash")
                if count == 1
                else self.tr("Moved {count} images to the trash").format(count=count),
                undo=True,
            )
        if failed:
            self.notice.emit(self.tr("Not moved to the trash: {why}").format(why="; ".join(failed)))
        self._selection_changed()

    def undo(self) -> None:
        if self.undo_stack:
            self._spawn(self.undo_trash())

    async def undo_trash(self) -> None:
        """Move the last batch back from the trash, and tell the store."""
        if not self.undo_stack:
            return
        batch = self.undo_stack.pop()
        back, failed = await run_blocking(_move_back, batch)
        if back:
            restored = await self.store.restore([entry.item.image_id for entry in back])
            for entry in back:
                self.model.thumbnails.forget(str(entry.library_path))
            await self.model.insert_items(restored)
            self.select_rows(
                [r for e in back if (r := self.model.row_of(e.item.image_id)) is not None]
            )
        count = len(back)
        self._show_notice(
            self.tr("Restored 1 image")
            if count == 1
            else self.tr("Restored {count} images").format(count=count),
            undo=False,
        )
        if failed:
            self.notice.emit(self.tr("Not restored: {why}").format(why="; ".join(failed)))
        self._selection_changed()

    def _show_notice(self, text: str, *, undo: bool) -> None:
        self.undo_label.setText(text)
        self.undo_button.setVisible(undo and bool(self.undo_stack))
        self.progress.hide()
        self.cancel_button.hide()
        self.notice_bar.show()
        self._notice_timer.start()

    # ------------------------------------------------------------ save and export

    def _dialog(self, title: str, start: str) -> QFileDialog:
        dialog = QFileDialog(self, title, start)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, not self.native_dialogs)
        dialog.finished.connect(dialog.deleteLater)
        self.file_dialog = dialog
        return dialog

    def save_as(self) -> QFileDialog | None:
        item = self.current_item()
        if item is None:
            return None
        source = self.path_of(item)
        dialog = self._dialog(self.tr("Save image as"), str(Path.home() / source.name))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        filters = {
            self.tr("PNG image (*.png)"): ExportFormat.PNG,
            self.tr("JPEG image (*.jpg *.jpeg)"): ExportFormat.JPEG,
            self.tr("WebP image (*.webp)"): ExportFormat.WEBP,
        }
        dialog.setNameFilters(list(filters))
        own = {"JPEG": ExportFormat.JPEG, "WEBP": ExportFormat.WEBP}.get(item.format or "")
        chosen = next(k for k, v in filters.items() if v is (own or ExportFormat.PNG))
        dialog.selectNameFilter(chosen)

        def selected(path: str) -> None:
            target = Path(path)
            fmt = filters.get(dialog.selectedNameFilter(), ExportFormat.PNG)
            if target.suffix.lower() not in (".png", ".jpg", ".jpeg", ".webp"):
                target = target.with_name(target.name + fmt.extension)
            if ExportFormat.for_path(target) is ExportFormat.JPEG:
                self.ask_quality(item, target)
            else:
                self._spawn(self.save_to(item, target))

        dialog.fileSelected.connect(selected)
        dialog.open()
        return dialog

    def ask_quality(self, item: GalleryItem, target: Path) -> QualityDialog:
        """The JPEG quality for Save As; saving starts when the user confirms it."""
        dialog = QualityDialog(
            target.name,
            source_is_jpeg=item.format == "JPEG",
            quality=self.jpeg_quality,
            parent=self,
        )
        dialog.finished.connect(dialog.deleteLater)

        def chosen() -> None:
            quality = dialog.quality()
            if quality is not None:
                self.jpeg_quality = quality
            self._spawn(self.save_to(item, target, quality))

        dialog.accepted.connect(chosen)
        self.quality_dialog = dialog
        dialog.open()
        return dialog

    async def save_to(self, item: GalleryItem, target: Path, quality: int | None = None) -> None:
        try:
            await run_blocking(export_image, self.path_of(item), target, quality=quality)
        except ExportError as exc:
            self.notice.emit(localized(str(exc)))
            return
        self.notice.emit(self.tr("Saved {name}").format(name=target.name))

    def export_selection(self, fmt: ExportFormat) -> QFileDialog | None:
        chosen = self.selected_items()
        if not chosen:
            return None
        title = self.tr("Export {count} image(s) as {format} to")
        dialog = self._dialog(title.format(count=len(chosen), format=fmt.name), str(Path.home()))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(
            lambda folder: self._spawn(self.export_to(chosen, Path(folder), fmt))
        )
        dialog.open()
        return dialog

    async def export_to(
        self, items: Sequence[GalleryItem], folder: Path, fmt: ExportFormat
    ) -> None:
        """Export ``items`` into ``folder`` off the UI thread, with progress and Cancel."""
        loop = asyncio.get_running_loop()
        cancel = threading.Event()
        self.export_cancel = cancel
        self.progress.setRange(0, len(items))
        self.progress.setValue(0)
        self.undo_label.setText(
            self.tr("Exporting {count} image(s) to {folder}…").format(
                count=len(items), folder=folder.name
            )
        )
        for widget in (self.progress, self.cancel_button):
            widget.show()
        self.undo_button.hide()
        self.notice_bar.show()
        self._notice_timer.stop()
        self._selection_changed()

        def progress(done: int, _total: int) -> None:
            # Called on the worker thread: the bar is updated on the UI thread.
            loop.call_soon_threadsafe(self.progress.setValue, done)

        exports = [ExportItem(self.path_of(item)) for item in items]
        try:
            report = await run_blocking(export_many, exports, folder, fmt, progress, cancel=cancel)
        except ExportError as exc:
            self._show_notice(localized(str(exc)), undo=False)
            return
        finally:
            self.export_cancel = None
            self._selection_changed()
        text = self.tr("Exported {count} image(s) to {folder}").format(
            count=len(report.written), folder=folder
        )
        if report.cancelled:
            text += self.tr(" (cancelled)")
        if report.failed:
            whys = "; ".join(localized(why) for _, why in report.failed)
            text += self.tr("; {count} failed: {why}").format(count=len(report.failed), why=whys)
        self._show_notice(text, undo=False)

    def cancel_export(self) -> None:
        if self.export_cancel is not None:
            self.export_cancel.set()

    # ------------------------------------------------------------ housekeeping

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        self._background.spawn(coro)

    async def settle(self) -> None:
        """Until every action started here, and the model's pages, have finished."""
        await self._background.settle()
        await self.model.wait_idle()
        if self.viewer is not None:
            await self.viewer.settle()
        if self.compare is not None:
            await self.compare.settle()

    async def aclose(self) -> None:
        self.cancel_export()
        await self._background.cancel()
        if self.viewer is not None:
            await self.viewer.aclose()
        if self.compare is not None:
            await self.compare.aclose()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        await self.model.aclose()
        await detach_clipboard()
