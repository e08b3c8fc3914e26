"""How often to ask the API about a running task.

A first look after about 2 s (early failures and the not-yet-indexed window show there),
then about every 2 s for the first minute and every 10 s after it, each with jitter so that
many tasks do not poll in lockstep. With webhooks on, polling is only the fallback for a
lost callback, so it runs slower.

Adaptive: once the history holds enough tasks of a model, the engine knows how long such
tasks take. It asks at the moments when 40, 75 and 100 % of them had finished, then every
``settle`` seconds: most of the requests fixed polling makes are spent asking about tasks
that cannot be done yet. The first look at about 2 s stays while any recent task of the
model ended (in success or failure) within ``3 * first`` seconds, since then an early
answer is likely; when none did, that look would only ever hear "not yet", and it is
skipped. The price: a task that fails unusually early is seen at the first learned moment
rather than at 2 s.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
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
    settle: float = 3.0
    stall_after: float = 30 * 60.0
    rand: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def delay(
        self,
        elapsed: float,
        polls: int,
        *,
        webhooks: bool = False,
        schedule: Sequence[float] = (),
        earliest: float | None = None,
        called_back: bool = False,
    ) -> float:
        """Seconds until the next poll of a task submitted ``elapsed`` seconds ago.

        ``schedule``: the learned moments (seconds after submission) worth a look;
        ``earliest``: the soonest any recent task of the model ended, if that is known;
        ``called_back``: a callback said the task has ended, and the API did not say so
        yet (not indexed, or a lagging answer): ask at the fast pace until it does.
        """
        if called_back:
            return self._jittered(self.fast)
        if webhooks:
            # Callbacks tell when tasks end; polls only catch a lost one, so the one
            # learned moment worth a look is when every recent task had ended. Waiting
            # longer than that would only let result links expire.
            schedule = schedule[-1:]
        upcoming = [t for t in schedule if t > elapsed + self.fast / 4]
        early_answers = earliest is None or earliest < 3 * self.first
        slowdown = self.webhook_slowdown if webhooks and polls > 0 else 1.0
        if polls == 0 and (early_answers or not upcoming or webhooks):
            base = max(self.first - elapsed, 0.0)
        elif upcoming:
            base = upcoming[0] - elapsed
        elif elapsed < self.fast_period:
            base = (self.settle if schedule else self.fast) * slowdown
        else:
            base = self.slow * slowdown
        return self._jittered(base)

    def _jittered(self, base: float) -> float:
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
            "settle": base.settle * factor,
            "stall_after": base.stall_after * factor,
        }
        values.update(changes)
        return cls(**values)


SCHEDULE_QUANTILES = (0.4, 0.75, 1.0)


class DurationBook:
    """Recent task durations per model, as the engine observed them."""

    def __init__(self, window: int = 100, min_samples: int = 5) -> None:
        self._window = window
        self._min_samples = min_samples
        self._samples: dict[str, list[float]] = {}
        self._failures: dict[str, list[float]] = {}

    def add(self, model: str, seconds: float) -> None:
        self._keep(self._samples, model, seconds)

    def add_failure(self, model: str, seconds: float) -> None:
        """A failure teaches no schedule, but an early one keeps the first look."""
        self._keep(self._failures, model, seconds)

    def _keep(self, book: dict[str, list[float]], model: str, seconds: float) -> None:
        if seconds <= 0:
            return
        samples = book.setdefault(model, [])
        samples.append(seconds)
        del samples[: -self._window]

    def earliest(self, model: str) -> float | None:
        """The soonest a recent task of this model ended, once there is enough history."""
        samples = self._samples.get(model, [])
        if len(samples) < self._min_samples:
            return None
        return min([*samples, *self._failures.get(model, [])])

    def schedule(self, model: str) -> tuple[float, ...]:
        """When 40, 75 and 100 % of recent tasks of this model had finished."""
        samples = sorted(self._samples.get(model, ()))
        if len(samples) < self._min_samples:
            return ()
        last = len(samples) - 1
        return tuple(samples[round(q * last)] for q in SCHEDULE_QUANTILES)
