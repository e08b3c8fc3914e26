"""The composer's draft, written to the settings file from a worker thread.

QSettings flushes its changes from the event loop of the thread that owns the object, and a
flush rewrites the INI file through QSaveFile, which waits for the disk (fdatasync): 27-37
ms on the UI thread under disk load, measured by benchmarks/stall_causes.py. Qt documents
QSettings as reentrant even for objects on the same file, so a QSettings of its own in a
single worker thread writes the draft while the window's object only reads it at start.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import Future

from PySide6.QtCore import QSettings

from ..blocking import worker_pool

Values = Mapping[str, str | int]


class DraftWriter:
    """Writes the latest values it was given; a burst of saves costs one write or two."""

    def __init__(self, file_name: str) -> None:
        self._file_name = file_name
        self._pool = worker_pool(1, "nanobanana-draft")  # one thread: writes stay in order
        self._lock = threading.Lock()
        self._latest: Values | None = None
        self._last: Future[None] | None = None

    def save(self, values: Values) -> None:
        with self._lock:
            queued = self._latest is not None
            self._latest = dict(values)
        if not queued:  # a write already queued will pick these values up
            self._last = self._pool.submit(self._write)

    def flush(self, timeout: float | None = None) -> None:
        """Wait until everything given to save() is on disk (at close, and in tests)."""
        last = self._last
        if last is not None:
            last.result(timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _write(self) -> None:
        with self._lock:
            values, self._latest = self._latest, None
        if values is None:
            return
        settings = QSettings(self._file_name, QSettings.Format.IniFormat)
        for key, value in values.items():
            settings.setValue(key, value)
        settings.sync()
