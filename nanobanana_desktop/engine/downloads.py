"""Fetch a result image and stage it, verified, as a temporary file in the library.

Result images live on a third-party CDN (or arrive inline as data URIs). Nothing about
them is trusted: not the URL, not the Content-Type, not the Content-Length, not the
bytes. Each one is streamed to a temporary file in the destination folder, sniffed,
checked against byte and pixel caps, and fully decoded by Pillow before the caller
sees it. Disk and Pillow work runs in worker threads so the event loop (Qt's, under
qasync) never waits on either. The thumbnails the caller asks for are made from the
pixels that check decoded: a 2048 px PNG is not decoded a second time to show it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import errno
import hashlib
import http.cookiejar
import logging
import os
import tempfile
import threading
import urllib.request
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

import httpx
from PIL import Image

from .. import __version__
from ..api.retry import RetryPolicy, is_retryable_status, parse_retry_after
from ..messages import translatable
from .library import PARTIAL_PREFIX, PARTIAL_SUFFIX, claim_partial
from .thumbnails import shrink_each

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "DownloadError",
    "FetchFailed",
    "ImageTooLarge",
    "NotAnImage",
    "SourceExpired",
    "StagedImage",
    "StorageError",
    "image_http_client",
    "sniff_format",
    "stage_image",
]

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 64 * 1024 * 1024
MAX_IMAGE_PIXELS = 64_000_000  # 4K 16:9 is 5504x3072 = 17 MP; leave headroom, refuse bombs
MAX_REDIRECTS = 5

# One hop to a worker thread per megabyte, not per network chunk (usually 64 KiB).
_WRITE_BATCH = 1024 * 1024
_SNIFF_BYTES = 12  # "RIFF" + size + "WEBP" is the longest signature
_EXPIRED_STATUSES = frozenset({403, 404, 410})
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
# warnings.catch_warnings swaps a process-wide filter list; concurrent stagings (the
# engine runs several) must not interleave their save/restore and leak a filter.
_WARNINGS_LOCK = threading.Lock()

_DISK_FULL = translatable(
    "Downloads",
    "The disk that holds {folder} is full. Free some disk space, and "
    "the image will be saved on the next attempt.",
)
_READ_ONLY = translatable(
    "Downloads",
    "The library folder {folder} is read-only. Make it writable or choose another library "
    "folder, and the image will be saved on the next attempt.",
)
_MISSING = translatable(
    "Downloads",
    "The library folder {folder} is missing. Reconnect its drive or choose the library "
    "folder again, and the image will be saved on the next attempt.",
)
_NOT_A_FOLDER = translatable(
    "Downloads", "The library folder {folder} is not a folder. Choose the library folder again."
)
_NOT_WRITTEN = translatable(
    "Downloads",
    "The image could not be written to {folder} ({reason}). Check the folder, and "
    "the image will be saved on the next attempt.",
)
_URI_NOT_BASE64 = translatable(
    "Downloads", "The image arrived as a data URI that is not base64-encoded."
)
_INLINE_TOO_LARGE = translatable("Downloads", "The inline image is larger than {megabytes} MB.")
_INLINE_NOT_BASE64 = translatable("Downloads", "The inline image is not valid base64.")
_NOT_AN_ADDRESS = translatable("Downloads", "The image source is not a valid web address.")
_OTHER_SCHEME = translatable(
    "Downloads",
    "The image source is a {scheme}: link; only http, https and data: sources are fetched.",
)
_NO_SCHEME = translatable(
    "Downloads",
    "The image source is not a web address; only http, https and data: sources are fetched.",
)
_NO_HOST = translatable("Downloads", "The image source is a web address without a host.")
_GAVE_UP = translatable(
    "Downloads",
    "The image could not be downloaded: {reason} ({attempts} attempts). "
    "It will be tried again later.",
)
_GAVE_UP_AT_ONCE = translatable(
    "Downloads",
    "The image could not be downloaded: {reason} (1 attempt). It will be tried again later.",
)
_LARGER_THAN = translatable(
    "Downloads", "The image is larger than {megabytes} MB; it was not saved."
)
_HOST_SILENT = translatable("Downloads", "the image host sent nothing for {seconds} s")
_TOO_MANY_REDIRECTS = translatable(
    "Downloads",
    "The image link redirects more than {count} times; it was not followed further.",
)
_ODD_REDIRECT = translatable(
    "Downloads", "The image link redirects to something other than a web address."
)
_HOST_SLOW = translatable("Downloads", "the image host did not answer in time")
_HOST_UNREACHABLE = translatable("Downloads", "the connection to the image host failed ({reason})")
_EXPIRED = translatable(
    "Downloads",
    "The image link has expired at the source (HTTP {status}). The host keeps results only "
    "for a limited time, so this image can no longer be saved.",
)
_HOST_ERROR = translatable("Downloads", "the image host answered HTTP {status}")
_HOST_REFUSED = translatable("Downloads", "The image host refused the download (HTTP {status}).")
_DECLARED_TOO_LARGE = translatable(
    "Downloads",
    "The image is {megabytes} MB, more than the {limit} MB allowed; it was not downloaded.",
)
_NOT_AN_IMAGE = translatable(
    "Downloads", "The download is not a PNG, JPEG or WebP image; it was not saved."
)
_TOO_MANY_PIXELS = translatable(
    "Downloads",
    "The image is {width}x{height} pixels, more than the {limit} allowed; it was not saved.",
)
_DECOMPRESSION_BOMB = translatable(
    "Downloads",
    "The image declares more pixels than can be decoded safely; it was not saved.",
)
_UNDECODABLE = translatable(
    "Downloads",
    "The {format} image is damaged or incomplete and cannot be decoded; it was not saved.",
)

T = TypeVar("T")


@dataclass(frozen=True)
class StagedImage:
    temp_path: Path  # inside dest_dir, so the caller can os.replace it atomically
    format: str  # "PNG" | "JPEG" | "WEBP", sniffed from the bytes
    width: int
    height: int
    sha256: str
    size: int
    # size -> thumbnail (see thumbnails.shrink_each), as asked by stage_image's caller
    thumbnails: Mapping[int, Image.Image] = field(default_factory=dict, compare=False)


class DownloadError(Exception):
    """An image could not be staged. ``transient``: trying again later may work."""

    transient = False

    def __init__(
        self, message: str, *, transient: bool | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        if transient is not None:
            self.transient = transient

    def __str__(self) -> str:
        return self.message


class SourceExpired(DownloadError):  # noqa: N818 - the engine names these by outcome
    """The host no longer serves the image (403/404/410); asking again will not help."""


class ImageTooLarge(DownloadError):  # noqa: N818
    """Over the byte cap or the pixel cap."""


class NotAnImage(DownloadError):  # noqa: N818
    """Not a PNG, JPEG or WebP, not decodable, or not a source we fetch from at all."""


class StorageError(DownloadError):
    """The destination folder cannot take the file; a later attempt may succeed."""

    transient = True


class FetchFailed(DownloadError):  # noqa: N818
    """The network or the host failed, also after the retries."""

    transient = True


class _RefuseAllCookies(http.cookiejar.DefaultCookiePolicy):
    # A CDN has no business tracking the user across downloads.
    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False


async def _drop_authorization(request: httpx.Request) -> None:
    # Runs on every hop, redirects included, after auth flows have added their headers:
    # the last point where a credential bound for an image host can still be stopped.
    if "Authorization" in request.headers:
        del request.headers["Authorization"]
        log.warning("dropped an Authorization header bound for image host %s", request.url.host)
    assert "Authorization" not in request.headers


def image_http_client(
    *, timeout: float = 30.0, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """A client for image hosts: no credentials, no cookies kept, at most 5 redirects.

    ``transport`` is for tests. The caller closes the client.
    """
    return httpx.AsyncClient(
        auth=None,
        cookies=http.cookiejar.CookieJar(policy=_RefuseAllCookies()),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        http2=False,
        timeout=httpx.Timeout(timeout),
        transport=transport,
        headers={
            "User-Agent": f"nanobanana-desktop/{__version__}",
            "Accept": "image/png,image/jpeg,image/webp;q=0.9,*/*;q=0.1",
            # Images are compressed already; a gzip layer only costs CPU and lets a small
            # body inflate in memory before the byte cap can see it.
            "Accept-Encoding": "identity",
        },
        event_hooks={"request": [_drop_authorization]},
    )


def sniff_format(head: bytes) -> str | None:
    """The format named by the first bytes: "PNG", "JPEG", "WEBP", or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if len(head) >= _SNIFF_BYTES and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


