"""``nanobanana-desktop --smoke-test``, run as the real program in a process of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from conftest import run
from PIL import Image

from nanobanana_desktop.engine.records import ImageState, TaskState
from nanobanana_desktop.engine.store import Store
from nanobanana_desktop.smoke_test import ASPECT_RATIO, PROMPT, TIMEOUT_ENV

# Generous: several app starts may share two loaded cores.
PROCESS_TIMEOUT = 300


def smoke_test(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nanobanana_desktop", "--smoke-test", *args],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", **env),
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT,
    )


def test_sandbox_smoke_test_makes_one_image_and_keeps_it_in_the_library(tmp_path):
    profile, library = tmp_path / "profile-here", tmp_path / "library-here"
    done = smoke_test("--sandbox", "--profile", str(profile), "--library", str(library))
    assert done.returncode == 0, done.stderr
    assert "smoke test: passed" in done.stdout

    # What the app says it checked, checked again from outside.
    [saved] = library.rglob("*.jpg")
    with Image.open(saved) as image:
        assert (image.format, image.size) == ("JPEG", (1376, 768))  # 16:9 at 1K

    async def history():
        store = await Store.open(profile / "history.sqlite3")
        try:
            [task] = await store.list_tasks()
            return task, await store.images_for(task.id)
        finally:
            await store.close()

    task, images = run(history())
    assert (task.prompt, task.aspect_ratio, task.state) == (
        PROMPT,
        ASPECT_RATIO,
        TaskState.SUCCEEDED,
    )
    assert [(i.state, library / i.path) for i in images] == [(ImageState.SAVED, saved)]


def test_smoke_test_on_its_own_uses_scratch_folders_and_removes_them(tmp_path, isolated_profile):
    scratch_parent = tmp_path / "tmp"
    scratch_parent.mkdir()
    done = smoke_test("--sandbox", TMPDIR=str(scratch_parent))
    assert done.returncode == 0, done.stderr
    assert not list(scratch_parent.glob("nanobanana-smoke-*"))
    # The profile and library the environment names (as a user's would be) are untouched.
    assert not (isolated_profile / "profile").exists()
    assert not (isolated_profile / "library").exists()


def test_smoke_test_fails_with_the_reason_when_the_image_cannot_be_saved(tmp_path):
    not_a_folder = tmp_path / "library"
    not_a_folder.write_text("a file where the library should be")
    done = smoke_test(
        "--sandbox", "--profile", str(tmp_path / "profile"), "--library", str(not_a_folder)
    )
    assert done.returncode == 1
    assert "smoke test: FAILED: the image was not saved" in done.stderr
    assert str(not_a_folder) in done.stderr


def test_smoke_test_against_an_api_only_checks_the_connection(sandbox, tmp_path):
    # No --sandbox: the sandbox fixture stands in for the real API, which charges per image.
    done = smoke_test(
        "--base-url", sandbox.api_url, "--profile", str(tmp_path / "profile"),
        NANOBANANA_API_KEY="dk-smoke-test-key-123456",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "no image was made" in done.stdout
    assert sandbox.records.requests_to("api", "/api/user")
    assert not sandbox.records.requests_to("api", "/api/image/gen")


def test_hard_time_limit_ends_a_hung_smoke_test_and_says_where_it_hung(tmp_path):
    # A server that takes the connection and never answers: the credit request waits for
    # its 30 s read timeout, far past the limit set here.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        done = smoke_test(
            "--base-url",
            f"http://127.0.0.1:{port}",
            NANOBANANA_API_KEY="dk-smoke-test-key-123456",
            TMPDIR=str(tmp_path),
            **{TIMEOUT_ENV: "6"},
        )
    assert done.returncode == 3
    assert "no result after 6 s" in done.stderr
    assert "most recent call first" in done.stderr  # every thread's stack, for the report
    [kept] = tmp_path.glob("nanobanana-smoke-*")
    assert f"kept its profile, log and library in {kept}" in done.stderr
    assert (Path(kept) / "profile" / "logs").is_dir()


def test_a_bad_time_limit_is_refused_with_what_to_write(tmp_path):
    done = smoke_test("--sandbox", TMPDIR=str(tmp_path), **{TIMEOUT_ENV: "soon"})
    assert done.returncode == 2
    assert f"{TIMEOUT_ENV} must be a number of seconds" in done.stderr
    assert not list(tmp_path.glob("nanobanana-smoke-*"))
