"""Uncaught errors from slots, tasks and threads reach one handler: a readable message for
the user, the traceback in the log, and the key in neither."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading

import pytest
from PySide6.QtWidgets import QPushButton

from nanobanana_desktop.api import ApiKey
from nanobanana_desktop.diagnostics import scrub, start_logging
from nanobanana_desktop.ui.error_reporter import ErrorReporter

KEY = "dk-very-secret-key-0123456789"


class BrokenError(RuntimeError):
    pass


@pytest.fixture
def logs(tmp_path):
    setup = start_logging(tmp_path / "logs")
    yield setup
    setup.stop()


@pytest.fixture
def reporter(qtbot, qloop, logs):
    ApiKey(KEY)  # the process has held this key: it must be scrubbed everywhere
    made = ErrorReporter(logs.path)
    made.install(qloop)
    yield made
    made.uninstall()
    if made.box is not None:
        made.box.close()


def _log_text(logs) -> str:
    logs.stop()  # flushes the listener thread's queue to the file
    return logs.path.read_text("utf-8")


def test_an_error_in_a_slot_shows_a_message_and_logs_the_traceback(qtbot, reporter, logs):
    def explode() -> None:
        raise BrokenError(f"server said no to Bearer {KEY} and key={KEY}")

    button = QPushButton("go")
    qtbot.addWidget(button)
    button.clicked.connect(explode)
    button.click()
    qtbot.waitUntil(lambda: reporter.box is not None and reporter.box.isVisible())

    shown = reporter.box.text()
    assert "BrokenError: server said no" in shown
    assert "Your tasks and images are safe" in shown
    assert str(logs.path) in shown
    assert KEY not in shown
    assert not reporter.box.isModal()
    text = _log_text(logs)
    assert "Traceback (most recent call last)" in text
    assert "in explode" in text
    assert KEY not in text
    assert "[api key]" in text


def test_an_error_in_a_background_task_reaches_the_handler(qtbot, qloop, reporter, logs):
    async def fail() -> None:
        raise BrokenError(f"task broke with {KEY}")

    async def scenario() -> None:
        task = asyncio.get_running_loop().create_task(fail())
        await asyncio.wait([task])
        # Nobody retrieves the exception: asyncio reports it when the task is collected.
        del task
        gc.collect()

    qloop.run_until_complete(scenario())
    qtbot.waitUntil(lambda: reporter.count == 1)
    assert reporter.last_message == "BrokenError: task broke with [api key]"
    text = _log_text(logs)
    assert "uncaught error in a background task" in text
    assert "in fail" in text
    assert KEY not in text


def test_an_error_in_a_thread_is_shown_on_the_qt_thread(qtbot, reporter):
    shown_on: list[threading.Thread] = []
    reporter.reported.connect(lambda _m: shown_on.append(threading.current_thread()))

    def work() -> None:
        raise BrokenError("worker gave up")

    worker = threading.Thread(target=work, name="worker-7")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: reporter.count == 1)
    assert reporter.last_message == "BrokenError: worker gave up"
    assert shown_on == [threading.main_thread()]


def test_repeated_errors_update_one_message_instead_of_stacking(qtbot, reporter):
    for n in range(3):
        reporter.report(BrokenError(f"number {n}"), "a test")
    qtbot.waitUntil(lambda: reporter.count == 3)
    box = reporter.box
    assert box is not None and box.isVisible()
    assert "BrokenError: number 2" in box.text()
    assert "(2 more since this message appeared)" in box.text()
    box.accept()
    qtbot.waitUntil(lambda: not box.isVisible())
    reporter.report(BrokenError("again"), "a test")
    qtbot.waitUntil(lambda: box.isVisible())
    assert reporter.count == 1
    assert "more since" not in box.text()


def test_long_and_multiline_messages_are_cut_to_one_readable_line(qtbot, reporter):
    reporter.report(BrokenError("first line\n" + "x" * 1000), "a test")
    qtbot.waitUntil(lambda: reporter.count == 1)
    assert reporter.last_message == "BrokenError: first line"
    reporter.report(BrokenError("y" * 1000), "a test")
    qtbot.waitUntil(lambda: reporter.count == 2)
    assert len(reporter.last_message) == 300
    assert reporter.last_message.endswith("…")


def test_uninstall_gives_the_hooks_back(qloop, logs):
    import sys

    before = (sys.excepthook, threading.excepthook)
    made = ErrorReporter(logs.path)
    made.install(qloop)
    assert sys.excepthook != before[0]
    made.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_scrub_removes_keys_and_bearer_tokens_from_any_text():
    ApiKey(KEY)
    assert scrub(f"x {KEY} y") == "x [api key] y"
    assert scrub("Authorization: Bearer abc.def-123") == "Authorization: Bearer [redacted]"
    assert scrub("{'authorization': 'bearer tok'}") == "{'authorization': 'bearer [redacted]'}"
    assert scrub("nothing secret") == "nothing secret"


def test_every_log_line_is_scrubbed_even_from_a_third_party_logger(logs):
    ApiKey(KEY)
    logging.getLogger("httpx").warning("sending %s", {"Authorization": f"Bearer {KEY}"})
    try:
        raise BrokenError(KEY)
    except BrokenError:
        logging.getLogger("elsewhere").exception("failed")
    text = _log_text(logs)
    assert "sending" in text and "failed" in text
    assert KEY not in text


def test_a_log_folder_that_cannot_be_made_does_not_stop_the_app(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    setup = start_logging(blocker / "logs")
    try:
        assert setup.path is None
    finally:
        setup.stop()