async def stage_image(
    source: str,
    dest_dir: Path,
    *,
    http: httpx.AsyncClient,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
    stall_timeout: float = 20.0,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    thumbnail_sizes: Sequence[int] = (),
) -> StagedImage:
    """Fetch ``source`` (an http(s) URL or a base64 data URI) into a temp file in dest_dir.

    On success the caller owns ``temp_path``; on any failure no file is left behind.
    ``thumbnail_sizes``: thumbnails to make from the verified pixels, in the same worker.
    Raises a :class:`DownloadError` subclass.
    """
    if source[:5].lower() == "data:":
        part = await _owned(_stage_data_uri, source, dest_dir, max_bytes)
    else:
        _check_url(source)
        part = await _download(
            source,
            dest_dir,
            http=http,
            max_bytes=max_bytes,
            stall_timeout=stall_timeout,
            retry=retry or RetryPolicy(),
            sleep=sleep,
        )
    try:
        width, height, thumbnails = await asyncio.to_thread(
            _verify, part.path, part.format, max_pixels, tuple(thumbnail_sizes)
        )
    except BaseException:
        part.discard()
        raise
    return StagedImage(
        part.path, part.format, width, height, part.hexdigest(), part.size, thumbnails
    )


class _Part:
    """The temporary file being written; every OSError it meets becomes a StorageError."""

    def __init__(self, dest_dir: Path) -> None:
        self.dest_dir = dest_dir
        self.size = 0
        self.format = ""
        self._digest = hashlib.sha256()
        try:
            self._file: IO[bytes] = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in finish/discard
                mode="wb", dir=dest_dir, prefix=PARTIAL_PREFIX, suffix=PARTIAL_SUFFIX, delete=False
            )
        except OSError as exc:
            raise storage_error(exc, dest_dir) from None
        self.path = Path(self._file.name)
        claim_partial(self._file.fileno())  # a fresh, private file: the lock is free

    def write(self, data: bytes) -> None:
        try:
            self._file.write(data)
        except OSError as exc:
            raise storage_error(exc, self.dest_dir) from None
        self._digest.update(data)
        self.size += len(data)

    def finish(self) -> None:
        try:
            self._file.flush()
            # Some filesystems (NFS, quota'd or delayed-allocation ones) report a full
            # disk only here; better now than after the caller has moved the file.
            os.fsync(self._file.fileno())
            self._file.close()
        except OSError as exc:
            raise storage_error(exc, self.dest_dir) from None

    def discard(self) -> None:
        # Synchronous on purpose: it also runs while a task is being cancelled, when
        # awaiting a thread is no longer reliable. It is one close and one unlink.
        with contextlib.suppress(OSError, ValueError):
            self._file.close()
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def storage_error(exc: OSError, dest_dir: Path) -> StorageError:
    if exc.errno in _FULL_ERRNOS:
        return StorageError(_DISK_FULL.format(folder=dest_dir))
    if exc.errno in _READ_ONLY_ERRNOS:
        return StorageError(_READ_ONLY.format(folder=dest_dir))
    if exc.errno == errno.ENOENT:
        return StorageError(_MISSING.format(folder=dest_dir))
    if exc.errno == errno.ENOTDIR:
        return StorageError(_NOT_A_FOLDER.format(folder=dest_dir))
    return StorageError(_NOT_WRITTEN.format(folder=dest_dir, reason=exc.strerror or exc))


