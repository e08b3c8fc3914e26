"""When the client tries again, how long it waits, and when it must not resend."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime

import httpx
import pytest
from conftest import run, run_expecting

from nanobanana_desktop.api import (
    ApiError,
    GenerationRequest,
    NanoBananaClient,
    NetworkError,
    OutcomeUnknownError,
    RateLimitedError,
    RequestTimeoutError,
    RetryNotice,
    RetryPolicy,
    ServerError,
    TaskStatus,
)
from nanobanana_desktop.api.retry import parse_retry_after
from nanobanana_desktop.sandbox import SANDBOX_KEY

REQUEST = GenerationRequest("google/gempix2", "a lemon on a blue plate")
QUERY = "/api/task/query"
GEN = "/api/image/gen"


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def client_for(base_url: str, recording_sleep, **kwargs) -> NanoBananaClient:
    kwargs.setdefault("retry", RetryPolicy(rand=lambda: 0.0))
    return NanoBananaClient(SANDBOX_KEY, base_url=base_url, sleep=recording_sleep, **kwargs)


class Canned:
    """A MockTransport handler: one status (or exception) for every request, counted."""

    def __init__(
        self,
        status: int = 200,
        headers: dict[str, str] | None = None,
        raises: type[httpx.TransportError] | None = None,
    ) -> None:
        self.status = status
        self.headers = headers or {}
        self.raises = raises
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.raises is not None:
            raise self.raises("injected", request=request)
        body = {"code": 1, "message": f"status {self.status}"}
        return httpx.Response(self.status, json=body, headers=self.headers)


def mock_client(handler: Canned, recording_sleep, **kwargs) -> NanoBananaClient:
    return client_for(
        "https://api.defapi.org",
        recording_sleep,
        transport=httpx.MockTransport(handler),
        **kwargs,
    )


# --------------------------------------------------------------------------- the schedule


@pytest.mark.parametrize("n", range(7))
@pytest.mark.parametrize("rand", [0.0, 1.0])
def test_backoff_schedule(n, rand):
    policy = RetryPolicy(rand=lambda: rand)
    expected = min(0.5 * 2**n, 8) * (1 - 0.25 * rand)
    assert policy.delay(n) == pytest.approx(expected)


def test_backoff_schedule_values():
    assert [RetryPolicy(rand=lambda: 0.0).delay(n) for n in range(7)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        8.0,
        8.0,
        8.0,
    ]
    assert [RetryPolicy(rand=lambda: 1.0).delay(n) for n in range(7)] == [
        0.375,
        0.75,
        1.5,
        3.0,
        6.0,
        6.0,
        6.0,
    ]


def test_default_jitter_stays_in_range():
    policy = RetryPolicy()
    for n in range(7):
        top = min(0.5 * 2**n, 8)
        assert all(0.75 * top <= policy.delay(n) <= top for _ in range(50))


@pytest.mark.parametrize("hint", [0.0, 0.25, 3.5, 120.0])
def test_retry_after_up_to_120_s_is_used(hint):
    assert RetryPolicy(rand=lambda: 0.0).delay(2, hint) == hint


@pytest.mark.parametrize("hint", [120.5, 600.0, 86400.0, -1.0])
def test_retry_after_out_of_range_falls_back_to_backoff(hint):
    assert RetryPolicy(rand=lambda: 0.0).delay(2, hint) == 2.0


NOW = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After": "Wed, 01 Jan 2025 12:00:30 GMT"}, 30.0),
        ({"Retry-After": "Wed, 01 Jan 2025 11:59:00 GMT"}, 0.0),  # in the past: now
        ({"retry-after-ms": "250"}, 0.25),
        ({"Retry-After-Ms": "1500", "Retry-After": "9"}, 1.5),  # ms wins
        ({"retry-after-ms": "soon", "Retry-After": "4"}, 4.0),  # bad ms: the header
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": ""}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "inf"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers, expected):
    assert parse_retry_after(headers, now=lambda: NOW) == expected


# --------------------------------------------------------------------------- idempotent GETs


def _query_after_faults(sandbox, make_client, count, **client_kwargs):
    """Generate a task, then query it with ``count`` server errors on the query endpoint."""
    notices: list[RetryNotice] = []

    async def scenario():
        async with make_client(on_retry=notices.append, **client_kwargs) as client:
            task_id = await client.generate(REQUEST)
            sandbox.config.faults.server_error.count = count
            sandbox.config.faults.server_error.endpoints = frozenset({"query"})
            try:
                return await client.query(task_id)
            except ApiError as error:
                return error

    outcome = run(scenario())
    statuses = [r.status for r in sandbox.records.requests_to("api", QUERY)]
    return outcome, statuses, notices


def test_two_server_errors_then_success(sandbox, make_client, recording_sleep):
    outcome, statuses, _ = _query_after_faults(sandbox, make_client, 2)
    assert outcome.indexed and outcome.status in set(TaskStatus)
    assert statuses == [500, 500, 200]
    assert recording_sleep.delays == [0.5, 1.0]


def test_server_errors_beyond_the_retries(sandbox, make_client, recording_sleep):
    outcome, statuses, _ = _query_after_faults(sandbox, make_client, 10)
    assert isinstance(outcome, ServerError) and outcome.status == 500
    assert statuses == [500] * 4
    assert recording_sleep.delays == [0.5, 1.0, 2.0]


def test_no_retries_when_max_retries_is_0(sandbox, make_client, recording_sleep):
    outcome, statuses, notices = _query_after_faults(
        sandbox, make_client, 1, retry=RetryPolicy(max_retries=0)
    )
    assert isinstance(outcome, ServerError)
    assert statuses == [500]
    assert recording_sleep.delays == [] and notices == []


def test_on_retry_notices(sandbox, make_client, recording_sleep):
    outcome, statuses, notices = _query_after_faults(sandbox, make_client, 3)
    assert outcome.indexed
    assert statuses == [500, 500, 500, 200]
    assert [n.retry_index for n in notices] == [0, 1, 2]
    assert [n.delay for n in notices] == recording_sleep.delays == [0.5, 1.0, 2.0]
    for notice in notices:
        assert isinstance(notice, RetryNotice)
        assert (notice.method, notice.path) == ("GET", QUERY)
        assert isinstance(notice.error, ServerError) and notice.error.status == 500


def test_retry_after_over_120_s_is_not_obeyed(sandbox, make_client, recording_sleep):
    faults = sandbox.config.faults
    faults.retry_after = 600
    faults.rate_limit.count = 2

    async def scenario():
        async with make_client() as client:
            return await client.balance()

    assert run(scenario()) == 100
    assert recording_sleep.delays == [0.5, 1.0]


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_get_is_retried_on_retryable_statuses(recording_sleep, status):
    handler = Canned(status)

    error = run_expecting(
        ApiError, lambda: mock_client(handler, recording_sleep), lambda client: client.query("ta1")
    )
    assert error.status == status
    assert len(handler.requests) == 4
    assert recording_sleep.delays == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 422])
def test_get_is_not_retried_on_client_errors(recording_sleep, status):
    handler = Canned(status)

    async def scenario():
        async with mock_client(handler, recording_sleep) as client:
            with pytest.raises(ApiError) as caught:
                await client.query("ta1")
            return caught.value

    assert run(scenario()).status == status
    assert len(handler.requests) == 1 and recording_sleep.delays == []


def test_retry_after_ms_on_503_is_honoured(recording_sleep):
    handler = Canned(503, headers={"retry-after-ms": "250"})

    async def scenario():
        async with mock_client(handler, recording_sleep) as client:
            with pytest.raises(ServerError) as caught:
                await client.balance()
            return caught.value

    assert run(scenario()).retry_after == 0.25
    assert recording_sleep.delays == [0.25, 0.25, 0.25]


# --------------------------------------------------------------------------- POST rules


def test_generation_is_retried_on_500(sandbox, make_client, recording_sleep):
    sandbox.config.faults.server_error.count = 1

    async def scenario():
        async with make_client() as client:
            return await client.generate(REQUEST)

    task_id = run(scenario())
    posts = sandbox.records.requests_to("api", GEN)
    assert [r.status for r in posts] == [500, 200]
    assert list(sandbox.sandbox.book.tasks) == [task_id]
    assert recording_sleep.delays == [0.5]


def test_generation_is_retried_on_429(sandbox, make_client, recording_sleep):
    sandbox.config.faults.rate_limit.count = 1
    sandbox.config.faults.retry_after = 1.5

    async def scenario():
        async with make_client() as client:
            return await client.generate(REQUEST)

    task_id = run(scenario())
    assert [r.status for r in sandbox.records.requests_to("api", GEN)] == [429, 200]
    assert list(sandbox.sandbox.book.tasks) == [task_id]
    assert recording_sleep.delays == [1.5]


@pytest.mark.parametrize(
    ("status", "attempts", "kind"),
    [
        (408, 1, ServerError),
        (409, 1, ServerError),
        (400, 1, ApiError),
        (401, 1, ApiError),
        (429, 4, RateLimitedError),
        (500, 4, ServerError),
        (502, 4, ServerError),
        (503, 4, ServerError),
    ],
)
def test_generation_retry_by_status(recording_sleep, status, attempts, kind):
    handler = Canned(status)

    error = run_expecting(
        ApiError,
        lambda: mock_client(handler, recording_sleep),
        lambda client: client.generate(REQUEST),
    )
    assert isinstance(error, kind) and error.status == status
    assert len(handler.requests) == attempts
    assert all(r.method == "POST" for r in handler.requests)
    assert len(recording_sleep.delays) == attempts - 1


@pytest.mark.parametrize(
    ("raises", "said"),
    [
        (httpx.ConnectTimeout, "did not accept a connection in time"),
        (httpx.PoolTimeout, "waiting for a connection"),
    ],
)
def test_generation_not_yet_sent_is_retried(recording_sleep, raises, said):
    handler = Canned(raises=raises)

    async def scenario():
        async with mock_client(handler, recording_sleep) as client:
            with pytest.raises(RequestTimeoutError) as caught:
                await client.generate(REQUEST)
            return caught.value

    assert said in str(run(scenario()))
    assert len(handler.requests) == 4
    assert recording_sleep.delays == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("raises", [httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError])
def test_generation_sent_without_answer_is_never_resent(recording_sleep, raises):
    handler = Canned(raises=raises)

    async def scenario():
        async with mock_client(handler, recording_sleep) as client:
            with pytest.raises(OutcomeUnknownError):
                await client.generate(REQUEST)

    run(scenario())
    assert len(handler.requests) == 1 and recording_sleep.delays == []


class SilentServer:
    """Accepts connections and reads requests on 127.0.0.1, and never answers."""

    async def __aenter__(self) -> SilentServer:
        self.received = bytearray()
        self.connections = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._handlers: list[asyncio.Task] = []
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        self._handlers.append(asyncio.current_task())
        try:
            while chunk := await reader.read(65536):
                self.received += chunk
        finally:
            writer.close()

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        await self._server.wait_closed()
        for writer in self._writers:
            writer.close()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        for writer in self._writers:
            await writer.wait_closed()


def test_read_timeout_after_sending_a_generation(recording_sleep):
    notices: list[RetryNotice] = []

    async def scenario():
        async with SilentServer() as server:
            async with client_for(
                server.url,
                recording_sleep,
                timeout=httpx.Timeout(0.2),
                on_retry=notices.append,
            ) as client:
                with pytest.raises(OutcomeUnknownError) as caught:
                    await client.generate(REQUEST)
            return server.connections, bytes(server.received), caught.value

    connections, received, error = run(scenario())
    assert connections == 1
    assert received.count(b"POST /api/image/gen") == 1
    assert b'"prompt"' in received  # the body left: the task may exist
    assert "timeout" in str(error) and "check the task list" in str(error)
    assert notices == [] and recording_sleep.delays == []


def test_read_timeout_on_a_get_is_retried(recording_sleep):
    async def scenario():
        async with SilentServer() as server:
            async with client_for(
                server.url, recording_sleep, timeout=httpx.Timeout(0.1)
            ) as client:
                with pytest.raises(RequestTimeoutError):
                    await client.balance()
            return bytes(server.received)

    received = run(scenario())
    assert received.count(b"GET /api/user") == 4
    assert recording_sleep.delays == [0.5, 1.0, 2.0]


def test_connection_refused_is_retried_then_network_error(recording_sleep):
    notices: list[RetryNotice] = []
    base = f"http://127.0.0.1:{closed_port()}"

    error = run_expecting(
        NetworkError,
        lambda: client_for(base, recording_sleep, on_retry=notices.append),
        lambda client: client.generate(REQUEST),
    )
    assert not isinstance(error, OutcomeUnknownError)
    assert "Could not connect" in str(error) and base in str(error)
    assert len(notices) == 3
    assert [n.retry_index for n in notices] == [0, 1, 2]
    assert [n.delay for n in notices] == [0.5, 1.0, 2.0] == recording_sleep.delays
    assert all(n.method == "POST" and n.path == GEN for n in notices)
    assert all(isinstance(n.error, NetworkError) for n in notices)
