"""Dropping an image on the composer restores the prompt and settings it was made with.

Real files on disk: ours written through the engine's metadata writer, AUTOMATIC1111-style
PNGs (tEXt and iTXt ``parameters``) and a JPEG whose EXIF is laid out as A1111 (piexif)
writes it, one without metadata, and damaged ones. Drops are delivered as Qt delivers
them (drag-enter, then drop) to the prompt's viewport, the composer, or a reference slot.
"""

from __future__ import annotations

import io
import re
import struct

import pytest
from conftest import drive
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from PySide6.QtCore import QMimeData, Qt
from test_ui_reference_slots import drop, files  # drops as Qt delivers them
from ui_harness import close_window, open_window, publish_orange

from nanobanana_desktop.api import GenerationRequest
from nanobanana_desktop.engine import metadata as metadata_module
from nanobanana_desktop.engine.image_settings import (
    PARAMETERS,
    NoSettingsError,
    nearest_aspect_ratio,
    read_image_settings,
    settings_from_parameters,
)
from nanobanana_desktop.engine.metadata import (
    GenerationParameters,
    ImageMetadata,
    embed_metadata,
    parse_parameters,
    stand_in_reference,
)
from nanobanana_desktop.ui.composer import Composer
from nanobanana_desktop.ui.dropin import ONE_AT_A_TIME
from nanobanana_desktop.ui.settings import profile_settings

A1111 = (
    "masterpiece, a cat in a hat\nsecond line of prompt\n"
    "Negative prompt: blurry, lowres\n"
    "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 512x768, "
    'Model hash: abc123, Model: sd_xl_base_1.0, Lora hashes: "a: 1, b: 2", Version: v1.6.0'
)
A1111_PROMPT = "masterpiece, a cat in a hat\nsecond line of prompt"


def image_bytes(fmt: str, size=(48, 32), colour=(200, 160, 40), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt, **save)
    return buffer.getvalue()


def a1111_png(tmp_path, text: str = A1111, name: str = "a1111.png"):
    info = PngInfo()
    info.add_text("parameters", text)  # tEXt when latin-1 will do, iTXt otherwise (as A1111)
    path = tmp_path / name
    path.write_bytes(image_bytes("PNG", size=(64, 96), pnginfo=info))
    return path


def piexif_user_comment(text: str) -> bytes:
    """EXIF as A1111 writes it through piexif: big-endian TIFF, UserComment typed UNDEFINED,
    ``UNICODE\\0`` then UTF-16BE."""
    comment = b"UNICODE\0" + text.encode("utf-16-be")
    ifd0 = struct.pack(">H", 1) + struct.pack(">HHII", 0x8769, 4, 1, 26) + struct.pack(">I", 0)
    exif_ifd = (
        struct.pack(">H", 1)
        + struct.pack(">HHII", 0x9286, 7, len(comment), 44)
        + struct.pack(">I", 0)
    )
    return b"Exif\0\0MM\0\x2a" + struct.pack(">I", 8) + ifd0 + exif_ifd + comment


def own_metadata(**changes) -> ImageMetadata:
    fields = {
        "prompt": "A lemon on a blue table,\nlit from the left",
        "model": "google/nano-banana-pro",
        "aspect_ratio": "16:9",
        "image_size": "2K",
        "task_id": "task_01",
        "width": 48,
        "height": 32,
    }
    fields.update(changes)
    return ImageMetadata(**fields)


def own_file(tmp_path, fmt: str, meta: ImageMetadata, name: str | None = None):
    path = tmp_path / (name or f"own.{fmt.lower().replace('jpeg', 'jpg')}")
    path.write_bytes(embed_metadata(image_bytes(fmt), meta))
    return path


@pytest.fixture
def composer(qtbot, tmp_path):
    widget = Composer(profile_settings(tmp_path / "profile"))
    qtbot.addWidget(widget)
    widget.resize(640, 760)
    widget.show()
    return widget


def with_draft(composer: Composer) -> None:
    composer.prompt.setPlainText("my own draft, half written")
    composer.model.setCurrentText("google/gempix2")
    composer.aspect_ratio.setCurrentText("1:1")
    composer.image_size.setCurrentText("4K")


def choices(composer: Composer):
    return (
        composer.prompt.toPlainText(),
        composer.model.currentText(),
        composer.aspect_ratio.currentText(),
        composer.image_size.currentText(),
        composer.references.references(),
    )


