"""The thumbnail cache: made once, read back without decoding the source, written atomically,
and a clear error (never a crash) for what cannot be made."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from nanobanana_desktop.engine import thumbnails as thumbnails_module
from nanobanana_desktop.engine.paths import Locations
from nanobanana_desktop.engine.thumbnails import ThumbnailCache, ThumbnailError


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


def test_jpeg_is_decoded_in_draft_mode(tmp_path, monkeypatch):
    from PIL import JpegImagePlugin

    source = write_image(tmp_path / "photo.jpg", (2400, 1600), "JPEG")
    decoded_at: list[tuple[int, int]] = []
    real = JpegImagePlugin.JpegImageFile.draft

    def spying(self, mode, size):
        result = real(self, mode, size)
        decoded_at.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spying)
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


def test_a_failed_write_leaves_no_thumbnail_and_no_temporary_file(tmp_path, monkeypatch):
    source = write_image(tmp_path / "a.png", (400, 400))
    cache = ThumbnailCache(tmp_path / "thumbs")
    real_save = Image.Image.save

    def half_then_full_disk(self, fp, *args, **kwargs):
        buffer = io.BytesIO()
        real_save(self, buffer, *args, **kwargs)
        fp.write(buffer.getvalue()[:20])  # part of the file is on disk when the disk fills
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", half_then_full_disk)
    with pytest.raises(
        ThumbnailError, match=r"thumbnail cache .* cannot be written: No space left"
    ):
        cache.thumbnail(source, 112)
    assert not cache.path_for(source, 112).exists()
    assert [p for p in (tmp_path / "thumbs").rglob("*") if p.is_file()] == []
    monkeypatch.setattr(Image.Image, "save", real_save)
    assert cache.pixels(source, 112).width == 112  # and it works once there is room


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
