"""First run: a key is checked before it is kept; the sandbox is one click away."""

from __future__ import annotations

from conftest import drive
from ui_harness import show_window

from nanobanana_desktop.session import Session, SessionOptions


async def open_without_key(qtbot, base_url):
    session = await Session.open(SessionOptions(base_url=base_url))
    return session, await show_window(qtbot, session)


async def settle(window):
    """Until the window's background work (the key check, the switch) has finished."""
    await window._background.settle()


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


def test_first_run_focuses_the_key_field_and_hides_the_status_strip(qloop, qtbot, memory_keyring):
    # A working keyring with no key in it: simply no key yet, nothing wrong.
    async def scenario():
        session, window = await open_without_key(qtbot, "https://api.defapi.org")
        try:
            key_edit = window.welcome.key_edit
            first = (
                key_edit.hasFocus() or window.focusWidget() is key_edit,
                window.status_strip.isVisible(),
                window.welcome.status.isVisibleTo(window.welcome),
                window.welcome.status.text(),
            )
            window.welcome.sandbox_button.click()
            await settle(window)
            return first, window.status_strip.isVisible()
        finally:
            await window.stop()
            await session.close()

    (focused, strip_on_welcome, status_shown, status), strip_after = drive(qloop, scenario())
    assert focused
    assert not strip_on_welcome  # no "connecting…" forever before there is an engine
    assert not status_shown and status == ""  # the panel itself is the answer to "no key"
    assert strip_after


def test_a_real_key_problem_is_shown_on_the_welcome_panel(qloop, qtbot):
    # conftest leaves no keyring backend at all: that is worth saying.
    async def scenario():
        session, window = await open_without_key(qtbot, "https://api.defapi.org")
        try:
            status = window.welcome.status
            return status.isVisibleTo(window.welcome), status.text()
        finally:
            await window.stop()
            await session.close()

    shown, text = drive(qloop, scenario())
    assert shown and "No system keyring is available" in text
