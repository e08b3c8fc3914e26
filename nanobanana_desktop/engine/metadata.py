"""Generation metadata carried inside saved images, so the file alone can reproduce its request.

Every format is edited by splicing its container (PNG chunks, JPEG segments, WebP RIFF
chunks) and never by decoding and re-encoding: the pixels the server made are the pixels
that are kept, byte for byte.

What goes where:

* PNG: iTXt ``parameters`` (AUTOMATIC1111-style text that other tools show), iTXt
  ``nanobanana`` (the JSON that :func:`read_metadata` trusts) and an XMP packet.
* JPEG: the JSON in EXIF ``UserComment`` and an XMP packet, each in its own APP1 segment.
* WebP: the same EXIF and XMP, as the ``EXIF`` and ``XMP `` chunks of the extended format.
  Pillow could write them on save, but only by re-encoding, which loses quality for lossy
  files even at quality=100; adding the chunks (and a ``VP8X`` header when the file is in
  the simple format) keeps the bitstream untouched for lossy and lossless files alike.

The XMP packet declares ``Iptc4xmpExt:DigitalSourceType`` as trained algorithmic media, the
IPTC term that image sites and provenance tools read to label AI-generated pictures.

Library files also carry a preview (:mod:`.preview`), spliced in the same way with the
container walkers below; embedding metadata again keeps it where it is.

No Qt here: ``QImageReader`` folds newlines in text chunks, and the engine layer stays
free of GUI imports. Reading goes through Pillow.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.sax.saxutils import quoteattr

from PIL import ExifTags, Image
from PIL.PngImagePlugin import iTXt

from .. import __version__
from ..api.models import GenerationRequest

__all__ = [
    "DIGITAL_SOURCE_TYPE",
    "INLINE_PREFIX",
    "GenerationParameters",
    "ImageMetadata",
    "MetadataError",
    "embed_metadata",
    "is_stand_in",
    "parse_parameters",
    "parse_size",
    "read_generation_parameters",
    "read_metadata",
    "read_parameters",
    "stand_in_reference",
]

DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
INLINE_PREFIX = "inline:"
JSON_KEYWORD = "nanobanana"
PARAMETERS_KEYWORD = "parameters"
XMP_KEYWORD = "XML:com.adobe.xmp"
_SCHEMA_VERSION = 1
_APP_NAME = "Nano Banana Desktop"

_USER_COMMENT = 0x9286
_EXIF_VERSION = 0x9000
_UNDEFINED = 7
_ASCII_PREFIX = b"ASCII\0\0\0"
_UNICODE_PREFIX = b"UNICODE\0"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT_TYPES = (b"tEXt", b"zTXt", b"iTXt")
# Chunks that start the image data; text written before them is seen by every reader
# without decoding pixels (APNG's acTL/fcTL come before the first IDAT).
_PNG_DATA_START = (b"IDAT", b"acTL", b"fcTL")
_PNG_OWN_KEYWORDS = frozenset(
    k.encode("latin-1") for k in (JSON_KEYWORD, PARAMETERS_KEYWORD, XMP_KEYWORD)
)

_JPEG_EXIF_HEADER = b"Exif\0\0"
_JPEG_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\0"
# Extended XMP continues the standard packet it names; once that packet is replaced the
# extension describes nothing and would contradict the new one.
_JPEG_XMP_EXTENSION_HEADER = b"http://ns.adobe.com/xmp/extension/\0"
_JPEG_MAX_SEGMENT = 0xFFFF - 2

_WEBP_IMAGE_CHUNKS = (b"VP8X", b"ICCP", b"ANIM", b"ANMF", b"ALPH", b"VP8 ", b"VP8L")
_VP8X_EXIF = 0x08
_VP8X_XMP = 0x04
_VP8X_ALPHA = 0x10

# AUTOMATIC1111's own pattern: the specification _parameter_pairs follows (and is tested
# against), so files read the same here as in the tools that made them. Not used to parse:
# it backtracks quadratically on long runs of words.
_PARAMETER = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
# Bounded digits: int() refuses over 4300 of them, and no image is a million pixels wide.
_SIZE = re.compile(r"^([0-9]{1,6})x([0-9]{1,6})$")


class MetadataError(ValueError):
    """The image cannot carry metadata (not a supported image, damaged) or the data is bad."""


def is_stand_in(reference: str) -> bool:
    """Whether a reference is a placeholder for an inline image, which cannot be resubmitted."""
    return reference == INLINE_PREFIX.rstrip(":") or reference.startswith(INLINE_PREFIX)


def stand_in_reference(reference: str) -> str:
    """``inline:<sha256>`` for a data URI, so files do not carry megabytes of base64.

    The digest is of the decoded image, the same digest the library records for files, so a
    reference can be matched to a saved image. Anything else is returned unchanged.
    """
    if reference[:5].lower() != "data:":
        return reference
    try:
        material = base64.b64decode(reference.split(",", 1)[1], validate=True)
    except (IndexError, binascii.Error, ValueError):
        material = reference.encode("utf-8", "surrogatepass")
    return INLINE_PREFIX + hashlib.sha256(material).hexdigest()


@dataclass(frozen=True, slots=True)
class ImageMetadata:
    """What produced one saved image. Data URI references are replaced by stand-ins."""

    prompt: str
    model: str
    references: tuple[str, ...] = ()
    aspect_ratio: str | None = None
    image_size: str | None = None
    task_id: str | None = None
    local_task_id: int | None = None
    image_index: int = 0
    consumed: str | None = None
    created_at: str | None = None
    width: int | None = None
    height: int | None = None
    app_version: str | None = None

    def __post_init__(self) -> None:
        # Normalising here rather than in to_json keeps from_json(to_json(m)) == m true
        # for every value a caller can construct.
        references = tuple(stand_in_reference(r) for r in self.references)
        if references != self.references or type(self.references) is not tuple:
            object.__setattr__(self, "references", references)

    @classmethod
    def from_request(
        cls,
        request: GenerationRequest,
        *,
        task_id: str | None = None,
        local_task_id: int | None = None,
        image_index: int = 0,
        consumed: Decimal | str | None = None,
        created_at: datetime | str | None = None,
        width: int | None = None,
        height: int | None = None,
        app_version: str | None = __version__,
    ) -> ImageMetadata:
        """The metadata of one image of ``request``; a naive ``created_at`` is taken as UTC."""
        if isinstance(consumed, Decimal):
            # format "f" avoids exponents ("1E+1") that look like typos in a credits field.
            consumed = format(consumed, "f")
        if isinstance(created_at, datetime):
            created_at = _iso_utc(created_at)
        return cls(
            prompt=request.prompt,
            model=request.model,
            references=request.images,
            aspect_ratio=request.aspect_ratio,
            image_size=request.image_size,
            task_id=task_id,
            local_task_id=local_task_id,
            image_index=image_index,
            consumed=consumed,
            created_at=created_at,
            width=width,
            height=height,
            app_version=app_version,
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; unset fields are left out to keep the chunk small."""
        body: dict[str, Any] = {"v": _SCHEMA_VERSION, "prompt": self.prompt, "model": self.model}
        if self.references:
            body["references"] = list(self.references)
        for name in _OPTIONAL_TEXT + _OPTIONAL_INT:
            value = getattr(self, name)
            if value is not None:
                body[name] = value
        if self.image_index:
            body["image_index"] = self.image_index
        return body

    @classmethod
    def from_json(cls, data: Any) -> ImageMetadata:
        """Parse :meth:`to_json` output; unknown keys are ignored so newer files still read."""
        if not isinstance(data, dict):
            raise MetadataError(f"metadata must be a JSON object, not {type(data).__name__}")
        for name in ("prompt", "model"):
            if name not in data:
                raise MetadataError(f"metadata has no {name!r}")
            if not isinstance(data[name], str):
                raise MetadataError(f"metadata {name!r} must be text")
        references = data.get("references", [])
        if not isinstance(references, list | tuple) or not all(
            isinstance(r, str) for r in references
        ):
            raise MetadataError("metadata 'references' must be a list of text")
        fields: dict[str, Any] = {}
        for name in _OPTIONAL_TEXT:
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                raise MetadataError(f"metadata {name!r} must be text")
            fields[name] = value
        for name in (*_OPTIONAL_INT, "image_index"):
            value = data.get(name)
            # bool is an int to Python but never a count or an id here.
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise MetadataError(f"metadata {name!r} must be a whole number")
            fields[name] = value
        if fields["image_index"] is None:
            fields["image_index"] = 0
        return cls(
            prompt=data["prompt"], model=data["model"], references=tuple(references), **fields
        )

    def parameters_text(self) -> str:
        """The prompt, then one ``Key: value, ...`` line, as AUTOMATIC1111 writes it."""
        pairs: list[tuple[str, str | None]] = [
            ("Model", self.model or None),
            ("Task", self.task_id),
            (
                "Size",
                f"{self.width}x{self.height}"
                if self.width is not None and self.height is not None
                else None,
            ),
            ("Aspect ratio", self.aspect_ratio),
            ("Image size", self.image_size),
            ("Credits", self.consumed),
            ("References", str(len(self.references))),
            # The API takes no seed: the same request gives a different image. Saying so
            # stops readers that expect A1111's "Seed:" from guessing one.
            ("Seed-free", "yes"),
            ("Version", self.app_version),
        ]
        line = ", ".join(f"{key}: {_quote(value)}" for key, value in pairs if value is not None)
        return f"{self.prompt}\n{line}"

    def to_request(self) -> GenerationRequest:
        """The request again; inline stand-ins are dropped, as their image is not in the file."""
        return GenerationRequest(
            model=self.model,
            prompt=self.prompt,
            images=tuple(r for r in self.references if not is_stand_in(r)),
            aspect_ratio=self.aspect_ratio,
            image_size=self.image_size,
        )


