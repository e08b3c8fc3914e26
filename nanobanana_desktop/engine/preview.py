"""A small copy of each library image, kept inside the image file, for thumbnails.

The engine decodes every image it downloads, to check it, and makes its thumbnails from
those pixels (``thumbnails.shrink_each``). The largest of them is also spliced into the
saved file itself, beside the metadata and, like it, without re-encoding the server's
pixels (the container is edited, see :mod:`.metadata`). A thumbnail of a library image
is then a small decode of the file's head, not a full decode of the file: a 4K PNG holds
64 MB of pixels, its preview about 35 KB of JPEG.

Where it goes:

* PNG: a private ancillary chunk ``nbTH`` before the first IDAT, so that the file's head
  is all a reader needs. Its name says "ancillary, private, unsafe to copy": an editor
  that changes the pixels and follows the PNG rules drops it.
* JPEG: an APP15 segment that starts with ``nanobanana:preview\\0``, after the other APPn
  segments, before the frame. JPEG has no "unsafe to copy" rule, and some tools keep
  unknown segments while changing the pixels (jpegtran's ``-copy all`` rotates and crops,
  ImageMagick re-encodes): the fingerprint below is what catches those.
* WebP (extended format only, which is what :mod:`.metadata` writes): an ``NBTH`` chunk at
  the end, where the container keeps unknown chunks. A simple-format WebP gets none.

What it holds (``_HEADER``, big-endian): a version; flags saying the picture is upright
(the EXIF orientation is applied) and in sRGB (the ICC profile is converted, none is
embedded), so a reader applies neither again; the box it was fitted into; the full image's
width and height as its header states them; and a fingerprint of the image data (its
length and the CRC-32 of its first and last 4 KiB: PNG from the first IDAT to the end,
JPEG from the start of the scan to the end, WebP its pixel chunks). Then the CRC-32 of the
picture and the picture itself: JPEG (quality 88, lower if it must fit JPEG's 64 KB
segment) when it is opaque, WebP (PNG if Pillow has no WebP) when it has transparency.

A preview is used only when everything agrees: the header's size, the fingerprint, the
checksum, the picture's own size (the box fitted to the image) and its decoder. Anything
else, a damaged or hostile file included, reads as "no preview" and the caller decodes
the image itself. The payload is capped (``MAX_PAYLOAD``, 1024 px a side), the picture
is opened with its own format only, and a preview is never trusted for anything but a
thumbnail: at worst, a crafted file shows a thumbnail that is not its picture.

Saving As the file's own bytes keeps the preview (the pixels are the same); re-encoding
drops it (Pillow does not copy unknown chunks), see :mod:`.export`.
"""

from __future__ import annotations

import io
import logging
import os
import struct
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, features

from .metadata import (
    _PNG_DATA_START,
    _PNG_SIGNATURE,
    ImageMetadata,
    MetadataError,
    _describe,
    _jpeg_segments,
    _png_chunk,
    _png_chunks,
    _riff_chunk,
    _riff_chunks,
    embed_metadata,
)

__all__ = [
    "JPEG_SIGNATURE",
    "MAX_BOX",
    "MAX_PAYLOAD",
    "PNG_CHUNK",
    "WEBP_CHUNK",
    "Preview",
    "PreviewError",
    "embed_preview",
    "library_file",
    "read_preview",
]

log = logging.getLogger(__name__)

PNG_CHUNK = b"nbTH"  # ancillary, private, reserved bit clear, unsafe to copy
JPEG_MARKER = 0xEF  # APP15
JPEG_SIGNATURE = b"nanobanana:preview\0"
WEBP_CHUNK = b"NBTH"
MAX_BOX = 1024  # the largest box a preview is read for; the engine writes 320
MAX_PAYLOAD = 512 * 1024

_VERSION = 1
_UPRIGHT = 0x01
_SRGB = 0x02
_FLAGS = _UPRIGHT | _SRGB
# version, flags, box, width, height, data length, CRC of its head, of its tail, of the picture
_HEADER = struct.Struct(">BBHIIQIII")
_FINGERPRINT_BYTES = 4096
_JPEG_LIMIT = 0xFFFF - 2 - len(JPEG_SIGNATURE)  # a segment's length field counts itself
# Chosen by measurement on 320 px thumbnails (mean absolute difference from the lossless
# thumbnail, in levels of 255; size): a detailed photograph 4.1 and 51 KB at q90 without
# chroma subsampling, 6.4 and 37 KB at q90 with it, 6.8 and 34 KB at q88 with it; a
# sandbox render 0.5 and 10 KB. Fidelity first; lower steps only for pictures so busy that
# q90 would not fit JPEG's 64 KB segment.
_JPEG_STEPS: tuple[dict[str, int], ...] = (
    {"quality": 90, "subsampling": 0},
    {"quality": 85, "subsampling": 0},
    {"quality": 80, "subsampling": 2},
    {"quality": 70, "subsampling": 2},
)
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_WEBP_PIXELS = (b"ALPH", b"VP8 ", b"VP8L", b"ANMF")
_HEAD_BYTES = 128 * 1024  # one read covers the metadata, the preview and the data's start
_MAX_PARTS = 4096  # chunks or segments walked before giving up on a file


