"""Export: "Save As" one image, or a selection into a folder, as PNG, JPEG or WebP, with
the generation metadata kept.

Blocking and Qt-free, like the rest of the library code: callers run it in a worker
thread (the window through run_blocking) and hear about progress through a callback that
is called on that thread.

What an exported file keeps:

* Same format as the source and no quality asked for: the file's own bytes, untouched
  (no re-encoding, no generation loss), with our metadata written in again.
* Otherwise the pixels are re-encoded, upright (the EXIF orientation is applied, since it
  is not carried over), with the source's ICC colour profile. A transparent image saved as
  JPEG, which has no alpha, is laid on white.
* The metadata, through :mod:`.metadata`: PNG gets the iTXt ``parameters`` text
  (AUTOMATIC1111-style), the iTXt ``nanobanana`` JSON and an XMP packet; JPEG gets the
  JSON in EXIF ``UserComment`` and the XMP packet; WebP gets the same EXIF and XMP as
  ``EXIF`` and ``XMP `` chunks (spliced in without re-encoding, which Pillow's own
  ``exif=``/``xmp=`` would need). Every XMP packet declares the IPTC DigitalSourceType
  "trained algorithmic media". :func:`~.metadata.read_metadata` reads all three back.
* Not kept when re-encoding: other tools' text chunks and EXIF tags, and every frame but
  the first of an animation.
* The library's preview (:mod:`.preview`, the small picture the gallery's thumbnails come
  from) stays in a file whose own bytes are kept: it describes exactly those pixels, and
  the file read back is as quick to show. A re-encoded file has none: Pillow does not copy
  it, and it would not hold anyway, since a preview is only read for the pixel data it was
  made from (even at the same size, a new JPEG quality means new data). Exports leave the
  library, where nothing needs one, so none is made for the new pixels either.

Names in a folder come from the prompt (or the caller), never from the server, are made
safe for Windows, macOS and Linux, and never replace a file that is there: a second
"a lemon.png" becomes "a lemon (2).png". Each file appears whole or not at all.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import io
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps

from ..messages import translatable
from .library import fsync_dir
from .metadata import ImageMetadata, MetadataError, embed_metadata, read_metadata

__all__ = [
    "DEFAULT_JPEG_QUALITY",
    "ExportError",
    "ExportFormat",
    "ExportItem",
    "ExportReport",
    "export_image",
    "export_many",
    "safe_name",
]

DEFAULT_JPEG_QUALITY = 92
MAX_PIXELS = 90_000_000  # as for thumbnails: far above any generated image, below bombs
_SOURCE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")
_NAME_MAX = 80  # characters before the extension and any " (n)"
_NAME_BYTES = 200  # most file systems allow 255 bytes a name; UTF-8 takes up to 4 a letter
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
# Names Windows keeps for devices, with any extension: "con.png" cannot be created there.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{n}" for n in range(1, 10)}
    | {f"lpt{n}" for n in range(1, 10)}
)
_FATAL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


class ExportFormat(enum.StrEnum):
    PNG = "png"
    JPEG = "jpeg"
    WEBP = "webp"

    @property
    def extension(self) -> str:
        return {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}[self.value]

    @property
    def pillow(self) -> str:
        return self.value.upper()

    @classmethod
    def for_path(cls, path: Path) -> ExportFormat:
        """The format a file name asks for by its extension."""
        suffix = path.suffix.lower()
        found = {".png": cls.PNG, ".jpg": cls.JPEG, ".jpeg": cls.JPEG, ".webp": cls.WEBP}
        if suffix not in found:
            raise ValueError(_WRONG_EXTENSION.format(name=path.name))
        return found[suffix]


class ExportError(Exception):
    """The export cannot go on; the message says why, for the user.

    ``report`` holds what a batch had done before it stopped (None for one image).
    """

    def __init__(self, message: str, report: ExportReport | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class ExportItem:
    source: Path
    name: str | None = None  # a base name for the file; None: from the prompt in the file
    metadata: ImageMetadata | None = None  # None: what the source file carries


@dataclass(frozen=True)
class ExportReport:
    written: tuple[Path, ...] = ()
    failed: tuple[tuple[Path, str], ...] = ()  # (source, why), the others went on
    cancelled: bool = False


@dataclass
class _Batch:
    written: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)  # case-folded names given in this batch

    def report(self, *, cancelled: bool = False) -> ExportReport:
        return ExportReport(tuple(self.written), tuple(self.failed), cancelled)


class _SourceError(Exception):
    """This one image cannot be exported; a batch goes on with the others."""


# ------------------------------------------------------------------------------ public


def export_image(
    source: Path,
    target: Path,
    fmt: ExportFormat | None = None,
    *,
    quality: int | None = None,
    metadata: ImageMetadata | None = None,
) -> Path:
    """Save As: ``source`` written to ``target`` (replacing it: the user chose the name).

    ``fmt`` defaults to the one ``target``'s extension names. ``quality`` (1-100) is for
    JPEG and WebP; without it a same-format export keeps the source's bytes (and with
    them the library's preview), JPEG is written at DEFAULT_JPEG_QUALITY and WebP
    losslessly. PNG has no quality. ``metadata`` replaces what the source carries.
    Raises ExportError with a message for the user.
    """
    fmt = ExportFormat.for_path(target) if fmt is None else fmt
    _check_quality(quality)
    try:
        data, _ = _encoded(source, fmt, quality, metadata)
    except _SourceError as exc:
        raise ExportError(str(exc)) from None
    try:
        _write(data, target, replace=True)
    except OSError as exc:
        raise ExportError(_folder_error(target.parent, exc)) from None
    return target


def export_many(
    items: Sequence[ExportItem],
    folder: Path,
    fmt: ExportFormat,
    progress_callback: Callable[[int, int], None] | None = None,
    *,
    quality: int | None = None,
    cancel: threading.Event | None = None,
) -> ExportReport:
    """Write ``items`` into ``folder`` as ``fmt``, under new names, one file at a time.

    ``progress_callback(done, total)`` follows each item, exported or not, on this thread.
    Setting ``cancel`` (from any thread) stops before the next file; files already written
    stay. An image that cannot be read is listed in ``failed`` and the others go on; a
    folder that cannot be written (read-only, full, gone) stops the batch with
    ExportError, whose ``report`` says what was written before.
    """
    _check_quality(quality)
    batch = _Batch()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _probe(folder)
    except OSError as exc:
        raise ExportError(_folder_error(folder, exc), batch.report()) from None
    total = len(items)
    for done, item in enumerate(items, start=1):
        if cancel is not None and cancel.is_set():
            return batch.report(cancelled=True)
        try:
            data, meta = _encoded(item.source, fmt, quality, item.metadata)
            # The slow part is behind us: check again, so that a cancel stops this file too.
            if cancel is not None and cancel.is_set():
                return batch.report(cancelled=True)
            base = safe_name(item.name) if item.name is not None else _default_name(item, meta)
            batch.written.append(_write_new(data, folder, base, fmt, batch))
        except _SourceError as exc:
            batch.failed.append((item.source, str(exc)))
        except OSError as exc:
            if exc.errno in _FATAL_ERRNOS or not folder.is_dir():
                raise ExportError(_folder_error(folder, exc), batch.report()) from None
            batch.failed.append((item.source, f"{item.source.name}: {exc.strerror or exc}"))
        if progress_callback is not None:
            progress_callback(done, total)
    return batch.report()


def safe_name(text: str) -> str:
    """A file name (without extension) any desktop system accepts, readable as given.

    Path separators, characters Windows refuses and control characters become spaces;
    runs of spaces shrink to one; leading dots (hidden files) and trailing dots and
    spaces (Windows drops them) go; long text is cut at a word. Device names such as
    "CON" get a trailing underscore. Nothing usable left: "image".
    """
    text = unicodedata.normalize("NFC", text)
    text = " ".join(_UNSAFE.sub(" ", text).split())
    text = text.lstrip(". ")
    if len(text) > _NAME_MAX or len(text.encode()) > _NAME_BYTES:
        cut = text[:_NAME_MAX]
        while len(cut.encode()) > _NAME_BYTES:
            cut = cut[:-1]
        space = cut.rfind(" ")
        text = cut[:space] if space >= len(cut) // 2 else cut  # at a word, if one is near
    text = text.rstrip(". ")
    if not text:
        return "image"
    head, dot, rest = text.partition(".")
    if head.rstrip().lower() in _RESERVED:
        # "con.png" and "con.x.png" are both the console to Windows; "con_.png" is a file.
        text = head + "_" + dot + rest
    return text


# ------------------------------------------------------------------------------ encoding


def _check_quality(quality: int | None) -> None:
    if quality is not None and not 1 <= quality <= 100:
        raise ValueError(f"quality is 1 to 100, not {quality}")


def _encoded(
    source: Path, fmt: ExportFormat, quality: int | None, metadata: ImageMetadata | None
) -> tuple[bytes, ImageMetadata | None]:
    """The exported file's bytes, metadata included, and that metadata."""
    try:
        original = source.read_bytes()
    except FileNotFoundError:
        raise _SourceError(_GONE.format(name=source.name)) from None
    except OSError as exc:
        raise _SourceError(
            _UNREADABLE.format(name=source.name, reason=exc.strerror or exc)
        ) from None
    meta = metadata if metadata is not None else read_metadata(original)
    try:
        with Image.open(io.BytesIO(original), formats=_SOURCE_FORMATS) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _SourceError(
                    _TOO_MANY_PIXELS.format(name=source.name, width=width, height=height)
                )
            keep_bytes = image.format == fmt.pillow and (quality is None or fmt is ExportFormat.PNG)
            data = original if keep_bytes else _reencode(image, fmt, quality)
    except _SourceError:
        raise
    except Exception as exc:
        # Pillow meets damaged files with many kinds of error; each means the same here.
        raise _SourceError(_NOT_AN_IMAGE.format(name=source.name, reason=exc)) from None
    if meta is None:
        return data, None
    try:
        return embed_metadata(data, meta), meta
    except MetadataError as exc:
        # Saving without it would quietly drop the prompt the user is exporting for.
        raise _SourceError(
            _NO_METADATA.format(name=source.name, format=fmt.pillow, reason=exc)
        ) from None


