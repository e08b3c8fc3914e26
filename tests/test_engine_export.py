"""Export: Save As and a selection into a folder, in PNG, JPEG and WebP, with the metadata
read back by metadata.read_metadata; names that never collide; atomic files; cancel; and a
clear error for a folder that cannot be written."""

from __future__ import annotations

import errno
import io
import os
import threading
from pathlib import Path

import pytest
from conftest import tmpfs
from PIL import Image

from nanobanana_desktop.engine import export as export_module
from nanobanana_desktop.engine.downloads import sniff_format
from nanobanana_desktop.engine.export import (
    ExportError,
    ExportFormat,
    ExportItem,
    export_image,
    export_many,
    safe_name,
)
from nanobanana_desktop.engine.metadata import (
    DIGITAL_SOURCE_TYPE,
    ImageMetadata,
    embed_metadata,
    read_metadata,
    read_parameters,
)

META = ImageMetadata(
    prompt="A lemon on a blue plate, morning light",
    model="google/nano-banana-pro",
    references=("https://example.com/ref.png",),
    aspect_ratio="4:3",
    image_size="1K",
    task_id="ta-123",
    local_task_id=7,
    consumed="0.5",
    created_at="2026-11-24T15:30:12Z",
    width=64,
    height=48,
    app_version="0.1.0",
)


def picture(mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (64, 48), (255, 165, 0, 255)[: len(mode)])
    image.paste((0, 0, 255, 128)[: len(mode)], (10, 10, 40, 30))
    return image


def library_file(
    path: Path, fmt: str = "PNG", meta: ImageMetadata | None = META, **save: object
) -> Path:
    """An image as the engine saves it: encoded by the server, our metadata spliced in."""
    buffer = io.BytesIO()
    picture("RGBA" if fmt == "PNG" and save.pop("alpha", False) else "RGB").save(
        buffer, fmt, **save
    )
    data = buffer.getvalue() if meta is None else embed_metadata(buffer.getvalue(), meta)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def pixels_of(path: Path) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(path) as image:
        return image.mode, image.size, image.tobytes()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------- one image


@pytest.mark.parametrize(
    ("suffix", "quality", "sniffed"),
    [
        (".png", None, "PNG"),
        (".jpg", None, "JPEG"),
        (".jpg", 70, "JPEG"),
        (".webp", None, "WEBP"),
        (".webp", 80, "WEBP"),
    ],
)
def test_save_as_keeps_the_metadata_in_every_format(tmp_path, suffix, quality, sniffed):
    source = library_file(tmp_path / "library" / "a.png")
    target = tmp_path / "out" / f"saved{suffix}"
    target.parent.mkdir()
    assert export_image(source, target, quality=quality) == target
    data = target.read_bytes()
    assert sniff_format(data[:12]) == sniffed
    assert read_metadata(data) == META
    assert DIGITAL_SOURCE_TYPE.encode() in data  # the XMP packet: "made by an AI model"
    if sniffed == "PNG":
        # Other tools read the AUTOMATIC1111-style text.
        assert read_parameters(data).prompt == META.prompt
    assert leftovers(target.parent) == []


def test_lossless_exports_keep_every_pixel_and_quality_changes_the_jpeg(tmp_path):
    source = library_file(tmp_path / "a.png")
    png = export_image(source, tmp_path / "same.png")
    webp = export_image(source, tmp_path / "lossless.webp")
    assert pixels_of(png) == pixels_of(source)
    assert pixels_of(webp)[2] == Image.open(source).convert("RGB").tobytes()
    # Same format, no quality asked: the server's own bytes, not a re-encoding.
    jpeg_source = library_file(tmp_path / "b.jpg", "JPEG", quality=80)
    kept = export_image(jpeg_source, tmp_path / "kept.jpg")
    assert pixels_of(kept) == pixels_of(jpeg_source)
    low = export_image(jpeg_source, tmp_path / "low.jpg", quality=10)
    assert low.stat().st_size < kept.stat().st_size and pixels_of(low) != pixels_of(kept)
    assert read_metadata(low.read_bytes()) == META


