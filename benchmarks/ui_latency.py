"""UI latency under load: how late the event loop runs while 50 tasks of 2048×2048 PNGs land.

The real window (``MainWindow``) on a qasync loop, with the app's own UI-thread helpers
(``MainThreadCollector``, frozen once the window has started, and a ``StallWatch``), Qt
configured by ``app.configure_qt`` before the QApplication exists, and the app's worker
pool (``worker_pool``, its threads at nice +10) as the default executor, as ``app.py``
sets them up, opened with
``Session.open`` against a sandbox running in a separate process (as the real API would be;
key from NANOBANANA_API_KEY, no keyring). The composer is filled in once (model
``google/nano-banana-pro``, aspect ratio 1:1, image size 2K: the sandbox renders 2048×2048
PNGs, as the real model does) and Ctrl+Enter is pressed in the prompt every
``--press-interval`` seconds with 4 variations (13 presses: 12 × 4 + 1 × 2 = 50 tasks),
the prompt changing between presses as a user's would. The sandbox's timings are short
(0.5 s not found, 0.3 s pending, 0.3 s submitted, 1.5 to 4.5 s running), so the 50 tasks
are all saved about 18 s after the first press; the app polls with its own policy.

A probe, a ``QTimer`` of 5 ms (``Qt.TimerType.PreciseTimer``), notes ``time.perf_counter()``
at every tick; a tick's lateness is its gap from the previous one minus 5 ms. The measured
span runs from the first press until every task is final with its image saved and every
thumbnail the list was asked for has loaded. Reported: p99 and maximum lateness (ms), ticks
(and how many a free loop would have had), the span. Goal: p99 <= 16 ms and max <= 50 ms.

Two modes, each in a fresh interpreter (the driver re-invokes itself with ``--mode``), taking
turns run by run (their order alternating), each with its own sandbox process and profile:

- ``shipped``: the app as it is: the engine makes each image's thumbnails in its download
  worker from the pixels it decoded to check the image, and keeps them in the thumbnail
  cache before the window hears of the image; the task list then loads a small cached file
  in a worker thread (``ThumbnailImages._load`` awaits ``run_blocking``);
- ``baseline``: the same load with the thumbnailing on the UI thread: the engine makes no
  thumbnails (``engine.thumbnails`` is None), and ``run_blocking`` as
  ``ui.thumbnail_images`` sees it is replaced by a coroutine that calls the function at
  once, so each thumbnail (Pillow decoding the 2048×2048 PNG, its embedded preview
  ignored, resizing, the disk cache, the QImage) is made on the UI thread, inside the same
  ``_load`` task. The rest of the app is identical.

The list shows All. It makes thumbnails only for rows it paints, so:

- ``--view follow`` (default): the window keeps the app's size (1280×760, 8 rows in sight;
  ``--height`` changes it) and the benchmark follows each new result as a user watching
  them would: when an image is saved, the list is scrolled to its row (``scrollTo``,
  which moves only if the row is out of sight) and the next one waits until that row's
  thumbnail has loaded (5 s at most). All 50 thumbnails are made.
- ``--view tall``: the window is made tall enough for all 50 rows at once (1280×4290),
  with no scrolling; every repaint of the list then paints up to 50 cards.

The list's own work, less noisy than stalls: every paint of a card is timed (the delegate's
``paint``, wrapped), and the list's paint events are counted, so the report gives cards
painted and drawn afresh (not from the delegate's card cache) per second, the mean time to
paint a card, the list's paint time per frame (p99, max), and the UI thread's CPU time per
task. After the span, with every card final and every thumbnail in, the whole list is
repainted 20 times with the card cache warm and 20 times with it emptied before each card
(so every card is drawn afresh, as before the cache): the median of each, in ms per card.
The UI-thread garbage collector's runs are timed as well, and the report says when in the
span the worst lateness ended: the stall watch cannot see a stall during which the UI
thread holds the GIL (a full collection, say), as its own thread cannot run either.

Stalls. In both modes a ``StallWatch`` (threshold 30 ms, heartbeat 10 ms) logs the UI
thread's stack during every stall; the report groups them by the innermost frame in
``nanobanana_desktop`` (and the innermost frame of all), with each stall's whole length
taken from the probe. For each stall the benchmark also notes what the UI thread was doing
just then, from /proc's schedstat (running; waiting for a CPU, i.e. the cores were taken;
blocked, e.g. on the GIL), and which other threads were running Python code.

The machines are shared, 2 cores: the report gives each run's CPU seconds (the app, its UI
thread, the sandbox, every other process) and the UI thread's time spent waiting for a CPU.
Before each run the driver waits for an idle machine (``--wait-quiet``), and a run during
which other processes took more than ``--max-other-cpu`` CPU seconds is measured again, up
to ``--retries`` times; of those attempts, the one the rest of the machine took the least
CPU from stands (all are printed).
The sandbox runs at nice 10 by default (``--sandbox-nice``): it stands in for a remote
server, whose renders would not take this machine's CPU.

PySide6 6.12's abi3 build returns None from void methods without a new reference (it takes
None to be immortal, as it is from Python 3.12). On Python 3.11 each such call takes a
reference from None and the process dies ("Fatal Python error: none_dealloc") after some
20,000 calls: within a run. On such a Python the children give None 2**40 references first
(``guard_none``), and the report says so; ``--no-none-guard`` shows the crash.

``--cprofile-dir DIR`` profiles each run's UI thread (cProfile) over the measured span.
``--hog`` runs a busy loop (nice 0) beside each run, one core of competition; its CPU time
is reported apart. ``--also EXPERIMENT`` adds modes that take turns with the others
(``before``: without the fixes of the latency pass that added it; ``process``: the
download check in worker processes; ``nice0``: worker threads not niced; joined by "+");
``--no-baseline`` skips the baseline when comparing those. Robustness is reported too:
both goals met in how many runs, and the worst maximum over all runs. To see *why* a run
was late, benchmarks/stall_causes.py runs one child under ``perf``.
``--quick``: 12 tasks, one run per mode, no waiting for a quiet machine (about 40 s).
``--platform`` defaults to xcb when a display is set (the runner starts Xvfb: see
``NEEDS_DISPLAY``), offscreen otherwise.

    python benchmarks/ui_latency.py [--tasks 50] [--runs 3] [--platform offscreen|xcb]
                                    [--view follow|tall] [--quick] [--json out.json]
    xvfb-run -a -s "-screen 0 1400x900x24" python benchmarks/ui_latency.py
    xvfb-run -a -s "-screen 0 1400x4400x24" python benchmarks/ui_latency.py --view tall
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import cProfile
import functools
import gc
import itertools
import json
import logging
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

NEEDS_DISPLAY = True  # measured in a real window (Xvfb); the runner starts one
HERE = Path(__file__).resolve()
PROBE_MS = 5
GOAL_P99_MS = 16.0
GOAL_MAX_MS = 50.0
STALL_THRESHOLD = 0.03  # seconds
STALL_BEAT = 0.01  # the watch's heartbeat: well under the threshold, or every beat is a stall
MODEL = "google/nano-banana-pro"  # takes image_size: 2K at 1:1 is 2048×2048
ASPECT = "1:1"
SIZE = "2K"
VARIATIONS = 4
MODES = ("shipped", "baseline")
# Experiments (--also, taking turns with the other modes), one word or several joined by
# "+": before, the app without this latency pass's fixes (undo_latency_fixes); process,
# the download check in worker processes (verify_in_processes); nice0, the
# worker threads at the UI thread's nice value.
BEFORE = "before"
PROCESS = "process"
NICE0 = "nice0"
EXTRA_FEATURES = (BEFORE, PROCESS, NICE0)


def mode_features(mode: str) -> set[str]:
    """The words of a mode ("shipped", "baseline", or experiments joined by "+")."""
    features = set(mode.split("+"))
    unknown = features - {*MODES, *EXTRA_FEATURES}
    if unknown or not mode:
        raise argparse.ArgumentTypeError(f"unknown mode {mode!r}")
    return features


def checked_mode(mode: str) -> str:
    """``mode`` if it is one (argparse's ``type``)."""
    mode_features(mode)
    return mode


# Short sandbox timings, so that 50 tasks pressed over 12 s are all saved within ~20-30 s.
SANDBOX_TIMING = {
    "--not-found": 0.5,
    "--pending": 0.3,
    "--submitted": 0.3,
    "--running": 1.5,
    "--running-spread": 3.0,
}
PROBLEM = re.compile(r"Traceback|Exception ignored|\bCRITICAL\b|\bFatal\b|QFATAL")
RESULT_PREFIX = "UI_LATENCY "


# ------------------------------------------------------------------ figures


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


@dataclass
class StallSite:
    where: str  # innermost nanobanana_desktop frame
    innermost: str  # innermost frame of all
    count: int = 0
    total_ms: float = 0.0
    worst_ms: float = 0.0


@dataclass
class RunResult:
    mode: str
    platform: str
    view: str
    tasks: int
    saved: int
    failed: int
    thumbnails: int  # thumbnails loaded (ready) during the span
    thumbnails_waited: int  # of rows visible at the end, which the span waited for
    visible_rows: int
    window: tuple[int, int]
    duration_s: float
    ticks: int
    expected_ticks: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    over_16_ms: int
    over_50_ms: int
    stalls: list[StallSite] = field(default_factory=list)
    stall_count: int = 0
    others: list[tuple[str, int]] = field(default_factory=list)  # busy threads during stalls
    cpu_s: float = 0.0  # the app process's CPU time over the span, all threads
    ui_cpu_s: float = 0.0  # the UI thread's own
    ui_runqueue_s: float = 0.0  # time the UI thread was ready to run but had no CPU
    ui_states: dict[str, int] = field(default_factory=dict)  # stalls by ui_thread_state
    sandbox_cpu_s: float = 0.0  # the sandbox process's, over the same span
    other_cpu_s: float = 0.0  # every other process's on the machine (shared machines)
    hog_cpu_s: float = 0.0  # --hog: the busy loop's, not counted in other_cpu_s
    timed_out: bool = False
    refollowed: int = 0  # follow view: rows scrolled to again (not painted the first time)
    none_leak: int = 0  # references to None each void Qt call drops (see none_leak_per_call)
    # The list's own work over the span (see ListMeter).
    list_paints: int = 0  # paint events of the list's viewport
    cards_painted: int = 0  # the delegate's paint() calls
    cards_drawn: int = -1  # of those, cards drawn afresh rather than from the card cache
    card_paint_ms: float = 0.0  # mean time of one paint() call
    frame_paint_p99_ms: float = 0.0  # the cards' paint time within one paint event
    frame_paint_max_ms: float = 0.0
    # After the span, the whole list repainted: ms per card, card cache warm / emptied.
    repaint_cached_ms: float = float("nan")
    repaint_fresh_ms: float = float("nan")
    # The collector's runs over the span (MainThreadCollector, on the UI thread).
    gc_runs: dict[str, int] = field(default_factory=dict)  # by generation
    gc_max_ms: dict[str, float] = field(default_factory=dict)
    worst_at_s: float = float("nan")  # when, into the span, the worst lateness ended


# ------------------------------------------------------------------ the machine's CPU


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat; (0, 0) elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0, 0
    values = [int(v) for v in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def busy_cores(before: tuple[int, int], after: tuple[int, int]) -> float:
    """How many CPUs were busy on average between two readings of machine_jiffies."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total * (os.cpu_count() or 1) if total > 0 else 0.0


def process_cpu(pid: int) -> float:
    """A process's CPU seconds so far (user + system), from /proc; 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(limit: float, threshold: float = 0.3) -> float:
    """Wait (up to ``limit`` s) for a second in which under ``threshold`` CPUs are busy.

    The machines are shared: a run measured while other work holds a core says more about
    that work than about the app. Returns the busy cores of the last second looked at.
    """
    deadline = time.monotonic() + limit
    while True:
        before = machine_jiffies()
        time.sleep(1.0)
        busy = busy_cores(before, machine_jiffies())
        if busy < threshold or time.monotonic() >= deadline:
            return busy


# ------------------------------------------------------------------ the child: one run


def _frame_text(line: str) -> str:
    """``File ".../x.py", line 12, in f`` as ``x.py:12 f``, relative to the package."""
    match = re.match(r'\s*File "([^"]+)", line (\d+), in (.+)', line)
    if not match:
        return line.strip()
    path, lineno, func = match.groups()
    if "nanobanana_desktop" in path:
        path = "nanobanana_desktop" + path.split("nanobanana_desktop", 1)[1]
    elif "site-packages" in path:
        path = path.split("site-packages/", 1)[1]
    else:
        path = Path(path).name
    return f"{path}:{lineno} {func.strip()}"


def attribute(stack: str) -> tuple[str, str]:
    """(innermost nanobanana_desktop frame, innermost frame) of a formatted stack."""
    frames = [line for line in stack.splitlines() if line.lstrip().startswith('File "')]
    if not frames:
        return "(no Python frame)", "(no Python frame)"
    innermost = _frame_text(frames[-1])
    for line in reversed(frames):
        if "nanobanana_desktop" in line:
            return _frame_text(line), innermost
    return "(outside nanobanana_desktop: Qt or the loop itself)", innermost


# Where an idle worker thread waits: not a candidate for holding the GIL.
_IDLE = re.compile(
    r"threading\.py:\d+ wait|queue\.py:\d+ get|thread\.py:\d+ _worker|selectors\.py:\d+ select"
    r"|stall_watch\.py:\d+ _watch"
)


def busy_threads() -> list[str]:
    """The innermost frame of each other thread that is running Python code right now."""
    names = {t.ident: t.name for t in threading.enumerate()}
    ui = threading.main_thread().ident
    here = threading.get_ident()
    busy = []
    for ident, frame in sys._current_frames().items():
        if ident in (ui, here):
            continue
        code = frame.f_code
        where = _frame_text(f'File "{code.co_filename}", line {frame.f_lineno}, in {code.co_name}')
        if not _IDLE.search(where):
            name = re.sub(r"_\d+$", "", names.get(ident, "?"))
            busy.append(f"{name}: {where}")
    return busy


def thread_schedstat(native_id: int) -> tuple[int, int]:
    """(ns on a CPU, ns waiting for one) of a thread of this process; (0, 0) without /proc."""
    try:
        fields = Path(f"/proc/self/task/{native_id}/schedstat").read_text().split()
    except OSError:
        return 0, 0
    return int(fields[0]), int(fields[1])


def ui_thread_state(native_id: int, window: float = 0.004) -> str:
    """What the UI thread does over the next few ms: "running" Python or Qt code, "waiting
    for a CPU" (the machine's cores are taken), or "blocked" (the GIL, a lock, I/O)."""
    ran0, waited0 = thread_schedstat(native_id)
    time.sleep(window)
    ran1, waited1 = thread_schedstat(native_id)
    ran, waited = (ran1 - ran0) / 1e9, (waited1 - waited0) / 1e9
    if ran == 0 and waited == 0 and ran0 == 0:
        return "unknown"
    blocked = max(0.0, window - ran - waited)
    return max(
        (("running", ran), ("waiting for a CPU", waited), ("blocked (GIL, lock)", blocked)),
        key=lambda pair: pair[1],
    )[0]


@dataclass
class SeenStall:
    at: float  # perf_counter when the watch noticed it
    away_ms: float  # how old it was then
    stack: str  # the UI thread's
    others: list[str]  # other threads running Python then
    state: str  # see ui_thread_state


class StallLog(logging.Handler):
    """Every stall StallWatch logs (it keeps only its last 20 in memory), what the other
    threads were doing then, and whether the UI thread was running at all."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.stalls: list[SeenStall] = []
        self.ui_native_id = threading.main_thread().native_id or 0

    def emit(self, record: logging.LogRecord) -> None:
        # Runs on the watch's thread, as it notices the stall: the UI thread is still away.
        args = record.args
        if isinstance(args, tuple) and len(args) == 2:
            away_ms, stack = args  # the watch logs milliseconds
            assert isinstance(away_ms, float)
            at = time.perf_counter()
            others = busy_threads()
            state = ui_thread_state(self.ui_native_id)
            self.stalls.append(SeenStall(at, away_ms, str(stack), others, state))

    def between(self, start: float, end: float) -> list[SeenStall]:
        return [stall for stall in self.stalls if start <= stall.at <= end]

    def measured(self, ticks: list[float], start: float, end: float) -> list[tuple[float, str]]:
        """(the whole stall's length by the probe, stack) for each stall in [start, end].

        The watch sees a stall once it is 30 ms old; the probe's gap around that moment
        says how long it lasted in all.
        """
        out = []
        for stall in self.between(start, end):
            # Halfway between the UI thread's last heartbeat and the watch noticing: inside
            # the stall, even if it has ended by the time this handler runs.
            within = stall.at - stall.away_ms / 2000
            after = bisect.bisect_left(ticks, within)
            if 0 < after < len(ticks):
                out.append(((ticks[after] - ticks[after - 1]) * 1000 - PROBE_MS, stall.stack))
            else:
                out.append((stall.away_ms, stall.stack))
        return out


def summarise_stalls(stalls: list[tuple[float, str]]) -> list[StallSite]:
    sites: dict[tuple[str, str], StallSite] = {}
    for ms, stack in stalls:
        where, innermost = attribute(stack)
        site = sites.setdefault((where, innermost), StallSite(where, innermost))
        site.count += 1
        site.total_ms += ms
        site.worst_ms = max(site.worst_ms, ms)
    return sorted(sites.values(), key=lambda s: (-s.total_ms, -s.count))


def renice_process(pid: int, nice: int) -> None:
    """Lower every thread of a process (on Linux a nice value is per thread)."""
    try:
        tids = [int(task.name) for task in Path(f"/proc/{pid}/task").iterdir()]
    except OSError:
        tids = [pid]
    for tid in tids:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, tid, nice)


async def _on_ui_thread(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """The baseline's stand-in for ``run_blocking``: the call, on the loop's own thread."""
    return fn(*args, **kwargs)


def undo_latency_fixes() -> None:
    """Mode "before": the app as it was before the latency pass that added ``--also-before``.

    Qt's paint thread pool stays on (``child_main`` does not call ``app.configure_qt``),
    start-up's objects are not frozen (``run_child``), and the notifier asks Qt whether
    there is a tray at every notification, as it did.
    """
    from nanobanana_desktop.ui.notifications import TaskNotifier

    def ask_every_time(self: TaskNotifier) -> bool:
        return bool(self.tray_available())

    TaskNotifier.has_tray = ask_every_time  # type: ignore[method-assign]


def verify_in_processes() -> ProcessPoolExecutor:
    """Mode "process": ``downloads.stage_image`` checks each download (decodes it, checks
    its size, makes its thumbnails) in worker processes at nice 10 (forkserver, started
    before the span) rather than in a thread of the default executor, by routing that one
    ``asyncio.to_thread`` call. A process has a GIL of its own: the experiment asks
    whether the decode's GIL hand-offs are what keeps the UI thread waiting under load."""
    import multiprocessing
    import types

    from nanobanana_desktop.engine import downloads

    pool = ProcessPoolExecutor(
        2, mp_context=multiprocessing.get_context("forkserver"), initializer=os.nice, initargs=(10,)
    )
    for started in [pool.submit(os.getpid) for _ in range(2)]:
        started.result()

    async def to_thread(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        if fn is downloads._verify:
            return await loop.run_in_executor(pool, functools.partial(fn, *args, **kwargs))
        return await asyncio.to_thread(fn, *args, **kwargs)

    routed = types.SimpleNamespace(**vars(asyncio))
    routed.to_thread = to_thread
    downloads.asyncio = routed  # type: ignore[assignment]
    return pool


def use_ui_thread_thumbnails() -> None:
    """Baseline: the task list's thumbnails are made on the UI thread.

    ``ui.thumbnail_images`` calls ``run_blocking`` in one place only,
    ``ThumbnailImages._load``; the module-level name is replaced, nothing else. (The
    engine's own thumbnails are turned off once it exists: see run_child.) The preview the
    engine embeds in each file is ignored too: a client without one decodes the whole
    2048×2048 PNG, which is the work this baseline stands for.
    """
    from nanobanana_desktop.engine.thumbnails import ThumbnailCache
    from nanobanana_desktop.ui import thumbnail_images

    thumbnail_images.run_blocking = _on_ui_thread  # type: ignore[assignment]
    ThumbnailCache._from_preview = lambda self, source, size: None  # type: ignore[method-assign]


class ListMeter:
    """Times every paint of a card (the delegate's ``paint``, wrapped on the instance, which
    the view calls through Python) and counts the list's paint events (an event filter on
    its viewport), so each frame's painting time is known."""

    def __init__(self, view: Any) -> None:
        from PySide6.QtCore import QEvent, QObject

        self.view = view
        self.delegate = view.itemDelegate()
        self.card_times: list[float] = []
        self.frames: list[float] = []  # the cards' paint time per paint event
        self.recording = False
        self._paint = self.delegate.paint
        meter = self

        def paint(painter: Any, option: Any, index: Any) -> None:
            started = time.perf_counter()
            meter._paint(painter, option, index)
            if meter.recording:
                took = time.perf_counter() - started
                meter.card_times.append(took)
                if meter.frames:
                    meter.frames[-1] += took

        self.delegate.paint = paint

        class PaintEvents(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
                if event.type() == QEvent.Type.Paint and meter.recording:
                    meter.frames.append(0.0)
                return False

        self._filter = PaintEvents()
        view.viewport().installEventFilter(self._filter)

    def drawn(self) -> int:
        """Cards drawn afresh so far; -1 for a delegate without a card cache."""
        cards = getattr(self.delegate, "cards", None)
        return int(cards.drawn) if cards is not None else -1

    def repaint_per_card(self, *, fresh: bool, rounds: int = 20) -> float:
        """The median time of a whole repaint of the list, in ms per card painted; with
        ``fresh``, the card cache is emptied before every card (each is drawn afresh)."""
        cards = getattr(self.delegate, "cards", None)
        if fresh and cards is None:
            return float("nan")
        viewport = self.view.viewport()
        inner = self._paint

        def emptying(painter: Any, option: Any, index: Any) -> None:
            cards.clear()
            inner(painter, option, index)

        if fresh:
            self._paint = emptying
        try:
            times = []
            for _ in range(rounds):
                before = len(self.card_times)
                self.recording = True
                started = time.perf_counter()
                viewport.repaint()
                took = time.perf_counter() - started
                self.recording = False
                painted = len(self.card_times) - before
                if painted:
                    times.append(took * 1000 / painted)
        finally:
            self._paint = inner
            self.recording = False
        return statistics.median(times) if times else float("nan")


async def run_child(args: argparse.Namespace) -> RunResult:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from sandbox_process import free_port, start_sandbox

    from nanobanana_desktop import blocking
    from nanobanana_desktop.blocking import worker_pool
    from nanobanana_desktop.engine.records import ImageRecord
    from nanobanana_desktop.session import Session, SessionOptions
    from nanobanana_desktop.ui.gc_guard import MainThreadCollector
    from nanobanana_desktop.ui.main_window import MainWindow
    from nanobanana_desktop.ui.stall_watch import StallWatch
    from nanobanana_desktop.ui.task_delegate import ROW_HEIGHT
    from nanobanana_desktop.ui.task_model import MAX_THUMBNAILS, TaskFilter

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    loop = asyncio.get_running_loop()
    # As app.py: the app's worker pool (nice +10), not qasync's QThreadExecutor.
    loop.set_default_executor(worker_pool(6, "nanobanana-worker"))
    features = mode_features(args.mode)
    if "baseline" in features:
        use_ui_thread_thumbnails()
    if BEFORE in features:
        undo_latency_fixes()
    if NICE0 in features:
        blocking.WORKER_NICENESS = 0  # read by each worker thread as it starts
    processes = verify_in_processes() if PROCESS in features else None

    port = free_port()
    timing = [f"{k}={v}" for k, v in SANDBOX_TIMING.items()]
    sandbox = start_sandbox(port, *timing, "--seed", str(args.seed))
    if args.sandbox_nice:
        renice_process(sandbox.pid, args.sandbox_nice)
    stall_log = StallLog()
    logging.getLogger("nanobanana_desktop.ui.stall_watch").addHandler(stall_log)
    collector = MainThreadCollector(parent=app)
    gc_times: list[tuple[float, int, float]] = []  # (when, generation, seconds)
    collect_due = collector.collect_due

    def timed_collect() -> int:
        # The StallWatch cannot see these: the collector holds the GIL all along.
        counts = gc.get_count()
        started = time.perf_counter()
        freed = collect_due()
        took = time.perf_counter() - started
        if took > 0.0005:
            generation = next((g for g in (2, 1, 0) if counts[g] > gc.get_threshold()[g]), -1)
            gc_times.append((started, generation, took))
        return freed

    # Connected by the collector's own timer to the bound method; replaced on the instance.
    collector._timer.timeout.disconnect()
    collector._timer.timeout.connect(timed_collect)
    watch = StallWatch(threshold=STALL_THRESHOLD, beat=STALL_BEAT, parent=app)
    tmp = tempfile.TemporaryDirectory(prefix="nanobanana-ui-latency-")
    window: MainWindow | None = None
    session: Session | None = None
    try:
        window = MainWindow(mode="api", mode_label="127.0.0.1")
        window.show()
        await window.painted.wait()
        session = await Session.open(
            SessionOptions(
                base_url=f"http://127.0.0.1:{port}",
                profile=str(Path(tmp.name) / "profile"),
                library=str(Path(tmp.name) / "library"),
            )
        )
        assert session.engine is not None, session.key_problem
        if "baseline" in features:
            # No thumbnails made at download: the list makes each from the saved file.
            session.engine.thumbnails = None
        await session.engine.start()
        window.attach_session(session)
        window.start()
        if BEFORE not in features:
            collector.freeze()  # as app.py does once the window has started
        await asyncio.wait_for(window.tasks_loaded.wait(), 30)
        panel = window.task_panel
        panel.set_filter(TaskFilter.ALL)
        view = panel.view
        meter = ListMeter(view)

        # follow: the app's own window size (or --height); tall: every row on screen at once.
        await asyncio.sleep(0.2)  # layouts settle
        if args.view == "tall":
            missing = args.tasks * ROW_HEIGHT + 8 - view.viewport().height()
            if missing > 0:
                window.resize(window.width(), window.height() + missing)
        elif args.height:
            window.resize(window.width(), args.height)
        await asyncio.sleep(0.3)
        window.repaint()

        composer = window.composer
        composer.model.setCurrentText(MODEL)
        composer.aspect_ratio.setCurrentText(ASPECT)
        composer.image_size.setCurrentText(SIZE)
        assert composer.request().image_size == SIZE, "the composer would not send 2K"

        bridge = window.bridge
        thumbnails = window.thumbnails
        assert bridge is not None
        saved_paths: set[str] = set()
        ready_paths: set[str] = set()
        ready_events: dict[str, asyncio.Event] = {}
        to_follow: asyncio.Queue[tuple[int, str]] = asyncio.Queue()  # (local task id, path)
        done = asyncio.Event()
        state = {"submitted": 0, "refollowed": 0}
        owners: dict[str, int] = {}  # saved path -> its task's local id
        refollowed: dict[str, float] = {}  # path -> when it was last queued again

        def visible_paths() -> tuple[set[str], int]:
            rect = view.viewport().rect()
            wanted: set[str] = set()
            rows = 0
            for row in range(panel.proxy.rowCount()):
                index = panel.proxy.index(row, 0)
                if not view.visualRect(index).intersects(rect):
                    continue
                rows += 1
                task = panel.model.task_at(panel.proxy.mapToSource(index).row())
                wanted.update(panel.model.image_paths(task.id)[:MAX_THUMBNAILS])
            return wanted, rows

        def check(*_: object) -> None:
            if done.is_set() or state["submitted"] < args.tasks:
                return
            tasks = panel.model.tasks()
            if len(tasks) < args.tasks or not all(t.state.is_final for t in tasks):
                return
            succeeded = sum(1 for t in tasks if t.state.name == "SUCCEEDED")
            if len(saved_paths) < succeeded:
                return
            wanted, _rows = visible_paths()
            if args.view == "follow":
                if not to_follow.empty() or following:
                    return
                wanted |= saved_paths  # each was scrolled into view
                # A row scrolled past before it was painted is looked at again.
                now = time.monotonic()
                for path in saved_paths - ready_paths:
                    if now - refollowed.get(path, 0.0) > 2.0:
                        refollowed[path] = now
                        state["refollowed"] += 1
                        to_follow.put_nowait((owners[path], path))
            if wanted <= ready_paths:
                done.set()

        def image_saved(image: ImageRecord, path: str) -> None:
            saved_paths.add(path)
            owners[path] = image.task
            if args.view == "follow":
                to_follow.put_nowait((image.task, path))
            check()

        def thumbnail_ready(path: str) -> None:
            ready_paths.add(path)
            ready_events.setdefault(path, asyncio.Event()).set()
            check()

        following: set[str] = set()

        async def follow() -> None:
            """A user looking at each new result: scroll to its row, until its thumbnail shows.

            ``scrollTo`` (EnsureVisible) moves the list only when the row is out of sight.
            """
            while True:
                local_id, path = await to_follow.get()
                following.add(path)
                try:
                    row = panel.model.row_of(local_id)
                    if row is not None:
                        view.scrollTo(panel.proxy.mapFromSource(panel.model.index(row)))
                        with contextlib.suppress(TimeoutError):
                            ready = ready_events.setdefault(path, asyncio.Event())
                            await asyncio.wait_for(ready.wait(), 5.0)
                finally:
                    following.discard(path)
                    check()

        bridge.image_saved.connect(image_saved)
        bridge.task_changed.connect(check)
        thumbnails.ready.connect(thumbnail_ready)

        # The probe.
        ticks: list[float] = []
        probe = QTimer()
        probe.setTimerType(Qt.TimerType.PreciseTimer)
        probe.setInterval(PROBE_MS)
        probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
        watch.start()
        probe.start()
        _threads_at_start.update(
            {str(t.native_id): t.name for t in threading.enumerate() if t.native_id}
        )
        await asyncio.sleep(0.5)  # the probe's own warm-up, not measured

        follower = asyncio.get_running_loop().create_task(follow())
        profiler = cProfile.Profile() if args.cprofile else None
        presses = math.ceil(args.tasks / VARIATIONS)
        started = time.perf_counter()
        cpu_started = time.process_time()
        sandbox_started = process_cpu(sandbox.pid)
        hog_started = process_cpu(args.hog_pid) if args.hog_pid else 0.0
        ui_before = thread_schedstat(stall_log.ui_native_id)
        machine_started = machine_jiffies()
        drawn_before = meter.drawn()
        meter.recording = True
        if profiler is not None:
            profiler.enable()
        for press in range(presses):
            count = min(VARIATIONS, args.tasks - state["submitted"])
            composer.variations.setValue(count)
            composer.prompt.setPlainText(
                f"press {press + 1}: a lemon on a marble table, studio light, soft shadows"
            )
            # Ctrl+Enter in the prompt, as the user presses it.
            QTest.keyClick(composer.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            state["submitted"] += count
            if press + 1 < presses:
                await asyncio.sleep(args.press_interval)
        timed_out = False
        safety = asyncio.get_running_loop().create_task(_keep_checking(check, done))
        try:
            await asyncio.wait_for(done.wait(), args.timeout)
        except TimeoutError:
            timed_out = True
        finally:
            safety.cancel()
            follower.cancel()
        ended = time.perf_counter()
        meter.recording = False
        drawn = meter.drawn() - drawn_before if drawn_before >= 0 else -1
        cpu = time.process_time() - cpu_started
        sandbox_cpu = process_cpu(sandbox.pid) - sandbox_started
        hog_cpu = process_cpu(args.hog_pid) - hog_started if args.hog_pid else 0.0
        ui_after = thread_schedstat(stall_log.ui_native_id)
        machine = busy_cores(machine_started, machine_jiffies())
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.cprofile)
        probe.stop()
        watch.stop()
        # Every card final and every thumbnail in: the same list, repainted whole.
        card_times = list(meter.card_times)
        frames = list(meter.frames)
        cached = meter.repaint_per_card(fresh=False)
        fresh = meter.repaint_per_card(fresh=True)

        span = [t for t in ticks if started <= t <= ended]
        late = [(b - a) * 1000 - PROBE_MS for a, b in itertools.pairwise(span)]
        # The gap from the first press to the first tick counts too.
        if span:
            late.insert(0, (span[0] - started) * 1000 - PROBE_MS)
        worst = max(range(len(late)), key=late.__getitem__, default=0)
        collections = [(g, took) for at, g, took in gc_times if started <= at <= ended]
        if args.trace:
            write_trace(Path(args.trace), ticks, started, ended, gc_times)
        tasks = panel.model.tasks()
        wanted, rows = visible_paths()
        stalls = stall_log.measured(ticks, started, ended)
        return RunResult(
            mode=args.mode,
            platform=app.platformName(),
            view=args.view,
            refollowed=state["refollowed"],
            tasks=len(tasks),
            saved=len(saved_paths),
            failed=sum(1 for t in tasks if t.state.name != "SUCCEEDED"),
            thumbnails=len(ready_paths),
            thumbnails_waited=len(wanted),
            visible_rows=rows,
            window=(window.width(), window.height()),
            duration_s=ended - started,
            ticks=len(span),
            expected_ticks=int((ended - started) * 1000 / PROBE_MS),
            p50_ms=percentile(late, 50),
            p90_ms=percentile(late, 90),
            p99_ms=percentile(late, 99),
            max_ms=max(late, default=float("nan")),
            over_16_ms=sum(1 for x in late if x > 16),
            over_50_ms=sum(1 for x in late if x > 50),
            stalls=summarise_stalls(stalls)[:10],
            stall_count=len(stalls),
            others=Counter(
                o for stall in stall_log.between(started, ended) for o in stall.others
            ).most_common(8),
            ui_states=dict(Counter(stall.state for stall in stall_log.between(started, ended))),
            ui_cpu_s=(ui_after[0] - ui_before[0]) / 1e9,
            ui_runqueue_s=(ui_after[1] - ui_before[1]) / 1e9,
            cpu_s=cpu,
            sandbox_cpu_s=sandbox_cpu,
            other_cpu_s=max(0.0, machine * (ended - started) - cpu - sandbox_cpu - hog_cpu),
            hog_cpu_s=hog_cpu,
            timed_out=timed_out,
            list_paints=len(frames),
            cards_painted=len(card_times),
            cards_drawn=drawn,
            card_paint_ms=statistics.fmean(card_times) * 1000 if card_times else 0.0,
            frame_paint_p99_ms=percentile(frames, 99) * 1000 if frames else 0.0,
            frame_paint_max_ms=max(frames, default=0.0) * 1000,
            repaint_cached_ms=cached,
            repaint_fresh_ms=fresh,
            gc_runs=dict(Counter(str(g) for g, _took in collections)),
            gc_max_ms={
                str(g): max(took for gen, took in collections if gen == g) * 1000
                for g in {g for g, _took in collections}
            },
            worst_at_s=(span[worst] - started) if span else float("nan"),
        )
    finally:
        watch.stop()
        if window is not None:
            window.hide()
            if window.session is not None:
                await window.stop()
        if session is not None:
            await session.close()
        collector.stop()
        if processes is not None:
            processes.shutdown()
        sandbox.terminate()
        sandbox.wait(10)
        tmp.cleanup()


_threads_at_start: dict[str, str] = {}


def write_trace(
    path: Path,
    ticks: list[float],
    started: float,
    ended: float,
    gc_times: list[tuple[float, int, float]],
) -> None:
    """The probe's ticks and this process's threads, for benchmarks/stall_causes.py.

    ``time.perf_counter`` is CLOCK_MONOTONIC on Linux, the clock ``perf record -k
    CLOCK_MONOTONIC`` stamps its events with, so the two line up.
    """
    threads = {str(t.native_id): t.name for t in threading.enumerate() if t.native_id}
    threads.update(_threads_at_start)
    data = {
        "pid": os.getpid(),
        "ui": threading.main_thread().native_id,
        "threads": threads,
        "started": started,
        "ended": ended,
        "ticks": ticks,
        "probe_ms": PROBE_MS,
        "gc": gc_times,
    }
    path.write_text(json.dumps(data), encoding="utf-8")


async def _keep_checking(check: Callable[[], None], done: asyncio.Event) -> None:
    """A slow safety net under the signal-driven check (a row can become visible late)."""
    while not done.is_set():
        await asyncio.sleep(0.25)
        check()


def none_leak_per_call() -> int:
    """How many references to None one void Qt call drops (0 when Qt's bindings are sound).

    PySide6 6.12's abi3 build returns None from void methods without a new reference, as
    if None were immortal; it is only from Python 3.12 on (PEP 683). On 3.11 every such call
    takes one reference from None, and the process dies ("Fatal Python error: none_dealloc")
    once a few thousand calls have drained it: within seconds of the task list repainting.
    """
    from PySide6.QtCore import QObject

    probe = QObject()
    calls = 1000
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    return round((before - sys.getrefcount(None)) / calls)


def guard_none() -> None:
    """Give None references enough for any run, as Python 3.12's immortal None has."""
    import ctypes

    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40


def child_main(args: argparse.Namespace) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from nanobanana_desktop.app import configure_qt

    leak = none_leak_per_call()
    if leak and not args.no_none_guard:
        guard_none()
    if BEFORE in mode_features(args.mode):
        os.environ.pop("QT_NO_GUI_THREADPOOL", None)
    else:
        configure_qt()  # as app.py, before the QApplication
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Nano Banana Desktop (ui_latency)")
    result: RunResult = qasync.run(run_child(args))
    result.none_leak = leak
    print(RESULT_PREFIX + json.dumps(asdict(result)), flush=True)
    return 0


# ------------------------------------------------------------------ the driver


def child_env(platform: str) -> dict[str, str]:
    from nanobanana_desktop.sandbox import SANDBOX_KEY

    env = dict(os.environ)
    for name in ("NANOBANANA_PROFILE", "NANOBANANA_LIBRARY"):
        env.pop(name, None)
    env["NANOBANANA_API_KEY"] = SANDBOX_KEY
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["QT_QPA_PLATFORM"] = platform
    env["PYTHONUNBUFFERED"] = "1"
    return env


def child_command(
    mode: str,
    args: argparse.Namespace,
    cprofile: Path | None = None,
    trace: Path | None = None,
    hog: int = 0,
) -> list[str]:
    """The command line of one run of ``mode`` in a fresh interpreter."""
    command = [
        sys.executable,
        str(HERE),
        "--mode",
        mode,
        "--tasks",
        str(args.tasks),
        "--press-interval",
        str(args.press_interval),
        "--timeout",
        str(args.timeout),
        "--seed",
        str(args.seed),
    ]
    command += ["--view", args.view, "--sandbox-nice", str(args.sandbox_nice)]
    if args.height:
        command += ["--height", str(args.height)]
    if cprofile is not None:
        command += ["--cprofile", str(cprofile)]
    if trace is not None:
        command += ["--trace", str(trace)]
    if hog:
        command += ["--hog-pid", str(hog)]
    if args.no_none_guard:
        command.append("--no-none-guard")
    return command


def start_hog() -> subprocess.Popen[bytes]:
    """One core of competition: a busy loop at the driver's nice value (0, as a user's)."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def run_once(mode: str, args: argparse.Namespace, cprofile: Path | None) -> RunResult:
    hog = start_hog() if args.hog else None
    try:
        return _run_once(mode, args, cprofile, hog.pid if hog is not None else 0)
    finally:
        if hog is not None:
            hog.kill()
            hog.wait()


def _run_once(mode: str, args: argparse.Namespace, cprofile: Path | None, hog: int) -> RunResult:
    proc = subprocess.Popen(
        child_command(mode, args, cprofile, hog=hog),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(args.platform),
        start_new_session=True,  # its own process group (with its sandbox), to kill if hung
    )
    limit = args.timeout + 90
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise SystemExit(f"{mode}: no result within {limit:g} s; killed.\n{err[-4000:]}") from None
    # The child's sandbox is in its process group: it goes too, had the child crashed.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    return child_result(mode, proc.returncode, out, err)


def child_result(mode: str, returncode: int, out: str, err: str) -> RunResult:
    """The RunResult a child printed; SystemExit with its output if it failed."""
    lines = [line for line in out.splitlines() if line.startswith(RESULT_PREFIX)]
    problems = [line for line in err.splitlines() if PROBLEM.search(line)]
    if returncode != 0 or len(lines) != 1 or problems:
        raise SystemExit(
            f"{mode}: exit code {returncode}, {len(problems)} problem line(s).\n"
            f"{out[-2000:]}\n{err[-6000:]}"
        )
    data: dict[str, Any] = json.loads(lines[0].removeprefix(RESULT_PREFIX))
    data["stalls"] = [StallSite(**site) for site in data["stalls"]]
    data["window"] = tuple(data["window"])
    data["others"] = [tuple(pair) for pair in data["others"]]
    return RunResult(**data)


def print_run(run: int, r: RunResult) -> None:
    flag = "  TIMED OUT" if r.timed_out else ""
    if r.hog_cpu_s:
        flag += f"  (the busy loop: {r.hog_cpu_s:.1f} CPU s)"
    if r.refollowed:
        flag += f"  ({r.refollowed} rows scrolled to again)"
    print(
        f"{run:>3}  {r.mode:<9}{r.p99_ms:>8.1f}{r.max_ms:>9.1f}{r.p50_ms:>8.2f}{r.p90_ms:>8.2f}"
        f"{r.over_16_ms:>7}{r.over_50_ms:>7}{r.ticks:>7}/{r.expected_ticks:<6}"
        f"{r.duration_s:>7.1f} s{r.saved:>6}{r.thumbnails:>7}{r.stall_count:>7}"
        f"{r.cpu_s:>7.1f}{r.sandbox_cpu_s:>7.1f}{r.other_cpu_s:>7.1f}"
        f"{r.ui_cpu_s:>7.1f}{r.ui_runqueue_s:>7.2f}{flag}",
        flush=True,
    )


def merged_sites(results: list[RunResult]) -> list[StallSite]:
    merged: dict[tuple[str, str], StallSite] = {}
    for r in results:
        for s in r.stalls:
            m = merged.setdefault((s.where, s.innermost), StallSite(s.where, s.innermost))
            m.count += s.count
            m.total_ms += s.total_ms
            m.worst_ms = max(m.worst_ms, s.worst_ms)
    return sorted(merged.values(), key=lambda s: (-s.total_ms, -s.count))


def print_sites(label: str, results: list[RunResult], top: int = 3) -> None:
    """The stalls grouped by the innermost nanobanana_desktop frame of the UI thread."""
    stalls = sum(r.stall_count for r in results)
    print(f"\n{label}: {stalls} stalls over {STALL_THRESHOLD * 1000:.0f} ms in {len(results)} runs")
    by_where: dict[str, StallSite] = {}
    inner: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for s in merged_sites(results):
        m = by_where.setdefault(s.where, StallSite(s.where, ""))
        m.count += s.count
        m.total_ms += s.total_ms
        m.worst_ms = max(m.worst_ms, s.worst_ms)
        inner[s.where][s.innermost] += s.count
    for order, key in (
        ("by time lost", lambda s: -s.total_ms),
        ("by worst stall", lambda s: -s.worst_ms),
    ):
        print(f" {order}:")
        for n, site in enumerate(sorted(by_where.values(), key=key)[:top], 1):
            deepest = ", ".join(f"{k} ({v})" for k, v in inner[site.where].most_common(2))
            print(
                f"  {n}. {site.where}: {site.count} stalls, worst {site.worst_ms:.0f} ms, "
                f"{site.total_ms:.0f} ms in all\n     innermost: {deepest}"
            )
    states: Counter[str] = Counter()
    for r in results:
        states.update(r.ui_states)
    if states:
        print(
            " the UI thread during those stalls: "
            + ", ".join(f"{state} {count}" for state, count in states.most_common())
        )
    others: Counter[str] = Counter()
    for r in results:
        others.update(dict(r.others))
    if others:
        print(" other threads running Python at those moments (samples):")
        for where, count in others.most_common(top + 2):
            print(f"     {count:>4}  {where}")


def driver_main(args: argparse.Namespace) -> int:
    if args.platform == "xcb" and not os.environ.get("DISPLAY"):
        raise SystemExit("--platform xcb needs a display: run under xvfb-run -a")
    modes = (MODES if not args.no_baseline else MODES[:1]) + tuple(dict.fromkeys(args.also))
    results: dict[str, list[RunResult]] = {mode: [] for mode in modes}
    discarded = dict.fromkeys(modes, 0)
    print(
        f"{args.tasks} tasks of {MODEL} {ASPECT} {SIZE} (2048×2048 PNG), {VARIATIONS} "
        f"variations per Ctrl+Enter every {args.press_interval:g} s; probe {PROBE_MS} ms; "
        f"platform {args.platform}, view {args.view}, sandbox at nice {args.sandbox_nice}"
        + "; lateness in ms",
        flush=True,
    )
    print(
        f"{'run':>3}  {'mode':<9}{'p99':>8}{'max':>9}{'p50':>8}{'p90':>8}{'>16':>7}{'>50':>7}"
        f"{'ticks/expected':>14}{'span':>9}{'saved':>6}{'thumbs':>7}{'stalls':>7}"
        f"{'cpu s: app':>12}{'sandbox':>8}{'other':>7}{'UI':>7}{'UI wait':>8}",
        flush=True,
    )
    for run in range(1, args.runs + 1):
        order = modes if run % 2 else tuple(reversed(modes))
        for mode in order:
            prof = None
            if args.cprofile_dir is not None:
                args.cprofile_dir.mkdir(parents=True, exist_ok=True)
                prof = args.cprofile_dir / f"{mode}-{run}.prof"
            attempts: list[RunResult] = []
            for attempt in range(args.retries + 1):
                if args.wait_quiet > 0:
                    busy = wait_until_quiet(args.wait_quiet)
                    if busy >= 0.3:
                        print(f"     (other work keeps {busy:.1f} CPUs busy; measuring anyway)")
                result = run_once(mode, args, prof)
                print_run(run, result)
                attempts.append(result)
                loaded = result.other_cpu_s > args.max_other_cpu
                if not (loaded or result.timed_out) or attempt == args.retries:
                    break
                why = (
                    f"other processes took {result.other_cpu_s:.1f} CPU s during it, over "
                    f"--max-other-cpu {args.max_other_cpu:g}"
                    if loaded
                    else "timed out"
                )
                print(f"     (discarded: {why}; again)")
            # Out of tries: the attempt the rest of the machine disturbed least stands.
            kept = min(attempts, key=lambda r: (r.timed_out, r.other_cpu_s))
            if kept is not attempts[-1]:
                print(f"     (kept the attempt with {kept.other_cpu_s:.1f} CPU s of other load)")
            discarded[mode] += len(attempts) - 1
            results[mode].append(kept)

    summary = {mode: summarise(results[mode]) for mode in modes}
    shipped = summary["shipped"]
    met = shipped["p99_ms"] <= GOAL_P99_MS and shipped["max_ms"] <= GOAL_MAX_MS
    meeting = sum(1 for r in results["shipped"] if meets_goal(r))
    first = results["shipped"][0]
    leaks = {r.none_leak for rs in results.values() for r in rs}
    notes: list[str] = []
    if leaks != {0}:
        guarded = "not shielded: expect a crash" if args.no_none_guard else "shielded (guard_none)"
        notes.append(
            f"on Python {sys.version_info.major}.{sys.version_info.minor} this PySide6 "
            f"drops {max(leaks)} reference(s) to None per void Qt call; None was {guarded}"
        )
        print(f"\nnote: {notes[-1]}")
    print_list_work(results)
    print(
        f"\nwindow {first.window[0]}×{first.window[1]}, {first.visible_rows} rows visible; "
        f"medians of {args.runs} runs"
        + (
            f" ({sum(discarded.values())} more discarded for other processes' load)"
            if any(discarded.values())
            else ""
        )
        + ":"
    )
    for mode in modes:
        m = summary[mode]
        print(
            f"  {mode:<9} p99 {m['p99_ms']:6.1f} ms   max {m['max_ms']:6.1f} ms   "
            f"span {m['duration_s']:.1f} s   UI CPU {m['ui_cpu_ms_per_task']:.0f} ms/task   "
            f"other processes {m['other_cpu_s']:.1f} CPU s"
        )
    for other_mode in modes[1:]:
        other = summary[other_mode]
        print(
            f"  {other_mode} / shipped: p99 {other['p99_ms'] / shipped['p99_ms']:.2f}×, "
            f"max {other['max_ms'] / shipped['max_ms']:.2f}×"
        )
    for mode in modes:
        print(
            f"  {mode:<9} both goals met in {sum(1 for r in results[mode] if meets_goal(r))} "
            f"of {len(results[mode])} runs"
        )
    for mode in modes:
        worst = max(r.max_ms for r in results[mode])
        print(f"  {mode:<9} worst max over the runs {worst:6.1f} ms")
    print(
        f"  goal (shipped): p99 <= {GOAL_P99_MS:g} ms and max <= {GOAL_MAX_MS:g} ms: "
        f"{'met' if met else 'NOT met'} on the medians; both met in {meeting} of "
        f"{len(results['shipped'])} runs"
    )
    print(
        f"  a whole repaint of the list (shipped, after the span): "
        f"{shipped['repaint_cached_ms']:.3f} ms per card from the card cache, "
        f"{shipped['repaint_fresh_ms']:.3f} ms per card drawn afresh"
    )
    print_sites("Stalls, shipped", results["shipped"])
    for other_mode in modes[1:]:
        print_sites(f"Stalls, {other_mode}", results[other_mode])
    if args.json:
        write_json(args, results, summary, discarded, notes)
    return 0


def meets_goal(r: RunResult) -> bool:
    return r.p99_ms <= GOAL_P99_MS and r.max_ms <= GOAL_MAX_MS


def summarise(rs: list[RunResult]) -> dict[str, float]:
    """Medians over the runs of one mode."""

    def median(value: Callable[[RunResult], float]) -> float:
        return statistics.median(value(r) for r in rs)

    return {
        "p99_ms": median(lambda r: r.p99_ms),
        "max_ms": median(lambda r: r.max_ms),
        "duration_s": median(lambda r: r.duration_s),
        "other_cpu_s": median(lambda r: r.other_cpu_s),
        "ui_cpu_ms_per_task": median(lambda r: r.ui_cpu_s * 1000 / max(1, r.tasks)),
        "list_paints_per_s": median(lambda r: r.list_paints / r.duration_s),
        "cards_painted_per_s": median(lambda r: r.cards_painted / r.duration_s),
        "cards_drawn_per_s": median(
            lambda r: r.cards_drawn / r.duration_s if r.cards_drawn >= 0 else math.nan
        ),
        "card_paint_ms": median(lambda r: r.card_paint_ms),
        "frame_paint_p99_ms": median(lambda r: r.frame_paint_p99_ms),
        "frame_paint_max_ms": median(lambda r: r.frame_paint_max_ms),
        "repaint_cached_ms": median(lambda r: r.repaint_cached_ms),
        "repaint_fresh_ms": median(lambda r: r.repaint_fresh_ms),
    }


def print_list_work(results: dict[str, list[RunResult]]) -> None:
    print(
        "\nThe list's work over the span (per second: its paint events, cards painted, cards "
        "drawn afresh;\nms: mean paint of a card, the cards' paint time per frame p99 and max, "
        "the UI thread's CPU per task);\nfull garbage collections on the UI thread (how many, "
        "the longest), and when the worst lateness ended (s into the span)"
    )
    print(
        f"{'mode':<10}{'paints/s':>9}{'cards/s':>9}{'drawn/s':>9}{'ms/card':>9}"
        f"{'frame p99':>10}{'max':>7}{'UI ms/task':>12}{'full gc':>9}{'ms':>6}{'worst at':>10}"
    )
    for mode, runs in results.items():
        for r in runs:
            drawn = f"{r.cards_drawn / r.duration_s:9.1f}" if r.cards_drawn >= 0 else f"{'-':>9}"
            print(
                f"{mode:<10}{r.list_paints / r.duration_s:9.1f}"
                f"{r.cards_painted / r.duration_s:9.1f}{drawn}{r.card_paint_ms:9.3f}"
                f"{r.frame_paint_p99_ms:10.1f}{r.frame_paint_max_ms:7.1f}"
                f"{r.ui_cpu_s * 1000 / max(1, r.tasks):12.0f}"
                f"{r.gc_runs.get('2', 0):9d}{r.gc_max_ms.get('2', 0.0):6.0f}"
                f"{r.worst_at_s:9.1f}s"
            )


def write_json(
    args: argparse.Namespace,
    results: dict[str, list[RunResult]],
    summary: dict[str, dict[str, float]],
    discarded: dict[str, int],
    notes: list[str],
) -> None:
    from protocol import Figure, Results, compared, write

    shipped, baseline = summary["shipped"], summary["baseline"]
    first = results["shipped"][0]
    view = f"{args.view} view, {first.visible_rows} cards in sight"
    on_ui = "thumbnails made on the UI thread"
    figures = [
        compared(
            f"{which} event-loop lateness ({view})",
            shipped[f"{which}_ms"],
            "ms",
            baseline[f"{which}_ms"],
            on_ui,
            goal=f"≤ {goal:g} ms",
            met=shipped[f"{which}_ms"] <= goal,
        )
        for which, goal in (("p99", GOAL_P99_MS), ("max", GOAL_MAX_MS))
    ]
    figures += [
        compared(
            "UI-thread CPU per task",
            shipped["ui_cpu_ms_per_task"],
            "ms",
            baseline["ui_cpu_ms_per_task"],
            on_ui,
        ),
        compared(
            "list paint per frame, p99",
            shipped["frame_paint_p99_ms"],
            "ms",
            baseline["frame_paint_p99_ms"],
            on_ui,
        ),
        compared(
            "list paint events",
            shipped["list_paints_per_s"],
            "per s",
            baseline["list_paints_per_s"],
            on_ui,
        ),
        Figure("cards painted", shipped["cards_painted_per_s"], "per s"),
        compared(
            "cards drawn afresh",
            shipped["cards_drawn_per_s"],
            "per s",
            shipped["cards_painted_per_s"],
            "cards painted",
        ),
        compared(
            "whole-list repaint, per card, card cache warm",
            shipped["repaint_cached_ms"],
            "ms",
            shipped["repaint_fresh_ms"],
            "every card drawn afresh",
        ),
    ]
    # Robustness: one bad run in three is hidden by the medians.
    meeting = sum(1 for r in results["shipped"] if meets_goal(r))
    figures += [
        compared(
            "worst max lateness over all runs",
            max(r.max_ms for r in results["shipped"]),
            "ms",
            max(r.max_ms for r in results["baseline"]),
            on_ui,
        ),
        Figure(
            "runs meeting both goals",
            100.0 * meeting / len(results["shipped"]),
            f"% of {len(results['shipped'])}",
        ),
    ]
    # A figure the app cannot give (no card cache to count or empty) is left out.
    figures = [
        f
        for f in figures
        if math.isfinite(f.value) and (f.baseline is None or math.isfinite(f.baseline))
    ]
    others = [r.other_cpu_s for rs in results.values() for r in rs]
    notes = [
        f"{args.tasks} tasks of 2048×2048 PNGs, window {first.window[0]}×{first.window[1]}, "
        f"platform {first.platform}; medians of {args.runs} run(s) per mode",
        f"both goals met in {meeting} of {len(results['shipped'])} shipped run(s)",
        f"other processes took {statistics.median(others):.1f} CPU s per run (median; "
        f"runs over {args.max_other_cpu:g} are measured again, at most {args.retries} times: "
        f"{sum(discarded.values())} discarded)",
        *notes,
    ]
    details = {
        "tasks": args.tasks,
        "runs": args.runs,
        "platform": first.platform,
        "press_interval_s": args.press_interval,
        "discarded_runs": discarded,
        "view": args.view,
        "sandbox_nice": args.sandbox_nice,
        "sandbox": SANDBOX_TIMING,
        "probe_ms": PROBE_MS,
        "summary": summary,
        "runs_detail": {m: [asdict(r) for r in rs] for m, rs in results.items()},
        "stall_sites": {
            m: [asdict(site) for site in merged_sites(rs)] for m, rs in results.items()
        },
    }
    title = "UI latency under load: 50 tasks of 2048×2048 PNGs in the real window"
    write(args.json, Results("ui_latency", title, args.quick, figures, notes), _finite(details))


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as None: the JSON is strict."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def main() -> int:
    sys.path.insert(0, str(HERE.parent))  # protocol, sandbox_process
    from protocol import add_arguments

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="runs per mode (default 3)")
    parser.add_argument(
        "--platform",
        choices=("offscreen", "xcb"),
        help="default: xcb when a display is set, offscreen otherwise",
    )
    parser.add_argument(
        "--press-interval", type=float, default=1.0, help="seconds between Ctrl+Enter presses"
    )
    parser.add_argument(
        "--view",
        choices=("follow", "tall"),
        default="follow",
        help="follow: the app's window size, the list scrolled to each new result (default); "
        "tall: a window tall enough to show every task's row at once",
    )
    parser.add_argument(
        "--height", type=int, default=0, help="with --view follow: the window's height (px)"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--seed", type=int, default=1, help="the sandbox's seed")
    parser.add_argument(
        "--sandbox-nice",
        type=int,
        default=10,
        help="nice value of the sandbox process (default 10: it stands in for a remote "
        "server, whose renders would not take this machine's CPU; 0 to compete on equal terms)",
    )
    parser.add_argument(
        "--max-other-cpu",
        type=float,
        default=1.0,
        help="a run during which other processes used more CPU seconds than this is "
        "measured again (the machines are shared)",
    )
    parser.add_argument("--retries", type=int, default=3, help="how often, at most (default 3)")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=120.0,
        help="before each run, wait up to S seconds for the machine to be idle (0: don't)",
    )
    parser.add_argument(
        "--cprofile-dir", type=Path, help="profile each run's UI thread into DIR/MODE-RUN.prof"
    )
    # The child's options: one run in this process.
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        type=checked_mode,
        metavar="EXPERIMENT",
        help="also run, in turn with the others (repeatable; words joined by '+'): 'before', "
        "the app without the latency fixes of the pass that added this (Qt's paint thread "
        "pool on, no gc.freeze, the tray asked at every notification); 'process', the "
        "download check (decode, thumbnails) in worker processes instead of a "
        "thread; 'nice0', the worker threads not niced",
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the baseline (to compare experiments faster; not with --json)",
    )
    parser.add_argument("--mode", type=checked_mode, help=argparse.SUPPRESS)
    parser.add_argument("--cprofile", help=argparse.SUPPRESS)
    parser.add_argument("--trace", help=argparse.SUPPRESS)  # see write_trace
    parser.add_argument("--hog-pid", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--hog",
        action="store_true",
        help="run a busy loop (nice 0) beside each run: one core of competition; its CPU "
        "is reported apart from other processes'",
    )
    parser.add_argument(
        "--no-none-guard",
        action="store_true",
        help="do not shield None from PySide6's refcount bug on Python 3.11 (the run crashes)",
    )
    args = parser.parse_args()
    if args.mode:
        return child_main(args)
    if args.platform is None:
        args.platform = "xcb" if os.environ.get("DISPLAY") else "offscreen"
    if args.no_baseline and args.json:
        parser.error("--json needs the baseline: drop --no-baseline")
    if args.quick:
        # Proves the benchmark runs end to end: its figures are not judged.
        args.tasks, args.runs, args.wait_quiet, args.retries = 12, 1, 0.0, 0
        args.timeout = 60.0
    return driver_main(args)


if __name__ == "__main__":
    sys.exit(main())