_OPTIONAL_TEXT = ("aspect_ratio", "image_size", "task_id", "consumed", "created_at", "app_version")
_OPTIONAL_INT = ("local_task_id", "width", "height")


def _iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _quote(value: str) -> str:
    # Quoted as A1111 does when a value would break the one-line "Key: value, ..." grammar,
    # and when edge spaces would be lost to a reader's strip. Colons are left bare (A1111
    # quotes them too) since a value runs to the next comma and "16:9" reads better.
    if any(c in value for c in ',"\n\r') or value != value.strip():
        return json.dumps(value, ensure_ascii=False)
    return value


def _json_text(meta: ImageMetadata, *, ascii_only: bool) -> str:
    return json.dumps(meta.to_json(), ensure_ascii=ascii_only, separators=(",", ":"))


def _xmp_packet(meta: ImageMetadata) -> bytes:
    tool = _APP_NAME if not meta.app_version else f"{_APP_NAME} {meta.app_version}"
    created = f"\n    xmp:CreateDate={quoteattr(meta.created_at)}" if meta.created_at else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        f'    Iptc4xmpExt:DigitalSourceType="{DIGITAL_SOURCE_TYPE}"\n'
        f"    xmp:CreatorTool={quoteattr(tool)}{created}/>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


# --------------------------------------------------------------------------- embedding


