"""The status bar shows the mode and connection, tasks in flight, credits used this session
and the credit; Settings opens from the header; a failing window action reaches the
error handler at once."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from conftest import drive
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QToolBar
from ui_harness import close_window, open_window, show_window

from nanobanana_desktop.api import GenerationRequest
from nanobanana_desktop.engine.events import ConnectionChanged
from nanobanana_desktop.engine.records import TaskState
from nanobanana_desktop.session import Session, SessionOptions
from nanobanana_desktop.ui.main_window import MainWindow
from nanobanana_desktop.ui.status_strip import StatusStrip
from nanobanana_desktop.ui.style import STATUS_FAILED

REQUEST = GenerationRequest("google/gempix2", "a pear on a green cloth")


def test_status_bar_follows_a_task_and_the_balance(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        strip = window.status_strip
        try:
            await window.credit_loaded.wait()
            seen = {"start": (strip.connection.text(), strip.balance.text(), strip.counts.text())}
            engine = session.engine
            tasks = [await engine.submit(REQUEST) for _ in range(2)]
            seen["submitted"] = strip.counts.text()
            for task in tasks:
                await engine.wait(task.id)
            await engine.refresh_balance()
            seen["end"] = (
                strip.counts.text(),
                strip.session_credit.text(),
                strip.balance.text(),
                window.credit_label.text(),
            )
            return seen
        finally:
            await close_window(session, window)

    seen = drive(qloop, scenario())
    assert seen["start"] == ("Sandbox · online", "Credit: 100", "0 in flight · 0 done")
    assert seen["submitted"] == "2 in flight · 0 done"
    # The sandbox charges 0.5 per image delivered.
    assert seen["end"] == (
        "0 in flight · 2 done",
        "Used this session: 1 credit",
        "Credit: 99",
        "Credit: 99",
    )


def test_credits_from_an_earlier_session_are_not_counted_again(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        done = await session.engine.wait((await session.engine.submit(REQUEST)).id)
        await close_window(session, window)
        # A new run over the same profile: the finished task comes from the history.
        session = await Session.open(SessionOptions(use_sandbox=True))
        await session.engine.start()
        window = await show_window(qtbot, session)
        try:
            await session.engine.hide_task(done.id)  # a change to an old, charged task
            return done, window.status_strip.session_credit.text()
        finally:
            await close_window(session, window)

    done, used = drive(qloop, scenario())
    assert done.state is TaskState.SUCCEEDED and done.consumed == Decimal("0.5")
    assert used == "Used this session: 0 credits"


def test_offline_shows_in_the_strip_and_stays_until_it_is_over(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            await window.credit_loaded.wait()
            events = session.engine.events
            events.publish(ConnectionChanged(False, "Offline, retrying: connection refused"))
            offline = (
                window.status_strip.connection.text(),
                window.status_strip.dot.palette().color(QPalette.ColorRole.WindowText).name(),
                window.status_strip.connection.toolTip(),
                window.statusBar().currentMessage(),
            )
            events.publish(ConnectionChanged(True, "Connected"))
            back = (window.status_strip.connection.text(), window.statusBar().currentMessage())
            return offline, back
        finally:
            await close_window(session, window)

    offline, back = drive(qloop, scenario())
    assert offline[0] == "Sandbox · offline, retrying"
    assert offline[1] == STATUS_FAILED.light
    assert offline[2] == offline[3] == "Offline, retrying: connection refused"
    assert back == ("Sandbox · online", "Connected again")


def test_strip_before_any_answer_says_connecting(qtbot):
    strip = StatusStrip("api.defapi.org")
    qtbot.addWidget(strip)
    assert strip.connection.text() == "api.defapi.org · connecting…"
    strip.set_balance(None, "401: the key was refused")
    assert strip.balance.text() == "Credit: unknown"
    assert strip.balance.toolTip() == "401: the key was refused"


def test_strip_counts_and_credits_read_as_english(qtbot):
    strip = StatusStrip("Sandbox")
    qtbot.addWidget(strip)
    strip.set_counts({"running": 1, "done": 2, "failed": 1, "attention": 1})
    one = strip.counts.text()
    strip.set_counts({"running": 0, "done": 2, "failed": 0, "attention": 2})
    assert (one, strip.counts.text()) == (
        "1 in flight · 2 done · 1 failed · 1 needs a look",
        "0 in flight · 2 done · 2 need a look",
    )
    assert strip.session_credit.text() == "Used this session: 0 credits"
    strip.used = Decimal("3.50")
    strip._show_used()
    assert strip.session_credit.text() == "Used this session: 3.5 credits"


# The offscreen platform cannot raise windows; raising is what a real desktop does.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_settings_opens_non_modal_from_the_header_and_only_once(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            window.settings_button.click()
            first = window.settings_dialog
            window.settings_action.trigger()
            return first, window.settings_dialog, first.isVisible(), first.isModal()
        finally:
            await close_window(session, window)

    first, second, visible, modal = drive(qloop, scenario())
    assert first is second
    assert visible and not modal


def test_the_frame_before_the_session_shows_the_header_with_settings(qtbot):
    window = MainWindow(mode="api", mode_label="api.defapi.org")
    qtbot.addWidget(window)
    window.show()
    assert window.findChildren(QToolBar) == []  # no toolbar row above the header
    assert window.settings_button.isVisible()
    assert window.settings_button.defaultAction() is window.settings_action
    assert not window.settings_action.isEnabled()  # nothing to configure yet
    assert not window.status_strip.isVisible()  # nothing to report before an engine


def test_task_actions_sit_by_the_task_list_with_their_shortcuts(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            buttons = window.task_panel.action_buttons
            actions = (window.check_action, window.retry_action)
            return (
                [b.defaultAction() is a for b, a in zip(buttons, actions, strict=True)],
                [b.isVisible() for b in buttons],
                [(a.text(), a.shortcut().toString()) for a in actions],
                window.status_strip.isVisible(),
            )
        finally:
            await close_window(session, window)

    theirs, visible, shown, strip = drive(qloop, scenario())
    assert theirs == [True, True] and all(visible)
    assert shown == [("Check now", "F5"), ("Retry", "Ctrl+R")]
    assert strip  # the engine is there: the strip reports on it


def test_a_failing_window_action_reaches_the_loop_handler_at_once(qloop, qtbot):
    caught: list[dict] = []
    reported = asyncio.Event()

    async def explode() -> None:
        raise ZeroDivisionError("bad sum")

    async def scenario():
        session, window = await open_window(qtbot)
        loop = asyncio.get_running_loop()

        def handler(_loop, context):
            caught.append(context)
            reported.set()

        loop.set_exception_handler(handler)
        try:
            window._spawn(explode())
            await reported.wait()
        finally:
            loop.set_exception_handler(None)
            await close_window(session, window)

    drive(qloop, scenario(), timeout=10)
    assert isinstance(caught[0]["exception"], ZeroDivisionError)
    assert caught[0]["message"] == "a window action failed"
