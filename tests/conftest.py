"""Shared fixtures: a sandbox over real loopback sockets, and a way to run coroutines.

QT_QPA_PLATFORM must be set before any QApplication exists; without it and without a
display, Qt aborts the whole run (exit 134) and hides its own message.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from keyring_double import memory_keyring  # noqa: F401 - a fixture for every test module

from nanobanana_desktop.api import NanoBananaClient, RetryPolicy
from nanobanana_desktop.sandbox import SANDBOX_KEY, SandboxConfig, SandboxThread

T = TypeVar("T")


@pytest.fixture(scope="session", autouse=True)
def one_qt_application(qapp):
    """pytest-qt's QApplication, made before any test runs. The command line makes a bare
    QCoreApplication when none exists (for its translations), and after that no
    QApplication can be made: a CLI test run before the first widget test broke every
    widget test after it, depending on which files were chosen."""
    return qapp


@pytest.fixture
def qloop(qapp):
    """A qasync loop over pytest-qt's QApplication (pytest-qt has no qasync support)."""
    import gc
    from concurrent.futures import ThreadPoolExecutor

    import qasync

    loop = qasync.QEventLoop(qapp)
    loop.set_default_executor(ThreadPoolExecutor(max_workers=4))  # as the app does
    asyncio.set_event_loop(loop)
    yield loop
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
    asyncio.set_event_loop(None)
    # Qt objects left in reference cycles must die on this thread: if the cyclic GC
    # reaps them later inside a worker thread, Qt stops their timers from the wrong one.
    gc.collect()


def drive(loop: Any, coro: Awaitable[T], timeout: float = 30.0) -> T:
    """Run a coroutine on the qasync loop, failing the test instead of hanging it."""
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def isolated_profile(tmp_path, monkeypatch):
    """No test reads or writes the user's real profile, library or keyring."""
    monkeypatch.setenv("NANOBANANA_PROFILE", str(tmp_path / "profile"))
    monkeypatch.setenv("NANOBANANA_LIBRARY", str(tmp_path / "library"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("NANOBANANA_API_KEY", raising=False)
    return tmp_path


@pytest.fixture
def sandbox() -> Iterator[SandboxThread]:
    """A sandbox on random loopback ports with no waiting in the task lifecycle."""
    with SandboxThread(SandboxConfig.instant()) as running:
        yield running


def run(coro: Awaitable[T], timeout: float = 20.0) -> T:
    """Drive a coroutine on a fresh loop, failing the test instead of hanging it."""

    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


class RecordingSleep:
    """Stands in for asyncio.sleep in retry tests: records each delay, waits for none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def recording_sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def make_client(
    sandbox: SandboxThread, recording_sleep: RecordingSleep
) -> Callable[..., NanoBananaClient]:
    """Clients for the sandbox whose retry waits are recorded, not slept.

    Build the client inside the coroutine that uses it (httpx binds to the running loop).
    """

    def factory(key: str = SANDBOX_KEY, **kwargs: Any) -> NanoBananaClient:
        kwargs.setdefault("base_url", sandbox.api_url)
        kwargs.setdefault("sleep", recording_sleep)
        kwargs.setdefault("retry", RetryPolicy(rand=lambda: 0.0))
        return NanoBananaClient(key, **kwargs)

    return factory


E = TypeVar("E", bound=BaseException)


def run_expecting(
    error: type[E],
    client: Callable[[], Any],
    call: Callable[[Any], Awaitable[object]],
) -> E:
    """Open a client, make one call that must raise ``error``, and return the error."""

    async def scenario() -> E:
        async with client() as opened:
            with pytest.raises(error) as caught:
                await call(opened)
            return caught.value

    return run(scenario())


@contextlib.contextmanager
def tmpfs(path: Path, options: str) -> Iterator[Path]:
    """A real tmpfs at ``path`` (e.g. "size=1m" for a full disk, "ro" for read-only)."""
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(
            f"could not mount a tmpfs ({options}) at {path}; these tests need root and "
            f"mount(8): {mounted.stderr.strip() or mounted.returncode}"
        )
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)