def embed_metadata(data: bytes, meta: ImageMetadata) -> bytes:
    """The same image carrying ``meta``, with its pixel data byte-identical.

    Earlier metadata written by this module is replaced, not duplicated. Raises
    :class:`MetadataError` for anything that is not a whole PNG, JPEG or WebP image.
    """
    data = bytes(data)
    if data.startswith(_PNG_SIGNATURE):
        kind, splice = "PNG", _embed_png
    elif data.startswith(b"\xff\xd8\xff"):
        kind, splice = "JPEG", _embed_jpeg
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind, splice = "WEBP", _embed_webp
    else:
        raise MetadataError(f"not a PNG, JPEG or WebP image (starts with {data[:8]!r})")
    try:
        result = splice(data, meta)
        before, after = _describe(data), _describe(result)
    except MetadataError:
        raise
    except Exception as exc:
        # Callers save the image without metadata on MetadataError; anything else escaping
        # from Pillow on a damaged file would lose the image instead.
        raise MetadataError(f"damaged {kind} image: {exc}") from exc
    # Splicing must not change what a decoder sees; if it did, refuse rather than save it.
    if before != after or before[0] != kind:
        raise MetadataError(f"{kind} image changed shape while adding metadata: {before}, {after}")
    return result


def _describe(data: bytes) -> tuple[str, tuple[int, int], str]:
    with Image.open(io.BytesIO(data), formats=("PNG", "JPEG", "WEBP")) as img:
        return str(img.format), img.size, img.mode


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, int, int]]:
    """(type, start, end) of each chunk through IEND; raises MetadataError on damage."""
    pos = len(_PNG_SIGNATURE)
    while True:
        if pos + 12 > len(data):
            raise MetadataError("truncated PNG: it ends before its IEND chunk")
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if length > 0x7FFFFFFF or not ctype.isalpha() or end > len(data):
            raise MetadataError(f"damaged or truncated PNG: bad chunk at byte {pos}")
        yield ctype, pos, end
        if ctype == b"IEND":
            return
        pos = end


