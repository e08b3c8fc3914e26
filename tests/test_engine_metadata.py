"""Generation metadata embedded in saved images: round trips, untouched pixels, damaged input."""

from __future__ import annotations

import ast
import base64
import contextlib
import hashlib
import io
import json
import random
import struct
import zipfile
import zlib
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from nanobanana_desktop import __version__
from nanobanana_desktop.api.models import GenerationRequest
from nanobanana_desktop.api.validation import validate_request
from nanobanana_desktop.engine import metadata as metadata_module
from nanobanana_desktop.engine.metadata import (
    DIGITAL_SOURCE_TYPE,
    ImageMetadata,
    MetadataError,
    embed_metadata,
    read_generation_parameters,
    read_metadata,
    read_parameters,
    stand_in_reference,
)

EXIF_IFD = 0x8769
USER_COMMENT = 0x9286
ORIENTATION = 0x0112
IPTC_EXT = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}"
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

FULL = ImageMetadata(
    prompt="A lemon on a table,\nlit from the left",
    model="google/gempix2",
    references=("https://example.com/ref.png",),
    aspect_ratio="16:9",
    image_size="2K",
    task_id="task_01HZX",
    local_task_id=42,
    image_index=1,
    consumed="0.500000",
    created_at="2026-11-24T15:30:12Z",
    width=12,
    height=8,
    app_version=__version__,
)


# --------------------------------------------------------------------------- images


def _gradient(mode: str, size: tuple[int, int]) -> Image.Image:
    width, height = size
    image = Image.new("RGBA", size)
    image.putdata(
        [
            ((x * 37) % 256, (y * 53) % 256, (x * y * 11) % 256, 255 if (x + y) % 3 else 128)
            for y in range(height)
            for x in range(width)
        ]
    )
    return image.convert(mode)


def make_png(mode: str = "RGB", size: tuple[int, int] = (12, 8), **save: object) -> bytes:
    buffer = io.BytesIO()
    _gradient(mode, size).save(buffer, "PNG", **save)
    return buffer.getvalue()


def make_jpeg(size: tuple[int, int] = (24, 16), **save: object) -> bytes:
    buffer = io.BytesIO()
    _gradient("RGB", size).save(buffer, "JPEG", quality=85, **save)
    return buffer.getvalue()


def make_webp(mode: str = "RGB", size: tuple[int, int] = (12, 8), **save: object) -> bytes:
    buffer = io.BytesIO()
    _gradient(mode, size).save(buffer, "WEBP", **save)
    return buffer.getvalue()


PNG = make_png()
JPEG = make_jpeg()
WEBP_LOSSY = make_webp()
WEBP_LOSSLESS = make_webp(lossless=True)
SAMPLES = {"PNG": PNG, "JPEG": JPEG, "WEBP": WEBP_LOSSY, "WEBP-lossless": WEBP_LOSSLESS}


def pixels(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as image:
        return image.mode, image.size, image.tobytes()


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def png_chunk(ctype: bytes, payload: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(ctype + payload))
    return struct.pack(">I", len(payload)) + ctype + payload + crc


def png_from_chunks(chunks: list[tuple[bytes, bytes]]) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"".join(png_chunk(c, p) for c, p in chunks)


def text_keyword(payload: bytes) -> bytes:
    return payload.split(b"\0", 1)[0]


def jpeg_segments(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """(marker, payload) before the first SOS, and the bytes from SOS on."""
    segments, pos = [], 2
    while data[pos + 1] != 0xDA:
        marker = data[pos + 1]
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segments.append((marker, data[pos + 4 : pos + 2 + length]))
        pos += 2 + length
    return segments, data[pos:]


def riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, pos = [], 12
    while pos < len(data):
        fourcc, (length,) = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])
        chunks.append((fourcc, data[pos + 8 : pos + 8 + length]))
        pos += 8 + length + (length & 1)
    return chunks


