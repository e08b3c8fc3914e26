"""What the fault, crash and soak suites share: the fault storm, a time-scaled client, and
an audit of a profile against the sandbox's own record of what it made and served."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import struct
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nanobanana_desktop.api import RetryPolicy
from nanobanana_desktop.engine.library import PARTIAL_PREFIX
from nanobanana_desktop.engine.metadata import JSON_KEYWORD, PARAMETERS_KEYWORD, XMP_KEYWORD
from nanobanana_desktop.engine.preview import PNG_CHUNK as PREVIEW_CHUNK
from nanobanana_desktop.sandbox import SandboxConfig

# The storm, on the real clock; tests run it scaled (SandboxConfig.scaled).
STORM_FAULTS = {
    "server_error": 0.30,
    "rate_limit": 0.05,
    "drop_connection": 0.05,
    "malformed_json": 0.05,
    "html_error": 0.02,
    "slow": 0.10,
}
FINAL_STATES = {"succeeded", "failed", "outcome_unknown"}
_OWN_KEYWORDS = {k.encode("latin-1") for k in (JSON_KEYWORD, PARAMETERS_KEYWORD, XMP_KEYWORD)}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def storm(scale: float, *, seed: int = 0) -> SandboxConfig:
    """Every fault at once: 30% 500s, 5% 429 with Retry-After, 5% dropped connections, 5%
    malformed JSON, 2% HTML error pages, 10% slow answers, a 5 s window of 404s for new
    tasks and results that expire 60 s after success; then scaled to ``scale``."""
    config = SandboxConfig(
        pending_seconds=0.6,
        submitted_seconds=0.6,
        in_progress_seconds=2.5,
        in_progress_spread=2.5,
        not_found_seconds=5.0,
        result_ttl=60.0,
        seed=seed,
    )
    config.faults.update({name: {"rate": rate} for name, rate in STORM_FAULTS.items()})
    config.faults.retry_after = 1.0
    config.faults.slow_seconds = 2.0
    return config.scaled(scale)


def apply(config: SandboxConfig, target: SandboxConfig) -> None:
    """Make a running sandbox's config (``target``) behave as ``config``."""
    for name, value in vars(config).items():
        setattr(target, name, value)


def scaled_retry(scale: float) -> RetryPolicy:
    """The client's retry schedule on the sandbox's clock."""
    base = RetryPolicy()
    return RetryPolicy(initial_delay=base.initial_delay * scale, max_delay=base.max_delay * scale)


def fired(config: SandboxConfig) -> dict[str, int]:
    summary = config.faults.summary()
    return {name: summary[name]["fired"] for name in STORM_FAULTS}


# ------------------------------------------------------------------ the audit


def without_own_metadata(data: bytes) -> bytes:
    """A saved PNG minus the chunks the app adds (its text chunks and the preview): the
    bytes the server sent."""
    assert data.startswith(_PNG_SIGNATURE), "not a PNG"
    kept = [data[: len(_PNG_SIGNATURE)]]
    pos = len(_PNG_SIGNATURE)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        end = pos + 12 + length
        ctype = data[pos + 4 : pos + 8]
        keyword = data[pos + 8 : end - 4].split(b"\0", 1)[0]
        own = (ctype == b"iTXt" and keyword in _OWN_KEYWORDS) or ctype == PREVIEW_CHUNK
        if not own:
            kept.append(data[pos:end])
        pos = end
    return b"".join(kept)


@dataclass(frozen=True)
class ServerTask:
    task_id: str
    prompt: str
    status: str
    images: tuple[str, ...]  # result URLs' paths on the CDN


def server_tasks(sandbox: Any, prefix: str = "") -> list[ServerTask]:
    """The tasks the sandbox made (and charged, once they succeed), read on its own loop."""

    def read() -> list[ServerTask]:
        return [
            ServerTask(
                t.task_id,
                t.prompt,
                t.status,
                tuple(urlsplit(r["image"]).path for r in t.result or [] if "image" in r),
            )
            for t in sandbox.book.tasks.values()
            if t.prompt.startswith(prefix)
        ]

    return list(sandbox.call(read))


@dataclass
class Audit:
    local: Counter[str] = field(default_factory=Counter)  # local tasks by state
    server: Counter[str] = field(default_factory=Counter)  # server tasks by status
    saved: int = 0
    expired: int = 0
    unknown_charged: int = 0  # made and charged on the server, its id never learnt