def _png_chunk(ctype: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + ctype
        + payload
        + struct.pack(">I", zlib.crc32(ctype + payload))
    )


def _itxt(keyword: str, text: str) -> bytes:
    # Uncompressed: XMP in PNG must be (Adobe's rule), and the rest is too small to matter.
    return _png_chunk(b"iTXt", keyword.encode("latin-1") + b"\0\0\0\0\0" + text.encode())


def _embed_png(data: bytes, meta: ImageMetadata) -> bytes:
    chunks = list(_png_chunks(data))
    if chunks[0][0] != b"IHDR":
        raise MetadataError("damaged PNG: it does not start with IHDR")
    insert_at = next((i for i, c in enumerate(chunks) if c[0] in _PNG_DATA_START), None)
    if insert_at is None or not any(c[0] == b"IDAT" for c in chunks):
        raise MetadataError("damaged PNG: it has no image data (IDAT)")
    new = (
        _itxt(PARAMETERS_KEYWORD, meta.parameters_text())
        + _itxt(JSON_KEYWORD, _json_text(meta, ascii_only=False))
        + _itxt(XMP_KEYWORD, _xmp_packet(meta).decode())
    )
    parts = [data[: len(_PNG_SIGNATURE)]]
    for index, (ctype, start, end) in enumerate(chunks):
        if index == insert_at:
            parts.append(new)
        if ctype in _PNG_TEXT_TYPES:
            keyword = data[start + 8 : end - 4].split(b"\0", 1)[0]
            if keyword in _PNG_OWN_KEYWORDS:
                continue
        parts.append(data[start:end])
    # Bytes after IEND are not ours to judge (some files are polyglots); keep them.
    parts.append(data[chunks[-1][2] :])
    return b"".join(parts)


def _exif_payload(existing: bytes | None, meta: ImageMetadata, limit: int) -> bytes:
    """A TIFF-structured EXIF block (no ``Exif\\0\\0`` header) carrying the JSON.

    Tags already in the file (orientation above all) are kept: dropping them would turn
    or recolour the picture in viewers. Tags Pillow cannot read back or write again are
    dropped instead, rather than the metadata.
    """
    if existing:
        try:
            exif = Image.Exif()
            exif.load(existing)
            return _exif_with_comment(exif, meta, limit)
        except MetadataError:
            raise
        except Exception:  # noqa: S110 - fall through to a fresh block
            pass
    return _exif_with_comment(Image.Exif(), meta, limit)


def _exif_with_comment(exif: Image.Exif, meta: ImageMetadata, limit: int) -> bytes:
    ifd = exif.get_ifd(ExifTags.IFD.Exif)
    ifd.setdefault(_EXIF_VERSION, b"0232")
    big_endian = exif.endian != "<"
    # ASCII with \\u escapes first: every reader decodes it, while readers disagree on the
    # byte order of UNICODE. UTF-16 only when the escapes would not fit (JPEG's 64 KB).
    comments = [
        _ASCII_PREFIX + _json_text(meta, ascii_only=True).encode("ascii"),
        _UNICODE_PREFIX
        + _json_text(meta, ascii_only=False).encode("utf-16-be" if big_endian else "utf-16-le"),
    ]
    for comment in comments:
        ifd[_USER_COMMENT] = comment
        tiff = exif.tobytes()[len(_JPEG_EXIF_HEADER) :]
        if len(tiff) <= limit:
            return _mark_user_comment_undefined(tiff)
    raise MetadataError(
        f"the metadata is too large for EXIF ({len(comments[-1])} bytes; the limit is {limit})"
    )


