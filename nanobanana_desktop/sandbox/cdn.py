"""The second origin: a stand-in for the third-party CDN that hosts results.

It records the headers of every request, so tests can prove that the API key never
reaches an image host, and it can let links expire as hosted generators' links do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from .records import RecordLog, RequestRecord

_EXPIRED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    "<Message>Request has expired</Message></Error>"
)


@dataclass
class StoredFile:
    data: bytes
    content_type: str
    expires_at: float | None


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


def cdn_app(store: CdnStore, log: RecordLog) -> web.Application:
    async def serve(request: web.Request) -> web.StreamResponse:
        stored = store.get(request.path)
        if stored is None:
            response: web.StreamResponse = web.Response(status=404, text="Not Found")
        elif stored.expires_at is not None and time.time() >= stored.expires_at:
            response = web.Response(status=403, text=_EXPIRED, content_type="application/xml")
        else:
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
            )
        )
        return response

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", serve)
    app.router.add_route("HEAD", "/{tail:.*}", serve)
    return app