def xmp_source_type(data: bytes) -> str | None:
    with Image.open(io.BytesIO(data)) as image:
        packet = image.info["xmp"]
    root = ElementTree.fromstring(packet)
    for element in root.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"):
        value = element.get(IPTC_EXT + "DigitalSourceType")
        if value:
            return value
    return None


def user_comment_type(data: bytes) -> int:
    """The TIFF field type the file declares for UserComment."""
    (segments, _) = jpeg_segments(data)
    tiff = next(p for m, p in segments if m == 0xE1 and p.startswith(b"Exif\0\0"))[6:]
    order = "<" if tiff[:2] == b"II" else ">"

    def entries(offset: int) -> dict[int, tuple[int, int]]:
        (count,) = struct.unpack_from(order + "H", tiff, offset)
        found = {}
        for i in range(count):
            tag, typ, _, value = struct.unpack_from(order + "HHII", tiff, offset + 2 + 12 * i)
            found[tag] = (typ, value)
        return found

    (ifd0,) = struct.unpack_from(order + "I", tiff, 4)
    sub = entries(ifd0)[EXIF_IFD][1]
    return entries(sub)[USER_COMMENT][0]


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_round_trip_every_field(kind):
    embedded = embed_metadata(SAMPLES[kind], FULL)
    assert read_metadata(embedded) == FULL