def _mark_user_comment_undefined(tiff: bytes) -> bytes:
    """Retype UserComment from BYTE to UNDEFINED, the type EXIF prescribes.

    Pillow does not know the tag and writes BYTE; strict readers then skip it. Both types
    count single bytes, so the patch changes no length or offset.
    """
    order = "<" if tiff[:2] == b"II" else ">"
    patched = bytearray(tiff)

    def entries(offset: int) -> Iterator[tuple[int, int]]:
        (count,) = struct.unpack_from(order + "H", tiff, offset)
        for i in range(count):
            entry = offset + 2 + 12 * i
            (tag,) = struct.unpack_from(order + "H", tiff, entry)
            yield tag, entry

    (ifd0,) = struct.unpack_from(order + "I", tiff, 4)
    for tag, entry in entries(ifd0):
        if tag == ExifTags.IFD.Exif:
            (sub,) = struct.unpack_from(order + "I", tiff, entry + 8)
            for inner, inner_entry in entries(sub):
                if inner == _USER_COMMENT:
                    struct.pack_into(order + "H", patched, inner_entry + 2, _UNDEFINED)
    return bytes(patched)


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """The marker segments before the first scan, and everything from SOS on, verbatim."""
    segments: list[tuple[int, bytes]] = []
    pos = 2
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise MetadataError(f"damaged or truncated JPEG: no marker at byte {pos}")
        while pos + 1 < len(data) and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes before a marker are allowed and carry nothing
        if pos + 1 >= len(data):
            raise MetadataError("truncated JPEG: it ends before its image data")
        start, marker = pos, data[pos + 1]
        pos += 2
        if marker == 0xDA:
            scan = data[start:]
            if b"\xff\xd9" not in scan:
                raise MetadataError("truncated JPEG: the image data has no end marker")
            return segments, scan
        if marker in (0xD8, 0xD9):
            raise MetadataError("damaged JPEG: it ends before its image data")
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            segments.append((marker, data[start:pos]))
            continue
        if pos + 2 > len(data):
            raise MetadataError("truncated JPEG: it ends inside a marker segment")
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        end = pos + length
        if length < 2 or end > len(data):
            raise MetadataError(f"damaged or truncated JPEG: bad segment at byte {start}")
        segments.append((marker, data[start:end]))
        pos = end


def _app1(payload: bytes) -> bytes:
    if len(payload) > _JPEG_MAX_SEGMENT:
        raise MetadataError(f"a JPEG segment holds at most 65533 bytes, not {len(payload)}")
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def _embed_jpeg(data: bytes, meta: ImageMetadata) -> bytes:
    segments, scan = _jpeg_segments(data)
    existing_exif: bytes | None = None
    kept: list[tuple[int, bytes]] = []
    for marker, raw in segments:
        payload = raw[4:]
        if marker == 0xE1 and payload.startswith(_JPEG_EXIF_HEADER):
            if existing_exif is None:
                existing_exif = payload[len(_JPEG_EXIF_HEADER) :]
            continue
        if marker == 0xE1 and payload.startswith((_JPEG_XMP_HEADER, _JPEG_XMP_EXTENSION_HEADER)):
            continue
        kept.append((marker, raw))
    limit = _JPEG_MAX_SEGMENT - len(_JPEG_EXIF_HEADER)
    exif = _app1(_JPEG_EXIF_HEADER + _exif_payload(existing_exif, meta, limit))
    xmp = _app1(_JPEG_XMP_HEADER + _xmp_packet(meta))
    # JFIF requires its APP0 to follow SOI directly; EXIF goes right after it.
    lead = 0
    while lead < len(kept) and kept[lead][0] == 0xE0:
        lead += 1
    head = [raw for _, raw in kept]
    return b"".join([b"\xff\xd8", *head[:lead], exif, xmp, *head[lead:], scan])


