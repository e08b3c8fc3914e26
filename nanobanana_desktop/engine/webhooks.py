"""Receives the API's task callbacks on this machine, behind a tunnel the user runs.

A desktop app has no public address: the user points a tunnel (cloudflared, ngrok) from a
public https URL at a local port, and this receiver listens on loopback only, so nothing on
the network reaches it except through that tunnel. Each task gets its own callback URL with
an unguessable token; a request is worth anything only when it carries a token we issued.

A callback is a hint, not a fact: anyone who learns a URL can post to it, so an accepted
callback should mean "query this task now" to the engine, never the task's result.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from ..api.errors import NanoBananaError, RequestValidationError
from ..api.models import TaskSnapshot
from ..api.parsing import parse_snapshot
from ..api.validation import check_callback_url
from ..messages import translatable

__all__ = [
    "CALLBACK_PATH",
    "MAX_CALLBACK_BYTES",
    "CallbackEvent",
    "WebhookReceiver",
]

log = logging.getLogger(__name__)

# The documented payload is a few hundred bytes; result URLs stay short, but a callback
# carrying data: URIs would not, and those are refused rather than buffered.
MAX_CALLBACK_BYTES = 64 * 1024
CALLBACK_PATH = "/nanobanana/callback/"
# new_token() makes 43 characters; the floor keeps guessable short strings out even if a
# token was stored by some other means, the ceiling keeps junk out of lookups.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,128}", re.ASCII)
_CALLBACK_ROUTE = re.compile(r"(?P<prefix>.*)/nanobanana/callback/(?P<token>[^/]*)", re.DOTALL)
_KEEP_REJECTED = 100
_SHOWN_DETAIL = 160
# A stalled client must not hold stop() for aiohttp's default minute.
_SHUTDOWN_GRACE = 2.0
_READ_ERRORS = (OSError, aiohttp.ClientError, HttpProcessingError)


@dataclass(frozen=True)
class CallbackEvent:
    """An accepted callback: which URL it came in on, and what it claimed."""

    token: str
    snapshot: TaskSnapshot


def _mask(token: str) -> str:
    """Enough to tell tokens apart in a log, never enough to post to one."""
    return _printable(token[:6]) + "…"


def _printable(text: str) -> str:
    # Paths and payload text are attacker-chosen: no newlines or escapes into the log.
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _masked_path(path: str) -> str:
    # Any long segment could be a token posted to the wrong path; tokens are >= 32 chars.
    segments = [s if len(s) <= 16 else _mask(s) for s in path.split("/")]
    shown = _printable("/".join(segments))
    return shown if len(shown) <= _SHOWN_DETAIL else shown[: _SHOWN_DETAIL - 1] + "…"


def _clip(text: str) -> str:
    text = _printable(" ".join(text.split()))
    return text if len(text) <= _SHOWN_DETAIL else text[: _SHOWN_DETAIL - 1] + "…"


_NOT_HTTPS = translatable(
    "Webhooks",
    "The webhook's public address {url} must start with https:// (plain http only to "
    "127.0.0.1); use the https address your tunnel shows",
)
_NOT_PLAIN = translatable(
    "Webhooks",
    "The webhook's public address {url} must not carry a query, fragment or login; give "
    "only scheme, host, port and path",
)
_NOT_LOOPBACK = translatable(
    "Webhooks",
    "The webhook receiver listens on loopback only (127.0.0.1, ::1 or localhost), not on "
    "{host}: the tunnel is what makes it reachable",
)
_BOUND_ELSEWHERE = translatable(
    "Webhooks", "The webhook receiver would listen on {address}, not loopback"
)


def _check_public_url(url: str) -> str:
    try:
        check_callback_url(url)
    except RequestValidationError:
        raise ValueError(_NOT_HTTPS.format(url=repr(url))) from None
    parts = urlsplit(url)
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(_NOT_PLAIN.format(url=repr(url)))
    return url


def _loopback_bind_host(host: str) -> str:
    """The address to bind for ``host``, which must be loopback."""
    bare = host.strip().strip("[]").lower()
    if bare == "localhost":
        # Resolving "localhost" can yield a non-loopback address on a bent resolver.
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(bare).is_loopback:
            return bare
    except ValueError:
        pass
    raise ValueError(_NOT_LOOPBACK.format(host=repr(host)))


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        bound = str(sock.getsockname()[0])
        if not ipaddress.ip_address(bound).is_loopback:  # the check above, made on the fact
            raise ValueError(_BOUND_ELSEWHERE.format(address=bound))
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


class WebhookReceiver:
    """An aiohttp server on loopback that turns callback POSTs into :class:`CallbackEvent`.

    ``lookup`` says whether a token is one we issued (the engine keeps tokens in its store,
    so they survive restarts); ``on_callback`` runs in the background, after the answer, so
    a slow or failing engine never makes the API wait or retry.
    """

    def __init__(
        self,
        public_url: str,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        lookup: Callable[[str], Awaitable[bool]],
        on_callback: Callable[[CallbackEvent], Awaitable[None]],
        max_body: int = MAX_CALLBACK_BYTES,
        read_timeout: float = 10.0,
    ) -> None:
        if max_body <= 0:
            raise ValueError("max_body must be positive")
        if not 0 <= port <= 65535:
            raise ValueError(f"{port} is not a TCP port")
        self._host = _loopback_bind_host(host)
        self._public_url = _check_public_url(public_url)
        self._wanted_port = port
        self._lookup = lookup
        self._on_callback = on_callback
        self.max_body = max_body
        self._read_timeout = read_timeout
        self.rejected: list[tuple[str, str]] = []
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._deliveries: set[asyncio.Task[None]] = set()

    # -- addresses -------------------------------------------------------------------

    @property
    def public_url(self) -> str:
        return self._public_url

    @public_url.setter
    def public_url(self, url: str) -> None:
        # Free tunnels get a new address each run; the receiver need not restart for it.
        self._public_url = _check_public_url(url)

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("The webhook receiver is not running; call start() first")
        return self._port

    @property
    def local_url(self) -> str:
        """Where the tunnel must forward to."""
        shown = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{shown}:{self.port}"

    @property
    def running(self) -> bool:
        return self._runner is not None

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    def callback_url(self, token: str) -> str:
        if not _TOKEN.fullmatch(token):
            # A URL the receiver would answer 404 must never reach the API.
            raise ValueError("The callback token is malformed; make one with new_token()")
        return self._public_url.rstrip("/") + CALLBACK_PATH + token

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("The webhook receiver is already running")
        sock = _listen(self._host, self._wanted_port)
        app = web.Application(client_max_size=self.max_body)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(
            app,
            handle_signals=False,
            access_log=None,  # every callback path carries a token
            shutdown_timeout=_SHUTDOWN_GRACE,
            # aiohttp would otherwise keep reading a refused body for up to 10 s to
            # save the connection; closing it is the point of refusing.
            lingering_time=0,
        )
        try:
            await runner.setup()
            await web.SockSite(runner, sock).start()
        except BaseException:
            await runner.cleanup()
            sock.close()
            raise
        self._runner = runner
        self._port = int(sock.getsockname()[1])
        log.info("webhook receiver listening on %s", self.local_url)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        try:
            # The server first, so that no request accepted meanwhile starts a delivery
            # after the cancelling below.
            if runner is not None:
                await runner.cleanup()
                log.info("webhook receiver on port %s stopped", self._port)
        finally:
            self._port = None
            deliveries = list(self._deliveries)
            for task in deliveries:
                task.cancel()
            if deliveries:
                # wait(), not awaiting each task under suppress(CancelledError): that would
                # also swallow a cancellation of stop() itself.
                await asyncio.wait(deliveries)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # -- requests --------------------------------------------------------------------

    def _reject(self, status: int, reason: str, detail: str) -> web.Response:
        log.warning("webhook refused (%s, HTTP %d): %s", reason, status, detail)
        self.rejected.append((reason, detail))
        del self.rejected[:-_KEEP_REJECTED]
        response = web.json_response({"ok": False, "error": reason}, status=status)
        response.force_close()  # says "Connection: close": the body may lie unread
        return response

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.rel_url.raw_path
        route = _CALLBACK_ROUTE.fullmatch(raw_path)
        prefix = urlsplit(self._public_url).path.rstrip("/")
        if route is None or route["prefix"] not in ("", prefix):
            shown = f"{_printable(request.method)} {_masked_path(raw_path)}"
            return self._reject(404, "no such route", shown)
        token = route["token"]
        if request.method != "POST":
            # 404, not 405: a refusal should not confirm that the callback route exists.
            return self._reject(
                404, "method not allowed", f"{_printable(request.method)} for {_mask(token)}"
            )
        if not _TOKEN.fullmatch(token):
            return self._reject(404, "malformed token", f"{_mask(token)} ({len(token)} chars)")
        try:
            known = await self._lookup(token)
        except Exception:
            log.exception("webhook token lookup failed for %s", _mask(token))
            return self._reject(500, "lookup failed", _mask(token))
        if not known:
            return self._reject(404, "unknown token", _mask(token))
        return await self._accept(request, token)

    async def _accept(self, request: web.Request, token: str) -> web.StreamResponse:
        declared = request.content_length
        if declared is not None and declared > self.max_body:
            return self._reject(413, "body too large", f"{_mask(token)}: {declared} bytes declared")
        try:
            async with asyncio.timeout(self._read_timeout):
                body = await self._read_capped(request)
        except TimeoutError:
            return self._reject(408, "body too slow", _mask(token))
        except _READ_ERRORS as exc:
            return self._reject(400, "body unreadable", f"{_mask(token)}: {type(exc).__name__}")
        if body is None:
            return self._reject(
                413, "body too large", f"{_mask(token)}: over {self.max_body} bytes sent"
            )
        try:
            data: Any = json.loads(body)
        except (ValueError, RecursionError):
            return self._reject(400, "not json", f"{_mask(token)}: {len(body)} bytes")
        if not isinstance(data, dict):
            return self._reject(400, "not an object", f"{_mask(token)}: JSON {type(data).__name__}")
        task_id = data.get("task_id")
        if not isinstance(task_id, str) or not task_id.strip():
            return self._reject(400, "malformed payload", f"{_mask(token)}: no task_id")
        try:
            snapshot = parse_snapshot(data, task_id=task_id.strip())
        except NanoBananaError as exc:
            return self._reject(400, "malformed payload", f"{_mask(token)}: {_clip(str(exc))}")
        event = CallbackEvent(token=token, snapshot=snapshot)
        log.info(
            "webhook accepted for %s: task %s is %s",
            _mask(token),
            _clip(snapshot.task_id),
            snapshot.status.value,
        )
        delivery = asyncio.get_running_loop().create_task(self._deliver(event))
        self._deliveries.add(delivery)
        delivery.add_done_callback(self._deliveries.discard)
        return web.json_response({"ok": True})

    async def _read_capped(self, request: web.Request) -> bytes | None:
        """The body, or None once it passes ``max_body`` (chunked bodies declare no size)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await request.content.read(self.max_body + 1 - size)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)

    async def _deliver(self, event: CallbackEvent) -> None:
        try:
            await self._on_callback(event)
        except Exception:
            # The server outlives a broken handler; polling still finds the task.
            log.exception(
                "webhook handler failed for %s (task %s)",
                _mask(event.token),
                _clip(event.snapshot.task_id),
            )
