"""Bad input, one case at a time: what the user sees, and that nothing is lost.

The cases docs/robustness.md lists and no other test file proves: prompts at the edges,
drops that are too big, damaged or not images at all, keys and settings that cannot be
used, command-line values out of range, odd server answers, and a damaged history at
start-up. UI cases open the real window over the sandbox; server corners the sandbox
cannot produce use httpx's MockTransport.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import sqlite3
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from conftest import drive, run
from engine_harness import FAST, REQUEST, engine_for, posts
from PIL import Image
from PySide6.QtCore import Qt
from test_ui_reference_slots import data_uri, drop, drop_counting_loop_turns, files, png, text
from ui_harness import close_window, generate_from_composer, open_window, show_window

from nanobanana_desktop.api import NanoBananaClient, RetryPolicy
from nanobanana_desktop.app import show_notices
from nanobanana_desktop.cli import main as cli_main
from nanobanana_desktop.engine.core import Engine, EngineOptions
from nanobanana_desktop.engine.events import ConnectionChanged
from nanobanana_desktop.engine.metadata import read_metadata
from nanobanana_desktop.engine.records import ImageState, TaskState
from nanobanana_desktop.engine.store import Store, StoreError
from nanobanana_desktop.preferences import SETTINGS_FILE
from nanobanana_desktop.sandbox import SANDBOX_KEY
from nanobanana_desktop.session import Session, SessionOptions
from nanobanana_desktop.ui.composer import Composer
from nanobanana_desktop.ui.reference_slots import ReferencePanel
from nanobanana_desktop.ui.settings import profile_settings

FIVE_MB = 5 * 1024 * 1024
T = TypeVar("T")


def profile() -> Path:
    return Path(os.environ["NANOBANANA_PROFILE"])


async def opened(look: Callable[[Session], T]) -> T:
    """What ``look`` sees of a session opened as the app opens one, then closed."""
    session = await Session.open(SessionOptions())
    try:
        return look(session)
    finally:
        await session.close()


async def until(condition: Callable[[], bool]) -> None:
    """Until the window reaches a state it has no signal for (drive() bounds the wait)."""
    while not condition():  # noqa: ASYNC110 - the status strip emits nothing to await
        await asyncio.sleep(0.01)


# ---------------------------------------------------------------- the composer


@pytest.mark.parametrize(
    ("prompt", "model", "reason"),
    [
        ("", "google/gempix2", "Write a prompt first"),
        ("a lemon", "  ", "Choose a model"),
    ],
    ids=["empty-prompt", "no-model"],
)
def test_an_empty_prompt_or_model_cannot_be_sent(qtbot, tmp_path, prompt, model, reason):
    composer = Composer(profile_settings(tmp_path))
    qtbot.addWidget(composer)
    sent = []
    composer.submitted.connect(lambda request, n: sent.append(request))
    composer.prompt.setPlainText(prompt)
    composer.model.setCurrentText(model)
    assert not composer.generate_button.isEnabled()
    assert composer.reason_label.text() == reason
    composer.submit()
    qtbot.keyClick(composer.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent == []


LONG_PROMPT = ("a lemon on a blue plate, morning light, ") * 2600
RTL_PROMPT = "ليمونة على صحن أزرق 🍋 — לימון על צלחת 👩🏽‍🎨 and a מילה in between"


@pytest.mark.parametrize(
    "prompt",
    [LONG_PROMPT[:102_400], RTL_PROMPT],
    ids=["100-kb", "rtl-and-emoji"],
)
def test_long_and_right_to_left_prompts_travel_whole(qloop, qtbot, prompt):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            done = await generate_from_composer(window, prompt)
            counted = window.composer.count_label.text()
            [image] = await session.store.images_for(done.id)
            [sent] = session.sandbox.sandbox.book.tasks.values()
            shown = window.tasks.index(0).data(Qt.ItemDataRole.DisplayRole)
            return counted, done, image, sent.prompt, shown, session.library
        finally:
            await close_window(session, window)

    counted, done, image, sent, shown, library = drive(qloop, scenario(), timeout=60)
    assert counted == f"{len(prompt)} characters"
    assert done.state is TaskState.SUCCEEDED
    assert sent == prompt and done.prompt == prompt  # not cut, not re-encoded
    assert shown == " ".join(prompt.split()) or shown == prompt
    meta = read_metadata((library / image.path).read_bytes())
    assert meta is not None and meta.prompt == prompt
    # The file name is a short slug; letters of any script stay, the emoji do not.
    name = Path(image.path).name
    assert len(name) < 100
    if prompt == RTL_PROMPT:
        assert "ليمونة" in name and "🍋" not in name


# ---------------------------------------------------------------- drops


@pytest.fixture
def panel(qtbot):
    widget = ReferencePanel()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def with_panel(qloop, panel: ReferencePanel, scenario, timeout: float = 30.0):
    async def bounded():
        try:
            return await scenario()
        finally:
            await panel.aclose()

    return drive(qloop, bounded(), timeout)


def png_bomb(path: Path, width: int = 20000, height: int = 20000) -> None:
    """A real 1-bit PNG of width x height zeros, written row by row (a few tens of KB)."""
    squeeze = zlib.compressobj(9)
    row = b"\0" + b"\0" * ((width + 7) // 8)
    body = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return len(payload).to_bytes(4, "big") + kind + payload + crc.to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def test_a_50_mb_image_file_is_made_to_fit_off_the_ui_thread(qloop, panel, tmp_path):
    source = tmp_path / "scan.png"
    gradient = Image.linear_gradient("L").resize((4200, 4200))
    Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_90), gradient)).save(
        source, "PNG", compress_level=0
    )
    assert source.stat().st_size > 50 * 1024 * 1024

    async def scenario():
        return await drop_counting_loop_turns(panel, source), panel.slots[0]

    ticks, slot = with_panel(qloop, panel, scenario, timeout=60)
    assert slot.error is None and slot.reference is not None
    payload = base64.b64decode(slot.reference.value.split(",", 1)[1])
    assert len(payload) <= FIVE_MB
    # A smooth scan fits once it is a JPEG; a noisy one would be downscaled, and say so.
    assert slot.reference.note == "converted to JPEG"
    assert slot.reference.value.startswith("data:image/jpeg;base64,")
    assert ticks >= 5  # the loop turned while Pillow worked


def test_a_pixel_bomb_is_refused_as_a_file_and_not_previewed_as_a_link(
    qloop, panel, tmp_path, sandbox
):
    bomb = tmp_path / "bomb.png"
    png_bomb(bomb)
    assert bomb.stat().st_size < 200_000
    link = sandbox.publish(bomb.read_bytes())

    async def scenario():
        assert drop(panel.slots[0], files(bomb))
        assert drop(panel.slots[1], text(link))
        await panel.wait_idle()
        return panel.slots[0], panel.slots[1]

    as_file, as_link = with_panel(qloop, panel, scenario)
    assert as_file.reference is None
    assert as_file.error == (
        "bomb.png has more than 120 million pixels, more than can be read safely; "
        "export a smaller copy"
    )
    # A link is the server's to fetch: kept, but never decoded here.
    assert as_link.reference is not None and as_link.reference.note == "could not preview"
    assert as_link.thumbnail is None
    assert "could not preview: more than 40 megapixels" in as_link.toolTip()


def test_a_truncated_jpeg_is_refused_as_damaged(qloop, panel, tmp_path):
    whole = io.BytesIO()
    Image.radial_gradient("L").convert("RGB").resize((640, 480)).save(whole, "JPEG")
    cut = tmp_path / "holiday.jpg"
    cut.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    seen: list[tuple[str, ...]] = []
    panel.changed.connect(lambda: seen.append(panel.references()))

    async def scenario():
        assert drop(panel.slots[0], files(cut))
        await panel.wait_idle()
        return panel.slots[0]

    slot = with_panel(qloop, panel, scenario)
    assert slot.reference is None and seen == []
    assert slot.error == (
        "holiday.jpg is a damaged or incomplete JPEG file; save it again, or choose another"
    )
    assert slot.caption.textFormat() == Qt.TextFormat.PlainText


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inside.txt", "not pixels")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("dropped", "says"),
    [
        ("data:image/png;base64,iVBORw0KGgo*not base64*", "not valid base64"),
        ("data:text/html;base64,PGI+eDwvYj4=", "Only base64 image data"),
        ("data:image/png," + "%89PNG", "Only base64 image data"),
        (data_uri(zip_bytes()), "not an image the app can read"),
    ],
    ids=["invalid-base64", "html-data", "not-base64", "zip-as-png"],
)
def test_pasted_data_uris_that_are_not_images_are_refused(qloop, panel, dropped, says):
    async def scenario():
        assert drop(panel.slots[0], text(dropped))
        await panel.wait_idle()
        return panel.slots[0]

    slot = with_panel(qloop, panel, scenario)
    assert slot.reference is None and panel.references() == ()
    assert slot.error is not None and says in slot.error


# ---------------------------------------------------------------- keys and settings


def test_a_key_with_spaces_is_refused_on_the_welcome_page(qloop, qtbot, sandbox, memory_keyring):
    async def scenario():
        session = await Session.open(SessionOptions(base_url=sandbox.api_url))
        window = await show_window(qtbot, session)
        try:
            window.welcome.key_edit.setText("dk-abc 123")
            window.welcome.save_button.click()
            await window._background.settle()
            return window.welcome.status.text(), session.engine
        finally:
            await window.stop()
            await session.close()

    message, engine = drive(qloop, scenario())
    assert "spaces or control characters" in message
    assert engine is None
    assert memory_keyring.stored() is None
    assert sandbox.records.requests_to("api") == []  # refused before anything was sent


def test_an_unusable_key_in_the_environment_is_explained(qloop, monkeypatch):
    monkeypatch.setenv("NANOBANANA_API_KEY", "dk-with\ttab")

    problem, client = drive(qloop, opened(lambda session: (session.key_problem, session.client)))
    assert client is None
    assert problem is not None and "NANOBANANA_API_KEY is set but unusable" in problem


def test_a_settings_file_full_of_garbage_still_starts_with_defaults(qloop):
    folder = profile()
    folder.mkdir(parents=True)
    (folder / SETTINGS_FILE).write_bytes(
        os.urandom(4096) + b"\n[connection]\nbase_url=http://evil.example\n\0\0"
    )

    base_url, library = drive(qloop, opened(lambda session: (session.base_url, session.library)))
    assert base_url == "https://api.defapi.org"  # plain http to a remote host is ignored
    assert library == Path(os.environ["NANOBANANA_LIBRARY"])


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    ("option", "value"),
    [("--count", "11"), ("--count", "0"), ("--image-size", "8K"), ("--aspect-ratio", "7:3")],
)
def test_cli_values_out_of_range_are_refused_by_name(capsys, option, value):
    with pytest.raises(SystemExit) as exited:
        cli_main(["generate", "a lemon", "--sandbox", option, value])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert option in err and "invalid choice" in err


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://x.example/y.png", "file:///etc/passwd"]
)
def test_cli_refuses_references_that_are_not_web_links(sandbox, monkeypatch, capsys, link):
    monkeypatch.setenv("NANOBANANA_API_KEY", "dk-cli-bad-input-0001")
    code = cli_main(["generate", "a lemon", "--ref", link, "--base-url", sandbox.api_url])
    assert code == 2
    assert "is not an http(s) URL or an image data URI" in capsys.readouterr().err
    assert sandbox.records.requests_to("api") == []


def test_cli_refuses_plain_http_to_a_remote_host(monkeypatch, capsys):
    monkeypatch.setenv("NANOBANANA_API_KEY", "dk-cli-bad-input-0002")
    assert cli_main(["balance", "--base-url", "http://api.example.com"]) == 2
    err = capsys.readouterr().err
    assert "plain http" in err and "use https://" in err
    assert "dk-cli-bad-input-0002" not in err
    assert not (profile() / "history.sqlite3").exists()  # refused before anything opened


# ---------------------------------------------------------------- a damaged history


def _healthy_history(path: Path) -> None:
    async def build():
        store = await Store.open(path)
        for _ in range(200):
            await store.add_task(REQUEST, source="window")
        await store.close()

    run(build())


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "garbage": lambda data: os.urandom(len(data)),
    "text": lambda data: b"this is not a database\n" * 40,
    "truncated": lambda data: data[: len(data) // 2],
    "damaged-page": lambda data: data[:8192] + os.urandom(8192) + data[16384:],
}


def damage_history(kind: str) -> tuple[Path, bytes]:
    """The profile's history, damaged as ``kind`` says; returns its path and its bytes."""
    database = profile() / "history.sqlite3"
    database.parent.mkdir(parents=True, exist_ok=True)
    _healthy_history(database)
    for end in ("-wal", "-shm"):
        assert not database.with_name(database.name + end).exists()
    damaged = DAMAGES[kind](database.read_bytes())
    database.write_bytes(damaged)
    return database, damaged