def _riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    (size,) = struct.unpack("<I", data[4:8])
    end = 8 + size
    if end > len(data) or size < 4:
        raise MetadataError("truncated WebP: the file is shorter than its header says")
    chunks: list[tuple[bytes, bytes]] = []
    pos = 12
    while pos < end:
        if pos + 8 > end:
            raise MetadataError(f"damaged WebP: bad chunk at byte {pos}")
        fourcc, length = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        stop = pos + 8 + length
        if stop > end:
            raise MetadataError(f"truncated WebP: chunk {fourcc!r} runs past the end")
        chunks.append((fourcc, data[pos + 8 : stop]))
        pos = stop + (length & 1)
    if not chunks:
        raise MetadataError("damaged WebP: it has no chunks")
    return chunks


def _riff_chunk(fourcc: bytes, payload: bytes) -> bytes:
    return fourcc + struct.pack("<I", len(payload)) + payload + b"\0" * (len(payload) & 1)


def _vp8x_for_simple(fourcc: bytes, payload: bytes) -> bytes:
    """A VP8X header for a simple-format file, read from its bitstream header."""
    flags = 0
    if fourcc == b"VP8 ":
        if len(payload) < 10 or payload[3:6] != b"\x9d\x01\x2a":
            raise MetadataError("damaged WebP: bad VP8 frame header")
        width, height = (v & 0x3FFF for v in struct.unpack("<HH", payload[6:10]))
    elif fourcc == b"VP8L":
        if len(payload) < 5 or payload[0] != 0x2F:
            raise MetadataError("damaged WebP: bad VP8L header")
        (bits,) = struct.unpack("<I", payload[1:5])
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if bits >> 28 & 1:
            flags |= _VP8X_ALPHA
    else:
        raise MetadataError(f"unsupported WebP: first chunk is {fourcc!r}")
    return bytes([flags, 0, 0, 0]) + _u24(width - 1) + _u24(height - 1)


def _u24(value: int) -> bytes:
    return struct.pack("<I", value)[:3]


def _embed_webp(data: bytes, meta: ImageMetadata) -> bytes:
    chunks = _riff_chunks(data)
    if chunks[0][0] != b"VP8X":
        chunks.insert(0, (b"VP8X", _vp8x_for_simple(*chunks[0])))
    header = chunks[0][1]
    if len(header) < 10:
        raise MetadataError("damaged WebP: short VP8X header")
    existing = next((p for c, p in chunks if c == b"EXIF"), None)
    kept = [(c, p) for c, p in chunks[1:] if c not in (b"EXIF", b"XMP ")]
    # The container spec orders EXIF and XMP after the image data, before unknown chunks.
    split = 0
    for index, (fourcc, _) in enumerate(kept):
        if fourcc in _WEBP_IMAGE_CHUNKS:
            split = index + 1
    body = [
        _riff_chunk(b"VP8X", bytes([header[0] | _VP8X_EXIF | _VP8X_XMP]) + header[1:]),
        *(_riff_chunk(c, p) for c, p in kept[:split]),
        _riff_chunk(b"EXIF", _exif_payload(existing, meta, 0xFFFFFFF0)),
        _riff_chunk(b"XMP ", _xmp_packet(meta)),
        *(_riff_chunk(c, p) for c, p in kept[split:]),
    ]
    content = b"WEBP" + b"".join(body)
    return b"RIFF" + struct.pack("<I", len(content)) + content


# --------------------------------------------------------------------------- reading


def read_metadata(data: bytes) -> ImageMetadata | None:
    """The metadata :func:`embed_metadata` wrote, or None; never raises on bad input."""
    try:
        with _open(data) as img:
            for text in _text_values(img, data, JSON_KEYWORD):
                found = _parse_json(text)
                if found is not None:
                    return found
            for text in _user_comments(img):
                found = _parse_json(text)
                if found is not None:
                    return found
    except Exception:
        return None
    return None


def read_parameters(data: bytes) -> ImageMetadata | None:
    """Prompt and model from an AUTOMATIC1111-style ``parameters`` text, for other tools' files.

    Looks at the PNG ``parameters`` text and at an EXIF UserComment that is not JSON. Only
    the keys this app writes are understood; the rest (Steps, Sampler, ...) are ignored.
    """
    found = read_generation_parameters(data)
    return None if found is None else _parameters_metadata(found)


