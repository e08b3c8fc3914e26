"""When to try a request again, and how long to wait first.

The schedule is the one the trusted SDKs use (openai-python, anthropic-sdk-python):
``min(0.5 * 2**n, 8) * (1 - 0.25 * random())`` seconds before retry ``n`` (from 0), or the
server's Retry-After when it sends one of at most 120 s.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES: frozenset[int] = frozenset({408, 409, 429})
MAX_RETRY_AFTER = 120.0


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def parse_retry_after(
    headers: Mapping[str, str], now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000
        except ValueError:
            value = -1
        if 0 <= value < float("inf"):
            return value
    text = lowered.get("retry-after")
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        value = (when - now()).total_seconds()
    return max(value, 0.0) if value == value and value < float("inf") else None


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = MAX_RETRY_AFTER
    rand: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def delay(self, retry_index: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry ``retry_index`` (0 for the first retry)."""
        if retry_after is not None and 0 <= retry_after <= self.max_retry_after:
            return retry_after
        backoff = min(self.initial_delay * 2.0**retry_index, self.max_delay)
        return backoff * (1 - 0.25 * self.rand())
