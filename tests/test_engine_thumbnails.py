"""The thumbnail cache: made once, read back without decoding the source, written atomically,
and a clear error (never a crash) for what cannot be made."""

from __future__ import annotations

import io
import os
import struct
import tempfile
import zlib
from pathlib import Path

import pytest
from conftest import run, tmpfs
from engine_harness import REQUEST, engine_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from nanobanana_desktop.engine import thumbnails as thumbnails_module
from nanobanana_desktop.engine.events import ImageSaved
from nanobanana_desktop.engine.paths import Locations
from nanobanana_desktop.engine.records import TaskState
from nanobanana_desktop.engine.thumbnails import (
    SAVE_SIZES,
    ThumbnailCache,
    ThumbnailError,
    shrink_each,
)


def write_image(path: Path, size: tuple[int, int], fmt: str = "PNG", colour="orange") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, fmt)
    return path


@pytest.fixture
def opened(monkeypatch):
    """Every path Image.open is called with, in order."""
    calls: list[str] = []
    real = Image.open

    def counting(fp, *args, **kwargs):
        calls.append(str(fp))
        return real(fp, *args, **kwargs)

    monkeypatch.setattr(Image, "open", counting)
    return calls


def test_the_cache_folder_is_in_the_profile(tmp_path):
    places = Locations(tmp_path / "profile", tmp_path / "library")
    assert places.thumbnails == tmp_path / "profile" / "thumbnails"


def test_a_thumbnail_fits_the_size_keeps_the_shape_and_is_a_png(tmp_path):
    source = write_image(tmp_path / "lib" / "wide.png", (1600, 900))
    cache = ThumbnailCache(tmp_path / "thumbs")
    made = cache.thumbnail(source, 112)
    assert made.is_relative_to(tmp_path / "thumbs")
    with Image.open(made) as thumb:
        assert thumb.format == "PNG" and thumb.size == (112, 63)
    pixels = cache.pixels(source, 112)
    assert (pixels.width, pixels.height) == (112, 63)
    assert len(pixels.rgba) == 112 * 63 * 4
    assert pixels.rgba[:4] == bytes((255, 165, 0, 255))  # orange, opaque


def test_a_small_image_is_not_enlarged(tmp_path):
    source = write_image(tmp_path / "tiny.png", (40, 30))
    pixels = ThumbnailCache(tmp_path / "thumbs").pixels(source, 112)
    assert (pixels.width, pixels.height) == (40, 30)


def test_a_cache_hit_does_not_decode_the_source_again(tmp_path, opened):
    source = write_image(tmp_path / "lib" / "a.png", (800, 800))
    cache = ThumbnailCache(tmp_path / "thumbs")
    first = cache.thumbnail(source, 112)
    assert opened.count(str(source)) == 1
    again = cache.thumbnail(source, 112)
    pixels = cache.pixels(source, 112)
    assert again == first and pixels.width == 112
    assert opened.count(str(source)) == 1  # only the small cached file was read since
    # A second cache over the same folder (the next start of the app) hits as well.
    ThumbnailCache(tmp_path / "thumbs").pixels(source, 112)
    assert opened.count(str(source)) == 1


def test_another_size_or_a_changed_file_makes_a_new_thumbnail(tmp_path, opened):
    source = write_image(tmp_path / "a.png", (800, 800), colour="orange")
    cache = ThumbnailCache(tmp_path / "thumbs")
    small = cache.thumbnail(source, 64)
    large = cache.thumbnail(source, 112)
    assert small != large and opened.count(str(source)) == 2
    write_image(source, (800, 400), colour="blue")
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    pixels = cache.pixels(source, 112)
    assert (pixels.width, pixels.height) == (112, 56)
    assert pixels.rgba[:4] == bytes((0, 0, 255, 255))  # the new picture, not the stale one


def spy_on_jpeg_draft(monkeypatch) -> list[tuple[int, int]]:
    """The sizes JPEG files are decoded at, as draft mode leaves them, call by call."""
    from PIL import JpegImagePlugin

    decoded_at: list[tuple[int, int]] = []
    real = JpegImagePlugin.JpegImageFile.draft

    def spying(self, mode, size):
        result = real(self, mode, size)
        decoded_at.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spying)
    return decoded_at


