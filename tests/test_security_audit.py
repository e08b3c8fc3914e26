"""The security audit, as tests: the key stays in the keyring, no image host ever sees an
Authorization header, callbacks are loopback-only and need their task's own token, and
untrusted text is shown as text.

Each test drives the real window (or engine) over the sandbox on loopback, then looks at
what reached the disk, the two origins and the screen.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import io
import ipaddress
import logging
import re
import secrets
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest
from conftest import drive
from PIL import Image
from PySide6.QtCore import QMimeData, QModelIndex, QUrl
from PySide6.QtGui import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QMessageBox, QWidget
from ui_harness import close_window, generate_from_composer, open_window, show_window

import nanobanana_desktop.sandbox.tasks as sandbox_tasks
from nanobanana_desktop.api import GenerationRequest
from nanobanana_desktop.api.parsing import error_for_status
from nanobanana_desktop.diagnostics import start_logging
from nanobanana_desktop.engine.events import ConnectionChanged
from nanobanana_desktop.engine.records import TaskRecord, TaskState
from nanobanana_desktop.engine.webhooks import CALLBACK_PATH
from nanobanana_desktop.session import Session, SessionOptions
from nanobanana_desktop.ui.error_reporter import ErrorReporter
from nanobanana_desktop.ui.settings import profile_settings
from nanobanana_desktop.ui.task_model import ThumbnailsRole

UI = Path(__file__).resolve().parent.parent / "nanobanana_desktop" / "ui"


def png(colour: str = "orange", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


async def until(condition: Callable[[], bool]) -> None:
    """Until a state with no signal of its own is reached (drive() bounds the wait)."""
    while not condition():  # noqa: ASYNC110 - what is awaited here emits nothing
        await asyncio.sleep(0.01)


# ---------------------------------------------------------------- (a) the key on disk


def encodings(secret: str) -> dict[str, bytes]:
    """Every form in which a careless write could hold ``secret``."""
    raw = secret.encode()
    forms = {
        "utf-8": raw,
        "utf-16-le": secret.encode("utf-16-le"),
        "utf-16-be": secret.encode("utf-16-be"),
        "utf-32-le": secret.encode("utf-32-le"),
        "url": quote(secret, safe="").encode(),
        "url-plus": quote_plus(secret).encode(),
        "hex": binascii.hexlify(raw),
        "HEX": binascii.hexlify(raw).upper(),
        "reversed": raw[::-1],
    }
    # Inside a longer base64 text the secret starts at any offset mod 3: keep only the
    # characters its own bytes decide, for each offset, in both alphabets.
    for offset in range(3):
        total = offset + len(raw)
        for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            text = encode(b"\0" * offset + raw)
            start = (offset * 8 + 5) // 6
            forms[f"{name}+{offset}"] = text[start : 4 * (total // 3)]
    return forms


def readable_texts(path: Path) -> Iterator[bytes]:
    """Text an image holds in compressed chunks (zTXt, iTXt, EXIF), decoded by Pillow."""
    with contextlib.suppress(Exception), Image.open(path) as image:
        for value in image.info.values():
            if isinstance(value, bytes):
                yield value
            elif isinstance(value, str):
                yield value.encode("utf-8", "surrogatepass")
        yield bytes(image.getexif().tobytes())


def holders(roots: list[Path], secret: str) -> list[tuple[Path, str]]:
    """(file, form) for every file under ``roots`` that holds ``secret`` in any form."""
    forms = encodings(secret)
    found = []
    files = sorted({p for root in roots if root.exists() for p in [root, *root.rglob("*")]})
    for path in files:
        if not path.is_file():
            continue
        blobs = [path.read_bytes(), *readable_texts(path)]
        for form, needle in forms.items():
            if any(needle in blob for blob in blobs):
                found.append((path, form))
    return found


def test_the_scanner_finds_the_key_in_every_form(tmp_path):
    secret = "dk-scanner-" + secrets.token_hex(10)
    for form, needle in encodings(secret).items():
        folder = tmp_path / form
        folder.mkdir()
        (folder / "blob.bin").write_bytes(b"prefix \x00" + needle + b" suffix")
        # Forms may coincide (a dk- key reads the same url-encoded): each must be found.
        assert (folder / "blob.bin", form) in holders([folder], secret), form
    # In a PNG's compressed text chunk, where the raw bytes cannot show it.
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("note", f"a key {secret} here", zip=True)
    hidden = tmp_path / "hidden.png"
    Image.new("RGB", (8, 8)).save(hidden, "PNG", pnginfo=info)
    assert secret.encode() not in hidden.read_bytes()
    assert (hidden, "utf-8") in holders([hidden], secret)
    # Nothing found where it is not: random bytes, and another key of the same shape.
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "noise.bin").write_bytes(secrets.token_bytes(65536))
    (clean / "other.txt").write_text("dk-scanner-" + secrets.token_hex(10))
    assert holders([clean], secret) == []
    # Base64 at each offset inside a longer text.
    for offset in range(3):
        blob = tmp_path / f"b64-{offset}.txt"
        blob.write_bytes(base64.b64encode(b"x" * offset + secret.encode() + b"tail"))
        assert holders([blob], secret), offset


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen
def test_after_a_full_session_the_key_is_nowhere_but_the_keyring(
    qloop, qtbot, sandbox, memory_keyring, isolated_profile
):
    key = "dk-audit-" + secrets.token_hex(16)
    profile = isolated_profile / "profile"
    library = isolated_profile / "library"
    root_level = logging.getLogger().level
    logs = start_logging(profile / "logs", level=logging.DEBUG)

    async def scenario():
        session = await Session.open(SessionOptions(base_url=sandbox.api_url))
        window = await show_window(qtbot, session)
        try:
            # The welcome page: the key is checked with the API, then kept in the keyring.
            window.welcome.key_edit.setText(key)
            window.welcome.save_button.click()
            await window._background.settle()
            assert session.engine is not None, window.welcome.status.text()
            # A reference by link (previewed), a prompt, one task, its thumbnail.
            reference = sandbox.publish(png())
            window.composer.references.set_references([reference])
            await window.composer.references.wait_idle()
            done = await generate_from_composer(window, "a lemon on a blue plate")
            assert done.state is TaskState.SUCCEEDED, done.status_reason
            await until(lambda: any(window.tasks.index(0).data(ThumbnailsRole) or []))
            # The gallery makes its own thumbnails.
            window.show_page("gallery")
            await window.gallery.settle()
            # Settings: the key typed and tested again, a setting saved.
            dialog = window.open_settings()
            dialog.key_edit.setText(key)
            dialog.test_button.click()
            await dialog.settle()
            dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("nl"))
            dialog.save_button.click()
            await dialog.settle()
            dialog._settings.sync()
            dialog.close()
            # A third party that logs the header it sent: the scrubber's job.
            logging.getLogger("some.library").warning("sent Authorization: Bearer %s", key)
            logging.getLogger("some.library").info("key=%s", key)
            return profile_settings(profile).fileName()
        finally:
            await close_window(session, window)

    try:
        settings_file = drive(qloop, scenario(), 120)
    finally:
        logs.stop()
        logging.getLogger().setLevel(root_level)
        logging.getLogger("httpx").setLevel(logging.NOTSET)
    assert memory_keyring.stored() == key  # the keyring holds it ...
    assert logs.path is not None and logs.path.stat().st_size > 0
    assert Path(settings_file).is_file()
    thumbnails = profile / "thumbnails"
    assert list(thumbnails.rglob("*.png")), "no thumbnail was cached"
    assert list(library.rglob("*.png")), "no image was saved"
    # ... and nothing else: profile (database, settings, logs, thumbnails) and library.
    assert holders([profile, library, logs.path.parent, Path(settings_file), thumbnails], key) == []


# ---------------------------------------------------------------- (b) image hosts


def test_no_authorization_header_reaches_an_image_host(qloop, qtbot, sandbox, monkeypatch):
    key = "dk-audit-origin-" + secrets.token_hex(8)
    monkeypatch.setenv("NANOBANANA_API_KEY", key)

    async def scenario():
        session = await Session.open(SessionOptions(base_url=sandbox.api_url))
        window = await show_window(qtbot, session)
        try:
            reference = sandbox.publish(png("teal"))
            window.composer.references.set_references([reference])  # previewed by the app
            await window.composer.references.wait_idle()
            done = await generate_from_composer(window, "this teal square, on a plate")
            [image] = await session.store.images_for(done.id)
            return reference, done, image.origin
        finally:
            await close_window(session, window)

    reference, done, result = drive(qloop, scenario(), 60)
    assert done.state is TaskState.SUCCEEDED
    reference_path = httpx.URL(reference).path
    result_path = httpx.URL(result).path
    seen = sandbox.records.requests_to("cdn")

    def fetched(path: str, by_app: bool) -> list[dict[str, str]]:
        return [
            r.headers
            for r in seen
            if r.path == path and ("aiohttp" not in r.headers.get("User-Agent", "")) == by_app
        ]

    assert fetched(reference_path, by_app=True), "no preview of the reference"
    assert fetched(reference_path, by_app=False), "the server never fetched the reference"
    assert fetched(result_path, by_app=True), "the result was never downloaded"
    for record in seen:
        names = {name.lower() for name in record.headers}
        assert "authorization" not in names, (record.path, record.headers)
        assert key not in " ".join(record.headers.values())
    # The API origin, and only it, got the key: on every request.
    calls = sandbox.records.requests_to("api")
    assert {r.path for r in calls} >= {"/api/user", "/api/image/gen", "/api/task/query"}
    assert all(r.headers.get("Authorization") == f"Bearer {key}" for r in calls)


# ---------------------------------------------------------------- (c) callbacks


def outward_address() -> str | None:
    """This machine's address on its network, if it has one (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.254", 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if ipaddress.ip_address(address).is_loopback else address


