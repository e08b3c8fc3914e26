"""Blocking work (disk, keyring, Pillow, starting threads) off the event loop's thread.

A plain thread pool rather than qasync's default QThreadExecutor: its QThread workers own
Qt timers, and Qt warns (and can crash) when those are torn down from the wrong thread.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="nanobanana-blocking")


async def run_blocking(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    call = functools.partial(fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_pool, call)