async def _owned(fn: Callable[..., _Part], *args: object) -> _Part:
    """Run ``fn`` in a thread; if we are cancelled meanwhile, the file it makes is removed.

    A cancelled to_thread keeps running. Its file would be an orphan nobody knows about,
    so the thread and the canceller agree under a lock on who discards it. No loop
    callback is involved: this holds even when the loop is shutting down.
    """
    handoff = _Handoff()

    def make() -> _Part:
        return handoff.deliver(fn(*args))

    try:
        return await asyncio.to_thread(make)
    except asyncio.CancelledError:
        handoff.abandon()
        raise


class _Handoff:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._part: _Part | None = None
        self._abandoned = False

    def deliver(self, part: _Part) -> _Part:
        with self._lock:
            self._part = part
            abandoned = self._abandoned
        if abandoned:
            part.discard()
        return part

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True
            part = self._part
        if part is not None:
            part.discard()


def _stage_data_uri(source: str, dest_dir: Path, max_bytes: int) -> _Part:
    header, comma, payload = source.partition(",")
    if not comma or "base64" not in (p.strip().lower() for p in header[5:].split(";")):
        raise NotAnImage(_URI_NOT_BASE64)
    padding = len(payload) - len(payload.rstrip("="))
    # Refuse before decoding: a huge payload should not cost its size again in memory.
    if len(payload) * 3 // 4 - min(padding, 2) > max_bytes:
        raise ImageTooLarge(_INLINE_TOO_LARGE.format(megabytes=_megabytes(max_bytes)))
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise NotAnImage(_INLINE_NOT_BASE64) from None
    if len(data) > max_bytes:
        raise ImageTooLarge(_INLINE_TOO_LARGE.format(megabytes=_megabytes(max_bytes)))
    fmt = sniff_format(data[:_SNIFF_BYTES])
    if fmt is None:
        raise _not_an_image()
    part = _Part(dest_dir)
    try:
        part.format = fmt
        part.write(data)
        part.finish()
    except BaseException:
        part.discard()
        raise
    return part


