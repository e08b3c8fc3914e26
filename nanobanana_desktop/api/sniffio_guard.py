"""httpcore without sniffio: a failed import for every lock, each a search of sys.path.

httpcore 1.0 imports sniffio inside ``current_async_library()``, which runs for each lock,
event and semaphore it sets up, several per request. anyio 4.11 and later no longer
install sniffio, and Python does not remember a failed import, so every call searches the
whole of sys.path again: about 0.4 ms, a quarter of the Qt thread's time when a hundred
tasks poll (encode/httpcore#1103). Marking the module as absent makes the import fail at
once, with the outcome httpcore falls back to anyway: asyncio.
"""

from __future__ import annotations

import importlib.util
import sys


def mark_sniffio_absent() -> None:
    """Record sniffio as missing, unless it is installed (then httpcore imports it once)."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]
