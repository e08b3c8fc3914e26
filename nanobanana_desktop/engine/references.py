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

MAX_SOURCE_BYTES = 200 * 1024 * 1024
MAX_SOURCE_PIXELS = 120_000_000
_MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
_READABLE = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")


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
        raise ReferenceFileError(f"{path.name} cannot be read ({exc.strerror})") from None
    if size > MAX_SOURCE_BYTES:
        raise ReferenceFileError(f"{path.name} is larger than 200 MB; export a smaller copy")
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
    too_many = (
        f"{name} has more than {MAX_SOURCE_PIXELS // 1_000_000} million pixels, more than can "
        "be read safely; export a smaller copy"
    )
    try:
        with warnings.catch_warnings():
            # Our own cap below decides; Pillow's warning must not reach the caller's filters.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Only what the message below promises: EPS, for one, would run Ghostscript.
            image = Image.open(io.BytesIO(data), formats=_READABLE)
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise ReferenceFileError(
                    f"{name} has {image.width}x{image.height} pixels, more than can be read "
                    "safely; export a smaller copy"
                )
            try:
                image.load()
            except (OSError, SyntaxError, ValueError, EOFError):
                # The header was read, the pixels were not: cut short or damaged.
                raise ReferenceFileError(
                    f"{name} is a damaged or incomplete {image.format or 'image'} file; "
                    "save it again, or choose another"
                ) from None
    except ReferenceFileError:
        raise
    except Image.DecompressionBombError:  # so many pixels that Pillow refused the header
        raise ReferenceFileError(too_many) from None
    except (OSError, SyntaxError, ValueError):
        raise ReferenceFileError(
            f"{name} is not an image the app can read (PNG, JPEG, WebP, GIF, BMP or TIFF)"
        ) from None
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
                note = (
                    f"downscaled from {original[0]}x{original[1]} to {width}x{height} "
                    f"to fit {max_bytes // (1024 * 1024)} MB"
                )
            elif mime != source_mime:
                note = f"converted to {mime.split('/')[1].upper()}"
            return PreparedReference(_uri(mime, encoded), len(encoded), width, height, note)
        scale *= 0.7
    raise ReferenceFileError(f"{name} could not be made small enough to send")


def _uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
