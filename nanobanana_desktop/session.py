"""What one run of the app or the CLI works with: where data lives, the API (or an
in-process sandbox), the history store and the engine over them."""

from __future__ import annotations

import argparse
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .api import DEFAULT_BASE_URL, ApiKey, NanoBananaClient, normalize_base_url
from .blocking import run_blocking
from .credentials import KeyLookup, load_api_key, save_api_key
from .engine.core import Engine, EngineOptions
from .engine.paths import Locations
from .engine.polling import PollPolicy
from .engine.store import Store
from .sandbox import SANDBOX_KEY, SandboxThread


@dataclass
class SessionOptions:
    use_sandbox: bool = False
    base_url: str = DEFAULT_BASE_URL
    profile: str | None = None
    library: str | None = None
    source: str = "window"
    webhook_url: str | None = None  # the public URL of the user's tunnel
    webhook_port: int = 0
    poll_policy: PollPolicy | None = None
    sandbox_webhooks: bool = True  # loopback callbacks in sandbox mode, so that path is used

    @classmethod
    def from_args(cls, args: argparse.Namespace, source: str) -> SessionOptions:
        """From the flags the app and the CLI share."""
        return cls(
            use_sandbox=args.sandbox,
            base_url=args.base_url,
            profile=args.profile,
            library=args.library,
            source=source,
            webhook_url=getattr(args, "webhook_url", None),
            webhook_port=getattr(args, "webhook_port", 0),
        )


@dataclass
class Session:
    mode: str  # "sandbox" or "api"
    base_url: str
    locations: Locations
    store: Store
    client: NanoBananaClient | None
    engine: Engine | None
    key_problem: str | None = None
    sandbox: SandboxThread | None = None
    options: SessionOptions = field(default_factory=SessionOptions)

    @property
    def mode_label(self) -> str:
        if self.mode == "sandbox":
            return "Sandbox"
        return urlsplit(self.base_url).hostname or self.base_url

    @classmethod
    async def open(cls, options: SessionOptions) -> Session:
        """Open the store, find the key (or start the sandbox), and build the engine."""
        locations = Locations.resolve(options.profile, options.library)
        store = await Store.open(locations.database)
        session = cls(
            mode="api",
            base_url=normalize_base_url(options.base_url),
            locations=locations,
            store=store,
            client=None,
            engine=None,
            options=options,
        )
        if options.use_sandbox:
            await session._start_sandbox()
            return session
        lookup: KeyLookup = await run_blocking(load_api_key)
        if lookup.key is None:
            session.key_problem = lookup.problem or (
                "No API key yet: add one in Settings, or try the sandbox"
            )
        else:
            session._connect(lookup.key, options.webhook_url, options.webhook_port)
        return session

    async def _start_sandbox(self) -> None:
        """Run against an in-process sandbox, with loopback callbacks unless told not to."""
        sandbox = SandboxThread()
        await run_blocking(sandbox.start)
        self.sandbox, self.mode, self.base_url = sandbox, "sandbox", sandbox.api_url
        url, port = self.options.webhook_url, self.options.webhook_port
        if self.options.sandbox_webhooks and url is None:
            port = port or await run_blocking(_free_loopback_port)
            url = f"http://127.0.0.1:{port}"
        self._connect(SANDBOX_KEY, url, port)

    def _connect(self, key: ApiKey | str, webhook_url: str | None, webhook_port: int) -> None:
        self.client = NanoBananaClient(key, base_url=self.base_url)
        self.engine = Engine(
            self.client,
            self.store,
            self.locations.library,
            options=EngineOptions(
                source=self.options.source,
                poll_policy=self.options.poll_policy or PollPolicy(),
                webhook_public_url=webhook_url,
                webhook_port=webhook_port,
            ),
        )
        self.key_problem = None

    async def use_key(self, text: str) -> str | None:
        """Check a key against the account, then keep it; returns a note for the user.

        Raises ValueError or NanoBananaError (refused, offline) when it cannot be used:
        nothing is stored then.
        """
        key = ApiKey(text)
        async with NanoBananaClient(key, base_url=self.base_url) as probe:
            await probe.balance()
        note = await run_blocking(save_api_key, key)
        self._connect(key, self.options.webhook_url, self.options.webhook_port)
        assert self.engine is not None
        await self.engine.start()
        return note

    async def use_sandbox(self) -> None:
        """Switch this run to an in-process sandbox (the welcome panel's second choice)."""
        await self._start_sandbox()
        assert self.engine is not None
        await self.engine.start()

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.close()
        if self.client is not None:
            await self.client.aclose()
        await self.store.close()
        if self.sandbox is not None:
            await run_blocking(self.sandbox.stop)

    @property
    def library(self) -> Path:
        return self.locations.library


def _free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
