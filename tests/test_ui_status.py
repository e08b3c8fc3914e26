"""The status bar shows the mode and connection, tasks in flight, credits used this session
and the balance; Settings opens from the toolbar; a failing window action reaches the
error handler at once."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from conftest import drive
from ui_harness import close_window, open_window, show_window

from nanobanana_desktop.api import GenerationRequest
from nanobanana_desktop.engine.events import ConnectionChanged
from nanobanana_desktop.engine.records import TaskState
from nanobanana_desktop.session import Session, SessionOptions
from nanobanana_desktop.ui.status_strip import StatusStrip

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
    assert seen["start"] == ("Sandbox · online", "Balance: 100", "0 in flight · 0 done")
    assert seen["submitted"] == "2 in flight · 0 done"
    # The sandbox charges 0.5 per image delivered.
    assert seen["end"] == (
        "0 in flight · 2 done",
        "Used this session: 1",
        "Balance: 99",
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
    assert used == "Used this session: 0"


def test_offline_shows_in_the_strip_and_stays_until_it_is_over(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            await window.credit_loaded.wait()
            events = session.engine.events
            events.publish(ConnectionChanged(False, "Offline, retrying: connection refused"))
            offline = (
                window.status_strip.connection.text(),
                window.status_strip.dot.styleSheet(),
                window.status_strip.connection.toolTip(),
                window.statusBar().currentMessage(),
            )
            events.publish(ConnectionChanged(True, "Connected"))
            back = (window.status_strip.connection.text(), window.statusBar().currentMessage())
            return offline, back
        finally:
            await close_window(session, window)

    offline, back = drive(qloop, scenario())
    assert offline[0] == "Sandbox · offline"
    assert "#c62828" in offline[1]
    assert offline[2] == offline[3] == "Offline, retrying: connection refused"
    assert back == ("Sandbox · online", "Connected again")


def test_strip_before_any_answer_says_connecting(qtbot):
    strip = StatusStrip("api.defapi.org")
    qtbot.addWidget(strip)
    assert strip.connection.text() == "api.defapi.org · connecting…"
    strip.set_balance(None, "401: the key was refused")
    assert strip.balance.text() == "Balance: unknown"
    assert strip.balance.toolTip() == "401: the key was refused"


# The offscreen platform cannot raise windows; raising is what a real desktop does.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_settings_opens_non_modal_from_the_toolbar_and_only_once(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            window.settings_action.trigger()
            first = window.settings_dialog
            window.settings_action.trigger()
            return first, window.settings_dialog, first.isVisible(), first.isModal()
        finally:
            await close_window(session, window)

    first, second, visible, modal = drive(qloop, scenario())
    assert first is second
    assert visible and not modal


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