PROMPTS = {
    "multi-line": "first line\nsecond line\r\nthird\n\nfifth",
    "emoji": "a banana 🍌 wearing 🕶️, family 👨‍👩‍👧‍👦",
    "rtl": "שלום עולם — مرحبا بالعالم",
    "quotes-commas": "say \"cheese\", then 'smile', Model: fake, Steps: 20, Seed: 1",
    "json-like": '{"prompt": "not me", "model": 1}\\u0000',
    "control": "tab\there, nul\0here, bell\x07",
    "ten-kb": ("a serene lake at dawn, " * 460)[:10_240],
    "ten-kb-cjk": ("富士山の夕焼け、" * 1300)[:10_240],
    "empty": "",
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_round_trip_hard_prompts(kind, name):
    meta = ImageMetadata(prompt=PROMPTS[name], model="google/nano-banana-pro", task_id="t,1:2")
    assert read_metadata(embed_metadata(SAMPLES[kind], meta)) == meta


texts = st.text(max_size=60)
optional_texts = st.none() | texts
optional_ints = st.none() | st.integers(min_value=-(2**63), max_value=2**63)
metadata_strategy = st.builds(
    ImageMetadata,
    prompt=st.text(max_size=300),
    model=texts,
    references=st.lists(texts, max_size=4).map(tuple),
    aspect_ratio=optional_texts,
    image_size=optional_texts,
    task_id=optional_texts,
    local_task_id=optional_ints,
    image_index=st.integers(min_value=0, max_value=2**31),
    consumed=optional_texts,
    created_at=optional_texts,
    width=optional_ints,
    height=optional_ints,
    app_version=optional_texts,
)


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP"])
@settings(max_examples=100, deadline=None)
@given(meta=metadata_strategy)
def test_round_trip_arbitrary_metadata(kind, meta):
    embedded = embed_metadata(SAMPLES[kind], meta)
    assert read_metadata(embedded) == meta
    assert ImageMetadata.from_json(json.loads(json.dumps(meta.to_json()))) == meta


def test_large_non_ascii_prompt_falls_back_to_utf16_in_jpeg():
    # \u escapes would take 120 KB, past a JPEG segment's 64 KB; UTF-16 takes 40 KB.
    meta = ImageMetadata(prompt="猫" * 20_000, model="google/gempix2")
    embedded = embed_metadata(JPEG, meta)
    with Image.open(io.BytesIO(embedded)) as image:
        assert image.getexif().get_ifd(EXIF_IFD)[USER_COMMENT].startswith(b"UNICODE\0")
    assert read_metadata(embedded) == meta


def test_metadata_too_large_for_jpeg_is_refused_but_fits_png():
    meta = ImageMetadata(prompt="x" * 70_000, model="google/gempix2")
    with pytest.raises(MetadataError, match="too large for EXIF"):
        embed_metadata(JPEG, meta)
    assert read_metadata(embed_metadata(PNG, meta)) == meta


# --------------------------------------------------------------------------- what other tools see


def test_pillow_sees_png_parameters_text():
    embedded = embed_metadata(PNG, FULL)
    with Image.open(io.BytesIO(embedded)) as image:
        assert image.text["parameters"] == FULL.parameters_text()
        assert json.loads(image.text["nanobanana"]) == FULL.to_json()


def test_pillow_sees_jpeg_user_comment():
    embedded = embed_metadata(JPEG, FULL)
    with Image.open(io.BytesIO(embedded)) as image:
        comment = image.getexif().get_ifd(EXIF_IFD)[USER_COMMENT]
    assert comment[:8] == b"ASCII\0\0\0"
    assert json.loads(comment[8:].decode("ascii")) == FULL.to_json()


def test_user_comment_is_typed_undefined_as_exif_requires():
    assert user_comment_type(embed_metadata(JPEG, FULL)) == 7


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_xmp_declares_trained_algorithmic_media(kind):
    assert xmp_source_type(embed_metadata(SAMPLES[kind], FULL)) == DIGITAL_SOURCE_TYPE


def test_xmp_in_png_is_uncompressed_itxt_as_adobe_requires():
    chunks = png_chunks(embed_metadata(PNG, FULL))
    (payload,) = [p for c, p in chunks if c == b"iTXt" and text_keyword(p) == b"XML:com.adobe.xmp"]
    assert payload.split(b"\0", 1)[1][:2] == b"\0\0"


def test_png_text_chunks_come_before_image_data():
    types = [c for c, _ in png_chunks(embed_metadata(PNG, FULL))]
    assert max(i for i, c in enumerate(types) if c == b"iTXt") < types.index(b"IDAT")


# --------------------------------------------------------------------------- pixels untouched


@pytest.mark.parametrize(
    "source",
    [
        PNG,
        make_png("RGBA", icc_profile=SRGB),
        make_png("P", transparency=0),
        make_png("L", size=(300, 200)),
        make_png("I;16"),
    ],
    ids=["rgb", "rgba-icc", "palette-trns", "grey-large", "16-bit"],
)
def test_png_pixels_and_other_chunks_unchanged(source):
    embedded = embed_metadata(source, FULL)
    assert pixels(embedded) == pixels(source)
    before, after = png_chunks(source), png_chunks(embedded)
    assert [p for c, p in after if c == b"IDAT"] == [p for c, p in before if c == b"IDAT"]
    assert [x for x in after if x[0] != b"iTXt"] == before
    with Image.open(io.BytesIO(source)) as a, Image.open(io.BytesIO(embedded)) as b:
        assert a.info.get("icc_profile") == b.info.get("icc_profile")


def test_png_keeps_icc_profile_and_foreign_text():
    info = PngInfo()
    info.add_text("Author", "someone")
    info.add_text("parameters", "old prompt\nSteps: 20, Sampler: Euler, Seed: 1")
    source = make_png(icc_profile=SRGB, pnginfo=info)
    embedded = embed_metadata(source, FULL)
    with Image.open(io.BytesIO(embedded)) as image:
        assert image.info["icc_profile"] == SRGB
        assert image.text["Author"] == "someone"
        assert image.text["parameters"] == FULL.parameters_text()
    keywords = [text_keyword(p) for c, p in png_chunks(embedded) if c in (b"tEXt", b"iTXt")]
    assert sorted(keywords) == sorted(
        [b"Author", b"parameters", b"nanobanana", b"XML:com.adobe.xmp"]
    )


def test_animated_png_keeps_its_frames():
    frames = [_gradient("RGB", (10, 6)), _gradient("RGB", (10, 6)).rotate(180)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:], duration=100)
    source = buffer.getvalue()
    embedded = embed_metadata(source, FULL)
    assert read_metadata(embedded) == FULL
    with Image.open(io.BytesIO(source)) as a, Image.open(io.BytesIO(embedded)) as b:
        assert a.n_frames == b.n_frames == 2
        for frame in range(2):
            a.seek(frame)
            b.seek(frame)
            assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize(
    "source",
    [
        JPEG,
        make_jpeg(progressive=True),
        make_jpeg(icc_profile=SRGB, subsampling=0),
        make_jpeg(size=(320, 240)),
    ],
    ids=["baseline", "progressive", "icc", "larger"],
)
def test_jpeg_scan_data_and_pixels_unchanged(source):
    embedded = embed_metadata(source, FULL)
    before, scan_before = jpeg_segments(source)
    after, scan_after = jpeg_segments(embedded)
    assert scan_after == scan_before
    assert pixels(embedded) == pixels(source)
    assert [s for s in after if s[0] != 0xE1] == before  # JFIF, ICC, tables: kept in order
    assert after[0][0] == 0xE0 and after[0][1].startswith(b"JFIF\0")
    with Image.open(io.BytesIO(source)) as a, Image.open(io.BytesIO(embedded)) as b:
        assert a.info.get("icc_profile") == b.info.get("icc_profile")