def _check_url(source: str) -> None:
    try:
        url = httpx.URL(source)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise NotAnImage(_NOT_AN_ADDRESS) from None
    if url.scheme not in ("http", "https"):
        raise NotAnImage(_OTHER_SCHEME.format(scheme=url.scheme) if url.scheme else _NO_SCHEME)
    if not url.host:
        raise NotAnImage(_NO_HOST)


class _RetryError(Exception):
    """A failure worth another attempt; ``reason`` completes "the download failed: ..."."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


async def _download(
    url: str,
    dest_dir: Path,
    *,
    http: httpx.AsyncClient,
    max_bytes: int,
    stall_timeout: float,
    retry: RetryPolicy,
    sleep: Callable[[float], Awaitable[None]],
) -> _Part:
    attempt = 0
    while True:
        try:
            return await _fetch_once(url, dest_dir, http, max_bytes, stall_timeout)
        except _RetryError as exc:
            if attempt >= retry.max_retries:
                raise FetchFailed(
                    _GAVE_UP.format(reason=exc.reason, attempts=attempt + 1)
                    if attempt
                    else _GAVE_UP_AT_ONCE.format(reason=exc.reason)
                ) from None
            await sleep(retry.delay(attempt, exc.retry_after))
            attempt += 1


async def _fetch_once(
    url: str, dest_dir: Path, http: httpx.AsyncClient, max_bytes: int, stall_timeout: float
) -> _Part:
    loop = asyncio.get_running_loop()
    part: _Part | None = None
    watchdog = asyncio.timeout(stall_timeout)

    def rearm() -> None:
        watchdog.reschedule(loop.time() + stall_timeout)

    try:
        async with watchdog:
            # auth=None overrides any client-level auth; the client's hook catches the rest.
            async with http.stream("GET", url, auth=None) as response:
                _check_status(response)
                _check_length(response.headers, max_bytes)
                # The watchdog measures the host, not our disk: it is off while we write.
                watchdog.reschedule(None)
                part = await _owned(_Part, dest_dir)
                rearm()
                pending = bytearray()
                received = 0
                async for chunk in response.aiter_bytes():
                    rearm()
                    received += len(chunk)
                    if received > max_bytes:
                        raise ImageTooLarge(_LARGER_THAN.format(megabytes=_megabytes(max_bytes)))
                    pending += chunk
                    if not part.format and len(pending) >= _SNIFF_BYTES:
                        # Refuse a non-image after a dozen bytes, not after the whole body.
                        part.format = _sniffed(pending)
                    if len(pending) >= _WRITE_BATCH:
                        watchdog.reschedule(None)
                        await asyncio.to_thread(part.write, bytes(pending))
                        pending.clear()
                        rearm()
                watchdog.reschedule(None)
            if not part.format:
                part.format = _sniffed(pending)
            await asyncio.to_thread(part.write, bytes(pending))
            await asyncio.to_thread(part.finish)
    except BaseException as exc:
        if part is not None:
            part.discard()
        if isinstance(exc, TimeoutError) and watchdog.expired():
            raise _RetryError(_HOST_SILENT.format(seconds=f"{stall_timeout:g}")) from None
        if isinstance(exc, httpx.TooManyRedirects):
            raise FetchFailed(
                _TOO_MANY_REDIRECTS.format(count=MAX_REDIRECTS), transient=False
            ) from None
        if isinstance(exc, httpx.UnsupportedProtocol):
            raise FetchFailed(_ODD_REDIRECT, transient=False) from None
        if isinstance(exc, httpx.TimeoutException):
            raise _RetryError(_HOST_SLOW) from None
        if isinstance(exc, httpx.RequestError):
            raise _RetryError(_HOST_UNREACHABLE.format(reason=_describe(exc))) from None
        raise
    return part


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if status in _EXPIRED_STATUSES:
        raise SourceExpired(_EXPIRED.format(status=status), status=status)
    if is_retryable_status(status):
        raise _RetryError(_HOST_ERROR.format(status=status), parse_retry_after(response.headers))
    if not 200 <= status < 300:
        raise FetchFailed(_HOST_REFUSED.format(status=status), transient=False, status=status)


def _check_length(headers: Mapping[str, str], max_bytes: int) -> None:
    try:
        declared = int(headers.get("Content-Length", ""))
    except ValueError:
        return  # absent or garbage: the running count still applies
    if declared > max_bytes:
        raise ImageTooLarge(
            _DECLARED_TOO_LARGE.format(megabytes=_megabytes(declared), limit=_megabytes(max_bytes))
        )


def _sniffed(head: bytes | bytearray) -> str:
    fmt = sniff_format(bytes(head[:_SNIFF_BYTES]))
    if fmt is None:
        raise _not_an_image()
    return fmt


def _not_an_image() -> NotAnImage:
    return NotAnImage(_NOT_AN_IMAGE)


def _verify(
    path: Path, fmt: str, max_pixels: int, thumbnail_sizes: tuple[int, ...] = ()
) -> tuple[int, int, dict[int, Image.Image]]:
    """Open with the sniffed format only, check the size, then decode every pixel; and
    make the thumbnails asked for from those pixels while they are in memory."""
    try:
        with _WARNINGS_LOCK, warnings.catch_warnings():
            # Pillow's own bomb guard warns from inside open(); as an error it cannot
            # escape to the caller's warning filters, and we answer it as "too large".
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path, formats=[fmt])
        with image:
            width, height = image.size
            if width * height > max_pixels:
                raise ImageTooLarge(
                    _TOO_MANY_PIXELS.format(width=width, height=height, limit=f"{max_pixels:,}")
                )
            image.load()
            thumbnails = _thumbnails(image, thumbnail_sizes) if thumbnail_sizes else {}
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge(_DECOMPRESSION_BOMB) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise NotAnImage(_UNDECODABLE.format(format=fmt)) from None
    return width, height, thumbnails


def _thumbnails(image: Image.Image, sizes: tuple[int, ...]) -> dict[int, Image.Image]:
    try:
        return shrink_each(image, sizes)
    except Exception:
        # A verified image is saved whatever happens here; the window makes its thumbnail
        # from the file later, and says why if it cannot.
        log.warning("thumbnails not made at download", exc_info=True)
        return {}


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _megabytes(size: int) -> str:
    """The size in MB with one decimal, as the messages write it before their "MB"."""
    return f"{size / (1024 * 1024):.1f}"