class PreviewError(ValueError):
    """No preview could be added to this image; the message says why (for the log)."""


@dataclass(frozen=True)
class Preview:
    """A file's preview: ``image`` is RGB or RGBA, upright, sRGB, and fits ``box``;
    ``width`` and ``height`` are the full image's, as its header states them."""

    image: Image.Image
    box: int
    width: int
    height: int


def fit(width: int, height: int, box: int) -> tuple[int, int]:
    """The largest size within box x box with the image's shape; never enlarged."""
    if width <= box and height <= box:
        return width, height
    if width >= height:
        return box, max(1, round(height * box / width))
    return max(1, round(width * box / height)), box


# --------------------------------------------------------------------------- writing


def library_file(
    data: bytes, meta: ImageMetadata, thumbnails: Mapping[int, Image.Image], *, label: str
) -> bytes:
    """What the engine writes for a downloaded image: ``data`` with ``meta`` and, as its
    preview, the largest of ``thumbnails`` (size -> thumbnail, as ``shrink_each`` makes
    them from the verified pixels), the pixel data byte for byte as the server sent it.

    What cannot be added is left out and logged under ``label``: the image is saved anyway.
    """
    try:
        data = embed_metadata(data, meta)
    except MetadataError as exc:
        log.warning("metadata not embedded in %s: %s", label, exc)
    if thumbnails:
        box = max(thumbnails)
        try:
            data = embed_preview(data, thumbnails[box], box)
        except PreviewError as exc:
            log.warning("no preview embedded in %s: %s", label, exc)
    return data


def embed_preview(data: bytes, thumbnail: Image.Image, box: int) -> bytes:
    """The same image carrying ``thumbnail`` (fitted into ``box``, upright, sRGB) as its
    preview; any preview it had is replaced. The image's own bytes are not re-encoded.

    Raises :class:`PreviewError` for anything that is not a whole PNG, JPEG or extended
    WebP, and for a thumbnail that does not fit the image.
    """
    data = bytes(data)
    if not 1 <= box <= MAX_BOX:
        raise PreviewError(f"a preview fits a box of 1 to {MAX_BOX} px, not {box}")
    kind = _kind(data[:12])
    if kind is None:
        raise PreviewError(f"not a PNG, JPEG or WebP image (starts with {data[:8]!r})")
    splice = {"PNG": _layout_png, "JPEG": _layout_jpeg, "WEBP": _layout_webp}[kind]
    try:
        width, height, span, assemble, limit = splice(data)
        if thumbnail.size not in _shapes(width, height, box):
            raise PreviewError(
                f"a {thumbnail.width}x{thumbnail.height} thumbnail is not the {box} px preview "
                f"of a {width}x{height} image"
            )
        result = assemble(_payload(thumbnail, box, width, height, span, limit))
        before, after = _describe(data), _describe(result)
    except PreviewError:
        raise
    except Exception as exc:  # Pillow and the container walkers meet damage in many ways
        raise PreviewError(f"damaged {kind} image: {exc}") from exc
    if before != after:
        raise PreviewError(f"{kind} image changed shape while adding a preview: {before}, {after}")
    return result


_Layout = tuple[int, int, bytes, Callable[[bytes], bytes], int]


def _layout_png(data: bytes) -> _Layout:
    chunks = [c for c in _png_chunks(data) if c[0] != PNG_CHUNK]
    if chunks[0][0] != b"IHDR" or chunks[0][2] - chunks[0][1] != 25:
        raise PreviewError("damaged PNG: it does not start with IHDR")
    width, height = struct.unpack(">II", data[chunks[0][1] + 8 : chunks[0][1] + 16])
    insert_at = next((i for i, c in enumerate(chunks) if c[0] in _PNG_DATA_START), None)
    first_data = next((i for i, c in enumerate(chunks) if c[0] == b"IDAT"), None)
    if insert_at is None or first_data is None:
        raise PreviewError("damaged PNG: it has no image data (IDAT)")
    head = data[: len(_PNG_SIGNATURE)] + b"".join(data[s:e] for _, s, e in chunks[:insert_at])
    # From the first data chunk on (APNG's acTL/fcTL come before IDAT), and whatever
    # follows IEND: kept as it is, since it is not ours to judge.
    before_idat = b"".join(data[s:e] for _, s, e in chunks[insert_at:first_data])
    span = b"".join(data[s:e] for _, s, e in chunks[first_data:]) + data[chunks[-1][2] :]
    rest = before_idat + span

    def assemble(payload: bytes) -> bytes:
        return head + _png_chunk(PNG_CHUNK, payload) + rest

    return width, height, span, assemble, MAX_PAYLOAD


