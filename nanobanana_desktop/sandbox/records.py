"""What the sandbox remembers: every request it saw and every callback it sent."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestRecord:
    origin: str  # "api" or "cdn"
    method: str
    path: str
    query: str
    headers: dict[str, str]
    at: float
    status: int | None = None  # None when the connection was dropped
    fault: str | None = None
    sha256: str | None = None  # of the body the CDN served, for byte-for-byte checks


@dataclass(frozen=True)
class CallbackRecord:
    task_id: str
    url: str
    payload: dict[str, object]
    status: int | None
    error: str | None
    at: float = field(default_factory=time.time)


class RecordLog:
    """Append-only, read from other threads (tests read while the server runs)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: list[RequestRecord] = []
        self.callbacks: list[CallbackRecord] = []
        self._in_flight: Counter[str] = Counter()
        # The most requests to each API path the server was handling at one time.
        self.peak_in_flight: Counter[str] = Counter()

    def enter(self, path: str) -> None:
        with self._lock:
            self._in_flight[path] += 1
            self.peak_in_flight[path] = max(self.peak_in_flight[path], self._in_flight[path])

    def leave(self, path: str) -> None:
        with self._lock:
            self._in_flight[path] -= 1

    def add_request(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def add_callback(self, record: CallbackRecord) -> None:
        with self._lock:
            self.callbacks.append(record)

    def requests_to(self, origin: str, path: str | None = None) -> list[RequestRecord]:
        with self._lock:
            return [
                r for r in self.requests if r.origin == origin and (path is None or r.path == path)
            ]

    def served(self, path: str) -> set[str]:
        """Digests of every body the CDN sent for ``path`` (the same, unless it changed)."""
        return {r.sha256 for r in self.requests_to("cdn", path) if r.sha256 is not None}

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self.callbacks.clear()
            self.peak_in_flight.clear()
