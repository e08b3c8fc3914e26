"""The composer's four reference-image slots: drop, paste or type an image or an image link.

Every slow step (the disk, the network, Pillow) runs in a worker thread or as async httpx
on the running qasync loop. The UI thread only parses what was dropped, starts a task,
and later moves a small finished result (a value, a label, a thumbnail's pixels) into a
widget. A slot keeps what it showed until a new image has been read successfully, so a
refused drop never costs the designer the reference they already had.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import html
import io
import json
import logging
import re
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
from PIL import Image, ImageOps
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QEvent,
    QIODevice,
    QMimeData,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from ..api.errors import RequestValidationError
from ..api.models import MAX_REFERENCES
from ..api.validation import check_reference
from ..engine.downloads import image_http_client
from ..engine.references import (
    MAX_SOURCE_PIXELS,
    PreparedReference,
    ReferenceFileError,
    prepare_reference_bytes,
    prepare_reference_file,
)
from .style import ERROR_TEXT, ON_SCRIM, SCRIM, SCRIM_HOVER, WARNING_TEXT, css
from .style import mix as _mix
from .style import muted_colour as _muted_colour
from .translations import localized

__all__ = [
    "GALLERY_MIME",
    "SLOT_MIME",
    "Reference",
    "ReferencePanel",
    "ReferenceSlot",
]

log = logging.getLogger(__name__)

GALLERY_MIME = "application/x-nanobanana-image"  # our gallery's drags: {"path", "source_url"}
SLOT_MIME = "application/x-nanobanana-reference-slot"  # a slot dragged onto another slot

COULD_NOT_PREVIEW = "could not preview"
PREVIEW_MAX_BYTES = 20 * 1024 * 1024
PREVIEW_MAX_PIXELS = 40_000_000
PREVIEW_TIMEOUT = 15.0

THUMB = 120  # the thumbnail area's side, in logical pixels
PAD = 8
SLOT_WIDTH = THUMB + 2 * PAD
# Thumbnails are made at twice the shown size so they stay sharp on HiDPI screens.
THUMB_SOURCE = 2 * THUMB
RADIUS = 10.0

_PREVIEW_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")
_DATA_URI = re.compile(r"^data:image/[A-Za-z0-9.+-]+;base64,", re.ASCII | re.IGNORECASE)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True)
class Reference:
    value: str  # what is sent to the API: an http(s) URL or a data:image/...;base64, URI
    label: str  # under the thumbnail: host/filename, a file name or "pasted image", plus size
    note: str | None  # e.g. "downscaled from 8000x6000 to 3000x2250 to fit 5 MB"


# ---------------------------------------------------------------- what a drop or paste holds


@dataclass(frozen=True)
class _Url:
    url: str


@dataclass(frozen=True)
class _File:
    path: Path


@dataclass(frozen=True)
class _ImageBytes:
    data: bytes
    name: str


@dataclass(frozen=True)
class _DataUri:
    uri: str


@dataclass(frozen=True)
class _Saved:
    """A value restored by set_references: already accepted once, so kept as it is."""

    value: str


@dataclass(frozen=True)
class _Refused:
    message: str


_Source = _Url | _File | _ImageBytes | _DataUri | _Saved
_Item = _Source | _Refused


def _item_from_string(raw: str) -> _Item:
    """One line of dropped, pasted or typed text: an http(s) link or an image data URI."""
    text = raw.strip().strip("<>\"'").strip()
    if not text:
        return _Refused(
            QCoreApplication.translate(
                "ReferenceSlot", "There is no link to add; drop an image or an http(s) image link."
            )
        )
    if text[:5].lower() == "data:":
        if _DATA_URI.match(text):
            return _DataUri(text)
        return _Refused(
            QCoreApplication.translate(
                "ReferenceSlot", "Only base64 image data (data:image/…;base64,) can be used."
            )
        )
    if text[:4].lower() == "www.":
        text = "https://" + text  # what a browser would do with it
    scheme_match = _SCHEME.match(text)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    if scheme in ("http", "https"):
        try:
            parts = urlsplit(text)
            host = parts.hostname
        except ValueError:
            host = None
        if not host or any(ch.isspace() for ch in text):
            return _Refused(_not_valid(text))
        if parts.username is not None or parts.password is not None:
            # It would travel to the API provider with the request; a credential must not.
            return _Refused(
                QCoreApplication.translate(
                    "ReferenceSlot", "Links with a user name or password are not sent; remove them."
                )
            )
        if not text.isascii():
            url = QUrl(text)
            # Qt turns a host it cannot encode into an empty link: refuse it, do not send "".
            if not url.isValid() or not url.host():
                return _Refused(_not_valid(text))
            text = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
        return _Url(text)
    if scheme == "file":
        # A typed path could name any file on the disk; a real drop shows what the user chose.
        return _Refused(
            QCoreApplication.translate(
                "ReferenceSlot", "Typed file: links are not used; drop the file itself."
            )
        )
    if scheme == "javascript":
        return _Refused(
            QCoreApplication.translate(
                "ReferenceSlot", "javascript: links are not images; use an http(s) image link."
            )
        )
    if scheme and len(scheme) > 1:  # one letter is more likely a Windows drive than a scheme
        return _Refused(
            QCoreApplication.translate(
                "ReferenceSlot", "{scheme}: links cannot be used; use an http(s) image link."
            ).format(scheme=scheme)
        )
    return _Refused(
        QCoreApplication.translate(
            "ReferenceSlot", "“{text}” is not a web address; use an http(s) image link."
        ).format(text=_short(text))
    )


def _not_valid(text: str) -> str:
    return QCoreApplication.translate(
        "ReferenceSlot", "“{text}” is not a valid web address."
    ).format(text=_short(text))


def _items_from_text(text: str) -> list[_Item]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and all(_SCHEME.match(line) or line[:4].lower() == "www." for line in lines):
        return [_item_from_string(line) for line in lines]  # one link per line, as browsers copy
    return [_item_from_string(" ".join(lines))]


def _gallery_item(raw: bytes) -> _Item:
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # another app's drag: anything
        payload = None
    if not isinstance(payload, dict):
        return _Refused(
            QCoreApplication.translate(
                "ReferenceSlot", "The gallery image could not be read; drag it again."
            )
        )
    source = payload.get("source_url")
    if isinstance(source, str) and source.strip():
        item = _item_from_string(source)
        if isinstance(item, _Url):
            return item  # the server fetches it: smaller requests than an inline copy
    path = payload.get("path")
    if isinstance(path, str) and path:
        return _File(Path(path))
    return _Refused(
        QCoreApplication.translate(
            "ReferenceSlot", "The gallery image has neither a link nor a file."
        )
    )


def _png_bytes(image: QImage) -> bytes:
    # Quality 80 is zlib level 1 in Qt's PNG writer: fast on the UI thread, and the worker
    # re-encodes anyway when the result is larger than the API takes.
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 6.12's stubs say bytes for the format, but only a str is accepted at run time.
    image.save(buffer, "PNG", 80)  # type: ignore[call-overload]
    return bytes(buffer.data().data())


def _items_from_mime(mime: QMimeData) -> list[_Item]:
    """Everything a drop or the clipboard carries, parsed on the UI thread (cheap only)."""
    if mime.hasFormat(GALLERY_MIME):
        return [_gallery_item(bytes(mime.data(GALLERY_MIME).data()))]
    if mime.hasUrls():
        items: list[_Item] = []
        for url in mime.urls():
            if url.isLocalFile():
                items.append(_File(Path(url.toLocalFile())))
            elif not url.isEmpty():
                # Fully encoded: the form an http client sends, no spaces or raw non-ASCII.
                encoded = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
                items.append(_item_from_string(encoded))
        if items:
            return items
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            return [
                _ImageBytes(
                    _png_bytes(image), QCoreApplication.translate("ReferenceSlot", "pasted image")
                )
            ]
        if isinstance(image, QPixmap) and not image.isNull():
            return [
                _ImageBytes(
                    _png_bytes(image.toImage()),
                    QCoreApplication.translate("ReferenceSlot", "pasted image"),
                )
            ]
    if mime.hasText():
        return _items_from_text(mime.text())
    return []


def _read_mime(mime: QMimeData) -> list[_Item]:
    # The UI edge: whatever another application put in a drag must not take the app down.
    try:
        return _items_from_mime(mime)
    except Exception:
        log.exception("a drop or paste could not be read")
        return [
            _Refused(
                QCoreApplication.translate(
                    "ReferenceSlot", "This could not be read (details are in the log)."
                )
            )
        ]


# ---------------------------------------------------------------- loading, off the UI thread


@dataclass(frozen=True)
class _Thumb:
    """A thumbnail's RGBA pixels, made by Pillow in a worker thread (QPixmap must not be)."""

    width: int
    height: int
    rgba: bytes
    has_alpha: bool


