"""Thumbnails of library images, cached on disk: decoded once by Pillow, then read back.

Qt-free and blocking: callers run it in a worker thread (the window through run_blocking).
Safe from several threads at once: two threads making the same thumbnail each write a
complete temporary file, and the last rename wins.

A thumbnail is keyed by the source's resolved path, modification time and size, plus the
requested size: a stat() tells a hit from a miss without reading the image, and an image
changed on disk gets a new thumbnail rather than a stale one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

# Pillow warns from about 89 megapixels; the largest generated image is about 17.
MAX_PIXELS = 90_000_000
_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")  # decoded by Pillow itself
_KEY_VERSION = "1"  # bump when the way thumbnails are made changes


class ThumbnailError(Exception):
    """This image has no thumbnail; the message says why (for a tooltip or the log)."""


@dataclass(frozen=True)
class Pixels:
    """A thumbnail's pixels: ``width * height * 4`` bytes of RGBA, straight alpha."""

    width: int
    height: int
    rgba: bytes


class ThumbnailCache:
    def __init__(self, folder: Path, *, max_pixels: int = MAX_PIXELS) -> None:
        self.folder = folder
        self.max_pixels = max_pixels

    def path_for(self, source: Path, size: int) -> Path:
        """Where the thumbnail of ``source`` at ``size`` lives, made or not yet."""
        if size <= 0:
            raise ValueError(f"a thumbnail size is a positive number of pixels, not {size}")
        try:
            resolved = source.resolve()
            stat = resolved.stat()
        except FileNotFoundError:
            raise ThumbnailError(f"{source.name} is no longer there") from None
        except OSError as exc:
            raise ThumbnailError(f"{source.name} cannot be read: {exc.strerror or exc}") from None
        identity = "\0".join(
            (_KEY_VERSION, str(resolved), str(stat.st_mtime_ns), str(stat.st_size), str(size))
        )
        key = hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()
        # Two-level fan-out: a large library does not make one huge folder.
        return self.folder / key[:2] / f"{key}.png"

    def thumbnail(self, source: Path, size: int) -> Path:
        """The thumbnail file, made first if needed: it fits in size x size, never enlarged.

        Raises ThumbnailError when the source is gone, unreadable, not an image, has more
        than ``max_pixels`` pixels, or the cache cannot be written.
        """
        target = self.path_for(source, size)
        if target.is_file():
            return target
        self._make(source, size, target)
        return target

    def pixels(self, source: Path, size: int) -> Pixels:
        """The thumbnail's RGBA pixels, e.g. for a QImage made off the UI thread."""
        target = self.thumbnail(source, size)
        try:
            return _read_pixels(target)
        except (OSError, ValueError, SyntaxError, EOFError):
            # A cache file cut short (power lost before the disk caught up): make it again.
            with contextlib.suppress(OSError):
                target.unlink()
            target = self.thumbnail(source, size)
            try:
                return _read_pixels(target)
            except (OSError, ValueError, SyntaxError, EOFError) as exc:
                message = f"The thumbnail of {source.name} cannot be read: {exc}"
                raise ThumbnailError(message) from None

    def _make(self, source: Path, size: int, target: Path) -> None:
        thumb = self._render(source, size)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
        except OSError as exc:
            raise _cache_error(self.folder, exc) from None
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out:
                thumb.save(out, "PNG", compress_level=3)  # small files, quick to write
            # No fsync: this is a cache. A file cut short by a crash is made again (pixels()).
            temp.replace(target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise _cache_error(self.folder, exc) from None
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise

    def _render(self, source: Path, size: int) -> Image.Image:
        try:
            with Image.open(source, formats=_FORMATS) as image:
                width, height = image.size
                if width * height > self.max_pixels:
                    raise ThumbnailError(_too_big(source, width, height, self.max_pixels))
                # thumbnail() puts JPEG in draft mode first: it decodes straight at 1/2, 1/4
                # or 1/8 scale (keeping twice the target size, for quality), far less work.
                image.thumbnail((size, size), Image.Resampling.LANCZOS)
                shown = ImageOps.exif_transpose(image)
                alpha = "A" in shown.getbands() or "transparency" in shown.info
                return shown.convert("RGBA" if alpha else "RGB")
        except ThumbnailError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ThumbnailError(
                f"{source.name} has too many pixels to make a thumbnail safely"
            ) from None
        except FileNotFoundError:
            raise ThumbnailError(f"{source.name} is no longer there") from None
        except PermissionError as exc:
            raise ThumbnailError(f"{source.name} cannot be read: {exc.strerror or exc}") from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
            message = f"{source.name} is not an image that can be read ({exc})"
            raise ThumbnailError(message) from None


def _read_pixels(path: Path) -> Pixels:
    with Image.open(path, formats=("PNG",)) as image:
        rgba = image.convert("RGBA")
        return Pixels(rgba.width, rgba.height, rgba.tobytes())


def _too_big(source: Path, width: int, height: int, limit: int) -> str:
    return (
        f"{source.name} is {width}x{height} pixels, too many to make a thumbnail safely "
        f"(the limit is {limit / 1_000_000:g} megapixels)"
    )


def _cache_error(folder: Path, exc: OSError) -> ThumbnailError:
    return ThumbnailError(f"The thumbnail cache {folder} cannot be written: {exc.strerror or exc}")
