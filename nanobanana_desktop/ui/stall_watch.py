"""A watchdog for the UI thread: when it stops turning the event loop, say where it stood.

A timer on the UI thread touches a heartbeat; a plain thread checks it. When the heartbeat
is older than the threshold, the watchdog logs the UI thread's stack once per stall, so a
freeze reported by a designer comes with the line that caused it.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stall:
    seconds: float  # how long the UI thread had been away when the stack was taken
    stack: str


class StallWatch(QObject):
    def __init__(
        self, threshold: float = 0.25, beat: float = 0.05, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.threshold = threshold
        self.stalls: list[Stall] = []  # the most recent ones, for tests and diagnostics
        self._ui_thread = threading.get_ident()
        self._last_beat = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(round(beat * 1000))
        self._timer.timeout.connect(self._touch)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, args=(beat,), name="nanobanana-stall-watch", daemon=True
        )

    def start(self) -> None:
        self._last_beat = time.monotonic()
        self._timer.start()
        self._thread.start()

    def stop(self) -> None:
        self._timer.stop()
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(1.0)

    def _touch(self) -> None:
        self._last_beat = time.monotonic()

    def _watch(self, beat: float) -> None:
        reported_for = 0.0  # the heartbeat already reported, so one stall logs once
        while not self._stop.wait(beat):
            last = self._last_beat
            away = time.monotonic() - last
            if away < self.threshold or last == reported_for:
                continue
            reported_for = last
            frame = sys._current_frames().get(self._ui_thread)
            stack = "".join(traceback.format_stack(frame)) if frame is not None else ""
            self.stalls.append(Stall(away, stack))
            del self.stalls[:-20]
            log.warning(
                "the UI thread has not turned the event loop for %.0f ms; it is at:\n%s",
                away * 1000,
                stack,
            )
