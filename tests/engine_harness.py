"""An engine over the sandbox, as the engine tests build it."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from nanobanana_desktop.api import GenerationRequest, NanoBananaClient, RetryPolicy
from nanobanana_desktop.engine.core import Engine, EngineOptions
from nanobanana_desktop.engine.polling import PollPolicy
from nanobanana_desktop.engine.store import Store
from nanobanana_desktop.sandbox import SANDBOX_KEY

FAST = PollPolicy.scaled(0.02)  # first poll after 40 ms, then every 40 ms
REQUEST = GenerationRequest("google/gempix2", "a lemon on a blue plate")


@contextlib.asynccontextmanager
async def engine_for(
    sandbox: Any,
    tmp_path: Path,
    *,
    resume: bool = True,
    retry: RetryPolicy | None = None,
    **options: Any,
) -> AsyncIterator[Engine]:
    """Store, client and engine over ``tmp_path``; all closed on leaving, like a quit."""
    store = await Store.open(tmp_path / "profile" / "history.sqlite3")
    client = NanoBananaClient(SANDBOX_KEY, base_url=sandbox.api_url, retry=retry)
    options.setdefault("poll_policy", FAST)
    engine = Engine(client, store, tmp_path / "library", options=EngineOptions(**options))
    try:
        await engine.start(resume=resume)
        yield engine
    finally:
        await engine.close()
        await client.aclose()
        await store.close()


def posts(sandbox: Any) -> int:
    return len(sandbox.records.requests_to("api", "/api/image/gen"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
