"""Checks a request against what the API accepts, before anything is sent."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import urlsplit

from ..messages import translatable
from .endpoint import is_loopback_host
from .errors import RequestValidationError
from .models import (
    ASPECT_RATIOS,
    IMAGE_SIZES,
    MAX_REFERENCE_DATA_URI_BYTES,
    MAX_REFERENCES,
    GenerationRequest,
)

_DATA_URI = re.compile(r"^data:image/[A-Za-z0-9.+-]+;base64,", re.ASCII)
_CHOOSE_MODEL = translatable("RequestErrors", "choose a model, for example google/gempix2")
_WRITE_PROMPT = translatable("RequestErrors", "write a prompt that describes the image")
_TOO_MANY = translatable(
    "RequestErrors", "at most {limit} reference images are allowed; remove {excess}"
)
_UNSUPPORTED = translatable("RequestErrors", "{value} is not supported; use one of {choices}")
_EMBEDDED_TOO_LARGE = translatable(
    "RequestErrors", "the embedded image is larger than 5 MB; downscale it or use a URL"
)
_NOT_BASE64 = translatable(
    "RequestErrors", "the embedded image is not valid base64; add the image again"
)
_NOT_A_REFERENCE = translatable(
    "RequestErrors",
    "{value} is not an http(s) URL or an image data URI; "
    "use a web address the server can reach, or a local image file",
)
_WEBHOOK = translatable(
    "RequestErrors", "the webhook address must start with https:// (plain http only to 127.0.0.1)"
)


def validate_request(request: GenerationRequest) -> None:
    """Raise :class:`RequestValidationError` for the first field the API would refuse."""
    if not request.model.strip():
        raise RequestValidationError("model", _CHOOSE_MODEL)
    if not request.prompt.strip():
        raise RequestValidationError("prompt", _WRITE_PROMPT)
    if len(request.images) > MAX_REFERENCES:
        raise RequestValidationError(
            "images",
            _TOO_MANY.format(limit=MAX_REFERENCES, excess=len(request.images) - MAX_REFERENCES),
        )
    for index, reference in enumerate(request.images, start=1):
        check_reference(reference, index)
    if request.aspect_ratio is not None and request.aspect_ratio not in ASPECT_RATIOS:
        raise RequestValidationError(
            "aspect_ratio",
            _UNSUPPORTED.format(value=repr(request.aspect_ratio), choices=", ".join(ASPECT_RATIOS)),
        )
    if request.image_size is not None and request.image_size.upper() not in IMAGE_SIZES:
        raise RequestValidationError(
            "image_size",
            _UNSUPPORTED.format(value=repr(request.image_size), choices=", ".join(IMAGE_SIZES)),
        )
    if request.callback_url is not None:
        check_callback_url(request.callback_url)


def check_reference(reference: str, index: int) -> None:
    """A reference is an http(s) URL or a base64 image data URI of at most 5 MB."""
    field = f"images[{index}]"
    if _DATA_URI.match(reference):
        payload = reference.split(",", 1)[1]
        too_large = RequestValidationError(field, _EMBEDDED_TOO_LARGE)
        # Cheap bound first, so a 100 MB paste is refused without decoding it.
        if len(payload) * 3 // 4 > MAX_REFERENCE_DATA_URI_BYTES + 3:
            raise too_large
        try:
            decoded = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise RequestValidationError(field, _NOT_BASE64) from None
        if len(decoded) > MAX_REFERENCE_DATA_URI_BYTES:
            raise too_large
        return
    parts = urlsplit(reference.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        shown = reference if len(reference) <= 60 else reference[:57] + "..."
        raise RequestValidationError(field, _NOT_A_REFERENCE.format(value=repr(shown)))


def check_callback_url(url: str) -> None:
    """The webhook must be https, or plain http only to this machine."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host and is_loopback_host(host):
        return
    raise RequestValidationError("callback_url", _WEBHOOK)
