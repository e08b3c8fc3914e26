"""The API origin: the three documented endpoints, their errors, and injected faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ..api.models import ASPECT_RATIOS, IMAGE_SIZES, KNOWN_MODELS, MAX_REFERENCES
from .records import RequestRecord
from .tasks import TaskBook, owner_of

MAX_GENERATION_BODY = 40 * 1024 * 1024
# Which fault, if any, shaped this answer: for the request log.
FAULT = web.RequestKey("fault", str)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_ENDPOINTS = {"/api/image/gen": "gen", "/api/task/query": "query", "/api/user": "user"}
_HTML_ERROR = (
    "<html>\r\n<head><title>{status} Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>{status} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def envelope(status: int, code: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"code": code, "message": message, **extra}, status=status)


def bad_request(detail: str) -> web.Response:
    return envelope(400, 1, "failed", detail=detail)


def api_app(book: TaskBook) -> web.Application:
    app = web.Application(
        middlewares=[_record_middleware(book), _fault_middleware(book)],
        # Four 5 MB references as base64 make a 27 MB body; aiohttp's default is 1 MB.
        client_max_size=MAX_GENERATION_BODY,
    )
    routes = _Routes(book)
    app.router.add_post("/api/image/gen", routes.generate)
    app.router.add_get("/api/task/query", routes.query)
    app.router.add_get("/api/user", routes.user)
    app.router.add_get("/_sandbox/state", routes.state)
    app.router.add_get("/_sandbox/tasks", routes.task_table)
    app.router.add_post("/_sandbox/faults", routes.set_faults)
    app.router.add_route("*", "/{tail:.*}", routes.not_found)
    return app


def _record_middleware(book: TaskBook) -> Any:
    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        status: int | None = None
        book.records.enter(request.path)
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            book.records.leave(request.path)
            book.records.add_request(
                RequestRecord(
                    origin="api",
                    method=request.method,
                    path=request.path,
                    query=request.query_string,
                    headers=dict(request.headers),
                    at=time.time(),
                    status=status,
                    fault=request.get(FAULT),
                )
            )

    return record


def _fault_middleware(book: TaskBook) -> Any:
    @web.middleware
    async def faults(request: web.Request, handler: Handler) -> web.StreamResponse:
        endpoint = _ENDPOINTS.get(request.path)
        if endpoint is None:
            return await handler(request)
        if endpoint in book.holding:
            # The request has arrived whole; what waits is the server's work on it, which
            # goes on if the client dies meanwhile (aiohttp keeps the body it read).
            await request.read()
            await book.wait_at_gate()
        f, rng = book.config.faults, book.rng
        if f.slow.fire(rng, endpoint):
            await asyncio.sleep(f.slow_seconds)
        if f.server_error.fire(rng, endpoint):
            request[FAULT] = "server_error"
            return envelope(500, 1, "internal server error")
        if f.rate_limit.fire(rng, endpoint):
            request[FAULT] = "rate_limit"
            limited = envelope(429, 1, "too many requests")
            limited.headers["Retry-After"] = f"{f.retry_after:g}"
            return limited
        if f.html_error.fire(rng, endpoint):
            request[FAULT] = "html_error"
            return web.Response(
                status=f.html_status,
                text=_HTML_ERROR.format(status=f.html_status),
                content_type="text/html",
            )
        drop = f.drop_connection.fire(rng, endpoint)
        if drop and endpoint != "gen":
            _drop(request)
        response = await handler(request)
        if drop:
            # A generation is dropped after the task exists: the answer is lost, the
            # charge is not. That is the corner a client must not resubmit into.
            _drop(request)
        if f.malformed_json.fire(rng, endpoint) and isinstance(response, web.Response):
            request[FAULT] = "malformed_json"
            body = response.text or ""
            return web.Response(
                status=response.status, text=body[: len(body) // 2], content_type="application/json"
            )
        return response

    return faults


def _drop(request: web.Request) -> None:
    request[FAULT] = "drop_connection"
    if request.transport is not None:
        request.transport.close()
    # aiohttp takes a cancelled handler as a client that went away, and writes nothing.
    raise asyncio.CancelledError


class _Routes:
    def __init__(self, book: TaskBook) -> None:
        self.book = book

    def _owner(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        key = key.strip()
        cfg = self.book.config
        if scheme.lower() != "bearer" or not key.startswith(cfg.key_prefix):
            return None
        if key in cfg.refused_keys:
            return None
        return owner_of(key)

    async def generate(self, request: web.Request) -> web.Response:
        owner = self._owner(request)
        if owner is None:
            return envelope(401, 1, "Invalid API key")
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            return bad_request("invalid JSON body")
        problem = _check_generation(body)
        if problem:
            return bad_request(problem)
        task = self.book.create(owner, body)
        return envelope(200, 0, "ok", data={"task_id": task.task_id})

    async def query(self, request: web.Request) -> web.Response:
        owner = self._owner(request)
        if owner is None:
            return envelope(401, 401, "Invalid API key")
        task_id = request.query.get("task_id", "").strip()
        if not task_id:
            return bad_request("task_id is required")
        task = self.book.visible(task_id, owner)
        if task is None:
            return envelope(404, 1, "task not found")
        data = task.data()
        faults = self.book.config.faults
        if task.status not in ("success", "failed") and faults.unknown_status.fire(
            self.book.rng, "query"
        ):
            request[FAULT] = "unknown_status"
            data["status"] = "processing"
        return envelope(200, 0, "ok", data=data)

    async def user(self, request: web.Request) -> web.Response:
        owner = self._owner(request)
        if owner is None:
            return envelope(401, 401, "Invalid API key")
        credit = self.book.balance(owner)
        return envelope(200, 0, "ok", data={"credit": f"{credit:.6f}", "name": "Sandbox account"})

    async def not_found(self, request: web.Request) -> web.Response:
        return envelope(404, 1, "endpoint not found")

    async def state(self, request: web.Request) -> web.Response:
        book = self.book
        statuses: dict[str, int] = {}
        for task in book.tasks.values():
            statuses[task.status] = statuses.get(task.status, 0) + 1
        return web.json_response(
            {
                "tasks": statuses,
                "requests": len(book.records.requests),
                "callbacks": len(book.records.callbacks),
                "faults": book.config.faults.summary(),
            }
        )

    async def task_table(self, request: web.Request) -> web.Response:
        """Each task's server-side times and how often it was asked about (benchmarks)."""
        queries: dict[str, int] = {}
        for record in self.book.records.requests_to("api", "/api/task/query"):
            task_id = record.query.partition("task_id=")[2].partition("&")[0]
            queries[task_id] = queries.get(task_id, 0) + 1
        return web.json_response(
            [
                {
                    "task_id": task.task_id,
                    "status": task.status,
                    "created_at": task.created_at,
                    "finished_at": task.finished_at,
                    "queries": queries.get(task.task_id, 0),
                }
                for task in self.book.tasks.values()
            ]
        )

    async def set_faults(self, request: web.Request) -> web.Response:
        try:
            changes = await request.json()
            if not isinstance(changes, dict):
                raise TypeError("expected a JSON object")
            self.book.config.faults.update(changes)
        except (ValueError, TypeError, KeyError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(self.book.config.faults.summary())


def _check_generation(body: Any) -> str | None:
    """The 400 ``detail`` the server gives for a body it refuses, else None."""
    if not isinstance(body, dict):
        return "invalid JSON body"
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        return "model is required"
    if model not in KNOWN_MODELS:
        return f"model not supported: {model}"
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        return "prompt is required"
    images = body.get("images")
    if images is not None:
        if not isinstance(images, list) or not all(isinstance(i, str) for i in images):
            return "images must be an array of strings"
        if len(images) > MAX_REFERENCES:
            return f"images: at most {MAX_REFERENCES} reference images"
    ratio = body.get("aspect_ratio")
    if ratio is not None and ratio not in ASPECT_RATIOS:
        return f"aspect_ratio not supported: {ratio}"
    size = body.get("image_size")
    if size is not None and (not isinstance(size, str) or size.upper() not in IMAGE_SIZES):
        return f"image_size not supported: {size}"
    callback = body.get("callback_url")
    if callback is not None and not isinstance(callback, str):
        return "callback_url must be a string"
    return None
