"""The sandbox answers with the JSON the contract documents, seen through a raw HTTP client.

Each example below is pasted from /work/shared/api-contract.md (and, for the request
bodies and the concrete ImageGenResult, from the vendor's Dutch original). A test maps
the example and the sandbox's answer to their *shape* (keys and JSON types) and compares
them, and compares the values the contract fixes (``code``, ``message``, ``detail``).

Only plain httpx and aiohttp are used here, never the app's client: these tests must see
exactly what the sandbox sends, not the client's reading of it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import re
import time
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from aiohttp import web
from conftest import run
from PIL import Image

from nanobanana_desktop.sandbox import SandboxConfig, SandboxThread

# ------------------------------------------------------------ the contract's examples

# POST /api/image/gen, success (200)
GEN_OK = {"code": 0, "message": "ok", "data": {"task_id": "ta12345678-1234-1234-1234-123456789abc"}}
# POST /api/image/gen, errors
GEN_BAD_REQUEST = {"code": 1, "message": "failed", "detail": "prompt is required"}
GEN_UNAUTHORIZED = {"code": 1, "message": "Invalid API key"}
# GET /api/task/query, errors
QUERY_NOT_FOUND = {"code": 1, "message": "task not found"}
QUERY_UNAUTHORIZED = {"code": 401, "message": "Invalid API key"}
# Data structures
IMAGE_GEN_RESULT = {
    "image": "https://google.datas.systems/fileSystem/response_images/287/2025/08/29/1756432513771985292_2989.png"
}
CALLBACK_PAYLOAD_JSON = """
{
  "result": [{"image": "https://.../1756432513771985292_2989.png"}],
  "status": "success",
  "task_id": "ta5c9705-b8ae-4cb9-aa6f-97c4fee88c8d",
  "consumed": "0.500000",
  "status_reason": {"message": null}
}
"""
CALLBACK_PAYLOAD = json.loads(CALLBACK_PAYLOAD_JSON)
# The guide's request examples ("Basis" and "Geavanceerd")
BASIC_REQUEST = {
    "model": "google/gempix2",
    "prompt": "A beautiful girl dancing in a garden",
}
ADVANCED_REQUEST = {
    "model": "google/gempix2",
    "prompt": "Put them in a basket",
    "images": [
        "https://cdn.openai.com/API/docs/images/body-lotion.png",
        "https://cdn.openai.com/API/docs/images/soap.png",
    ],
    "callback_url": "https://example.com/webhook/image-callback",
}
# The task id in the guide's curl example for the query endpoint.
CURL_TASK_ID = "ta823dfb-eaac-44fd-aec2-3e2c7ba8e071"

STATUSES = ("pending", "submitted", "in_progress", "success", "failed")
FINAL = ("success", "failed")
# "ta" + a UUID whose first group keeps 6 to 8 hex digits: every id in the contract.
TASK_ID = re.compile(r"^ta[0-9a-f]{6,8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SIX_DECIMALS = re.compile(r"^\d+\.\d{6}$")
DECIMAL_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

KEY = "dk-fidelity-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}
BAD_AUTH: dict[str, dict[str, str] | None] = {
    "missing header": None,
    "wrong scheme": {"Authorization": f"Basic {KEY}"},
    "no scheme": {"Authorization": KEY},
    "key without dk- prefix": {"Authorization": "Bearer sk-0123456789abcdef"},
    "scheme without key": {"Authorization": "Bearer"},
}


def shape(value: Any) -> Any:
    """The structure of a JSON value: dict keys kept, lists by their first item, type names."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


# A query answer's data: the callback payload's fields plus created_at.
QUERY_DATA_SHAPE = {**shape(CALLBACK_PAYLOAD), "created_at": "str"}
# The contract's table: on failure result is null and status_reason.message the error text.
FAILED_CALLBACK_SHAPE = {
    **shape(CALLBACK_PAYLOAD),
    "result": "NoneType",
    "status_reason": {"message": "str"},
}


# ------------------------------------------------------------------------- helpers


def api(sandbox: SandboxThread, headers: dict[str, str] | None = AUTH) -> httpx.Client:
    return httpx.Client(base_url=sandbox.api_url, headers=headers or {}, timeout=10)


def generate(client: httpx.Client, **fields: Any) -> str:
    body = {**BASIC_REQUEST, **fields}
    answer = client.post("/api/image/gen", json=body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["data"]["task_id"])


def query(client: httpx.Client, task_id: str) -> httpx.Response:
    return client.get("/api/task/query", params={"task_id": task_id})


