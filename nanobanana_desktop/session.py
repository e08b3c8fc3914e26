"""What one run of the app or the CLI works with: where data lives, the API (or an
in-process sandbox), the history store and the engine over them."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import socket
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .api import DEFAULT_BASE_URL, ApiKey, NanoBananaClient, normalize_base_url
from .blocking import run_blocking
from .credentials import ENV_VAR, KeyLookup, forget_api_key, load_api_key, save_api_key
from .engine.core import Engine, EngineOptions
from .engine.paths import LIBRARY_ENV, Locations
from .engine.polling import PollPolicy
from .engine.store import DamagedDatabaseError, Store, StoreError
from .messages import translatable
from .preferences import Preferences, read_preferences
from .sandbox import SANDBOX_KEY, SandboxThread

log = logging.getLogger(__name__)

# The problem when there is simply no key yet (no keyring failure, nothing refused): the
# welcome panel, which is the answer to it, need not repeat it.
NO_KEY_YET = translatable("Session", "No API key yet: add one in Settings, or try the sandbox")
_PASTE_TO_TEST = translatable("Session", "Paste a key to test it")
_ENV_NOT_KEPT = translatable(
    "Session",
    "No system keyring could store the key, and this session uses the key "
    "from {variable}: the key you entered was not kept.",
)
_ENV_SAVED = translatable(
    "Session",
    "Saved in the system keyring. This session keeps using the key from "
    "{variable}; the saved key is used when that is not set.",
)
_SANDBOX_NOT_KEPT = translatable(
    "Session",
    "No system keyring could store the key, and the sandbox needs none: "
    "the key you entered was not kept.",
)
_SANDBOX_SAVED = translatable(
    "Session", "Saved in the system keyring: it is used when you start without the sandbox."
)
_NO_CLIENT_NOT_KEPT = translatable(
    "Session",
    "No system keyring could store the key, so it was not kept: add it on "
    "the welcome page to use it in this session.",
)
_NEXT_START = translatable(
    "Session", "Saved in the system keyring: it is used from the next start."
)
_IN_USE = translatable("Session", "Key checked, saved in the system keyring, and in use now.")
_REMOVED = translatable("Session", "Removed from the system keyring.")
_ENV_NEVER_SAVED = translatable(
    "Session", "{what} This session uses the key from {variable}, which is never saved."
)
_REMOVED_UNTIL_QUIT = translatable(
    "Session",
    "Removed from the system keyring. This session keeps using it until you "
    "quit; the next start asks for a key.",
)
_NOT_MOVED = translatable(
    "Session",
    "{damage}, and it could not be moved aside ({reason}); "
    "move or delete {path} yourself, then start again",
)
_HISTORY_REPLACED = translatable(
    "Session",
    "The history database could not be read, so a new, empty history was started.\n"
    "The damaged file was moved aside to {path}. Images already saved stay in the "
    "library folder, but earlier tasks are no longer listed in the app.",
)


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
    language: str | None = None  # "en", "nl"; None: the system's

    @classmethod
    def from_args(cls, args: argparse.Namespace, source: str) -> SessionOptions:
        """From the flags the app and the CLI share; each has only some of them.

        A flag left at its default reads as not given, so the profile's stored settings
        can fill it in when the session opens (:func:`apply_stored_settings`).
        """
        return cls(
            use_sandbox=args.sandbox,
            base_url=getattr(args, "base_url", None) or DEFAULT_BASE_URL,
            profile=args.profile,
            library=args.library,
            source=source,
            webhook_url=getattr(args, "webhook_url", None),
            webhook_port=getattr(args, "webhook_port", None) or 0,
            language=getattr(args, "lang", None),
        )


def apply_stored_settings(options: SessionOptions, stored: Preferences) -> SessionOptions:
    """The options with the profile's stored settings where no flag was given: flags win.

    The parsers default ``--base-url`` to DEFAULT_BASE_URL, so that value counts as not
    given. NANOBANANA_LIBRARY, like a flag, is a choice for this run and wins over a
    stored library. Only the window takes a stored webhook tunnel: a command run while
    the window is open would find its port taken. A sandbox run ignores it too: the
    emulator's callbacks stay on loopback instead of going out over the network.
    """
    changes: dict[str, Any] = {}
    if stored.base_url and options.base_url.strip().rstrip("/") == DEFAULT_BASE_URL:
        changes["base_url"] = stored.base_url
    if stored.library and options.library is None and not os.environ.get(LIBRARY_ENV):
        changes["library"] = stored.library
    if options.poll_policy is None and (stored.poll_fast or stored.poll_slow):
        default = PollPolicy()
        fast = stored.poll_fast or default.fast
        changes["poll_policy"] = PollPolicy(
            fast=fast, slow=max(stored.poll_slow or default.slow, fast)
        )
    takes_tunnel = options.source == "window" and not options.use_sandbox
    if stored.webhook_url and options.webhook_url is None and takes_tunnel:
        changes["webhook_url"] = stored.webhook_url
        changes["webhook_port"] = options.webhook_port or stored.webhook_port or 0
    if stored.language and options.language is None:
        changes["language"] = stored.language
    return dataclasses.replace(options, **changes)


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
    # Where the key in use came from: "environment", "keyring", "session" (in memory only),
    # "sandbox" or "none".
    key_source: str = "none"
    # What the user must be told once at start (a damaged history moved aside), in order.
    notices: list[str] = field(default_factory=list)

    @property
    def mode_label(self) -> str:
        if self.mode == "sandbox":
            return "Sandbox"
        return urlsplit(self.base_url).hostname or self.base_url

    @classmethod
    async def open(cls, options: SessionOptions) -> Session:
        """Read the stored settings, open the store, find the key (or start the sandbox),
        and build the engine."""
        profile = Locations.resolve(options.profile).profile
        options = apply_stored_settings(options, await run_blocking(read_preferences, profile))
        locations = Locations.resolve(options.profile, options.library)
        base_url = normalize_base_url(options.base_url)
        store, notice = await open_store(locations.database)
        session = cls(
            mode="api",
            base_url=base_url,
            locations=locations,
            store=store,
            client=None,
            engine=None,
            options=options,
            notices=[notice] if notice else [],
        )
        if options.use_sandbox:
            await session._start_sandbox()
            return session
        lookup: KeyLookup = await run_blocking(load_api_key)
        if lookup.key is None:
            session.key_problem = lookup.problem or NO_KEY_YET
        else:
            session._connect(lookup.key, options.webhook_url, options.webhook_port)
            session.key_source = lookup.source
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
        self.key_source = "sandbox"

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
                thumbnail_folder=self.locations.thumbnails,
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
        self.key_source = "keyring" if note is None else "session"
        assert self.engine is not None
        await self.engine.start()
        return note

    def _key_check_url(self, base_url: str | None) -> str:
        # Where the key is used now, if it is used now. The sandbox takes any dk- key, so
        # there (and before any key) it is checked where it will be used: ``base_url``.
        if self.mode == "api" and self.client is not None:
            return self.base_url
        return normalize_base_url(base_url or self.options.base_url)

    async def check_key(self, text: str = "", base_url: str | None = None) -> Decimal:
        """The account's credit as a typed key sees it, or the session's own key if none.

        Raises ValueError or NanoBananaError (refused, offline, a bad address).
        """
        if not text.strip():
            if self.client is None:
                raise ValueError(_PASTE_TO_TEST)
            return await self.client.balance()
        key = ApiKey(text)
        async with NanoBananaClient(key, base_url=self._key_check_url(base_url)) as probe:
            return await probe.balance()

    async def change_key(self, text: str, base_url: str | None = None) -> str:
        """Check a new key, keep it in the keyring, and use it at once where it can be.

        Returns what happened, for the user. Raises ValueError or NanoBananaError when the
        key cannot be used: nothing is stored or changed then.
        """
        key = ApiKey(text)
        async with NanoBananaClient(key, base_url=self._key_check_url(base_url)) as probe:
            await probe.balance()
        problem = await run_blocking(save_api_key, key)
        if self.key_source == "environment":
            if problem:
                return _ENV_NOT_KEPT.format(variable=ENV_VAR)
            return _ENV_SAVED.format(variable=ENV_VAR)
        if self.mode == "sandbox":
            if problem:
                return _SANDBOX_NOT_KEPT
            return _SANDBOX_SAVED
        if self.client is None:
            if problem:
                return _NO_CLIENT_NOT_KEPT
            return _NEXT_START
        self.client.replace_key(key)
        self.key_source = "session" if problem else "keyring"
        self.key_problem = None
        return problem or _IN_USE

    async def forget_key(self) -> str:
        """Delete the key from the keyring; returns what happened, for the user.

        A running session keeps the key it holds in memory until it ends, so tasks on
        their way are still followed: they would fail without one.
        """
        problem = await run_blocking(forget_api_key)
        if self.key_source == "environment":
            return _ENV_NEVER_SAVED.format(what=problem or _REMOVED, variable=ENV_VAR)
        if problem:
            return problem
        if self.key_source == "keyring":
            self.key_source = "session"
            return _REMOVED_UNTIL_QUIT
        return _REMOVED

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


async def open_store(path: Path) -> tuple[Store, str | None]:
    """The history store, and a notice for the user when a damaged one had to be replaced.

    A damaged file is renamed, never deleted: it may still be rescued with SQLite's tools,
    and the images it listed stay in the library either way.
    """
    try:
        return await Store.open(path), None
    except DamagedDatabaseError as exc:
        damage = exc
    try:
        moved = await run_blocking(move_aside, path)
    except OSError as exc:
        raise StoreError(
            _NOT_MOVED.format(damage=damage, reason=exc.strerror or exc, path=path)
        ) from exc
    log.warning("damaged history database moved to %s: %s", moved, damage)
    # First line: what happened; the rest: where the old file is, and what it means.
    return await Store.open(path), _HISTORY_REPLACED.format(path=moved)


def move_aside(path: Path) -> Path:
    """Rename ``path`` and its WAL and shared-memory files to a dated name; returns it.

    The WAL goes too: left beside a new database of the same name, SQLite could try to
    apply the old file's pages to it.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    number = 0
    while True:
        suffix = f"-{number}" if number else ""
        target = path.with_name(f"{path.stem}.damaged-{stamp}{suffix}{path.suffix}")
        companions = [target.with_name(target.name + end) for end in ("-wal", "-shm")]
        if not any(p.exists() for p in (target, *companions)):
            break
        number += 1
    for end in ("-wal", "-shm"):
        companion = path.with_name(path.name + end)
        if companion.exists():
            companion.rename(target.with_name(target.name + end))
    path.rename(target)
    return target


def _free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
