"""The preview each library file carries: written at save from the download's own decode,
read back for thumbnails without decoding the image, and refused (the image is decoded
instead) whenever it is missing, damaged, over its caps or not made for the file's pixels."""

from __future__ import annotations

import hashlib
import io
import logging
import struct
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import run
from engine_harness import engine_for
from fault_harness import without_own_metadata
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageFile, ImageStat
from PIL.PngImagePlugin import PngInfo
from test_engine_thumbnails import WIDE, expected_in_srgb, phone_photo

from nanobanana_desktop.api import GenerationRequest
from nanobanana_desktop.engine import preview as preview_module
from nanobanana_desktop.engine.export import ExportFormat, export_image
from nanobanana_desktop.engine.metadata import ImageMetadata, embed_metadata, read_metadata
from nanobanana_desktop.engine.preview import (
    JPEG_SIGNATURE,
    MAX_PAYLOAD,
    PNG_CHUNK,
    PreviewError,
    embed_preview,
    library_file,
    read_preview,
)
from nanobanana_desktop.engine.records import ImageState, TaskState
from nanobanana_desktop.engine.thumbnails import (
    PREVIEW_SIZE,
    SAVE_SIZES,
    ThumbnailCache,
    ThumbnailError,
    shrink_each,
)

META = ImageMetadata(prompt="a lemon on a blue plate", model="google/gempix2")
WIDE_REQUEST = GenerationRequest("google/gempix2", "a lemon on a blue plate", aspect_ratio="16:9")