def _layout_jpeg(data: bytes) -> _Layout:
    segments, scan = _jpeg_segments(data)
    kept = [raw for marker, raw in segments if not _is_own_segment(marker, raw[4:])]
    frame = next((raw for raw in kept if raw[1] in _SOF_MARKERS and len(raw) >= 9), None)
    if frame is None:
        raise PreviewError("damaged JPEG: no frame header before the image data")
    height, width = struct.unpack(">HH", frame[5:9])
    lead = 0
    while lead < len(kept) and 0xE0 <= kept[lead][1] <= 0xEF:
        lead += 1

    def assemble(payload: bytes) -> bytes:
        body = JPEG_SIGNATURE + payload
        segment = bytes((0xFF, JPEG_MARKER)) + struct.pack(">H", len(body) + 2) + body
        return b"".join([b"\xff\xd8", *kept[:lead], segment, *kept[lead:], scan])

    return width, height, scan, assemble, _JPEG_LIMIT


def _is_own_segment(marker: int, payload: bytes) -> bool:
    return marker == JPEG_MARKER and payload.startswith(JPEG_SIGNATURE)


def _layout_webp(data: bytes) -> _Layout:
    chunks = [(fourcc, body) for fourcc, body in _riff_chunks(data) if fourcc != WEBP_CHUNK]
    if chunks[0][0] != b"VP8X" or len(chunks[0][1]) < 10:
        # A simple-format file is one bitstream chunk and nothing else; metadata.py turns
        # library files into the extended format, so only a file it could not touch is here.
        raise PreviewError("a simple-format WebP has no room for a preview")
    header = chunks[0][1]
    width = int.from_bytes(header[4:7], "little") + 1
    height = int.from_bytes(header[7:10], "little") + 1
    encoded = [_riff_chunk(fourcc, body) for fourcc, body in chunks]
    pixels = [i for i, (fourcc, _) in enumerate(chunks) if fourcc in _WEBP_PIXELS]
    if not pixels:
        raise PreviewError("damaged WebP: it has no image data")
    span = b"".join(encoded[pixels[0] : pixels[-1] + 1])

    def assemble(payload: bytes) -> bytes:
        content = b"WEBP" + b"".join(encoded) + _riff_chunk(WEBP_CHUNK, payload)
        return b"RIFF" + struct.pack("<I", len(content)) + content

    return width, height, span, assemble, MAX_PAYLOAD


def _payload(
    thumbnail: Image.Image, box: int, width: int, height: int, span: bytes, limit: int
) -> bytes:
    picture = _encoded(thumbnail, limit - _HEADER.size)
    head, tail = _ends(span)
    header = _HEADER.pack(
        _VERSION,
        _FLAGS,
        box,
        width,
        height,
        len(span),
        zlib.crc32(head),
        zlib.crc32(tail),
        zlib.crc32(picture),
    )
    return header + picture


def _ends(span: bytes) -> tuple[bytes, bytes]:
    return span[:_FINGERPRINT_BYTES], span[-_FINGERPRINT_BYTES:]


def _encoded(thumbnail: Image.Image, limit: int) -> bytes:
    """The thumbnail as JPEG (opaque) or lossless WebP or PNG (transparent), at most
    ``limit`` bytes.

    Transparent images are rare here, and only PNG and WebP files have them, whose
    containers take a larger preview: lossless keeps their edges exact.
    """
    if thumbnail.mode not in ("RGB", "RGBA"):
        raise PreviewError(f"a preview is RGB or RGBA, not {thumbnail.mode}")
    opaque = thumbnail.mode == "RGB" or thumbnail.getchannel("A").getextrema()[0] == 255
    picture = thumbnail
    attempts: list[tuple[str, dict[str, int]]]
    if opaque:
        picture = thumbnail.convert("RGB") if thumbnail.mode != "RGB" else thumbnail
        attempts = [("JPEG", step) for step in _JPEG_STEPS]
    elif features.check("webp"):
        # exact: the colour under fully transparent pixels is kept too, as the full path has it
        attempts = [("WEBP", {"lossless": 1, "method": 1, "exact": 1})]
    else:
        attempts = [("PNG", {"compress_level": 6})]
    size = 0
    for fmt, options in attempts:
        buffer = io.BytesIO()
        picture.save(buffer, fmt, **options)
        size = buffer.tell()
        if size <= limit:
            return buffer.getvalue()
    raise PreviewError(f"the preview takes {size} bytes, more than the {limit} there is room for")