def read_generation_parameters(data: bytes) -> GenerationParameters | None:
    """The ``parameters`` text of a PNG, JPEG or WebP, split; None if it has none.

    Never raises on bad input: a dropped file is whatever the user had on disk.
    """
    try:
        with _open(data) as img:
            texts = list(_text_values(img, data, PARAMETERS_KEYWORD))
            texts += [t for t in _user_comments(img) if not t.lstrip().startswith("{")]
        for text in texts:
            found = parse_parameters(text)
            if found is not None:
                return found
    except Exception:
        return None
    return None


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(bytes(data)), formats=("PNG", "JPEG", "WEBP"))


def _text_values(img: Image.Image, data: bytes, keyword: str) -> Iterator[str]:
    """Values of a PNG text keyword, without decoding pixels unless text follows them."""
    if img.format != "PNG":
        return
    value = img.info.get(keyword)
    if value is None and _png_has_late_text(data):
        # Pillow's .text decodes the whole image to reach chunks after IDAT; pay that
        # only when such chunks exist.
        value = getattr(img, "text", {}).get(keyword)
    if isinstance(value, str):
        yield value if _is_itxt(value) else _undo_latin1(value)


def _is_itxt(value: str) -> bool:
    return isinstance(value, iTXt)


def _undo_latin1(value: str) -> str:
    # tEXt/zTXt are latin-1 by spec, but many tools write UTF-8 into them anyway.
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _png_has_late_text(data: bytes) -> bool:
    seen_data = False
    try:
        for ctype, _, _ in _png_chunks(data):
            if ctype == b"IDAT":
                seen_data = True
            elif seen_data and ctype in _PNG_TEXT_TYPES:
                return True
    except MetadataError:
        return False
    return False


def _user_comments(img: Image.Image) -> Iterator[str]:
    """Readings of the EXIF UserComment, most likely first."""
    exif = img.getexif()
    raw = exif.get_ifd(ExifTags.IFD.Exif).get(_USER_COMMENT)
    if isinstance(raw, str):
        yield raw
        return
    if not isinstance(raw, bytes):
        return
    prefix, body = raw[:8], raw[8:]
    if prefix == _UNICODE_PREFIX:
        yield from _decode_utf16(body, big_endian_hint=exif.endian != "<")
        return
    if prefix not in (_ASCII_PREFIX, b"\0" * 8):
        body = raw
    for encoding in ("utf-8", "latin-1"):
        try:
            yield body.decode(encoding).rstrip("\0")
            return
        except UnicodeDecodeError:
            continue


def _decode_utf16(body: bytes, *, big_endian_hint: bool) -> Iterator[str]:
    """Both byte orders, best guess first: writers disagree on which one UNICODE means."""
    if body[:2] in (b"\xfe\xff", b"\xff\xfe"):
        orders = ["utf-16"]
    else:
        # Mostly-Latin text has its zero bytes on the high side of each unit.
        even_zeros, odd_zeros = body[0::2].count(0), body[1::2].count(0)
        big_first = even_zeros > odd_zeros or (even_zeros == odd_zeros and big_endian_hint)
        orders = ["utf-16-be", "utf-16-le"] if big_first else ["utf-16-le", "utf-16-be"]
    for encoding in orders:
        try:
            yield body[: len(body) & ~1].decode(encoding).rstrip("\0")
        except UnicodeDecodeError:
            continue


def _parse_json(text: str) -> ImageMetadata | None:
    try:
        return ImageMetadata.from_json(json.loads(text))
    except (ValueError, RecursionError):
        return None


@dataclass(frozen=True, slots=True)
class GenerationParameters:
    """An AUTOMATIC1111-style ``parameters`` text, split the way A1111's own reader splits it.

    ``settings`` holds the last line's ``Key: value`` pairs in their order, values unquoted.
    """

    prompt: str
    negative_prompt: str = ""
    settings: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        """A setting's value; the last one when a key repeats, as A1111 reads it."""
        found = None
        for name, value in self.settings:
            if name == key:
                found = value
        return found


