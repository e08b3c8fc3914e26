"""What one app run talks to: the API (or an in-process sandbox) through one client."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .api import DEFAULT_BASE_URL, NanoBananaClient, normalize_base_url
from .blocking import run_blocking
from .credentials import KeyLookup, load_api_key
from .sandbox import SANDBOX_KEY, SandboxThread


@dataclass
class Session:
    mode: str  # "sandbox" or "api"
    base_url: str
    client: NanoBananaClient | None
    key_problem: str | None = None
    sandbox: SandboxThread | None = None

    @property
    def mode_label(self) -> str:
        if self.mode == "sandbox":
            return "Sandbox"
        return urlsplit(self.base_url).hostname or self.base_url

    @classmethod
    async def open(cls, *, use_sandbox: bool, base_url: str = DEFAULT_BASE_URL) -> Session:
        """Start the sandbox (off the calling thread) or look up the key for the real API."""
        if use_sandbox:
            sandbox = SandboxThread()
            await run_blocking(sandbox.start)
            client = NanoBananaClient(SANDBOX_KEY, base_url=sandbox.api_url)
            return cls("sandbox", sandbox.api_url, client, sandbox=sandbox)
        base_url = normalize_base_url(base_url)
        lookup: KeyLookup = await run_blocking(load_api_key)
        if lookup.key is None:
            problem = lookup.problem or "No API key yet: add one in Settings, or try the sandbox"
            return cls("api", base_url, None, key_problem=problem)
        return cls("api", base_url, NanoBananaClient(lookup.key, base_url=base_url))

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        if self.sandbox is not None:
            await run_blocking(self.sandbox.stop)