NEW_HISTORY = "The history database could not be read, so a new, empty history was started."


def moved_aside(database: Path) -> list[Path]:
    return sorted(database.parent.glob("history.damaged-*.sqlite3"))


@pytest.mark.parametrize("kind", list(DAMAGES))
def test_a_damaged_history_is_moved_aside_and_the_window_starts_fresh(qloop, qtbot, kind):
    database, damaged = damage_history(kind)

    async def scenario():
        session, window = await open_window(qtbot)
        try:
            box = show_notices(window, session.notices)
            assert box is not None
            shown = (
                box.isVisible(),
                f"{box.text()}\n{box.informativeText()}",
                box.textFormat(),
                box.windowModality(),
            )
            box.close()
            task = await session.engine.submit(REQUEST)
            done = await session.engine.wait(task.id)
            return session.notices, shown, done, window.tasks.rowCount()
        finally:
            await close_window(session, window)

    notices, shown, done, rows = drive(qloop, scenario())
    [old] = moved_aside(database)
    assert old.read_bytes() == damaged  # kept whole for rescue, not deleted
    [notice] = notices
    assert notice.startswith(NEW_HISTORY + "\n")
    assert f"moved aside to {old}." in notice and "stay in the library folder" in notice
    visible, message, fmt, modality = shown
    assert visible and message == notice  # headline, then where the old file went
    assert fmt == Qt.TextFormat.PlainText and modality == Qt.WindowModality.NonModal
    assert done.state is TaskState.SUCCEEDED and rows == 1  # the fresh history works
    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_damaged_history_is_moved_aside_by_the_cli_too(capsys):
    database, damaged = damage_history("garbage")
    assert cli_main(["list"]) == 0
    err = capsys.readouterr().err
    [old] = moved_aside(database)
    assert f"nanobanana: {NEW_HISTORY}\n" in err
    assert f"moved aside to {old}." in err
    assert old.read_bytes() == damaged
    assert cli_main(["list"]) == 0  # the second start finds a healthy history: no notice
    assert "moved aside" not in capsys.readouterr().err
    assert moved_aside(database) == [old]