# --------------------------------------------------------------------------- reading


def read_preview(source: Path | bytes) -> Preview | None:
    """The preview of a file (or of a whole file's bytes), or None when it has none that
    holds up: absent, damaged, too large, or not made for this file's pixels.

    Reads the file's head (and the last 4 KiB of its image data), never its pixels.
    Raises OSError only when the file cannot be opened or read.
    """
    try:
        if isinstance(source, bytes | bytearray):
            data = bytes(source)
            return _read(_Source(data, len(data), None))
        with Path(source).open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            return _read(_Source(handle.read(_HEAD_BYTES), size, handle))
    except PreviewError as exc:
        log.debug("preview of %s not used: %s", _name(source), exc)
        return None


def _name(source: Path | bytes) -> str:
    return source.name if isinstance(source, Path) else "an image in memory"


class _Source:
    """A file's bytes, read where asked: from its head, read once, or by seeking."""

    def __init__(self, head: bytes, size: int, handle: BinaryIO | None) -> None:
        self.head = head
        self.size = size
        self._handle = handle

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise PreviewError(f"the file ends before byte {offset + length}")
        end = offset + length
        if end <= len(self.head):
            found = self.head[offset:end]
        elif self._handle is None:
            raise PreviewError(f"the file ends before byte {end}")
        else:
            self._handle.seek(offset)
            found = self._handle.read(length)
        if len(found) != length:
            raise PreviewError("the file is shorter than it says")
        return found


@dataclass(frozen=True)
class _Found:
    width: int
    height: int
    payload: bytes
    span: tuple[int, int]  # where the image data the fingerprint covers lies


def _read(source: _Source) -> Preview | None:
    kind = _kind(source.head[:12])
    if kind is None:
        return None
    walk = {"PNG": _find_png, "JPEG": _find_jpeg, "WEBP": _find_webp}[kind]
    try:
        found = walk(source)
    except PreviewError:
        raise
    except (struct.error, ValueError) as exc:
        raise PreviewError(f"damaged {kind} header: {exc}") from None
    if found is None:
        return None
    return _checked(found, source)


def _kind(head: bytes) -> str | None:
    if head.startswith(_PNG_SIGNATURE):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _find_png(source: _Source) -> _Found | None:
    pos = len(_PNG_SIGNATURE)
    size: tuple[int, int] | None = None
    payload: bytes | None = None
    for _ in range(_MAX_PARTS):
        length, ctype = struct.unpack(">I4s", source.read(pos, 8))
        if length > 0x7FFFFFFF:
            raise PreviewError(f"bad PNG chunk at byte {pos}")
        if size is None:
            if ctype != b"IHDR" or length != 13:
                raise PreviewError("the PNG does not start with IHDR")
            width, height = struct.unpack(">II", source.read(pos + 8, 8))
            size = (width, height)
        elif ctype == b"IDAT":
            return None if payload is None else _Found(*size, payload, (pos, source.size))
        elif ctype == PNG_CHUNK and payload is None:
            if length > MAX_PAYLOAD:
                raise PreviewError(f"a {length}-byte preview is over the cap")
            body = source.read(pos + 8, length + 4)
            if zlib.crc32(ctype + body[:-4]) != int.from_bytes(body[-4:], "big"):
                raise PreviewError("the preview chunk's CRC does not match")
            payload = body[:-4]
        elif ctype == b"IEND":
            return None
        pos += 12 + length
    raise PreviewError("too many chunks before the image data")