def test_the_callback_receiver_answers_on_loopback_only(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)  # sandbox mode: loopback callbacks on
        try:
            receiver = session.engine.webhooks
            assert receiver is not None and receiver.running
            bound = [address[0] for address in receiver._runner.addresses]
            port = receiver.port
            reached = await _connects("127.0.0.1", port)
            outward = outward_address()
            from_outside = await _connects(outward, port) if outward else None
            return bound, reached, outward, from_outside
        finally:
            await close_window(session, window)

    bound, reached, outward, from_outside = drive(qloop, scenario())
    assert bound and all(ipaddress.ip_address(host).is_loopback for host in bound)
    assert reached
    if outward is not None:  # this machine has a network address: prove it is refused
        assert from_outside is False


async def _connects(host: str, port: int) -> bool:
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
    except OSError:
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


def test_a_callback_needs_its_own_tasks_token_and_is_only_a_hint(qloop, qtbot, caplog):
    caplog.set_level(logging.INFO, logger="nanobanana_desktop")

    async def scenario():
        session, window = await open_window(qtbot)
        sandbox = session.sandbox
        try:
            sandbox.config.in_progress_seconds = 60.0  # both stay running while we post
            engine, receiver = session.engine, session.engine.webhooks
            first = await engine.submit(GenerationRequest("google/gempix2", "first"))
            second = await engine.submit(GenerationRequest("google/gempix2", "second"))
            first = await session.store.get_task(first.id)
            second = await session.store.get_task(second.id)
            sent = {t.task_id: t.callback_url for t in sandbox.sandbox.book.tasks.values()}
            evil = sandbox.cdn_url + "/fileSystem/evil.png"

            def body(task_id: str) -> dict[str, object]:
                return {
                    "task_id": task_id,
                    "status": "success",
                    "result": [{"image": evil}],
                    "consumed": "0.5",
                    "status_reason": {"message": None},
                }

            def queries() -> int:
                return len(sandbox.records.requests_to("api", "/api/task/query"))

            answers = {}
            stranger = secrets.token_urlsafe(32)  # well formed, never issued
            async with httpx.AsyncClient(base_url=receiver.local_url, trust_env=False) as http:
                answers["stranger"] = await http.post(CALLBACK_PATH + stranger, json=body("x"))
                # The first task's token, naming the second task: ignored.
                answers["crossed"] = await http.post(
                    CALLBACK_PATH + first.callback_token, json=body(second.task_id)
                )
                await until(lambda: "names another task id; ignored" in caplog.text)
                # Its own token and id, a forged success: only makes the engine ask.
                before = queries()
                answers["own"] = await http.post(
                    CALLBACK_PATH + first.callback_token, json=body(first.task_id)
                )
                await until(lambda: queries() > before)
            still = await session.store.get_task(first.id)
            planned = await session.store.images_for(first.id)
            refused = list(receiver.rejected)
            return first, second, sent, answers, stranger, still, planned, refused, sandbox.records
        finally:
            await close_window(session, window)

    first, second, sent, answers, stranger, still, planned, rejected, records = drive(
        qloop, scenario(), 60
    )
    assert first.callback_token and second.callback_token
    assert first.callback_token != second.callback_token  # one token per task
    assert sent[first.task_id].endswith("/" + first.callback_token)
    assert sent[second.task_id].endswith("/" + second.callback_token)
    assert answers["stranger"].status_code == 404
    assert rejected == [("unknown token", stranger[:6] + "…")]
    assert answers["crossed"].status_code == 200 and answers["own"].status_code == 200
    # The forged success made the engine ask the API, which says "running": nothing else.
    assert not still.state.is_final and planned == []
    assert [r for r in records.requests_to("cdn") if "evil" in r.path] == []