def picture(size: tuple[int, int] = (1200, 800), mode: str = "RGB") -> Image.Image:
    """Something like a generated image: soft colour fields, a few hard edges, some text."""
    width, height = size
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = Image.linear_gradient("L").rotate(90).resize(size)
    image = Image.merge("RGB", (red, green, blue))
    image.paste((250, 220, 40), (width // 5, height // 4, width // 2, height * 3 // 4))
    image.paste((20, 40, 160), (width * 3 // 5, height // 6, width * 4 // 5, height // 2))
    if mode == "RGBA":
        image = image.convert("RGBA")
        image.putalpha(Image.linear_gradient("L").rotate(90).resize(size))
    return image


def encoded(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def as_library_file(data: bytes) -> bytes:
    """``data`` as the engine saves a download: decoded, thumbnails made, both spliced in."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        thumbnails = shrink_each(image, SAVE_SIZES)
    return library_file(data, META, thumbnails, label="a test image")


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference over the colour channels, in levels of 255."""
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


def shown(pixels) -> Image.Image:
    return Image.frombytes("RGBA", (pixels.width, pixels.height), pixels.rgba)


@pytest.fixture
def renders(monkeypatch):
    """Each source the cache decoded itself (the full path), in order."""
    calls: list[Path] = []
    real = ThumbnailCache._render

    def counting(self, source, size):
        calls.append(source)
        return real(self, source, size)

    monkeypatch.setattr(ThumbnailCache, "_render", counting)
    return calls


_RENDER = ThumbnailCache._render  # not the one ``renders`` counts


def full_thumbnail(path: Path, size: int) -> Image.Image:
    """What the cache makes from the image itself, its preview aside."""
    return _RENDER(ThumbnailCache(path.parent / "unused"), path, size)


# --------------------------------------------------------------------------- saved by the engine


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_a_download_is_saved_with_a_preview_that_thumbnails_come_from(
    sandbox, tmp_path, renders, fmt
):
    sandbox.config.image_format = fmt

    async def scenario():
        # No thumbnail cache at all: the preview goes into the file all the same.
        async with engine_for(sandbox, tmp_path) as engine:
            task = await engine.submit(WIDE_REQUEST)
            return await engine.wait(task.id), await engine.store.images_for(task.id)

    done, [image] = run(scenario())
    assert done.state is TaskState.SUCCEEDED and image.state is ImageState.SAVED
    path = tmp_path / "library" / image.path
    data = path.read_bytes()
    found = read_preview(path)
    assert found is not None and found.box == PREVIEW_SIZE
    assert (found.width, found.height) == (image.width, image.height) == (1376, 768)
    assert found.image.size == (320, 179) and found.image.mode == "RGB"
    assert read_metadata(data) is not None  # the metadata still reads, beside it
    if fmt == "jpeg":
        segment = data.index(JPEG_SIGNATURE)
        assert data[segment - 4 : segment - 2] == b"\xff\xef"  # an APP15 segment...
        assert segment < data.index(b"\xff\xda")  # ... before the image data
    else:
        assert data.index(PNG_CHUNK) < data.index(b"IDAT")

    cache = ThumbnailCache(tmp_path / "thumbs")
    for size in (*SAVE_SIZES, 256):
        made = shown(cache.pixels(path, size, sha256=image.sha256))
        full = full_thumbnail(path, size)
        assert made.size == full.size
        # The sandbox's renders are smooth: the preview's JPEG costs well under a level.
        assert difference(made, full) < 1.0, size
    assert renders == []  # none decoded the image: every one came from the preview
    # Not copied to the cache either: the preview is quicker to read than a cache file.
    assert not [p for p in (tmp_path / "thumbs").rglob("*") if p.is_file()]


def test_the_fault_audit_strips_the_preview_to_find_the_cdns_bytes(sandbox, tmp_path):
    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            task = await engine.submit(WIDE_REQUEST)
            await engine.wait(task.id)
            return await engine.store.images_for(task.id)

    [image] = run(scenario())
    data = (tmp_path / "library" / image.path).read_bytes()
    stripped = without_own_metadata(data)
    assert PNG_CHUNK in data and PNG_CHUNK not in stripped
    served = sandbox.records.served(urlsplit(image.origin).path)
    assert hashlib.sha256(stripped).hexdigest() in served
    assert read_preview(stripped) is None and read_metadata(stripped) is None


# --------------------------------------------------------------------------- what it holds


@pytest.mark.parametrize(("fmt", "options"), [("PNG", {}), ("JPEG", {"quality": 92})])
def test_metadata_and_preview_leave_the_image_data_byte_for_byte(fmt, options):
    data = encoded(picture(), fmt, **options)
    saved = as_library_file(data)
    with Image.open(io.BytesIO(data)) as before, Image.open(io.BytesIO(saved)) as after:
        assert before.tobytes() == after.tobytes()
    assert read_metadata(saved) == META
    # Embedding the metadata again (Save As with new metadata) keeps the preview valid.
    again = embed_metadata(saved, ImageMetadata(prompt="another", model="m"))
    assert read_preview(again) is not None and read_metadata(again).prompt == "another"


def test_orientation_and_colour_are_in_the_preview_and_not_applied_twice(tmp_path, renders):
    turned = tmp_path / "turned.jpg"
    turned.write_bytes(as_library_file(phone_photo(tmp_path).read_bytes()))
    wide = tmp_path / "wide.png"
    colour = (200, 100, 50)
    flat = Image.new("RGB", (800, 600), colour)
    wide.write_bytes(as_library_file(encoded(flat, icc_profile=WIDE)))
    cache = ThumbnailCache(tmp_path / "thumbs")

    upright = shown(cache.pixels(turned, 112))
    assert upright.size == (63, 112) == full_thumbnail(turned, 112).size
    assert difference(upright, full_thumbnail(turned, 112)) < 2.0
    assert upright.getpixel((60, 3))[0] > 200 and min(upright.getpixel((3, 3))[:3]) > 200

    srgb = shown(cache.pixels(wide, 112)).getpixel((5, 5))[:3]
    want = expected_in_srgb(colour)
    assert max(abs(a - b) for a, b in zip(srgb, want, strict=True)) <= 2  # converted once
    assert renders == []


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_large_file_is_read_from_its_head_and_one_seek_to_its_end(tmp_path, fmt, monkeypatch):
    noise = Image.effect_noise((900, 600), 80).convert("RGB")
    path = tmp_path / f"large.{fmt.lower()}"
    path.write_bytes(as_library_file(encoded(noise, fmt, quality=95)))
    assert path.stat().st_size > 2 * preview_module._HEAD_BYTES
    seeks: list[int] = []
    real = preview_module._Source.read

    def watching(self, offset, length):
        if offset + length > len(self.head):
            seeks.append(length)
        return real(self, offset, length)

    monkeypatch.setattr(preview_module._Source, "read", watching)
    found = read_preview(path)
    assert found is not None and found.image.size == (320, 213)
    if fmt == "WEBP":
        # Its preview is at the end, where the container keeps unknown chunks: chunk
        # headers (8 bytes each, the pixel data skipped) and the preview itself.
        assert max(seeks) < MAX_PAYLOAD and sorted(seeks)[-2] <= 4096
    else:
        assert seeks == [4096]  # the fingerprint's last 4 KiB; the rest was in the head


def test_a_transparent_image_gets_a_lossless_preview():
    data = as_library_file(encoded(picture(mode="RGBA")))
    found = read_preview(data)
    assert found is not None and found.image.mode == "RGBA"
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        thumbnail = shrink_each(image, [PREVIEW_SIZE])[PREVIEW_SIZE]
    assert found.image.tobytes() == thumbnail.tobytes()


def test_webp_carries_one_in_the_extended_format_only():
    simple = encoded(picture(), "WEBP", quality=90)
    with Image.open(io.BytesIO(simple)) as image:
        image.load()
        thumbnail = shrink_each(image, [PREVIEW_SIZE])[PREVIEW_SIZE]
    with pytest.raises(PreviewError, match="simple-format WebP"):
        embed_preview(simple, thumbnail, PREVIEW_SIZE)
    saved = as_library_file(simple)  # the metadata makes it extended first
    found = read_preview(saved)
    assert found is not None and found.image.size == thumbnail.size
    assert difference(found.image, thumbnail) < 1.5
    assert read_metadata(saved) == META


def test_a_preview_too_large_for_its_container_is_left_out_and_the_file_saved(caplog):
    data = encoded(picture(), "JPEG")
    noise = Image.effect_noise((1024, 683), 120).convert("RGB")
    with pytest.raises(PreviewError, match=r"more than the \d+ there is room for"):
        embed_preview(data, noise, 1024)
    with caplog.at_level(logging.WARNING, logger=preview_module.__name__):
        saved = library_file(data, META, {1024: noise}, label="task 7 image 0")
    assert read_metadata(saved) == META and read_preview(saved) is None
    assert "no preview embedded in task 7 image 0" in caplog.text


def test_a_thumbnail_that_is_not_the_images_preview_is_refused():
    data = encoded(picture(), "PNG")
    with pytest.raises(PreviewError, match="not the 320 px preview of a 1200x800 image"):
        embed_preview(data, Image.new("RGB", (320, 320)), 320)


# --------------------------------------------------------------------------- falling back


def library_png(tmp_path: Path, name: str = "a.png", image: Image.Image | None = None) -> Path:
    path = tmp_path / name
    path.write_bytes(as_library_file(encoded(image or picture())))
    return path


def test_a_file_without_a_preview_is_decoded(tmp_path, renders):
    foreign = tmp_path / "foreign.png"
    foreign.write_bytes(encoded(picture()))
    assert read_preview(foreign) is None
    made = ThumbnailCache(tmp_path / "thumbs").pixels(foreign, 256)
    assert (made.width, made.height) == (256, 171) and renders == [foreign]


def test_a_size_larger_than_the_preview_is_decoded_from_the_image(tmp_path, renders):
    path = library_png(tmp_path)
    cache = ThumbnailCache(tmp_path / "thumbs")
    assert cache.pixels(path, PREVIEW_SIZE).width == PREVIEW_SIZE and renders == []
    large = cache.pixels(path, 600)
    assert (large.width, large.height) == (600, 400) and renders == [path]
    assert cache.path_for(path, 600).is_file()  # decoded ones are cached as before


def test_a_small_image_is_served_by_its_preview_at_any_size_up_to_its_own(tmp_path, renders):
    path = library_png(tmp_path, image=picture((200, 150)))
    found = read_preview(path)
    assert found is not None and found.image.size == (200, 150)  # never enlarged
    made = ThumbnailCache(tmp_path / "thumbs").pixels(path, 256)
    assert (made.width, made.height) == (200, 150) and renders == []


def test_a_file_edited_by_another_program_is_decoded_again(tmp_path, renders):
    path = library_png(tmp_path)
    edited = picture()
    edited.paste((0, 160, 0), (0, 0, 1200, 800))  # painted green all over
    # A careful editor drops the chunk (its name says "unsafe to copy")...
    careful = tmp_path / "careful.png"
    edited.save(careful)
    # ... a careless one copies it, unknown as it is, into the new file.
    chunk = preview_module._png_chunks(path.read_bytes())
    [(_, start, end)] = [c for c in chunk if c[0] == PNG_CHUNK]
    body = path.read_bytes()[start + 8 : end - 4]
    careless = tmp_path / "careless.png"
    info = PngInfo()
    info.add(PNG_CHUNK, body)
    edited.save(careless, pnginfo=info)
    assert PNG_CHUNK in careless.read_bytes()

    cache = ThumbnailCache(tmp_path / "thumbs")
    for source in (careful, careless):
        assert read_preview(source) is None
        assert shown(cache.pixels(source, 112)).getpixel((50, 30)) == (0, 160, 0, 255)
    assert renders == [careful, careless]


def test_a_jpeg_rotated_with_its_segments_kept_is_decoded_again(tmp_path):
    square = picture((900, 900))
    saved = as_library_file(encoded(square, "JPEG", quality=90))
    segment = saved[saved.index(JPEG_SIGNATURE) - 4 :]
    segment = segment[: 2 + struct.unpack(">H", segment[2:4])[0]]
    # As jpegtran -rotate 180 -copy all would leave it: same size, other pixel data, the
    # unknown segment carried over.
    turned = encoded(square.rotate(180), "JPEG", quality=90)
    carried = turned[:2] + segment + turned[2:]
    assert read_preview(saved) is not None
    assert read_preview(carried) is None


def forged(data: bytes, picture_bytes: bytes, **fields: int) -> bytes:
    """A library PNG whose preview is ``picture_bytes`` under a header with every check
    right (fingerprint, checksum) except what ``fields`` changes."""
    width, height, span, assemble, _ = preview_module._layout_png(data)
    head, tail = preview_module._ends(span)
    values = {
        "version": 1,
        "flags": 3,
        "box": PREVIEW_SIZE,
        "width": width,
        "height": height,
        "length": len(span),
        "head": zlib.crc32(head),
        "tail": zlib.crc32(tail),
        "picture": zlib.crc32(picture_bytes),
    } | fields
    return assemble(preview_module._HEADER.pack(*values.values()) + picture_bytes)


PLAIN = encoded(picture(), "PNG")
RIGHT = encoded(picture().resize((320, 213)), "JPEG", quality=90)


def test_a_forged_header_reads_back_only_when_everything_agrees(caplog):
    assert read_preview(forged(PLAIN, RIGHT)) is not None  # the forger's own check
    refused = {
        "other dimensions": (forged(PLAIN, RIGHT, height=801), "file's header says 1200x800"),
        "flags": (forged(PLAIN, RIGHT, flags=1), "flags 0x1"),
        "version": (forged(PLAIN, RIGHT, version=2), "version 2"),
        "box too large": (forged(PLAIN, RIGHT, box=5000), "box of 5000 px"),
        "length": (forged(PLAIN, RIGHT, length=10), "not the length"),
        "fingerprint": (forged(PLAIN, RIGHT, tail=7), "has changed since"),
        "checksum": (forged(PLAIN, RIGHT, picture=7), "picture is damaged"),
        "not its box": (
            forged(PLAIN, encoded(picture().resize((640, 427)), "JPEG")),
            "does not fit the image",
        ),
        "progressive": (
            forged(PLAIN, encoded(picture().resize((320, 213)), "JPEG", progressive=True)),
            "progressive",
        ),
        "greyscale": (
            forged(PLAIN, encoded(picture().resize((320, 213)).convert("L"), "PNG")),
            "L or animated",
        ),
        "not a picture": (forged(PLAIN, b"GIF89a" + bytes(64)), "not a JPEG, PNG or WebP"),
    }
    for name, (data, reason) in refused.items():
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger=preview_module.__name__):
            assert read_preview(data) is None, name
        assert reason in caplog.text, name


def test_a_preview_claiming_a_huge_picture_is_refused_before_decoding(monkeypatch):
    bomb = bytearray(encoded(Image.new("RGB", (320, 213)), "PNG"))
    bomb[16:24] = struct.pack(">II", 8000, 6000)  # IHDR says 48 megapixels
    bomb[29:33] = struct.pack(">I", zlib.crc32(bytes(bomb[12:29])))
    decoded: list[object] = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self))
    assert read_preview(forged(PLAIN, bytes(bomb))) is None
    assert decoded == []


def test_a_payload_over_the_cap_is_not_even_read(monkeypatch):
    data = PLAIN
    chunks = list(preview_module._png_chunks(data))
    first_idat = next(s for c, s, _ in chunks if c == b"IDAT")
    # Only a header: a chunk claiming MAX_PAYLOAD + 1 bytes, its body never there.
    claim = struct.pack(">I", MAX_PAYLOAD + 1) + PNG_CHUNK
    huge = data[:first_idat] + claim + bytes(16) + data[first_idat:]
    read: list[int] = []
    real = preview_module._Source.read

    def watching(self, offset, length):
        read.append(length)
        return real(self, offset, length)

    monkeypatch.setattr(preview_module._Source, "read", watching)
    assert read_preview(huge) is None
    assert max(read) < 1000


def test_a_file_cut_short_has_no_preview_and_still_says_so(tmp_path):
    path = library_png(tmp_path)
    whole = path.read_bytes()
    path.write_bytes(whole[: whole.index(b"IDAT") + 5000])  # its head and a little data
    assert read_preview(path) is None
    with pytest.raises(ThumbnailError, match=r"a\.png is not an image that can be read"):
        ThumbnailCache(tmp_path / "thumbs").pixels(path, 112)


# --------------------------------------------------------------------------- damage


SAVED = {
    "PNG": as_library_file(encoded(picture((600, 400)))),
    "JPEG": as_library_file(encoded(picture((600, 400)), "JPEG", quality=90)),
}


def preview_span(data: bytes) -> tuple[int, int]:
    """Where the preview's bytes lie in a library file, container framing included."""
    if data.startswith(b"\xff\xd8"):
        start = data.index(JPEG_SIGNATURE) - 4
        return start, start + 2 + struct.unpack(">H", data[start + 2 : start + 4])[0]
    [(_, start, end)] = [c for c in preview_module._png_chunks(data) if c[0] == PNG_CHUNK]
    return start, end


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(sorted(SAVED)),
    where=st.floats(0.0, 1.0, exclude_max=True),
    xor=st.integers(1, 255),
)
def test_a_preview_changed_anywhere_is_never_used(fmt, where, xor):
    data = bytearray(SAVED[fmt])
    start, end = preview_span(bytes(data))
    data[start + int(where * (end - start))] ^= xor
    assert read_preview(bytes(data)) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(sorted(SAVED)),
    cut=st.floats(0.0, 1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(1, 255)), max_size=6),
)
def test_a_damaged_library_file_falls_back_cleanly(tmp_path_factory, fmt, cut, flips):
    data = bytearray(SAVED[fmt])
    _, end = preview_span(bytes(data))
    for where, xor in flips:
        # Most flips land in the head, where the preview and the headers are.
        data[int(where * (end + 64 if xor % 2 else len(data) - 1)) % len(data)] ^= xor
    damaged = bytes(data[: max(1, int(cut * len(data)))] if cut < 1 else data)
    found = read_preview(damaged)
    assert found is None or found.image.size == (320, 213)
    folder = tmp_path_factory.mktemp("damaged")
    source = folder / f"damaged.{fmt.lower()}"
    source.write_bytes(damaged)
    try:
        pixels = ThumbnailCache(folder / "thumbs").pixels(source, 112)
    except ThumbnailError as exc:
        assert "damaged" in str(exc)
    else:
        # A damaged frame header may give the picture another size; never a larger one.
        assert len(pixels.rgba) == pixels.width * pixels.height * 4
        assert 1 <= max(pixels.width, pixels.height) <= 112


# --------------------------------------------------------------------------- Save As


def test_save_as_keeps_the_preview_with_the_bytes_and_not_when_reencoding(tmp_path):
    source = tmp_path / "library.jpg"
    source.write_bytes(as_library_file(encoded(picture(), "JPEG", quality=92)))
    kept = export_image(source, tmp_path / "kept.jpg")
    smaller = export_image(source, tmp_path / "smaller.jpg", quality=70)
    as_png = export_image(source, tmp_path / "as.png", ExportFormat.PNG)
    found = read_preview(kept)
    assert found is not None and found.image.tobytes() == read_preview(source).image.tobytes()
    for reencoded in (smaller, as_png):
        data = reencoded.read_bytes()
        assert read_preview(reencoded) is None and read_metadata(data) == META
        assert JPEG_SIGNATURE not in data and PNG_CHUNK not in data
