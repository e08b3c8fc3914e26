"""Named moments where a crash test can stop this process with ``kill -9``, exactly there.

``NANOBANANA_CRASH_AT=before-rename:3`` makes the third arrival at ``before-rename`` end
the process with SIGKILL: what a ``kill -9`` from outside does, at an instant no outside
observer could hit (a rename takes microseconds). Unset, each call is one environment
lookup; nothing else in the app reads the variable.

- ``before-rename``: an image is written whole under its temporary name, not yet renamed;
- ``after-rename``: it has its final name, and the history does not know it yet.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

ENV = "NANOBANANA_CRASH_AT"
MOMENTS = ("before-rename", "after-rename")

_lock = threading.Lock()
_arrivals: dict[str, int] = {}


def reached(moment: str) -> None:
    plan = os.environ.get(ENV)
    if not plan:
        return
    wanted, _, nth = plan.partition(":")
    if wanted != moment:
        return
    with _lock:
        count = _arrivals[moment] = _arrivals.get(moment, 0) + 1
    if count != int(nth or 1):
        return
    print(f"crash point {moment} ({count}): SIGKILL", file=sys.stderr, flush=True)
    if hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(137)  # pragma: no cover - Windows has no SIGKILL
