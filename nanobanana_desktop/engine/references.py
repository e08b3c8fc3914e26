"""Local image files as reference images: data URIs of at most 5 MB.

Runs in a worker thread (Pillow and the disk): never on the event loop's thread.
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from ..api.models import MAX_REFERENCE_DATA_URI_BYTES
from ..messages import translatable

MAX_SOURCE_BYTES = 200 * 1024 * 1024
MAX_SOURCE_PIXELS = 120_000_000
_MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
_READABLE = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")

_CANNOT_READ = translatable("References", "{name} cannot be read ({reason})")
_SOURCE_TOO_LARGE = translatable(
    "References", "{name} is larger than 200 MB; export a smaller copy"
)
_TOO_MANY_MILLIONS = translatable(
    "References",
    "{name} has more than {millions} million pixels, more than can "
    "be read safely; export a smaller copy",
)
_TOO_MANY_PIXELS = translatable(
    "References",
    "{name} has {width}x{height} pixels, more than can be read safely; export a smaller copy",
)
_DAMAGED = translatable(
    "References",
    "{name} is a damaged or incomplete {format} file; save it again, or choose another",
)
_DAMAGED_IMAGE = translatable(
    "References",
    "{name} is a damaged or incomplete image file; save it again, or choose another",
)
_UNREADABLE = translatable(
    "References", "{name} is not an image the app can read (PNG, JPEG, WebP, GIF, BMP or TIFF)"
)
_DOWNSCALED = translatable(
    "References",
    "downscaled from {width}x{height} to {new_width}x{new_height} to fit {megabytes} MB",
)
_CONVERTED = translatable("References", "converted to {format}")
_CANNOT_SHRINK = translatable("References", "{name} could not be made small enough to send")


class ReferenceFileError(ValueError):
    """The file cannot be a reference; the message says why and what to do."""


@dataclass(frozen=True)
class PreparedReference:
    data_uri: str
    size: int  # bytes of the encoded image
    width: int
    height: int
    note: str | None  # e.g. "downscaled from 8000x6000 to 3000x2250 to fit 5 MB"


def prepare_reference_file(
    path: Path | str, max_bytes: int = MAX_REFERENCE_DATA_URI_BYTES
) -> PreparedReference:
    path = Path(path).expanduser()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReferenceFileError(_CANNOT_READ.format(name=path.name, reason=exc.strerror)) from None
    if size > MAX_SOURCE_BYTES:
        raise ReferenceFileError(_SOURCE_TOO_LARGE.format(name=path.name))
    data = path.read_bytes()
    return prepare_reference_bytes(data, path.name, max_bytes)


def prepare_reference_bytes(
    data: bytes, name: str, max_bytes: int = MAX_REFERENCE_DATA_URI_BYTES
) -> PreparedReference:
    image = _open(data, name)
    fmt = image.format or ""
    if fmt in _MIME and len(data) <= max_bytes:
        return PreparedReference(_uri(_MIME[fmt], data), len(data), image.width, image.height, None)
    return _shrink(image, name, max_bytes)


def _open(data: bytes, name: str) -> Image.Image:
    too_many = _TOO_MANY_MILLIONS.format(name=name, millions=MAX_SOURCE_PIXELS // 1_000_000)
    try:
        with warnings.catch_warnings():
            # Our own cap below decides; Pillow's warning must not reach the caller's filters.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Only what the message below promises: EPS, for one, would run Ghostscript.
            image = Image.open(io.BytesIO(data), formats=_READABLE)
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise ReferenceFileError(
                    _TOO_MANY_PIXELS.format(name=name, width=image.width, height=image.height)
                )
            try:
                image.load()
            except (OSError, SyntaxError, ValueError, EOFError):
                # The header was read, the pixels were not: cut short or damaged.
                raise ReferenceFileError(
                    _DAMAGED.format(name=name, format=image.format)
                    if image.format
                    else _DAMAGED_IMAGE.format(name=name)
                ) from None
    except ReferenceFileError:
        raise
    except Image.DecompressionBombError:  # so many pixels that Pillow refused the header
        raise ReferenceFileError(too_many) from None
    except (OSError, SyntaxError, ValueError):
        raise ReferenceFileError(_UNREADABLE.format(name=name)) from None
    return image


def _shrink(image: Image.Image, name: str, max_bytes: int) -> PreparedReference:
    original = (image.width, image.height)
    source_mime = _MIME.get(image.format or "")
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    # Halve the encoded size each round by scaling the sides by 0.7; quality stays high.
    scale = 1.0
    for _ in range(12):
        width = max(1, round(original[0] * scale))
        height = max(1, round(original[1] * scale))
        candidate = (
            image if scale == 1.0 else image.resize((width, height), Image.Resampling.LANCZOS)
        )
        buffer = io.BytesIO()
        if has_alpha:
            candidate.save(buffer, "PNG", optimize=False, compress_level=6)
            mime = "image/png"
        else:
            candidate.save(buffer, "JPEG", quality=90, optimize=True)
            mime = "image/jpeg"
        encoded = buffer.getvalue()
        if len(encoded) <= max_bytes:
            note = None
            if (width, height) != original:
                note = _DOWNSCALED.format(
                    width=original[0],
                    height=original[1],
                    new_width=width,
                    new_height=height,
                    megabytes=max_bytes // (1024 * 1024),
                )
            elif mime != source_mime:
                note = _CONVERTED.format(format=mime.split("/")[1].upper())
            return PreparedReference(_uri(mime, encoded), len(encoded), width, height, note)
        scale *= 0.7
    raise ReferenceFileError(_CANNOT_SHRINK.format(name=name))


def _uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