NOTICE_DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from nanobanana_desktop import app

qt = QApplication(sys.argv[:1])


def close_once_told():
    # The window and its notice both up: say what the notice says, then close as a user.
    shown = [w for w in qt.topLevelWidgets() if w.isVisible()]
    boxes = [w for w in shown if isinstance(w, QMessageBox)]
    windows = [w for w in shown if type(w).__name__ == "MainWindow"]
    if boxes and windows:
        said = boxes[0].text() + " " + boxes[0].informativeText()
        print("NOTICE", said.replace(chr(10), " "), flush=True)
        windows[0].close()
        return
    QTimer.singleShot(20, close_once_told)


QTimer.singleShot(0, close_once_told)
sys.exit(app.main(["--sandbox"]))
"""


def test_the_app_process_starts_over_a_damaged_history():
    database, damaged = damage_history("truncated")
    done = subprocess.run(
        [sys.executable, "-c", NOTICE_DRIVER],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    [old] = moved_aside(database)
    assert old.read_bytes() == damaged
    assert f"NOTICE {NEW_HISTORY} The damaged file was moved aside to {old}." in done.stdout
    log = (profile() / "logs" / "nanobanana-desktop.log").read_text("utf-8")
    assert f"damaged history database moved to {old}" in log
    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_history_that_cannot_be_opened_is_never_moved_aside(qloop):
    database = profile() / "history.sqlite3"
    database.mkdir(parents=True)  # a folder where the file should be: not damage

    async def scenario():
        with pytest.raises(StoreError) as refused:
            await Session.open(SessionOptions())
        return refused.value

    error = drive(qloop, scenario())
    assert "cannot be opened" in str(error) and "read and write" in str(error)
    assert database.is_dir() and moved_aside(database) == []


# ---------------------------------------------------------------- server answers


class Changes:
    def __init__(self) -> None:
        self.seen: list[ConnectionChanged] = []
        self.online = asyncio.Event()

    def __call__(self, event: object) -> None:
        if isinstance(event, ConnectionChanged):
            self.seen.append(event)
            if event.online:
                self.online.set()


def test_unknown_status_strings_keep_the_task_followed(sandbox, tmp_path):
    sandbox.config.in_progress_seconds = 0.3
    sandbox.config.faults.unknown_status.count = 2

    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            changes = Changes()
            engine.events.subscribe(changes)
            task = await engine.submit(REQUEST)
            done = await engine.wait(task.id)
            await changes.online.wait()
            return done, changes.seen

    done, seen = run(scenario())
    assert sandbox.config.faults.unknown_status.fired == 2
    assert seen[0].online is False
    assert "unknown task status 'processing'" in seen[0].message
    assert "polling will go on" in seen[0].message
    assert seen[-1].online is True
    assert done.state is TaskState.SUCCEEDED
    assert posts(sandbox) == 1


def answers(data: dict[str, object]) -> httpx.MockTransport:
    """An API whose task ends at once with ``data`` (a corner the sandbox never sends)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/image/gen":
            return httpx.Response(
                200, json={"code": 0, "message": "ok", "data": {"task_id": "ta-1"}}
            )
        if request.url.path == "/api/task/query":
            return httpx.Response(200, json={"code": 0, "message": "ok", "data": data})
        return httpx.Response(200, json={"code": 0, "message": "ok", "data": {"credit": "9"}})

    return httpx.MockTransport(handle)


