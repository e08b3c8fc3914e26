"""Whatever the server sends, the parser returns a value or raises a NanoBananaError.

Hypothesis feeds ``decode_envelope`` arbitrary statuses, content types and bodies (JSON
biased toward the contract's envelope and task fields, raw bytes, HTML pages, deeply
nested JSON), then feeds whatever it returns to ``parse_snapshot``, ``parse_task_id``
and ``parse_credit``. Nothing else may escape: no KeyError, TypeError, AttributeError,
plain ValueError or RecursionError.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nanobanana_desktop.api.errors import (
    ApiError,
    AuthenticationError,
    NanoBananaError,
    NotFoundError,
    ProtocolError,
)
from nanobanana_desktop.api.models import TaskSnapshot, TaskStatus
from nanobanana_desktop.api.parsing import (
    decode_envelope,
    error_for_code,
    error_for_status,
    parse_credit,
    parse_snapshot,
    parse_task_id,
)

VALID_STATUSES = ("pending", "submitted", "in_progress", "success", "failed")
VALID_ENVELOPE = {"code": 0, "message": "ok", "data": {"task_id": "ta-x"}}


def examples(count: int) -> settings:
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ---------------------------------------------------------------------- strategies

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
numberish = (
    st.sampled_from(
        [
            "0.500000",
            "0",
            "-1.5",
            " 2.25 ",
            "NaN",
            "sNaN",
            "-Infinity",
            "1e999999",
            "1_0",
            "",
            "abc",
        ]
    )
    | st.decimals(allow_nan=True).map(str)
    | st.floats()
    | st.integers()
    | st.text(max_size=12)
    | json_values
)
fixed_offsets = st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-23 * 60, 23 * 60)
)
timestamps = (
    st.sampled_from(
        [
            "2025-08-29T01:02:03Z",
            "2025-08-29T01:02:03",
            "2025-08-29 01:02:03+02:00",
            "2025-08-29",
            "1756432513",
            "1756432513771",
            "1756432513.5",
            "-99999999999999",
            "99999999999999999999",
            "9" * 400,
            "²",
            "Z",
            "",
        ]
    )
    | st.datetimes(timezones=st.none() | st.just(UTC) | fixed_offsets).map(datetime.isoformat)
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | json_values
)
texts_or_any = st.text(max_size=30) | json_values
urls = st.sampled_from(
    [
        "https://cdn.example/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        " https://a/b.png ",
        " ",
        "",
    ]
)
blank_or_text = st.sampled_from(["", " ", "\n\t", "words", " padded "]) | st.text(max_size=30)
image_items = st.builds(lambda url: {"image": url}, urls)
text_items = st.builds(lambda text: {"text": text}, blank_or_text)
result_items = st.one_of(
    image_items,
    text_items,
    st.fixed_dictionaries({}, optional={"image": urls | texts_or_any, "text": texts_or_any}),
    json_values,
)
results = st.one_of(
    st.none(),
    # What the sandbox and the wild send: image items, text items, blanks among them.
    st.lists(image_items | text_items, min_size=1, max_size=4),
    st.lists(result_items, max_size=4),
    result_items,
    json_values,
)
statuses = st.one_of(
    st.sampled_from(VALID_STATUSES),
    st.sampled_from(VALID_STATUSES),
    st.text(max_size=12),
    json_values,
)
reasons = st.fixed_dictionaries({}, optional={"message": st.none() | texts_or_any}) | json_values
# Every field the contract and the wild show, each present or not.
TASK_FIELDS = {
    "task_id": st.text(max_size=40) | json_values,
    "status": statuses,
    "result": results,
    "consumed": numberish,
    "status_reason": reasons,
    "created_at": timestamps,
    "credit": numberish,
}
extra_keys = st.dictionaries(st.text(max_size=8), json_values, max_size=2)


def merged(fields: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts of ``fields`` plus a few unknown keys (which the client must tolerate)."""
    return st.builds(lambda known, extra: {**extra, **known}, fields, extra_keys)


