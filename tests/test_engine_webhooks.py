"""The webhook receiver, over real loopback sockets: the sandbox's callbacks, and refusals."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from conftest import run

from nanobanana_desktop.api import GenerationRequest, TaskStatus
from nanobanana_desktop.engine.webhooks import (
    MAX_CALLBACK_BYTES,
    CallbackEvent,
    WebhookReceiver,
)

LOGGERS = ("nanobanana_desktop.engine.webhooks", "aiohttp")
PLACEHOLDER = "http://127.0.0.1/"  # replaced by the receiver's own address once it listens
TASK_ID = "ta5c9705-b8ae-4cb9-aa6f-97c4fee88c8d"


def payload(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "result": [{"image": "https://cdn.example/1756432513771985292_2989.png"}],
        "status": "success",
        "task_id": TASK_ID,
        "consumed": "0.500000",
        "status_reason": {"message": None},
    }
    body.update(changes)
    return body


class Recorder:
    """Tokens we issued, and the events delivered, with a way to wait for the next one."""

    def __init__(self, *tokens: str) -> None:
        self.tokens = set(tokens)
        self.events: list[CallbackEvent] = []
        self.lookups: list[str] = []
        self.arrived = asyncio.Event()

    async def lookup(self, token: str) -> bool:
        self.lookups.append(token)
        return token in self.tokens

    async def on_callback(self, event: CallbackEvent) -> None:
        self.events.append(event)
        self.arrived.set()

    async def next_event(self) -> CallbackEvent:
        await self.arrived.wait()
        self.arrived.clear()
        return self.events[-1]


def receiver_for(recorder: Recorder, public_url: str = PLACEHOLDER, **kw: Any) -> WebhookReceiver:
    return WebhookReceiver(
        public_url, lookup=recorder.lookup, on_callback=recorder.on_callback, **kw
    )


async def listening(recorder: Recorder, **kw: Any) -> WebhookReceiver:
    receiver = receiver_for(recorder, **kw)
    await receiver.start()
    receiver.public_url = receiver.local_url  # loopback http is allowed for tests
    return receiver


def http_to(receiver: WebhookReceiver) -> httpx.AsyncClient:
    # trust_env=False: a proxy from the environment must not stand between test and server.
    return httpx.AsyncClient(base_url=receiver.local_url, trust_env=False, timeout=10.0)


def callback_path(token: str) -> str:
    return "/nanobanana/callback/" + token


# -- where it listens -------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.com", ""])
def test_refuses_to_listen_beyond_loopback(host):
    recorder = Recorder()
    with pytest.raises(ValueError, match="loopback"):
        WebhookReceiver(
            "https://hooks.example",
            host=host,
            lookup=recorder.lookup,
            on_callback=recorder.on_callback,
        )


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example",  # the payload would cross the internet in the clear
        "http://192.168.1.20:8080",
        "ftp://hooks.example",
        "hooks.example",
        "https://",
        "https://hooks.example/?q=1",
        "https://user:pw@hooks.example",
    ],
)
def test_refuses_public_urls_that_are_not_https(url):
    recorder = Recorder()
    with pytest.raises(ValueError):
        receiver_for(recorder, url)
    receiver = receiver_for(recorder, "https://hooks.example")
    with pytest.raises(ValueError):
        receiver.public_url = url
    assert receiver.public_url == "https://hooks.example"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_listens_on_a_loopback_socket(host):
    async def scenario():
        receiver = receiver_for(Recorder(), host=host)
        with pytest.raises(RuntimeError):
            receiver.port  # noqa: B018 - not running yet
        await receiver.start()
        try:
            assert receiver._runner is not None
            bound = receiver._runner.addresses
            assert bound, "no socket bound"
            assert all(ipaddress.ip_address(addr[0]).is_loopback for addr in bound)
            assert {addr[1] for addr in bound} == {receiver.port}
            assert receiver.local_url == f"http://127.0.0.1:{receiver.port}"
        finally:
            await receiver.stop()

    run(scenario())


def test_callback_urls_carry_a_fresh_well_formed_token():
    receiver = receiver_for(Recorder(), "https://abc.trycloudflare.com/")
    tokens = {WebhookReceiver.new_token() for _ in range(50)}
    assert len(tokens) == 50
    token = tokens.pop()
    assert len(token) == 43
    assert receiver.callback_url(token) == (
        "https://abc.trycloudflare.com/nanobanana/callback/" + token
    )
    for bad in ("", "short", token + "/x", token[:-1] + "!", "a" * 200):
        with pytest.raises(ValueError):
            receiver.callback_url(bad)


# -- end to end with the sandbox -----------------------------------------------------------


def submit_and_wait(make_client: Callable[..., Any]) -> tuple[str, str, CallbackEvent]:
    async def scenario() -> tuple[str, str, CallbackEvent]:
        token = WebhookReceiver.new_token()
        recorder = Recorder(token)
        receiver = await listening(recorder)
        try:
            async with make_client() as client:
                task_id = await client.generate(
                    GenerationRequest(
                        "google/gempix2", "a lemon", callback_url=receiver.callback_url(token)
                    )
                )
            event = await recorder.next_event()
            assert receiver.rejected == []
            return token, task_id, event
        finally:
            await receiver.stop()

    return run(scenario(), timeout=10.0)


def test_sandbox_callback_for_a_success_arrives_as_an_event(sandbox, make_client):
    token, task_id, event = submit_and_wait(make_client)
    assert event.token == token
    assert event.snapshot.task_id == task_id
    assert event.snapshot.status is TaskStatus.SUCCESS
    assert event.snapshot.images
    assert all(url.startswith(sandbox.cdn_url) for url in event.snapshot.images)
    assert str(event.snapshot.consumed) == "0.500000"


def test_sandbox_callback_for_a_failure_carries_the_reason(sandbox, make_client):
    sandbox.config.faults.fail_task.count = 1
    _, task_id, event = submit_and_wait(make_client)
    assert event.snapshot.task_id == task_id
    assert event.snapshot.status is TaskStatus.FAILED
    assert event.snapshot.images == ()
    assert event.snapshot.status_reason
    assert "could not generate" in event.snapshot.status_reason


# -- refusals --------------------------------------------------------------------------------

KNOWN = WebhookReceiver.new_token()
STRANGER = WebhookReceiver.new_token()  # well formed, never issued

REFUSALS = [
    # (id, method, path, body, statuses, reason)
    ("unknown-token", "POST", callback_path(STRANGER), payload(), {404}, "unknown token"),
    ("short-token", "POST", callback_path("abc123"), payload(), {404}, "malformed token"),
    (
        "token-charset",
        "POST",
        callback_path(KNOWN[:-3] + "%2e"),
        payload(),
        {404},
        "malformed token",
    ),
    ("empty-token", "POST", callback_path(""), payload(), {404}, "malformed token"),
    ("wrong-method", "GET", callback_path(KNOWN), None, {404, 405}, "method not allowed"),
    ("deeper-path", "POST", callback_path(KNOWN) + "/x", payload(), {404}, "no such route"),
    ("other-path", "POST", "/", payload(), {404}, "no such route"),
    ("not-json", "POST", callback_path(KNOWN), b"status=success", {400}, "not json"),
    ("bad-utf8", "POST", callback_path(KNOWN), b'{"a": "\xff"}', {400}, "not json"),
    ("empty-body", "POST", callback_path(KNOWN), b"", {400}, "not json"),
    ("json-list", "POST", callback_path(KNOWN), [payload()], {400}, "not an object"),
    (
        "unknown-status",
        "POST",
        callback_path(KNOWN),
        payload(status="exploded"),
        {400},
        "malformed payload",
    ),
    ("no-task-id", "POST", callback_path(KNOWN), payload(task_id=None), {400}, "malformed payload"),
    (
        "bad-result",
        "POST",
        callback_path(KNOWN),
        payload(result="oops"),
        {400},
        "malformed payload",
    ),
    (
        "deep-nesting",
        "POST",
        callback_path(KNOWN),
        b"[" * 30000 + b"]" * 30000,
        {400},
        "not json",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "statuses", "reason"),
    [case[1:] for case in REFUSALS],
    ids=[case[0] for case in REFUSALS],
)
def test_refusals_answer_without_calling_back(caplog, method, path, body, statuses, reason):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)

    async def scenario():
        recorder = Recorder(KNOWN)
        receiver = await listening(recorder)
        try:
            async with http_to(receiver) as http:
                content = body if isinstance(body, bytes | None) else json.dumps(body).encode()
                answer = await http.request(method, path, content=content)
            return answer, recorder, list(receiver.rejected)
        finally:
            await receiver.stop()

    answer, recorder, rejected = run(scenario())
    assert answer.status_code in statuses
    assert recorder.events == []
    assert len(rejected) == 1
    assert rejected[0][0] == reason
    assert answer.json()["ok"] is False
    for token in (KNOWN, STRANGER):
        assert token not in caplog.text
        assert token not in repr(rejected)
        assert token[:6] + "…" in caplog.text or token[:6] not in path
    assert "webhook refused" in caplog.text


def test_malformed_tokens_are_never_looked_up():
    async def scenario():
        recorder = Recorder(KNOWN)
        receiver = await listening(recorder)
        try:
            async with http_to(receiver) as http:
                for token in ("x", "a" * 200, KNOWN + "!", KNOWN[:10] + "%20" + KNOWN[13:]):
                    answer = await http.post(callback_path(token), json=payload())
                    assert answer.status_code == 404
            return recorder.lookups
        finally:
            await receiver.stop()

    assert run(scenario()) == []


def test_a_huge_body_is_refused(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGERS[0])

    async def scenario():
        recorder = Recorder(KNOWN)
        receiver = await listening(recorder)
        try:
            async with http_to(receiver) as http:
                try:
                    answer = await http.post(callback_path(KNOWN), content=b" " * (10 << 20))
                except httpx.TransportError:
                    status = None  # closed while we were still sending: also a refusal
                else:
                    status = answer.status_code
            return status, recorder, list(receiver.rejected)
        finally:
            await receiver.stop()

    status, recorder, rejected = run(scenario())
    assert status in (413, None)
    assert recorder.events == []
    assert rejected == [("body too large", f"{KNOWN[:6]}…: {10 << 20} bytes declared")]
    assert KNOWN not in caplog.text


async def status_line(receiver: WebhookReceiver, head: bytes, *parts: bytes) -> bytes:
    """Send a request's head and only ``parts`` of its body, then read the answer's status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
    try:
        writer.write(head)
        for part in parts:
            writer.write(part)
        await writer.drain()
        # Bounded: a receiver that waited for the whole body would never answer.
        return await asyncio.wait_for(reader.readline(), 5.0)
    finally:
        writer.close()
        # The server closes refused connections; a reset on our side is expected.
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def test_an_oversized_declared_body_is_refused_before_it_is_sent():
    head = (
        f"POST {callback_path(KNOWN)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {10 << 20}\r\n\r\n"
    ).encode()

    async def scenario():
        recorder = Recorder(KNOWN)
        receiver = await listening(recorder)
        try:
            line = await status_line(receiver, head, b'{"status": ')
            return line, recorder
        finally:
            await receiver.stop()

    line, recorder = run(scenario())
    assert line.startswith(b"HTTP/1.1 413 ")
    assert recorder.events == []


