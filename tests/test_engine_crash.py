"""kill -9 in mid-flight loses nothing: a restart saves every image, and sends no POST twice.

Once through the command line, and 20 times through the real app (a subprocess under
offscreen Qt): during submission, polling, download, and the rename into the library.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from engine_harness import free_port
from fault_harness import (
    app_env,
    audit,
    local_tasks,
    server_tasks,
    settled,
    tunnel_settings,
    wait_for,
)

from nanobanana_desktop.engine import checkpoints
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


# ------------------------------------------------------------------ the app, 20 times


@dataclass(frozen=True)
class CrashRun:
    number: int
    moment: str  # "submission", "polling", "download", "before-rename", "after-rename"
    tasks: int
    nth: int  # which arrival of the moment the kill lands on (1-based)
    extra: float  # a further random delay, in seconds, where the moment has a length

    @property
    def prompt(self) -> str:
        return f"crash run {self.number:02d} {self.moment}"


MOMENTS = ("submission", "polling", "download", "before-rename", "after-rename")


def crash_plan(runs: int, seed: int = 6) -> list[CrashRun]:
    """Seeded, so a failing run can be run again exactly: moments in turn, the rest drawn."""
    rng = random.Random(seed)
    plan = []
    for number in range(runs):
        tasks = rng.randint(2, 4)
        moment = MOMENTS[number % len(MOMENTS)]
        nth, extra = rng.randint(1, tasks), round(rng.uniform(0.0, 0.6), 3)
        plan.append(CrashRun(number, moment, tasks, nth, extra))
    return plan


DRIVER = Path(__file__).with_name("app_driver.py")


class App:
    """The real app in a subprocess (tests/app_driver.py), offscreen, over one profile."""

    def __init__(self, root: Path, base_url: str, crash_at: str | None = None) -> None:
        env = app_env(root / "profile", root / "library", KEY)
        env.pop(checkpoints.ENV, None)
        if crash_at is not None:
            env[checkpoints.ENV] = crash_at
        # A file, not a pipe: nobody reads while it runs, and a full pipe would stop it.
        self.log = root / f"stderr-{time.monotonic_ns()}.txt"
        with self.log.open("w") as sink:
            self.proc = subprocess.Popen(
                [sys.executable, str(DRIVER), "--base-url", base_url],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=sink,
                text=True,
            )
        self.expect("ready")

    def expect(self, word: str) -> None:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        assert line.startswith(word), f"the app said {line!r}, not {word!r}: {self.stderr()}"

    def submit(self, count: int, prompt: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"submit {count} {prompt}\n")
        self.proc.stdin.flush()
        self.expect("submitted")

    def stderr(self) -> str:
        return self.log.read_text()[-3000:]

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.communicate(timeout=20)
        assert self.proc.returncode == -signal.SIGKILL

    def quit(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.communicate(timeout=30)
        assert self.proc.returncode == 0, self.stderr()
        return self.log.read_text()


def crash_once(sandbox: SandboxThread, root: Path, run: CrashRun) -> int:
    """One kill and one restart; returns how many partial files the kill left."""
    database, library = root / "profile" / "history.sqlite3", root / "library"
    tunnel_settings(root / "profile", free_port())
    config = sandbox.config
    config.in_progress_seconds = 1.5 if run.moment == "polling" else 0.3
    config.cdn_seconds = 2.0 if run.moment == "download" else 0.0
    crash_at = f"{run.moment}:{run.nth}" if run.moment in checkpoints.MOMENTS else None
    if run.moment == "submission":
        sandbox.hold("gen")
        held_before = sandbox.book.held
    app = App(root, sandbox.api_url, crash_at)
    app.submit(run.tasks, run.prompt)
    if run.moment == "submission":
        # POSTs are on the server, unanswered; some may not have left the app yet.
        wait_for(lambda: sandbox.book.held - held_before >= run.nth, "POSTs at the server")
        app.kill()
    elif run.moment == "polling":
        wait_for(
            lambda: sum(1 for t, _s in local_tasks(database) if t) == run.tasks, "task ids"
        )
        time.sleep(run.extra)  # a random moment while the server still runs them (1.5 s)
        app.kill()
    elif run.moment == "download":
        wait_for(lambda: any(library.rglob(".incoming-*")), "a download in progress")
        time.sleep(run.extra)  # the slow host takes 2 s per image
        app.kill()
    else:  # the app kills itself at the rename's moment
        app.proc.communicate(timeout=60)
        assert app.proc.returncode == -signal.SIGKILL, app.stderr()
    leftovers_at_kill = len(list(library.rglob(".incoming-*")))
    at_kill = [state for _task_id, state in local_tasks(database)]
    if run.moment in ("submission", "polling"):
        assert "succeeded" not in at_kill and "downloading" not in at_kill, at_kill

    config.cdn_seconds = 0.0
    again = App(root, sandbox.api_url)
    if run.moment == "submission":
        sandbox.release()  # the held tasks are made, and charged, after the app died
    wait_for(lambda: settled(sandbox, database, run.prompt), f"run {run.number} to settle")
    err = again.quit()
    assert "Traceback" not in err, err[-3000:]

    result = audit(sandbox, database, library, run.prompt, unknown_reached=False)
    # Every image the server made (and charged) is in the library.
    assert result.unknown_charged == 0, result
    assert result.saved == result.server["success"] == result.local["succeeded"]
    made = server_tasks(sandbox, run.prompt)
    if run.moment != "submission":
        assert len(made) == run.tasks  # nothing sent twice, nothing lost before the kill
    else:
        # Those the kill caught before they left were never made: unknown, and said so.
        assert result.local["outcome_unknown"] == run.tasks - len(made)
    print(
        f"run {run.number:02d} {run.moment:<13} tasks {run.tasks} made {len(made)} "
        f"saved {result.saved} unknown {result.local['outcome_unknown']} "
        f"partials at kill {leftovers_at_kill}"
    )
    return leftovers_at_kill


def run_crashes(tmp_path: Path, runs: int) -> None:
    config = SandboxConfig(pending_seconds=0.1, submitted_seconds=0.1, not_found_seconds=0.2)
    seen = {moment: 0 for moment in MOMENTS}
    with SandboxThread(config) as sandbox:
        for run in crash_plan(runs):
            leftovers = crash_once(sandbox, tmp_path / f"run{run.number:02d}", run)
            seen[run.moment] += leftovers
    # The kills left partial files behind, and the restarts removed every one of them.
    assert seen["download"] > 0 and seen["before-rename"] > 0, seen


def test_sigkill_of_the_app_at_every_moment_loses_no_paid_image(tmp_path):
    run_crashes(tmp_path, 20)