task_data = st.one_of(
    # A plausible query answer: id and status there, the rest perhaps.
    merged(
        st.fixed_dictionaries(
            {"task_id": st.text(max_size=40), "status": statuses},
            optional={k: v for k, v in TASK_FIELDS.items() if k not in ("task_id", "status")},
        )
    ),
    # Every field there, as the sandbox and the callback send them.
    merged(st.fixed_dictionaries(TASK_FIELDS)),
    merged(st.fixed_dictionaries({}, optional=TASK_FIELDS)),
)
codes = st.sampled_from([0, 1, 401, 404]) | st.integers() | json_values
messages = st.sampled_from(["ok", "failed", "Invalid API key", "task not found"]) | texts_or_any
details = st.sampled_from(["prompt is required"]) | texts_or_any
envelopes = st.one_of(
    # A plausible success envelope.
    merged(
        st.fixed_dictionaries(
            {"code": st.just(0), "message": messages, "data": task_data},
            optional={"detail": details},
        )
    ),
    # Anything envelope-like.
    merged(
        st.fixed_dictionaries(
            {},
            optional={
                "code": codes,
                "message": messages,
                "data": task_data | json_values,
                "detail": details,
            },
        )
    ),
)
http_statuses = st.one_of(
    st.just(200),
    st.sampled_from([200, 201, 204, 400, 401, 402, 403, 404, 429, 500, 502]),
    st.integers(100, 599),
)
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/html", "text/plain", ""]
) | st.text(max_size=30)
retry_afters = st.none() | st.floats(allow_nan=False)


@st.composite
def encoded(draw: st.DrawFn, values: st.SearchStrategy[Any]) -> bytes:
    """A JSON value as bytes, as a server might send it."""
    value = draw(values)
    text = json.dumps(value, ensure_ascii=draw(st.booleans()), indent=draw(st.none() | st.just(2)))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "utf-32"]))
    return text.encode(encoding, "surrogatepass")


# ------------------------------------------------------------------------- helpers


def outcome(fn: Callable[[], Any]) -> tuple[bool, Any]:
    """(True, value) or (False, error); any error but a NanoBananaError propagates."""
    try:
        return True, fn()
    except NanoBananaError as exc:
        return False, exc


def check_snapshot(snapshot: TaskSnapshot) -> None:
    assert isinstance(snapshot.status, TaskStatus)
    assert isinstance(snapshot.task_id, str)
    consumed = snapshot.consumed
    assert consumed is None or (isinstance(consumed, Decimal) and consumed.is_finite())
    created = snapshot.created_at
    assert created is None or (isinstance(created, datetime) and created.utcoffset() is not None)
    for items in (snapshot.images, snapshot.texts):
        assert isinstance(items, tuple)
        assert all(isinstance(item, str) and item.strip() for item in items)
    assert snapshot.status_reason is None or snapshot.status_reason.strip()


def parse_everything(
    status: int, content_type: str, body: bytes, retry_after: float | None = None
) -> None:
    """Run the whole parse chain; assert what must hold of each outcome."""
    ok, data = outcome(lambda: decode_envelope(status, content_type, body, retry_after=retry_after))
    if not ok:
        assert isinstance(data, ApiError)
        assert str(data).strip()
        if status == 401:
            assert isinstance(data, AuthenticationError)
            assert "Settings" in str(data)
        return
    assert status < 400, "an error status returned data"
    envelope = json.loads(body)
    assert isinstance(envelope, dict)
    assert envelope["code"] == 0
    assert type(envelope["code"]) is int
    assert data == envelope.get("data")

    ok, snapshot = outcome(lambda: parse_snapshot(data, "t"))
    if ok:
        check_snapshot(snapshot)
        assert snapshot.status.value == data["status"]
    else:
        assert isinstance(snapshot, ProtocolError)
    ok, task_id = outcome(lambda: parse_task_id(data))
    assert not ok or (isinstance(task_id, str) and task_id and task_id == task_id.strip())
    ok, credit = outcome(lambda: parse_credit(data))
    assert not ok or (isinstance(credit, Decimal) and credit.is_finite())


# ------------------------------------------------------------------ the main property


@examples(400)
@given(
    status=http_statuses,
    content_type=content_types,
    body=encoded(envelopes | json_values),
    retry_after=retry_afters,
)
@example(
    status=200,
    content_type="application/json",
    body=json.dumps(VALID_ENVELOPE).encode(),
    retry_after=None,
)
def test_arbitrary_json_answers_give_values_or_typed_errors(
    status, content_type, body, retry_after
):
    parse_everything(status, content_type, body, retry_after)


