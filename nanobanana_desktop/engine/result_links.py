"""Whether a saved image's result link can still stand in for the local file.

"Use as reference" sends either the link the image was downloaded from or the local file
inline as a data URI. A link keeps the request small (a 2K PNG is 5 to 8 MB, more than the
API takes inline, so the file would be re-encoded), but result links of hosted generators
expire, and a reference the server cannot fetch fails the whole task. So the link is used
only when all of these hold, and the file otherwise:

* it is an http(s) link (an image that came inline has none);
* the image was saved at most ``LINK_MAX_AGE`` ago: a link close to its end could answer
  now and be gone by the time the server fetches it; an hour stays well inside the
  lifetimes hosted generators give their links (hours to days);
* the host answers a HEAD (or, where HEAD is refused, a GET whose body is never read)
  with 2xx and no text or markup content type, within ``LINK_CHECK_TIMEOUT``. The request
  carries no credential and no cookie (:func:`.downloads.image_http_client`).

Every step is async on the caller's loop; nothing here blocks it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import urlsplit

import httpx

__all__ = ["LINK_CHECK_TIMEOUT", "LINK_MAX_AGE", "is_web_link", "link_answers", "usable_link"]

log = logging.getLogger(__name__)

LINK_MAX_AGE = 3600.0  # seconds since the image was saved
LINK_CHECK_TIMEOUT = 3.0  # seconds for the whole check, redirects included
_NOT_IMAGES = ("text/", "application/xml", "application/json", "application/xhtml")


def is_web_link(origin: str | None) -> bool:
    if not origin:
        return False
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


async def link_answers(client: httpx.AsyncClient, url: str) -> bool:
    """Whether ``url`` answers as an image would, within LINK_CHECK_TIMEOUT."""
    try:
        async with asyncio.timeout(LINK_CHECK_TIMEOUT):
            status, kind = await _answer(client, "HEAD", url)
            if status in (405, 501):  # hosts that refuse HEAD
                status, kind = await _answer(client, "GET", url)
            if not 200 <= status < 300:
                log.info("result link answered HTTP %s", status)
                return False
            return not kind.startswith(_NOT_IMAGES)
    except TimeoutError:
        log.info("result link did not answer within %g s", LINK_CHECK_TIMEOUT)
        return False
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, ValueError) as exc:
        log.info("result link could not be reached: %s", type(exc).__name__)
        return False


async def _answer(client: httpx.AsyncClient, method: str, url: str) -> tuple[int, str]:
    # Streamed, so a GET reads the headers only; auth=None whatever the client was built
    # with: no credential goes to the image host.
    async with client.stream(method, url, auth=None) as response:
        return response.status_code, response.headers.get("Content-Type", "").lower()


async def usable_link(
    origin: str | None,
    saved_at: float,
    client: httpx.AsyncClient,
    *,
    now: float | None = None,
) -> str | None:
    """``origin`` if it may be sent as a reference instead of the file; else None."""
    if not is_web_link(origin):
        return None
    assert origin is not None
    age = (time.time() if now is None else now) - saved_at
    if not 0 <= age <= LINK_MAX_AGE:
        return None
    return origin if await link_answers(client, origin) else None