def _reencode(image: Image.Image, fmt: ExportFormat, quality: int | None) -> bytes:
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)  # a copy, whatever the orientation
    has_alpha = "A" in upright.getbands() or "transparency" in upright.info
    options: dict[str, object] = {}
    if isinstance(icc, bytes) and icc:
        options["icc_profile"] = icc
    if fmt is ExportFormat.JPEG:
        if has_alpha:
            rgba = upright.convert("RGBA")
            upright = Image.new("RGB", rgba.size, "white")
            upright.paste(rgba, mask=rgba.getchannel("A"))
        elif upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        options["quality"] = DEFAULT_JPEG_QUALITY if quality is None else quality
    elif fmt is ExportFormat.WEBP:
        upright = upright.convert("RGBA" if has_alpha else "RGB")
        if quality is None:
            options["lossless"] = True  # every pixel kept, and smaller than PNG
        else:
            options["quality"] = quality
    elif upright.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    buffer = io.BytesIO()
    upright.save(buffer, fmt.pillow, **options)
    return buffer.getvalue()


# ------------------------------------------------------------------------------ naming


def _default_name(item: ExportItem, meta: ImageMetadata | None) -> str:
    if meta is not None and meta.prompt.strip():
        return safe_name(meta.prompt.strip().splitlines()[0])
    # The library's own stem (local time, prompt slug, task): ours, never the server's.
    return safe_name(item.source.stem)