@examples(150)
@given(data=task_data | json_values, task_id=st.text(max_size=10))
def test_snapshots_hold_only_clean_values(data, task_id):
    # A callback payload reaches parse_snapshot without an envelope around it.
    ok, snapshot = outcome(lambda: parse_snapshot(data, task_id))
    if ok:
        check_snapshot(snapshot)
        sent = data.get("task_id")
        assert snapshot.task_id == (sent if isinstance(sent, str) and sent else task_id)
    else:
        assert isinstance(snapshot, ProtocolError)


# ------------------------------------------------------------- other kinds of body


@examples(200)
@given(status=http_statuses, content_type=content_types, body=st.binary(max_size=200))
def test_raw_bytes_give_values_or_typed_errors(status, content_type, body):
    parse_everything(status, content_type, body)


HTML_PAGES = st.builds(
    lambda template, text: template.format(text=text).encode(),
    st.sampled_from(
        [
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>{text}</body></html>",
            "<!DOCTYPE html><html><body><h1>{text}</h1></body></html>",
            "  <!doctype HTML>\n<p>{text}",
            "<HTML>{text}</HTML>",
        ]
    ),
    st.text(max_size=40),
)


@examples(100)
@given(status=http_statuses, content_type=content_types, body=HTML_PAGES)
def test_html_pages_are_always_typed_errors(status, content_type, body):
    with pytest.raises(ApiError) as raised:
        decode_envelope(status, content_type, body)
    if status < 400:
        assert isinstance(raised.value, ProtocolError)
        assert "web page" in str(raised.value)
    if status == 401:
        assert isinstance(raised.value, AuthenticationError)


