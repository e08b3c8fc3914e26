"""``--smoke-test``: the real app makes one image end to end, checks it, and exits.

With ``--sandbox`` the window's own Generate button sends a request to the in-process
sandbox; the test then checks that the task finished, that the image was saved in the
library and recorded with its checksum and size, that Pillow (the engine's decoder) and
Qt (the viewer's) both decode it at the size the request asked for, that the task list
shows the task as done, and that the credit went down by what the task consumed. A bundle
that lacks a Qt plugin, a Pillow codec or a data file fails here, not on a user's desk.

Without ``--sandbox`` it only checks the connection and the credit: the API charges for
every image. Exit codes: 0 passed, 1 a check failed, 2 the app could not start, 3 the
hard time limit ran out (a hang anywhere, the UI thread included). The limit is
HARD_TIMEOUT seconds, or what NANOBANANA_SMOKE_TEST_TIMEOUT says.
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import hashlib
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .engine.events import Event
    from .engine.records import ImageRecord, TaskRecord
    from .session import Session
    from .ui.main_window import MainWindow

PROMPT = "Smoke test: one ripe banana on a violet tile"
ASPECT_RATIO = "16:9"  # not the default 1:1, so that the size check can tell them apart
# JPEG, not the sandbox's usual PNG: Qt decodes PNG without a plugin, so only JPEG proves
# that a bundle kept the image-format plugins the viewer needs.
IMAGE_FORMAT = "jpeg"
STEP_TIMEOUT = 90.0  # seconds for any one step; generous for a loaded 2-core machine
HARD_TIMEOUT = 240.0  # seconds for the whole run, from the command line to the exit
TIMEOUT_ENV = "NANOBANANA_SMOKE_TEST_TIMEOUT"  # overrides HARD_TIMEOUT, in seconds
EXIT_FAILED, EXIT_CANNOT_START, EXIT_TIMED_OUT = 1, 2, 3


class SmokeTestError(Exception):
    """A check did not hold; the message says which and what was seen."""


def say(text: str, stream: TextIO | None = None) -> None:
    # A windowed build on Windows has no console: sys.stderr and sys.stdout are None.
    stream = stream or sys.stderr
    if stream is not None:
        print(f"nanobanana-desktop: smoke test: {text}", file=stream, flush=True)


def supervise(args: argparse.Namespace, run: Callable[[argparse.Namespace], int]) -> int:
    """Run the app in smoke-test mode under a hard time limit, in scratch folders.

    The scratch profile and library keep the user's history, settings and pictures out of
    it (unless --profile or --library name folders); they are removed when the test
    passes and kept, with their path said, when it fails: the log is in there.
    """
    try:
        limit = float(os.environ.get(TIMEOUT_ENV) or HARD_TIMEOUT)
    except ValueError:
        limit = -1
    if not limit > 0:
        say(f"{TIMEOUT_ENV} must be a number of seconds above 0, such as 300")
        return EXIT_CANNOT_START
    scratch: Path | None = None
    if args.profile is None or args.library is None:
        scratch = Path(tempfile.mkdtemp(prefix="nanobanana-smoke-"))
        args.profile = args.profile or str(scratch / "profile")
        args.library = args.library or str(scratch / "library")
    watchdog = Watchdog(limit, scratch)
    watchdog.start()
    try:
        code = run(args)
    except Exception:
        say("FAILED: the app stopped on an error:")
        if sys.stderr is not None:
            traceback.print_exc()
        code = EXIT_FAILED
    finally:
        watchdog.cancel()
    if scratch is not None:
        if code == 0:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            say(f"kept its profile, log and library in {scratch}")
    return code


class Watchdog:
    """Ends the process when the smoke test outlives its limit, whatever hangs.

    An asyncio timeout needs a running event loop; a deadlocked UI thread or a stuck
    import never returns to it. This thread does not need the loop: it prints every
    thread's stack, for the bug report, and exits.
    """

    def __init__(self, seconds: float, scratch: Path | None = None) -> None:
        self.seconds = seconds
        self.scratch = scratch
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        say(f"no result after {self.seconds:.0f} s: giving up; where each thread was:")
        if sys.stderr is not None:
            faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        if self.scratch is not None:
            say(f"kept its profile, log and library in {self.scratch}")
        os._exit(EXIT_TIMED_OUT)


async def check(window: MainWindow) -> int:
    """Exit code of the smoke test on the opened window; says what it found."""
    started = time.monotonic()
    try:
        summary = await _check(window)
    except SmokeTestError as exc:
        say(f"FAILED: {exc}")
        return EXIT_FAILED
    say(f"passed in {time.monotonic() - started:.1f} s: {summary}", sys.stdout)
    return 0


async def _step(what: str, awaitable: Awaitable[object]) -> None:
    try:
        await asyncio.wait_for(awaitable, STEP_TIMEOUT)
    except TimeoutError:
        raise SmokeTestError(f"{what}: nothing after {STEP_TIMEOUT:.0f} s") from None


async def _check(window: MainWindow) -> str:
    from .api import NanoBananaError

    session = window.session
    await _step("loading the task list", window.tasks_loaded.wait())
    await _step("asking for the credit", window.credit_loaded.wait())
    if session.client is None or session.engine is None:
        raise SmokeTestError(session.key_problem or "no API key, so no connection to check")
    try:
        credit_before = await session.client.balance()
    except NanoBananaError as exc:
        raise SmokeTestError(f"the API at {session.base_url} did not answer: {exc}") from None
    if session.sandbox is None:
        return (
            f"connected to {session.base_url}, credit {credit_before.normalize():f}; no image "
            "was made, since the API charges for it (add --sandbox to make one)"
        )
    session.sandbox.config.image_format = IMAGE_FORMAT
    outcome = await _generate_from_the_window(window)
    task, image, path = outcome.finished_task, outcome.image, outcome.path
    await _check_saved(session, task, image, path)
    row = window.tasks.row_of(task.id)
    shown = window.tasks.task_at(row).state if row is not None else None
    if shown != task.state:
        raise SmokeTestError(f"the task list shows the task as {shown}, not {task.state}")
    credit_after = await session.client.balance()
    if task.consumed is None or credit_before - credit_after != task.consumed:
        raise SmokeTestError(
            f"the credit went from {credit_before} to {credit_after}, but the task "
            f"consumed {task.consumed}"
        )
    return (
        f"a {image.width}x{image.height} {image.format} of {image.bytes} bytes, saved in the "
        f"library as {image.path}; credit went from {credit_before.normalize():f} to "
        f"{credit_after.normalize():f}"
    )


@dataclass
class _Outcome:
    """What the engine reported about the smoke test's task, in order."""

    done: asyncio.Event = field(default_factory=asyncio.Event)
    task_id: int | None = None
    saved: list[tuple[ImageRecord, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    task: TaskRecord | None = None

    def hear(self, event: Event) -> None:
        from .engine.events import ImageFailed, ImageSaved, TaskAdded, TaskChanged

        if isinstance(event, TaskAdded) and self.task_id is None:
            self.task_id = event.task.id  # the first task sent after the click is ours
        if not isinstance(event, TaskChanged | ImageSaved | ImageFailed):
            return
        if event.task.id != self.task_id:
            return
        if isinstance(event, ImageSaved):
            self.saved.append((event.image, event.path))
        elif isinstance(event, ImageFailed):
            # Not final for the task (a storage problem is tried again at the next start),
            # but final for a smoke test: say why now rather than at the time limit.
            self.failures.append(event.message)
            self.done.set()
        elif isinstance(event, TaskChanged) and event.task.state.is_final:
            self.task = event.task
            self.done.set()

    @property
    def finished_task(self) -> TaskRecord:
        assert self.task is not None
        return self.task

    @property
    def image(self) -> ImageRecord:
        return self.saved[0][0]

    @property
    def path(self) -> Path:
        return Path(self.saved[0][1])


async def _generate_from_the_window(window: MainWindow) -> _Outcome:
    """Fill the composer and press Generate, as a user would; wait for the task's end."""
    from .api import KNOWN_MODELS
    from .engine.records import TaskState

    engine = window.session.engine
    assert engine is not None
    composer = window.composer
    composer.prompt.setPlainText(PROMPT)
    composer.model.setCurrentText(KNOWN_MODELS[0])
    composer.aspect_ratio.setCurrentText(ASPECT_RATIO)
    composer.variations.setValue(1)
    if not composer.generate_button.isEnabled():
        raise SmokeTestError(f"Generate is disabled: {composer.reason_label.text()!r}")
    outcome = _Outcome()
    unsubscribe = engine.events.subscribe(outcome.hear)
    try:
        composer.generate_button.click()
        await _step("generating one image", outcome.done.wait())
    finally:
        unsubscribe()
    if outcome.failures:
        raise SmokeTestError(f"the image was not saved: {'; '.join(outcome.failures)}")
    task = outcome.finished_task
    if task.state is not TaskState.SUCCEEDED:
        reasons = "; ".join(filter(None, [task.status_reason, *outcome.failures]))
        raise SmokeTestError(f"the task ended {task.state.value}: {reasons or 'no reason given'}")
    if len(outcome.saved) != 1:
        raise SmokeTestError(f"{len(outcome.saved)} images were saved instead of one")
    if task.aspect_ratio != ASPECT_RATIO:
        raise SmokeTestError(f"the task asked for {task.aspect_ratio}, not {ASPECT_RATIO}")
    return outcome


async def _check_saved(session: Session, task: TaskRecord, image: ImageRecord, path: Path) -> None:
    from .blocking import run_blocking
    from .engine.records import ImageState
    from .sandbox.render import output_size

    library = session.locations.library
    recorded = {found.id: found for found in await session.store.images_for(task.id)}.get(image.id)
    if recorded is None or recorded.state is not ImageState.SAVED or not recorded.path:
        raise SmokeTestError(f"the history does not record the image as saved: {recorded}")
    found = await run_blocking(_decode, path, library, recorded.path)
    if not found.in_library:
        raise SmokeTestError(f"the image was saved as {path}, outside the library {library}")
    if not found.as_recorded:
        raise SmokeTestError(f"the history puts the image at {recorded.path}, not at {path}")
    if found.sha256 != recorded.sha256:
        raise SmokeTestError(f"{path} does not match the checksum in the history")
    expected = output_size(ASPECT_RATIO, None)
    if isinstance(found.qt_size, str):
        raise SmokeTestError(f"Qt cannot decode {path}: {found.qt_size}")
    want = f"{expected[0]}x{expected[1]}"
    for decoder, size in (("Pillow", found.pillow_size), ("Qt", found.qt_size)):
        if size != expected:
            raise SmokeTestError(f"{decoder} decodes {path} at {size[0]}x{size[1]}, not {want}")
    if (recorded.width, recorded.height) != expected:
        raise SmokeTestError(f"the history says {recorded.width}x{recorded.height}, not {want}")
    if found.pillow_format != IMAGE_FORMAT.upper() or recorded.format != found.pillow_format:
        raise SmokeTestError(
            f"{path} is {found.pillow_format} (history: {recorded.format}), "
            f"not the {IMAGE_FORMAT.upper()} the sandbox sent"
        )


@dataclass(frozen=True)
class _Decoded:
    in_library: bool
    as_recorded: bool  # the history's relative path leads to this very file
    sha256: str
    pillow_size: tuple[int, int]
    pillow_format: str | None
    qt_size: tuple[int, int] | str  # or Qt's reason for not decoding it


def _decode(path: Path, library: Path, recorded: str) -> _Decoded:
    """Where the file is, and what both decoders the app uses make of it: in a worker
    thread. A QImage may be made off the UI thread (the viewer does the same)."""
    from PIL import Image
    from PySide6.QtGui import QImageReader

    real = path.resolve()
    data = real.read_bytes()
    with Image.open(real) as opened:
        opened.load()
        pillow_size, pillow_format = opened.size, opened.format
    reader = QImageReader(str(real))
    qt_image = reader.read()
    qt_size: tuple[int, int] | str = (
        (qt_image.width(), qt_image.height()) if not qt_image.isNull() else reader.errorString()
    )
    return _Decoded(
        in_library=real.is_relative_to(library.resolve()),
        as_recorded=(library / recorded).resolve() == real,
        sha256=hashlib.sha256(data).hexdigest(),
        pillow_size=pillow_size,
        pillow_format=pillow_format,
        qt_size=qt_size,
    )
