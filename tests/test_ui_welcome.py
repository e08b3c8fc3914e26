"""First run: a key is checked before it is kept; the sandbox is one click away."""

from __future__ import annotations

import asyncio

from conftest import drive
from ui_harness import show_window

from nanobanana_desktop.session import Session, SessionOptions


async def open_without_key(qtbot, base_url):
    session = await Session.open(SessionOptions(base_url=base_url))
    return session, await show_window(qtbot, session)


async def settle(window):
    """Until the window's background work (the key check, the switch) has finished."""
    while pending := [task for task in window._background if not task.done()]:
        await asyncio.wait(pending)


async def enter_key(window, key):
    window.welcome.key_edit.setText(key)
    window.welcome.save_button.click()
    await settle(window)


def test_refused_key_is_not_kept_and_says_why(qloop, qtbot, sandbox):
    sandbox.config.refused_keys.add("dk-revoked-000000000001")

    async def scenario():
        session, window = await open_without_key(qtbot, sandbox.api_url)
        try:
            on_welcome = window.pages.currentWidget() is window.welcome
            await enter_key(window, "dk-revoked-000000000001")
            return on_welcome, window.welcome.status.text(), session.engine
        finally:
            await window.stop()
            await session.close()

    on_welcome, message, engine = drive(qloop, scenario())
    assert on_welcome
    assert "refused (401)" in message
    assert engine is None


def test_good_key_without_a_keyring_is_kept_for_the_session_only(qloop, qtbot, sandbox):
    async def scenario():
        session, window = await open_without_key(qtbot, sandbox.api_url)
        try:
            await enter_key(window, "dk-good-key-000000000001")
            await window.credit_loaded.wait()
            return (
                window.pages.currentWidget() is window.main_page,
                window.statusBar().currentMessage(),
                window.credit_label.text(),
                session.engine is not None,
                window.welcome.key_edit.text(),
            )
        finally:
            await window.stop()
            await session.close()

    on_main, note, credit, engine, left_in_field = drive(qloop, scenario())
    assert on_main and engine
    assert "kept for this session only" in note
    assert credit == "Credit: 100"
    assert left_in_field == ""
    checks = sandbox.records.requests_to("api", "/api/user")
    assert checks[0].headers["Authorization"] == "Bearer dk-good-key-000000000001"


def test_try_the_sandbox_from_the_welcome_panel(qloop, qtbot):
    async def scenario():
        session, window = await open_without_key(qtbot, "https://api.defapi.org")
        try:
            window.welcome.sandbox_button.click()
            await settle(window)
            return window.windowTitle(), window.mode_badge.text(), session.engine is not None
        finally:
            await window.stop()
            await session.close()

    title, badge, engine = drive(qloop, scenario())
    assert title == "Nano Banana Desktop — Sandbox"
    assert badge.startswith("SANDBOX") and engine