def wait_final(client: httpx.Client, task_id: str, timeout: float = 10.0) -> dict[str, Any]:
    """Poll until the task is final; the query answer's data."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = query(client, task_id)
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        if data["status"] in FINAL:
            return data
    raise AssertionError(f"task {task_id} not final after {timeout} s")


def credit(client: httpx.Client) -> Decimal:
    answer = client.get("/api/user")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # The envelope of GEN_OK, whose data holds (at least) a string credit.
    assert shape(body) == {**shape(GEN_OK), "data": {**shape(body["data"]), "credit": "str"}}
    assert (body["code"], body["message"]) == (0, "ok")
    assert DECIMAL_TEXT.match(body["data"]["credit"]), body
    return Decimal(body["data"]["credit"])


def small_png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), color).save(out, format="PNG")
    return out.getvalue()


def image_of(data: bytes) -> tuple[str | None, tuple[int, int]]:
    """What Pillow reads in the bytes: their format and pixel size."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.format, image.size


def result_image(sandbox: SandboxThread, **fields: Any) -> tuple[str, bytes]:
    """Generate, wait, and return the result's URL and its bytes (fetched or decoded)."""
    with api(sandbox) as client:
        data = wait_final(client, generate(client, **fields))
    assert data["status"] == "success", data
    assert shape(data["result"]) == [shape(IMAGE_GEN_RESULT)]
    url = data["result"][0]["image"]
    if url.startswith("data:"):
        return url, base64.b64decode(url.split(",", 1)[1], validate=True)
    with httpx.Client(timeout=10) as cdn:
        answer = cdn.get(url)
    assert answer.status_code == 200
    return url, answer.content


# ---------------------------------------------------------------------- the helper


def test_shape_maps_structure_and_json_types():
    value = {"a": [{"b": 1, "c": None}], "d": "x", "e": True, "f": 1.5, "g": []}
    assert shape(value) == {
        "a": [{"b": "int", "c": "NoneType"}],
        "d": "str",
        "e": "bool",
        "f": "float",
        "g": [],
    }
    assert shape({"code": 0}) != shape({"code": "0"})
    assert shape({"code": 0}) != shape({"code": 0, "extra": 0})
    assert shape(CALLBACK_PAYLOAD) != FAILED_CALLBACK_SHAPE


def test_contract_task_ids_fit_the_task_id_pattern():
    for task_id in (GEN_OK["data"]["task_id"], CALLBACK_PAYLOAD["task_id"], CURL_TASK_ID):
        assert TASK_ID.match(task_id), task_id
    assert not TASK_ID.match("ta-x")


# --------------------------------------------------------------- POST /api/image/gen


def test_generation_success_has_the_contract_shape(sandbox):
    sandbox.config.faults.fail_task.count = 2  # the tasks' fate is not the point: no renders
    with api(sandbox) as client:
        answer = client.post("/api/image/gen", json=BASIC_REQUEST)
        other = client.post("/api/image/gen", json=BASIC_REQUEST)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert shape(body) == shape(GEN_OK)
    assert (body["code"], body["message"]) == (GEN_OK["code"], GEN_OK["message"])
    assert TASK_ID.match(body["data"]["task_id"]), body
    assert other.json()["data"]["task_id"] != body["data"]["task_id"]


@pytest.mark.parametrize(
    "body",
    [
        {"model": "google/gempix2"},
        {"model": "google/gempix2", "prompt": ""},
        {"model": "google/gempix2", "prompt": "   "},
        {"model": "google/gempix2", "prompt": " \t\n "},
    ],
    ids=["missing", "empty", "spaces", "whitespace"],
)
def test_generation_without_a_prompt_is_the_contract_400(sandbox, body):
    with api(sandbox) as client:
        answer = client.post("/api/image/gen", json=body)
    assert answer.status_code == 400
    assert answer.json() == GEN_BAD_REQUEST


@pytest.mark.parametrize(
    "raw",
    [b'{"model": "google/gempix2", "prompt": ', b"not json", b"", b"\xff\xfe\x00", b"[]"],
    ids=["truncated", "text", "empty", "binary", "not-an-object"],
)
def test_generation_with_a_malformed_body_is_a_400(sandbox, raw):
    with api(sandbox) as client:
        answer = client.post(
            "/api/image/gen", content=raw, headers={"Content-Type": "application/json"}
        )
    assert answer.status_code == 400
    body = answer.json()
    assert shape(body) == shape(GEN_BAD_REQUEST)
    assert (body["code"], body["message"]) == (1, "failed")
    assert body["detail"].strip()


