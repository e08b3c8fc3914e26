"""Hypothesis over the edges where outside bytes come in: the API's answers through the
client, data URIs, metadata written by other tools, and what another app puts in a drop.

tests/test_parsing_properties.py fuzzes the envelope parser's pure functions; here the
same answers go through the real client (headers, status, body over httpx), next to the
other parsers. Each property is kept to a few dozen or hundred examples so CI stays fast.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import re
import string
from decimal import Decimal

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from PySide6.QtCore import QByteArray, QMimeData, QUrl

from nanobanana_desktop.api import (
    GenerationRequest,
    NanoBananaClient,
    NanoBananaError,
    RequestValidationError,
    RetryPolicy,
    TaskSnapshot,
)
from nanobanana_desktop.api.validation import check_reference
from nanobanana_desktop.engine.downloads import (
    DownloadError,
    ImageTooLarge,
    NotAnImage,
    image_http_client,
    stage_image,
)
from nanobanana_desktop.engine.metadata import (
    ImageMetadata,
    MetadataError,
    embed_metadata,
    read_metadata,
    read_parameters,
)
from nanobanana_desktop.ui import reference_slots as slots

# NANOBANANA_FUZZ_SCALE=20 runs twenty times the examples, for a hunt outside CI.
SCALE = max(1, int(os.environ.get("NANOBANANA_FUZZ_SCALE", "1")))


def examples(count: int) -> settings:
    return settings(
        max_examples=count * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


PNG = encoded(Image.new("RGB", (12, 8), "orange"), "PNG")
JPEG = encoded(Image.new("RGB", (12, 8), "teal"), "JPEG")
WEBP = encoded(Image.new("RGB", (12, 8), "purple"), "WEBP")

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=16)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=16,
)


# ---------------------------------------------------------------- the API, through the client

TASK_KEYS = ("task_id", "status", "result", "consumed", "status_reason", "created_at", "credit")
statuses = st.sampled_from(["pending", "submitted", "in_progress", "success", "failed"]) | (
    st.text(max_size=12)
)
task_data = st.fixed_dictionaries(
    {},
    optional={
        "task_id": st.text(max_size=20) | json_values,
        "status": statuses | json_values,
        "result": st.none()
        | st.lists(
            st.fixed_dictionaries(
                {}, optional={"image": st.text(max_size=30), "text": json_values}
            ),
            max_size=3,
        )
        | json_values,
        "consumed": st.sampled_from(["0.5", "NaN", "1e999999", "", "lots"]) | json_values,
        "status_reason": st.fixed_dictionaries({}, optional={"message": json_values}) | json_values,
        "created_at": st.sampled_from(["2025-08-29T01:02:03Z", "9" * 40]) | json_values,
        "credit": st.sampled_from(["100", "-1", "Infinity"]) | json_values,
    },
)
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "code": st.just(0) | st.integers() | json_values,
        "message": st.text(max_size=20) | json_values,
        "data": task_data | json_values,
        "detail": json_values,
    },
)


@st.composite
def answers(draw: st.DrawFn) -> httpx.Response:
    """An answer as a server, a proxy or a broken middlebox might send it."""
    status = draw(st.sampled_from([200, 200, 201, 204, 400, 401, 403, 404, 429, 500, 502]))
    body = draw(
        st.one_of(
            envelopes.map(lambda value: json.dumps(value).encode()),
            json_values.map(lambda value: json.dumps(value).encode()),
            st.sampled_from([b"", b"<html><body>502 Bad Gateway</body></html>", b"{", b"[" * 5000]),
            st.binary(max_size=64),
        )
    )
    headers = draw(
        st.dictionaries(
            st.sampled_from(["Content-Type", "Retry-After", "retry-after-ms", "X-Other"]),
            st.sampled_from(
                [
                    "application/json",
                    "text/html",
                    "5",
                    "-1",
                    "1e309",
                    "Wed, 21 Oct 2015 07:28:00 GMT",
                ]
            )
            | st.text(alphabet=string.printable.strip(), max_size=12),
            max_size=3,
        )
    )
    return httpx.Response(status, content=body, headers=headers)


@examples(150)
@given(answer=answers(), call=st.sampled_from(["query", "generate", "balance"]))
@example(
    answer=httpx.Response(200, json={"code": 0, "data": {"task_id": "t", "status": "success"}}),
    call="query",
)
def test_any_answer_is_a_value_or_a_typed_error(answer, call):
    async def scenario() -> object:
        async def no_wait(_seconds: float) -> None:
            return None

        client = NanoBananaClient(
            "dk-fuzz-0123456789",
            transport=httpx.MockTransport(lambda _request: answer),
            retry=RetryPolicy(max_retries=0),
            sleep=no_wait,
            not_indexed_window=0.0,
        )
        async with client:
            if call == "query":
                return await client.query("ta-fuzz")
            if call == "generate":
                return await client.generate(GenerationRequest("google/gempix2", "a lemon"))
            return await client.balance()

    try:
        value = asyncio.run(scenario())
    except NanoBananaError as exc:
        assert str(exc).strip()
        assert "dk-fuzz-0123456789" not in str(exc)  # never the key, whatever the server says
        return
    assert answer.status_code < 400
    if call == "query":
        assert isinstance(value, TaskSnapshot)
    elif call == "generate":
        assert isinstance(value, str) and value.strip() == value and value
    else:
        assert isinstance(value, Decimal) and value.is_finite()


# ---------------------------------------------------------------- data URIs

headers = st.sampled_from(
    [
        "data:image/png;base64",
        "data:image/jpeg;base64",
        "DATA:IMAGE/PNG;BASE64",
        "data:image/png",
        "data:;base64",
        "data:image/png;charset=utf-8;base64",
        "data:text/html;base64",
        "data:image/svg+xml;base64",
    ]
) | st.text(max_size=20).map(lambda t: "data:" + t)
payload_bytes = st.sampled_from([PNG, JPEG, WEBP, PNG[:20], JPEG[: len(JPEG) // 2], b""]) | (
    st.binary(max_size=200)
)


@st.composite
def payloads(draw: st.DrawFn) -> str:
    """Base64, then perhaps damaged as hand-made URIs are: padding, spaces, stray signs."""
    text = base64.b64encode(draw(payload_bytes)).decode()
    damage = draw(st.sampled_from(["none", "strip-padding", "space", "stray", "urlsafe", "cut"]))
    if damage == "strip-padding":
        text = text.rstrip("=")
    elif damage == "space" and text:
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + " " + text[cut:]
    elif damage == "stray":
        text += draw(st.sampled_from(["*", "%", "=", "==", "\n", "é"]))
    elif damage == "urlsafe":
        text = text.replace("+", "-").replace("/", "_")
    elif damage == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    return text


data_uris = st.builds(
    lambda head, comma, body: head + comma + body, headers, st.sampled_from([",", ""]), payloads()
)


@examples(300)
@given(uri=data_uris)
def test_the_request_check_passes_only_small_base64_images(uri):
    try:
        check_reference(uri, 1)
    except RequestValidationError as exc:
        assert exc.field == "images[1]" and exc.message
        return
    assert re.match(r"^data:image/[A-Za-z0-9.+-]+;base64,", uri)
    decoded = base64.b64decode(uri.split(",", 1)[1], validate=True)
    assert len(decoded) <= 5 * 1024 * 1024


@examples(120)
@given(uri=data_uris)
@example(uri="data:image/png;base64," + base64.b64encode(PNG).decode())
def test_staging_a_data_uri_saves_a_verified_image_or_leaves_nothing(tmp_path_factory, uri):
    folder = tmp_path_factory.mktemp("staged")

    async def scenario():
        async with image_http_client() as http:
            return await stage_image(uri, folder, http=http, max_bytes=4096)

    try:
        staged = asyncio.run(scenario())
    except DownloadError as exc:
        assert isinstance(exc, NotAnImage | ImageTooLarge), type(exc)
        assert str(exc).strip()
        assert list(folder.iterdir()) == []  # no partial file left behind
        return
    assert staged.format in ("PNG", "JPEG", "WEBP")
    assert staged.temp_path.parent == folder and staged.temp_path.stat().st_size <= 4096
    with Image.open(staged.temp_path) as image:
        assert image.size == (staged.width, staged.height)


@examples(200)
@given(uri=data_uris)
def test_a_slot_takes_a_data_uri_only_as_base64_image_data(uri):
    item = slots._item_from_string(uri)
    if isinstance(item, slots._DataUri):
        assert re.match(r"^data:image/[A-Za-z0-9.+-]+;base64,", item.uri, re.IGNORECASE)
        try:
            decoded = slots._decode_data_uri(item.uri)
        except slots._Rejected as refused:
            assert "not valid base64" in refused.message
        else:
            assert isinstance(decoded, bytes)
    else:
        assert isinstance(item, slots._Refused) and item.message


# ---------------------------------------------------------------- metadata from other tools


def check_metadata(found: object) -> None:
    """Whatever a file claims, what comes back has the types the app relies on."""
    if found is None:
        return
    assert isinstance(found, ImageMetadata)
    assert isinstance(found.prompt, str) and isinstance(found.model, str)
    assert isinstance(found.references, tuple) and all(isinstance(r, str) for r in found.references)
    for name in ("aspect_ratio", "image_size", "task_id", "consumed", "created_at", "app_version"):
        value = getattr(found, name)
        assert value is None or isinstance(value, str), name
    for name in ("local_task_id", "width", "height", "image_index"):
        value = getattr(found, name)
        assert value is None or (isinstance(value, int) and not isinstance(value, bool)), name


def png_with_text(keyword: str, text: str, kind: str) -> bytes:
    info = PngInfo()
    if kind == "itxt":
        info.add_itxt(keyword, text, zip=False)
    elif kind == "ztxt":
        info.add_itxt(keyword, text, zip=True)
    else:
        info.add_text(keyword, text.encode("latin-1", "replace").decode("latin-1"))
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


FULL = ImageMetadata(prompt="a lemon", model="google/gempix2", task_id="t1", width=4, height=4)
metadata_json = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"prompt": st.text(max_size=20) | json_values, "model": st.text(max_size=10) | json_values},
        optional={
            "v": json_values,
            "references": st.lists(st.text(max_size=10), max_size=2) | json_values,
            "width": st.integers() | json_values,
            "image_index": st.integers() | st.booleans() | json_values,
            "consumed": st.text(max_size=8) | json_values,
        },
    ),
)


@examples(150)
@given(
    body=metadata_json.map(json.dumps) | st.text(max_size=60),
    kind=st.sampled_from(["text", "itxt", "ztxt"]),
)
@example(body=json.dumps(FULL.to_json()), kind="itxt")
def test_our_metadata_chunk_holding_anything_reads_as_typed_or_none(body, kind):
    found = read_metadata(png_with_text("nanobanana", body, kind))
    check_metadata(found)
    if body == json.dumps(FULL.to_json()):
        assert found == FULL


@examples(150)
@given(
    text=st.text(max_size=120)
    | st.builds(
        lambda prompt, pairs: f"{prompt}\n" + ", ".join(f"{k}: {v}" for k, v in pairs),
        st.text(max_size=30),
        st.lists(
            st.tuples(
                st.sampled_from(["Model", "Size", "Task", "Steps", "Aspect ratio", ""])
                | st.text(max_size=8),
                st.text(max_size=12),
            ),
            max_size=6,
        ),
    ),
    kind=st.sampled_from(["text", "itxt"]),
)
def test_a_parameters_text_from_any_tool_reads_as_typed_or_none(text, kind):
    check_metadata(read_parameters(png_with_text("parameters", text, kind)))


@examples(150)
@given(
    prefix=st.sampled_from([b"ASCII\0\0\0", b"UNICODE\0", b"\0" * 8, b"JIS\0\0\0\0\0", b""]),
    body=st.binary(max_size=80)
    | metadata_json.map(lambda v: json.dumps(v).encode())
    | metadata_json.map(lambda v: json.dumps(v).encode("utf-16-le"))
    | metadata_json.map(lambda v: json.dumps(v).encode("utf-16-be")),
)
def test_a_jpeg_user_comment_holding_anything_reads_as_typed_or_none(prefix, body):
    image = Image.new("RGB", (4, 4))
    exif = image.getexif()
    exif.get_ifd(0x8769)[0x9286] = prefix + body  # the Exif IFD's UserComment
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    data = buffer.getvalue()
    check_metadata(read_metadata(data))
    check_metadata(read_parameters(data))
    try:
        again = embed_metadata(data, FULL)  # and writing over it still works, or says why
    except MetadataError:
        return
    assert read_metadata(again) == FULL


# ---------------------------------------------------------------- what a drop carries

links = st.one_of(
    st.builds(
        lambda scheme, rest: scheme + rest,
        st.sampled_from(
            [
                "http://",
                "https://",
                "HTTPS://",
                "ftp://",
                "javascript:",
                "file://",
                "data:",
                "www.",
                "",
            ]
        ),
        st.text(max_size=40),
    ),
    st.sampled_from(
        [
            "https://me:pw@example.com/a.png",
            "https://exa mple.com/a.png",
            "https://[::1/a.png",
            "https://例え.jp/画像.png",
            "<https://example.com/a.png>",
            "https://example.com/\u202egnp.exe",
            "\0https://example.com",
        ]
    ),
    st.text(max_size=40),
)


def check_item(item: object) -> None:
    """An item the slots may take is well formed; anything else is refused with a reason."""
    if isinstance(item, slots._Url):
        # What the slot accepts as a link, the request check accepts too.
        check_reference(item.url, 1)
        assert item.url.isascii() and not any(ch.isspace() for ch in item.url)
        assert item.url.split(":", 1)[0].lower() in ("http", "https")
        assert "@" not in item.url.split("/")[2]  # no user name or password travels
    elif isinstance(item, slots._DataUri):
        assert re.match(r"^data:image/[A-Za-z0-9.+-]+;base64,", item.uri, re.IGNORECASE)
    elif isinstance(item, slots._Refused):
        assert item.message.strip()
    else:
        assert isinstance(item, slots._File | slots._ImageBytes), type(item)


@examples(400)
@given(text=links)
@example(text="http://\ud7fc")  # found by this test: Qt encoded the host to an empty link
@example(text="http://\u0080/a.png")
def test_typed_or_dropped_text_is_a_checked_link_or_a_refusal(text):
    check_item(slots._item_from_string(text))


@examples(150)
@given(
    text=st.none() | st.lists(links, max_size=4).map("\n".join),
    urls=st.none() | st.lists(links, max_size=5),
    gallery=st.none()
    | st.binary(max_size=64)
    | st.sampled_from([b"[" * 50_000, b'{"path": 1, "source_url": ["x"]}'])
    | st.builds(
        lambda path, source: json.dumps({"path": path, "source_url": source}).encode(),
        st.text(max_size=20) | json_values,
        links | json_values,
    ),
    slot=st.none()
    | st.binary(max_size=32)
    | st.sampled_from([b"[" * 50_000, b'{"panel": null, "slot": 0}']),
)
def test_any_drop_parses_to_checked_items_without_raising(panel, text, urls, gallery, slot):
    mime = QMimeData()
    if text is not None:
        mime.setText(text)
    if urls is not None:
        mime.setUrls([QUrl(value) for value in urls])
    if gallery is not None:
        mime.setData(slots.GALLERY_MIME, QByteArray(gallery))
    if slot is not None:
        mime.setData(slots.SLOT_MIME, QByteArray(slot))
    items = slots._items_from_mime(mime)  # not the guarded _read_mime: nothing may escape
    assert isinstance(items, list)
    for item in items:
        check_item(item)
    assert panel.dragged_slot(mime) is None  # never our own panel's token
    panel.drop_action(mime, None)


@pytest.fixture
def panel(qtbot) -> slots.ReferencePanel:
    # Once per test, not per example: hypothesis runs every example inside one call.
    widget = slots.ReferencePanel()
    qtbot.addWidget(widget)
    return widget


def test_a_drag_nested_past_the_json_limit_is_refused_quietly(panel):
    """Found by the drop fuzzing: deep JSON raised RecursionError out of a drag handler."""
    mime = QMimeData()
    mime.setData(slots.SLOT_MIME, QByteArray(b"[" * 100_000))
    mime.setData(slots.GALLERY_MIME, QByteArray(b"[" * 100_000))
    assert panel.dragged_slot(mime) is None
    [item] = slots._items_from_mime(mime)
    assert isinstance(item, slots._Refused) and "drag it again" in item.message
