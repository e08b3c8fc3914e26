"""Runs the sandbox: the API origin and the CDN origin, each on its own loopback port.

Three ways in: ``await Sandbox(...).start()`` on a running loop, :class:`SandboxThread`
on a background loop (the app's ``--sandbox``, and the tests), and ``nanobanana sandbox``.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from concurrent.futures import Future
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import web

from ..api.endpoint import is_loopback_host
from .api_routes import api_app
from .cdn import CdnStore, cdn_app
from .config import SandboxConfig
from .records import RecordLog
from .tasks import TaskBook

T = TypeVar("T")
# Any key with the dk- prefix works; this one is what the app uses in sandbox mode.
SANDBOX_KEY = "dk-sandbox-0000000000000000"


def _listen(host: str, port: int) -> socket.socket:
    if not is_loopback_host(host):
        raise ValueError(f"The sandbox listens on loopback only, not on {host!r}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class Sandbox:
    """The emulator on the current event loop."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        host: str = "127.0.0.1",
        api_port: int = 0,
        cdn_port: int = 0,
    ) -> None:
        self.config = config or SandboxConfig()
        self.records = RecordLog()
        self.store = CdnStore()
        self._host = host
        self._ports = (api_port, cdn_port)
        self._bound: list[tuple[web.AppRunner, int]] = []  # each runner and its port
        self.api_url = ""
        self.cdn_url = ""
        self.book: TaskBook | None = None

    async def start(self) -> Self:
        api_sock = _listen(self._host, self._ports[0])
        try:
            cdn_sock = _listen(self._host, self._ports[1])
        except OSError:
            api_sock.close()
            raise
        shown = f"[{self._host}]" if ":" in self._host else self._host
        self.api_url = f"http://{shown}:{api_sock.getsockname()[1]}"
        self.cdn_url = f"http://{shown}:{cdn_sock.getsockname()[1]}"
        self.book = TaskBook(self.config, self.store, self.records, self.cdn_url)
        apps = (
            (api_app(self.book), api_sock),
            (cdn_app(self.store, self.records, self.config), cdn_sock),
        )
        for app, sock in apps:
            # Stopping must not wait for slow answers in flight (the "slow" fault holds
            # one for many seconds): the app closing with its sandbox has 2 s in all.
            runner = web.AppRunner(
                app, handle_signals=False, access_log=None, shutdown_timeout=0.25
            )
            await runner.setup()
            await web.SockSite(runner, sock).start()
            self._bound.append((runner, sock.getsockname()[1]))
        return self

    async def go_away(self) -> None:
        """A network outage: both origins stop listening and drop every connection.

        Tasks keep running on the server meanwhile; come_back() listens on the same ports.
        """
        for runner, _port in self._bound:
            for site in list(runner.sites):
                await site.stop()
            assert runner.server is not None
            for connection in runner.server.connections:
                connection.force_close()
        if self.book is not None:
            self.book.away = True

    async def come_back(self) -> None:
        for runner, port in self._bound:
            await web.SockSite(runner, _listen(self._host, port)).start()
        if self.book is not None:
            self.book.away = False

    async def stop(self) -> None:
        if self.book is not None:
            await self.book.close()
        for runner, _port in reversed(self._bound):
            await runner.cleanup()
        self._bound.clear()

    def publish(self, data: bytes, *, suffix: str = ".png", ttl: float | None = None) -> str:
        """Host bytes on the CDN origin (for reference images in tests and demos)."""
        return self.cdn_url + self.store.put(data, suffix=suffix, ttl=ttl)

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


class SandboxThread:
    """The emulator on its own event loop in a daemon thread.

    The app's Qt loop and a test's loop stay free: rendering and slow answers in the
    sandbox never stall them.
    """

    def __init__(self, config: SandboxConfig | None = None, **kwargs: Any) -> None:
        self.sandbox = Sandbox(config, **kwargs)
        # A fresh default policy, not the global one: under qasync on Python 3.11 the
        # global policy makes Qt event loops, which must not run outside the main thread.
        self._loop = asyncio.DefaultEventLoopPolicy().new_event_loop()
        self._thread = threading.Thread(target=self._run, name="nanobanana-sandbox", daemon=True)
        self._ready: Future[None] = Future()

    @property
    def api_url(self) -> str:
        return self.sandbox.api_url

    @property
    def cdn_url(self) -> str:
        return self.sandbox.cdn_url

    @property
    def config(self) -> SandboxConfig:
        return self.sandbox.config

    @property
    def records(self) -> RecordLog:
        return self.sandbox.records

    def start(self, timeout: float = 10.0) -> Self:
        self._thread.start()
        self._ready.result(timeout)
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self.sandbox.start())
        except BaseException as exc:
            self._ready.set_exception(exc)
            return
        self._ready.set_result(None)
        self._loop.run_forever()
        self._loop.run_until_complete(self.sandbox.stop())
        # Answers still held by the "slow" fault outlive the runners' grace period.
        leftovers = asyncio.all_tasks(self._loop)
        for task in leftovers:
            task.cancel()
        if leftovers:
            self._loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.run_until_complete(self._loop.shutdown_default_executor())
        self._loop.close()

    def call(self, fn: Any, *args: Any, timeout: float = 10.0) -> Any:
        """Run ``fn(*args)`` (sync, or a coroutine function) on the sandbox's loop."""

        async def runner() -> Any:
            result = fn(*args)
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(runner(), self._loop).result(timeout)

    def publish(self, data: bytes, *, suffix: str = ".png", ttl: float | None = None) -> str:
        return str(self.call(lambda: self.sandbox.publish(data, suffix=suffix, ttl=ttl)))

    @property
    def book(self) -> TaskBook:
        assert self.sandbox.book is not None, "the sandbox has not started"
        return self.sandbox.book

    def hold(self, *endpoints: str) -> None:
        """Requests to ``endpoints`` ("gen", "query", "user") wait until release()."""
        self.call(self.book.hold, endpoints)

    def release(self) -> None:
        self.call(self.book.release)

    def go_away(self) -> None:
        self.call(self.sandbox.go_away)

    def come_back(self) -> None:
        self.call(self.sandbox.come_back)

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
