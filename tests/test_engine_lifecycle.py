"""The engine against the sandbox over loopback: every task tracked to its end, every image
saved once, and nothing lost across a restart."""

from __future__ import annotations

import asyncio

import pytest
from conftest import run
from engine_harness import REQUEST, engine_for, free_port, posts
from PIL import Image

from nanobanana_desktop.engine.events import ImageSaved, TaskAdded, TaskChanged
from nanobanana_desktop.engine.metadata import read_metadata
from nanobanana_desktop.engine.polling import PollPolicy
from nanobanana_desktop.engine.records import ImageState, TaskState
from nanobanana_desktop.engine.store import Store


def test_success_saves_the_image_with_metadata_and_history(sandbox, tmp_path):
    seen: list[object] = []

    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            engine.events.subscribe(seen.append)
            task = await engine.submit(REQUEST)
            done = await engine.wait(task.id)
            images = await engine.store.images_for(task.id)
            history = [state for state, _at, _d in await engine.store.task_history(task.id)]
            return done, images, history

    done, images, history = run(scenario())
    assert done.state is TaskState.SUCCEEDED
    assert done.consumed is not None and str(done.consumed) == "0.500000"
    assert history[0] is TaskState.SUBMITTING and history[-2:] == [
        TaskState.DOWNLOADING,
        TaskState.SUCCEEDED,
    ]
    assert TaskState.PENDING in history
    [image] = images
    assert image.state is ImageState.SAVED and image.format == "PNG"
    path = tmp_path / "library" / image.path
    # A person can read the layout: a day folder, the local time, the prompt, the task.
    assert path.parent.name.count("-") == 2
    assert "a-lemon-on-a-blue-plate" in path.name and path.suffix == ".png"
    meta = read_metadata(path.read_bytes())
    assert meta is not None and meta.prompt == REQUEST.prompt and meta.task_id == done.task_id
    with Image.open(path) as opened:
        assert opened.size == (1024, 1024)
    saved = [e for e in seen if isinstance(e, ImageSaved)]
    assert [e.path for e in saved] == [str(path)]
    assert posts(sandbox) == 1
    assert not list((tmp_path / "library").rglob(".incoming-*"))


def test_failed_task_is_failed_with_the_servers_reason(sandbox, tmp_path):
    sandbox.config.faults.fail_task.count = 1

    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            task = await engine.submit(REQUEST)
            return await engine.wait(task.id), await engine.store.images_for(task.id)

    done, images = run(scenario())
    assert done.state is TaskState.FAILED
    assert "could not generate an image" in (done.status_reason or "")
    assert images == []


def test_text_only_success_is_a_failure_that_shows_the_text(sandbox, tmp_path):
    sandbox.config.faults.text_only.count = 1

    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            task = await engine.submit(REQUEST)
            return await engine.wait(task.id)

    done = run(scenario())
    assert done.state is TaskState.FAILED
    assert (done.status_reason or "").startswith("The model answered in words")
    assert done.texts and "description" in done.texts[0]


def test_not_yet_indexed_window_is_waited_out(sandbox, tmp_path):
    sandbox.config.not_found_seconds = 0.4

    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            task = await engine.submit(REQUEST)
            return await engine.wait(task.id)

    assert run(scenario()).state is TaskState.SUCCEEDED
    statuses = [r.status for r in sandbox.records.requests_to("api", "/api/task/query")]
    assert statuses[0] == 404 and statuses[-1] == 200


def test_expired_result_is_reported_not_retried(sandbox, tmp_path):
    sandbox.config.result_ttl = 0.0

    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            task = await engine.submit(REQUEST)
            return await engine.wait(task.id), await engine.store.images_for(task.id)

    done, [image] = run(scenario())
    assert image.state is ImageState.EXPIRED
    assert "expired" in (image.error or "").lower()
    assert done.state is TaskState.FAILED
    assert len(sandbox.records.requests_to("cdn")) == 1


@pytest.mark.parametrize(
    ("config", "fmt", "suffix", "origin"),
    [
        ({"result_mode": "data"}, "PNG", ".png", "inline"),
        ({"image_format": "jpeg"}, "JPEG", ".jpg", "http"),
    ],
    ids=["data-uri", "jpeg-named-png"],
)
def test_result_forms_are_saved_by_their_real_format(
    sandbox, tmp_path, config, fmt, suffix, origin
):
    for name, value in config.items():
        setattr(sandbox.config, name, value)

    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            task = await engine.submit(REQUEST)
            await engine.wait(task.id)
            return await engine.store.images_for(task.id)

    [image] = run(scenario())
    assert image.state is ImageState.SAVED and image.format == fmt
    assert image.path.endswith(suffix) and image.origin.startswith(origin)
    assert read_metadata((tmp_path / "library" / image.path).read_bytes()) is not None


