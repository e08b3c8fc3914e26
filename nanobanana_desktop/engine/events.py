"""Typed events the engine publishes; the window adapts them to Qt signals, the CLI prints."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .records import ImageRecord, TaskRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskAdded:
    task: TaskRecord


@dataclass(frozen=True)
class TaskChanged:
    task: TaskRecord


@dataclass(frozen=True)
class ImageSaved:
    task: TaskRecord
    image: ImageRecord
    path: str  # absolute


@dataclass(frozen=True)
class ImageFailed:
    task: TaskRecord
    image: ImageRecord
    message: str


@dataclass(frozen=True)
class BalanceChanged:
    credit: Decimal


@dataclass(frozen=True)
class ConnectionChanged:
    """``online`` False while the API cannot be reached; the message says what happens."""

    online: bool
    message: str


Event = TaskAdded | TaskChanged | ImageSaved | ImageFailed | BalanceChanged | ConnectionChanged
Listener = Callable[[Event], None]


class EventBus:
    """Synchronous fan-out: listeners must be quick (emit a signal, print a line)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, event: Event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # one broken listener must not stop the engine
                log.exception("event listener failed on %s", type(event).__name__)