def test_a_chunked_body_is_cut_off_at_the_limit():
    head = (
        f"POST {callback_path(KNOWN)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"320\r\n" + b" " * 0x320 + b"\r\n"  # 800 bytes; the limit is 1024

    async def scenario():
        recorder = Recorder(KNOWN)
        receiver = await listening(recorder, max_body=1024)
        try:
            # Two chunks and no end: only a capped read answers before the body ends.
            line = await status_line(receiver, head, chunk, chunk)
            return line, list(receiver.rejected)
        finally:
            await receiver.stop()

    line, rejected = run(scenario())
    assert line.startswith(b"HTTP/1.1 413 ")
    assert rejected == [("body too large", f"{KNOWN[:6]}…: over 1024 bytes sent")]


def test_a_body_of_exactly_max_body_is_accepted():
    async def scenario():
        recorder = Recorder(KNOWN)
        receiver = await listening(recorder, max_body=1024)
        try:
            exact = json.dumps(payload()).encode().ljust(1024)
            async with http_to(receiver) as http:
                ok = await http.post(callback_path(KNOWN), content=exact)
                over = await http.post(callback_path(KNOWN), content=exact + b" ")
            await recorder.next_event()
            return ok, over, recorder
        finally:
            await receiver.stop()

    ok, over, recorder = run(scenario())
    assert ok.status_code == 200
    assert ok.json() == {"ok": True}
    assert over.status_code == 413
    assert len(recorder.events) == 1
    assert MAX_CALLBACK_BYTES == 64 * 1024


def test_a_path_prefix_in_the_public_url_is_served_too():
    async def scenario():
        recorder = Recorder(KNOWN)
        receiver = await listening(recorder)
        receiver.public_url = receiver.local_url + "/hooks/"
        try:
            url = receiver.callback_url(KNOWN)
            assert url.endswith("/hooks/nanobanana/callback/" + KNOWN)
            async with http_to(receiver) as http:
                prefixed = await http.post(url, json=payload())
                await recorder.next_event()
                # A proxy that strips the prefix reaches the bare route.
                bare = await http.post(callback_path(KNOWN), json=payload())
                await recorder.next_event()
                other = await http.post("/elsewhere" + callback_path(KNOWN), json=payload())
            return prefixed, bare, other
        finally:
            await receiver.stop()

    prefixed, bare, other = run(scenario())
    assert (prefixed.status_code, bare.status_code, other.status_code) == (200, 200, 404)


# -- the engine's side failing -----------------------------------------------------------------


def test_a_failing_handler_does_not_break_later_callbacks(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGERS[0])

    async def scenario():
        recorder = Recorder(KNOWN)
        calls: list[str] = []

        async def flaky(event: CallbackEvent) -> None:
            calls.append(event.snapshot.task_id)
            if len(calls) == 1:
                raise RuntimeError("engine broke")
            await recorder.on_callback(event)

        receiver = WebhookReceiver(PLACEHOLDER, lookup=recorder.lookup, on_callback=flaky)
        await receiver.start()
        try:
            async with http_to(receiver) as http:
                first = await http.post(callback_path(KNOWN), json=payload(task_id="ta-1"))
                second = await http.post(callback_path(KNOWN), json=payload(task_id="ta-2"))
            event = await recorder.next_event()
            return first, second, event, calls
        finally:
            await receiver.stop()

    first, second, event, calls = run(scenario())
    assert (first.status_code, second.status_code) == (200, 200)
    assert calls == ["ta-1", "ta-2"]
    assert event.snapshot.task_id == "ta-2"
    assert "webhook handler failed" in caplog.text
    assert "engine broke" in caplog.text
    assert KNOWN not in caplog.text


def test_a_failing_lookup_answers_500_and_the_server_goes_on():
    async def scenario():
        recorder = Recorder(KNOWN)
        broken = [True]

        async def lookup(token: str) -> bool:
            if broken.pop() if broken else False:
                raise OSError("store unavailable")
            return await recorder.lookup(token)

        receiver = WebhookReceiver(PLACEHOLDER, lookup=lookup, on_callback=recorder.on_callback)
        await receiver.start()
        try:
            async with http_to(receiver) as http:
                failed = await http.post(callback_path(KNOWN), json=payload())
                worked = await http.post(callback_path(KNOWN), json=payload())
            await recorder.next_event()
            return failed, worked, list(receiver.rejected)
        finally:
            await receiver.stop()

    failed, worked, rejected = run(scenario())
    assert (failed.status_code, worked.status_code) == (500, 200)
    assert rejected == [("lookup failed", KNOWN[:6] + "…")]


def test_rejections_are_bounded():
    async def scenario():
        receiver = await listening(Recorder())
        try:
            async with http_to(receiver) as http:
                for index in range(105):
                    await http.post(f"/nope/{index}")
            return list(receiver.rejected)
        finally:
            await receiver.stop()

    rejected = run(scenario())
    assert len(rejected) == 100
    assert rejected[0] == ("no such route", "POST /nope/5")
    assert rejected[-1] == ("no such route", "POST /nope/104")


# -- stopping --------------------------------------------------------------------------------


def test_stop_closes_everything_and_is_idempotent():
    async def scenario():
        recorder = Recorder(KNOWN)
        started = asyncio.Event()
        cancelled: list[bool] = []

        async def stuck(event: CallbackEvent) -> None:
            started.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.append(True)
                raise

        receiver = WebhookReceiver(PLACEHOLDER, lookup=recorder.lookup, on_callback=stuck)
        await receiver.stop()  # before start: nothing to do
        await receiver.start()
        port = receiver.port
        async with http_to(receiver) as http:
            answer = await http.post(callback_path(KNOWN), json=payload())
        await started.wait()
        # Bounded here: a stop() that waited for the stuck handler would hang.
        await asyncio.wait_for(receiver.stop(), 5.0)
        await receiver.stop()
        assert not receiver.running
        with pytest.raises(RuntimeError):
            receiver.port  # noqa: B018 - stopped
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", port)
        # It can listen again, on a fresh port unless one was asked for.
        async with receiver:
            assert receiver.running
        assert not receiver.running
        return answer, cancelled

    answer, cancelled = run(scenario())
    assert answer.status_code == 200
    assert cancelled == [True]
    gc.collect()  # a leaked socket or transport would warn here, and warnings are errors
