"""The window follows every task live, and offers retry and check-now where they apply."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from conftest import drive
from PySide6.QtCore import Qt
from ui_harness import close_window, open_window

from nanobanana_desktop.api import GenerationRequest
from nanobanana_desktop.engine.records import TaskRecord, TaskState
from nanobanana_desktop.ui.task_model import TaskListModel, TaskRole

REQUEST = GenerationRequest("google/gempix2", "a lemon <b>on</b> a plate")


def record(local_id: int, state: TaskState, **extra) -> TaskRecord:
    return TaskRecord(
        id=local_id,
        task_id=f"ta{local_id}",
        created_at=1.0,
        model="m",
        prompt=f"p{local_id}",
        references=(),
        aspect_ratio=None,
        image_size=None,
        state=state,
        source="window",
        updated_at=1.0,
        **extra,
    )


def test_model_puts_new_tasks_on_top_and_updates_in_place(qapp):
    model = TaskListModel()
    model.load([record(1, TaskState.SUCCEEDED), record(2, TaskState.PENDING)])
    assert [model.task_at(r).id for r in range(2)] == [2, 1]
    model.upsert(record(3, TaskState.SUBMITTING))
    model.upsert(record(2, TaskState.FAILED, status_reason="boom", consumed=Decimal("0")))
    assert [model.task_at(r).id for r in range(3)] == [3, 2, 1]
    failed = model.index(1, 3)
    assert model.data(failed) == "failed"
    assert model.data(failed, Qt.ItemDataRole.ToolTipRole) == "failed: boom"
    assert model.data(failed, Qt.ItemDataRole.ForegroundRole) is not None
    assert model.data(model.index(1, 4)) == "0"
    assert model.data(model.index(0, 0), TaskRole).id == 3
    assert model.counts() == {"running": 1, "done": 1, "failed": 1, "attention": 0}


def test_tasks_appear_and_follow_to_done_with_counts(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            assert window.stack.currentWidget() is window.empty_label
            states: list[str] = []
            window.tasks.dataChanged.connect(
                lambda top, _b: states.append(window.tasks.data(top.siblingAtColumn(3)))
            )
            task = await session.engine.submit(REQUEST)
            assert window.stack.currentWidget() is window.table
            assert window.tasks.rowCount() == 1
            await session.engine.wait(task.id)
            return states, window.tasks.data(window.tasks.index(0, 3)), window.counts_label.text()
        finally:
            await close_window(session, window)

    states, final, counts = drive(qloop, scenario())
    assert final == "done"
    assert states[-2:] == ["saving", "done"]
    assert counts == "0 running · 1 done"


def test_outcome_unknown_offers_resubmit_which_sends_once_more(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            faults = session.sandbox.config.faults
            faults.drop_connection.count = 1
            faults.drop_connection.endpoints = frozenset({"gen"})
            lost = await session.engine.submit(REQUEST)
            window.table.selectRow(0)
            label, enabled = window.retry_action.text(), window.retry_action.isEnabled()
            reason_shown = window.reason_label.text()
            added = asyncio.Event()
            window.tasks.rowsInserted.connect(added.set)
            window.retry_action.trigger()
            await added.wait()
            newest = window.tasks.task_at(0)
            done = await session.engine.wait(newest.id)
            posts = session.sandbox.records.requests_to("api", "/api/image/gen")
            return lost, label, enabled, reason_shown, done, len(posts), window.counts_label.text()
        finally:
            await close_window(session, window)

    lost, label, enabled, reason, done, posts, counts = drive(qloop, scenario())
    assert lost.state is TaskState.UNKNOWN
    assert (label, enabled) == ("Resubmit", True)
    assert "may have been created and charged" in reason
    assert done.state is TaskState.SUCCEEDED and done.retry_of == lost.id
    assert posts == 2
    assert counts == "0 running · 1 done · 1 need a look"


def test_check_now_is_only_for_tasks_still_running(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            session.sandbox.config.in_progress_seconds = 5.0
            running = await session.engine.submit(REQUEST)
            window.table.selectRow(0)
            can_check = window.check_action.isEnabled()
            can_retry = window.retry_action.isEnabled()
            before = len(session.sandbox.records.requests_to("api", "/api/task/query"))
            window.check_action.trigger()
            queries = session.sandbox.records.requests_to
            # The sandbox logs on its own thread: look until the query shows (bounded by drive).
            while len(queries("api", "/api/task/query")) == before:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            return running, can_check, can_retry
        finally:
            await close_window(session, window)

    running, can_check, can_retry = drive(qloop, scenario())
    assert running.state is TaskState.PENDING
    assert can_check and not can_retry


def test_prompts_with_markup_are_shown_as_text(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            task = await session.engine.submit(REQUEST)
            await session.engine.wait(task.id)
            return window.tasks.data(window.tasks.index(0, 1))
        finally:
            await close_window(session, window)

    assert drive(qloop, scenario()) == "a lemon <b>on</b> a plate"
