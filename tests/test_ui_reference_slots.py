"""The composer's reference slots: drops, paste, typed links, previews, caps and reordering.

Drops are simulated as Qt delivers them (a QDragEnterEvent, then a QDropEvent, each with
a QPointF position) and every test waits for the panel itself (``wait_idle``), never for
a clock.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import re
import zipfile

import pytest
from conftest import drive
from PIL import Image
from PySide6.QtCore import QByteArray, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage, QPalette
from PySide6.QtWidgets import QApplication

from nanobanana_desktop.ui.reference_slots import (
    GALLERY_MIME,
    Reference,
    ReferencePanel,
    ReferenceSlot,
)

FIVE_MB = 5 * 1024 * 1024


def png(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def payload(uri: str) -> bytes:
    return base64.b64decode(uri.split(",", 1)[1])


def drop(widget, mime: QMimeData, action=Qt.DropAction.CopyAction) -> bool:
    """Deliver a drag-enter and a drop, as Qt does; True when the drop was accepted."""
    position = QPointF(widget.width() / 2, widget.height() / 2)
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    # Qt 6 takes a QPoint for drag-enter and a QPointF for the drop.
    enter = QDragEnterEvent(position.toPoint(), action, mime, buttons, modifiers)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(position, action, mime, buttons, modifiers)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def urls(*values: str) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl(value) for value in values])
    return mime


def files(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    return mime


def text(value: str) -> QMimeData:
    mime = QMimeData()
    mime.setText(value)
    return mime


def gallery(path, source_url) -> QMimeData:
    mime = QMimeData()
    body = json.dumps({"path": str(path), "source_url": source_url}).encode()
    mime.setData(GALLERY_MIME, QByteArray(body))
    return mime


@pytest.fixture
def panel(qtbot):
    widget = ReferencePanel()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def changes(panel: ReferencePanel) -> list[tuple[str, ...]]:
    seen: list[tuple[str, ...]] = []
    panel.changed.connect(lambda: seen.append(panel.references()))
    return seen


def run(qloop, panel: ReferencePanel, scenario, timeout: float = 20.0) -> None:
    async def bounded():
        try:
            await scenario()
        finally:
            await panel.aclose()

    drive(qloop, bounded(), timeout)


def red(slot: ReferenceSlot) -> bool:
    colour = slot.caption.palette().color(QPalette.ColorRole.WindowText)
    return colour.red() > 150 and colour.green() < 120


# ---------------------------------------------------------------- links


def test_url_drop_previews_without_authorization(qloop, panel, sandbox):
    first = sandbox.publish(png(300, 200))
    second = sandbox.publish(png(20, 30, (10, 200, 10)))
    seen = changes(panel)

    async def scenario():
        assert drop(panel.slots[0], urls(first))
        assert panel.slots[0].loading and panel.busy()
        assert panel.references() == ()  # nothing counts before it is read
        # A browser that drags a link as plain text only.
        assert drop(panel.slots[1], text(f"  {second}\n"))
        await panel.wait_idle()
        assert not panel.busy()
        assert panel.references() == (first, second)
        reference = panel.slots[0].reference
        assert reference is not None and reference.note is None
        assert re.fullmatch(r"127\.0\.0\.1/\S+\.png · \d+ (B|KB)", reference.label)
        thumbnail = panel.slots[0].thumbnail
        assert thumbnail is not None and (thumbnail.width(), thumbnail.height()) == (240, 160)
        assert panel.first_free() == 2

    run(qloop, panel, scenario)
    assert len(seen) == 2 and seen[-1] == (first, second)  # one each, in either order
    fetched = sandbox.records.requests_to("cdn")
    assert len(fetched) == 2
    for record in fetched:
        assert "authorization" not in {name.lower() for name in record.headers}
        assert "cookie" not in {name.lower() for name in record.headers}


def test_five_urls_fill_four_and_the_rest_is_refused(qloop, panel, sandbox):
    links = [sandbox.publish(png(colour=(40 * i, 0, 0))) for i in range(6)]

    async def scenario():
        assert drop(panel.slots[0], urls(*links[:5]))
        await panel.wait_idle()
        assert panel.references() == tuple(links[:4])
        assert "at most 4 references" in panel.message()
        assert panel.first_free() is None
        # A sixth image on the full panel fills nothing, on a slot or between the slots.
        for target in (panel.slots[2], panel):
            panel.set_message("")
            assert drop(target, urls(links[5]))
            await panel.wait_idle()
            assert panel.references() == tuple(links[:4])
            assert "at most 4 references" in panel.message()

    run(qloop, panel, scenario)


def test_drop_on_a_filled_slot_fills_the_next_free_ones(qloop, panel, sandbox):
    a, b, c = (sandbox.publish(png(colour=(0, 60 * i, 0))) for i in range(3))

    async def scenario():
        panel.set_references([a])
        # Dropped on slot 4 while 2 and 3 are free: slot 1 keeps its image, 4 then 2 fill.
        assert drop(panel.slots[3], urls(b, c))
        await panel.wait_idle()
        assert [s.reference.value if s.reference else None for s in panel.slots] == [a, c, None, b]

    run(qloop, panel, scenario)


def test_a_link_that_cannot_be_previewed_is_still_a_reference(qloop, panel, sandbox):
    missing = sandbox.cdn_url + "/fileSystem/response_images/gone.png"
    seen = changes(panel)

    async def scenario():
        assert drop(panel.slots[0], urls(missing))
        await panel.wait_idle()
        slot = panel.slots[0]
        assert panel.references() == (missing,)
        assert slot.reference is not None and slot.reference.note == "could not preview"
        assert slot.thumbnail is None and slot.error is None
        assert slot.note_label.text() == "could not preview"
        assert "HTTP 404" in slot.toolTip()

    run(qloop, panel, scenario)
    assert seen == [(missing,)]


@pytest.mark.parametrize(
    ("dropped", "says"),
    [
        ("javascript:alert(1)", "javascript: links are not images"),
        ("ftp://x/y.png", "ftp: links cannot be used"),
        ("file:///etc/passwd", "drop the file itself"),
        ("a lemon on a plate", "is not a web address"),
        ("https://me:secret@example.com/a.png", "user name or password"),
    ],
)
def test_refused_text_leaves_the_slot_as_it_was(qloop, panel, dropped, says):
    kept = data_uri(png())

    async def scenario():
        panel.set_references([kept])
        await panel.wait_idle()
        seen = changes(panel)
        slot = panel.slots[0]
        before = slot.reference
        assert drop(slot, text(dropped))
        await panel.wait_idle()
        assert slot.reference == before and panel.references() == (kept,)
        assert slot.thumbnail is not None
        assert slot.error is not None and says in slot.error
        assert says.split()[0] in slot.caption.text()
        assert slot.caption.textFormat() == Qt.TextFormat.PlainText and red(slot)
        assert seen == []

    run(qloop, panel, scenario)


# ---------------------------------------------------------------- files and image data


def test_local_png_becomes_a_data_uri(qloop, panel, tmp_path):
    source = tmp_path / "mood board.png"
    source.write_bytes(png(90, 60))

    async def scenario():
        assert drop(panel.slots[1], files(source))
        await panel.wait_idle()
        reference = panel.slots[1].reference
        assert reference is not None
        assert reference.value.startswith("data:image/png;base64,")
        assert payload(reference.value) == source.read_bytes()  # small enough: sent as is
        assert reference.label.startswith("mood board.png · ") and reference.note is None
        assert panel.slots[1].thumbnail is not None
        # The name has line 1 to itself; the size is line 2, smaller.
        assert panel.slots[1].caption.text() == "mood board.png"
        assert re.fullmatch(r"\d+ (B|KB)", panel.slots[1].note_label.text())
        assert panel.references() == (reference.value,)

    run(qloop, panel, scenario)


async def drop_counting_loop_turns(panel, source) -> int:
    """Drop a file on the first slot and count the event loop's 10 ms turns until it is read."""
    ticks = 0
    done = asyncio.Event()

    async def ticker():
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    counting = asyncio.ensure_future(ticker())
    assert drop(panel.slots[0], files(source))
    await panel.wait_idle()
    done.set()
    await counting
    return ticks


