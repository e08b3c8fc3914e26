"""The gallery's model: the library's saved images, newest first, a page at a time.

Rows come from the store in pages (``canFetchMore``/``fetchMore``, continued after the last
row's cursor, so an image saved meanwhile never shifts a page). A new filter resets the
model; everything else changes single rows: an image the engine saves is inserted where
its time puts it, a star repaints its row, a deletion removes its rows.

Thumbnails load for the rows the view paints and for a read-ahead window it reports
(:meth:`GalleryModel.set_window`: the rows in sight, then a margin ahead of the scroll).
At most ``MAX_LOADS`` are in flight at a time, rows in sight first: a fast scroll over
thousands of images leaves no backlog of loads for tiles long gone, so the ones the user
stops at come next. Painting never waits: a tile without its thumbnail shows a placeholder.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import logging
import os
from collections.abc import Coroutine, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QImage

from ..blocking import run_blocking
from ..engine.gallery import GalleryFilter, GalleryItem
from .reference_slots import GALLERY_MIME
from .thumbnail_images import ThumbnailImages, plain_tooltip
from .translations import localized

if TYPE_CHECKING:
    from ..engine.store import Store

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

ItemRole = Qt.ItemDataRole.UserRole + 1  # the GalleryItem
ThumbnailRole = Qt.ItemDataRole.UserRole + 2  # QImage, or None while it loads or if broken
ThumbnailErrorRole = Qt.ItemDataRole.UserRole + 3  # why there is no thumbnail, or None
PathRole = Qt.ItemDataRole.UserRole + 4  # the file's absolute path

PAGE_SIZE = 120  # a screenful of small tiles and then some; later pages as the view scrolls
# Later pages grow with the list, up to this: the view lays out every row again on each
# insert (15 ms at 10,000 rows), so a long scroll costs a few such layouts, not one a page.
PAGE_MAX = 4000
# Thumbnails kept in memory: this many windows (rows in sight and read-ahead) of them.
WINDOWS_IN_MEMORY = 3
MEMORY_MIN = 128
# Thumbnail loads in flight at once: one more than the cores (the blocking pool has 4
# threads). Decoding is CPU work; more loads at once only contend with the UI thread for
# the cores and the GIL (benchmarks/gallery.py, 2 cores: p99 stall about 6 ms with 3 in
# flight, 9-14 ms with 6, and the screen filled no slower), and rows scrolled past would
# hold up the ones in sight.
MAX_LOADS = max(2, min(4, (os.cpu_count() or 2) + 1))


def _order(item: GalleryItem) -> tuple[float, int]:
    """The rows' sort key: newest first, then the higher id (as the store pages them)."""
    return (-item.saved_at, -item.image_id)