def nested(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "null" + "}" * depth


DEEP_PLACES = [
    "{inner}",
    '{{"code":0,"message":"ok","data":{inner}}}',
    '{{"code":0,"message":"ok","data":{{"status":{inner}}}}}',
    '{{"code":0,"message":"ok","data":{{"status":"success","result":{inner}}}}}',
    '{{"code":0,"message":"ok","data":{{"status":"success","result":[{{"image":{inner}}}]}}}}',
    '{{"code":0,"message":"ok","data":{{"task_id":{inner},"credit":{inner}}}}}',
    '{{"code":0,"message":"ok","data":{{"status":"x","consumed":{inner},"created_at":{inner}}}}}',
    '{{"code":0,"message":"ok","data":{{"status":"failed","status_reason":{inner}}}}}',
    '{{"code":{inner},"message":{inner}}}',
    '{{"code":1,"message":{inner},"detail":{inner}}}',
]


@pytest.mark.parametrize("depth", [10, 900, 5000, 100_000])
@pytest.mark.parametrize("kind", ["list", "dict"])
@pytest.mark.parametrize("status", [200, 401, 500])
def test_deeply_nested_json_gives_values_or_typed_errors(depth, kind, status):
    inner = nested(depth, kind)
    for place in DEEP_PLACES:
        parse_everything(status, "application/json", place.format(inner=inner).encode())


def test_deep_nesting_just_below_the_decoders_limit_is_handled():
    # The deepest JSON the decoder still accepts, in this very stack, is where later
    # steps (the repr of an odd status, say) would run out of stack first: walk down
    # from past the interpreter's limit and parse the first depths that decode.
    for kind in ("list", "dict"):
        for place in DEEP_PLACES[1:]:
            decoded = 0
            for depth in range(1100, 700, -1):
                body = place.format(inner=nested(depth, kind)).encode()
                try:
                    json.loads(body)
                    decoded += 1
                except RecursionError:
                    pass
                parse_everything(200, "application/json", body)
                if decoded == 8:
                    break
            assert decoded == 8, "the decoder never coped: the walk missed its limit"


# ------------------------------------------------------------ properties that must hold


@examples(100)
@given(
    content_type=content_types,
    indent=st.none() | st.integers(0, 4),
    separators=st.sampled_from([None, (",", ":"), (", ", ": ")]),
    reorder=st.booleans(),
    padding=st.sampled_from([b"", b" ", b"\n", b"\r\n\t "]),
    retry_after=retry_afters,
)
def test_a_valid_envelope_under_200_returns_its_data(
    content_type, indent, separators, reorder, padding, retry_after
):
    value = dict(reversed(VALID_ENVELOPE.items())) if reorder else VALID_ENVELOPE
    body = padding + json.dumps(value, indent=indent, separators=separators).encode() + padding
    data = decode_envelope(200, content_type, body, retry_after=retry_after)
    assert data == {"task_id": "ta-x"}
    assert parse_task_id(data) == "ta-x"


@examples(150)
@given(
    code=st.sampled_from([1, 401, 404, -1]) | st.integers().filter(lambda c: c != 0),
    message=st.none()
    | st.sampled_from(["failed", "Invalid API key", "task not found"])
    | st.text(max_size=30),
    detail=st.none() | st.text(max_size=30),
    data=json_values,
    content_type=content_types,
)
@example(code=401, message="Invalid API key", detail=None, data=None, content_type="")
@example(code=1, message="task not found", detail=None, data=None, content_type="")
@example(code=1, message="failed", detail="prompt is required", data=None, content_type="")
def test_a_non_zero_code_under_200_raises(code, message, detail, data, content_type):
    body = json.dumps({"code": code, "message": message, "detail": detail, "data": data})
    with pytest.raises(ApiError) as raised:
        decode_envelope(200, content_type, body.encode())
    error = raised.value
    assert error.code == code
    said = (message or "").lower()
    # Key and not-found answers are read as what they say; every error keeps the HTTP
    # status it came with.
    assert error.status == 200
    if code == 401 or "api key" in said or "unauthori" in said:
        assert isinstance(error, AuthenticationError)
        assert "Settings" in str(error)
    elif code == 404 or "not found" in said:
        assert isinstance(error, NotFoundError)
    else:
        assert type(error) is ApiError


@examples(30)
@given(code=st.sampled_from([False, True, 0.0, "0", None, [0], {"0": 0}]), data=json_values)
def test_a_code_that_is_not_an_integer_is_not_success(code, data):
    body = json.dumps({"code": code, "message": "ok", "data": data}).encode()
    with pytest.raises(ProtocolError):
        decode_envelope(200, "application/json", body)


@examples(150)
@given(
    status=st.integers(400, 599),
    content_type=content_types,
    body=encoded(envelopes | json_values) | st.binary(max_size=50) | HTML_PAGES,
    retry_after=retry_afters,
)
@example(
    status=400,
    content_type="application/json",
    body=json.dumps(VALID_ENVELOPE).encode(),
    retry_after=None,
)
def test_any_error_status_raises(status, content_type, body, retry_after):
    with pytest.raises(ApiError) as raised:
        decode_envelope(status, content_type, body, retry_after=retry_after)
    assert raised.value.status == status
    if status == 401:
        assert isinstance(raised.value, AuthenticationError)
        assert "Settings" in str(raised.value)


@pytest.mark.parametrize(
    "body",
    [
        b'{"code": 1, "message": "Invalid API key"}',
        b'{"code": 401, "message": "Invalid API key"}',
        b'{"code": 0, "message": "ok", "data": {"task_id": "ta-x"}}',
        b"",
        b"<html>401 Authorization Required</html>",
    ],
)
def test_the_contract_401_answers_say_to_check_settings(body):
    with pytest.raises(AuthenticationError, match="Settings"):
        decode_envelope(401, "application/json", body)


@examples(100)
@given(
    status=st.integers(100, 599),
    code=st.none() | st.integers(),
    message=st.none() | st.text(max_size=400),
    detail=st.none() | st.text(max_size=400),
    retry_after=retry_afters,
)
def test_error_builders_always_return_an_api_error(status, code, message, detail, retry_after):
    error = error_for_status(status, code, message, detail, retry_after)
    assert isinstance(error, ApiError)
    assert error.status == status
    assert len(str(error)) < 600  # server text is clipped in the message
    if code is not None:
        coded = error_for_code(status, code, message, detail)
        assert isinstance(coded, ApiError)
        assert (coded.code, coded.status) == (code, status)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-08-29T01:02:03Z", datetime(2025, 8, 29, 1, 2, 3, tzinfo=UTC)),
        ("2025-08-29T01:02:03", datetime(2025, 8, 29, 1, 2, 3, tzinfo=UTC)),
        (1756432513, datetime.fromtimestamp(1756432513, UTC)),
        (1756432513000, datetime.fromtimestamp(1756432513, UTC)),
        ("1756432513", datetime.fromtimestamp(1756432513, UTC)),
        (math.inf, None),
        ("not a time", None),
        (None, None),
        (True, None),
    ],
)
def test_created_at_readings(value, expected):
    snapshot = parse_snapshot({"status": "pending", "created_at": value}, "t")
    assert snapshot.created_at == expected