def test_generation_takes_at_most_four_reference_images(sandbox):
    references = [sandbox.publish(small_png((i * 50, 0, 0))) for i in range(5)]
    sandbox.config.faults.fail_task.count = 1  # the accepted task need not render
    with api(sandbox) as client:
        refused = client.post("/api/image/gen", json={**BASIC_REQUEST, "images": references})
        accepted = client.post("/api/image/gen", json={**BASIC_REQUEST, "images": references[:4]})
    assert refused.status_code == 400
    body = refused.json()
    assert shape(body) == shape(GEN_BAD_REQUEST)
    assert (body["code"], body["message"]) == (1, "failed")
    assert "4" in body["detail"]
    assert accepted.status_code == 200
    assert shape(accepted.json()) == shape(GEN_OK)


@pytest.mark.parametrize("headers", list(BAD_AUTH.values()), ids=list(BAD_AUTH))
def test_generation_with_a_bad_key_is_the_contract_401(sandbox, headers):
    with api(sandbox, headers) as client:
        answer = client.post("/api/image/gen", json=BASIC_REQUEST)
    assert answer.status_code == 401
    assert answer.json() == GEN_UNAUTHORIZED
    assert not sandbox.sandbox.book.tasks  # nothing was created, so nothing charged


# --------------------------------------------------------------- GET /api/task/query


@pytest.mark.parametrize("headers", list(BAD_AUTH.values()), ids=list(BAD_AUTH))
def test_query_with_a_bad_key_is_the_contract_401(sandbox, headers):
    sandbox.config.faults.fail_task.count = 1  # the task's fate is not the point: no render
    with api(sandbox) as good:
        task_id = generate(good)
    with api(sandbox, headers) as client:
        answer = query(client, task_id)
    assert answer.status_code == 401
    assert answer.json() == QUERY_UNAUTHORIZED


@pytest.mark.parametrize("task_id", [CURL_TASK_ID, "ta-nothing", "x" * 300])
def test_query_for_an_unknown_task_is_the_contract_404(sandbox, task_id):
    with api(sandbox) as client:
        answer = query(client, task_id)
    assert answer.status_code == 404
    assert answer.json() == QUERY_NOT_FOUND


def test_a_task_is_not_found_by_another_account(sandbox):
    sandbox.config.faults.fail_task.count = 1  # the task's fate is not the point: no render
    with api(sandbox) as owner:
        task_id = generate(owner)
        assert query(owner, task_id).status_code == 200
    with api(sandbox, {"Authorization": "Bearer dk-someone-else"}) as stranger:
        answer = query(stranger, task_id)
    assert answer.status_code == 404
    assert answer.json() == QUERY_NOT_FOUND


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/nothing"),
        ("POST", "/api/image/generate"),
        ("GET", "/"),
        ("GET", "/api/image/gen"),
    ],
)
def test_an_unknown_endpoint_is_a_404_envelope(sandbox, method, path):
    with api(sandbox) as client:
        answer = client.request(method, path)
    assert answer.status_code == 404
    body = answer.json()
    assert shape(body) == shape(QUERY_NOT_FOUND)
    assert body["code"] != 0
    assert "not found" in body["message"]


def test_a_successful_query_carries_the_callback_fields_and_created_at(sandbox):
    with api(sandbox) as client:
        answer = query(client, task_id := generate(client))
        assert answer.status_code == 200
        first = answer.json()
        data = wait_final(client, task_id)
    assert shape(first) == {"code": "int", "message": "str", "data": shape(first["data"])}
    assert (first["code"], first["message"]) == (0, "ok")
    assert set(first["data"]) == set(QUERY_DATA_SHAPE)
    assert data["status"] == "success"
    assert shape(data) == QUERY_DATA_SHAPE
    assert data["task_id"] == task_id
    assert shape(data["result"][0]) == shape(IMAGE_GEN_RESULT)
    assert data["result"][0]["image"].endswith(".png")
    assert SIX_DECIMALS.match(data["consumed"]), data
    assert Decimal(data["consumed"]) > 0
    assert data["status_reason"] == {"message": None}
    created = datetime.fromisoformat(data["created_at"].replace("Z", "+00:00"))
    assert created.tzinfo is not None
    assert abs(created.timestamp() - time.time()) < 60


