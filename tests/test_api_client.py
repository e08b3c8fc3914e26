"""NanoBananaClient against the sandbox over real loopback sockets.

Protocol corners the sandbox cannot produce (402, 403, an error envelope under HTTP 200,
a redirect) go through ``httpx.MockTransport``; everything else is real HTTP.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import socket
import time
import warnings
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from aiohttp import web
from conftest import run, run_expecting
from PIL import Image

from nanobanana_desktop.api import (
    ApiError,
    ApiKey,
    AuthenticationError,
    BadRequestError,
    GenerationRequest,
    InsecureBaseUrlError,
    InsufficientCreditError,
    NanoBananaClient,
    NanoBananaError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    RequestValidationError,
    RetryPolicy,
    ServerError,
    TaskStatus,
    validate_request,
)
from nanobanana_desktop.api.endpoint import OriginBearerAuth
from nanobanana_desktop.sandbox import SANDBOX_KEY

MODEL = "google/gempix2"
UNKNOWN_TASK = "ta00000000-0000-0000-0000-000000000000"

CALLBACK_KEYS = {"result", "status", "task_id", "consumed", "status_reason"}
MIB5 = 5 * 1024 * 1024


def request(prompt: str = "a lemon on a blue plate", **kwargs) -> GenerationRequest:
    return GenerationRequest(MODEL, prompt, **kwargs)


async def wait_final(client: NanoBananaClient, task_id: str):
    """Poll until the task is final; the ``run`` timeout bounds the loop."""
    snapshot = await client.query(task_id)
    while not snapshot.is_final:
        await asyncio.sleep(0.01)  # poll pace, not a synchronisation stand-in
        snapshot = await client.query(task_id)
    return snapshot


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mock_client(handler, recording_sleep=None, **kwargs) -> NanoBananaClient:
    kwargs.setdefault("retry", RetryPolicy(rand=lambda: 0.0))
    if recording_sleep is not None:
        kwargs.setdefault("sleep", recording_sleep)
    return NanoBananaClient(
        "dk-mock-1234567890abcdef",
        base_url="https://api.defapi.org",
        transport=httpx.MockTransport(handler),
        **kwargs,
    )


class Recorder:
    """A MockTransport handler that answers one canned response and counts requests."""

    def __init__(self, status: int, body: object, headers: dict[str, str] | None = None):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, req: httpx.Request) -> httpx.Response:
        self.requests.append(req)
        if isinstance(self.body, bytes | str):
            return httpx.Response(self.status, content=self.body, headers=self.headers)
        return httpx.Response(self.status, json=self.body, headers=self.headers)


# --------------------------------------------------------------------------- happy paths


def test_generate_query_snapshot_fields_and_credit(sandbox, make_client):
    async def scenario():
        async with make_client() as client:
            before = await client.balance()
            task_id = await client.generate(request())
            snapshot = await wait_final(client, task_id)
            after = await client.balance()
        async with httpx.AsyncClient() as http:
            image = await http.get(snapshot.images[0])
        return before, task_id, snapshot, after, image

    before, task_id, snap, after, image = run(scenario())
    assert before == Decimal("100") and isinstance(before, Decimal)
    assert task_id.startswith("ta") and len(task_id) == 36
    assert snap.task_id == task_id
    assert snap.status is TaskStatus.SUCCESS
    assert snap.is_final and snap.indexed and not snap.is_text_only
    assert len(snap.images) == 1
    assert snap.images[0].startswith(sandbox.cdn_url + "/") and snap.images[0].endswith(".png")
    assert snap.texts == ()
    assert isinstance(snap.consumed, Decimal) and snap.consumed == Decimal("0.5")
    assert snap.status_reason is None
    assert snap.created_at is not None and snap.created_at.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - snap.created_at).total_seconds()) < 120
    assert snap.raw["task_id"] == task_id and snap.raw["status"] == "success"
    assert snap.raw["result"] == [{"image": snap.images[0]}]
    assert after == before - Decimal("0.5")
    assert image.status_code == 200 and image.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_lifecycle_statuses_are_seen_in_order(sandbox, make_client):
    cfg = sandbox.config
    cfg.pending_seconds = cfg.submitted_seconds = cfg.in_progress_seconds = 0.3

    async def scenario():
        seen = []
        async with make_client() as client:
            task_id = await client.generate(request())
            snapshot = await client.query(task_id)
            seen.append(snapshot)
            while not snapshot.is_final:
                await asyncio.sleep(0.01)
                snapshot = await client.query(task_id)
                seen.append(snapshot)
        return seen

    seen = run(scenario())
    order = list(TaskStatus)
    statuses = [s.status for s in seen]
    distinct = [s for i, s in enumerate(statuses) if i == 0 or s != statuses[i - 1]]
    assert distinct == [
        TaskStatus.PENDING,
        TaskStatus.SUBMITTED,
        TaskStatus.IN_PROGRESS,
        TaskStatus.SUCCESS,
    ]
    assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses)
    for snapshot in seen[:-1]:
        assert snapshot.images == () and snapshot.consumed == 0 and not snapshot.is_final
    assert seen[-1].images and seen[-1].consumed == Decimal("0.5")


def test_several_images_per_task_are_each_charged(sandbox, make_client):
    sandbox.config.images_per_task = 2

    async def scenario():
        async with make_client() as client:
            snapshot = await wait_final(client, await client.generate(request()))
            return snapshot, await client.balance()

    snapshot, credit = run(scenario())
    assert len(snapshot.images) == 2 and len(set(snapshot.images)) == 2
    assert snapshot.consumed == Decimal("1.0")
    assert credit == Decimal("99.0")


# --------------------------------------------------------------------------- validation

_BIG = "data:image/png;base64," + "A" * (MIB5 // 3 * 4 + 8)


@pytest.mark.parametrize(
    ("req", "field"),
    [
        (GenerationRequest("", "a lemon"), "model"),
        (GenerationRequest("   ", "a lemon"), "model"),
        (request("  \n\t "), "prompt"),
        (request(images=("https://example.com/a.png",) * 5), "images"),
        (request(images=("javascript:alert(1)",)), "images[1]"),
        (request(images=("ftp://example.com/a.png",)), "images[1]"),
        (request(images=("https://example.com/a.png", "file:///etc/passwd")), "images[2]"),
        (request(images=(_BIG,)), "images[1]"),
        (request(images=("data:image/png;base64,@@not*base64@@",)), "images[1]"),
        (request(aspect_ratio="7:3"), "aspect_ratio"),
        (request(image_size="8K"), "image_size"),
        (request(callback_url="http://example.com/hook"), "callback_url"),
        (request(callback_url="ftp://127.0.0.1/hook"), "callback_url"),
    ],
    ids=[
        "empty-model",
        "blank-model",
        "blank-prompt",
        "five-references",
        "javascript",
        "ftp",
        "file",
        "data-uri-over-5mb",
        "bad-base64",
        "aspect-ratio",
        "image-size",
        "http-remote-callback",
        "ftp-callback",
    ],
)
def test_invalid_request_is_refused_before_sending(sandbox, make_client, req, field):
    error = run_expecting(
        RequestValidationError, lambda: make_client(), lambda client: client.generate(req)
    )
    assert error.field == field
    assert str(error).startswith(f"{field}: ")
    assert isinstance(error, ValueError)
    assert sandbox.records.requests_to("api") == []


@pytest.mark.parametrize(
    "req",
    [
        request(callback_url="https://example.com/hook"),
        request(callback_url="http://127.0.0.1:8765/hook"),
        request(callback_url="http://localhost/hook"),
        request(images=("https://example.com/a.png",) * 4),
        request(images=("data:image/png;base64," + base64.b64encode(b"x" * 30).decode(),)),
        request(aspect_ratio="16:9", image_size="2k"),
    ],
    ids=[
        "https-callback",
        "loopback-callback",
        "localhost-callback",
        "four-refs",
        "data-uri",
        "lowercase-size",
    ],
)
def test_valid_requests_pass_validation(req):
    assert validate_request(req) is None


def test_data_uri_of_exactly_5_mib_is_accepted():
    payload = base64.b64encode(b"\0" * MIB5).decode()
    validate_request(request(images=("data:image/png;base64," + payload,)))


def test_loopback_http_callback_is_accepted_and_sent(sandbox, make_client):
    hook = f"http://127.0.0.1:{closed_port()}/hook"

    async def scenario():
        async with make_client() as client:
            return await client.generate(request(callback_url=hook))

    assert run(scenario()).startswith("ta")
    assert len(sandbox.records.requests_to("api", "/api/image/gen")) == 1


# --------------------------------------------------------------------------- status codes


def test_400_carries_the_servers_detail(sandbox, make_client):
    error = run_expecting(
        BadRequestError,
        lambda: make_client(),
        lambda client: client.generate(GenerationRequest("google/not-a-model", "a lemon")),
    )
    assert error.status == 400 and error.code == 1
    assert error.detail == "model not supported: google/not-a-model"
    assert "model not supported: google/not-a-model" in str(error)
    assert len(sandbox.records.requests_to("api", "/api/image/gen")) == 1  # not retried


def test_401_for_a_key_without_the_dk_prefix(sandbox, make_client, recording_sleep):
    async def scenario():
        errors = []
        async with make_client(key="sk-not-a-defapi-key-123456") as client:
            for call in (client.generate(request()), client.query(UNKNOWN_TASK), client.balance()):
                with pytest.raises(AuthenticationError) as caught:
                    await call
                errors.append(caught.value)
        return errors

    gen, query, user = run(scenario())
    assert (gen.status, gen.code) == (401, 1)
    assert (query.status, query.code) == (401, 401)
    assert (user.status, user.code) == (401, 401)
    for error in (gen, query, user):
        assert "check it in Settings" in str(error)
        assert error.server_message == "Invalid API key"
    assert len(sandbox.records.requests_to("api")) == 3  # none retried
    assert recording_sleep.delays == []


def test_401_when_the_key_is_revoked_mid_session(sandbox, make_client):
    async def scenario():
        async with make_client() as client:
            task_id = await client.generate(request())
            sandbox.config.refused_keys.add(SANDBOX_KEY)
            with pytest.raises(AuthenticationError) as on_query:
                await client.query(task_id)
            with pytest.raises(AuthenticationError) as on_gen:
                await client.generate(request())
            return on_query.value, on_gen.value

    on_query, on_gen = run(scenario())
    assert (on_query.status, on_query.code) == (401, 401)
    assert (on_gen.status, on_gen.code) == (401, 1)
    assert "check it in Settings" in str(on_query)


def test_404_for_a_task_never_submitted(sandbox, make_client):
    async def scenario():
        async with make_client() as client:
            with pytest.raises(NotFoundError) as never:
                await client.query(UNKNOWN_TASK)
            with pytest.raises(NotFoundError) as old:
                await client.query(UNKNOWN_TASK, submitted_at=time.time() - 3600)
            recent = await client.query(UNKNOWN_TASK, submitted_at=time.time())
            return never.value, old.value, recent

    never, old, recent = run(scenario())
    for error in (never, old):
        assert error.status == 404 and error.code == 1
        assert error.server_message == "task not found"
        assert "404" in str(error)
    # Within 30 s of the given submission time a 404 reads as "not yet indexed".
    assert recent.status is TaskStatus.PENDING and recent.indexed is False
    assert recent.task_id == UNKNOWN_TASK


def test_another_accounts_task_is_not_found(sandbox, make_client):
    async def scenario():
        async with make_client() as owner:
            task_id = await owner.generate(request())
            await owner.query(task_id)
        async with make_client(key="dk-someone-else-0123456789") as other:
            with pytest.raises(NotFoundError):
                await other.query(task_id)

    run(scenario())


def test_not_yet_indexed_window(sandbox, make_client):
    sandbox.config.not_found_seconds = 600.0
    now = [1_700_000_000.0]

    async def scenario():
        async with make_client(clock=lambda: now[0]) as client:
            task_id = await client.generate(request())
            early = await client.query(task_id)
            now[0] += 29.0
            still = await client.query(task_id)
            now[0] += 2.0  # 31 s after submission
            with pytest.raises(NotFoundError) as caught:
                await client.query(task_id)
            return task_id, early, still, caught.value

    task_id, early, still, error = run(scenario())
    for snapshot in (early, still):
        assert snapshot.task_id == task_id
        assert snapshot.status is TaskStatus.PENDING and snapshot.indexed is False
        assert snapshot.images == () and not snapshot.is_final
    assert error.status == 404
    statuses = [r.status for r in sandbox.records.requests_to("api", "/api/task/query")]
    assert statuses == [404, 404, 404]


def test_429_and_500_from_faults_without_retries(sandbox, make_client):
    faults = sandbox.config.faults
    faults.rate_limit.count = 1
    faults.retry_after = 3.0

    async def scenario():
        async with make_client(retry=RetryPolicy(max_retries=0)) as client:
            with pytest.raises(RateLimitedError) as limited:
                await client.balance()
            faults.server_error.count = 1
            with pytest.raises(ServerError) as failed:
                await client.balance()
            return limited.value, failed.value

    limited, failed = run(scenario())
    assert limited.status == 429 and limited.retry_after == 3.0
    assert "429" in str(limited) and "3 s" in str(limited)
    assert failed.status == 500 and "500" in str(failed)
    assert [r.fault for r in sandbox.records.requests_to("api")] == ["rate_limit", "server_error"]


def test_first_fault_of_a_session_is_answered_as_configured(sandbox, make_client):
    # aiohttp warns once per process about str request keys; under filterwarnings=error
    # such a warning inside the sandbox turned the first fault of a run into a 500.
    warnings.filterwarnings("error", category=web.NotAppKeyWarning)
    sandbox.config.faults.rate_limit.count = 1

    async def scenario():
        async with make_client(retry=RetryPolicy(max_retries=0)) as client:
            with pytest.raises(RateLimitedError):
                await client.balance()

    run(scenario())
    assert [r.status for r in sandbox.records.requests_to("api")] == [429]


@pytest.mark.parametrize(
    ("path_call", "body", "kind", "code"),
    [
        ("gen", {"code": 1, "message": "failed", "detail": "quota exceeded"}, ApiError, 1),
        ("gen", {"code": 1, "message": "Invalid API key"}, AuthenticationError, 1),
        ("query", {"code": 401, "message": "Invalid API key"}, AuthenticationError, 401),
        ("query", {"code": 7, "message": "busy"}, ApiError, 7),
    ],
    ids=["gen-detail", "gen-key", "query-401", "query-other"],
)
def test_nonzero_code_under_http_200(recording_sleep, path_call, body, kind, code):
    handler = Recorder(200, body)

    async def scenario():
        async with mock_client(handler, recording_sleep) as client:
            call = client.generate(request()) if path_call == "gen" else client.query("ta1")
            with pytest.raises(ApiError) as caught:
                await call
            return caught.value

    error = run(scenario())
    assert type(error) is kind
    assert error.code == code
    assert len(handler.requests) == 1 and recording_sleep.delays == []
    if body.get("detail"):
        assert error.detail == "quota exceeded" and "quota exceeded" in str(error)
    if kind is AuthenticationError:
        assert "check it in Settings" in str(error)


@pytest.mark.parametrize(
    ("status", "kind", "hint"),
    [
        (402, InsufficientCreditError, "top it up"),
        (403, AuthenticationError, "Check your account"),
    ],
)
def test_402_and_403(recording_sleep, status, kind, hint):
    handler = Recorder(status, {"code": 1, "message": "no", "detail": "plan limit"})

    async def scenario():
        async with mock_client(handler, recording_sleep) as client:
            with pytest.raises(ApiError) as on_gen:
                await client.generate(request())
            with pytest.raises(ApiError) as on_query:
                await client.query("ta1")
            return on_gen.value, on_query.value

    for error in run(scenario()):
        assert type(error) is kind and error.status == status
        assert hint in str(error)
    assert len(handler.requests) == 2 and recording_sleep.delays == []


def test_a_redirect_is_not_followed(recording_sleep):
    handler = Recorder(302, b"", {"Location": "https://elsewhere.example/api/user"})

    async def scenario():
        async with mock_client(handler, recording_sleep) as client:
            with pytest.raises(ProtocolError):
                await client.balance()

    run(scenario())
    assert [r.url.host for r in handler.requests] == ["api.defapi.org"]


# --------------------------------------------------------------------------- faults


def test_server_error_on_query_is_retried(sandbox, make_client, recording_sleep):
    async def scenario():
        async with make_client() as client:
            task_id = await client.generate(request())
            sandbox.config.faults.server_error.count = 1
            return await client.query(task_id)

    snapshot = run(scenario())
    assert snapshot.indexed
    records = sandbox.records.requests_to("api", "/api/task/query")
    assert [(r.status, r.fault) for r in records] == [(500, "server_error"), (200, None)]
    assert recording_sleep.delays == [0.5]


def test_rate_limit_honours_retry_after(sandbox, make_client, recording_sleep):
    faults = sandbox.config.faults
    faults.retry_after = 2.5
    faults.rate_limit.count = 1

    async def scenario():
        async with make_client() as client:
            return await client.balance()

    assert run(scenario()) == Decimal("100")
    assert recording_sleep.delays == [2.5]
    assert [r.status for r in sandbox.records.requests_to("api", "/api/user")] == [429, 200]


def test_dropped_query_is_retried(sandbox, make_client, recording_sleep):
    async def scenario():
        async with make_client() as client:
            task_id = await client.generate(request())
            sandbox.config.faults.drop_connection.count = 1
            return task_id, await client.query(task_id)

    task_id, snapshot = run(scenario())
    assert snapshot.task_id == task_id
    records = sandbox.records.requests_to("api", "/api/task/query")
    assert [(r.status, r.fault) for r in records] == [(None, "drop_connection"), (200, None)]
    assert recording_sleep.delays == [0.5]


def test_dropped_generation_is_outcome_unknown_and_not_resent(
    sandbox, make_client, recording_sleep
):
    sandbox.config.faults.drop_connection.count = 1

    error = run_expecting(
        OutcomeUnknownError, lambda: make_client(), lambda client: client.generate(request())
    )
    assert "check the task list" in str(error)
    posts = sandbox.records.requests_to("api", "/api/image/gen")
    assert len(posts) == 1 and posts[0].fault == "drop_connection"
    assert len(sandbox.sandbox.book.tasks) == 1  # created (and charged) server-side
    assert recording_sleep.delays == []


def test_slow_answers_time_out_and_are_retried(sandbox, make_client, recording_sleep):
    faults = sandbox.config.faults
    faults.slow_seconds = 0.3
    faults.slow.count = 4
    faults.slow.endpoints = frozenset({"query"})
    notices = []

    error = run_expecting(
        RequestTimeoutError,
        lambda: make_client(timeout=httpx.Timeout(0.1), on_retry=notices.append),
        lambda client: client.query(UNKNOWN_TASK),
    )
    assert "in time" in str(error)
    assert recording_sleep.delays == [0.5, 1.0, 2.0]
    assert [n.retry_index for n in notices] == [0, 1, 2]
    assert all(isinstance(n.error, RequestTimeoutError) for n in notices)


def test_html_error_page_5xx_is_a_retried_server_error(sandbox, make_client, recording_sleep):
    sandbox.config.faults.html_error.count = 4

    async def scenario():
        async with make_client() as client:
            with pytest.raises(ServerError) as caught:
                await client.balance()
            return caught.value, await client.balance()

    error, credit = run(scenario())
    assert error.status == 502 and error.code is None
    assert "502" in str(error) and "<html" not in str(error)
    assert credit == Decimal("100")
    statuses = [r.status for r in sandbox.records.requests_to("api", "/api/user")]
    assert statuses == [502, 502, 502, 502, 200]
    assert recording_sleep.delays == [0.5, 1.0, 2.0]


def test_html_page_under_200_is_a_protocol_error(sandbox, make_client, recording_sleep):
    sandbox.config.faults.html_status = 200
    sandbox.config.faults.html_error.count = 1

    error = run_expecting(
        ProtocolError, lambda: make_client(), lambda client: client.query(UNKNOWN_TASK)
    )
    assert error.status == 200 and "web page" in str(error)
    assert len(sandbox.records.requests_to("api")) == 1
    assert recording_sleep.delays == []


def test_malformed_json_on_query_is_a_protocol_error(sandbox, make_client, recording_sleep):
    async def scenario():
        async with make_client() as client:
            task_id = await client.generate(request())
            sandbox.config.faults.malformed_json.count = 1
            with pytest.raises(ProtocolError) as caught:
                await client.query(task_id)
            return caught.value

    error = run(scenario())
    assert "malformed data" in str(error)
    records = sandbox.records.requests_to("api", "/api/task/query")
    assert [r.fault for r in records] == ["malformed_json"]
    assert recording_sleep.delays == []


def test_malformed_json_on_generation_is_not_resent(sandbox, make_client, recording_sleep):
    sandbox.config.faults.malformed_json.count = 1

    error = run_expecting(
        NanoBananaError, lambda: make_client(), lambda client: client.generate(request())
    )
    # The server created the task; its answer was unreadable: the outcome is unknown.
    assert isinstance(error, OutcomeUnknownError)
    assert "may have been created and charged" in str(error)
    assert len(sandbox.records.requests_to("api", "/api/image/gen")) == 1
    assert len(sandbox.sandbox.book.tasks) == 1
    assert recording_sleep.delays == []


def test_unknown_status_is_a_protocol_error_naming_it(sandbox, make_client):
    sandbox.config.pending_seconds = 30.0  # keeps the task from finishing

    async def scenario():
        async with make_client() as client:
            task_id = await client.generate(request())
            sandbox.config.faults.unknown_status.count = 1
            with pytest.raises(ProtocolError) as caught:
                await client.query(task_id)
            return caught.value, await client.query(task_id)

    error, after = run(scenario())
    assert "'processing'" in str(error)
    assert after.status is TaskStatus.PENDING  # the next answer is readable again


def test_failed_task_has_a_reason_and_costs_nothing(sandbox, make_client):
    sandbox.config.faults.fail_task.count = 1

    async def scenario():
        async with make_client() as client:
            snapshot = await wait_final(client, await client.generate(request()))
            return snapshot, await client.balance()

    snapshot, credit = run(scenario())
    assert snapshot.status is TaskStatus.FAILED and snapshot.is_final
    assert snapshot.status_reason and "could not generate" in snapshot.status_reason
    assert snapshot.images == () and snapshot.texts == ()
    assert snapshot.consumed == Decimal("0")
    assert credit == Decimal("100")


def test_text_only_success(sandbox, make_client):
    sandbox.config.faults.text_only.count = 1

    async def scenario():
        async with make_client() as client:
            return await wait_final(client, await client.generate(request()))

    snapshot = run(scenario())
    assert snapshot.status is TaskStatus.SUCCESS
    assert snapshot.images == () and snapshot.texts and snapshot.texts[0].strip()
    assert snapshot.is_text_only


# --------------------------------------------------------------------------- delivery


def test_result_mode_data_gives_data_uris(sandbox, make_client):
    sandbox.config.result_mode = "data"

    async def scenario():
        async with make_client() as client:
            return await wait_final(client, await client.generate(request()))

    snapshot = run(scenario())
    prefix = "data:image/png;base64,"
    assert snapshot.images[0].startswith(prefix)
    assert base64.b64decode(snapshot.images[0][len(prefix) :])[:4] == b"\x89PNG"
    assert sandbox.records.requests_to("cdn") == []


def test_jpeg_bytes_behind_a_png_name(sandbox, make_client):
    sandbox.config.image_format = "jpeg"

    async def scenario():
        async with make_client() as client:
            snapshot = await wait_final(client, await client.generate(request()))
        async with httpx.AsyncClient() as http:
            return snapshot, await http.get(snapshot.images[0])

    snapshot, answer = run(scenario())
    assert snapshot.images[0].endswith(".png")
    assert answer.status_code == 200 and answer.content[:2] == b"\xff\xd8"


def test_result_links_expire(sandbox, make_client):
    sandbox.config.result_ttl = 1.0

    async def scenario():
        async with make_client() as client:
            snapshot = await wait_final(client, await client.generate(request()))
        async with httpx.AsyncClient() as http:
            first = await http.get(snapshot.images[0])
            answer = first
            while answer.status_code == 200:
                await asyncio.sleep(0.05)
                answer = await http.get(snapshot.images[0])
            return first, answer

    first, expired = run(scenario(), timeout=10)
    assert first.status_code == 200 and first.content[:4] == b"\x89PNG"
    assert expired.status_code == 403 and "expired" in expired.text


# --------------------------------------------------------------------------- references


def test_reference_on_the_cdn_is_fetched_without_the_key(sandbox, make_client):
    reference = sandbox.publish(png_bytes())

    async def scenario():
        async with make_client() as client:
            return await wait_final(client, await client.generate(request(images=(reference,))))

    snapshot = run(scenario())
    assert snapshot.status is TaskStatus.SUCCESS
    path = httpx.URL(reference).path
    fetches = [r for r in sandbox.records.requests_to("cdn") if r.path == path]
    assert len(fetches) == 1 and fetches[0].status == 200
    assert "authorization" not in {h.lower() for h in fetches[0].headers}
    for record in sandbox.records.requests_to("api"):
        assert record.headers["Authorization"] == f"Bearer {SANDBOX_KEY}"


def test_unreachable_reference_fails_the_task(sandbox, make_client):
    url = f"http://127.0.0.1:{closed_port()}/x.png"

    async def scenario():
        async with make_client() as client:
            snapshot = await wait_final(client, await client.generate(request(images=(url,))))
            return snapshot, await client.balance()

    snapshot, credit = run(scenario())
    assert snapshot.status is TaskStatus.FAILED
    assert snapshot.status_reason and "reference" in snapshot.status_reason.lower()
    assert snapshot.consumed == 0 and credit == Decimal("100")


# --------------------------------------------------------------------------- callbacks


def test_callback_payload_has_the_contracts_keys(sandbox, make_client):
    sandbox.config.faults.fail_task.count = 1  # the first task fails, the second succeeds

    async def scenario():
        received: list[dict] = []
        arrived = asyncio.Condition()

        async def hook(req: web.Request) -> web.Response:
            payload = await req.json()
            async with arrived:
                received.append(payload)
                arrived.notify_all()
            return web.json_response({"ok": True})

        app = web.Application()
        app.router.add_post("/hook", hook)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        site = web.SockSite(runner, sock)
        await site.start()
        try:
            async with make_client() as client:
                url = f"http://127.0.0.1:{port}/hook"
                failed = await client.generate(request(callback_url=url))
                succeeded = await client.generate(request(callback_url=url))
                async with arrived:
                    await arrived.wait_for(lambda: len(received) == 2)
        finally:
            await runner.cleanup()
        return failed, succeeded, {p["task_id"]: p for p in received}

    failed, succeeded, payloads = run(scenario())
    assert set(payloads) == {failed, succeeded}
    for payload in payloads.values():
        assert set(payload) == CALLBACK_KEYS
    ok = payloads[succeeded]
    assert ok["status"] == "success" and ok["consumed"] == "0.500000"
    assert ok["status_reason"] == {"message": None}
    assert [set(item) for item in ok["result"]] == [{"image"}]
    assert ok["result"][0]["image"].startswith(sandbox.cdn_url)
    bad = payloads[failed]
    assert bad["status"] == "failed" and bad["result"] is None
    assert bad["consumed"] == "0.000000" and bad["status_reason"]["message"]


# --------------------------------------------------------------------------- the key


def test_repr_never_shows_the_key(sandbox, make_client):
    async def scenario():
        async with make_client() as client:
            return repr(client), str(client._key), repr(OriginBearerAuth(client._key, "https://x"))

    for text in run(scenario()):
        assert SANDBOX_KEY not in text
        assert "0000000000000000" not in text
    assert "dk-" in repr(ApiKey(SANDBOX_KEY))  # recognisable, not usable


def test_key_never_in_errors_or_logs(sandbox, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    bad_key = "sk-live-Secret-abcdef0123456789"
    refused = closed_port()

    async def scenario():
        errors: list[BaseException] = []
        async with make_client() as client:
            task_id = await client.generate(request())
            sandbox.config.faults.server_error.count = 1
            await client.query(task_id)  # one retry
            with pytest.raises(NotFoundError) as caught:
                await client.query(UNKNOWN_TASK)
            errors.append(caught.value)
            sandbox.config.refused_keys.add(SANDBOX_KEY)
            with pytest.raises(AuthenticationError) as caught:
                await client.query(task_id)
            errors.append(caught.value)
        async with make_client(key=bad_key) as other:
            with pytest.raises(AuthenticationError) as caught:
                await other.generate(request())
            errors.append(caught.value)
        async with make_client(base_url=f"http://127.0.0.1:{refused}") as lost:
            with pytest.raises(NetworkError) as caught:
                await lost.balance()
            errors.append(caught.value)
        return errors

    errors = run(scenario())
    assert len(errors) == 4
    for error in errors:
        for text in (str(error), repr(error), repr(error.args), repr(vars(error))):
            assert SANDBOX_KEY not in text and bad_key not in text
        assert error.__cause__ is None  # httpx errors (which hold the request) are hidden
        # Nor chained implicitly: an httpx error's request carries the Authorization header.
        link = error.__context__
        while link is not None:
            assert not isinstance(link, httpx.HTTPError), repr(link)
            link = link.__context__
    # The log did capture the session, including the retry and the HTTP traffic.
    assert "retry 1 of 3" in caplog.text
    assert "/api/task/query" in caplog.text
    for secret in (SANDBOX_KEY, bad_key, "Bearer "):
        assert secret not in caplog.text
    for record in caplog.records:
        assert SANDBOX_KEY not in repr(record.args) and bad_key not in repr(record.args)


def test_authorization_only_for_the_api_origin():
    key = ApiKey("dk-origin-test-0123456789")
    seen: dict[str, str | None] = {}

    def handler(req: httpx.Request) -> httpx.Response:
        seen[str(req.url)] = req.headers.get("Authorization")
        return httpx.Response(200, json={})

    urls = [
        "https://api.defapi.org/api/user",
        "https://API.defapi.org:443/api/task/query",
        "https://cdn.defapi.org/x.png",
        "http://api.defapi.org/api/user",
        "https://api.defapi.org:8443/api/user",
        "https://api.defapi.org.evil.example/api/user",
    ]

    async def scenario():
        async with httpx.AsyncClient(
            auth=OriginBearerAuth(key, "https://api.defapi.org"),
            transport=httpx.MockTransport(handler),
        ) as http:
            for url in urls:
                # Even a header set by the caller does not reach another origin.
                await http.get(url, headers={"Authorization": "Bearer stale"})

    run(scenario())
    values = list(seen.values())
    assert values[:2] == [f"Bearer {key.reveal()}"] * 2
    assert values[2:] == [None] * 4


def test_client_sends_the_key_to_its_api_origin(recording_sleep):
    handler = Recorder(200, {"code": 0, "message": "ok", "data": {"credit": "12.5"}})

    async def scenario():
        async with mock_client(handler, recording_sleep) as client:
            return await client.balance()

    assert run(scenario()) == Decimal("12.5")
    (sent,) = handler.requests
    assert sent.headers["Authorization"] == "Bearer dk-mock-1234567890abcdef"
    assert sent.url.path == "/api/user"


# --------------------------------------------------------------------------- base URL


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "http://10.0.0.1:8080",
        "ftp://127.0.0.1",
        "api.defapi.org",
        "https://user:pw@api.defapi.org",
        "http://127.0.0.1.evil.example",
    ],
)
def test_insecure_base_url_is_refused(url):
    with pytest.raises(InsecureBaseUrlError):
        NanoBananaClient("dk-anything-0123456789", base_url=url)


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("http://127.0.0.1:1", "http://127.0.0.1:1"),
        ("http://[::1]:1", "http://[::1]:1"),
        ("http://localhost:1/", "http://localhost:1"),
        ("https://api.defapi.org", "https://api.defapi.org"),
    ],
)
def test_accepted_base_urls(url, normal):
    async def scenario():
        async with NanoBananaClient("dk-anything-0123456789", base_url=url) as client:
            return client.base_url, client.is_closed

    base, closed = run(scenario())
    assert base == normal and closed is False


def test_default_base_url_is_the_vendors():
    async def scenario():
        async with NanoBananaClient("dk-anything-0123456789") as client:
            return client.base_url

    assert run(scenario()) == "https://api.defapi.org"


def test_request_body_holds_only_the_fields_set():
    body = request(images=("https://example.com/a.png",), image_size="2k").to_json()
    assert body == {
        "model": MODEL,
        "prompt": "a lemon on a blue plate",
        "images": ["https://example.com/a.png"],
        "image_size": "2K",
    }
