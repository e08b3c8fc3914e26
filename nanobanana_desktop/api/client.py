"""The asyncio client for the Nano Banana Pro API, on one pooled ``httpx.AsyncClient``.

Usable from a script without Qt::

    async with NanoBananaClient(os.environ["NANOBANANA_API_KEY"]) as client:
        task_id = await client.generate(GenerationRequest("google/gempix2", "a lemon"))
        snapshot = await client.query(task_id)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

import httpx

from .. import __version__
from ..messages import translatable
from .endpoint import DEFAULT_BASE_URL, ApiKey, OriginBearerAuth, normalize_base_url
from .errors import (
    ApiError,
    NanoBananaError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    TransportError,
)
from .models import GenerationRequest, TaskSnapshot, TaskStatus
from .parsing import decode_envelope, parse_credit, parse_snapshot, parse_task_id
from .retry import RetryPolicy, is_retryable_status, parse_retry_after
from .sniffio_guard import mark_sniffio_absent
from .validation import validate_request

log = logging.getLogger(__name__)
mark_sniffio_absent()

GEN_PATH = "/api/image/gen"
QUERY_PATH = "/api/task/query"
USER_PATH = "/api/user"
# A task the server has just created may answer 404 for a few seconds.
NOT_INDEXED_WINDOW = 30.0
# Answers with inline (base64) 4K images are large; anything past this is not the API.
MAX_ANSWER_BYTES = 160 * 1024 * 1024
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

_UNREADABLE_ACCEPT = translatable(
    "ApiErrors",
    "The server accepted the generation request but its answer was unreadable "
    "({reason}). The task may have been created and charged: check the task "
    "list before sending it again",
)
_CONNECT_TIMEOUT = translatable(
    "ApiErrors", "The API at {url} did not accept a connection in time: check your network"
)
_CONNECT_FAILED = translatable(
    "ApiErrors", "Could not connect to the API at {url} ({reason}): check your network or proxy"
)
_POOL_FULL = translatable(
    "ApiErrors", "Too many requests are waiting for a connection; try again shortly"
)
_NO_ANSWER = translatable(
    "ApiErrors",
    "The generation request was sent but no answer came back "
    "({reason}). The task may have been "
    "created and charged: check the task list before sending it again",
)
_TIMEOUT = translatable("ApiErrors", "timeout")
_READ_TIMEOUT = translatable("ApiErrors", "The API did not answer {method} {path} in time")
_BROKEN = translatable(
    "ApiErrors", "The connection to the API broke during {method} {path} ({reason})"
)
_TOO_LARGE = translatable(
    "ApiErrors", "The server's answer is larger than {megabytes} MB; it was not read"
)


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """Told to ``on_retry`` before the client waits and tries again."""

    method: str
    path: str
    retry_index: int
    delay: float
    error: NanoBananaError


class NanoBananaClient:
    """One long-lived client per app run: it owns a connection pool. Close it when done."""

    def __init__(
        self,
        api_key: ApiKey | str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        not_indexed_window: float = NOT_INDEXED_WINDOW,
        on_retry: Callable[[RetryNotice], None] | None = None,
        max_connections: int = 8,
    ) -> None:
        self._key = api_key if isinstance(api_key, ApiKey) else ApiKey(api_key)
        self.base_url = normalize_base_url(base_url)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._not_indexed_window = not_indexed_window
        self._on_retry = on_retry
        self._submitted_at: dict[str, float] = {}
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=OriginBearerAuth(self._key, self.base_url),
            timeout=timeout,
            transport=transport,
            follow_redirects=False,  # a redirect could carry the key to another host
            headers={
                "User-Agent": f"nanobanana-desktop/{__version__}",
                "Accept": "application/json",
            },
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
        )

    def __repr__(self) -> str:
        return f"NanoBananaClient(base_url={self.base_url!r}, key={self._key!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    def replace_key(self, api_key: ApiKey | str) -> None:
        """Use another key from the next request on, keeping the pool and retries.

        The auth is applied as each request is built, so a request already on its way
        finishes with the old key; nothing is resent.
        """
        key = api_key if isinstance(api_key, ApiKey) else ApiKey(api_key)
        self._key = key
        self._http.auth = OriginBearerAuth(key, self.base_url)

    async def generate(self, request: GenerationRequest) -> str:
        """Start a task and return its id. Validates first; sends nothing if invalid.

        Raises :class:`OutcomeUnknownError` when the request left but no answer came:
        the task may exist and be charged, so it is never resent silently.
        """
        validate_request(request)
        try:
            data = await self._call("POST", GEN_PATH, json=request.to_json(), idempotent=False)
            task_id = parse_task_id(data)
        except ProtocolError as exc:
            if exc.status is not None and exc.status >= 400:
                raise
            # The server said yes in a form we cannot read: the task may well exist.
            raise OutcomeUnknownError(_UNREADABLE_ACCEPT.format(reason=exc)) from exc
        self._submitted_at[task_id] = self._clock()
        return task_id

    async def query(
        self,
        task_id: str,
        *,
        submitted_at: float | None = None,
        slots: asyncio.Semaphore | None = None,
    ) -> TaskSnapshot:
        """The task's current state.

        Within 30 s of submission (``submitted_at``, epoch seconds, or the time this
        client submitted it) a "task not found" reads as a pending, not yet indexed task.
        ``slots`` caps the attempts on the wire; none is held while waiting to retry.
        """
        task_id = task_id.strip()
        if not task_id:
            raise ValueError("task_id is empty")
        try:
            data = await self._call("GET", QUERY_PATH, params={"task_id": task_id}, slots=slots)
        except NotFoundError as exc:
            if exc.code is not None and self._recently_submitted(task_id, submitted_at):
                return TaskSnapshot(task_id=task_id, status=TaskStatus.PENDING, indexed=False)
            raise
        snapshot = parse_snapshot(data, task_id)
        if snapshot.is_final:
            self._submitted_at.pop(task_id, None)
        return snapshot

    async def balance(self) -> Decimal:
        """The account's credit (``data.credit`` of ``GET /api/user``)."""
        return parse_credit(await self._call("GET", USER_PATH))

    def _recently_submitted(self, task_id: str, submitted_at: float | None) -> bool:
        start = submitted_at if submitted_at is not None else self._submitted_at.get(task_id)
        return start is not None and self._clock() - start < self._not_indexed_window

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        idempotent: bool = True,
        slots: asyncio.Semaphore | None = None,
    ) -> Any:
        """Send with retries; the envelope's data, or a typed error."""
        retry_index = 0
        while True:
            try:
                async with slots or contextlib.nullcontext():
                    return await self._attempt(method, path, json=json, params=params)
            except NanoBananaError as error:
                if not self._may_retry(error, idempotent) or retry_index >= self.retry.max_retries:
                    raise
                retry_after = error.retry_after if isinstance(error, ApiError) else None
                delay = self.retry.delay(retry_index, retry_after)
                log.warning(
                    "%s %s failed (%s); retry %d of %d in %.2f s",
                    method,
                    path,
                    type(error).__name__,
                    retry_index + 1,
                    self.retry.max_retries,
                    delay,
                )
                if self._on_retry is not None:
                    self._on_retry(RetryNotice(method, path, retry_index, delay, error))
                await self._sleep(delay)
                retry_index += 1

    @staticmethod
    def _may_retry(error: NanoBananaError, idempotent: bool) -> bool:
        if isinstance(error, OutcomeUnknownError):
            return False
        if isinstance(error, TransportError):
            # Only errors raised before the request left reach here for a POST.
            return True
        if not isinstance(error, ApiError) or error.status is None:
            return False
        if idempotent:
            return is_retryable_status(error.status)
        # A 5xx or 429 answer means the server did not create the task; a 408 or 409
        # leaves that open, so a generation is not resent on those.
        return isinstance(error, RateLimitedError) or (
            isinstance(error, ServerError) and error.status >= 500
        )

    async def _attempt(
        self, method: str, path: str, *, json: Any, params: dict[str, str] | None
    ) -> Any:
        started = time.perf_counter()
        failure: TransportError | None = None
        try:
            async with self._http.stream(method, path, json=json, params=params) as response:
                body = await _read_capped(response)
        except httpx.TransportError as exc:
            failure = self._transport_failure(method, path, exc)
        if failure is not None:
            # Raised outside the except block so that no __context__ is chained: httpx's
            # exception holds the request, and the request holds the Authorization header.
            raise failure
        log.debug(
            "%s %s → HTTP %d in %.3f s",
            method,
            path,
            response.status_code,
            time.perf_counter() - started,
        )
        retry_after = parse_retry_after(response.headers)
        return decode_envelope(
            response.status_code,
            response.headers.get("content-type", ""),
            body,
            retry_after=retry_after,
        )

    def _transport_failure(
        self, method: str, path: str, exc: httpx.TransportError
    ) -> TransportError:
        """The typed error for a transport failure; whether the request left decides."""
        if isinstance(exc, httpx.ConnectTimeout):
            return RequestTimeoutError(_CONNECT_TIMEOUT.format(url=self.base_url))
        if isinstance(exc, httpx.ConnectError):
            return NetworkError(_CONNECT_FAILED.format(url=self.base_url, reason=_reason(exc)))
        if isinstance(exc, httpx.PoolTimeout):
            return RequestTimeoutError(_POOL_FULL)
        timed_out = isinstance(exc, httpx.TimeoutException)
        if method == "POST":
            return OutcomeUnknownError(
                _NO_ANSWER.format(reason=_TIMEOUT if timed_out else _reason(exc))
            )
        if timed_out:
            return RequestTimeoutError(_READ_TIMEOUT.format(method=method, path=path))
        return NetworkError(_BROKEN.format(method=method, path=path, reason=_reason(exc)))


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise ProtocolError(
                _TOO_LARGE.format(megabytes=MAX_ANSWER_BYTES // 2**20),
                status=response.status_code,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text[:200] if text else type(exc).__name__
