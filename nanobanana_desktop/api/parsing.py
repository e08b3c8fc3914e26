"""Turns the API's answers into snapshots or typed errors.

These functions take plain values (status, content type, bytes, decoded JSON), so that
they can be fed arbitrary input in tests; whatever comes in, they return a value or
raise a :class:`NanoBananaError`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..messages import translatable
from .errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)
from .models import TaskSnapshot, TaskStatus

_MAX_SHOWN = 300  # server text quoted in a message; the whole text stays on the error
_NOT_JSON = translatable(
    "ApiErrors",
    "The server answered with {kind} instead of JSON (HTTP {status}); "
    "a proxy or an outage may be in the way: try again shortly",
)
_A_WEB_PAGE = translatable("ApiErrors", "a web page")
_MALFORMED = translatable("ApiErrors", "malformed data")
_NO_ENVELOPE = translatable(
    "ApiErrors",
    "The server's answer (HTTP {status}) has no {envelope} envelope; "
    "the API may have changed: update the app or report it",
)
_PROXY_PAGE = translatable("ApiErrors", "an error web page (probably from a proxy)")
_REFUSED_400 = translatable(
    "ApiErrors",
    "The API refused the request (400){suffix}. Check the prompt, model and "
    "references, then try again",
)
_KEY_REFUSED = translatable("ApiErrors", "The API key was refused (401): check it in Settings")
_NO_CREDIT = translatable(
    "ApiErrors", "Your account has too little credit (402): top it up, then try again"
)
_FORBIDDEN = translatable(
    "ApiErrors", "The API key may not do this (403){suffix}. Check your account"
)
_NOT_FOUND = translatable("ApiErrors", "Not found on the server (404){suffix}")
_WAIT_SECONDS = translatable(
    "ApiErrors", "Too many requests (429): the server asks to wait about {seconds} s"
)
_WAIT_A_MOMENT = translatable(
    "ApiErrors", "Too many requests (429): the server asks to wait a moment"
)
_SERVER_PROBLEM = translatable(
    "ApiErrors", "The server had a problem ({status}){suffix}. Retrying later usually helps"
)
_OTHER_STATUS = translatable("ApiErrors", "The API answered with an error ({status}){suffix}")
_REFUSED_CODE = translatable("ApiErrors", "The API refused the request (code {code}): {said}")
_NO_REASON = translatable("ApiErrors", "no reason given")
_NO_TASK_ID = translatable(
    "ApiErrors",
    "The server accepted the request but sent no task id; the task may still "
    "have been created: check the account's history before resubmitting",
)
_NO_CREDIT_FIELD = translatable("ApiErrors", "The server's account answer holds no credit balance")
_NO_TASK_DATA = translatable(
    "ApiErrors", "The server's task answer holds no task data; polling will go on"
)
_UNKNOWN_STATUS = translatable(
    "ApiErrors",
    "The server reported the unknown task status {status}; "
    "polling will go on, and an app update may know it",
)
_NOTHING = translatable("ApiErrors", "nothing")
_BAD_RESULT = translatable("ApiErrors", "The server's task result is neither a list nor empty")


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def decode_envelope(
    status: int, content_type: str, body: bytes, *, retry_after: float | None = None
) -> Any:
    """The envelope's ``data`` for a successful answer; a typed error for anything else."""
    try:
        envelope = json.loads(body) if body.strip() else None
    except (ValueError, RecursionError):
        envelope = None
        if status < 400:
            kind = _A_WEB_PAGE if _looks_like_html(content_type, body) else _MALFORMED
            raise ProtocolError(
                _NOT_JSON.format(kind=kind, status=status),
                status=status,
            ) from None
    if not isinstance(envelope, dict) or not _is_int(envelope.get("code")):
        if status >= 400:
            raise error_for_status(
                status, None, _body_summary(content_type, body), None, retry_after
            )
        raise ProtocolError(
            _NO_ENVELOPE.format(status=status, envelope="{code, message, data}"),
            status=status,
        )
    code: int = envelope["code"]
    message = envelope.get("message")
    message = message if isinstance(message, str) else None
    detail = envelope.get("detail")
    detail = detail if isinstance(detail, str) else None
    if status >= 400:
        raise error_for_status(status, code, message, detail, retry_after)
    if code != 0:
        raise error_for_code(status, code, message, detail)
    return envelope.get("data")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _looks_like_html(content_type: str, body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html"))


def _body_summary(content_type: str, body: bytes) -> str | None:
    if _looks_like_html(content_type, body):
        return _PROXY_PAGE
    return None


def error_for_status(
    status: int,
    code: int | None,
    message: str | None,
    detail: str | None,
    retry_after: float | None = None,
) -> ApiError:
    said = _clip(detail or message or "") or None
    suffix = f": {said}" if said else ""
    kw: dict[str, Any] = {
        "status": status,
        "code": code,
        "server_message": message,
        "detail": detail,
        "retry_after": retry_after,
    }
    if status == 400:
        return BadRequestError(_REFUSED_400.format(suffix=suffix), **kw)
    if status == 401:
        return AuthenticationError(_KEY_REFUSED, **kw)
    if status == 402:
        return InsufficientCreditError(_NO_CREDIT, **kw)
    if status == 403:
        return AuthenticationError(_FORBIDDEN.format(suffix=suffix), **kw)
    if status == 404:
        return NotFoundError(_NOT_FOUND.format(suffix=suffix), **kw)
    if status == 429:
        if retry_after:
            return RateLimitedError(_WAIT_SECONDS.format(seconds=f"{retry_after:.0f}"), **kw)
        return RateLimitedError(_WAIT_A_MOMENT, **kw)
    if status in (408, 409) or status >= 500:
        return ServerError(_SERVER_PROBLEM.format(status=status, suffix=suffix), **kw)
    return ApiError(_OTHER_STATUS.format(status=status, suffix=suffix), **kw)


def error_for_code(status: int, code: int, message: str | None, detail: str | None) -> ApiError:
    """An error envelope under HTTP 2xx: map what the code and message tell."""
    text = (message or "").lower()
    mapped: ApiError | None = None
    if code == 401 or "api key" in text or "unauthori" in text:
        mapped = error_for_status(401, code, message, detail)
    elif code == 404 or "not found" in text:
        mapped = error_for_status(404, code, message, detail)
    if mapped is not None:
        mapped.status = status  # the class says what it means; status stays what was sent
        return mapped
    said = _clip(detail or message or _NO_REASON)
    return ApiError(
        _REFUSED_CODE.format(code=code, said=said),
        status=status,
        code=code,
        server_message=message,
        detail=detail,
    )


def parse_task_id(data: Any) -> str:
    task_id = data.get("task_id") if isinstance(data, Mapping) else None
    if not isinstance(task_id, str) or not task_id.strip():
        raise ProtocolError(_NO_TASK_ID)
    return task_id.strip()


def parse_credit(data: Any) -> Decimal:
    credit = _decimal(data.get("credit")) if isinstance(data, Mapping) else None
    if credit is None:
        raise ProtocolError(_NO_CREDIT_FIELD)
    return credit


def parse_snapshot(data: Any, task_id: str) -> TaskSnapshot:
    """A query answer's ``data`` (or a callback payload) as a snapshot."""
    if not isinstance(data, Mapping):
        raise ProtocolError(_NO_TASK_DATA)
    raw_status = data.get("status")
    try:
        status = TaskStatus(raw_status if isinstance(raw_status, str) else "")
    except ValueError:
        shown = _clip(str(raw_status)) if raw_status is not None else _NOTHING
        raise ProtocolError(_UNKNOWN_STATUS.format(status=repr(shown))) from None
    images, texts = _parse_result(data.get("result"))
    sent_id = data.get("task_id")
    return TaskSnapshot(
        task_id=sent_id if isinstance(sent_id, str) and sent_id else task_id,
        status=status,
        images=images,
        texts=texts,
        consumed=_decimal(data.get("consumed")),
        status_reason=_reason(data.get("status_reason")),
        created_at=_timestamp(data.get("created_at")),
        raw=dict(data),
    )


def _parse_result(result: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if result is None:
        return (), ()
    if isinstance(result, Mapping):  # a lone item where a list was promised
        result = [result]
    if not isinstance(result, list):
        raise ProtocolError(_BAD_RESULT)
    images: list[str] = []
    texts: list[str] = []
    for item in result:
        if not isinstance(item, Mapping):
            continue
        image = item.get("image")
        if isinstance(image, str) and image.strip():
            images.append(image.strip())
        text = item.get("text")
        if isinstance(text, str) and text.strip():
            texts.append(text)
    return tuple(images), tuple(texts)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _reason(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("message")
    return value if isinstance(value, str) and value.strip() else None


def _timestamp(value: Any) -> datetime | None:
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = float(value)
            if not math.isfinite(seconds):
                return None
            if seconds > 1e11:  # milliseconds since the epoch
                seconds /= 1000
            return datetime.fromtimestamp(seconds, tz=UTC)
        if isinstance(value, str) and value.strip():
            text = value.strip()
            if text.replace(".", "", 1).isdigit():
                return _timestamp(float(text))
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None