def test_jpeg_keeps_existing_exif_tags():
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x0131] = "Some Camera App"
    source = make_jpeg(exif=exif.tobytes())
    embedded = embed_metadata(source, FULL)
    with Image.open(io.BytesIO(embedded)) as image:
        kept = image.getexif()
    assert kept[ORIENTATION] == 6
    assert kept[0x0131] == "Some Camera App"
    assert read_metadata(embedded) == FULL


# Pillow warns when it parses the damaged block on open; the suite turns warnings into errors.
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_jpeg_with_unreadable_exif_gets_a_fresh_block():
    junk = b"Exif\0\0" + b"MM\0*\0\0\0\x08" + b"\xff" * 40
    segment = b"\xff\xe1" + struct.pack(">H", len(junk) + 2) + junk
    source = JPEG[:2] + segment + JPEG[2:]
    embedded = embed_metadata(source, FULL)
    assert read_metadata(embedded) == FULL
    assert jpeg_segments(embedded)[1] == jpeg_segments(source)[1]


def test_jpeg_without_jfif_gets_exif_right_after_soi():
    segments, _ = jpeg_segments(JPEG)
    assert segments[0][0] == 0xE0
    bare = JPEG[:2] + JPEG[2 + 2 + len(segments[0][1]) + 2 :]
    embedded = embed_metadata(bare, FULL)
    after, _ = jpeg_segments(embedded)
    assert after[0][0] == 0xE1 and after[0][1].startswith(b"Exif\0\0")
    assert pixels(embedded) == pixels(bare)


@pytest.mark.parametrize(
    "source",
    [
        WEBP_LOSSY,
        WEBP_LOSSLESS,
        make_webp("RGBA"),
        make_webp("RGBA", lossless=True),
        make_webp(icc_profile=SRGB),
        make_webp(size=(301, 203), quality=60),
    ],
    ids=["lossy", "lossless", "lossy-alpha", "lossless-alpha", "icc", "odd-size"],
)
def test_webp_bitstream_and_pixels_unchanged(source):
    embedded = embed_metadata(source, FULL)
    assert pixels(embedded) == pixels(source)
    image_data = (b"VP8 ", b"VP8L", b"ALPH", b"ICCP")
    before = [x for x in riff_chunks(source) if x[0] in image_data]
    after = [x for x in riff_chunks(embedded) if x[0] in image_data]
    assert after == before
    assert riff_chunks(embedded)[0][0] == b"VP8X"
    assert read_metadata(embedded) == FULL
    with Image.open(io.BytesIO(source)) as a, Image.open(io.BytesIO(embedded)) as b:
        assert a.info.get("icc_profile") == b.info.get("icc_profile")