def test_a_failed_query_has_no_result_and_a_reason(sandbox):
    sandbox.config.faults.fail_task.count = 1
    with api(sandbox) as client:
        task_id = generate(client)
        data = wait_final(client, task_id)
    assert data["status"] == "failed"
    assert shape(data) == {**FAILED_CALLBACK_SHAPE, "created_at": "str"}
    assert data["result"] is None
    assert data["status_reason"]["message"].strip()
    assert SIX_DECIMALS.match(data["consumed"]), data


def test_statuses_are_the_documented_five_in_documented_order():
    config = SandboxConfig(
        pending_seconds=0.15, submitted_seconds=0.15, in_progress_seconds=0.15, not_found_seconds=0
    )
    with SandboxThread(config) as sandbox, api(sandbox) as client:
        succeeding = generate(client)
        sandbox.config.faults.fail_task.count = 1
        failing = generate(client)
        seen: dict[str, list[str]] = {succeeding: [], failing: []}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(s and s[-1] in FINAL for s in seen.values()):
            for task_id, statuses in seen.items():
                answer = query(client, task_id)
                assert answer.status_code == 200, answer.text
                data = answer.json()["data"]
                assert set(data) == set(QUERY_DATA_SHAPE)
                assert data["status"] in STATUSES, data
                assert SIX_DECIMALS.match(data["consumed"]), data
                if data["status"] not in FINAL:
                    assert data["result"] is None
                if not statuses or statuses[-1] != data["status"]:
                    statuses.append(data["status"])
    assert seen[succeeding] == ["pending", "submitted", "in_progress", "success"]
    assert seen[failing] == ["pending", "submitted", "in_progress", "failed"]


def test_a_new_task_is_not_found_until_it_is_indexed():
    window = 0.3
    config = SandboxConfig.instant(not_found_seconds=window)
    with SandboxThread(config) as sandbox, api(sandbox) as client:
        sent = time.time()
        task_id = generate(client)
        early = query(client, task_id)
        deadline = time.monotonic() + 10
        found = None
        while found is None and time.monotonic() < deadline:
            answer = query(client, task_id)
            if answer.status_code == 200:
                found = time.time()
            else:
                assert answer.status_code == 404
                assert answer.json() == QUERY_NOT_FOUND
        data = wait_final(client, task_id)
    assert early.status_code == 404
    assert early.json() == QUERY_NOT_FOUND
    assert found is not None, "the task never became visible"
    assert found - sent >= window
    assert data["status"] == "success"


# ------------------------------------------------------------------------ callbacks


@pytest.mark.parametrize("fate", ["success", "failed"])
def test_the_callback_has_exactly_the_contract_payload_shape(sandbox, fate):
    if fate == "failed":
        sandbox.config.faults.fail_task.count = 1
    references = [sandbox.publish(small_png((0, 200, 0))), sandbox.publish(small_png((0, 0, 9)))]

    async def scenario() -> tuple[dict[str, Any], str, dict[str, Any]]:
        received: asyncio.Future[tuple[str, str, Any]] = asyncio.get_running_loop().create_future()

        async def hook(request: web.Request) -> web.Response:
            payload = await request.json()
            if not received.done():
                received.set_result((request.method, request.content_type, payload))
            return web.json_response({"ok": True})

        app = web.Application()
        app.router.add_post("/webhook/image-callback", hook)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            body = {
                **ADVANCED_REQUEST,
                "images": references,
                "callback_url": f"http://127.0.0.1:{port}/webhook/image-callback",
            }
            assert shape(body) == shape(ADVANCED_REQUEST)
            async with httpx.AsyncClient(
                base_url=sandbox.api_url, headers=AUTH, timeout=10
            ) as client:
                answer = await client.post("/api/image/gen", json=body)
                assert answer.status_code == 200, answer.text
                task_id = answer.json()["data"]["task_id"]
                method, content_type, payload = await asyncio.wait_for(received, 10)
                again = await client.get("/api/task/query", params={"task_id": task_id})
                queried = again.json()["data"]
        finally:
            await runner.cleanup()
        assert method == "POST"
        assert content_type == "application/json"
        return payload, task_id, queried

    payload, task_id, queried = run(scenario())
    assert payload["task_id"] == task_id
    assert payload["status"] == fate
    if fate == "success":
        assert shape(payload) == shape(CALLBACK_PAYLOAD)
        assert shape(payload["result"][0]) == shape(IMAGE_GEN_RESULT)
        assert payload["status_reason"] == {"message": None}
        assert Decimal(payload["consumed"]) > 0
    else:
        assert shape(payload) == FAILED_CALLBACK_SHAPE
        assert payload["result"] is None
        assert payload["status_reason"]["message"].strip()
    assert set(payload) == set(CALLBACK_PAYLOAD)
    assert SIX_DECIMALS.match(payload["consumed"]), payload
    # The callback and a later query tell the same story.
    assert {k: queried[k] for k in payload} == payload