# ---------------------------------------------------------------- (d) untrusted text

MARKUP = '<b>x</b><img src="file:///etc/hostname">'


def is_raw(text: str) -> bool:
    # "<im" too: a label may elide the rest of "<img".
    return "<b>x" in text or "<im" in text


def is_escaped(text: str) -> bool:
    return "&lt;b&gt;x" in text or "&lt;img" in text


def rich_carriers(root_widgets: list[QWidget]) -> tuple[list[str], list[str]]:
    """(places showing the markup, places that would render it) in the widget trees."""
    showing: list[str] = []
    rendering: list[str] = []

    def where(widget: QWidget, what: str) -> str:
        chain = []
        current: QWidget | None = widget
        while current is not None:
            chain.append(type(current).__name__)
            current = current.parentWidget()
        return ">".join(reversed(chain)) + "." + what

    def tooltip(widget: QWidget, tip: str, what: str) -> None:
        if is_raw(tip) or is_escaped(tip):
            showing.append(where(widget, what))
            # Qt renders a tooltip as HTML whenever it looks like HTML.
            if is_raw(tip) and Qt.mightBeRichText(tip):
                rendering.append(where(widget, what) + ": " + tip)

    widgets = []
    for root in root_widgets:
        widgets += [root, *root.findChildren(QWidget)]
    for widget in widgets:
        tooltip(widget, widget.toolTip(), "toolTip")
        for action in widget.actions():
            if is_raw(action.toolTip()) and Qt.mightBeRichText(action.toolTip()):
                rendering.append(where(widget, "action " + action.text()))
        if isinstance(widget, QLabel | QMessageBox) and is_raw(widget.text()):
            showing.append(where(widget, "text"))
            if widget.textFormat() != Qt.TextFormat.PlainText:
                rendering.append(where(widget, "text") + ": " + widget.text())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(min(model.rowCount(QModelIndex()), 200)):
                tip = model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
                if isinstance(tip, str):
                    tooltip(widget, tip, f"row {row} tooltip")
    return showing, rendering


