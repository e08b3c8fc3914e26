"""How often to ask the API about a running task.

A first look after about 2 s (early failures and the not-yet-indexed window show there),
then about every 2 s for the first minute and every 10 s after it, each with jitter so that
many tasks do not poll in lockstep. With webhooks on, polling is only the fallback for a
lost callback, so it runs slower.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PollPolicy:
    first: float = 2.0
    fast: float = 2.0
    fast_period: float = 60.0
    slow: float = 10.0
    jitter: float = 0.15
    webhook_slowdown: float = 3.0
    stall_after: float = 30 * 60.0
    rand: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def delay(self, elapsed: float, polls: int, *, webhooks: bool = False) -> float:
        """Seconds until the next poll of a task submitted ``elapsed`` seconds ago."""
        if polls == 0:
            base = max(self.first - elapsed, 0.0)
        elif elapsed < self.fast_period:
            base = self.fast
        else:
            base = self.slow
        if webhooks and polls > 0:
            base *= self.webhook_slowdown
        return base * (1 + self.jitter * (2 * self.rand() - 1))

    def stalled(self, elapsed: float) -> bool:
        return elapsed >= self.stall_after

    @classmethod
    def scaled(cls, factor: float, **changes: Any) -> PollPolicy:
        """The same shape on a shorter clock, for tests and time-scaled benchmarks."""
        base = cls()
        values: dict[str, Any] = {
            "first": base.first * factor,
            "fast": base.fast * factor,
            "fast_period": base.fast_period * factor,
            "slow": base.slow * factor,
            "stall_after": base.stall_after * factor,
        }
        values.update(changes)
        return cls(**values)
