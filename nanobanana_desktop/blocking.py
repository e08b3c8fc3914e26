"""Blocking work (disk, keyring, Pillow, starting threads) off the event loop's thread.

A plain thread pool rather than qasync's default QThreadExecutor: its QThread workers own
Qt timers, and Qt warns (and can crash) when those are torn down from the wrong thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

WORKER_NICENESS = 10


def _lower_priority() -> None:
    # On two busy cores the UI thread lost the CPU to Pillow decoding in these threads
    # (benchmarks/ui_latency.py: max stall 58-112 ms at equal priority, 39-54 ms with the
    # workers at nice 10). Linux gives each thread its own nice value; elsewhere this is
    # a no-op, as is a refusal.
    if hasattr(os, "setpriority"):
        thread = threading.get_native_id()
        with contextlib.suppress(OSError):
            current = os.getpriority(os.PRIO_PROCESS, thread)
            os.setpriority(os.PRIO_PROCESS, thread, min(current + WORKER_NICENESS, 19))


def worker_pool(max_workers: int, name: str) -> ThreadPoolExecutor:
    """A pool for CPU and disk work that yields the CPU to the UI thread."""
    return ThreadPoolExecutor(
        max_workers=max_workers, thread_name_prefix=name, initializer=_lower_priority
    )


_pool = worker_pool(4, "nanobanana-blocking")


async def run_blocking(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    call = functools.partial(fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_pool, call)
