"""The engine recovers from what goes wrong around it: a full or read-only disk, a library
folder that vanishes, a task that runs too long, a lost answer, a revoked key and a network
that stops answering. Nothing is lost, nothing is sent twice, and every task ends saved.

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
from conftest import run
from engine_harness import REQUEST, engine_for, posts

from nanobanana_desktop.api import RetryPolicy
from nanobanana_desktop.engine.events import ConnectionChanged, Event, ImageFailed, ImageSaved
from nanobanana_desktop.engine.polling import PollPolicy
from nanobanana_desktop.engine.records import ImageState, TaskState
from nanobanana_desktop.sandbox import SANDBOX_KEY

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