# --------------------------------------------------------------------------- replace, not add


def test_embedding_twice_replaces_in_png():
    second = ImageMetadata(prompt="second", model="google/nano-banana")
    embedded = embed_metadata(embed_metadata(PNG, FULL), second)
    keywords = [text_keyword(p) for c, p in png_chunks(embedded) if c == b"iTXt"]
    assert sorted(keywords) == [b"XML:com.adobe.xmp", b"nanobanana", b"parameters"]
    assert read_metadata(embedded) == second
    assert embed_metadata(embedded, second) == embedded


def test_embedding_twice_replaces_in_jpeg():
    second = ImageMetadata(prompt="second", model="google/nano-banana")
    embedded = embed_metadata(embed_metadata(JPEG, FULL), second)
    app1 = [p for m, p in jpeg_segments(embedded)[0] if m == 0xE1]
    assert sum(p.startswith(b"Exif\0\0") for p in app1) == 1
    assert sum(p.startswith(b"http://ns.adobe.com/xap/1.0/\0") for p in app1) == 1
    assert len(app1) == 2
    assert read_metadata(embedded) == second
    assert embed_metadata(embedded, second) == embedded


def test_jpeg_drops_stale_extended_xmp():
    extension = b"http://ns.adobe.com/xmp/extension/\0" + b"0" * 40 + b"payload"
    segment = b"\xff\xe1" + struct.pack(">H", len(extension) + 2) + extension
    source = JPEG[:2] + segment + JPEG[2:]
    app1 = [p for m, p in jpeg_segments(embed_metadata(source, FULL))[0] if m == 0xE1]
    assert not any(p.startswith(b"http://ns.adobe.com/xmp/extension/") for p in app1)


@pytest.mark.parametrize("source", [WEBP_LOSSY, WEBP_LOSSLESS], ids=["lossy", "lossless"])
def test_embedding_twice_replaces_in_webp(source):
    second = ImageMetadata(prompt="second", model="google/nano-banana")
    embedded = embed_metadata(embed_metadata(source, FULL), second)
    fourccs = [c for c, _ in riff_chunks(embedded)]
    assert fourccs.count(b"EXIF") == fourccs.count(b"XMP ") == fourccs.count(b"VP8X") == 1
    assert read_metadata(embedded) == second


# --------------------------------------------------------------------------- reading other files


def test_png_text_after_image_data_is_found():
    chunks = png_chunks(embed_metadata(PNG, FULL))
    ours = [x for x in chunks if x[0] == b"iTXt"]
    rest = [x for x in chunks if x[0] != b"iTXt"]
    moved = png_from_chunks([*rest[:-1], *ours, rest[-1]])
    assert read_metadata(moved) == FULL


def test_utf8_json_in_latin1_text_chunk_is_read():
    meta = ImageMetadata(prompt="crème brûlée 🍮", model="m")
    info = PngInfo()
    info.add(b"tEXt", b"nanobanana\0" + json.dumps(meta.to_json(), ensure_ascii=False).encode())
    assert read_metadata(make_png(pnginfo=info)) == meta


def test_compressed_text_chunk_is_read():
    info = PngInfo()
    info.add_text("nanobanana", json.dumps(FULL.to_json()), zip=True)
    source = make_png(pnginfo=info)
    assert [c for c, _ in png_chunks(source)].count(b"zTXt") == 1
    assert read_metadata(source) == FULL


A1111 = (
    "masterpiece, a cat in a hat\nsecond line of prompt\n"
    "Negative prompt: blurry, lowres\n"
    "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 512x768, "
    'Model hash: abc123, Model: sd_xl_base_1.0, Lora hashes: "a: 1, b: 2", Version: v1.6.0'
)


