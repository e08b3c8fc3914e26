"""The polling schedule's rules, and the history database's schema migrations."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import run

from nanobanana_desktop.api import GenerationRequest
from nanobanana_desktop.engine.polling import DurationBook, PollPolicy
from nanobanana_desktop.engine.records import TaskState
from nanobanana_desktop.engine.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError

STEADY = PollPolicy(jitter=0.0)


def test_without_history_the_schedule_is_2s_then_10s():
    assert STEADY.delay(0.0, 0) == 2.0  # the first look
    assert STEADY.delay(0.5, 0) == 1.5  # counted from submission
    assert STEADY.delay(10.0, 3) == 2.0
    assert STEADY.delay(59.0, 20) == 2.0
    assert STEADY.delay(61.0, 21) == 10.0
    assert STEADY.stalled(30 * 60.0) and not STEADY.stalled(29 * 60.0)


def test_jitter_stays_within_its_band():
    low = PollPolicy(rand=lambda: 0.0).delay(10.0, 3)
    high = PollPolicy(rand=lambda: 1.0).delay(10.0, 3)
    assert low == pytest.approx(2.0 * 0.85) and high == pytest.approx(2.0 * 1.15)


def test_webhooks_slow_the_fallback_but_not_the_first_look():
    assert STEADY.delay(0.0, 0, webhooks=True) == 2.0
    assert STEADY.delay(10.0, 3, webhooks=True) == 6.0


def test_learned_schedule_is_followed_then_settles():
    book = DurationBook()
    for seconds in range(8, 21):  # 13 tasks, 8 to 20 s
        book.add("m", float(seconds))
    schedule = book.schedule("m")
    assert schedule == (13.0, 17.0, 20.0)  # 40, 75 and 100 % finished
    assert STEADY.delay(2.0, 1, schedule=schedule) == 11.0  # sleep until 13 s
    assert STEADY.delay(13.0, 2, schedule=schedule) == 4.0  # then 17 s
    assert STEADY.delay(20.0, 4, schedule=schedule) == STEADY.settle  # past all of them
    assert STEADY.delay(0.0, 0, schedule=schedule) == 2.0  # the first look stays


def test_with_webhooks_only_the_last_learned_moment_is_polled_and_not_slowed():
    schedule = (13.0, 17.0, 20.0)
    # Slowing the wait for a learned moment would only let result links expire.
    assert STEADY.delay(2.0, 1, webhooks=True, schedule=schedule) == 18.0  # until 20 s
    assert STEADY.delay(21.0, 5, webhooks=True, schedule=schedule) == 3 * STEADY.settle


def test_after_a_callback_the_api_is_asked_at_the_fast_pace():
    # The task has ended; the API has not said so yet (not indexed, or lagging).
    schedule = (13.0, 17.0, 20.0)
    assert STEADY.delay(2.0, 1, webhooks=True, schedule=schedule, called_back=True) == 2.0
    assert STEADY.delay(90.0, 9, webhooks=True, called_back=True) == STEADY.fast


def test_too_little_history_learns_nothing():
    book = DurationBook(min_samples=5)
    for seconds in (9.0, 10.0, 11.0, 12.0):
        book.add("m", seconds)
    assert book.schedule("m") == ()
    assert book.schedule("other") == ()


def test_a_version_1_database_is_migrated_and_keeps_its_tasks(tmp_path):
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(MIGRATIONS[0])
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO tasks (task_id, created_at, updated_at, submitted_at, model, prompt, "
            "state, source) VALUES ('ta-old', 1, 1, 1, 'google/gempix2', 'old', 'succeeded', "
            "'cli')"
        )
    conn.close()

    async def reopen():
        store = await Store.open(path)
        try:
            task = await store.find_task("ta-old")
            await store.update_task(task.id, done_at=12.5)
            return await store.get_task(task.id), await store.recent_durations()
        finally:
            await store.close()

    task, durations = run(reopen())
    assert task.prompt == "old" and task.state is TaskState.SUCCEEDED and task.done_at == 12.5
    assert durations == [("google/gempix2", 11.5)]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_version_3_adds_hidden_tasks_that_lists_leave_out(tmp_path):
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(MIGRATIONS[0] + MIGRATIONS[1])
        conn.execute("PRAGMA user_version = 2")
        for task_id, state in (("ta-done", "succeeded"), ("ta-run", "in_progress")):
            conn.execute(
                "INSERT INTO tasks (task_id, created_at, updated_at, model, prompt, state, "
                "source) VALUES (?, 1, 1, 'm', 'p', ?, 'window')",
                (task_id, state),
            )
    conn.close()

    async def scenario():
        store = await Store.open(path)
        try:
            done = await store.find_task("ta-done")
            running = await store.find_task("ta-run")
            before = done.hidden
            hidden = await store.hide_task(done.id)
            with pytest.raises(ValueError, match="once it has finished"):
                await store.hide_task(running.id)
            return (
                before,
                hidden,
                [t.id for t in await store.list_tasks()],
                [t.id for t in await store.list_tasks(include_hidden=True)],
                [t.id for t in await store.list_tasks(states=[TaskState.SUCCEEDED])],
                await store.get_task(running.id),
            )
        finally:
            await store.close()

    before, hidden, shown, everything, succeeded, running = run(scenario())
    assert before is False and hidden.hidden is True
    assert shown == [running.id] and not running.hidden  # the running task cannot be hidden
    assert everything == [running.id, hidden.id]
    assert succeeded == []  # hidden from state queries too, unless asked for
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_images_of_many_tasks_come_in_one_call(tmp_path):
    async def scenario():
        store = await Store.open(tmp_path / "h.sqlite3")
        try:
            ids = []
            for n in range(3):
                task = await store.add_task(GenerationRequest("m", f"p{n}"), source="cli")
                ids.append(task.id)
            for index in (1, 0):
                await store.plan_image(ids[0], index, "inline", f"day/a-{index}")
            await store.plan_image(ids[2], 0, "inline", "day/c-0")
            return ids, await store.images_for_tasks([*ids, 999])
        finally:
            await store.close()

    ids, found = run(scenario())
    assert sorted(found) == [ids[0], ids[2]]
    assert [image.index for image in found[ids[0]]] == [0, 1]
    assert [image.stem for image in found[ids[2]]] == ["day/c-0"]


def test_a_database_from_a_newer_app_is_refused_with_advice(tmp_path):
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer version of the app"):
        run(Store.open(path))


def test_polls_are_counted_without_a_write_per_poll(tmp_path):
    async def scenario():
        store = await Store.open(tmp_path / "h.sqlite3")
        try:
            task = await store.add_task(GenerationRequest("m", "p"), source="cli")
            await store.update_task(task.id, state=TaskState.PENDING, polls=3)
            return await store.get_task(task.id), await store.task_history(task.id)
        finally:
            await store.close()

    task, history = run(scenario())
    assert task.poll_count == 3
    assert [state for state, _at, _d in history] == [TaskState.SUBMITTING, TaskState.PENDING]