@dataclass(frozen=True)
class _Loaded:
    reference: Reference
    thumb: _Thumb | None
    pixels: tuple[int, int] | None  # the image's own size, for the tooltip
    detail: str | None  # why there is no preview, for the tooltip


class _Rejected(Exception):  # noqa: N818 - named for the outcome the slot shows
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _NoPreview(Exception):  # noqa: N818
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _thumbnail(data: bytes, max_pixels: int) -> tuple[_Thumb, tuple[int, int]]:
    """Decode just enough of ``data`` for a thumbnail. Runs in a worker thread."""
    try:
        # Only formats Pillow decodes itself: EPS would hand web bytes to Ghostscript.
        with Image.open(io.BytesIO(data), formats=_PREVIEW_FORMATS) as image:
            size = (image.width, image.height)
            if image.width * image.height > max_pixels:
                raise _NoPreview(
                    QCoreApplication.translate(
                        "ReferenceSlot", "{width}x{height} pixels, more than {limit} megapixels"
                    ).format(width=image.width, height=image.height, limit=max_pixels // 1_000_000)
                )
            # JPEG decodes straight at a fraction of its size: much less work for big photos.
            image.draft("RGB", (THUMB_SOURCE, THUMB_SOURCE))
            image.thumbnail((THUMB_SOURCE, THUMB_SOURCE), Image.Resampling.LANCZOS)
            shown = ImageOps.exif_transpose(image)
            rgba = shown.convert("RGBA")
            extrema = rgba.getchannel("A").getextrema()
            opaque = isinstance(extrema[0], int | float) and extrema[0] >= 255
            return _Thumb(rgba.width, rgba.height, rgba.tobytes(), not opaque), size
    except _NoPreview:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses the header before the size check above can say how many.
        raise _NoPreview(
            QCoreApplication.translate("ReferenceSlot", "more than {limit} megapixels").format(
                limit=max_pixels // 1_000_000
            )
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _NoPreview(
            QCoreApplication.translate("ReferenceSlot", "not an image that can be previewed")
        ) from None


def _decode_data_uri(uri: str) -> bytes:
    try:
        return base64.b64decode(uri.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError, IndexError):
        raise _Rejected(
            QCoreApplication.translate(
                "ReferenceSlot", "The embedded image is not valid base64; add the image again."
            )
        ) from None


def _from_prepared(prepared: PreparedReference, name: str) -> _Loaded:
    label = f"{name} · {_human_size(prepared.size)}"
    thumb: _Thumb | None = None
    detail = None
    try:
        thumb, _size = _thumbnail(_decode_data_uri(prepared.data_uri), MAX_SOURCE_PIXELS)
    except (_NoPreview, _Rejected) as exc:  # prepared by Pillow a moment ago: hardly ever
        detail = str(exc)
    return _Loaded(
        Reference(prepared.data_uri, label, prepared.note),
        thumb,
        (prepared.width, prepared.height),
        detail,
    )


def _load_file(path: Path) -> _Loaded:
    name = _clean(path.name) or QCoreApplication.translate("ReferenceSlot", "file")
    try:
        prepared = prepare_reference_file(path)
    except ReferenceFileError as exc:
        raise _Rejected(localized(_clean(str(exc)))) from None
    except OSError as exc:  # a folder, or a file that vanished between stat and read
        raise _Rejected(
            QCoreApplication.translate("ReferenceSlot", "{name} cannot be read ({reason}).").format(
                name=name, reason=exc.strerror or exc
            )
        ) from None
    return _from_prepared(prepared, name)


def _load_bytes(data: bytes, name: str) -> _Loaded:
    try:
        prepared = prepare_reference_bytes(data, name)
    except ReferenceFileError as exc:
        raise _Rejected(localized(_clean(str(exc)))) from None
    return _from_prepared(prepared, name)


def _load_data_uri(uri: str) -> _Loaded:
    # Re-prepared, not trusted: it may be over 5 MB, or not the image its MIME type says.
    return _load_bytes(
        _decode_data_uri(uri), QCoreApplication.translate("ReferenceSlot", "embedded image")
    )


def _load_saved_data_uri(uri: str) -> _Loaded:
    try:
        check_reference(uri, 1)
    except RequestValidationError as exc:
        message = exc.message.split(": ", 1)[-1]
        raise _Rejected(
            QCoreApplication.translate(
                "ReferenceSlot", "The saved image cannot be used: {reason}."
            ).format(reason=localized(message))
        ) from None
    data = _decode_data_uri(uri)
    label = QCoreApplication.translate("ReferenceSlot", "embedded image · {size}").format(
        size=_human_size(len(data))
    )
    try:
        thumb, size = _thumbnail(data, MAX_SOURCE_PIXELS)
    except _NoPreview as exc:
        return _Loaded(Reference(uri, label, COULD_NOT_PREVIEW), None, None, exc.reason)
    return _Loaded(Reference(uri, label, None), thumb, size, None)


async def _fetch_preview(http: httpx.AsyncClient, url: str) -> bytes:
    try:
        async with asyncio.timeout(PREVIEW_TIMEOUT):
            # auth=None: whatever the client was built with, no credential goes to a host
            # someone else chose.
            async with http.stream("GET", url, auth=None) as response:
                if not 200 <= response.status_code < 300:
                    raise _NoPreview(
                        QCoreApplication.translate(
                            "ReferenceSlot", "the host answered HTTP {status}"
                        ).format(status=response.status_code)
                    )
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > PREVIEW_MAX_BYTES:
                    raise _NoPreview(_too_large())
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > PREVIEW_MAX_BYTES:
                        raise _NoPreview(_too_large())
                return bytes(body)
    except TimeoutError:
        raise _NoPreview(
            QCoreApplication.translate(
                "ReferenceSlot", "the host sent no image within {seconds} s"
            ).format(seconds=f"{PREVIEW_TIMEOUT:g}")
        ) from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, ValueError) as exc:
        raise _NoPreview(
            QCoreApplication.translate(
                "ReferenceSlot", "the host could not be reached ({error})"
            ).format(error=type(exc).__name__)
        ) from None


def _too_large() -> str:
    return QCoreApplication.translate("ReferenceSlot", "larger than {limit} MB").format(
        limit=PREVIEW_MAX_BYTES // (1024 * 1024)
    )


async def _load_url(url: str, http: Callable[[], httpx.AsyncClient]) -> _Loaded:
    label = _url_label(url)
    try:
        data = await _fetch_preview(http(), url)
        thumb, size = await asyncio.to_thread(_thumbnail, data, PREVIEW_MAX_PIXELS)
    except _NoPreview as exc:
        # The API server fetches the link itself and may well reach it: still a reference.
        return _Loaded(Reference(url, label, COULD_NOT_PREVIEW), None, None, exc.reason)
    return _Loaded(Reference(url, f"{label} · {_human_size(len(data))}", None), thumb, size, None)


async def _load(source: _Source, http: Callable[[], httpx.AsyncClient]) -> _Loaded:
    if isinstance(source, _Url):
        return await _load_url(source.url, http)
    if isinstance(source, _File):
        return await asyncio.to_thread(_load_file, source.path)
    if isinstance(source, _ImageBytes):
        return await asyncio.to_thread(_load_bytes, source.data, source.name)
    if isinstance(source, _DataUri):
        return await asyncio.to_thread(_load_data_uri, source.uri)
    if source.value[:5].lower() == "data:":
        return await asyncio.to_thread(_load_saved_data_uri, source.value)
    return await _load_url(source.value, http)


# ---------------------------------------------------------------- small helpers


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _clean(text: str) -> str:
    # Names come from the web and the disk: no control characters, and no bidi overrides
    # that could show "evil.exe" as "exe.png".
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))