def test_big_noisy_png_is_downscaled_off_the_ui_thread(qloop, panel, tmp_path):
    source = tmp_path / "noise.png"
    noise = Image.frombytes("RGB", (3000, 3000), os.urandom(3000 * 3000 * 3))
    noise.save(source, "PNG", compress_level=0)
    assert source.stat().st_size > FIVE_MB

    async def scenario():
        ticks = await drop_counting_loop_turns(panel, source)
        reference = panel.slots[0].reference
        assert reference is not None, panel.slots[0].error
        assert reference.note is not None and reference.note.startswith("downscaled from 3000x3000")
        assert reference.value.startswith("data:image/jpeg;base64,")
        assert len(payload(reference.value)) <= FIVE_MB
        assert "downscaled" in panel.slots[0].note_label.text()
        # Reading and shrinking took a while; the loop kept turning all along.
        assert ticks >= 5

    run(qloop, panel, scenario, timeout=30)


def test_image_data_drop_becomes_a_data_uri(qloop, panel):
    image = QImage(80, 60, QImage.Format.Format_RGB32)
    image.fill(QColor(20, 120, 220))
    mime = QMimeData()
    mime.setImageData(image)

    async def scenario():
        assert drop(panel.slots[2], mime)
        await panel.wait_idle()
        reference = panel.slots[2].reference
        assert reference is not None and reference.value.startswith("data:image/png;base64,")
        assert reference.label.startswith("pasted image · ")
        with Image.open(io.BytesIO(payload(reference.value))) as decoded:
            assert decoded.size == (80, 60)
            assert decoded.convert("RGB").getpixel((5, 5)) == (20, 120, 220)

    run(qloop, panel, scenario)


