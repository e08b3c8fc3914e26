"""The engine recovers from what goes wrong around it: a full or read-only disk, a library
folder that vanishes, a task that runs too long, a lost answer, a revoked key, a network
that stops answering and one that goes away altogether (seen through the window too).
Nothing is lost, nothing is sent twice, and every task ends saved.

Run against the sandbox over loopback; the disk cases use small tmpfs mounts (tests run as
root) so the kernel itself refuses the writes.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import drive, run
from engine_harness import REQUEST, engine_for, free_port, posts
from fault_harness import scaled_retry
from ui_harness import show_window

from nanobanana_desktop.api import RetryPolicy
from nanobanana_desktop.engine.events import (
    ConnectionChanged,
    Event,
    ImageFailed,
    ImageSaved,
    TaskChanged,
)
from nanobanana_desktop.engine.library import claim_partial, sweep_partials
from nanobanana_desktop.engine.polling import PollPolicy
from nanobanana_desktop.engine.records import ImageState, TaskState
from nanobanana_desktop.sandbox import SANDBOX_KEY
from nanobanana_desktop.session import Session, SessionOptions

# A sandbox 1K PNG is 100-900 KB; with less than this free it cannot fit.
FREE_LIMIT = 50 * 1024


def queries(sandbox, *, status: int | None = None) -> int:
    found = sandbox.records.requests_to("api", "/api/task/query")
    return len([r for r in found if status is None or r.status == status])


def leftovers(library: Path) -> list[Path]:
    return list(library.rglob(".incoming-*"))


def library_files(library: Path) -> list[Path]:
    return [p for p in library.rglob("*.png") if not p.name.startswith(".")]


def free_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize


# ------------------------------------------------------------------ tmpfs mounts


def _sh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False)


@pytest.fixture
def tmpfs(tmp_path) -> Iterator[Callable[[str], Path]]:
    """``tmpfs("size=1m")`` mounts a fresh tmpfs as the library; unmounted afterwards.

    A failed mount fails the test: these cases are about what the kernel refuses, and a
    plain folder would not refuse anything.
    """
    library = tmp_path / "library"
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        library.mkdir(parents=True, exist_ok=True)
        done = _sh("mount", "-t", "tmpfs", "-o", options, "tmpfs", str(library))
        if done.returncode != 0:
            pytest.fail(
                f"could not mount a tmpfs ({options}) on {library}: these tests need root "
                f"and mount(8). mount said: {done.stderr.strip() or done.returncode}",
                pytrace=False,
            )
        mounted.append(library)
        return library

    try:
        yield mount
    finally:
        for folder in mounted:
            if _sh("umount", str(folder)).returncode != 0:
                _sh("umount", "-l", str(folder))
        still = [str(f) for f in mounted if os.path.ismount(f)]
        assert not still, f"tmpfs still mounted on {still}"


# ------------------------------------------------------------------ the disk


def test_full_disk_keeps_the_task_and_saves_after_space_is_freed(sandbox, tmp_path, tmpfs):
    library = tmpfs("size=1m")
    filler = library / "filler.bin"
    filler.write_bytes(b"\0" * max(free_bytes(library) - 16 * 1024, 0))
    assert free_bytes(library) < FREE_LIMIT
    failures: list[ImageFailed] = []

    async def first_run():
        async with engine_for(sandbox, tmp_path) as engine:
            engine.events.subscribe(
                lambda e: failures.append(e) if isinstance(e, ImageFailed) else None
            )
            task = await engine.submit(REQUEST)
            return await engine.wait(task.id), await engine.store.images_for(task.id)

    blocked, [image] = run(first_run())
    assert blocked.state is TaskState.DOWNLOADING  # not lost, not failed
    assert "disk space" in (blocked.status_reason or "")
    assert image.state is ImageState.PENDING and image.path is None
    [failed] = failures
    assert failed.message == blocked.status_reason
    assert failed.image.state is ImageState.PENDING
    assert leftovers(library) == []
    assert library_files(library) == []

    filler.unlink()

    async def second_run(local_id):
        async with engine_for(sandbox, tmp_path) as engine:
            return await engine.wait(local_id), await engine.store.images_for(local_id)

    done, [saved] = run(second_run(blocked.id))
    assert done.state is TaskState.SUCCEEDED
    assert saved.state is ImageState.SAVED and saved.id == image.id
    assert (library / saved.path).is_file()
    assert library_files(library) == [library / saved.path]
    assert leftovers(library) == []
    assert posts(sandbox) == 1  # resuming never resubmits


def test_read_only_library_keeps_the_task_and_saves_once_writable(sandbox, tmp_path, tmpfs):
    library = tmpfs("ro,size=4m")

    async def first_run():
        async with engine_for(sandbox, tmp_path) as engine:
            task = await engine.submit(REQUEST)
            return await engine.wait(task.id), await engine.store.images_for(task.id)

    blocked, [image] = run(first_run())
    assert blocked.state is TaskState.DOWNLOADING
    assert "read-only" in (blocked.status_reason or "").lower()
    assert image.state is ImageState.PENDING

    remount = _sh("mount", "-o", "remount,rw", str(library))
    assert remount.returncode == 0, remount.stderr

    async def second_run(local_id):
        async with engine_for(sandbox, tmp_path) as engine:
            return await engine.wait(local_id), await engine.store.images_for(local_id)

    done, [saved] = run(second_run(blocked.id))
    assert done.state is TaskState.SUCCEEDED
    assert saved.state is ImageState.SAVED and (library / saved.path).is_file()
    assert leftovers(library) == []
    assert posts(sandbox) == 1


def test_library_deleted_while_running_is_recreated(sandbox, tmp_path):
    library = tmp_path / "library"
    sandbox.config.in_progress_seconds = 0.3

    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            first = await engine.wait((await engine.submit(REQUEST)).id)
            assert first.state is TaskState.SUCCEEDED and library.is_dir()
            task = await engine.submit(REQUEST)
            # Nothing has been saved for it yet: the server needs 0.3 s more.
            assert not task.state.is_final
            shutil.rmtree(library)
            return await engine.wait(task.id), await engine.store.images_for(task.id)

    done, [image] = run(scenario())
    assert done.state is TaskState.SUCCEEDED
    assert image.state is ImageState.SAVED
    assert library_files(library) == [library / image.path]


# ------------------------------------------------------------------ a long task


STALL = PollPolicy(first=0.02, fast=0.02, slow=0.02, stall_after=0.3, jitter=0.0)


def test_stalled_task_stops_polling_and_is_polled_on_demand(sandbox, tmp_path):
    sandbox.config.in_progress_seconds = 1.5

    async def scenario():
        async with engine_for(sandbox, tmp_path, poll_policy=STALL) as engine:
            task = await engine.submit(REQUEST)
            stalled = await engine.wait(task.id)
            before = queries(sandbox)
            engine.poll_now(task.id)  # the server is still running it (1.5 s)
            await engine.wait(task.id)
            after = queries(sandbox)
            # Then on demand, as the user would, until the server is done.
            while (done := await engine.store.get_task(task.id)).state is not TaskState.SUCCEEDED:
                assert not done.state.is_final, done
                engine.poll_now(task.id)
                await engine.wait(task.id)
                await asyncio.sleep(0.05)  # pacing the user's clicks, not synchronisation
            return stalled, before, after, done, await engine.store.images_for(task.id)

    stalled, before, after, done, [image] = run(scenario())
    assert stalled.state is TaskState.STALLED
    assert stalled.state.label == "still running on the server"
    assert after == before + 1  # exactly the one asked for: background polling had stopped
    assert done.state is TaskState.SUCCEEDED
    assert image.state is ImageState.SAVED and (tmp_path / "library" / image.path).is_file()
    assert posts(sandbox) == 1


def test_stalled_task_polled_while_still_running_stays_stalled(sandbox, tmp_path):
    sandbox.config.in_progress_seconds = 1.5

    async def scenario():
        async with engine_for(sandbox, tmp_path, poll_policy=STALL) as engine:
            task = await engine.submit(REQUEST)
            stalled = await engine.wait(task.id)
            engine.poll_now(task.id)
            return stalled, await engine.wait(task.id)

    stalled, polled = run(scenario())
    assert stalled.state is TaskState.STALLED
    assert polled.state is TaskState.STALLED


# ------------------------------------------------------------------ the API


def test_outcome_unknown_is_never_resubmitted_on_its_own(sandbox, tmp_path):
    sandbox.config.faults.drop_connection.count = 1
    sandbox.config.faults.drop_connection.endpoints = frozenset({"gen"})

    async def first_run():
        async with engine_for(sandbox, tmp_path) as engine:
            return await engine.submit(REQUEST)

    async def restart(local_id):
        async with engine_for(sandbox, tmp_path) as engine:
            # resume() ran in start(); ask again to see what it picks up.
            resumed = await engine.resume()
            return resumed, await engine.store.get_task(local_id)

    async def resubmit(local_id):
        async with engine_for(sandbox, tmp_path) as engine:
            again = await engine.retry(local_id)
            return again, await engine.wait(again.id), await engine.store.get_task(local_id)

    lost = run(first_run())
    assert lost.state is TaskState.UNKNOWN
    assert lost.state.label == "outcome unknown: may have been charged"
    assert posts(sandbox) == 1

    resumed, after = run(restart(lost.id))
    assert lost.id not in [r.id for r in resumed]
    assert after.state is TaskState.UNKNOWN
    assert posts(sandbox) == 1

    again, done, old = run(resubmit(lost.id))
    assert again.id != lost.id and again.retry_of == lost.id
    assert done.state is TaskState.SUCCEEDED
    assert old.state is TaskState.UNKNOWN  # the lost one stays as it was
    assert posts(sandbox) == 2


class Connection:
    """Collects ConnectionChanged events; awaitable per direction."""

    def __init__(self) -> None:
        self.changes: list[ConnectionChanged] = []
        self.offline = asyncio.Event()
        self.online = asyncio.Event()

    def __call__(self, event: Event) -> None:
        if isinstance(event, ConnectionChanged):
            self.changes.append(event)
            (self.online if event.online else self.offline).set()


def test_revoked_key_mid_poll_keeps_the_task_until_the_key_works(sandbox, tmp_path):
    sandbox.config.in_progress_seconds = 0.2
    saved: list[ImageSaved] = []

    async def scenario():
        async with engine_for(sandbox, tmp_path) as engine:
            connection = Connection()
            engine.events.subscribe(connection)
            engine.events.subscribe(
                lambda e: saved.append(e) if isinstance(e, ImageSaved) else None
            )
            task = await engine.submit(REQUEST)
            sandbox.config.refused_keys.add(SANDBOX_KEY)
            await connection.offline.wait()
            waiting = await engine.store.get_task(task.id)
            refused = queries(sandbox, status=401)
            sandbox.config.refused_keys.discard(SANDBOX_KEY)
            engine.poll_now(task.id)
            done = await engine.wait(task.id)
            await connection.online.wait()
            return waiting, refused, done, connection.changes

    waiting, refused, done, changes = run(scenario())
    assert refused >= 1
    assert not waiting.state.is_final  # kept, not failed
    assert changes[0].online is False
    assert "key" in changes[0].message and "Settings" in changes[0].message
    assert changes[-1].online is True
    assert done.state is TaskState.SUCCEEDED
    assert [e.task.id for e in saved] == [done.id]
    assert posts(sandbox) == 1


def test_network_loss_goes_offline_and_recovers(sandbox, tmp_path):
    sandbox.config.in_progress_seconds = 0.2

    async def scenario():
        async with engine_for(sandbox, tmp_path, retry=RetryPolicy(max_retries=0)) as engine:
            connection = Connection()
            engine.events.subscribe(connection)
            task = await engine.submit(REQUEST)
            sandbox.config.faults.server_error.rate = 1.0
            await connection.offline.wait()
            waiting = await engine.store.get_task(task.id)
            sandbox.config.faults.server_error.rate = 0.0
            await connection.online.wait()
            return waiting, await engine.wait(task.id), connection.changes

    waiting, done, changes = run(scenario())
    assert not waiting.state.is_final and waiting.state is not TaskState.DOWNLOADING
    assert [c.online for c in changes] == [False, True]
    assert changes[0].message.startswith("Offline, retrying: ")
    assert changes[1].message == "Connected"
    assert done.state is TaskState.SUCCEEDED
    assert sandbox.config.faults.server_error.fired >= 1
    assert posts(sandbox) == 1


# ------------------------------------------------------------------ the network goes away


def test_the_sandbox_gone_mid_run_then_back_everything_resumes(sandbox, tmp_path):
    """Both origins stop listening and drop every connection, downloads included, while
    tasks run in every phase; when they come back every image is saved, untouched."""
    sandbox.config.in_progress_seconds = 0.3
    sandbox.config.cdn_seconds = 1.5  # a slow image host: downloads are cut mid-body
    saved: list[ImageSaved] = []
    failed: list[ImageFailed] = []

    async def scenario():
        policy = PollPolicy.scaled(0.05)
        async with engine_for(sandbox, tmp_path, poll_policy=policy) as engine:
            connection = Connection()
            engine.events.subscribe(connection)
            engine.events.subscribe(
                lambda e: saved.append(e) if isinstance(e, ImageSaved) else None
            )
            engine.events.subscribe(
                lambda e: failed.append(e) if isinstance(e, ImageFailed) else None
            )
            first = [await engine.submit(REQUEST) for _ in range(3)]
            # Wait for a download to be under way, then take the network away.
            while not leftovers(tmp_path / "library"):  # noqa: ASYNC110 - files emit nothing
                await asyncio.sleep(0.01)
            await asyncio.to_thread(sandbox.go_away)
            later = [await engine.submit(REQUEST) for _ in range(2)]  # refused at once
            await connection.offline.wait()
            await asyncio.sleep(3.0)  # the outage lasts; nothing here stands in for a signal
            during = [await engine.store.get_task(t.id) for t in first]
            await asyncio.to_thread(sandbox.come_back)
            done = [await engine.wait(t.id) for t in first]
            await connection.online.wait()
            return during, done, later, connection.changes

    during, done, later, changes = run(scenario(), timeout=90)
    assert all(not t.state.is_final for t in during)  # waiting, not given up
    assert [t.state for t in done] == [TaskState.SUCCEEDED] * 3
    # The two sent while the API was unreachable never left: failed, nothing charged.
    assert all(t.state is TaskState.FAILED and "connect" in (t.status_reason or "") for t in later)
    assert any("download" in e.message for e in failed)  # a download was cut, then redone
    assert sorted(e.task.id for e in saved) == [t.id for t in done]
    assert [c.online for c in changes][:1] == [False] and changes[-1].online is True
    assert library_files(tmp_path / "library") and not leftovers(tmp_path / "library")
    assert posts(sandbox) == 3


def outage_in_the_window(qloop, qtbot, outage: float, scale: float | None):
    """Four tasks from the composer; the sandbox goes away for ``outage`` seconds while they
    run, then comes back. Nobody touches the window meanwhile."""

    async def scenario():
        policy = PollPolicy.scaled(scale) if scale else PollPolicy()
        session = await Session.open(SessionOptions(use_sandbox=True, poll_policy=policy))
        assert session.engine is not None and session.sandbox is not None
        sandbox = session.sandbox
        if scale:
            # Tasks of 10 s on the scaled clock, which all end during the outage.
            sandbox.config.pending_seconds = sandbox.config.submitted_seconds = scale
            sandbox.config.in_progress_seconds = 8 * scale
            session.client.retry = scaled_retry(scale)
        await session.engine.start()
        window = await show_window(qtbot, session)
        strip = window.status_strip
        connection = Connection()
        session.engine.events.subscribe(connection)
        try:
            await window.credit_loaded.wait()
            window.composer.prompt.setPlainText("a lemon that waits out the storm")
            window.composer.variations.setValue(4)
            window.composer.generate_button.click()
            tasks = await sent(session.engine, 4)
            await asyncio.to_thread(sandbox.go_away)
            await connection.offline.wait()
            offline = (strip.connection.text(), window.statusBar().currentMessage())
            await asyncio.sleep(outage)  # the outage itself: what the test is about
            still = [await session.store.get_task(t) for t in tasks]
            await asyncio.to_thread(sandbox.come_back)
            done = [await session.engine.wait(t) for t in tasks]
            await connection.online.wait()
            back = (strip.connection.text(), window.statusBar().currentMessage())
            images = [await session.store.images_for(t) for t in tasks]
            lost_callbacks = [c for c in sandbox.records.callbacks if c.error]
            return offline, still, done, back, images, lost_callbacks
        finally:
            await window.stop()
            await session.close()

    offline, still, done, back, images, lost = drive(qloop, scenario(), timeout=outage + 120)
    assert offline[0] == "Sandbox · offline, retrying"
    assert offline[1].startswith("Offline, retrying: ")
    assert all(not t.state.is_final for t in still)
    assert [t.state for t in done] == [TaskState.SUCCEEDED] * 4
    assert back == ("Sandbox · online", "Connected again")
    assert all(image.state is ImageState.SAVED for [image] in images)
    return lost


async def sent(engine, count: int) -> list[int]:
    """The local ids of the next ``count`` tasks, once the server has answered for each."""
    answered: dict[int, bool] = {}
    ready = asyncio.Event()

    def seen(event: Event) -> None:
        if isinstance(event, TaskChanged) and event.task.task_id is not None:
            answered[event.task.id] = True
            if len(answered) >= count:
                ready.set()

    unsubscribe = engine.events.subscribe(seen)
    try:
        await ready.wait()
    finally:
        unsubscribe()
    return sorted(answered)[:count]


def test_the_window_says_offline_retrying_and_resumes_on_its_own(qloop, qtbot):
    # On a clock 20 times fast: the outage, the tasks and the client's retries alike.
    lost = outage_in_the_window(qloop, qtbot, outage=1.5, scale=0.05)
    assert lost  # tasks ended during the outage: their callbacks could not get out


@pytest.mark.slow
def test_the_window_rides_out_30_seconds_without_network(qloop, qtbot):
    lost = outage_in_the_window(qloop, qtbot, outage=30.0, scale=None)
    assert lost


# ------------------------------------------------------------------ lost answers, found


def test_a_lost_generation_answer_is_found_again_through_its_callback(sandbox, tmp_path):
    """The POST made the task but its answer was cut: the callback names the task, the API
    confirms it, and it is saved, without a second POST."""
    sandbox.config.in_progress_seconds = 0.3
    sandbox.config.faults.drop_connection.count = 1
    sandbox.config.faults.drop_connection.endpoints = frozenset({"gen"})
    port = free_port()

    async def scenario():
        async with engine_for(
            sandbox, tmp_path, webhook_public_url=f"http://127.0.0.1:{port}", webhook_port=port
        ) as engine:
            lost = await engine.submit(REQUEST)
            # No event but the callback's own brings it back: wait for the tracker it starts.
            while (found := await engine.store.get_task(lost.id)).task_id is None:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            return lost, await engine.wait(found.id), await engine.store.images_for(lost.id)

    lost, done, [image] = run(scenario())
    assert lost.state is TaskState.UNKNOWN and lost.task_id is None
    assert done.state is TaskState.SUCCEEDED and done.task_id is not None
    assert image.state is ImageState.SAVED
    assert posts(sandbox) == 1


def test_a_garbled_not_found_answer_does_not_end_the_task(sandbox, tmp_path):
    """A 404 without the API's envelope (a proxy's page, a cut body) is not the API saying
    the task is gone: it is asked again, and saved."""
    sandbox.config.not_found_seconds = 0.5
    sandbox.config.faults.malformed_json.count = 3
    sandbox.config.faults.malformed_json.endpoints = frozenset({"query"})

    async def scenario():
        async with engine_for(sandbox, tmp_path, retry=RetryPolicy(max_retries=0)) as engine:
            return await engine.wait((await engine.submit(REQUEST)).id)

    done = run(scenario())
    garbled = [
        r
        for r in sandbox.records.requests_to("api", "/api/task/query")
        if r.fault == "malformed_json"
    ]
    assert [r.status for r in garbled] == [404, 404, 404]
    assert done.state is TaskState.SUCCEEDED


def test_a_sweep_removes_what_a_crash_left_but_not_a_file_being_written(tmp_path):
    folder = tmp_path / "2026-11-24"
    folder.mkdir()
    orphan = folder / ".incoming-abc.part"
    orphan.write_bytes(b"half an image")
    kept = folder / "done.png"
    kept.write_bytes(b"a whole image")
    live = folder / ".incoming-def.part"
    with live.open("wb") as writer:
        claim_partial(writer.fileno())  # as a download in progress holds it
        removed = sweep_partials(folder)
        assert live.exists()
    assert removed == [orphan] and not orphan.exists() and kept.exists()
    assert sweep_partials(tmp_path / "missing") == []


def test_a_poll_waiting_to_retry_holds_no_slot_from_the_others(sandbox, tmp_path):
    """One poll slot; the first query is refused with Retry-After: 1. While it waits to
    try again, the other task's query goes out."""
    sandbox.config.in_progress_seconds = 0.5
    sandbox.config.faults.rate_limit.count = 1
    sandbox.config.faults.rate_limit.endpoints = frozenset({"query"})
    sandbox.config.faults.retry_after = 1.0

    async def scenario():
        async with engine_for(sandbox, tmp_path, max_polls_in_flight=1) as engine:
            tasks = [await engine.submit(REQUEST) for _ in range(2)]
            return [await engine.wait(t.id) for t in tasks]

    done = run(scenario())
    assert [t.state for t in done] == [TaskState.SUCCEEDED] * 2
    asked = sandbox.records.requests_to("api", "/api/task/query")
    refused = next(i for i, r in enumerate(asked) if r.status == 429)
    limited = asked[refused].query
    retried = next(i for i, r in enumerate(asked) if i > refused and r.query == limited)
    # Others were asked in the second the refused one waited; none had to wait for it.
    assert any(r.query != limited for r in asked[refused + 1 : retried])
    assert asked[retried].at - asked[refused].at >= 1.0