def audit(
    sandbox: Any, database: Path, library: Path, prefix: str, *, unknown_reached: bool
) -> Audit:
    """Check a profile after a run against what the sandbox made and served.

    - the database passes integrity_check; every task is final, and every task that did
      not succeed says why;
    - no POST was sent twice: no prompt has more server tasks than local tasks, and
      (``unknown_reached``: every lost answer was lost after the server made the task)
      each prompt has exactly one server task per local task that was sent;
    - every server success this profile knows of is saved, byte for byte as the CDN
      served it, as exactly one file; and no partial file is left.
    """
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tasks = conn.execute(
            "SELECT id, task_id, prompt, state, status_reason FROM tasks WHERE prompt LIKE ?",
            (prefix + "%",),
        ).fetchall()
        images = conn.execute(
            "SELECT task, state, path, sha256 FROM images WHERE task IN "
            "(SELECT id FROM tasks WHERE prompt LIKE ?)",
            (prefix + "%",),
        ).fetchall()
    result = Audit(local=Counter(state for _i, _t, _p, state, _r in tasks))
    unfinished = [(i, state) for i, _t, _p, state, _r in tasks if state not in FINAL_STATES]
    assert not unfinished, f"tasks not final: {unfinished}"
    unexplained = [i for i, _t, _p, state, reason in tasks if state != "succeeded" and not reason]
    assert not unexplained, f"tasks that did not succeed and do not say why: {unexplained}"

    made = server_tasks(sandbox, prefix)
    result.server = Counter(t.status for t in made)
    by_id = {t.task_id: t for t in made}
    ids = [task_id for _i, task_id, _p, _s, _r in tasks if task_id is not None]
    assert len(ids) == len(set(ids)), "two local tasks share a server task"
    assert set(ids) <= set(by_id), "a local task names a task the server never made"
    local_per_prompt = Counter(prompt for _i, _t, prompt, _s, _r in tasks)
    server_per_prompt = Counter(t.prompt for t in made)
    for prompt, count in server_per_prompt.items():
        assert count <= local_per_prompt[prompt], f"{prompt!r} was sent more often than asked"
    if unknown_reached:
        sent = Counter(
            prompt for _i, tid, prompt, state, _r in tasks if tid or state == "outcome_unknown"
        )
        assert server_per_prompt == sent, "a POST was lost or sent twice"

    saved_rows = {(task, path, digest) for task, state, path, digest in images if state == "saved"}
    result.saved = len(saved_rows)
    result.expired = sum(1 for _t, state, _p, _d in images if state == "expired")
    states = {task_id: (local_id, state) for local_id, task_id, _p, state, _r in tasks if task_id}
    paths_of: dict[int, list[str]] = {}
    for task, path, _digest in saved_rows:
        paths_of.setdefault(task, []).append(path)
    for task in made:
        if task.status != "success":
            continue
        if task.task_id not in states:
            result.unknown_charged += 1
            continue
        local_id, state = states[task.task_id]
        expired = any(t == local_id and s == "expired" for t, s, _p, _d in images)
        if state == "failed" and expired:
            continue  # the link died before the app could fetch it: said, and final
        assert state == "succeeded", f"server success {task.task_id} is {state} locally"
        saved = sorted(paths_of.get(local_id, []))
        assert len(saved) == len(task.images), f"task {local_id}: {saved} for {task.images}"
        for path, served_path in zip(saved, task.images, strict=True):
            data = without_own_metadata((library / path).read_bytes())
            digest = hashlib.sha256(data).hexdigest()
            assert digest in sandbox.records.served(served_path), f"{path} differs from the CDN's"
    files = [p for p in library.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert sorted(p.relative_to(library).as_posix() for p in files) == sorted(
        path for _t, path, _d in saved_rows
    ), "the library holds other files than the saved images, or one twice"
    leftovers = list(library.rglob(PARTIAL_PREFIX + "*"))
    assert not leftovers, f"partial files left: {leftovers}"
    return result


# ------------------------------------------------------------------ the app in a subprocess


def app_env(profile: Path, library: Path, key: str) -> dict[str, str]:
    """The environment of the real app run as a subprocess over one profile, offscreen."""
    return dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        NANOBANANA_PROFILE=str(profile),
        NANOBANANA_LIBRARY=str(library),
        NANOBANANA_API_KEY=key,
        PYTHONUNBUFFERED="1",
    )


def tunnel_settings(profile: Path, port: int) -> None:
    """A webhook tunnel to a fixed local port, as a user sets it: callbacks find the app
    again after a restart."""
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "settings.ini").write_text(
        f"[webhooks]\npublic_url=http://127.0.0.1:{port}\nlocal_port={port}\n"
    )


def local_tasks(database: Path, prefix: str = "") -> list[tuple[str | None, str]]:
    """(task_id, state) of each task another process recorded, if it has any yet."""
    if not database.exists():
        return []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as conn:
        try:
            return list(
                conn.execute(
                    "SELECT task_id, state FROM tasks WHERE prompt LIKE ?", (prefix + "%",)
                )
            )
        except sqlite3.OperationalError:  # the schema is not there yet
            return []


def settled(sandbox: Any, database: Path, prefix: str, count: int | None = None) -> bool:
    """Every task (``count`` of them, if given) is final, and each the server made is known."""
    local = local_tasks(database, prefix)
    made = server_tasks(sandbox, prefix)
    known = {task_id: state for task_id, state in local}
    return (
        (count is None or len(local) == count)
        and all(state in FINAL_STATES for _task_id, state in local)
        and all(t.status in ("success", "failed") for t in made)
        and all(known.get(t.task_id) in FINAL_STATES for t in made)
    )


def wait_for(condition: Any, what: str, timeout: float = 60.0, every: float = 0.02) -> None:
    """Until ``condition()``: for state in another thread or process, which has no signal."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(every)