def engine_over(transport: httpx.MockTransport, tmp_path: Path):
    async def scenario():
        store = await Store.open(tmp_path / "profile" / "history.sqlite3")
        client = NanoBananaClient(
            SANDBOX_KEY, transport=transport, retry=RetryPolicy(max_retries=0)
        )
        engine = Engine(
            client, store, tmp_path / "library", options=EngineOptions(poll_policy=FAST)
        )
        try:
            await engine.start()
            task = await engine.submit(REQUEST)
            done = await engine.wait(task.id)
            return done, await store.images_for(task.id)
        finally:
            await engine.close()
            await client.aclose()
            await store.close()

    return run(scenario())


def test_success_with_a_null_result_fails_the_task_and_says_so(tmp_path):
    transport = answers({"task_id": "ta-1", "status": "success", "result": None, "consumed": "0.5"})
    done, images = engine_over(transport, tmp_path)
    assert done.state is TaskState.FAILED
    assert done.status_reason == "The server reported success but sent no image"
    assert images == []


@pytest.mark.parametrize("consumed", ["lots", None, {"amount": 1}, "NaN", True])
def test_consumed_that_is_not_a_number_is_left_unknown(tmp_path, consumed):
    transport = answers(
        {
            "task_id": "ta-1",
            "status": "success",
            "result": [{"image": data_uri(png())}],
            "consumed": consumed,
        }
    )
    done, [image] = engine_over(transport, tmp_path)
    assert done.state is TaskState.SUCCEEDED and done.consumed is None
    assert image.state is ImageState.SAVED
    assert (tmp_path / "library" / image.path).is_file()


def test_a_key_revoked_mid_session_shows_in_the_window_and_the_task_waits(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            await window.credit_loaded.wait()
            session.sandbox.config.in_progress_seconds = 0.5
            task = await session.engine.submit(REQUEST)
            session.sandbox.config.refused_keys.add(SANDBOX_KEY)
            strip = window.status_strip
            await until(lambda: strip.online is False)
            offline = (strip.connection.text(), strip.connection.toolTip())
            waiting = await session.store.get_task(task.id)
            session.sandbox.config.refused_keys.discard(SANDBOX_KEY)
            session.engine.poll_now(task.id)
            done = await session.engine.wait(task.id)
            await until(lambda: strip.online is True)
            return offline, waiting, done, window.statusBar().currentMessage()
        finally:
            await close_window(session, window)

    (label, tip), waiting, done, message = drive(qloop, scenario(), timeout=60)
    assert label == "Sandbox · offline, retrying"
    assert "The API key was refused (401): check it in Settings" in tip
    assert "tasks wait until the key works again" in tip
    assert not waiting.state.is_final  # kept, not failed
    assert done.state is TaskState.SUCCEEDED
    assert message == "Connected again"
