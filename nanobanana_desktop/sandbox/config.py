"""The sandbox's knobs: timing, result delivery, accounts and fault switches.

Everything here is plain data so that a test, the CLI or the control endpoint can change
it while the server runs.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

ENDPOINTS: frozenset[str] = frozenset({"gen", "query", "user"})


@dataclass
class FaultSwitch:
    """Fires for the next ``count`` matching requests, then with probability ``rate``."""

    rate: float = 0.0
    count: int = 0
    endpoints: frozenset[str] = ENDPOINTS
    fired: int = 0

    def fire(self, rng: random.Random, endpoint: str) -> bool:
        if endpoint not in self.endpoints:
            return False
        hit = False
        if self.count > 0:
            self.count -= 1
            hit = True
        elif self.rate > 0:
            hit = rng.random() < self.rate
        self.fired += hit
        return hit

    @classmethod
    def parse(cls, text: str) -> FaultSwitch:
        """``"0.3"`` or ``"30%"`` is a rate; a whole number such as ``"2"`` is a count."""
        text = text.strip()
        if text.endswith("%"):
            return cls(rate=_rate(float(text[:-1]) / 100, text))
        if text.isdigit():
            return cls(count=int(text))
        return cls(rate=_rate(float(text), text))


def _rate(value: float, text: str) -> float:
    if not 0 <= value <= 1:
        raise ValueError(f"{text!r} is not a rate between 0 and 1 (or 0% and 100%)")
    return value


@dataclass
class Faults:
    """Request faults act on single answers; task faults decide a task's fate."""

    server_error: FaultSwitch = field(default_factory=FaultSwitch)  # 500 JSON answers
    rate_limit: FaultSwitch = field(default_factory=FaultSwitch)  # 429 + Retry-After
    drop_connection: FaultSwitch = field(default_factory=FaultSwitch)
    slow: FaultSwitch = field(default_factory=FaultSwitch)
    html_error: FaultSwitch = field(default_factory=FaultSwitch)  # a proxy's error page
    malformed_json: FaultSwitch = field(default_factory=FaultSwitch)
    unknown_status: FaultSwitch = field(default_factory=FaultSwitch)  # on query answers
    fail_task: FaultSwitch = field(default_factory=FaultSwitch)  # decided at creation
    text_only: FaultSwitch = field(default_factory=FaultSwitch)  # decided at creation
    lose_callback: FaultSwitch = field(default_factory=FaultSwitch)  # never sent ("gen")
    retry_after: float = 1.0
    slow_seconds: float = 3.0
    html_status: int = 502

    def update(self, changes: dict[str, Any]) -> None:
        """Apply ``{"server_error": {"rate": 0.3}, "retry_after": 2}``-style changes."""
        known = {f.name for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise KeyError(f"unknown fault {name!r}; known: {', '.join(sorted(known))}")
            current = getattr(self, name)
            if isinstance(current, FaultSwitch):
                if isinstance(value, str):
                    setattr(self, name, FaultSwitch.parse(value))
                    continue
                for key in ("rate", "count"):
                    if key in value:
                        setattr(current, key, value[key])
                if "endpoints" in value:
                    current.endpoints = frozenset(value["endpoints"]) & ENDPOINTS
            else:
                setattr(self, name, type(current)(value))

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, FaultSwitch):
                out[f.name] = {"rate": value.rate, "count": value.count, "fired": value.fired}
            else:
                out[f.name] = value
        return out


_DURATIONS = (
    "pending_seconds",
    "submitted_seconds",
    "in_progress_seconds",
    "in_progress_spread",
    "not_found_seconds",
    "result_ttl",
    "cdn_seconds",
)


@dataclass
class SandboxConfig:
    # Lifecycle: seconds spent in each state before the next.
    pending_seconds: float = 0.6
    submitted_seconds: float = 0.6
    in_progress_seconds: float = 2.5
    # Each task runs up to this much longer, drawn from the seeded generator: real tasks
    # take 8 to 20 s, not one fixed time.
    in_progress_spread: float = 0.0
    # New tasks answer "task not found" for this long, as the real API does.
    not_found_seconds: float = 1.0
    # "url": results on the CDN origin; "data": inline base64 data URIs.
    result_mode: str = "url"
    # What the bytes are; the CDN's file names always end in .png, as the real CDN's do.
    image_format: str = "png"
    # Seconds after success when CDN links stop working; None keeps them.
    result_ttl: float | None = None
    # Each result body is sent in slices over this many seconds: a slow image host, so a
    # download is in progress long enough for a crash test to land inside it.
    cdn_seconds: float = 0.0
    images_per_task: int = 1
    price_per_image: Decimal = Decimal("0.5")
    initial_credit: Decimal = Decimal("100")
    key_prefix: str = "dk-"
    refused_keys: set[str] = field(default_factory=set)
    seed: int = 0
    callback_timeout: float = 10.0
    reference_max_bytes: int = 20 * 1024 * 1024
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        if self.result_mode not in ("url", "data"):
            raise ValueError("result_mode is 'url' or 'data'")
        if self.image_format not in ("png", "jpeg"):
            raise ValueError("image_format is 'png' or 'jpeg'")

    def scaled(self, factor: float) -> SandboxConfig:
        """A copy on a shorter clock: every duration, the Retry-After hint included, times
        ``factor``.

        For fast tests of timing-shaped behaviour (a 5 s not-found window, links that expire
        after 60 s); the client's clocks must be scaled alike (PollPolicy.scaled).
        """
        if not factor > 0:
            raise ValueError("the time scale must be above 0")
        scaled = copy.deepcopy(self)
        for name in _DURATIONS:
            value = getattr(self, name)
            if value is not None:
                setattr(scaled, name, value * factor)
        scaled.faults.retry_after = self.faults.retry_after * factor
        scaled.faults.slow_seconds = self.faults.slow_seconds * factor
        return scaled

    @classmethod
    def instant(cls, **changes: Any) -> SandboxConfig:
        """No waiting anywhere: for tests that are not about timing."""
        base: dict[str, Any] = {
            "pending_seconds": 0.0,
            "submitted_seconds": 0.0,
            "in_progress_seconds": 0.0,
            "not_found_seconds": 0.0,
        }
        base.update(changes)
        return cls(**base)