def run(qloop, composer: Composer, scenario, timeout: float = 30.0):
    async def bounded():
        try:
            return await scenario()
        finally:
            await composer.aclose()

    return drive(qloop, bounded(), timeout)


async def settled(composer: Composer) -> None:
    await composer.settle()
    await composer.references.wait_idle()


# ---------------------------------------------------------------- our own files


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_own_file_on_the_prompt_restores_everything_and_undo_puts_it_back(
    qloop, composer, sandbox, tmp_path, fmt
):
    reference = sandbox.publish(image_bytes("PNG", colour=(250, 140, 0)))
    pasted = stand_in_reference("data:image/png;base64," + "iVBORw0KGgo=")
    path = own_file(tmp_path, fmt, own_metadata(references=(reference, pasted)))
    with_draft(composer)
    before = choices(composer)

    async def scenario():
        assert drop(composer.prompt.viewport(), files(path))
        assert composer.restore_bar.kind == "busy"
        await settled(composer)
        restored = choices(composer)
        bar = (composer.restore_bar.kind, composer.restore_bar.message.text())
        details = composer.restore_bar.details.text()
        composer.restore_bar.undo_button.click()
        await settled(composer)
        return restored, bar, details, choices(composer), composer.restore_bar.kind

    restored, bar, details, undone, kind = run(qloop, composer, scenario)
    assert restored == (
        "A lemon on a blue table,\nlit from the left",
        "google/nano-banana-pro",
        "16:9",
        "2K",
        (reference,),
    )
    assert bar == (
        "restored",
        f"Restored from “{path.name}”: prompt, model google/nano-banana-pro, "
        "aspect ratio 16:9, size 2K, 1 reference.",
    )
    # The pasted reference's pixels are not in the file: said, not silently dropped.
    assert "1 reference was pasted or dropped as a file" in details
    assert undone == before
    assert kind == "undone"


def test_the_prompt_editors_own_undo_and_history_bring_the_draft_back(
    qloop, composer, tmp_path, qtbot
):
    path = own_file(tmp_path, "PNG", own_metadata())
    with_draft(composer)

    async def scenario():
        assert drop(composer.prompt.viewport(), files(path))
        await settled(composer)

    run(qloop, composer, scenario)
    assert composer.prompt.toPlainText().startswith("A lemon")
    composer.prompt.undo()  # Ctrl+Z in the editor: the text before the drop, in one step
    assert composer.prompt.toPlainText() == "my own draft, half written"
    composer.prompt.redo()
    # And the draft is among the recent prompts, one Up away from the top line.
    composer.prompt.moveCursor(composer.prompt.textCursor().MoveOperation.Start)
    qtbot.keyClick(composer.prompt, Qt.Key.Key_Up)
    assert composer.prompt.toPlainText() == "my own draft, half written"


def test_a_file_with_default_options_restores_them_as_not_sent(qloop, composer, tmp_path):
    path = own_file(
        tmp_path, "PNG", own_metadata(aspect_ratio=None, image_size=None, model="google/gempix2")
    )
    with_draft(composer)

    async def scenario():
        assert drop(composer, files(path))  # the composer's free space, not only the prompt
        await settled(composer)
        return composer.request()

    request = run(qloop, composer, scenario)
    assert (request.model, request.aspect_ratio, request.image_size) == (
        "google/gempix2",
        None,
        None,
    )
    assert request.prompt.startswith("A lemon")


def test_options_this_app_does_not_offer_are_kept_and_said(qloop, composer, tmp_path):
    path = own_file(tmp_path, "PNG", own_metadata(aspect_ratio="7:3", image_size="8K"))
    with_draft(composer)

    async def scenario():
        assert drop(composer.prompt.viewport(), files(path))
        await settled(composer)
        return choices(composer), composer.restore_bar.details.text()

    (_prompt, model, ratio, size, _refs), details = run(qloop, composer, scenario)
    assert (model, ratio, size) == ("google/nano-banana-pro", "1:1", "4K")
    assert "Aspect ratio “7:3” is not one this app offers; yours is kept." in details
    assert "Image size “8K” is not one this app offers; yours is kept." in details