def _short(text: str, limit: int = 40) -> str:
    text = _clean(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _url_label(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return _short(url)
    name = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) if parts.path.strip("/") else ""
    return _clean(f"{host}/{name}" if name else host)


def _saved_label(value: str) -> str:
    if value[:5].lower() == "data:":
        payload = len(value) - value.index(",") - 1 if "," in value else 0
        return QCoreApplication.translate("ReferenceSlot", "embedded image · {size}").format(
            size=_human_size(payload * 3 // 4)
        )
    return _url_label(value)


def _is_reference_value(value: object) -> bool:
    if not isinstance(value, str):
        return False
    if _DATA_URI.match(value):
        return True
    item = _item_from_string(value)
    return isinstance(item, _Url) and item.url == value


def _pending_text(source: _Source) -> str:
    if isinstance(source, _Url):
        return _url_label(source.url)
    if isinstance(source, _File):
        return _clean(source.path.name)
    if isinstance(source, _ImageBytes):
        return source.name
    if isinstance(source, _DataUri):
        return QCoreApplication.translate("ReferenceSlot", "embedded image")
    return _saved_label(source.value)


def _tooltip(text: str) -> str:
    # Qt guesses whether a tooltip is rich text; untrusted names must never be rendered.
    return "<p style='white-space:pre-wrap'>" + html.escape(text).replace("\n", "<br>") + "</p>"


def _error_colour(palette: QPalette) -> QColor:
    return ERROR_TEXT.on(palette)


def _warning_colour(palette: QPalette) -> QColor:
    return WARNING_TEXT.on(palette)


def _plain(label: QLabel) -> QLabel:
    # Names, links and messages are untrusted text: never rendered as rich text.
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _elide_lines(text: str, font: QFont, width: int, max_lines: int) -> str:
    """``text`` wrapped to ``width``, at most ``max_lines`` lines, the last one elided."""
    text = " ".join(text.split())
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    spans: list[tuple[int, int]] = []
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        spans.append((line.textStart(), line.textLength()))
    layout.endLayout()
    lines = [text[start : start + length].strip() for start, length in spans]
    if len(lines) <= max_lines:
        return "\n".join(lines)
    rest = text[spans[max_lines - 1][0] :]
    tail = QFontMetrics(font).elidedText(rest, Qt.TextElideMode.ElideRight, width)
    return "\n".join([*lines[: max_lines - 1], tail])


def _fit_label(label: str, font: QFont, width: int) -> str:
    """One line; the size after the last " · " survives, the name gives way in its middle."""
    metrics = QFontMetrics(font)
    if metrics.horizontalAdvance(label) <= width or " · " not in label:
        return metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, width)
    name, size = label.rsplit(" · ", 1)
    suffix = f" · {size}"
    room = width - metrics.horizontalAdvance(suffix)
    return metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, room) + suffix


