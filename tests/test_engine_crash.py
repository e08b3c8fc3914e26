"""kill -9 in mid-flight loses nothing: a restart saves every image, and sends no POST twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from nanobanana_desktop.sandbox import SandboxConfig, SandboxThread

KEY = "dk-crash-test-0000000001"


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "nanobanana_desktop.cli", *args]


def sent_task_ids(database: Path) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
        try:
            return int(
                conn.execute("SELECT count(*) FROM tasks WHERE task_id IS NOT NULL").fetchone()[0]
            )
        except sqlite3.OperationalError:  # the schema is not there yet
            return 0


def test_sigkill_mid_flight_then_resume_saves_everything_once(isolated_profile):
    config = SandboxConfig(
        pending_seconds=0.2, submitted_seconds=0.2, in_progress_seconds=3.0, not_found_seconds=0.2
    )
    env = dict(os.environ, NANOBANANA_API_KEY=KEY, PYTHONUNBUFFERED="1")
    database = isolated_profile / "profile" / "history.sqlite3"
    library = isolated_profile / "library"
    with SandboxThread(config) as sandbox:
        with subprocess.Popen(
            cli("generate", "a crash-proof lemon", "--count", "10", "--base-url", sandbox.api_url),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as proc:
            deadline = time.monotonic() + 60
            # Wait on the process's own record: every task id committed, none finished yet.
            try:
                while sent_task_ids(database) < 10:
                    assert proc.poll() is None, "generate ended before it was killed"
                    assert time.monotonic() < deadline, "generate never recorded 10 task ids"
                    time.sleep(0.02)  # polling another process's database
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.communicate(timeout=20)
        assert proc.returncode == -signal.SIGKILL
        saved_before = list(library.rglob("*.png"))
        assert len(saved_before) < 10, "the kill came too late to test anything"

        resumed = subprocess.run(
            cli("resume", "--base-url", sandbox.api_url),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert resumed.returncode == 0, resumed.stderr
        posts = sandbox.records.requests_to("api", "/api/image/gen")

    files = sorted(library.rglob("*.png"))
    assert len(files) == 10
    assert len(posts) == 10  # no task was sent twice
    assert not list(library.rglob(".incoming-*"))
    printed = {Path(line) for line in resumed.stdout.split()}
    assert printed <= set(files) and len(printed) == 10 - len(saved_before)
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        states = [row[0] for row in conn.execute("SELECT state FROM tasks")]
        saved = conn.execute("SELECT count(*) FROM images WHERE state = 'saved'").fetchone()[0]
    assert states == ["succeeded"] * 10
    assert saved == 10
