"""Where the API lives, and the key that opens it.

The key is wrapped so that no repr, f-string or log line can show it, and it is attached
only to requests for the API's own origin.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Generator
from urllib.parse import urlsplit

import httpx

from ..messages import translatable
from ..secret_registry import remember_secret
from .errors import InsecureBaseUrlError

DEFAULT_BASE_URL = "https://api.defapi.org"

_NOT_WEB_ADDRESS = translatable(
    "ApiErrors", "The API address {url} is not a web address; use https://api.defapi.org"
)
_PLAIN_HTTP = translatable(
    "ApiErrors",
    "The API address {url} uses plain http, which would send your key "
    "unencrypted; use https:// (plain http is allowed only on 127.0.0.1)",
)
_EXTRA_PARTS = translatable(
    "ApiErrors",
    "The API address {url} must not carry a query, fragment or login; "
    "give only scheme, host, port and path",
)
_KEY_EMPTY = translatable("ApiErrors", "The API key is empty; paste the key from your account page")
_KEY_SPACES = translatable(
    "ApiErrors", "The API key holds spaces or control characters; paste it again"
)


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base_url(url: str) -> str:
    """The base URL without a trailing slash; https unless the host is loopback."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InsecureBaseUrlError(_NOT_WEB_ADDRESS.format(url=repr(url)))
    if scheme == "http" and not is_loopback_host(parts.hostname):
        raise InsecureBaseUrlError(_PLAIN_HTTP.format(url=repr(url)))
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InsecureBaseUrlError(_EXTRA_PARTS.format(url=repr(url)))
    return url.strip().rstrip("/")


def origin_of(url: httpx.URL | str) -> tuple[str, str, int]:
    """(scheme, host, port) with the default port filled in, for same-origin checks."""
    parsed = httpx.URL(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed.scheme, parsed.host.lower(), port


class ApiKey:
    """The API key, hidden from every textual form of itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        value = value.strip()
        if not value:
            raise ValueError(_KEY_EMPTY)
        if any(ch.isspace() or not ch.isprintable() for ch in value):
            raise ValueError(_KEY_SPACES)
        self._value = value
        remember_secret(value)

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        """Enough to recognise which key it is, never enough to use it."""
        tail = self._value[-4:] if len(self._value) >= 12 else ""
        return f"{self._value[:3]}…{tail}"

    def __repr__(self) -> str:
        return f"ApiKey({self.masked()})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> str:
        raise TypeError("An ApiKey cannot be pickled")


class OriginBearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer`` only when the request goes to the API's origin."""

    def __init__(self, key: ApiKey, base_url: str) -> None:
        self._key = key
        self._origin = origin_of(base_url)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if origin_of(request.url) == self._origin:
            request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        else:
            request.headers.pop("Authorization", None)
        yield request

    def __repr__(self) -> str:
        return f"OriginBearerAuth({self._key!r})"