def test_jpeg_is_decoded_in_draft_mode(tmp_path, monkeypatch):
    source = write_image(tmp_path / "photo.jpg", (2400, 1600), "JPEG")
    decoded_at = spy_on_jpeg_draft(monkeypatch)
    pixels = ThumbnailCache(tmp_path / "thumbs").pixels(source, 112)
    assert (pixels.width, pixels.height) == (112, 75)
    # Decoded at 1/4 scale, 600x400 pixels instead of 2400x1600: 1/16 of the work, and
    # still more than twice the thumbnail's size, so the downscale stays sharp.
    assert decoded_at and set(decoded_at) == {(600, 400)}


def test_a_corrupt_file_is_a_clear_error_and_leaves_nothing_behind(tmp_path):
    source = tmp_path / "broken.png"
    source.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10)
    cache = ThumbnailCache(tmp_path / "thumbs")
    with pytest.raises(ThumbnailError, match=r"broken\.png is not an image that can be read"):
        cache.thumbnail(source, 112)
    assert not list((tmp_path / "thumbs").rglob("*.png"))


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ThumbnailError, match=r"gone\.png is no longer there"):
        ThumbnailCache(tmp_path / "thumbs").thumbnail(tmp_path / "gone.png", 112)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims to be ``width`` x ``height``: what a decompression bomb looks like."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\0" * 64)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_header_only(60_000, 60_000))  # 3.6 gigapixels, a few bytes on disk
    with pytest.raises(ThumbnailError, match="too many pixels"):
        ThumbnailCache(tmp_path / "thumbs").thumbnail(bomb, 112)


def test_the_cache_has_its_own_pixel_cap(tmp_path):
    big = write_image(tmp_path / "big.png", (2000, 1000))
    cache = ThumbnailCache(tmp_path / "thumbs", max_pixels=1_000_000)
    with pytest.raises(ThumbnailError, match=r"2000x1000 pixels.*limit is 1 megapixels"):
        cache.thumbnail(big, 112)


def test_a_failed_write_leaves_no_thumbnail_and_no_temporary_file(tmp_path):
    source = tmp_path / "noise.png"
    # Noise: its 112 px thumbnail takes about 37 KB, more than the full disk has left.
    Image.frombytes("RGB", (400, 400), os.urandom(400 * 400 * 3)).save(source)
    with tmpfs(tmp_path / "full", "size=256k") as disk:
        filler = disk / "filler"
        filler.write_bytes(bytes(248 * 1024))  # 8 KB left
        cache = ThumbnailCache(disk / "thumbs")
        with pytest.raises(
            ThumbnailError, match=r"thumbnail cache .* cannot be written: No space left"
        ):
            cache.thumbnail(source, 112)
        assert not cache.path_for(source, 112).exists()
        assert [p for p in (disk / "thumbs").rglob("*") if p.is_file()] == []
        filler.unlink()
        assert cache.pixels(source, 112).width == 112  # and it works once there is room
        assert cache.path_for(source, 112).is_file()


def test_the_file_appears_only_by_rename(tmp_path, monkeypatch):
    source = write_image(tmp_path / "a.png", (400, 400))
    cache = ThumbnailCache(tmp_path / "thumbs")
    target = cache.path_for(source, 112)
    renames: list[tuple[Path, Path, bool]] = []
    real_replace = Path.replace

    def watching(self, destination):
        renames.append((self, Path(destination), Path(destination).exists()))
        return real_replace(self, destination)

    monkeypatch.setattr(thumbnails_module.Path, "replace", watching)
    cache.thumbnail(source, 112)
    [(temp, destination, existed)] = renames
    assert destination == target and not existed
    assert temp.parent == target.parent and temp.name.endswith(".tmp")
    assert not temp.exists() and target.is_file()


def test_a_truncated_cache_file_is_made_again(tmp_path):
    source = write_image(tmp_path / "a.png", (400, 200))
    cache = ThumbnailCache(tmp_path / "thumbs")
    made = cache.thumbnail(source, 112)
    made.write_bytes(made.read_bytes()[:30])  # as after a power cut
    pixels = cache.pixels(source, 112)
    assert (pixels.width, pixels.height) == (112, 56)