def test_read_parameters_from_automatic1111_png():
    info = PngInfo()
    info.add_text("parameters", A1111)
    source = make_png(pnginfo=info)
    assert read_metadata(source) is None
    found = read_parameters(source)
    assert found == ImageMetadata(
        prompt="masterpiece, a cat in a hat\nsecond line of prompt",
        model="sd_xl_base_1.0",
        width=512,
        height=768,
    )


def test_generation_parameters_keep_the_negative_prompt_and_every_setting():
    info = PngInfo()
    info.add_text("parameters", A1111)
    found = read_generation_parameters(make_png(pnginfo=info))
    assert found is not None
    assert found.negative_prompt == "blurry, lowres"
    assert [key for key, _ in found.settings] == [
        "Steps", "Sampler", "CFG scale", "Seed", "Size", "Model hash", "Model", "Lora hashes",
        "Version",
    ]  # fmt: skip
    assert found.get("Lora hashes") == "a: 1, b: 2"
    assert read_generation_parameters(b"not an image") is None


def test_a_huge_parameters_line_without_colons_is_read_as_prompt():
    # A1111's regex would retry each of these words to the end of the line: over an hour.
    line = "word " * 200_000
    info = PngInfo()
    info.add_text("parameters", "a prompt\n" + line, zip=True)
    found = read_parameters(make_png(pnginfo=info))
    assert found is not None and found.prompt.startswith("a prompt\nword word")


@pytest.mark.parametrize("endian", ["<", ">"])
@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le"])
def test_read_parameters_from_automatic1111_jpeg(endian, encoding):
    exif = Image.Exif()
    exif.endian = endian
    exif.get_ifd(EXIF_IFD)[USER_COMMENT] = b"UNICODE\0" + A1111.encode(encoding)
    source = make_jpeg(exif=exif.tobytes())
    assert read_metadata(source) is None
    found = read_parameters(source)
    assert found is not None
    assert found.prompt.endswith("second line of prompt")
    assert found.model == "sd_xl_base_1.0"


def test_read_parameters_without_parameter_line_is_all_prompt():
    info = PngInfo()
    info.add_text("parameters", "just a prompt\nNote: with a colon")
    found = read_parameters(make_png(pnginfo=info))
    assert found == ImageMetadata(prompt="just a prompt\nNote: with a colon", model="")


def test_read_parameters_of_own_png():
    found = read_parameters(embed_metadata(PNG, FULL))
    assert found == ImageMetadata(
        prompt=FULL.prompt,
        model=FULL.model,
        aspect_ratio=FULL.aspect_ratio,
        image_size=FULL.image_size,
        task_id=FULL.task_id,
        consumed=FULL.consumed,
        width=FULL.width,
        height=FULL.height,
        app_version=FULL.app_version,
    )


@settings(max_examples=100, deadline=None)
@given(
    model=texts.filter(bool),
    task_id=optional_texts,
    aspect_ratio=optional_texts,
    image_size=optional_texts,
)
def test_parameters_line_survives_any_values(model, task_id, aspect_ratio, image_size):
    meta = ImageMetadata(
        prompt="a prompt",
        model=model,
        task_id=task_id,
        aspect_ratio=aspect_ratio,
        image_size=image_size,
        app_version="0.1.0",
    )
    text = meta.parameters_text()
    prompt, line = text.split("\n", 1)
    assert prompt == "a prompt" and "\n" not in line
    found = read_parameters(embed_metadata(PNG, meta))
    assert found is not None
    assert (found.model, found.task_id, found.aspect_ratio, found.image_size) == (
        model,
        task_id,
        aspect_ratio,
        image_size,
    )


def test_no_metadata_reads_as_none():
    for source in SAMPLES.values():
        assert read_metadata(source) is None
        assert read_parameters(source) is None