def test_reencoding_keeps_the_colour_profile_and_lays_transparency_on_white(tmp_path):
    profile = b"\0" * 4 + b"fake profile bytes"  # carried as bytes; never interpreted here
    source = library_file(tmp_path / "a.png", icc_profile=profile, alpha=True)
    for name in ("a.jpg", "a.webp"):
        with Image.open(export_image(source, tmp_path / name)) as made:
            assert made.info.get("icc_profile") == profile
    with Image.open(tmp_path / "a.jpg") as jpeg:
        assert jpeg.mode == "RGB"
        red, green, blue = jpeg.getpixel((20, 15))  # half-transparent blue over white
        assert red > 100 and green > 100 and blue > 230


def test_save_as_replaces_the_chosen_file_whole_and_says_why_it_cannot(tmp_path, monkeypatch):
    source = library_file(tmp_path / "a.png")
    target = tmp_path / "chosen.png"
    target.write_bytes(b"the old file")
    export_image(source, target)
    assert read_metadata(target.read_bytes()) == META

    with pytest.raises(ValueError, match=r"\.png, \.jpg or \.webp"):
        export_image(source, tmp_path / "a.gif")
    with pytest.raises(ValueError, match="quality is 1 to 100"):
        export_image(source, tmp_path / "b.jpg", quality=0)
    with pytest.raises(ExportError, match=r"gone\.png is no longer there"):
        export_image(tmp_path / "gone.png", tmp_path / "c.png")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(ExportError, match=r"broken\.png is not an image that can be read"):
        export_image(broken, tmp_path / "d.png")

    # The disk fills while the file is written: the old file stays, no part is left.
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export_module.os, "fsync", full)
    with pytest.raises(ExportError, match="is full"):
        export_image(source, target, ExportFormat.JPEG)
    assert read_metadata(target.read_bytes()) == META and sniff_format(target.read_bytes()) == "PNG"
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------- many images


def test_twenty_files_with_progress_and_names_that_never_collide(tmp_path):
    sources = []
    for n in range(20):
        # Four prompts, five images each: the names repeat, the files must not.
        meta = ImageMetadata(prompt=f"Prompt {n % 4}: a lemon\nsecond line", model="m")
        sources.append(
            library_file(tmp_path / "library" / f"2026-11-24/1530{n:02d}_x_{n}-1.png", meta=meta)
        )
    out = tmp_path / "export"
    out.mkdir()
    (out / "Prompt 1 a lemon.webp").write_bytes(b"someone else's file")
    calls: list[tuple[int, int]] = []

    report = export_many(
        [ExportItem(s) for s in sources], out, ExportFormat.WEBP, lambda d, t: calls.append((d, t))
    )
    assert calls == [(n, 20) for n in range(1, 21)]
    assert not report.failed and not report.cancelled and len(report.written) == 20
    names = sorted(p.name for p in report.written)
    assert names[:6] == [
        "Prompt 0 a lemon (2).webp",
        "Prompt 0 a lemon (3).webp",
        "Prompt 0 a lemon (4).webp",
        "Prompt 0 a lemon (5).webp",
        "Prompt 0 a lemon.webp",
        "Prompt 1 a lemon (2).webp",  # the existing "Prompt 1 a lemon.webp" is kept
    ]
    assert "Prompt 1 a lemon (6).webp" in names
    assert (out / "Prompt 1 a lemon.webp").read_bytes() == b"someone else's file"
    for written, source in zip(report.written, sources, strict=True):
        assert read_metadata(written.read_bytes()) == read_metadata(source.read_bytes())
    assert len(list(out.iterdir())) == 21 and leftovers(out) == []


def test_given_names_are_made_safe_and_differ_from_each_other_in_any_case(tmp_path):
    source = library_file(tmp_path / "a.png")
    items = [
        ExportItem(source, name="Lemon"),
        ExportItem(source, name="lemon"),  # the same file on Windows and macOS
        ExportItem(source, name="../../etc/passwd"),
        ExportItem(source, name="CON"),
        ExportItem(source, name=" ... "),
        ExportItem(source, name=None, metadata=ImageMetadata(prompt="  ", model="m")),
    ]
    report = export_many(items, tmp_path / "new folder", ExportFormat.PNG)
    assert [p.name for p in report.written] == [
        "Lemon.png",
        "lemon (2).png",
        "etc passwd.png",
        "CON_.png",
        "image.png",
        "a.png",  # no prompt to name it by: the library's own name for it
    ]
    assert all(p.parent == tmp_path / "new folder" for p in report.written)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('a/b\\c:d*e?f"g<h>i|j', "a b c d e f g h i j"),
        ("line one\nline two\ttab", "line one line two tab"),
        (".hidden", "hidden"),
        ("ends with dots...", "ends with dots"),
        ("con.tiff", "con_.tiff"),
        ("LPT9", "LPT9_"),
        ("console", "console"),
        ("Äpfel", "Äpfel"),
        ("", "image"),
    ],
)
def test_safe_names(text, expected):
    assert safe_name(text) == expected