# --------------------------------------------------------------------------- decoding less


def spy(monkeypatch, cls, name: str) -> list[tuple]:
    """Calls of ``cls.name``, each as (the image's size before, the arguments)."""
    calls: list[tuple] = []
    real = getattr(cls, name)

    def spying(self, *args, **kwargs):
        calls.append((self.size, args))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, spying)
    return calls


def test_a_4k_jpeg_is_decoded_at_an_eighth(tmp_path, monkeypatch):
    source = write_image(tmp_path / "big.jpg", (4096, 4096), "JPEG")
    decoded_at = spy_on_jpeg_draft(monkeypatch)
    pixels = ThumbnailCache(tmp_path / "thumbs").pixels(source, 256)
    assert (pixels.width, pixels.height) == (256, 256)
    # libjpeg's smallest scale: 512 x 512, a 64th of the pixels, and still twice the target.
    assert decoded_at == [(512, 512)]


@pytest.mark.parametrize(
    ("size", "factor"),
    [((4096, 2304), 8), ((3000, 3000), 5), ((1100, 1100), 2), ((1000, 1000), None)],
)
def test_a_large_png_is_reduced_to_no_less_than_twice_the_target_first(
    tmp_path, monkeypatch, size, factor
):
    source = write_image(tmp_path / "big.png", size)
    reduces = spy(monkeypatch, Image.Image, "reduce")
    resizes = spy(monkeypatch, Image.Image, "resize")
    pixels = ThumbnailCache(tmp_path / "thumbs").pixels(source, 256)
    target = (256, round(256 * size[1] / size[0]))
    assert (pixels.width, pixels.height) == target
    if factor is None:
        assert reduces == []  # less than twice the target already: only the resample
        assert [before for before, _ in resizes] == [size]
        return
    assert reduces == [(size, (factor,))]
    reduced = (-(-size[0] // factor), -(-size[1] // factor))  # reduce() rounds up
    # The final resample starts from at least twice the target on each side...
    assert reduced[0] >= 2 * target[0] and reduced[1] >= 2 * target[1]
    # ... but below four times it: one factor more would have gone under twice.
    assert size[0] // (factor + 1) < 2 * target[0] or size[1] // (factor + 1) < 2 * target[1]
    assert resizes == [(reduced, (target, Image.Resampling.LANCZOS))]


# --------------------------------------------------------------------------- orientation


def phone_photo(tmp_path: Path) -> Path:
    """Stored as a landscape with a red block at its top left; orientation 6 says "turn it a
    quarter clockwise to show it", which puts that block at the top right."""
    picture = Image.new("RGB", (1600, 900), "white")
    picture.paste((255, 0, 0), (0, 0, 400, 300))
    exif = Image.Exif()
    exif[0x0112] = 6
    source = tmp_path / "phone.jpg"
    picture.save(source, "JPEG", exif=exif.tobytes(), quality=95)
    return source


def test_exif_orientation_6_gives_an_upright_portrait(tmp_path):
    source = phone_photo(tmp_path)
    pixels = ThumbnailCache(tmp_path / "thumbs").pixels(source, 112)
    assert (pixels.width, pixels.height) == (63, 112)
    thumb = Image.frombytes("RGBA", (pixels.width, pixels.height), pixels.rgba)
    top_right, top_left = thumb.getpixel((60, 3)), thumb.getpixel((3, 3))
    assert top_right[0] > 200 and top_right[1] < 60  # red
    assert min(top_left[:3]) > 200  # white


# --------------------------------------------------------------------------- colour


def s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def xyz_tag(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + bytes(4) + s15(x) + s15(y) + s15(z)


def matrix_profile(red, green, blue, gamma: float) -> bytes:
    """A minimal ICC v2 RGB display profile: three primaries and one gamma curve."""
    text = b"Wide test RGB\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(8 + 3 + 67)
    curve = b"curv" + bytes(4) + struct.pack(">IH", 1, round(gamma * 256)) + bytes(2)
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz_tag(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz_tag(*red)),
        (b"gXYZ", xyz_tag(*green)),
        (b"bXYZ", xyz_tag(*blue)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text" + bytes(4) + b"none\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        data += bytes(-(offset + len(data)) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    body = struct.pack(">I", len(tags)) + table + data
    header = (
        struct.pack(">I", 128 + len(body))
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acsp"
        + bytes(28)
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + bytes(48)
    )
    return header + body


# Adobe RGB (1998)'s primaries (adapted to D50) and gamma: a wider gamut than sRGB's.
WIDE = matrix_profile(
    (0.6097, 0.3111, 0.0195), (0.2053, 0.6257, 0.0609), (0.1492, 0.0632, 0.7446), 2.2
)
COLOUR = (200, 100, 50)


def expected_in_srgb(colour: tuple[int, int, int]) -> tuple[int, ...]:
    from PIL import ImageCms

    one = Image.new("RGB", (1, 1), colour)
    profile = ImageCms.ImageCmsProfile(io.BytesIO(WIDE))
    return ImageCms.profileToProfile(one, profile, ImageCms.createProfile("sRGB")).getpixel((0, 0))


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_an_embedded_profile_is_converted_to_srgb(tmp_path, mode):
    source = tmp_path / "wide.png"
    Image.new(mode, (800, 600), (*COLOUR, 128)[: len(mode)]).save(source, icc_profile=WIDE)
    cache = ThumbnailCache(tmp_path / "thumbs")
    pixels = cache.pixels(source, 112)
    red, green, blue, alpha = pixels.rgba[:4]
    want = expected_in_srgb(COLOUR)
    assert want[0] - COLOUR[0] > 20  # the same numbers mean a far redder red in this space
    assert all(abs(a - b) <= 1 for a, b in zip((red, green, blue), want, strict=True))
    assert alpha == (128 if mode == "RGBA" else 255)
    # The file carries sRGB numbers and no profile that would claim otherwise.
    with Image.open(cache.thumbnail(source, 112)) as made:
        assert "icc_profile" not in made.info
        assert made.getpixel((5, 5))[:3] == (red, green, blue)


def test_a_broken_profile_or_no_colour_management_leaves_the_colours(tmp_path, monkeypatch):
    broken = tmp_path / "broken-profile.png"
    Image.new("RGB", (300, 200), COLOUR).save(broken, icc_profile=b"not a profile" * 20)
    cmyk_on_rgb = tmp_path / "mismatched.jpg"
    Image.new("RGB", (300, 200), COLOUR).save(cmyk_on_rgb, quality=100, icc_profile=WIDE[:40])
    cache = ThumbnailCache(tmp_path / "thumbs")
    assert cache.pixels(broken, 112).rgba[:4] == bytes((*COLOUR, 255))
    assert cache.pixels(cmyk_on_rgb, 112).width == 112

    monkeypatch.setattr(thumbnails_module, "_cms", lambda: None)  # Pillow without LittleCMS
    wide = tmp_path / "wide.png"
    Image.new("RGB", (300, 200), COLOUR).save(wide, icc_profile=WIDE)
    assert cache.pixels(wide, 112).rgba[:4] == bytes((*COLOUR, 255))


def test_transparency_and_16_bit_grey_survive(tmp_path):
    palette = Image.new("P", (400, 400), 0)
    palette.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette.paste(1, (0, 0, 400, 200))
    palette_path = tmp_path / "palette.png"
    palette.save(palette_path, transparency=0)  # index 0 (red) means "clear"
    grey_path = tmp_path / "grey16.png"
    Image.new("I;16", (400, 400), 32768).save(grey_path)

    cache = ThumbnailCache(tmp_path / "thumbs")
    shown = cache.pixels(palette_path, 100)
    thumb = Image.frombytes("RGBA", (shown.width, shown.height), shown.rgba)
    assert thumb.getpixel((50, 10)) == (0, 0, 255, 255)
    assert thumb.getpixel((50, 90))[3] == 0
    grey = cache.pixels(grey_path, 100).rgba[:4]
    assert grey[0] == grey[1] == grey[2] and abs(grey[0] - 128) <= 1 and grey[3] == 255


# --------------------------------------------------------------------------- content keys

DIGEST = "ab" * 32


def test_a_digest_keyed_thumbnail_follows_the_content_not_the_path(tmp_path, opened):
    first = write_image(tmp_path / "library" / "2026-11-24" / "a.png", (800, 600), colour="red")
    cache = ThumbnailCache(tmp_path / "thumbs")
    made = cache.pixels(first, 112, sha256=DIGEST)
    assert opened.count(str(first)) == 1

    moved = tmp_path / "elsewhere" / "renamed.png"
    moved.parent.mkdir()
    first.rename(moved)
    # The next start, after the library moved: a hit, without opening or even finding the
    # source (the path is not part of the key).
    again = ThumbnailCache(tmp_path / "thumbs")
    assert again.pixels(moved, 112, sha256=DIGEST.upper()) == made
    assert again.path_for(tmp_path / "nowhere.png", 112, sha256=DIGEST).is_file()
    assert opened.count(str(moved)) == 0
    # Another digest is other content: made from the file.
    other = again.pixels(moved, 112, sha256="cd" * 32)
    assert other == made and opened.count(str(moved)) == 1
    assert len(list((tmp_path / "thumbs").rglob("*.png"))) == 2


# --------------------------------------------------------------------------- made at download


def test_shrink_each_goes_through_the_full_image_once_and_matches_the_cache(tmp_path, monkeypatch):
    picture = Image.new("RGB", (2048, 1152), "white")
    picture.paste((0, 90, 200), (0, 0, 1024, 1152))  # blue left half
    source = tmp_path / "a.png"
    picture.save(source)
    reduces = spy(monkeypatch, Image.Image, "reduce")
    with Image.open(source) as image:
        image.load()
        made = shrink_each(image, (112, 320))
    assert {size: thumb.size for size, thumb in made.items()} == {112: (112, 63), 320: (320, 180)}
    # The largest first, from the full image; the smaller one from that one's intermediate.
    assert [before for before, _ in reduces] == [(2048, 1152), (683, 384)]
    assert all(thumb.mode == "RGB" and thumb.info == {} for thumb in made.values())
    # The same picture as the cache makes from the file itself.
    cache = ThumbnailCache(tmp_path / "thumbs")
    for size, thumb in made.items():
        pixels = cache.pixels(source, size)
        from_file = Image.frombytes("RGBA", (pixels.width, pixels.height), pixels.rgba)
        assert from_file.size == thumb.size
        for x in (5, thumb.width // 4, thumb.width - 5):
            there, here = from_file.getpixel((x, 10))[:3], thumb.getpixel((x, 10))
            assert max(abs(a - b) for a, b in zip(there, here, strict=True)) <= 2


def test_shrink_each_turns_a_decoded_photo_upright(tmp_path):
    with Image.open(phone_photo(tmp_path)) as image:
        image.load()
        [thumb] = shrink_each(image, [112]).values()
    assert thumb.size == (63, 112)
    assert thumb.getpixel((60, 3))[0] > 200 and min(thumb.getpixel((3, 3))) > 200


def test_thumbnails_put_by_digest_are_found_without_the_source(tmp_path, opened):
    cache = ThumbnailCache(tmp_path / "thumbs")
    made = shrink_each(Image.new("RGB", (1000, 500), "orange"), SAVE_SIZES)
    cache.put(made, sha256=DIGEST)
    nowhere = tmp_path / "not-even-there.png"
    for size in SAVE_SIZES:
        pixels = cache.pixels(nowhere, size, sha256=DIGEST)
        assert (pixels.width, pixels.height) == made[size].size
        assert pixels.rgba[:4] == bytes((255, 165, 0, 255))
    assert opened == [str(cache.path_for(nowhere, size, sha256=DIGEST)) for size in SAVE_SIZES]
    with pytest.raises(ValueError, match="not a sha256 digest"):
        cache.put(made, sha256="../x")


def test_a_saved_image_has_its_thumbnails_in_the_cache_before_anyone_hears_of_it(
    sandbox, tmp_path, monkeypatch
):
    folder = tmp_path / "profile" / "thumbnails"
    renders: list[Path] = []
    render = ThumbnailCache._render
    monkeypatch.setattr(
        ThumbnailCache,
        "_render",
        lambda self, source, size: renders.append(source) or render(self, source, size),
    )
    found: list[dict[int, bool]] = []

    def look(event: object) -> None:
        if isinstance(event, ImageSaved):  # at once, as the window would hear it
            cache = ThumbnailCache(folder)
            path = Path(event.path)
            sha256 = event.image.sha256
            found.append({s: cache.path_for(path, s, sha256=sha256).is_file() for s in SAVE_SIZES})

    async def scenario():
        async with engine_for(sandbox, tmp_path, thumbnail_folder=folder) as engine:
            engine.events.subscribe(look)
            return await engine.wait((await engine.submit(REQUEST)).id)

    done = run(scenario())
    assert done.state is TaskState.SUCCEEDED
    assert found == [dict.fromkeys(SAVE_SIZES, True)]
    assert renders == []  # made from the download's own decode, never from the file


def test_without_a_thumbnail_folder_the_engine_makes_none(sandbox, tmp_path):
    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            return engine.thumbnails, await engine.wait((await engine.submit(REQUEST)).id)

    cache, done = run(scenario())
    assert cache is None and done.state is TaskState.SUCCEEDED
    assert not list(tmp_path.rglob("thumbnails"))


def test_a_digest_key_is_checked_and_a_missing_source_still_explains(tmp_path):
    cache = ThumbnailCache(tmp_path / "thumbs")
    with pytest.raises(ValueError, match="not a sha256 digest"):
        cache.path_for(tmp_path / "a.png", 112, sha256="../../etc/passwd")
    with pytest.raises(ThumbnailError, match=r"gone\.png is no longer there"):
        cache.pixels(tmp_path / "gone.png", 112, sha256=DIGEST)


def test_pixels_are_still_given_when_the_cache_cannot_be_written(tmp_path, caplog):
    source = write_image(tmp_path / "a.png", (400, 200))
    not_a_folder = tmp_path / "thumbs"
    not_a_folder.write_bytes(b"")  # mkdir inside it fails, as on a read-only profile
    cache = ThumbnailCache(not_a_folder)
    with caplog.at_level("WARNING", logger=thumbnails_module.__name__):
        first = cache.pixels(source, 112)
        second = cache.pixels(source, 64)
    assert (first.width, first.height) == (112, 56) and second.width == 64
    assert [r.getMessage() for r in caplog.records] == [
        f"thumbnails are not cached: The thumbnail cache {not_a_folder} cannot be written: "
        + caplog.records[0].getMessage().split("cannot be written: ", 1)[1]
    ]
    with pytest.raises(ThumbnailError, match="cannot be written"):
        cache.thumbnail(source, 112)  # a path it cannot give


# --------------------------------------------------------------------------- damaged files


def _valid_sources() -> dict[str, bytes]:
    picture = Image.new("RGB", (64, 48), "orange")
    picture.paste((0, 0, 255), (10, 10, 40, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # damage to an EXIF block is read (and warned about) separately
    found = {}
    for fmt in ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF"):
        buffer = io.BytesIO()
        extra = {"exif": exif.tobytes()} if fmt in ("PNG", "JPEG", "WEBP") else {}
        picture.save(buffer, fmt, **extra)
        found[fmt] = buffer.getvalue()
    return found


VALID = _valid_sources()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(sorted(VALID)),
    cut=st.floats(0.0, 1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(1, 255)), max_size=6),
)
def test_a_damaged_file_gives_pixels_or_a_thumbnail_error_and_nothing_else(fmt, cut, flips):
    data = bytearray(VALID[fmt])
    for where, xor in flips:
        # Headers are where parsers meet surprises: most flips land in the first 200 bytes.
        span = len(data) - 1 if xor % 3 == 0 else min(len(data) - 1, 200)
        data[int(where * span)] ^= xor
    data = data[: max(1, int(cut * len(data)))] if cut < 1 else data
    with tempfile.TemporaryDirectory() as temp:
        source = Path(temp) / f"damaged.{fmt.lower()}"
        source.write_bytes(bytes(data))
        cache = ThumbnailCache(Path(temp) / "thumbs")
        try:
            pixels = cache.pixels(source, 32)
        except ThumbnailError as exc:
            assert "damaged" in str(exc)  # names the file
        else:
            assert len(pixels.rgba) == pixels.width * pixels.height * 4
            assert 1 <= max(pixels.width, pixels.height) <= 32