# ------------------------------------------------------------------ GET /api/user


def test_credit_goes_down_by_consumed_after_a_success_only(sandbox):
    with api(sandbox) as client:
        before = credit(client)
        done = wait_final(client, generate(client))
        after_success = credit(client)
        sandbox.config.faults.fail_task.count = 1
        failed = wait_final(client, generate(client))
        after_failure = credit(client)
    assert done["status"] == "success"
    assert failed["status"] == "failed"
    assert Decimal(done["consumed"]) > 0
    assert after_success == before - Decimal(done["consumed"])
    assert after_failure == after_success


@pytest.mark.parametrize("headers", list(BAD_AUTH.values()), ids=list(BAD_AUTH))
def test_the_account_endpoint_refuses_a_bad_key(sandbox, headers):
    with api(sandbox, headers) as client:
        answer = client.get("/api/user")
    assert answer.status_code == 401
    body = answer.json()
    assert shape(body) == shape(QUERY_UNAUTHORIZED)
    assert body["code"] != 0
    assert body["message"] == "Invalid API key"


# -------------------------------------------------------------------- result images


def test_a_result_is_a_png_on_the_cdn_origin(sandbox):
    url, data = result_image(sandbox)
    api_port, cdn_port = urlsplit(sandbox.api_url).port, urlsplit(sandbox.cdn_url).port
    assert url.startswith(sandbox.cdn_url + "/")
    assert urlsplit(url).port == cdn_port != api_port
    assert url.endswith(".png")
    assert data.startswith(PNG_MAGIC)
    assert image_of(data) == ("PNG", (1024, 1024))


def test_a_jpeg_result_keeps_its_png_name(sandbox):
    sandbox.config.image_format = "jpeg"
    url, data = result_image(sandbox)
    assert url.endswith(".png")
    assert data.startswith(JPEG_MAGIC)
    assert image_of(data)[0] == "JPEG"


def test_a_data_result_is_an_inline_png(sandbox):
    sandbox.config.result_mode = "data"
    url, data = result_image(sandbox)
    assert url.startswith("data:image/png;base64,")
    assert data.startswith(PNG_MAGIC)
    assert image_of(data) == ("PNG", (1024, 1024))


@pytest.mark.parametrize(
    ("fields", "size"),
    [
        ({"aspect_ratio": "16:9", "image_size": "1K"}, (1376, 768)),
        ({"aspect_ratio": "9:16"}, (768, 1376)),
        ({"aspect_ratio": "auto", "image_size": "1k"}, (1024, 1024)),
    ],
    ids=["16:9-1K", "9:16-default", "auto-1k"],
)
def test_result_dimensions_follow_aspect_ratio_and_size(sandbox, fields, size):
    sandbox.config.result_mode = "data"  # the same pixels, without a download
    _, data = result_image(sandbox, **fields)
    assert image_of(data) == ("PNG", size)


def test_the_cdn_records_request_headers_and_no_key_by_default(sandbox):
    url, _ = result_image(sandbox)  # downloaded by a client that sends no Authorization
    path = urlsplit(url).path
    with httpx.Client(timeout=10, headers=AUTH) as keyed:
        assert keyed.get(url).status_code == 200
    records = sandbox.records.requests_to("cdn", path)
    assert len(records) == 2
    plain, with_key = ({k.lower(): v for k, v in r.headers.items()} for r in records)
    assert "authorization" not in plain
    assert "host" in plain  # the recorder does keep headers
    assert with_key["authorization"] == f"Bearer {KEY}"


# ------------------------------------------------------- what the fault suites rely on


def test_the_cdn_records_a_digest_of_every_body_it_served(sandbox):
    url, data = result_image(sandbox)
    [record] = sandbox.records.requests_to("cdn", urlsplit(url).path)
    assert record.status == 200
    assert sandbox.records.served(urlsplit(url).path) == {hashlib.sha256(data).hexdigest()}