def test_an_image_the_app_made_restores_its_request_in_the_window(qloop, qtbot):
    """The whole loop: the engine saves an image with its metadata, and a drop of that
    file on the window's prompt gives the request back."""

    async def scenario():
        session, window = await open_window(qtbot)
        try:
            orange = publish_orange(session)
            request = GenerationRequest(
                model="google/nano-banana-2",
                prompt="a plum on linen, soft window light",
                images=(orange,),
                aspect_ratio="4:5",
                image_size="1K",
            )
            task = await session.engine.submit(request)
            await session.engine.wait(task.id)
            [image] = (await session.store.images_for_tasks([task.id]))[task.id]
            saved = session.locations.library / image.path
            composer = window.composer
            composer.prompt.setPlainText("something else entirely")
            composer.references.set_references([])
            assert drop(composer.prompt.viewport(), files(saved))
            await settled(composer)
            return request, composer.request(), composer.restore_bar.kind
        finally:
            await close_window(session, window)

    sent, restored, kind = drive(qloop, scenario())
    assert restored == sent
    assert kind == "restored"


# ---------------------------------------------------------------- AUTOMATIC1111 files


@pytest.mark.parametrize(
    "prompt",
    [A1111_PROMPT, "ein Kätzchen mit Hut — 猫\nzweite Zeile"],
    ids=["tEXt", "iTXt"],
)
def test_a1111_png_restores_the_prompt_and_the_ratio_and_keeps_the_model(
    qloop, composer, tmp_path, prompt
):
    path = a1111_png(tmp_path, A1111.replace(A1111_PROMPT, prompt))
    chunk = b"iTXt" if prompt != A1111_PROMPT else b"tEXt"
    assert chunk + b"parameters" in path.read_bytes()
    with_draft(composer)

    async def scenario():
        assert drop(composer.prompt.viewport(), files(path))
        await settled(composer)
        return choices(composer), composer.restore_bar.message.text(), composer.restore_bar

    (text, model, ratio, size, refs), message, bar = run(qloop, composer, scenario)
    assert text == prompt
    assert (model, ratio, size, refs) == ("google/gempix2", "2:3", "4K", ())  # 512x768 → 2:3
    assert message == (f"Restored from “{path.name}” ({PARAMETERS}): prompt, aspect ratio 2:3.")
    assert bar.details.text().split("\n") == [
        "Model “sd_xl_base_1.0” is not a Nano Banana model; yours is kept.",
        "The negative prompt is left out: this API takes none.",
        "Not used here: Steps, Sampler, CFG scale, Seed and 1 more.",
    ]


def test_a1111_jpeg_user_comment_restores_the_prompt(qloop, composer, tmp_path):
    path = tmp_path / "a1111.jpg"
    path.write_bytes(image_bytes("JPEG", size=(96, 54), exif=piexif_user_comment(A1111)))
    with Image.open(path) as opened:  # the file is what it claims: EXIF Pillow can read
        assert opened.getexif().get_ifd(0x8769)[0x9286].startswith(b"UNICODE\0")
    with_draft(composer)

    async def scenario():
        assert drop(composer, files(path))
        await settled(composer)
        return choices(composer)

    text, model, ratio, _size, _refs = run(qloop, composer, scenario)
    assert (text, model, ratio) == (A1111_PROMPT, "google/gempix2", "2:3")


def test_a1111_naming_one_of_our_models_restores_it(tmp_path):
    text = "a prompt\nSteps: 4, Model: google/nano-banana, Aspect ratio: 4:5, Image size: 1K"
    found = read_image_settings(a1111_png(tmp_path, text))
    assert (found.prompt, found.model, found.aspect_ratio, found.image_size) == (
        "a prompt",
        "google/nano-banana",
        "4:5",
        "1K",
    )
    assert found.restored == {"model", "aspect_ratio", "image_size"}
    assert found.notes == ("Not used here: Steps.",)


def test_without_a_size_the_images_own_shape_gives_the_ratio(tmp_path):
    path = a1111_png(tmp_path, "a prompt\nSteps: 4, Sampler: Euler, Seed: 9")  # 64x96 pixels
    assert read_image_settings(path).aspect_ratio == "2:3"


# ---------------------------------------------------------------- what cannot be restored