def _find_jpeg(source: _Source) -> _Found | None:
    pos = 2
    size: tuple[int, int] | None = None
    payload: bytes | None = None
    for _ in range(_MAX_PARTS):
        prefix, marker = source.read(pos, 2)
        if prefix != 0xFF:
            raise PreviewError(f"no JPEG marker at byte {pos}")
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:
            if payload is None:
                return None
            if size is None:
                raise PreviewError("no frame header before the JPEG's image data")
            return _Found(*size, payload, (pos, source.size))
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xD8, 0xD9):
            raise PreviewError("the JPEG ends before its image data")
        (length,) = struct.unpack(">H", source.read(pos + 2, 2))
        if length < 2:
            raise PreviewError(f"bad JPEG segment at byte {pos}")
        if marker in _SOF_MARKERS and size is None:
            height, width = struct.unpack(">HH", source.read(pos + 5, 4))
            size = (width, height)
        elif marker == JPEG_MARKER and payload is None and length - 2 >= len(JPEG_SIGNATURE):
            body = source.read(pos + 4, length - 2)
            if body.startswith(JPEG_SIGNATURE):
                payload = body[len(JPEG_SIGNATURE) :]
        pos += 2 + length
    raise PreviewError("too many segments before the image data")


def _find_webp(source: _Source) -> _Found | None:
    (riff_size,) = struct.unpack("<I", source.read(4, 4))
    end = min(8 + riff_size, source.size)
    pos = 12
    size: tuple[int, int] | None = None
    payload: bytes | None = None
    first = last = -1
    for _ in range(_MAX_PARTS):
        if pos + 8 > end:
            break
        fourcc = source.read(pos, 4)
        (length,) = struct.unpack("<I", source.read(pos + 4, 4))
        stop = pos + 8 + length + (length & 1)
        if fourcc == b"VP8X" and pos == 12 and length >= 10:
            header = source.read(pos + 8, 10)
            size = (
                int.from_bytes(header[4:7], "little") + 1,
                int.from_bytes(header[7:10], "little") + 1,
            )
        elif fourcc in _WEBP_PIXELS:
            first = pos if first < 0 else first
            last = stop
        elif fourcc == WEBP_CHUNK and payload is None:
            if length > MAX_PAYLOAD:
                raise PreviewError(f"a {length}-byte preview is over the cap")
            payload = source.read(pos + 8, length)
        pos = stop
    else:
        raise PreviewError("too many chunks in the WebP")
    if payload is None:
        return None
    if size is None or first < 0:
        raise PreviewError("the WebP has no extended header or no image data")
    return _Found(*size, payload, (first, last))


def _checked(found: _Found, source: _Source) -> Preview:
    payload = found.payload
    if len(payload) <= _HEADER.size:
        raise PreviewError("the preview is cut short")
    version, flags, box, width, height, length, head_crc, tail_crc, picture_crc = (
        _HEADER.unpack_from(payload)
    )
    if version != _VERSION or flags != _FLAGS:
        raise PreviewError(f"a preview of version {version}, flags {flags:#x}, is not read here")
    if (width, height) != (found.width, found.height):
        raise PreviewError(
            f"the preview is of a {width}x{height} image, the file's header says "
            f"{found.width}x{found.height}"
        )
    if not 1 <= box <= MAX_BOX:
        raise PreviewError(f"a preview box of {box} px is out of range")
    start, end = found.span
    if end - start != length or length <= 0:
        raise PreviewError("the image data is not the length the preview was made for")
    reach = min(length, _FINGERPRINT_BYTES)
    head, tail = source.read(start, reach), source.read(end - reach, reach)
    if zlib.crc32(head) != head_crc or zlib.crc32(tail) != tail_crc:
        raise PreviewError("the image data has changed since the preview was made")
    picture = payload[_HEADER.size :]
    if zlib.crc32(picture) != picture_crc:
        raise PreviewError("the preview's picture is damaged")
    return Preview(_picture(picture, _shapes(width, height, box)), box, width, height)


def _shapes(width: int, height: int, box: int) -> set[tuple[int, int]]:
    """The sizes a preview of this image may have: fitted as stored, or turned upright."""
    return {fit(width, height, box), fit(height, width, box)}


def _picture(blob: bytes, shapes: set[tuple[int, int]]) -> Image.Image:
    kind = _kind(blob[:12])
    if kind is None:
        raise PreviewError("the preview is not a JPEG, PNG or WebP picture")
    try:
        image = Image.open(io.BytesIO(blob), formats=(kind,))
        # Its size is checked before a pixel is decoded: at most MAX_BOX a side.
        if image.size not in shapes:
            raise PreviewError(f"a {image.width}x{image.height} preview does not fit the image")
        if image.mode not in ("RGB", "RGBA") or getattr(image, "n_frames", 1) != 1:
            raise PreviewError(f"a {image.mode} or animated preview is not one this app writes")
        if image.info.get("progressive") or image.info.get("progression"):
            raise PreviewError("a progressive preview is not one this app writes")
        image.load()
    except PreviewError:
        raise
    except Exception as exc:  # the decoders meet a damaged picture in many ways
        raise PreviewError(f"the preview cannot be decoded ({type(exc).__name__})") from None
    return image