def test_links_expire_counted_from_the_success_not_the_render(sandbox):
    sandbox.config.in_progress_seconds = 0.3  # the image is rendered long before that
    sandbox.config.result_ttl = 5.0
    with api(sandbox) as client:
        task_id = generate(client)
        data = wait_final(client, task_id)
    path = urlsplit(data["result"][0]["image"]).path
    finished = sandbox.call(lambda: sandbox.book.tasks[task_id].finished_at)
    expires = sandbox.call(lambda: sandbox.sandbox.store.get(path).expires_at)
    assert expires == pytest.approx(finished + 5.0, abs=0.05)


def test_scaled_runs_every_clock_faster_and_leaves_the_original():
    config = SandboxConfig(result_ttl=60.0, cdn_seconds=2.0)
    config.faults.update({"server_error": "30%", "slow": "10%"})
    fast = config.scaled(0.1)
    durations = ("pending_seconds", "submitted_seconds", "in_progress_seconds",
                 "not_found_seconds", "result_ttl", "cdn_seconds")
    for name in durations:
        assert getattr(fast, name) == pytest.approx(getattr(config, name) * 0.1), name
    assert fast.faults.retry_after == pytest.approx(0.1)
    assert fast.faults.slow_seconds == pytest.approx(0.3)
    assert fast.faults.server_error.rate == 0.3 and config.result_ttl == 60.0
    fast.faults.server_error.rate = 0.0
    assert config.faults.server_error.rate == 0.3
    with pytest.raises(ValueError, match="above 0"):
        config.scaled(0)


def test_a_held_generation_is_made_and_charged_though_its_client_is_gone(sandbox):
    sandbox.hold("gen")
    # The client gives up (as a killed app does) while the server holds its request.
    with api(sandbox) as client, pytest.raises(httpx.ReadTimeout):
        client.post("/api/image/gen", json=BASIC_REQUEST, timeout=httpx.Timeout(10, read=0.3))
    assert sandbox.book.held == 1
    assert sandbox.call(lambda: len(sandbox.book.tasks)) == 0
    sandbox.release()
    deadline = time.monotonic() + 10
    while sandbox.call(lambda: [t.status for t in sandbox.book.tasks.values()]) != ["success"]:
        assert time.monotonic() < deadline, "the held task was never made"
        time.sleep(0.02)  # the sandbox's own loop moves it on
    with api(sandbox) as client:
        credit = client.get("/api/user").json()["data"]["credit"]
    assert Decimal(credit) == Decimal("99.5")  # charged, as the real API would


def test_an_outage_refuses_connections_and_callbacks_then_the_same_ports_answer():
    config = SandboxConfig.instant(in_progress_seconds=0.3)
    received: list[str] = []

    async def receiver(request: web.Request) -> web.Response:
        received.append(request.path)
        return web.Response()

    async def scenario() -> None:
        app = web.Application()
        app.router.add_post("/hook", receiver)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        hook = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"
        try:
            with SandboxThread(config) as sandbox:
                async with httpx.AsyncClient(base_url=sandbox.api_url, headers=AUTH) as client:
                    body = {**BASIC_REQUEST, "callback_url": hook}
                    sent = await client.post("/api/image/gen", json=body)
                    task_id = sent.json()["data"]["task_id"]
                    await asyncio.to_thread(sandbox.go_away)
                    for origin in (sandbox.api_url, sandbox.cdn_url):
                        with pytest.raises(httpx.ConnectError):
                            await client.get(origin + "/api/user")
                    while not sandbox.records.callbacks:  # noqa: ASYNC110 - its loop, not ours
                        await asyncio.sleep(0.02)
                    await asyncio.to_thread(sandbox.come_back)
                    answer = await client.get("/api/task/query", params={"task_id": task_id})
                    [callback] = sandbox.records.callbacks
        finally:
            await runner.cleanup()
        assert callback.error == "network outage" and received == []
        assert answer.json()["data"]["status"] == "success"  # it ran on meanwhile

    run(scenario())


def test_a_slow_host_sends_the_body_whole_in_pieces(sandbox):
    sandbox.config.cdn_seconds = 0.8
    sandbox.config.result_mode = "url"
    with api(sandbox) as client:
        data = wait_final(client, generate(client))
    url = data["result"][0]["image"]
    started = time.monotonic()
    pieces = []
    with httpx.stream("GET", url, timeout=10) as response:
        declared = int(response.headers["Content-Length"])
        pieces.extend(response.iter_raw())
    assert time.monotonic() - started >= 0.7  # eight slices, 0.1 s apart
    assert len(pieces) >= 4 and len(b"".join(pieces)) == declared
    assert b"".join(pieces).startswith(PNG_MAGIC)
