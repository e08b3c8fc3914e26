"""Sandbox tasks: their lifecycle, their images and their charges."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import logging
import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp

from .cdn import CdnStore
from .config import ENDPOINTS, SandboxConfig
from .records import CallbackRecord, RecordLog
from .references import ReferenceUnavailable, load_references
from .render import output_size, render_image

log = logging.getLogger(__name__)

_TEXT_ONLY_ANSWER = (
    "I can't create an image for this request, but here is a description instead: "
    "a bright, friendly scene in the sandbox."
)
Result = list[dict[str, str]] | None
_FAILED_REASON = "The model could not generate an image for this prompt (sandbox fault)."


@dataclass
class SandboxTask:
    task_id: str
    owner: str  # a digest of the key, so tasks are private to the account that made them
    model: str
    prompt: str
    images: list[str]
    aspect_ratio: str | None
    image_size: str | None
    callback_url: str | None
    seed: int
    created_at: float = field(default_factory=time.time)
    status: str = "pending"
    result: Result = None
    consumed: Decimal = Decimal("0")
    reason: str | None = None
    finished_at: float | None = None
    fate: str = "success"  # "success", "fail" or "text", decided when created
    running_seconds: float = 0.0

    def data(self) -> dict[str, Any]:
        """The query answer's ``data``, shaped like the callback payload plus created_at."""
        return {
            "task_id": self.task_id,
            "status": self.status,
            "result": self.result,
            "consumed": f"{self.consumed:.6f}",
            "status_reason": {"message": self.reason},
            "created_at": datetime.fromtimestamp(self.created_at, UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
        }

    def callback_payload(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "status": self.status,
            "task_id": self.task_id,
            "consumed": f"{self.consumed:.6f}",
            "status_reason": {"message": self.reason},
        }


def owner_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def new_task_id() -> str:
    # The real ids look like "ta" + a UUID with its first two characters replaced.
    return "ta" + str(uuid.uuid4())[2:]


class TaskBook:
    """Owns the tasks, the account balances and the background work that drives them."""

    def __init__(
        self, config: SandboxConfig, store: CdnStore, records: RecordLog, cdn_base: str
    ) -> None:
        self.config = config
        self.store = store
        self.records = records
        self.cdn_base = cdn_base
        self.tasks: dict[str, SandboxTask] = {}
        self.credit: dict[str, Decimal] = {}
        self.rng = random.Random(config.seed)  # noqa: S311 - reproducible faults, not secrets
        self._sequence = 0
        self._running: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        # Requests to these endpoints wait at a gate until release(): a test can then
        # crash a client while its request is known to be on the server.
        self.holding: frozenset[str] = frozenset()
        self.held = 0  # requests that have reached the gate
        self._gate = asyncio.Event()
        self.away = False  # in a network outage: callbacks do not get out either

    def hold(self, endpoints: Iterable[str]) -> None:
        self._gate = asyncio.Event()
        self.holding = frozenset(endpoints) & ENDPOINTS

    def release(self) -> None:
        self.holding = frozenset()
        self._gate.set()

    async def wait_at_gate(self) -> None:
        gate = self._gate
        self.held += 1
        await gate.wait()

    async def close(self) -> None:
        for task in list(self._running):
            task.cancel()
        for task in list(self._running):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._session is not None:
            await self._session.close()

    def balance(self, owner: str) -> Decimal:
        return self.credit.setdefault(owner, self.config.initial_credit)

    def create(self, owner: str, body: dict[str, Any]) -> SandboxTask:
        self._sequence += 1
        faults = self.config.faults
        fate = "success"
        if faults.fail_task.fire(self.rng, "gen"):
            fate = "fail"
        elif faults.text_only.fire(self.rng, "gen"):
            fate = "text"
        task = SandboxTask(
            task_id=new_task_id(),
            owner=owner,
            model=body["model"],
            prompt=body["prompt"],
            images=list(body.get("images") or []),
            aspect_ratio=body.get("aspect_ratio"),
            image_size=body.get("image_size"),
            callback_url=body.get("callback_url"),
            seed=self.config.seed * 1_000_003 + self._sequence,
            fate=fate,
            running_seconds=self.config.in_progress_seconds
            + self.rng.uniform(0, self.config.in_progress_spread),
        )
        self.tasks[task.task_id] = task
        self.balance(owner)
        runner = asyncio.get_running_loop().create_task(self._run(task))
        self._running.add(runner)
        runner.add_done_callback(self._running.discard)
        return task

    def visible(self, task_id: str, owner: str) -> SandboxTask | None:
        """A task answers 404 to others, and to everyone while it is not yet indexed."""
        task = self.tasks.get(task_id)
        if task is None or task.owner != owner:
            return None
        if time.time() - task.created_at < self.config.not_found_seconds:
            return None
        return task

    async def _run(self, task: SandboxTask) -> None:
        cfg = self.config
        produce = asyncio.get_running_loop().create_task(self._produce(task))
        # Marks a failure as seen even when this task is cancelled before awaiting it.
        produce.add_done_callback(lambda t: t.cancelled() or t.exception())
        try:
            await asyncio.sleep(cfg.pending_seconds)
            task.status = "submitted"
            await asyncio.sleep(cfg.submitted_seconds)
            task.status = "in_progress"
            await asyncio.sleep(task.running_seconds)
            outcome = await produce
        except asyncio.CancelledError:
            produce.cancel()
            raise
        except ReferenceUnavailable as exc:
            self._finish(task, "failed", None, str(exc))
        except Exception as exc:  # the sandbox must answer, whatever broke inside it
            log.exception("sandbox task %s broke", task.task_id)
            self._finish(task, "failed", None, f"internal sandbox error: {type(exc).__name__}")
        else:
            status, result, reason = outcome
            self._finish(task, status, result, reason)
        if task.callback_url:
            await self._send_callback(task)

    async def _produce(self, task: SandboxTask) -> tuple[str, Result, str | None]:
        if task.fate == "fail":
            return "failed", None, _FAILED_REASON
        references = await load_references(
            self._client(), task.images, self.config.reference_max_bytes
        )
        if task.fate == "text":
            return "success", [{"text": _TEXT_ONLY_ANSWER}], None
        width, height = output_size(task.aspect_ratio, task.image_size)
        fmt = "JPEG" if self.config.image_format == "jpeg" else "PNG"
        result = []
        for index in range(self.config.images_per_task):
            render = functools.partial(
                render_image,
                prompt=task.prompt,
                seed=task.seed * 7 + index,
                width=width,
                height=height,
                references=references,
                model=task.model,
                fmt=fmt,
            )
            data = await asyncio.get_running_loop().run_in_executor(None, render)
            result.append({"image": self._publish(data, fmt)})
        return "success", result, None

    def _publish(self, data: bytes, fmt: str) -> str:
        if self.config.result_mode == "data":
            mime = "image/jpeg" if fmt == "JPEG" else "image/png"
            return f"data:{mime};base64,{base64.b64encode(data).decode()}"
        # Links expire counted from the task's success (see _finish), not from the render.
        return self.cdn_base + self.store.put(data, suffix=".png")

    def _finish(self, task: SandboxTask, status: str, result: Result, reason: str | None) -> None:
        task.result = result
        task.reason = reason
        if status == "success" and self.config.result_ttl is not None:
            for item in result or []:
                link = item.get("image", "")
                if link.startswith(self.cdn_base):
                    self.store.expire_after(link[len(self.cdn_base) :], self.config.result_ttl)
        if status == "success":
            # Charged per image delivered, and only for a success.
            count = max(1, len([r for r in result or [] if "image" in r]))
            task.consumed = self.config.price_per_image * count
            self.credit[task.owner] = self.balance(task.owner) - task.consumed
        task.finished_at = time.time()
        task.status = status

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _send_callback(self, task: SandboxTask) -> None:
        assert task.callback_url is not None
        payload = task.callback_payload()
        status: int | None = None
        error: str | None = None
        lost = "network outage" if self.away else None
        if lost is None and self.config.faults.lose_callback.fire(self.rng, "gen"):
            lost = "lost (fault)"
        if lost is not None:
            self.records.add_callback(
                CallbackRecord(task.task_id, task.callback_url, payload, None, lost)
            )
            return
        try:
            async with self._client().post(
                task.callback_url,
                json=payload,
                timeout=aiohttp.ClientTimeout(total=self.config.callback_timeout),
            ) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = type(exc).__name__
            # The URL's last segment is the receiver's secret token: never log it whole.
            log.info("callback for %s failed: %s", task.task_id, error)
        self.records.add_callback(
            CallbackRecord(task.task_id, task.callback_url, payload, status, error)
        )