def test_no_widget_renders_html_of_its_own_making():
    """Rich text only where the app builds it from escaped parts: no HTML views at all."""
    offenders = []
    for source in sorted(UI.glob("*.py")):
        text = source.read_text()
        for pattern in ("setHtml(", "QTextBrowser", "QTextDocument", "RichText)", "insertHtml("):
            if pattern in text:
                offenders.append(f"{source.name}: {pattern}")
    assert offenders == []


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen
def test_markup_from_prompts_servers_and_names_is_shown_as_text(
    qloop, qtbot, monkeypatch, tmp_path
):
    monkeypatch.setattr(sandbox_tasks, "_FAILED_REASON", f"Refused: {MARKUP}")
    monkeypatch.setattr(sandbox_tasks, "_TEXT_ONLY_ANSWER", f"Words: {MARKUP}")
    named = tmp_path / "<b>x<b><img src=x>.png"
    named.write_bytes(png("purple"))

    async def scenario():
        session, window = await open_window(qtbot)
        reporter = ErrorReporter(None)
        reporter.window = window
        try:
            engine, faults = session.engine, session.sandbox.config.faults
            prompt = f"a lemon {MARKUP} on a plate"

            async def task(model: str = "google/gempix2") -> TaskRecord:
                return await engine.wait((await engine.submit(GenerationRequest(model, prompt))).id)

            saved = await task()
            refused = await task(f"google/{MARKUP}")  # the server quotes it back in its 400
            faults.fail_task.count = 1
            failed = await task()
            faults.text_only.count = 1
            worded = await task()
            assert saved.state is TaskState.SUCCEEDED, saved.status_reason
            assert MARKUP in (refused.status_reason or ""), refused.status_reason
            for ended in (failed, worded):
                assert ended.state is TaskState.FAILED and MARKUP in (ended.status_reason or "")
            await until(lambda: window.tasks.rowCount() == 4)
            # Each final task refreshes the credit, which marks the strip online: let those
            # finish first, or one could overwrite what is injected next.
            while engine._background:
                await asyncio.gather(*list(engine._background), return_exceptions=True)
            # The server's words reach the status strip, the credit and the error box.
            engine.events.publish(
                ConnectionChanged(False, f"Offline, retrying: The server had a problem: {MARKUP}")
            )

            async def forbidden() -> object:
                raise error_for_status(403, 1, None, MARKUP)

            monkeypatch.setattr(session.client, "balance", forbidden)
            await window.refresh_credit()
            reporter.report(RuntimeError(f"boom {MARKUP}"), "a test")
            await until(lambda: reporter.box is not None and reporter.box.isVisible())
            # A reference whose file name is markup.
            slots = window.composer.references
            mime = QMimeData()
            mime.setUrls([QUrl.fromLocalFile(str(named))])
            slots.add(mime)
            await slots.wait_idle()
            # Each failed task selected in turn: its reason shows under the list.
            found: list[str] = []
            bad: list[str] = []
            for local_id in (refused.id, failed.id, worded.id):
                window.task_panel.select_task(local_id)
                menu = window.task_panel.build_menu(await session.store.get_task(local_id))
                shown, rendered = rich_carriers([window, menu])
                found += shown
                bad += rendered
                menu.deleteLater()
            # The gallery and the viewer, over the saved image's metadata.
            window.show_page("gallery")
            await window.gallery.settle()
            viewer = window.gallery.open_viewer(0)
            await viewer.loaded.wait()
            dialog = window.open_settings()
            await dialog.settle()
            tops = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
            shown, rendered = rich_carriers(tops)
            return found + shown, bad + rendered
        finally:
            reporter.uninstall()
            if reporter.box is not None:
                reporter.box.close()
            await close_window(session, window)

    showing, rendering = drive(qloop, scenario(), 90)
    assert rendering == []
    # Not vacuous: the markup reached every place that shows server and user text.
    places = "\n".join(showing)
    for expected in (
        r"TaskPanel>QLabel\.text",  # the selected task's reason
        r"TaskPanel>.*row \d tooltip",  # task rows' tooltips
        r"StatusStrip>QLabel\.toolTip",  # the connection's tooltip
        r"QLabel\.toolTip",  # the credit's tooltip
        r"QMessageBox\.text",  # the error box
        r"ImageViewer>.*QLabel\.text",  # the prompt and model fields
        r"ReferenceSlot",  # the slot named by the file
    ):
        assert re.search(expected, places, re.MULTILINE), (expected, places)
