"""Closing the window stops everything within 2 s and loses no task; SIGTERM does the same."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
from conftest import drive

from nanobanana_desktop.app import close_down
from nanobanana_desktop.session import Session, SessionOptions
from nanobanana_desktop.ui.main_window import MainWindow

CLOSE_DEADLINE = 2.0  # seconds, from the issue


def test_closing_with_hanging_polls_finishes_within_two_seconds(qloop, qtbot):
    from nanobanana_desktop.api import GenerationRequest

    async def scenario():
        session = await Session.open(SessionOptions(use_sandbox=True))
        assert session.engine is not None and session.sandbox is not None
        await session.engine.start()
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        window.start()
        request = GenerationRequest("google/gempix2", "a lamp")
        tasks = [await session.engine.submit(request) for _ in range(4)]
        # From now on every status query hangs for 20 s on the server.
        async with httpx.AsyncClient(base_url=session.sandbox.api_url) as control:
            answer = await control.post(
                "/_sandbox/faults",
                json={"slow": {"rate": 1.0, "endpoints": ["query"]}, "slow_seconds": 20},
            )
            answer.raise_for_status()
        for task in tasks:
            session.engine.poll_now(task.id)
        started = time.monotonic()
        await close_down(window, session)
        took = time.monotonic() - started
        reopened = await Session.open(SessionOptions())
        stored = [await reopened.store.get_task(task.id) for task in tasks]
        await reopened.close()
        return took, stored

    took, stored = drive(qloop, scenario())
    assert took < CLOSE_DEADLINE, f"closing took {took:.2f} s"
    # Nothing was given up on: every task is still waiting to be resumed at the next start.
    assert all(task.task_id for task in stored)
    assert all(task.state.needs_tracking for task in stored), [t.state for t in stored]


def _wait_for_line(path, text, process, deadline=60.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise AssertionError(f"the app exited early: {process.stderr.read()}")
        if path.exists() and text in path.read_text("utf-8"):
            return
        # Waiting on another process's log: there is no signal to wait on instead.
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {path}")


def test_sigterm_closes_the_app_cleanly_and_the_log_says_so(tmp_path):
    profile = tmp_path / "profile"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen(
        [sys.executable, "-m", "nanobanana_desktop", "--sandbox", "--profile", str(profile)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = profile / "logs" / "nanobanana-desktop.log"
    with process:
        try:
            _wait_for_line(log, "window shown", process)
            sent = time.monotonic()
            process.send_signal(signal.SIGTERM)
            _, errors = process.communicate(timeout=30)
            took = time.monotonic() - sent
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 0, errors
    assert "closed down in" in log.read_text("utf-8")
    assert took < CLOSE_DEADLINE + 3.0, f"exit took {took:.2f} s"  # interpreter teardown too


CLOSE_BUTTON_DRIVER = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from nanobanana_desktop import app

qt = QApplication(sys.argv[:1])


def close_when_shown():
    # What the window's close button does, once the window is up.
    for widget in qt.topLevelWidgets():
        if type(widget).__name__ == "MainWindow" and widget.isVisible():
            widget.close()
            return
    QTimer.singleShot(20, close_when_shown)


QTimer.singleShot(0, close_when_shown)
sys.exit(app.main(["--sandbox", "--profile", sys.argv[1]]))
"""


def test_the_close_button_ends_the_app_cleanly(tmp_path):
    profile = tmp_path / "profile"
    done = subprocess.run(
        [sys.executable, "-c", CLOSE_BUTTON_DRIVER, str(profile)],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "closed down in" in (profile / "logs" / "nanobanana-desktop.log").read_text("utf-8")