def _checker_brush(palette: QPalette, ratio: float = 1.0) -> QBrush:
    # Behind transparent images, so a designer sees where the alpha is. Drawn at the
    # screen's pixel ratio: a 1x tile blown up at 200 % has soft edges.
    tile = QPixmap(round(16 * ratio), round(16 * ratio))
    tile.setDevicePixelRatio(ratio)
    light = palette.color(QPalette.ColorRole.Base)
    dark = _mix(light, palette.color(QPalette.ColorRole.Text), 0.08)
    tile.fill(light)
    painter = QPainter(tile)
    painter.fillRect(0, 0, 8, 8, dark)
    painter.fillRect(8, 8, 8, 8, dark)
    painter.end()
    return QBrush(tile)


# ---------------------------------------------------------------- one slot


@dataclass(eq=False)
class _Job:
    source: _Source
    restore: bool = False
    task: asyncio.Task[None] | None = None


@dataclass(eq=False)
class _Content:
    """What a slot shows. Reordering moves these between slots, running jobs included."""

    reference: Reference | None = None
    pixmap: QPixmap | None = None
    has_alpha: bool = False
    pixels: tuple[int, int] | None = None
    detail: str | None = None
    job: _Job | None = None
    pending: str = ""
    error: str | None = None
    scaled: tuple[tuple[int, int, float], QPixmap] | None = None

    @property
    def empty(self) -> bool:
        return self.reference is None and self.job is None