# --------------------------------------------------------------------------- damaged input


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("image.png", PNG)
    return buffer.getvalue()


def _gif() -> bytes:
    buffer = io.BytesIO()
    _gradient("P", (4, 4)).save(buffer, "GIF")
    return buffer.getvalue()


GARBAGE = {
    "empty": (b"", "not a PNG, JPEG or WebP"),
    "random": (random.Random(7).randbytes(2048), "not a PNG, JPEG or WebP"),
    "zip": (_zip(), "not a PNG, JPEG or WebP"),
    "gif": (_gif(), "not a PNG, JPEG or WebP"),
    "png-signature-only": (PNG[:8], "truncated PNG"),
    "png-half": (PNG[: len(PNG) // 2], "truncated PNG"),
    "png-no-iend": (PNG[:-12], "truncated PNG"),
    "png-bad-chunk": (PNG[:12] + b"\0\0\0\0" + PNG[16:], "damaged or truncated PNG"),
    "png-no-idat": (
        png_from_chunks([x for x in png_chunks(PNG) if x[0] != b"IDAT"]),
        "no image data",
    ),
    "jpeg-soi-only": (JPEG[:3], "JPEG"),
    "jpeg-half": (JPEG[: len(JPEG) // 2], "truncated JPEG"),
    "jpeg-no-eoi": (JPEG[:-2], "truncated JPEG"),
    "jpeg-garbage": (b"\xff\xd8\xff" + b"\x00" * 100, "JPEG"),
    "webp-half": (WEBP_LOSSY[: len(WEBP_LOSSY) // 2], "truncated WebP"),
    "webp-header-only": (WEBP_LOSSY[:12], "WebP"),
}


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_garbage_is_refused_clearly_and_reads_as_none(name):
    data, message = GARBAGE[name]
    with pytest.raises(MetadataError, match=message):
        embed_metadata(data, FULL)
    assert read_metadata(data) is None
    assert read_parameters(data) is None


def test_truncated_file_still_yields_metadata_written_before_the_pixels():
    # The text chunks precede IDAT, so a download cut short keeps what made the image.
    embedded = embed_metadata(PNG, FULL)
    assert read_metadata(embedded[: len(embedded) - 20]) == FULL


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP"])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_files_never_raise_anything_but_metadata_error(kind, data):
    embedded = bytearray(embed_metadata(SAMPLES[kind], FULL))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(embedded) - 1))
        embedded[position] = data.draw(st.integers(0, 255))
    damaged = bytes(embedded[: data.draw(st.integers(0, len(embedded)))])
    found = read_metadata(damaged)
    assert found is None or isinstance(found, ImageMetadata)
    assert read_parameters(damaged) is None or isinstance(read_parameters(damaged), ImageMetadata)
    with contextlib.suppress(MetadataError):
        embed_metadata(damaged, FULL)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=512))
def test_random_bytes_never_raise(data):
    assert read_metadata(data) is None
    assert read_parameters(data) is None


# --------------------------------------------------------------------------- the dataclass


def test_parameters_text_format():
    assert FULL.parameters_text() == (
        "A lemon on a table,\nlit from the left\n"
        "Model: google/gempix2, Task: task_01HZX, Size: 12x8, Aspect ratio: 16:9, "
        "Image size: 2K, Credits: 0.500000, References: 1, Seed-free: yes, "
        f"Version: {__version__}"
    )
    assert ImageMetadata(prompt="p", model="m").parameters_text() == (
        "p\nModel: m, References: 0, Seed-free: yes"
    )


def test_parameters_text_quotes_values_that_would_break_the_line():
    meta = ImageMetadata(prompt="p", model="a, b\nc", task_id=" padded ")
    line = meta.parameters_text().split("\n", 1)[1]
    assert line.startswith('Model: "a, b\\nc", Task: " padded ", ')


def test_to_json_is_compact_and_from_json_tolerant():
    assert ImageMetadata(prompt="p", model="m").to_json() == {"v": 1, "prompt": "p", "model": "m"}
    body = {**FULL.to_json(), "future_field": {"anything": True}, "v": 9}
    assert ImageMetadata.from_json(body) == FULL


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "JSON object"),
        ("text", "JSON object"),
        ({"model": "m"}, "no 'prompt'"),
        ({"prompt": "p"}, "no 'model'"),
        ({"prompt": 1, "model": "m"}, "'prompt' must be text"),
        ({"prompt": "p", "model": None}, "'model' must be text"),
        ({"prompt": "p", "model": "m", "references": "https://a"}, "'references'"),
        ({"prompt": "p", "model": "m", "references": [1]}, "'references'"),
        ({"prompt": "p", "model": "m", "width": "12"}, "'width' must be a whole number"),
        ({"prompt": "p", "model": "m", "width": 1.5}, "'width' must be a whole number"),
        ({"prompt": "p", "model": "m", "height": True}, "'height' must be a whole number"),
        ({"prompt": "p", "model": "m", "image_index": "0"}, "'image_index'"),
        ({"prompt": "p", "model": "m", "consumed": 0.5}, "'consumed' must be text"),
    ],
)
def test_from_json_rejects_missing_and_mistyped_fields(body, message):
    with pytest.raises(MetadataError, match=message):
        ImageMetadata.from_json(body)