def parse_parameters(text: str) -> GenerationParameters | None:
    """Split a ``parameters`` text into prompt, negative prompt and settings; None if blank.

    Never raises, and runs in time linear in the text, whatever the text holds.
    """
    lines = text.replace("\r\n", "\n").strip("\n").split("\n")
    if not any(line.strip() for line in lines):
        return None
    pairs: list[tuple[str, str]] = []
    # A1111's rule: the last line is parameters only if it holds at least three of them,
    # so a prompt ending in "Note: ..." stays prompt.
    last = _parameter_pairs(lines[-1])
    if len(last) >= 3:
        lines.pop()
        pairs = [(k.strip(), _unquote(v)) for k, v in last]
    prompt_lines: list[str] = []
    negative_lines: list[str] = []
    for line in lines:
        if negative_lines or line.startswith("Negative prompt:"):
            negative_lines.append(line.removeprefix("Negative prompt:").strip())
        else:
            prompt_lines.append(line)
    return GenerationParameters(
        prompt="\n".join(prompt_lines).strip(),
        negative_prompt="\n".join(negative_lines).strip(),
        settings=tuple(pairs),
    )


def _is_word(char: str) -> bool:
    # What re's \w matches in a str pattern.
    return char.isalnum() or char == "_"


def _is_key_char(char: str) -> bool:
    return char in " -/" or _is_word(char)


def _parameter_pairs(line: str) -> list[tuple[str, str]]:
    """``_PARAMETER.findall(line)`` for a line without newlines, in linear time.

    The regex retries every start position in a run of word characters that no colon
    ends, each time to the end of the run: quadratic, so the megabyte of text a PNG chunk
    may hold would keep a worker busy for over an hour (32 KB took 5 s). Each character is
    looked at a bounded number of times here; a property test holds the two to the same
    answers.
    """
    pairs: list[tuple[str, str]] = []
    position = 0
    while (key := _next_key(line, position)) is not None:
        start, colon = key
        value, position = _value_at(line, colon + 1)
        pairs.append((line[start:colon], value))
    return pairs


def _next_key(line: str, position: int) -> tuple[int, int] | None:
    """(start, colon) of the next key: a word character, then at least one more key
    character, then a colon."""
    size = len(line)
    index = position
    while index < size:
        if not _is_key_char(line[index]):
            index += 1
            continue
        first_word = -1
        while index < size and _is_key_char(line[index]):
            if first_word < 0 and _is_word(line[index]):
                first_word = index
            index += 1
        if index < size and line[index] == ":" and 0 <= first_word <= index - 2:
            return first_word, index
    return None


def _value_at(line: str, position: int) -> tuple[str, int]:
    """The value after a key's colon, and where the next pair may start."""
    size = len(line)
    start = position
    while start < size and line[start].isspace():
        start += 1
    if start < size and line[start] == '"':
        end = start + 1
        while end < size and line[end] != '"':
            end += 2 if line[end] == "\\" else 1
        # A quoted value counts only if it closes, holds something and ends the pair.
        if end < size and end > start + 1 and (end + 1 == size or line[end + 1] == ","):
            return line[start : end + 1], end + 2
    comma = line.find(",", start)
    if comma < 0:
        return line[start:], size
    return line[start:comma], comma + 1


def _parameters_metadata(found: GenerationParameters) -> ImageMetadata:
    get = found.get
    fields: dict[str, Any] = {
        "task_id": get("Task"),
        "aspect_ratio": get("Aspect ratio"),
        "image_size": get("Image size"),
        "app_version": get("Version") if get("Seed-free") is not None else None,
    }
    size = parse_size(get("Size") or "")
    if size is not None:
        fields["width"], fields["height"] = size
    credits = get("Credits")
    if credits is not None:
        try:
            Decimal(credits)
            fields["consumed"] = credits
        except InvalidOperation:
            pass
    return ImageMetadata(prompt=found.prompt, model=get("Model") or "", **fields)


def parse_size(text: str) -> tuple[int, int] | None:
    """``"512x768"`` as (512, 768); None for anything else, zero sides included."""
    match = _SIZE.match(text.strip())
    if match is None:
        return None
    width, height = int(match[1]), int(match[2])
    return (width, height) if width and height else None


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            loaded = json.loads(value)
        except ValueError:
            return value
        return loaded if isinstance(loaded, str) else value
    return value