def test_webhook_callback_wakes_the_task_before_the_next_poll(sandbox, tmp_path):
    # After the first look, polls are a minute apart: only the callback can finish in time.
    slow = PollPolicy(first=0.05, fast=60.0, slow=60.0, jitter=0.0, webhook_slowdown=1.0)
    sandbox.config.in_progress_seconds = 0.3
    port = free_port()

    async def scenario():
        # The receiver's own loopback URL plays the user's public tunnel here.
        async with engine_for(
            sandbox,
            tmp_path,
            poll_policy=slow,
            webhook_public_url=f"http://127.0.0.1:{port}",
            webhook_port=port,
        ) as engine:
            task = await engine.submit(REQUEST)
            return await engine.wait(task.id)

    done = run(scenario(), timeout=15)
    assert done.state is TaskState.SUCCEEDED
    [callback] = sandbox.records.callbacks
    assert callback.status == 200 and callback.task_id == done.task_id
    assert f"127.0.0.1:{port}/nanobanana/callback/" in callback.url
    assert len(sandbox.records.requests_to("api", "/api/task/query")) <= 3


def test_fifty_concurrent_tasks_all_saved_once(sandbox, tmp_path):
    async def scenario():
        async with engine_for(sandbox, tmp_path, max_polls_in_flight=4) as engine:
            tasks = await asyncio.gather(*(engine.submit(REQUEST) for _ in range(50)))
            done = [await engine.wait(t.id) for t in tasks]
            images = await engine.store.saved_images()
            # Counted by the server: the queries it was answering at one time.
            return done, images, sandbox.records.peak_in_flight["/api/task/query"]

    done, images, peak = run(scenario(), timeout=60)
    assert [t.state for t in done] == [TaskState.SUCCEEDED] * 50
    assert len(images) == 50 and len({i.path for i in images}) == 50
    assert len(list((tmp_path / "library").rglob("*.png"))) == 50
    assert posts(sandbox) == 50
    assert 1 <= peak <= 4


def test_lost_answer_is_outcome_unknown_and_never_resent(sandbox, tmp_path):
    sandbox.config.faults.drop_connection.count = 1
    sandbox.config.faults.drop_connection.endpoints = frozenset({"gen"})

    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            lost = await engine.submit(REQUEST)
            again = await engine.retry(lost.id)
            done = await engine.wait(again.id)
            return lost, done

    lost, done = run(scenario())
    assert lost.state is TaskState.UNKNOWN
    assert "may have been created and charged" in (lost.status_reason or "")
    assert done.state is TaskState.SUCCEEDED and done.retry_of == lost.id
    assert posts(sandbox) == 2  # the lost one once, the user's resubmission once


def test_restart_resumes_unfinished_tasks_without_a_second_post(sandbox, tmp_path):
    sandbox.config.in_progress_seconds = 0.5

    async def first_run():
        async with engine_for(sandbox, tmp_path) as engine:
            # Leaving the block closes the engine: like quitting while the task runs.
            return await engine.submit(REQUEST)

    async def second_run(local_id):
        async with engine_for(sandbox, tmp_path) as engine:
            return await engine.wait(local_id), await engine.store.images_for(local_id)

    task = run(first_run())
    assert task.state is TaskState.PENDING
    done, [image] = run(second_run(task.id))
    assert done.state is TaskState.SUCCEEDED and image.state is ImageState.SAVED
    assert posts(sandbox) == 1


def test_task_caught_mid_submission_is_marked_unknown_on_restart(sandbox, tmp_path):
    async def crash_while_sending():
        store = await Store.open(tmp_path / "profile" / "history.sqlite3")
        try:
            return await store.add_task(REQUEST, source="cli")  # recorded, never answered
        finally:
            await store.close()

    async def restart(local_id):
        async with engine_for(sandbox, tmp_path) as engine:
            return await engine.store.get_task(local_id)

    recorded = run(crash_while_sending())
    after = run(restart(recorded.id))
    assert after.state is TaskState.UNKNOWN
    assert "may have been created and charged" in (after.status_reason or "")
    assert posts(sandbox) == 0


def test_progress_events_follow_every_step(sandbox, tmp_path):
    states: list[TaskState] = []

    def listen(event):
        if isinstance(event, TaskChanged):
            states.append(event.task.state)

    sandbox.config.pending_seconds = 0.1
    sandbox.config.in_progress_seconds = 0.1

    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            engine.events.subscribe(listen)
            task = await engine.submit(REQUEST)
            await engine.wait(task.id)

    run(scenario())
    assert states[0] is TaskState.PENDING
    assert TaskState.IN_PROGRESS in states
    assert states[-2:] == [TaskState.DOWNLOADING, TaskState.SUCCEEDED]


def test_wait_blocks_for_a_task_still_being_sent(sandbox, tmp_path):
    sandbox.config.faults.slow.count = 1  # the POST takes a while to be answered
    sandbox.config.faults.slow_seconds = 0.3

    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            added = asyncio.Event()
            seen: list[int] = []

            def listen(event):
                if isinstance(event, TaskAdded):
                    seen.append(event.task.id)
                    added.set()

            engine.events.subscribe(listen)
            sending = asyncio.ensure_future(engine.submit(REQUEST))
            await added.wait()
            finished = await engine.wait(seen[0])  # called before submit() has returned
            await sending
            return finished

    assert run(scenario()).state is TaskState.SUCCEEDED