def test_data_uris_become_stand_ins():
    image = b"\x89PNG fake image bytes"
    uri = "data:image/png;base64," + base64.b64encode(image).decode()
    meta = ImageMetadata(prompt="p", model="m", references=["https://a/b.png", uri])  # type: ignore[arg-type]
    assert meta.references == (
        "https://a/b.png",
        "inline:" + hashlib.sha256(image).hexdigest(),
    )
    assert stand_in_reference("data:image/png;base64,@@@").startswith("inline:")
    assert stand_in_reference("https://a/b.png") == "https://a/b.png"
    assert len(json.dumps(meta.to_json())) < 300


def test_to_request_drops_stand_ins():
    meta = ImageMetadata(
        prompt="p",
        model="google/gempix2",
        references=("https://a/b.png", "inline:" + "0" * 64, "inline", "https://c/d.jpg"),
        aspect_ratio="1:1",
        image_size="4K",
        task_id="t",
    )
    request = meta.to_request()
    assert request == GenerationRequest(
        model="google/gempix2",
        prompt="p",
        images=("https://a/b.png", "https://c/d.jpg"),
        aspect_ratio="1:1",
        image_size="4K",
    )
    validate_request(request)


def test_from_request_round_trips_to_request():
    request = GenerationRequest(
        model="google/gempix2",
        prompt="p",
        images=("https://a/b.png", "data:image/png;base64,AAAA"),
        aspect_ratio="3:2",
        image_size="1K",
        callback_url="https://example.com/hook",
    )
    local = datetime(2026, 1, 2, 4, 5, 6, tzinfo=timezone(timedelta(hours=1)))
    meta = ImageMetadata.from_request(
        request, task_id="t", consumed=Decimal("1E+1"), created_at=local, width=1, height=2
    )
    assert meta.created_at == "2026-01-02T03:05:06Z"
    assert meta.consumed == "10"
    assert meta.app_version == __version__
    assert meta.references[1].startswith("inline:")
    assert meta.to_request() == GenerationRequest(
        model="google/gempix2",
        prompt="p",
        images=("https://a/b.png",),
        aspect_ratio="3:2",
        image_size="1K",
    )
    naive = ImageMetadata.from_request(request, created_at=datetime(2026, 1, 2, 3, 4, 5))
    assert naive.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).isoformat()[:-6] + "Z"


def test_module_imports_no_qt():
    tree = ast.parse(Path(metadata_module.__file__).read_text("utf-8"))
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [n for n in names if n.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6")]
