"""Thumbnails in memory for the task list and the gallery, made off the UI thread.

The disk cache (engine/thumbnails.py) makes them with Pillow in a worker; here they become
QImages, kept in a bounded cache, and a signal says when one is ready.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections import OrderedDict
from collections.abc import Iterable, KeysView
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QImage
from shiboken6 import Shiboken

from ..blocking import run_blocking
from ..engine.thumbnails import ThumbnailCache, ThumbnailError

log = logging.getLogger(__name__)


def plain_tooltip(lines: Iterable[str]) -> str:
    # Qt guesses whether a tooltip is rich text: untrusted text is escaped, always.
    body = "<br>".join(html.escape(line) for line in lines if line)
    return f"<p style='white-space:pre-wrap'>{body}</p>"


def _thumbnail_image(
    cache: ThumbnailCache, path: Path, size: int, sha256: str | None = None
) -> QImage:
    """Runs in a worker thread: Pillow, then a QImage (a QPixmap must not be made here)."""
    pixels = cache.pixels(path, size, sha256=sha256)
    image = QImage(
        pixels.rgba, pixels.width, pixels.height, pixels.width * 4, QImage.Format.Format_RGBA8888
    )
    # The conversion copies, so the image no longer points into ``pixels``; premultiplied
    # is what the painter draws fastest.
    return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


class ThumbnailImages(QObject):
    """Thumbnails in memory, loaded on first request from the disk cache off the UI thread.

    Bounded: a long history scrolled end to end keeps only the most recent ``capacity``
    images; one scrolled back into view is read again from the disk cache, which is quick.
    """

    ready = Signal(str)  # a path whose thumbnail (or the reason it has none) is known

    def __init__(
        self,
        cache: ThumbnailCache,
        size: int,
        *,
        capacity: int = 512,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.cache = cache
        self.size = size
        self.capacity = capacity
        self._images: OrderedDict[str, QImage] = OrderedDict()
        self._errors: dict[str, str] = {}
        self._loads: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    def get(self, path: str, sha256: str | None = None) -> QImage | None:
        """The thumbnail if it is in memory; otherwise None, and it starts loading.

        ``sha256`` (the store's digest of the file, as the gallery knows it) spares the
        cache a stat() of the source, and keys the thumbnail by content.
        """
        image = self._images.get(path)
        if image is not None:
            self._images.move_to_end(path)
            return image
        if path not in self._errors and path not in self._loads and not self._closed:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return None  # no loop (a plain model in a test): nothing can load
            self._loads[path] = loop.create_task(self._load(path, sha256))
        return None

    @property
    def in_flight(self) -> KeysView[str]:
        """The paths whose thumbnails are loading now (a live view)."""
        return self._loads.keys()

    def peek(self, path: str) -> QImage | None:
        """The thumbnail if it is in memory; unlike get(), never starts a load."""
        return self._images.get(path)

    def error(self, path: str) -> str | None:
        return self._errors.get(path)

    def forget(self, path: str) -> None:
        """Drop what is known of ``path`` (a file back from the trash is read again)."""
        self._images.pop(path, None)
        self._errors.pop(path, None)

    async def wait_idle(self) -> None:
        while self._loads:
            await asyncio.gather(*self._loads.values(), return_exceptions=True)

    async def aclose(self) -> None:
        self._closed = True
        loads = list(self._loads.values())
        for load in loads:
            load.cancel()
        await asyncio.gather(*loads, return_exceptions=True)

    async def _load(self, path: str, sha256: str | None = None) -> None:
        try:
            image = await run_blocking(_thumbnail_image, self.cache, Path(path), self.size, sha256)
        except ThumbnailError as exc:
            self._errors[path] = str(exc)
            log.info("no thumbnail: %s", exc)
        except Exception:  # a thumbnail must never take the list down
            log.exception("thumbnail of %s failed", path)
            self._errors[path] = QCoreApplication.translate(
                "ThumbnailImages", "The thumbnail could not be made (see the log)"
            )
        else:
            self._images[path] = image
            while len(self._images) > self.capacity:
                self._images.popitem(last=False)
        finally:
            self._loads.pop(path, None)
        if not self._closed and Shiboken.isValid(self):
            self.ready.emit(path)
