"""The gallery's model: the library's saved images, newest first, a page at a time.

Rows come from the store in pages (``canFetchMore``/``fetchMore``, continued after the last
row's cursor, so an image saved meanwhile never shifts a page). A new filter resets the
model; everything else changes single rows: an image the engine saves is inserted where
its time puts it, a star repaints its row, a deletion removes its rows. Thumbnails are
asked for only by ``data()``, which the view calls for the rows it paints.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import logging
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

from ..engine.gallery import GalleryFilter, GalleryItem
from .reference_slots import GALLERY_MIME
from .thumbnail_images import ThumbnailImages, plain_tooltip

if TYPE_CHECKING:
    from ..engine.store import Store

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

ItemRole = Qt.ItemDataRole.UserRole + 1  # the GalleryItem
ThumbnailRole = Qt.ItemDataRole.UserRole + 2  # QImage, or None while it loads or if broken
ThumbnailErrorRole = Qt.ItemDataRole.UserRole + 3  # why there is no thumbnail, or None
PathRole = Qt.ItemDataRole.UserRole + 4  # the file's absolute path

PAGE_SIZE = 120  # a screenful of small tiles and then some; later pages as the view scrolls


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
            return str(self.path_of(item))
        if role == ThumbnailRole:
            return self.thumbnail(item)
        if role == ThumbnailErrorRole:
            return self.thumbnail_error(item)
        if role == Qt.ItemDataRole.DisplayRole:
            return " ".join(item.prompt.split())  # plain text: what keyboard search matches
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            star = "starred, " if item.starred else ""
            return f"Image, {star}{' '.join(item.prompt.split())}"
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
        try:
            page = await self.store.gallery(self._filter, limit=self.page_size, after=after)
        except Exception as exc:
            if generation == self._generation:
                self._fetching = False
            self._report(exc)
            return
        if generation != self._generation or self._closed:
            return
        # An image inserted live may also be in this page: it is there once.
        known = {item.image_id for item in self._items}
        page = [item for item in page if item.image_id not in known]
        if page:
            first = len(self._items)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._items.extend(page)
            self.endInsertRows()
        self._exhausted = len(page) < self.page_size
        self._fetching = False

    # ------------------------------------------------------------ live changes

    async def add_saved(self, image_id: int) -> bool:
        """The engine saved an image: its row appears if the filter shows it."""
        found = await self.store.gallery_items([image_id])
        if not found or self._closed:
            return False
        item = found[0]
        if not self._filter.accepts(item) or self.row_of(item.image_id) is not None:
            return False
        keys = [(-i.saved_at, -i.image_id) for i in self._items]
        row = bisect.bisect_left(keys, (-item.saved_at, -item.image_id))
        self._set_total(self._total + 1)
        if row == len(self._items) and not self._exhausted:
            return False  # older than every loaded row: a later page brings it
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.insert(row, item)
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
            here = self.index(row)
            self.dataChanged.emit(here, here)
        self.remove_ids(leaving)

    def remove_ids(self, image_ids: Iterable[int]) -> None:
        """Take these images' rows out (deleted, or no longer shown), one run at a time."""
        gone = set(image_ids)
        rows = [row for row, item in enumerate(self._items) if item.image_id in gone]
        for row in reversed(rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._items[row]
            self.endRemoveRows()
        if rows:
            self._set_total(max(0, self._total - len(rows)))

    async def insert_items(self, items: Iterable[GalleryItem]) -> None:
        """Images back from the trash: each where its time puts it, if the filter shows it."""
        for item in items:
            await self.add_saved(item.image_id)

    # ------------------------------------------------------------ lookups

    def row_of(self, image_id: int) -> int | None:
        return next((r for r, item in enumerate(self._items) if item.image_id == image_id), None)

    def item_at(self, row: int) -> GalleryItem:
        return self._items[row]

    def items(self) -> Sequence[GalleryItem]:
        return tuple(self._items)

    def path_of(self, item: GalleryItem) -> Path:
        return item.file(self.library)

    def thumbnail(self, item: GalleryItem) -> QImage | None:
        """The tile's image if loaded; asking starts the load, so only painted tiles cost
        any work. The delegate calls this directly (see GalleryDelegate.paint)."""
        return self.thumbnails.get(str(self.path_of(item)), item.sha256)

    def thumbnail_error(self, item: GalleryItem) -> str | None:
        return self.thumbnails.error(str(self.path_of(item)))

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
        self.failed.emit(f"The gallery could not be read: {exc}")

    def _thumbnail_ready(self, path: str) -> None:
        for row, item in enumerate(self._items):
            if str(self.path_of(item)) == path:
                here = self.index(row)
                self.dataChanged.emit(here, here, [ThumbnailRole, ThumbnailErrorRole])
                return

    def _tooltip(self, item: GalleryItem) -> str:
        size = f"{item.width}×{item.height}" if item.width and item.height else ""
        saved = datetime.fromtimestamp(item.saved_at)
        lines = [
            " · ".join(p for p in (item.model, size, f"{saved:%Y-%m-%d %H:%M}") if p),
            "",
            item.prompt,
        ]
        error = self.thumbnails.error(str(self.path_of(item)))
        if error:
            lines += ["", error]
        return plain_tooltip(lines)


_QT_IMAGE = "application/x-qt-image"


class _ImageOnRequest(QMimeData):
    """Decodes the image only when a receiver asks for pixels.

    Most drops and pastes want the file; decoding a 4K PNG up front would stall the UI
    thread for a quarter of a second at the start of every drag and copy.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path

    def formats(self) -> list[str]:
        return [*super().formats(), _QT_IMAGE]

    def hasFormat(self, mime_type: str) -> bool:
        return mime_type == _QT_IMAGE or super().hasFormat(mime_type)

    def retrieveData(self, mime_type: str, preferred_type: Any) -> Any:
        if mime_type == _QT_IMAGE:
            image = QImage(str(self._path))
            return None if image.isNull() else image
        return super().retrieveData(mime_type, preferred_type)


def drag_mime(items: Sequence[GalleryItem], library: Path) -> QMimeData:
    """What a drag (or a copy) of gallery images carries.

    File URLs for file managers and other apps; for one image also its pixels (for apps
    that take images, not files) and our own type, which the composer's reference slots
    read first. The payload names the local file only: the result links the server gave
    expire, and a local file always works (the slot sends it inline).
    """
    if len(items) != 1:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(item.file(library))) for item in items])
        return mime
    path = items[0].file(library)
    mime = _ImageOnRequest(path)
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    payload = {"path": str(path), "source_url": None}
    mime.setData(GALLERY_MIME, QByteArray(json.dumps(payload).encode("utf-8")))
    return mime
