"""Staging result images: real downloads from the sandbox CDN over loopback, and mock
transports only for what the CDN cannot do (5xx, 410, stalls, lying headers).

Every failing case also checks that no temporary file is left in the folder.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import os
import socket
import struct
import threading
import warnings
import zipfile
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import RecordingSleep, run, tmpfs
from PIL import Image

from nanobanana_desktop.api import RetryPolicy
from nanobanana_desktop.engine import downloads
from nanobanana_desktop.engine.downloads import (
    DownloadError,
    FetchFailed,
    ImageTooLarge,
    NotAnImage,
    SourceExpired,
    StagedImage,
    StorageError,
    image_http_client,
    sniff_format,
    stage_image,
)
from nanobanana_desktop.sandbox import SANDBOX_KEY

MiB = 1024 * 1024
NO_JITTER = RetryPolicy(rand=lambda: 0.0)


def encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def noise(width: int, height: int) -> Image.Image:
    """Random pixels: incompressible, so the file is as large as the pixels."""
    return Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))


PNG = encode(noise(64, 48), "PNG")
JPEG = encode(noise(80, 60), "JPEG", quality=90)
WEBP = encode(noise(40, 30), "WEBP", quality=80)
BIG_PNG = encode(noise(840, 840), "PNG")  # just over 2 MiB


def png_declaring(width: int, height: int) -> bytes:
    """A real 1x1 PNG from Pillow whose header claims another size.

    Decoding it would fail (the data is one pixel), so ImageTooLarge rather than
    NotAnImage proves the size was refused before any decoding.
    """
    data = bytearray(encode(Image.new("1", (1, 1)), "PNG"))
    ihdr = bytearray(data[12:29])  # type + 13 bytes of fields
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("image.png", PNG)
    return out.getvalue()


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def stage(
    source: str,
    dest: Path,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    **kwargs: Any,
) -> StagedImage:
    async def scenario() -> StagedImage:
        async with image_http_client(transport=transport) as http:
            return await stage_image(source, dest, http=http, **kwargs)

    return run(scenario())


def refused(error: type[DownloadError], source: str, dest: Path, **kwargs: Any) -> DownloadError:
    """Stage ``source``, which must fail with ``error`` and leave ``dest`` as it was."""
    before = sorted(dest.iterdir()) if dest.is_dir() else None
    with pytest.raises(error) as caught:
        stage(source, dest, **kwargs)
    if before is not None:
        assert sorted(dest.iterdir()) == before, "a partial file was left behind"
    assert str(caught.value) == caught.value.message
    return caught.value


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    folder = tmp_path / "library" / "2025" / "06"
    folder.mkdir(parents=True)
    return folder


class Host:
    """A MockTransport handler that answers from a script and counts requests."""

    def __init__(self, *answers: httpx.Response | Callable[[httpx.Request], Any]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if callable(answer):
            answer = answer(request)
            if asyncio.iscoroutine(answer):
                answer = await answer
        assert isinstance(answer, httpx.Response)
        return answer

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


URL = "https://cdn.example/fileSystem/response_images/287/2025/06/01/a.png"


def ok(body: bytes = PNG) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"Content-Type": "image/png"})


def assert_staged(staged: StagedImage, dest: Path, data: bytes, fmt: str, size: tuple[int, int]):
    assert staged.format == fmt
    assert (staged.width, staged.height) == size
    assert staged.size == len(data)
    assert staged.sha256 == hashlib.sha256(data).hexdigest()
    assert staged.temp_path.parent == dest
    assert staged.temp_path.name.startswith(".incoming-")
    assert staged.temp_path.read_bytes() == data
    assert list(dest.iterdir()) == [staged.temp_path]


# Successful staging ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "suffix", "fmt", "size"),
    [
        (PNG, ".png", "PNG", (64, 48)),
        (JPEG, ".png", "JPEG", (80, 60)),  # the CDN calls it image/png; the bytes win
        (WEBP, ".webp", "WEBP", (40, 30)),
    ],
    ids=["png", "jpeg-behind-png", "webp"],
)
def test_cdn_image_is_staged_with_sniffed_format(sandbox, dest, data, suffix, fmt, size):
    url = sandbox.publish(data, suffix=suffix)
    staged = stage(url, dest)
    assert_staged(staged, dest, data, fmt, size)
    (record,) = sandbox.records.requests_to("cdn")
    assert record.status == 200
    assert record.headers["User-Agent"].startswith("nanobanana-desktop/")


def test_data_uri_is_staged_without_network(dest):
    host = Host(lambda request: pytest.fail("a data URI must not be fetched"))
    staged = stage(data_uri(PNG), dest, transport=host.transport)
    assert_staged(staged, dest, PNG, "PNG", (64, 48))
    # The declared media type means nothing either: the bytes are a JPEG.
    staged = stage(data_uri(JPEG, "image/png"), dest)
    assert staged.format == "JPEG"


def test_exactly_the_byte_cap_is_allowed(sandbox, dest):
    staged = stage(sandbox.publish(PNG), dest, max_bytes=len(PNG))
    assert staged.size == len(PNG)
    staged = stage(data_uri(PNG), dest, max_bytes=len(PNG))
    assert staged.size == len(PNG)


def test_sniff_format():
    assert sniff_format(PNG[:12]) == "PNG"
    assert sniff_format(JPEG[:12]) == "JPEG"
    assert sniff_format(WEBP[:12]) == "WEBP"
    assert sniff_format(b"RIFF\0\0\0\0WAVE") is None
    assert sniff_format(b"GIF89a") is None
    assert sniff_format(b"") is None


def test_disk_and_pillow_work_stays_off_the_event_loop_thread(sandbox, dest, monkeypatch):
    seen: dict[str, str] = {}

    def spy(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            seen[name] = threading.current_thread().name
            return fn(*args)

        return wrapper

    for name in ("write", "finish"):
        monkeypatch.setattr(downloads._Part, name, spy(name, getattr(downloads._Part, name)))
    monkeypatch.setattr(downloads, "_verify", spy("verify", downloads._verify))
    stage(sandbox.publish(PNG), dest)
    assert set(seen) == {"write", "finish", "verify"}
    loop_thread = threading.current_thread().name
    assert loop_thread not in seen.values()


def test_thumbnails_are_made_from_the_verified_pixels_in_the_same_worker(
    sandbox, dest, monkeypatch
):
    made_on: list[str] = []
    real = downloads.shrink_each

    def shrink(image: Image.Image, sizes: Any) -> Any:
        made_on.append(threading.current_thread().name)
        assert image.size == (840, 840)  # the whole image, decoded once for the check
        return real(image, sizes)

    monkeypatch.setattr(downloads, "shrink_each", shrink)
    staged = stage(sandbox.publish(BIG_PNG), dest, thumbnail_sizes=(112, 320))
    assert {size: thumb.size for size, thumb in staged.thumbnails.items()} == {
        112: (112, 112),
        320: (320, 320),
    }
    assert len(made_on) == 1 and made_on[0] != threading.current_thread().name
    assert stage(sandbox.publish(PNG), dest).thumbnails == {}  # none asked, none made


def test_a_thumbnail_that_cannot_be_made_never_costs_the_image(sandbox, dest, monkeypatch, caplog):
    def broken(image: Image.Image, sizes: Any) -> Any:
        raise MemoryError("no room for a thumbnail")

    monkeypatch.setattr(downloads, "shrink_each", broken)
    with caplog.at_level("WARNING", logger=downloads.__name__):
        staged = stage(sandbox.publish(PNG), dest, thumbnail_sizes=(112,))
    assert_staged(staged, dest, PNG, "PNG", (64, 48))
    assert staged.thumbnails == {}
    assert "thumbnails not made at download" in caplog.text


# Credentials and cookies --------------------------------------------------------------


def test_no_authorization_header_ever_reaches_the_cdn(sandbox, dest, caplog):
    url = sandbox.publish(PNG)
    bearer = f"Bearer {SANDBOX_KEY}"

    async def scenario() -> None:
        async with image_http_client() as http:
            http.headers["Authorization"] = bearer  # a careless caller
            await stage_image(url, dest, http=http)
            await http.get(url, headers={"Authorization": bearer})
            await http.get(url, auth=httpx.BasicAuth("user", SANDBOX_KEY))
            await http.get(url.replace("http://", f"http://user:{SANDBOX_KEY}@"))

    run(scenario())
    records = sandbox.records.requests_to("cdn")
    assert [r.status for r in records] == [200, 200, 200, 200]
    for record in records:
        assert "authorization" not in {name.lower() for name in record.headers}
        assert SANDBOX_KEY not in repr(record.headers)
    assert "dropped an Authorization header" in caplog.text
    assert SANDBOX_KEY not in caplog.text


def test_authorization_is_dropped_on_every_redirect_hop(dest):
    host = Host(
        httpx.Response(302, headers={"Location": "https://other.example/b.png"}),
        ok(),
    )

    async def scenario() -> StagedImage:
        async with image_http_client(transport=host.transport) as http:
            http.headers["Authorization"] = f"Bearer {SANDBOX_KEY}"
            return await stage_image(URL, dest, http=http)

    assert run(scenario()).format == "PNG"
    assert [r.url.host for r in host.requests] == ["cdn.example", "other.example"]
    assert all("authorization" not in r.headers for r in host.requests)


def test_cookies_are_not_kept(dest):
    host = Host(
        httpx.Response(200, content=PNG, headers={"Set-Cookie": "track=me; Path=/"}),
        ok(),
    )

    async def scenario() -> int:
        async with image_http_client(transport=host.transport) as http:
            await stage_image(URL, dest, http=http)
            await stage_image(URL, dest, http=http)
            return len(http.cookies.jar)

    assert run(scenario()) == 0
    assert "cookie" not in host.requests[1].headers


def test_follows_five_redirects_but_not_six(dest):
    def hop(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("n", "0"))
        if n < limit:
            return httpx.Response(302, headers={"Location": f"/next?n={n + 1}"})
        return ok()

    limit = 5
    host = Host(hop)
    assert stage(URL, dest, transport=host.transport).format == "PNG"
    assert len(host.requests) == 6
    for path in dest.iterdir():
        path.unlink()

    limit = 6
    host = Host(hop)
    sleep = RecordingSleep()
    error = refused(FetchFailed, URL, dest, transport=host.transport, sleep=sleep)
    assert "redirects more than 5 times" in str(error)
    assert not error.transient
    assert len(host.requests) == 6  # the first request and five redirects; never retried
    assert sleep.delays == []


# Links that will never work ------------------------------------------------------------


def test_expired_cdn_link_is_source_expired_without_retry(sandbox, dest):
    url = sandbox.publish(PNG, ttl=0)
    sleep = RecordingSleep()
    error = refused(SourceExpired, url, dest, sleep=sleep)
    assert str(error).startswith("The image link has expired at the source (HTTP 403)")
    assert error.status == 403
    assert not error.transient
    assert [r.status for r in sandbox.records.requests_to("cdn")] == [403]
    assert sleep.delays == []


@pytest.mark.parametrize("status", [404, 410])
def test_gone_is_source_expired_without_retry(dest, status):
    host = Host(httpx.Response(status, text="gone"))
    sleep = RecordingSleep()
    error = refused(SourceExpired, URL, dest, transport=host.transport, sleep=sleep)
    assert f"(HTTP {status})" in str(error)
    assert len(host.requests) == 1
    assert sleep.delays == []


def test_other_client_errors_are_not_retried(dest):
    host = Host(httpx.Response(400, text="bad"))
    sleep = RecordingSleep()
    error = refused(FetchFailed, URL, dest, transport=host.transport, sleep=sleep)
    assert not error.transient
    assert "HTTP 400" in str(error)
    assert len(host.requests) == 1
    assert sleep.delays == []


@pytest.mark.parametrize(
    "source",
    [
        "javascript:alert(1)",
        "ftp://cdn.example/a.png",
        "file:///etc/passwd",
        "",
        "a.png",
        "http://",
    ],
)
def test_sources_that_are_not_web_links_are_refused_unfetched(dest, source):
    host = Host(lambda request: pytest.fail("nothing may be fetched"))
    error = refused(NotAnImage, source, dest, transport=host.transport)
    assert not error.transient
    assert host.requests == []


# Size and content checks ---------------------------------------------------------------


def test_over_the_byte_cap_by_content_length(sandbox, dest):
    url = sandbox.publish(BIG_PNG)
    error = refused(ImageTooLarge, url, dest, max_bytes=1 * MiB)
    assert not error.transient
    assert "1.0 MB" in str(error)


def test_over_the_byte_cap_with_a_lying_content_length(dest):
    async def body() -> AsyncIterator[bytes]:
        for start in range(0, len(BIG_PNG), 64 * 1024):
            yield BIG_PNG[start : start + 64 * 1024]

    host = Host(
        lambda request: httpx.Response(200, headers={"Content-Length": "100"}, content=body())
    )
    refused(ImageTooLarge, URL, dest, transport=host.transport, max_bytes=1 * MiB)
    assert len(host.requests) == 1


def test_content_length_over_the_cap_is_refused_before_the_body(dest):
    async def body() -> AsyncIterator[bytes]:
        pytest.fail("the body of an oversized image must not be read")
        yield b""

    host = Host(
        lambda request: httpx.Response(200, headers={"Content-Length": str(10**12)}, content=body())
    )
    error = refused(ImageTooLarge, URL, dest, transport=host.transport)
    assert "it was not downloaded" in str(error)


def test_data_uri_over_the_cap_is_refused_before_decoding(dest):
    # Not base64 at all: only a refusal before decoding can call it too large.
    refused(ImageTooLarge, "data:image/png;base64," + "!" * (2 * MiB), dest, max_bytes=1 * MiB)
    refused(ImageTooLarge, data_uri(PNG), dest, max_bytes=len(PNG) - 1)


@pytest.mark.parametrize(
    "source",
    [
        "data:image/png," + "raw",
        "data:image/png;base64,iVBORw0KGgo*not base64*",
        data_uri(zip_bytes()),
        data_uri(PNG[: len(PNG) // 2]),
    ],
    ids=["not-base64-encoded", "invalid-base64", "zip", "truncated-png"],
)
def test_bad_data_uris_are_not_images(dest, source):
    refused(NotAnImage, source, dest)


@pytest.mark.parametrize(
    ("data", "suffix"),
    [
        (zip_bytes(), ".png"),
        (JPEG[: len(JPEG) // 2], ".jpg"),
        (PNG[: len(PNG) - 200], ".png"),
        (b"<html><body>Not here</body></html>", ".png"),
        (b"", ".png"),
    ],
    ids=["zip-named-png", "truncated-jpeg", "truncated-png", "html", "empty"],
)
def test_downloads_that_are_not_whole_images(sandbox, dest, data, suffix):
    error = refused(NotAnImage, sandbox.publish(data, suffix=suffix), dest)
    assert not error.transient


@pytest.fixture(scope="module")
def real_bomb() -> bytes:
    """400 MP of zeros: a few tens of KB on the wire, 400 MB if decoded."""
    return encode(Image.new("1", (20000, 20000)), "PNG")


def test_real_pixel_bomb_is_refused(sandbox, dest, real_bomb):
    assert len(real_bomb) < 100_000
    error = refused(ImageTooLarge, sandbox.publish(real_bomb), dest)
    assert not error.transient


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (20000, 20000),  # past Pillow's own error threshold
        (12000, 12000),  # in Pillow's warning zone: the warning must not escape
        (9000, 9000),  # under Pillow's thresholds, over ours
    ],
)
def test_declared_pixel_count_is_refused_before_decoding(sandbox, dest, width, height):
    error = refused(ImageTooLarge, sandbox.publish(png_declaring(width, height)), dest)
    assert "pixels" in str(error)


def test_pillow_bomb_warning_never_reaches_the_callers_filters(sandbox, dest):
    url = sandbox.publish(png_declaring(12000, 12000))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        refused(ImageTooLarge, url, dest)
    assert [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)] == []


def test_pixel_cap_is_the_callers(sandbox, dest):
    error = refused(ImageTooLarge, sandbox.publish(PNG), dest, max_pixels=64 * 48 - 1)
    assert "64x48" in str(error)
    assert stage(sandbox.publish(PNG), dest, max_pixels=64 * 48).width == 64


# Retries, stalls and cancellation ------------------------------------------------------


def test_server_errors_are_retried_with_backoff(dest):
    host = Host(httpx.Response(500), httpx.Response(502), ok())
    sleep = RecordingSleep()
    staged = stage(URL, dest, transport=host.transport, retry=NO_JITTER, sleep=sleep)
    assert staged.sha256 == hashlib.sha256(PNG).hexdigest()
    assert len(host.requests) == 3
    assert sleep.delays == [0.5, 1.0]
    assert list(dest.iterdir()) == [staged.temp_path]


def test_rate_limit_waits_as_long_as_the_host_asks(dest):
    host = Host(httpx.Response(429, headers={"Retry-After": "7"}), ok())
    sleep = RecordingSleep()
    stage(URL, dest, transport=host.transport, retry=NO_JITTER, sleep=sleep)
    assert sleep.delays == [7.0]


def test_server_errors_give_up_after_the_retries(dest):
    host = Host(httpx.Response(503))
    sleep = RecordingSleep()
    error = refused(
        FetchFailed,
        URL,
        dest,
        transport=host.transport,
        retry=RetryPolicy(max_retries=2, rand=lambda: 0.0),
        sleep=sleep,
    )
    assert error.transient
    assert "HTTP 503" in str(error)
    assert len(host.requests) == 3
    assert sleep.delays == [0.5, 1.0]


def test_network_errors_are_retried(dest):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    host = Host(refuse, ok())
    sleep = RecordingSleep()
    staged = stage(URL, dest, transport=host.transport, retry=NO_JITTER, sleep=sleep)
    assert staged.format == "PNG"
    assert sleep.delays == [0.5]


def test_unreachable_host_is_fetch_failed(dest):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleep = RecordingSleep()
    error = refused(
        FetchFailed,
        f"http://127.0.0.1:{port}/a.png",
        dest,
        retry=RetryPolicy(max_retries=1, rand=lambda: 0.0),
        sleep=sleep,
    )
    assert error.transient
    assert sleep.delays == [0.5]


def stalled_after_first_chunk(
    reached: asyncio.Event | None = None,
) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        never = asyncio.Event()

        async def body() -> AsyncIterator[bytes]:
            yield PNG[:100]
            if reached is not None:
                reached.set()
            await never.wait()  # never set: the host goes silent mid-body
            yield PNG[100:]

        return httpx.Response(200, content=body())

    return answer


def test_a_stalled_body_is_retried_then_fetch_failed(dest):
    host = Host(stalled_after_first_chunk())
    sleep = RecordingSleep()
    error = refused(
        FetchFailed,
        URL,
        dest,
        transport=host.transport,
        stall_timeout=0.2,
        retry=RetryPolicy(max_retries=1, rand=lambda: 0.0),
        sleep=sleep,
    )
    assert error.transient
    assert "sent nothing for 0.2 s" in str(error)
    assert len(host.requests) == 2
    assert sleep.delays == [0.5]


def test_a_host_that_never_answers_is_a_stall(dest):
    async def silent(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    host = Host(silent)
    refused(
        FetchFailed,
        URL,
        dest,
        transport=host.transport,
        stall_timeout=0.2,
        retry=RetryPolicy(max_retries=0),
    )
    assert len(host.requests) == 1


def test_a_slow_but_steady_body_is_not_a_stall(dest):
    async def trickle() -> AsyncIterator[bytes]:
        for start in range(0, len(PNG), len(PNG) // 6 + 1):
            await asyncio.sleep(0.05)
            yield PNG[start : start + len(PNG) // 6 + 1]

    host = Host(lambda request: httpx.Response(200, content=trickle()))
    staged = stage(URL, dest, transport=host.transport, stall_timeout=0.15)
    assert staged.sha256 == hashlib.sha256(PNG).hexdigest()


def test_cancelling_mid_download_leaves_no_file(dest):
    async def scenario() -> None:
        reached = asyncio.Event()
        host = Host(stalled_after_first_chunk(reached))
        async with image_http_client(transport=host.transport) as http:
            task = asyncio.create_task(stage_image(URL, dest, http=http, stall_timeout=30))
            await reached.wait()
            assert len(list(dest.iterdir())) == 1  # the part file exists mid-download
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    run(scenario())
    assert list(dest.iterdir()) == []


def test_cancelling_while_the_temp_file_is_being_created_leaves_no_file(dest, monkeypatch):
    """The worker thread outlives the cancelled task; the file it makes must not."""
    entered, release, created = threading.Event(), threading.Event(), threading.Event()
    real_init = downloads._Part.__init__

    def slow_init(self: Any, folder: Path) -> None:
        entered.set()
        release.wait(5)
        real_init(self, folder)
        created.set()

    monkeypatch.setattr(downloads._Part, "__init__", slow_init)

    async def scenario() -> None:
        async with image_http_client(transport=Host(ok()).transport) as http:
            task = asyncio.create_task(stage_image(URL, dest, http=http))
            await asyncio.to_thread(entered.wait, 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            release.set()  # asyncio.run then waits for the worker thread to finish

    run(scenario())
    assert created.is_set()
    assert list(dest.iterdir()) == []


# Storage ---------------------------------------------------------------------------------


def test_missing_folder_is_a_storage_error(sandbox, tmp_path):
    error = refused(StorageError, sandbox.publish(PNG), tmp_path / "gone")
    assert error.transient
    assert "is missing" in str(error)
    error = refused(StorageError, data_uri(PNG), tmp_path / "gone")
    assert "is missing" in str(error)


def test_a_file_where_the_folder_should_be_is_a_storage_error(sandbox, tmp_path):
    (tmp_path / "file").write_bytes(b"")
    error = refused(StorageError, sandbox.publish(PNG), tmp_path / "file")
    assert "not a folder" in str(error)


def test_full_disk_is_a_storage_error_and_leaves_nothing(sandbox, tmp_path):
    url = sandbox.publish(BIG_PNG)
    with tmpfs(tmp_path / "small", "size=1m") as small:
        error = refused(StorageError, url, small)
        assert error.transient
        assert "Free some disk space" in str(error)
        assert list(small.iterdir()) == []
        error = refused(StorageError, data_uri(BIG_PNG), small)
        assert "Free some disk space" in str(error)
        assert list(small.iterdir()) == []


def test_read_only_folder_is_a_storage_error(sandbox, tmp_path):
    url = sandbox.publish(PNG)
    with tmpfs(tmp_path / "ro", "ro") as read_only:
        error = refused(StorageError, url, read_only)
        assert error.transient
        assert "read-only" in str(error)


# The error types -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (SourceExpired, False),
        (ImageTooLarge, False),
        (NotAnImage, False),
        (StorageError, True),
        (FetchFailed, True),
    ],
)
def test_error_types(error, transient):
    made = error("What happened, and what to do.")
    assert isinstance(made, DownloadError)
    assert made.transient is transient
    assert str(made) == made.message == "What happened, and what to do."
    assert error("x", transient=not transient).transient is (not transient)
