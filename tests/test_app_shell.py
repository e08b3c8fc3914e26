"""The app starts on qasync, shows its mode, and reaches the sandbox without blocking."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import drive

from nanobanana_desktop.session import Session, SessionOptions
from nanobanana_desktop.ui.main_window import MainWindow


def test_sandbox_window_shows_mode_and_credit(qloop, qtbot):
    async def scenario():
        session = await Session.open(SessionOptions(use_sandbox=True))
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        window.start()
        await window.credit_loaded.wait()
        seen = (window.windowTitle(), window.mode_badge.text(), window.credit_label.text())
        await window.stop()
        await session.close()
        return seen

    title, badge, credit = drive(qloop, scenario())
    assert title == "Nano Banana Desktop — Sandbox"
    assert badge.startswith("SANDBOX")
    assert credit == "Credit: 100"


def test_api_mode_without_key_says_what_to_do(qloop, qtbot, monkeypatch):
    # conftest leaves no key in the environment and no keyring backend: the lookup must
    # degrade to a message.

    async def scenario():
        session = await Session.open(SessionOptions(base_url="https://api.defapi.org"))
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.start()
        await window.credit_loaded.wait()
        seen = (window.windowTitle(), window.detail_label.text(), window.credit_label.text())
        await window.stop()
        await session.close()
        return seen

    title, detail, credit = drive(qloop, scenario())
    assert title == "Nano Banana Desktop — api.defapi.org"
    assert "NANOBANANA_API_KEY" in detail
    assert credit == "Credit: unknown (no API key)"


def test_api_mode_uses_the_session_key_from_the_environment(qloop, qtbot, sandbox, monkeypatch):
    monkeypatch.setenv("NANOBANANA_API_KEY", "dk-from-environment-123456")

    async def scenario():
        session = await Session.open(SessionOptions(base_url=sandbox.api_url))
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.start()
        await window.credit_loaded.wait()
        text = window.credit_label.text()
        await window.stop()
        await session.close()
        return text

    assert drive(qloop, scenario()) == "Credit: 100"
    sent = sandbox.records.requests_to("api", "/api/user")[-1].headers["Authorization"]
    assert sent == "Bearer dk-from-environment-123456"


def _env():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("NANOBANANA_API_KEY", None)
    return env


def test_gui_refuses_plain_http_to_a_remote_host():
    done = subprocess.run(
        [sys.executable, "-m", "nanobanana_desktop", "--base-url", "http://example.com"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "use https://" in done.stderr