class GalleryModel(QAbstractListModel):
    count_changed = Signal(int)  # how many images the filter finds, over all pages
    failed = Signal(str)  # a page could not be read: for the status bar

    def __init__(
        self,
        store: Store,
        library: Path,
        thumbnails: ThumbnailImages,
        *,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.library = library
        self.thumbnails = thumbnails
        self.page_size = page_size
        self._filter = GalleryFilter()
        self._items: list[GalleryItem] = []
        self._exhausted = True  # nothing to fetch until the first refresh
        self._fetching = False
        self._generation = 0  # a page asked for before a reset is dropped when it arrives
        self._total = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._by_id: dict[int, GalleryItem] = {}
        self._by_path: dict[str, int] = {}  # a file's path -> its image's id
        self._paths: dict[int, str] = {}  # image id -> its file's path, made once
        self._window: tuple[range, range] = (range(0), range(0))  # (in sight, read-ahead)
        thumbnails.ready.connect(self._thumbnail_ready)

    # ------------------------------------------------------------ Qt's model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == ItemRole:
            return item
        if role == PathRole:
            return self._path(item)
        if role == ThumbnailRole:
            return self.thumbnail(item)
        if role == ThumbnailErrorRole:
            return self.thumbnail_error(item)
        if role == Qt.ItemDataRole.DisplayRole:
            return " ".join(item.prompt.split())  # plain text: what keyboard search matches
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            prompt = " ".join(item.prompt.split())
            if item.starred:
                return self.tr("Image, starred, {prompt}").format(prompt=prompt)
            return self.tr("Image, {prompt}").format(prompt=prompt)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._exhausted and not self._fetching

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        self._spawn(self._fetch(self._generation))

    def mimeTypes(self) -> list[str]:
        return [GALLERY_MIME, "text/uri-list", "application/x-qt-image"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return drag_mime([self._items[row] for row in rows], self.library)

    # ------------------------------------------------------------ filter and pages

    @property
    def filter(self) -> GalleryFilter:
        return self._filter

    @property
    def total(self) -> int:
        return self._total

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    def next_page_size(self) -> int:
        """The first two pages are ``page_size``; each later one as long as the list."""
        return max(self.page_size, min(PAGE_MAX, len(self._items)))

    def set_filter(self, chosen: GalleryFilter) -> None:
        """Show what ``chosen`` finds: the model resets and its first page loads."""
        self._filter = chosen
        self._spawn(self.refresh())

    async def refresh(self) -> None:
        """Start again from the newest image (a new filter, or the first showing)."""
        self._generation += 1
        generation = self._generation
        self.beginResetModel()
        self._items = []
        self._forget_all()
        self._exhausted = False
        self._fetching = True  # the view must not ask for a page while this one loads
        self.endResetModel()
        try:
            total = await self.store.gallery_count(self._filter)
        except Exception as exc:
            self._fetching = False
            self._report(exc)
            return
        if generation != self._generation:
            return
        self._set_total(total)
        await self._fetch(generation)

    async def fetch_all(self) -> None:
        """Every remaining page (for a test, or an export of everything shown)."""
        while not self._exhausted:
            await self.wait_idle()
            if self._exhausted:
                return
            self._fetching = True
            await self._fetch(self._generation)

    async def _fetch(self, generation: int) -> None:
        after = self._items[-1].cursor if self._items else None
        size = self.next_page_size()
        try:
            page = await self.store.gallery(self._filter, limit=size, after=after)
        except Exception as exc:
            if generation == self._generation:
                self._fetching = False
            self._report(exc)
            return
        if generation != self._generation or self._closed:
            return
        # An image inserted live may also be in this page: it is there once.
        fresh = [item for item in page if item.image_id not in self._by_id]
        if fresh:
            first = len(self._items)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._items.extend(fresh)
            for item in fresh:
                self._remember(item)
            self.endInsertRows()
        self._exhausted = len(page) < size
        self._fetching = False
        if fresh:
            self._pump()  # the read-ahead window may reach into this page

    # ------------------------------------------------------------ live changes

    async def add_saved(self, image_id: int) -> bool:
        """The engine saved an image: its row appears if the filter shows it."""
        found = await self.store.gallery_items([image_id])
        if not found or self._closed:
            return False
        item = found[0]
        if not self._filter.accepts(item) or self.row_of(item.image_id) is not None:
            return False
        row = bisect.bisect_left(self._items, _order(item), key=_order)
        self._set_total(self._total + 1)
        if row == len(self._items) and not self._exhausted:
            return False  # older than every loaded row: a later page brings it
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.insert(row, item)
        self._remember(item)
        self.endInsertRows()
        return True

    def update_items(self, items: Iterable[GalleryItem]) -> None:
        """Rows whose image changed (a star): repainted, or removed if the filter no longer
        shows them (unstarred under "starred only")."""
        leaving: list[int] = []
        for item in items:
            row = self.row_of(item.image_id)
            if row is None:
                continue
            if not self._filter.accepts(item):
                leaving.append(item.image_id)
                continue
            self._items[row] = item
            self._by_id[item.image_id] = item
            here = self.index(row)
            self.dataChanged.emit(here, here)
        self.remove_ids(leaving)

    def remove_ids(self, image_ids: Iterable[int]) -> None:
        """Take these images' rows out (deleted, or no longer shown), one run at a time."""
        gone = set(image_ids)
        rows = [row for row, item in enumerate(self._items) if item.image_id in gone]
        for row in reversed(rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            self._forget(self._items.pop(row))
            self.endRemoveRows()
        if rows:
            self._set_total(max(0, self._total - len(rows)))

    async def insert_items(self, items: Iterable[GalleryItem]) -> None:
        """Images back from the trash: each where its time puts it, if the filter shows it."""
        for item in items:
            await self.add_saved(item.image_id)

    # ------------------------------------------------------------ lookups

    def row_of(self, image_id: int) -> int | None:
        item = self._by_id.get(image_id)
        if item is None:
            return None
        # The rows are in _order: a binary search, not a walk over thousands of rows.
        row = bisect.bisect_left(self._items, _order(item), key=_order)
        return row if row < len(self._items) and self._items[row] is item else None

    def item_at(self, row: int) -> GalleryItem:
        return self._items[row]

    def items(self) -> Sequence[GalleryItem]:
        return tuple(self._items)

    def path_of(self, item: GalleryItem) -> Path:
        return item.file(self.library)

    def thumbnail(self, item: GalleryItem) -> QImage | None:
        """The tile's image if loaded; otherwise None, and its load starts (unless
        MAX_LOADS are in flight: then it waits its turn, rows in sight first). The
        delegate calls this directly (see GalleryDelegate.paint)."""
        path = self._path(item)
        if self.thumbnails.peek(path) is not None:
            return self.thumbnails.get(path)  # marks it recently used
        loading = self.thumbnails.in_flight
        if path not in loading and len(loading) < MAX_LOADS:
            self.thumbnails.get(path, item.sha256)
        return None

    def thumbnail_error(self, item: GalleryItem) -> str | None:
        return self.thumbnails.error(self._path(item))

    # ------------------------------------------------------------ read-ahead

    @property
    def window(self) -> tuple[range, range]:
        return self._window

    @property
    def loading(self) -> frozenset[str]:
        """The paths whose thumbnails are loading (the gallery's ThumbnailImages is its own)."""
        return frozenset(self.thumbnails.in_flight)

    def set_window(self, visible: range, ahead: range) -> None:
        """The rows in sight and the read-ahead rows beyond them, in the scroll's
        direction (the view reports them as it scrolls and resizes). Their thumbnails
        load in that order; rows ahead past the loaded pages ask for the next page."""
        self._window = (visible, ahead)
        # 320 px thumbnails are 300-400 KB each: memory follows what the window needs.
        wanted = WINDOWS_IN_MEMORY * (len(visible) + len(ahead))
        self.thumbnails.capacity = max(MEMORY_MIN, wanted)
        last = max(visible.stop, ahead.stop if ahead.step > 0 else 0)
        if last >= len(self._items) and self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())
        self._pump()

    def _pump(self) -> None:
        """Start the next loads of the window, up to MAX_LOADS in flight."""
        if self._closed:
            return
        visible, ahead = self._window
        count = len(self._items)
        loading = self.thumbnails.in_flight
        for rows in (visible, ahead):
            for row in rows:
                if len(loading) >= MAX_LOADS:
                    return
                if not 0 <= row < count:
                    continue
                item = self._items[row]
                path = self._path(item)
                # peek, not get, for what is in memory: read-ahead must not reorder the LRU.
                if path not in loading and self.thumbnails.peek(path) is None:
                    self.thumbnails.get(path, item.sha256)  # skips known errors itself

    def _path(self, item: GalleryItem) -> str:
        path = self._paths.get(item.image_id)
        if path is None:
            path = self._paths[item.image_id] = str(self.path_of(item))
        return path

    def _remember(self, item: GalleryItem) -> None:
        self._by_id[item.image_id] = item
        self._by_path[self._path(item)] = item.image_id

    def _forget(self, item: GalleryItem) -> None:
        self._by_id.pop(item.image_id, None)
        path = self._paths.pop(item.image_id, None)
        if path is not None:
            self._by_path.pop(path, None)

    def _forget_all(self) -> None:
        # Loads in flight go on and still count: their thumbnails may well be shown again.
        self._by_id.clear()
        self._by_path.clear()
        self._paths.clear()

    # ------------------------------------------------------------ housekeeping

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def aclose(self) -> None:
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        if self._closed:
            coro.close()
            return
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _set_total(self, total: int) -> None:
        self._total = total
        self.count_changed.emit(total)

    def _report(self, exc: BaseException) -> None:
        log.warning("the gallery could not be read: %s", exc)
        self.failed.emit(
            self.tr("The gallery could not be read: {why}").format(why=localized(str(exc)))
        )

    def _thumbnail_ready(self, path: str) -> None:
        image_id = self._by_path.get(path)
        row = None if image_id is None else self.row_of(image_id)
        if row is not None:
            here = self.index(row)
            self.dataChanged.emit(here, here, [ThumbnailRole, ThumbnailErrorRole])
        self._pump()

    def _tooltip(self, item: GalleryItem) -> str:
        size = f"{item.width}×{item.height}" if item.width and item.height else ""
        saved = datetime.fromtimestamp(item.saved_at)
        lines = [
            " · ".join(p for p in (item.model, size, f"{saved:%Y-%m-%d %H:%M}") if p),
            "",
            item.prompt,
        ]
        error = self.thumbnails.error(self._path(item))
        if error:
            lines += ["", localized(error)]  # engine/thumbnails.py's, in English
        return plain_tooltip(lines)


_QT_IMAGE = "application/x-qt-image"


class _ImageOnRequest(QMimeData):
    """Decodes the image only when a receiver asks for pixels.

    Most drops and pastes want the file; decoding a 4K PNG up front would stall the UI
    thread for a quarter of a second at the start of every drag and copy.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def formats(self) -> list[str]:
        return [*super().formats(), _QT_IMAGE]

    def hasFormat(self, mime_type: str) -> bool:
        return mime_type == _QT_IMAGE or super().hasFormat(mime_type)

    def retrieveData(self, mime_type: str, preferred_type: Any) -> Any:
        if mime_type == _QT_IMAGE:
            image = QImage(str(self.path))
            return None if image.isNull() else image
        return super().retrieveData(mime_type, preferred_type)


async def detach_clipboard() -> None:
    """Before the app quits: a copied image on the clipboard becomes plain data.

    The clipboard owns what was copied, and Qt destroys it after Python has shut down: an
    _ImageOnRequest (a Python subclass) left there aborts the process on exit ("Fatal
    Python error: PyThreadState_Get"). Its pixels are decoded now, in a worker thread, so
    that a clipboard manager taking over at exit still gets the image.
    """
    from PySide6.QtGui import QGuiApplication

    clipboard = QGuiApplication.clipboard()
    lazy = clipboard.mimeData()
    if not isinstance(lazy, _ImageOnRequest):
        return
    image = await run_blocking(QImage, str(lazy.path))
    plain = QMimeData()
    for mime_type in lazy.formats():
        if mime_type != _QT_IMAGE:
            plain.setData(mime_type, lazy.data(mime_type))
    if not image.isNull():
        plain.setImageData(image)
    if clipboard.mimeData() is lazy:  # nothing else was copied meanwhile
        clipboard.setMimeData(plain)


def drag_mime(
    items: Sequence[GalleryItem], library: Path, *, source_url: str | None = None
) -> QMimeData:
    """What a drag (or a copy) of gallery images carries.

    File URLs for file managers and other apps; for one image also its pixels (for apps
    that take images, not files) and our own type, which the composer's reference slots
    read first. A drag names the local file only: the result links the server gave
    expire, and a local file always works (the slot sends it inline). "Use as reference"
    adds ``source_url`` once it has checked that the link still answers.
    """
    if len(items) != 1:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(item.file(library))) for item in items])
        return mime
    path = items[0].file(library)
    mime = _ImageOnRequest(path)
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    payload = {"path": str(path), "source_url": source_url}
    mime.setData(GALLERY_MIME, QByteArray(json.dumps(payload).encode("utf-8")))
    return mime
