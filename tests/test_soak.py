"""Soak: 2,000 tasks over 10 minutes (on a clock 2.5 times fast) through the real app.

The app runs as a subprocess under offscreen Qt (tests/app_driver.py), against a sandbox
with every fault of the fault suite switched on. Its resident memory and its open file
descriptors are read from /proc after a warm-up of 200 tasks and again after the other
1,800: RSS may grow by at most 50 MB, and no descriptor may leak.

Marked slow (about five minutes): ``pytest -m slow tests/test_soak.py -s`` prints the
figures.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from engine_harness import free_port
from fault_harness import (
    app_env,
    audit,
    fired,
    settled,
    storm,
    tunnel_settings,
    wait_for,
)

from nanobanana_desktop.sandbox import SandboxThread

pytestmark = pytest.mark.slow

KEY = "dk-soak-test-00000000001"
SCALE = 0.4  # 10 minutes in 4
TASKS, WARM_UP, PER_PRESS = 2000, 200, 4
SPAN = 10 * 60 * SCALE  # seconds over which the 2,000 tasks are sent
MAX_RSS_GROWTH = 50 * 1024 * 1024
DRIVER = Path(__file__).with_name("app_driver.py")


def rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    assert match is not None
    return int(match.group(1)) * 1024


def descriptors(pid: int) -> Counter[str]:
    """Open descriptors by kind: socket, pipe, anon_inode:[eventfd], or file."""
    kinds: Counter[str] = Counter()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = str(fd.readlink())
        except FileNotFoundError:  # closed while we looked
            continue
        kind = target.split(":", 1)[0] if ":" in target and not target.startswith("/") else "file"
        if kind == "anon_inode":
            kind = target
        kinds[kind] += 1
    return kinds


def test_soak_2000_tasks_keep_memory_and_descriptors_flat(tmp_path):
    profile, library = tmp_path / "profile", tmp_path / "library"
    database = profile / "history.sqlite3"
    tunnel_settings(profile, free_port())
    config = storm(SCALE, seed=3)
    pause = SPAN / (TASKS / PER_PRESS)
    with SandboxThread(config) as sandbox:
        app = subprocess.Popen(
            [sys.executable, str(DRIVER), "--base-url", sandbox.api_url],
            env=app_env(profile, library, KEY),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the log file has it all
            text=True,
        )
        assert app.stdin is not None and app.stdout is not None
        assert app.stdout.readline().strip() == "ready"
        started = time.monotonic()

        def send(first: int, last: int) -> None:
            for press in range(first // PER_PRESS, last // PER_PRESS):
                app.stdin.write(f"submit {PER_PRESS} soak {press:04d}\n")
                app.stdin.flush()
                assert app.stdout.readline().startswith("submitted")
                time.sleep(pause)  # the pace of the load, not a wait for anything

        try:
            send(0, WARM_UP)
            wait_for(
                lambda: settled(sandbox, database, "soak ", WARM_UP), "the warm-up", 300, 0.5
            )
            warm = (rss(app.pid), descriptors(app.pid), time.monotonic() - started)
            send(WARM_UP, TASKS)
            wait_for(lambda: settled(sandbox, database, "soak ", TASKS), "the soak", 600, 0.5)
            end = (rss(app.pid), descriptors(app.pid), time.monotonic() - started)
        finally:
            app.send_signal(signal.SIGTERM)
            app.communicate(timeout=60)
        assert app.returncode == 0
        result = audit(sandbox, database, library, "soak ", unknown_reached=True)
        faults = fired(sandbox.config)

    growth = end[0] - warm[0]
    warm_fds, end_fds = warm[1], end[1]
    print(
        f"\nsoak: {TASKS} tasks in {end[2]:.0f} s; local {dict(result.local)}; saved "
        f"{result.saved}; expired {result.expired}; faults {faults}\n"
        f"RSS after warm-up {warm[0] / 2**20:.1f} MB, at the end {end[0] / 2**20:.1f} MB, "
        f"growth {growth / 2**20:+.1f} MB\n"
        f"descriptors after warm-up {dict(warm_fds)}, at the end {dict(end_fds)}"
    )
    logs = "".join(p.read_text() for p in (profile / "logs").glob("*.log*"))
    assert " ERROR " not in logs and "Traceback" not in logs, logs[-4000:]
    assert result.unknown_charged == 0 and result.local["succeeded"] == result.saved
    # The app keeps up: results are fetched long before their links expire (24 s here).
    assert result.expired <= TASKS // 100
    assert growth <= MAX_RSS_GROWTH
    # Files, pipes and event descriptors come back to the same count; sockets may differ
    # only by what the connection pools keep alive (8 to the API, 20 to the image host).
    assert {k: v for k, v in end_fds.items() if k != "socket"} == {
        k: v for k, v in warm_fds.items() if k != "socket"
    }
    assert end_fds["socket"] <= warm_fds["socket"] + 28