class _ThumbView(QWidget):
    """The 120x120 picture area: thumbnail, placeholder, spinner and the slot's number."""

    def __init__(self, slot: ReferenceSlot) -> None:
        super().__init__(slot)
        self._slot = slot
        self.setFixedSize(THUMB, THUMB)

    def paintEvent(self, event: QPaintEvent) -> None:
        content = self._slot.content
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        muted = _muted_colour(palette)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        area = QRectF(self.rect())
        clip = QPainterPath()
        clip.addRoundedRect(area, 6, 6)
        if not content.empty:
            painter.fillPath(clip, _mix(palette.color(QPalette.ColorRole.Base), text, 0.05))
        painter.save()
        painter.setClipPath(clip)
        if content.pixmap is not None:
            scaled = self._scaled(content)
            size = scaled.deviceIndependentSize()
            target = QRectF(
                (area.width() - size.width()) / 2,
                (area.height() - size.height()) / 2,
                size.width(),
                size.height(),
            )
            if content.has_alpha:
                painter.fillRect(target, _checker_brush(palette, self.devicePixelRatioF()))
            painter.drawPixmap(target.topLeft(), scaled)
        elif content.job is not None:
            pass  # the spinner alone: two glyphs on top of each other read as clutter
        elif content.reference is not None:
            self._paint_no_preview(painter, area, muted)
        else:
            self._paint_hint(painter, area, muted)
        if content.job is not None:
            if content.pixmap is not None:
                veil = QColor(palette.color(QPalette.ColorRole.Base))
                veil.setAlphaF(0.78)
                painter.fillRect(area, veil)
            self._paint_spinner(painter, area, palette)
        painter.restore()
        self._paint_badge(painter, content, palette)
        painter.end()

    def _scaled(self, content: _Content) -> QPixmap:
        assert content.pixmap is not None
        ratio = self.devicePixelRatioF()
        key = (THUMB, THUMB, ratio)
        if content.scaled is None or content.scaled[0] != key:
            scaled = content.pixmap.scaled(
                QSize(round(THUMB * ratio), round(THUMB * ratio)),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            scaled.setDevicePixelRatio(ratio)
            content.scaled = (key, scaled)
        return content.scaled[1]

    def _paint_hint(self, painter: QPainter, area: QRectF, muted: QColor) -> None:
        painter.setPen(QPen(muted, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        centre = QPointF(area.center().x(), area.top() + 34)
        painter.drawLine(centre + QPointF(-7, 0), centre + QPointF(7, 0))
        painter.drawLine(centre + QPointF(0, -7), centre + QPointF(0, 7))
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.9)
        painter.setFont(font)
        painter.drawText(
            QRectF(area.left() + 6, area.top() + 48, area.width() - 12, 40),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
            self.tr("Drop an image\nor URL"),
        )

    def _paint_no_preview(self, painter: QPainter, area: QRectF, muted: QColor) -> None:
        # A picture frame with a slash: "there is an image, we just cannot show it".
        frame = QRectF(0, 0, 40, 30)
        frame.moveCenter(QPointF(area.center().x(), area.center().y() - 10))
        painter.setPen(QPen(muted, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(frame, 4, 4)
        mountains = QPainterPath(QPointF(frame.left() + 5, frame.bottom() - 5))
        mountains.lineTo(frame.left() + 16, frame.top() + 14)
        mountains.lineTo(frame.left() + 24, frame.bottom() - 10)
        mountains.lineTo(frame.left() + 29, frame.bottom() - 14)
        mountains.lineTo(frame.right() - 5, frame.bottom() - 5)
        painter.drawPath(mountains)
        painter.drawEllipse(QPointF(frame.right() - 10, frame.top() + 9), 3, 3)
        painter.drawLine(frame.bottomLeft() + QPointF(-4, 4), frame.topRight() + QPointF(4, -4))
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        painter.drawText(
            QRectF(area.left(), frame.bottom() + 8, area.width(), 20),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            self.tr("No preview"),
        )

    def _paint_spinner(self, painter: QPainter, area: QRectF, palette: QPalette) -> None:
        ring = QRectF(0, 0, 26, 26)
        ring.moveCenter(QPointF(area.center().x(), area.center().y() - 8))
        track = _mix(
            palette.color(QPalette.ColorRole.Window),
            palette.color(QPalette.ColorRole.WindowText),
            0.15,
        )
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(track, 3))
        painter.drawEllipse(ring)
        pen = QPen(palette.color(QPalette.ColorRole.Highlight), 3)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawArc(ring, -self._slot.panel_spin() * 16, 100 * 16)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        painter.setPen(_muted_colour(palette))
        painter.drawText(
            QRectF(area.left(), ring.bottom() + 6, area.width(), 20),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            self.tr("Loading…"),
        )

    def _paint_badge(self, painter: QPainter, content: _Content, palette: QPalette) -> None:
        # The slot's number: prompts often say "the jacket from image 2".
        badge = QRectF(5, 5, 18, 18)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.75)
        font.setBold(True)
        painter.setFont(font)
        if content.empty:
            painter.setPen(_muted_colour(palette))
            painter.setBrush(Qt.BrushStyle.NoBrush)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(SCRIM.on(palette))
            painter.drawEllipse(badge)
            painter.setPen(ON_SCRIM.on(palette))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(self._slot.index + 1))


class _UrlEdit(QLineEdit):
    """The slot's link field. It keeps Enter and Esc to itself: QLineEdit passes them on to
    its parent, where Enter would reopen the field it just closed."""

    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            event.accept()
            return
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class ReferenceSlot(QFrame):
    """One reference image: a drop target with a thumbnail, a caption and a × button."""

    def __init__(self, index: int, panel: ReferencePanel) -> None:
        super().__init__(panel)
        self.index = index
        self._panel = panel
        self.content = _Content()
        self._drag_over = False
        self._press: QPointF | None = None
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFixedWidth(SLOT_WIDTH)
        self.setAccessibleName(self.tr("Reference image {number}").format(number=index + 1))

        self.view = _ThumbView(self)
        self.close_button = QToolButton(self.view)
        self.close_button.setText("×")
        self.close_button.setObjectName("referenceRemove")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.close_button.setToolTip(self.tr("Remove this reference (Delete)"))
        self.close_button.setAccessibleName(
            self.tr("Remove reference image {number}").format(number=index + 1)
        )
        self.close_button.setFixedSize(20, 20)
        self.close_button.move(THUMB - 20 - 5, 5)
        self.close_button.setStyleSheet(
            "#referenceRemove { border: none; border-radius: 10px;"
            f" color: {css(ON_SCRIM.pick(False))}; background: {css(SCRIM.pick(False))};"
            " font-size: 13px; font-weight: 600; padding: 0 0 2px 0; }"
            f"#referenceRemove:hover {{ background: {css(SCRIM_HOVER.pick(False))}; }}"
        )
        self.close_button.clicked.connect(self.clear)

        self.add_url_button = QToolButton(self.view)
        self.add_url_button.setText("+ URL")
        self.add_url_button.setObjectName("referenceAddUrl")
        self.add_url_button.setAutoRaise(True)
        self.add_url_button.setStyleSheet(
            "#referenceAddUrl { color: palette(link); border: 1px solid palette(mid);"
            " border-radius: 10px; padding: 1px 9px; font-size: 11px; background: transparent; }"
            "#referenceAddUrl:hover { border-color: palette(highlight); }"
        )
        self.add_url_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.add_url_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.add_url_button.setToolTip(
            self.tr("Type or paste an image link (or double-click the slot)")
        )
        self.add_url_button.clicked.connect(self.begin_url_entry)

        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 0.9)
        smaller = QFont(self.font())
        smaller.setPointSizeF(smaller.pointSizeF() * 0.82)

        # The link field sits in the picture area, where "+ URL" was: the caption block
        # below then needs only its two lines, whatever the slot is doing.
        self.url_edit = _UrlEdit(self.view)
        self.url_edit.setFont(small)
        self.url_edit.setPlaceholderText("https://…")
        self.url_edit.setAccessibleName(
            self.tr("Link for reference image {number}").format(number=index + 1)
        )
        self.url_edit.returnPressed.connect(self._url_entered)
        self.url_edit.cancelled.connect(self.end_url_entry)
        edit_height = self.url_edit.sizeHint().height()
        self.url_edit.setGeometry(6, THUMB - edit_height - 8, THUMB - 12, edit_height)
        self.url_edit.hide()

        # Line 1: the name (or a message); line 2, smaller and quieter: the size or a note.
        self.caption = _plain(QLabel())
        self.note_label = _plain(QLabel())
        for label in (self.caption, self.note_label):
            label.setFixedWidth(THUMB)
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.caption.setFont(small)
        self.note_label.setFont(smaller)

        # Fixed height for the caption block, so a message never makes the row jump.
        below = QWidget(self)
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.setSpacing(1)
        below_layout.addWidget(self.caption)
        below_layout.addWidget(self.note_label)
        below_layout.addStretch(1)
        below.setFixedHeight(2 * QFontMetrics(small).lineSpacing() + 3)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(PAD, PAD, PAD, PAD - 2)
        layout.setSpacing(6)
        layout.addWidget(self.view, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(below)
        self.refresh()

    # ---------------------------------------------------------------- state, for callers

    @property
    def reference(self) -> Reference | None:
        return self.content.reference

    @property
    def error(self) -> str | None:
        """The message the slot shows for the last thing it refused, if any."""
        return self.content.error

    @property
    def loading(self) -> bool:
        return self.content.job is not None

    @property
    def thumbnail(self) -> QPixmap | None:
        return self.content.pixmap

    def is_free(self) -> bool:
        return self.content.empty

    def panel_spin(self) -> int:
        return self._panel.spin_angle

    # ---------------------------------------------------------------- actions

    def clear(self) -> None:
        """Remove the reference, stop any loading, forget any message."""
        had = self.content.reference is not None
        self.clear_silently()
        self._panel.update_busy()
        if had:
            self._panel.changed.emit()

    def clear_silently(self) -> None:
        """As clear(), for a caller that emits one ``changed`` for many slots."""
        self._cancel_job()
        self.content = _Content()
        self.end_url_entry()
        self.refresh()

    def paste(self) -> None:
        """Put what the clipboard holds (an image or links) here, and any extra in free slots."""
        mime = QGuiApplication.clipboard().mimeData()
        items = _read_mime(mime) if mime is not None else []
        if not items:
            self.show_error(self.tr("The clipboard holds no image and no link."))
            return
        self._panel.place(items, self.index, replace=True)

    def begin_url_entry(self) -> None:
        self.url_edit.show()
        self.refresh()
        self.url_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.url_edit.selectAll()

    def end_url_entry(self) -> None:
        if not self.url_edit.isHidden():
            had_focus = self.url_edit.hasFocus()
            self.url_edit.clear()
            self.url_edit.hide()
            self.refresh()
            if had_focus:
                self.setFocus(Qt.FocusReason.OtherFocusReason)

    def make_drag_mime(self) -> QMimeData:
        """What dragging this slot carries: which panel and which slot, nothing else."""
        mime = QMimeData()
        payload = json.dumps({"panel": self._panel.token, "slot": self.index})
        mime.setData(SLOT_MIME, QByteArray(payload.encode("utf-8")))
        return mime

    def show_error(self, message: str) -> None:
        self.content.error = message
        self.refresh()

    # ---------------------------------------------------------------- loading

    def start(self, source: _Source, *, restore: bool = False) -> None:
        """Begin loading ``source`` here (the panel decides where things go)."""
        if self._panel.closed:
            return
        self._cancel_job()
        job = _Job(source, restore)
        self.content.job = job
        self.content.pending = _pending_text(source)
        self.content.error = None
        self._panel.spawn(job)
        self.refresh()

    def finish(self, job: _Job, result: _Loaded | _Rejected) -> None:
        """Take a finished load's result, if this slot still holds that load."""
        content = self.content
        if content.job is not job:
            return
        content.job = None
        content.pending = ""
        if isinstance(result, _Rejected):
            content.error = result.message
            lost = job.restore and content.reference is not None
            if lost:
                # A restored value that turns out unusable must not be sent again.
                self.content = _Content(error=result.message)
            self.refresh()
            self._panel.update_busy()
            if lost:
                self._panel.changed.emit()
            return
        before = content.reference.value if content.reference is not None else None
        content.reference = result.reference
        content.pixmap = _pixmap(result.thumb) if result.thumb is not None else None
        content.has_alpha = result.thumb.has_alpha if result.thumb is not None else False
        content.scaled = None
        content.pixels = result.pixels
        content.detail = result.detail
        content.error = None
        self.refresh()
        self._panel.update_busy()
        if before != result.reference.value:
            self._panel.changed.emit()

    def _cancel_job(self) -> None:
        job = self.content.job
        if job is not None:
            self.content.job = None
            self.content.pending = ""
            if job.task is not None:
                job.task.cancel()

    def cancel_loading(self) -> None:
        """Stop a pending load and keep what the slot had before it."""
        if self.content.job is not None:
            self._cancel_job()
            self.refresh()
            self._panel.update_busy()

    # ---------------------------------------------------------------- presentation

    def refresh(self) -> None:
        content = self.content
        palette = self.palette()
        editing = not self.url_edit.isHidden()
        caption_palette = self.caption.palette()
        note_palette = self.note_label.palette()
        caption_text = ""
        note_text = ""
        caption_colour = palette.color(QPalette.ColorRole.WindowText)
        note_colour = _muted_colour(palette)
        tip: list[str] = []
        caption_metrics = QFontMetrics(self.caption.font())
        if content.error is not None:
            # Two lines at most; the whole message is in the tooltip.
            caption_text = _elide_lines(content.error, self.caption.font(), THUMB, 2)
            caption_colour = _error_colour(palette)
            tip.append(content.error)
        elif editing:
            caption_text = caption_metrics.elidedText(
                self.tr("Press Enter to add"), Qt.TextElideMode.ElideRight, THUMB
            )
            caption_colour = _muted_colour(palette)
        elif content.job is not None:
            caption_text = caption_metrics.elidedText(
                content.pending, Qt.TextElideMode.ElideMiddle, THUMB
            )
            caption_colour = _muted_colour(palette)
        elif content.reference is not None:
            note = self._note_text(content.reference.note)
            name, _dot, size = content.reference.label.rpartition(" · ")
            if not name:  # no size known (a link that could not be fetched)
                name, size = size, ""
            if note:
                # The note needs line 2: name and size share line 1, the name giving way.
                caption_text = _fit_label(content.reference.label, self.caption.font(), THUMB)
                note_text = QFontMetrics(self.note_label.font()).elidedText(
                    " ".join(note.split()), Qt.TextElideMode.ElideRight, THUMB
                )
                if content.reference.note == COULD_NOT_PREVIEW:
                    note_colour = _warning_colour(palette)
            else:
                caption_text = caption_metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, THUMB)
                note_text = size
        if content.reference is not None:
            reference = content.reference
            tip.append(reference.label)
            if content.pixels is not None:
                width, height = content.pixels
                tip.append(self.tr("{width}×{height} pixels").format(width=width, height=height))
            note = self._note_text(reference.note)
            if note:
                tip.append(note + (f": {content.detail}" if content.detail else ""))
            if not reference.value.startswith("data:"):
                tip.append(_short(reference.value, 200))
        caption_palette.setColor(QPalette.ColorRole.WindowText, caption_colour)
        note_palette.setColor(QPalette.ColorRole.WindowText, note_colour)
        self.caption.setPalette(caption_palette)
        self.note_label.setPalette(note_palette)
        self.caption.setText(caption_text)
        self.note_label.setText(note_text)
        self.note_label.setVisible(bool(note_text))
        self.close_button.setVisible(not content.empty)
        self.add_url_button.setVisible(content.empty and not editing)
        hint = self.add_url_button.sizeHint()
        self.add_url_button.move((THUMB - hint.width()) // 2, THUMB - hint.height() - 10)
        self.setToolTip(_tooltip("\n".join(tip)) if tip else "")
        self.setAccessibleDescription(
            "; ".join(tip) if tip else self.tr("empty: drop an image or a link")
        )
        self.view.update()
        self.update()

    def _note_text(self, note: str | None) -> str | None:
        if note == COULD_NOT_PREVIEW:
            return self.tr("could not preview")
        return None if note is None else localized(note)  # engine/references.py's notes

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        window = palette.color(QPalette.ColorRole.Window)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        if self._drag_over:
            fill = QColor(highlight)
            fill.setAlphaF(0.12)
            painter.setBrush(fill)
            painter.setPen(QPen(highlight, 2))
        elif self.content.empty:
            pen = QPen(_mix(window, text, 0.38), 1.4)
            pen.setDashPattern([4.0, 3.0])
            if self.hasFocus():
                pen.setColor(highlight)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(pen)
        else:
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.setPen(QPen(highlight if self.hasFocus() else _mix(window, text, 0.22), 1.2))
        painter.drawRoundedRect(frame, RADIUS, RADIUS)
        painter.end()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.content.scaled = None
            self.refresh()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    # ---------------------------------------------------------------- input

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            self.begin_url_entry()
        elif key == Qt.Key.Key_Escape and self.loading:
            self.cancel_loading()
        elif alt and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            # The keyboard's way to reorder, for those who do not drag.
            step = -1 if key == Qt.Key.Key_Left else 1
            self._panel.move_reference(self.index, self.index + step)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        press = self._press
        if (
            press is None
            or not event.buttons() & Qt.MouseButton.LeftButton
            or self.content.empty
            or (event.position() - press).manhattanLength() < QApplication.startDragDistance()
        ):
            super().mouseMoveEvent(event)
            return
        self._press = None
        drag = QDrag(self)
        drag.setMimeData(self.make_drag_mime())
        if self.content.pixmap is not None:
            ghost = self.content.pixmap.scaled(
                72,
                72,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            drag.setPixmap(ghost)
            drag.setHotSpot(ghost.rect().center())
        # A drag runs its own event loop; this is an event handler, not a coroutine.
        drag.exec(Qt.DropAction.MoveAction)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.begin_url_entry()
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(self.tr("Paste"), self.paste)
        menu.addAction(self.tr("Enter image link…"), self.begin_url_entry)
        remove = menu.addAction(self.tr("Remove"), self.clear)
        remove.setEnabled(not self.content.empty or self.content.error is not None)
        # popup(), not exec(): a nested loop here would stall the asyncio tasks.
        menu.popup(event.globalPos())

    def _url_entered(self) -> None:
        text = self.url_edit.text().strip()
        if not text:
            self.end_url_entry()
            return
        items = _items_from_text(text)
        usable = [item for item in items if not isinstance(item, _Refused)]
        if not usable:
            first = items[0]
            assert isinstance(first, _Refused)
            self.show_error(first.message)  # the editor stays open, to correct the link
            return
        self.end_url_entry()
        self._panel.place(items, self.index, replace=True)

    # ---------------------------------------------------------------- drops

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        action = self._panel.drop_action(event.mimeData(), self)
        if action is None:
            event.ignore()
            return
        event.setDropAction(action)
        event.accept()
        self._drag_over = not self._is_own_drag(event.mimeData())
        self.update()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        action = self._panel.drop_action(event.mimeData(), self)
        if action is None:
            event.ignore()
            return
        event.setDropAction(action)
        event.accept()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._drag_over = False
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:
        self._drag_over = False
        self.update()
        mime = event.mimeData()
        action = self._panel.drop_action(mime, self)
        if action is None:
            event.ignore()
            return
        event.setDropAction(action)
        event.accept()
        source = self._panel.dragged_slot(mime)
        if source is not None:
            self._panel.move_reference(source, self.index)
            return
        self._panel.place(_read_mime(mime), self.index, replace=False)

    def _is_own_drag(self, mime: QMimeData) -> bool:
        return self._panel.dragged_slot(mime) == self.index


def _pixmap(thumb: _Thumb) -> QPixmap:
    image = QImage(
        thumb.rgba, thumb.width, thumb.height, thumb.width * 4, QImage.Format.Format_RGBA8888
    )
    return QPixmap.fromImage(image.copy())  # copy: the QImage must not outlive the bytes


# ---------------------------------------------------------------- the panel


class ReferencePanel(QWidget):
    """Four reference slots in a row, and a line for panel-wide messages under them."""

    changed = Signal()  # the set or the order of references changed
    busy_changed = Signal(bool)  # a slot started or stopped loading (e.g. to hold Submit)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.token = uuid.uuid4().hex  # slot drags from another panel are not ours to move
        self.spin_angle = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._http: httpx.AsyncClient | None = None
        self.closed = False
        self._was_busy = False
        self._spinner = QTimer(self)
        self._spinner.setInterval(50)
        self._spinner.timeout.connect(self._spin)

        self._slots = tuple(ReferenceSlot(index, self) for index in range(MAX_REFERENCES))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        for slot in self._slots:
            row.addWidget(slot)
        row.addStretch(1)
        self.message_label = _plain(QLabel())
        self.message_label.setWordWrap(True)
        self.message_label.setMinimumHeight(self.message_label.fontMetrics().lineSpacing())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(row)
        layout.addWidget(self.message_label)
        self.setAcceptDrops(True)
        self._colour_message()

    # ---------------------------------------------------------------- public API

    @property
    def slots(self) -> tuple[ReferenceSlot, ...]:
        return self._slots

    def references(self) -> tuple[str, ...]:
        """The values to send, in slot order; empty slots skipped."""
        return tuple(s.reference.value for s in self._slots if s.reference is not None)

    def set_references(self, values: Sequence[str]) -> None:
        """Show these values (e.g. a task's, to reuse its settings), replacing everything."""
        before = self.references()
        for slot in self._slots:
            slot.clear_silently()
        usable = [value for value in values if _is_reference_value(value)]
        refused = len(values) - len(usable)
        for slot, value in zip(self._slots, usable, strict=False):
            slot.content.reference = Reference(value, _saved_label(value), None)
            slot.start(_Saved(value), restore=True)
        notes = []
        if len(usable) > len(self._slots):
            notes.append(self._overflow_text(len(usable) - len(self._slots)))
        if refused:
            notes.append(
                self.tr("1 saved reference was not a link or an image and was left out")
                if refused == 1
                else self.tr(
                    "{count} saved references were not links or images and were left out"
                ).format(count=refused)
            )
        self.set_message("; ".join(notes))
        self.update_busy()
        if self.references() != before:
            self.changed.emit()

    def first_free(self) -> int | None:
        return next((s.index for s in self._slots if s.is_free()), None)

    def add(self, mime: QMimeData) -> bool:
        """Put what ``mime`` holds in the first free slot, as a drop on the panel would
        (the gallery's "Use as reference"). False when every slot is taken."""
        target = self.first_free()
        items = _read_mime(mime)
        if target is None:
            sources = [item for item in items if not isinstance(item, _Refused)]
            self.set_message(self._overflow_text(len(sources)) if sources else "")
            return False
        self.place(items, target, replace=False)
        return True

    def busy(self) -> bool:
        """A slot is still reading a file or fetching a preview."""
        return any(slot.loading for slot in self._slots)

    async def wait_idle(self) -> None:
        """Until no slot is loading (cancelled loads included, so nothing runs on after)."""
        while True:
            pending = [task for task in self._tasks if not task.done()]
            if not pending:
                return
            await asyncio.wait(pending)

    def message(self) -> str:
        return self.message_label.text()

    def set_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setToolTip(_tooltip(text) if text else "")

    async def aclose(self) -> None:
        """Stop every load and close the preview client. The panel takes no new work after."""
        self.closed = True
        for slot in self._slots:
            slot.cancel_loading()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._spinner.stop()
        client, self._http = self._http, None
        if client is not None:
            await client.aclose()

    # ---------------------------------------------------------------- placing and moving

    def place(self, items: Sequence[_Item], target: int, *, replace: bool) -> None:
        """Fill ``target`` (if free, or if ``replace``), then the next free slots."""
        self.set_message("")
        refused = [item for item in items if isinstance(item, _Refused)]
        sources = [item for item in items if not isinstance(item, _Refused)]
        if not sources:
            message = (
                refused[0].message if refused else self.tr("Nothing in this drop can be used.")
            )
            self._slots[target].show_error(message)
            return
        order = [target] if replace or self._slots[target].is_free() else []
        after = range(target + 1, len(self._slots))
        before = range(target)
        order += [i for i in (*after, *before) if i != target and self._slots[i].is_free()]
        for index, source in zip(order, sources, strict=False):
            self._slots[index].start(source)
        notes = []
        if len(sources) > len(order):
            notes.append(self._overflow_text(len(sources) - len(order)))
        if refused:
            extra = (
                self.tr(" (and {count} more refused)").format(count=len(refused) - 1)
                if len(refused) > 1
                else ""
            )
            notes.append(refused[0].message + extra)
        self.set_message("; ".join(notes))
        self.update_busy()

    def move_reference(self, source: int, target: int) -> None:
        """Move a slot's content to ``target``; the slots between shift to make room."""
        count = len(self._slots)
        if source == target or not (0 <= source < count and 0 <= target < count):
            return
        before = self.references()
        contents = [slot.content for slot in self._slots]
        if contents[target].empty:
            contents[target], contents[source] = contents[source], _Content()
        else:
            contents.insert(target, contents.pop(source))
        for slot, content in zip(self._slots, contents, strict=True):
            content.error = None
            slot.content = content
            slot.end_url_entry()
            slot.refresh()
        self.set_message("")
        self._slots[target].setFocus(Qt.FocusReason.OtherFocusReason)
        if self.references() != before:
            self.changed.emit()

    def drop_action(self, mime: QMimeData, slot: ReferenceSlot | None) -> Qt.DropAction | None:
        if mime.hasFormat(SLOT_MIME):
            if slot is None or self.dragged_slot(mime) is None:
                return None
            return Qt.DropAction.MoveAction
        if self.closed:
            return None
        if mime.hasFormat(GALLERY_MIME) or mime.hasUrls() or mime.hasImage() or mime.hasText():
            # Always a copy: a "move" from a file manager would delete the user's file.
            return Qt.DropAction.CopyAction
        return None

    def dragged_slot(self, mime: QMimeData) -> int | None:
        if not mime.hasFormat(SLOT_MIME):
            return None
        try:
            payload = json.loads(bytes(mime.data(SLOT_MIME).data()).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):  # deep nesting, from anyone
            return None
        if not isinstance(payload, dict) or payload.get("panel") != self.token:
            return None
        index = payload.get("slot")
        if isinstance(index, int) and 0 <= index < len(self._slots):
            return index
        return None

    # ---------------------------------------------------------------- drops on the gaps

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        action = self.drop_action(event.mimeData(), None)
        if action is None:
            event.ignore()
            return
        event.setDropAction(action)
        event.accept()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self.dragEnterEvent(event)  # type: ignore[arg-type]

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        action = self.drop_action(mime, None)
        if action is None:
            event.ignore()
            return
        event.setDropAction(action)
        event.accept()
        self.add(mime)

    # ---------------------------------------------------------------- tasks

    def spawn(self, job: _Job) -> None:
        if self.closed:
            return
        task = asyncio.get_running_loop().create_task(self._run(job))
        job.task = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job: _Job) -> None:
        result: _Loaded | _Rejected
        try:
            result = await _load(job.source, self._client)
        except _Rejected as exc:
            result = exc
        except Exception:
            log.exception("a reference image could not be prepared")
            result = _Rejected(
                self.tr("This image could not be added (unexpected error; see the log).")
            )
        if not Shiboken.isValid(self):
            return  # the widget was deleted without aclose(); nobody is left to show this
        # The content may have moved to another slot meanwhile: deliver to where it is now.
        holder = next((s for s in self._slots if s.content.job is job), None)
        if holder is not None:
            holder.finish(job, result)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = image_http_client(timeout=PREVIEW_TIMEOUT)
        return self._http

    def update_busy(self) -> None:
        busy = self.busy()
        if busy and not self._spinner.isActive():
            self._spinner.start()
        elif not busy:
            self._spinner.stop()
        if busy != self._was_busy:
            self._was_busy = busy
            self.busy_changed.emit(busy)

    def _spin(self) -> None:
        self.spin_angle = (self.spin_angle + 24) % 360
        for slot in self._slots:
            if slot.loading:
                slot.view.update()

    # ---------------------------------------------------------------- looks

    @staticmethod
    def _overflow_text(extra: int) -> str:
        return QCoreApplication.translate(
            "ReferencePanel", "at most {limit} references — {count} not added"
        ).format(limit=MAX_REFERENCES, count=extra)

    def _colour_message(self) -> None:
        palette = self.message_label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, _error_colour(self.palette()))
        self.message_label.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_message()