def test_long_names_are_cut_at_a_word_and_fit_any_file_system():
    # 189 characters: cut to 80, then back to the last space.
    assert (
        safe_name("a lemon on a plate " * 10) == "a lemon on a plate " * 3 + "a lemon on a plate a"
    )
    assert safe_name("x" * 100) == "x" * 80  # no space near the end: cut where it must be
    emoji = safe_name("🍋" * 100)  # 4 bytes each in UTF-8; names are limited in bytes
    assert len(emoji.encode()) <= 200 and set(emoji) == {"🍋"}


def test_one_unreadable_image_is_listed_and_the_others_go_on(tmp_path):
    good = [library_file(tmp_path / f"{n}.png") for n in range(3)]
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff" + b"\0" * 50)
    items = [
        ExportItem(good[0]),
        ExportItem(broken),
        ExportItem(tmp_path / "gone.png"),
        ExportItem(good[1]),
    ]
    report = export_many(items, tmp_path / "out", ExportFormat.JPEG, quality=85)
    assert len(report.written) == 2
    [(broken_source, broken_why), (gone_source, gone_why)] = report.failed
    assert broken_source == broken and "broken.jpg is not an image that can be read" in broken_why
    assert gone_source.name == "gone.png" and gone_why == "gone.png is no longer there"


def test_cancel_stops_before_the_next_file(tmp_path):
    sources = [library_file(tmp_path / f"{n}.png") for n in range(10)]
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        if done == 3:
            cancel.set()  # as the dialog's Cancel button would, from the UI thread

    report = export_many(
        [ExportItem(s) for s in sources],
        tmp_path / "out",
        ExportFormat.PNG,
        progress,
        cancel=cancel,
    )
    assert report.cancelled and len(report.written) == 3
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        p.name for p in report.written
    )


def test_a_read_only_folder_is_a_clear_error(tmp_path):
    source = library_file(tmp_path / "a.png")
    # A read-only mount: permission bits would not stop root, and the tests run as root.
    with (
        tmpfs(tmp_path / "locked", "ro") as folder,
        pytest.raises(ExportError, match="locked is read-only") as caught,
    ):
        export_many([ExportItem(source)], folder, ExportFormat.PNG)
    assert caught.value.report is not None and caught.value.report.written == ()


@pytest.mark.parametrize(
    ("code", "message"),
    [(errno.EROFS, "is read-only"), (errno.EACCES, "is read-only"), (errno.ENOSPC, "is full")],
)
def test_a_folder_that_refuses_files_stops_the_batch_with_a_clear_error(
    tmp_path, monkeypatch, code, message
):
    """The same as the test above, for any user: the system's refusal is simulated."""
    sources = [library_file(tmp_path / f"{n}.png") for n in range(4)]
    out = tmp_path / "out"
    real = export_module.tempfile.mkstemp
    made = []

    def refusing_after_two(*args, **kwargs):
        made.append(1)
        if len(made) > 3:  # the probe, then two files
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    monkeypatch.setattr(export_module.tempfile, "mkstemp", refusing_after_two)
    with pytest.raises(ExportError, match=message) as caught:
        export_many([ExportItem(s) for s in sources], out, ExportFormat.PNG)
    assert str(out) in str(caught.value)
    report = caught.value.report
    assert report is not None and len(report.written) == 2
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in report.written)

    made.clear()
    made.extend([1, 1, 1])  # refuse from the start: the probe says so before any work
    with pytest.raises(ExportError, match=message):
        export_many([ExportItem(sources[0])], tmp_path / "other", ExportFormat.PNG)