def test_ctrl_v_pastes_an_image_into_the_focused_slot(qloop, panel, qtbot):
    image = QImage(30, 40, QImage.Format.Format_ARGB32)
    image.fill(QColor(250, 200, 0))
    clipboard = QApplication.clipboard()
    # setImage, not setMimeData: the clipboard would own a Python-made QMimeData and both
    # would free it at exit (a segfault after the run).
    clipboard.setImage(image)

    async def scenario():
        panel.set_references([data_uri(png())])
        await panel.wait_idle()
        qtbot.keyClick(panel.slots[0], Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        await panel.wait_idle()
        reference = panel.slots[0].reference
        assert reference is not None and reference.label.startswith("pasted image")
        with Image.open(io.BytesIO(payload(reference.value))) as decoded:
            assert decoded.size == (30, 40)

    try:
        run(qloop, panel, scenario)
    finally:
        clipboard.clear()


def test_gallery_drag_uses_the_source_link_else_the_file(qloop, panel, sandbox, tmp_path):
    stored = tmp_path / "library" / "image-7.png"
    stored.parent.mkdir()
    stored.write_bytes(png(50, 50, (1, 2, 3)))
    link = sandbox.publish(stored.read_bytes())

    async def scenario():
        assert drop(panel.slots[0], gallery(stored, link))
        assert drop(panel.slots[1], gallery(stored, None))
        await panel.wait_idle()
        assert panel.references()[0] == link
        assert payload(panel.references()[1]) == stored.read_bytes()
        assert panel.slots[1].reference.label.startswith("image-7.png")

    run(qloop, panel, scenario)


def test_files_that_are_not_images_or_too_large_are_refused(qloop, panel, tmp_path):
    fake = tmp_path / "fake.png"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("inside.txt", "not pixels")
    huge = tmp_path / "huge.png"
    with huge.open("wb") as sparse:  # 201 MB on paper, nothing on the disk
        sparse.truncate(201 * 1024 * 1024)
    seen = changes(panel)

    async def scenario():
        assert drop(panel.slots[0], files(fake))
        assert drop(panel.slots[1], files(huge))
        assert drop(panel.slots[2], files(tmp_path / "missing.png"))
        await panel.wait_idle()
        assert panel.references() == ()
        assert "not an image" in panel.slots[0].error
        assert "larger than 200 MB" in panel.slots[1].error
        assert "cannot be read" in panel.slots[2].error
        assert all(red(slot) for slot in panel.slots[:3])
        assert panel.first_free() == 0  # a refused slot is still free

    run(qloop, panel, scenario)
    assert seen == []


# ---------------------------------------------------------------- clearing, ordering, restoring


def test_clear_with_delete_key_and_close_button(qloop, panel, qtbot):
    values = [data_uri(png(colour=(i * 50, 0, 0))) for i in range(3)]

    async def scenario():
        panel.set_references(values)
        await panel.wait_idle()
        seen = changes(panel)
        panel.slots[0].setFocus()
        qtbot.keyClick(panel.slots[0], Qt.Key.Key_Delete)
        assert panel.references() == (values[1], values[2])
        qtbot.keyClick(panel.slots[2], Qt.Key.Key_Backspace)
        assert panel.references() == (values[1],)
        assert panel.slots[1].close_button.isVisible()
        qtbot.mouseClick(panel.slots[1].close_button, Qt.MouseButton.LeftButton)
        assert panel.references() == ()
        assert seen == [(values[1], values[2]), (values[1],), ()]
        assert not panel.slots[1].close_button.isVisible()

    run(qloop, panel, scenario)


def test_clearing_a_loading_slot_cancels_its_fetch(qloop, panel):
    async def scenario():
        accepted = asyncio.Event()
        writers = []

        async def never_answer(reader, writer):
            writers.append(writer)
            accepted.set()

        server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        slow = f"http://127.0.0.1:{port}/slow.png"
        try:
            seen = changes(panel)
            assert drop(panel.slots[0], urls(slow))
            await accepted.wait()
            assert panel.busy()
            panel.slots[0].close_button.click()
            assert not panel.busy() and panel.references() == ()
            await panel.wait_idle()  # the cancelled fetch has ended, not just been asked to
            assert seen == []
            # Closing the panel stops a load in flight too.
            assert drop(panel.slots[1], urls(slow + "?again"))
            assert panel.busy()
            await panel.aclose()
            assert not panel.busy() and panel.references() == ()
        finally:
            for writer in writers:
                writer.close()
            server.close()
            await server.wait_closed()

    run(qloop, panel, scenario)


def test_dragging_slot_1_onto_slot_3_reorders(qloop, panel):
    a, b, c, d = (data_uri(png(colour=(0, 0, 60 * i))) for i in range(4))

    async def scenario():
        panel.set_references([a, b, c])
        await panel.wait_idle()
        seen = changes(panel)
        assert drop(panel.slots[2], panel.slots[0].make_drag_mime(), Qt.DropAction.MoveAction)
        assert panel.references() == (b, c, a)
        assert panel.slots[2].thumbnail is not None
        # Onto the empty slot 4: a plain move.
        assert drop(panel.slots[3], panel.slots[0].make_drag_mime(), Qt.DropAction.MoveAction)
        assert [s.reference.value if s.reference else None for s in panel.slots] == [
            None,
            c,
            a,
            b,
        ]
        assert seen == [(b, c, a), (c, a, b)]
        # A slot dragged from another panel is not ours to move.
        other = ReferencePanel()
        try:
            other.set_references([d])
            assert not drop(panel.slots[0], other.slots[0].make_drag_mime())
        finally:
            await other.aclose()
            other.deleteLater()

    run(qloop, panel, scenario)


def test_set_references_round_trip(qloop, panel, sandbox):
    link = sandbox.publish(png(10, 10))
    inline = data_uri(png(12, 12))
    seen = changes(panel)

    async def scenario():
        panel.set_references([link, inline])
        assert panel.references() == (link, inline)  # at once: they were accepted before
        await panel.wait_idle()
        assert panel.references() == (link, inline)
        assert all(slot.thumbnail is not None for slot in panel.slots[:2])
        assert panel.slots[1].reference == Reference(inline, panel.slots[1].reference.label, None)
        restored = ReferencePanel()
        try:
            restored.set_references(panel.references())
            await restored.wait_idle()
            assert restored.references() == panel.references()
        finally:
            await restored.aclose()
            restored.deleteLater()
        panel.set_references([inline] * 5 + ["javascript:alert(1)"])
        assert panel.references() == (inline,) * 4
        assert "at most 4 references" in panel.message()
        assert "left out" in panel.message()

    run(qloop, panel, scenario)
    assert seen == [(link, inline), (inline,) * 4]


def test_typed_url_and_enter(qloop, panel, qtbot, sandbox):
    link = sandbox.publish(png(16, 16))

    async def scenario():
        slot = panel.slots[3]
        qtbot.mouseDClick(slot, Qt.MouseButton.LeftButton)
        assert slot.url_edit.isVisible()
        qtbot.keyClicks(slot.url_edit, "ftp://x/y.png")
        qtbot.keyClick(slot.url_edit, Qt.Key.Key_Return)
        assert "ftp: links cannot be used" in slot.error
        assert slot.url_edit.isVisible()  # left open, to correct the link
        slot.url_edit.clear()
        qtbot.keyClicks(slot.url_edit, link)
        qtbot.keyClick(slot.url_edit, Qt.Key.Key_Return)
        assert not slot.url_edit.isVisible() and slot.error is None
        await panel.wait_idle()
        assert panel.references() == (link,)
        assert slot.thumbnail is not None

    run(qloop, panel, scenario)


def test_untrusted_names_stay_plain_text(qloop, panel, tmp_path):
    source = tmp_path / "<b>bold<b>\u202egnp.exe.png"
    source.write_bytes(png())

    async def scenario():
        assert drop(panel.slots[0], files(source))
        await panel.wait_idle()
        slot = panel.slots[0]
        assert slot.reference is not None
        assert "\u202e" not in slot.reference.label  # no bidi override to disguise a name
        assert slot.caption.textFormat() == Qt.TextFormat.PlainText
        assert "&lt;b&gt;" in slot.toolTip() and "<b>bold" not in slot.toolTip()

    run(qloop, panel, scenario)