def _write_new(data: bytes, folder: Path, base: str, fmt: ExportFormat, batch: _Batch) -> Path:
    """``data`` as the first free ``base``, ``base (2)``, ... in ``folder``."""
    number = 1
    while True:
        name = (base if number == 1 else f"{base} ({number})") + fmt.extension
        number += 1
        # Case-folded: on Windows and macOS "Lemon.png" and "lemon.png" are one file.
        if name.casefold() in batch.taken:
            continue
        target = folder / name
        try:
            _write(data, target, replace=False)
        except FileExistsError:
            batch.taken.add(name.casefold())
            continue
        batch.taken.add(name.casefold())
        return target


# ------------------------------------------------------------------------------ files


def _probe(folder: Path) -> None:
    """Fail now, with the folder's own error, rather than after the first image's work."""
    handle, name = tempfile.mkstemp(prefix=".", suffix=".part", dir=folder)
    os.close(handle)
    Path(name).unlink()


def _write(data: bytes, target: Path, *, replace: bool) -> None:
    """``data`` as ``target``, atomically; without ``replace``, never over another file.

    Written to a temporary file beside it and flushed to disk first, then moved into
    place in one step: a crash leaves the old file or the new, never half of one. Without
    ``replace`` the move is a hard link, which fails if the name was taken meanwhile (by
    another program, or by a file that differs only in case on Windows and macOS).
    """
    handle, temp_name = tempfile.mkstemp(prefix=".", suffix=".part", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            temp.replace(target)
        else:
            _link_new(temp, target)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
    fsync_dir(target.parent)


def _link_new(temp: Path, target: Path) -> None:
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except OSError as exc:
        # Some file systems have no hard links (FAT on memory cards, some network
        # shares): there a check, then a rename, is the best that can be done.
        if exc.errno in _FATAL_ERRNOS - {errno.EPERM}:
            raise
        if target.exists():
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
        temp.replace(target)


_WRONG_EXTENSION = translatable("Export", "{name}: export writes .png, .jpg or .webp files")
_GONE = translatable("Export", "{name} is no longer there")
_UNREADABLE = translatable("Export", "{name} cannot be read: {reason}")
_TOO_MANY_PIXELS = translatable("Export", "{name} is {width}x{height} pixels, too many to export")
_NOT_AN_IMAGE = translatable("Export", "{name} is not an image that can be read ({reason})")
_NO_METADATA = translatable(
    "Export", "{name}: the metadata cannot be written into {format} ({reason})"
)
_DISK_FULL = translatable(
    "Export", "The disk that holds {folder} is full; free some space and export again."
)
_READ_ONLY = translatable(
    "Export", "{folder} is read-only; choose another folder or make it writable."
)
_NOT_THERE = translatable(
    "Export", "{folder} is not there (or not a folder); choose the folder again."
)
_CANNOT_WRITE = translatable("Export", "Cannot write to {folder}: {reason}")


def _folder_error(folder: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return _DISK_FULL.format(folder=folder)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return _READ_ONLY.format(folder=folder)
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return _NOT_THERE.format(folder=folder)
    return _CANNOT_WRITE.format(folder=folder, reason=exc.strerror or exc)