NOT_AN_IMAGE = (
    "is not a PNG, JPEG or WebP image (or it is damaged), so it carries no settings to restore."
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "holiday photo.jpg",
            image_bytes("JPEG"),
            "carries no prompt or settings. To use it as a reference image, drop it on a "
            "reference slot.",
        ),
        ("broken.png", b"this is not an image at all", NOT_AN_IMAGE),
        ("broken.png", image_bytes("PNG")[:30], NOT_AN_IMAGE),
        ("broken.png", b"\x89PNG\r\n\x1a\n", NOT_AN_IMAGE),
    ],
    ids=["no-metadata", "text", "truncated-header", "signature-only"],
)
def test_what_cannot_be_restored_says_why_and_changes_nothing(
    qloop, composer, tmp_path, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    with_draft(composer)
    before = choices(composer)

    async def scenario():
        assert drop(composer.prompt.viewport(), files(path))
        await settled(composer)
        return composer.restore_bar.kind, composer.restore_bar.message.text()

    assert run(qloop, composer, scenario) == ("problem", f"“{name}” {message}")
    assert choices(composer) == before
    assert not composer.restore_bar.undo_button.isVisibleTo(composer.restore_bar)


def test_a_truncated_file_still_gives_the_settings_written_before_its_pixels(tmp_path):
    whole = embed_metadata(image_bytes("PNG", size=(200, 200)), own_metadata())
    path = tmp_path / "cut.png"
    path.write_bytes(whole[: whole.index(b"IDAT") + 20])
    assert read_image_settings(path).prompt.startswith("A lemon")


def test_caps_on_bytes_and_pixels(tmp_path):
    path = own_file(tmp_path, "PNG", own_metadata())
    with pytest.raises(NoSettingsError, match=r"larger than 0 MB"):
        read_image_settings(path, max_bytes=100)
    with pytest.raises(NoSettingsError, match=r"48×32 pixels; images over 0 megapixels"):
        read_image_settings(path, max_pixels=1000)
    with pytest.raises(NoSettingsError, match="could not be read"):
        read_image_settings(tmp_path / "gone.png")
    with pytest.raises(NoSettingsError, match="is a folder"):
        read_image_settings(tmp_path)


def test_two_files_at_once_are_not_guessed_between(qloop, composer, tmp_path):
    first = own_file(tmp_path, "PNG", own_metadata(), "one.png")
    second = own_file(tmp_path, "PNG", own_metadata(prompt="other"), "two.png")
    with_draft(composer)
    before = choices(composer)

    async def scenario():
        assert drop(composer.prompt.viewport(), files(first, second))
        await settled(composer)
        return composer.restore_bar.message.text()

    assert run(qloop, composer, scenario) == ONE_AT_A_TIME
    assert choices(composer) == before


def test_on_a_reference_slot_the_file_stays_a_reference(qloop, composer, tmp_path):
    path = own_file(tmp_path, "PNG", own_metadata())
    with_draft(composer)
    prompt_before = composer.prompt.toPlainText()

    async def scenario():
        assert drop(composer.references.slots[1], files(path))
        await settled(composer)
        return composer.references.references(), composer.restore_bar.kind

    references, kind = run(qloop, composer, scenario)
    assert len(references) == 1 and references[0].startswith("data:image/png;base64,")
    assert composer.prompt.toPlainText() == prompt_before
    assert kind == ""


def test_text_dropped_on_the_prompt_is_still_inserted(qloop, composer):
    composer.prompt.setPlainText("")
    mime = QMimeData()
    mime.setText("golden hour")

    async def scenario():
        assert drop(composer.prompt.viewport(), mime)
        await settled(composer)

    run(qloop, composer, scenario)
    assert composer.prompt.toPlainText() == "golden hour"
    assert composer.restore_bar.kind == ""


def test_a_newer_drop_wins_over_a_read_still_running(qloop, composer, tmp_path):
    first = own_file(tmp_path, "PNG", own_metadata(prompt="first"), "first.png")
    second = own_file(tmp_path, "PNG", own_metadata(prompt="second"), "second.png")

    async def scenario():
        assert drop(composer.prompt.viewport(), files(first))
        assert drop(composer.prompt.viewport(), files(second))
        await settled(composer)
        return composer.prompt.toPlainText(), composer.restore_bar.message.text()

    text, message = run(qloop, composer, scenario)
    assert text == "second" and "“second.png”" in message


# ---------------------------------------------------------------- the parameters parser


def test_parser_splits_prompt_negative_prompt_and_settings():
    found = parse_parameters(A1111)
    assert found is not None
    assert found.prompt == A1111_PROMPT
    assert found.negative_prompt == "blurry, lowres"
    assert found.get("Lora hashes") == "a: 1, b: 2"
    assert found.get("Size") == "512x768"
    assert parse_parameters(" \n\n") is None
    # Fewer than three pairs on the last line: it is prompt, as A1111 reads it.
    assert parse_parameters("a cat\nNote: hi, Mood: calm") == GenerationParameters(
        prompt="a cat\nNote: hi, Mood: calm"
    )


@pytest.mark.parametrize(
    ("size", "ratio"),
    [((512, 768), "2:3"), ((1024, 1024), "1:1"), ((1920, 1080), "16:9"), ((2560, 1080), "21:9")],
)
def test_nearest_aspect_ratio(size, ratio):
    assert nearest_aspect_ratio(*size) == ratio


_LINE = st.text(alphabet=st.sampled_from('ab _-/:,"\\ 1\tZé'), max_size=60)


@settings(max_examples=500, deadline=None)
@given(line=_LINE)
def test_the_linear_tokenizer_reads_lines_as_a1111s_regex_does(line):
    assert metadata_module._parameter_pairs(line) == metadata_module._PARAMETER.findall(line)


@settings(max_examples=400, deadline=None)
@given(
    text=st.one_of(
        st.text(),
        st.lists(
            st.one_of(
                st.text(),
                st.just("Negative prompt:"),
                st.builds(
                    lambda k, v: f"{k}: {v}",
                    st.sampled_from(["Size", "Model", "Aspect ratio", "Image size", "Steps"]),
                    st.text(),
                ),
            ),
        ).map(lambda parts: ", ".join(parts) if len(parts) % 2 else "\n".join(parts)),
    ),
    pixels=st.one_of(st.none(), st.tuples(st.integers(1, 10**6), st.integers(1, 10**6))),
)
def test_the_parser_never_raises_on_any_text(text, pixels):
    found = parse_parameters(text)
    if found is None:
        assert not text.replace("\r\n", "\n").strip("\n").strip()
        return
    assert isinstance(found.prompt, str) and isinstance(found.negative_prompt, str)
    mapped = settings_from_parameters(found, pixels)
    assert mapped.prompt == found.prompt
    if "aspect_ratio" in mapped.restored:
        assert re.fullmatch(r"\d+:\d+|auto", mapped.aspect_ratio or "")


# ---------------------------------------------------------------- how it looks


def test_screenshot_after_a_restore(qloop, composer, tmp_path):
    """Saved for review next to the test run; asserts the bar is on screen and readable."""
    path = a1111_png(tmp_path)
    with_draft(composer)

    async def scenario():
        assert drop(composer.prompt.viewport(), files(path))
        await settled(composer)

    run(qloop, composer, scenario)
    bar = composer.restore_bar
    assert bar.isVisible() and bar.geometry().bottom() < composer.references.geometry().top()
    assert bar.message.height() >= bar.message.fontMetrics().lineSpacing()
    shot = composer.grab()
    assert not shot.isNull()
    shot.save(str(tmp_path / "composer-restored.png"))


def test_the_restore_notes_and_problems_read_in_dutch(qloop, qapp, composer, tmp_path):
    # engine/image_settings.py writes its notes in English; the bar shows them translated.
    from nanobanana_desktop.ui.translations import install_language

    path = a1111_png(tmp_path)
    folder = tmp_path / "a folder.png"
    folder.mkdir()
    assert install_language(qapp, "nl") is None
    try:

        async def scenario():
            assert drop(composer.prompt.viewport(), files(path))
            await settled(composer)
            notes = composer.restore_bar.details.text()
            assert drop(composer.prompt.viewport(), files(folder))
            await settled(composer)
            return notes, composer.restore_bar.message.text()

        notes, problem = run(qloop, composer, scenario)
    finally:
        install_language(qapp, "en")
    assert notes.split("\n") == [
        "Model “sd_xl_base_1.0” is geen Nano Banana-model; dat van jou blijft staan.",
        "De negatieve prompt is weggelaten: deze API neemt er geen.",
        "Hier niet gebruikt: Steps, Sampler, CFG scale, Seed en nog 1.",
    ]
    assert problem == "“a folder.png” is een map; sleep één afbeeldingsbestand."
