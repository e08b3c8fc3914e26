"""The second origin: a stand-in for the third-party CDN that hosts results.

It records the headers of every request, so tests can prove that the API key never
reaches an image host, and it can let links expire as hosted generators' links do.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web

from .config import SandboxConfig
from .records import RecordLog, RequestRecord

_SLICES = 8  # a slow host's body arrives in this many pieces
_EXPIRED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    "<Message>Request has expired</Message></Error>"
)


@dataclass
class StoredFile:
    data: bytes
    content_type: str
    expires_at: float | None
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.data).hexdigest()


class CdnStore:
    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._counter = 0

    def put(
        self, data: bytes, *, suffix: str = ".png", ttl: float | None = None, name: str = ""
    ) -> str:
        """Store bytes and return their path, shaped like the real CDN's."""
        self._counter += 1
        now = datetime.now(UTC)
        stem = name or f"{time.time_ns()}_{self._counter:04d}"
        path = f"/fileSystem/response_images/287/{now:%Y/%m/%d}/{stem}{suffix}"
        # Real CDNs type by the file name, not by the bytes: a JPEG behind .png says png.
        content_type = "image/png" if suffix == ".png" else "image/jpeg"
        expires = time.time() + ttl if ttl is not None else None
        self._files[path] = StoredFile(data, content_type, expires)
        return path

    def get(self, path: str) -> StoredFile | None:
        return self._files.get(path)

    def expire_after(self, path: str, ttl: float) -> None:
        """The link stops working ``ttl`` seconds from now."""
        self._files[path].expires_at = time.time() + ttl


def cdn_app(store: CdnStore, log: RecordLog, config: SandboxConfig) -> web.Application:
    async def serve(request: web.Request) -> web.StreamResponse:
        stored = store.get(request.path)
        digest = None
        if stored is None:
            response: web.StreamResponse = web.Response(status=404, text="Not Found")
        elif stored.expires_at is not None and time.time() >= stored.expires_at:
            response = web.Response(status=403, text=_EXPIRED, content_type="application/xml")
        else:
            digest = stored.sha256
            response = web.Response(
                body=stored.data,
                content_type=stored.content_type,
                headers={"Cache-Control": "public, max-age=86400"},
            )
        log.add_request(
            RequestRecord(
                origin="cdn",
                method=request.method,
                path=request.path,
                query=request.query_string,
                headers=dict(request.headers),
                at=time.time(),
                status=response.status,
                sha256=digest,
            )
        )
        if stored is not None and digest is not None and config.cdn_seconds > 0:
            return await _trickle(request, stored, config.cdn_seconds)
        return response

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", serve)
    app.router.add_route("HEAD", "/{tail:.*}", serve)
    return app


async def _trickle(request: web.Request, stored: StoredFile, seconds: float) -> web.StreamResponse:
    """The body in slices over ``seconds``, as a slow image host sends it."""
    response = web.StreamResponse(headers={"Cache-Control": "public, max-age=86400"})
    response.content_type = stored.content_type
    response.content_length = len(stored.data)
    await response.prepare(request)
    if request.method == "HEAD":
        return response
    step = -(-len(stored.data) // _SLICES)
    for start in range(0, len(stored.data), step):
        await response.write(stored.data[start : start + step])
        await asyncio.sleep(seconds / _SLICES)
    await response.write_eof()
    return response
