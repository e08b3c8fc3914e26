"""Worker threads give the CPU to the UI thread: on Linux they run at a higher nice value."""

from __future__ import annotations

import os
import threading

import pytest
from conftest import run

from nanobanana_desktop.blocking import WORKER_NICENESS, run_blocking, worker_pool


def _priority() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


pytestmark = pytest.mark.skipif(
    not hasattr(os, "getpriority"), reason="per-thread nice values are a Linux feature"
)


def test_a_worker_pool_runs_below_the_calling_thread():
    own = _priority()
    with worker_pool(1, "probe") as pool:
        worker = pool.submit(_priority).result()
    assert worker == min(own + WORKER_NICENESS, 19)
    assert _priority() == own  # the caller (the UI thread, in the app) keeps its own


def test_run_blocking_uses_such_a_pool():
    own = _priority()
    assert run(run_blocking(_priority)) == min(own + WORKER_NICENESS, 19)
