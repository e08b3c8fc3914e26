"""Start-up: from process start to the main window's first paint, with a 10,000-image history.

The app (``--sandbox``, so no key and no network) is started in a fresh interpreter each
time and timed from just before ``Popen`` to the first Paint event of its main window; the
baseline is a bare PySide6 window (a QMainWindow holding a QLabel, at the app's window size)
started the same way. A second app case, with an empty profile, shows what the history
costs. The three cases take turns round by round (their order rotates), after warm-up
rounds; the report gives medians and p90s, and the ratio of the medians. Goal: the app with
10,000 images at most 2.0 times the bare window.

The history is built once per run in a temporary folder, through the engine's Store (the
real schema and the real lifecycle: submitting, pending, in progress, saving, done, with
one task in 40 failed), with every image a real file in the library: a small PNG (64×64,
made with Pillow, with the app's metadata embedded), not a 1K render, to keep the build
fast. By default 10,000 tasks of one image each, as the API returns one image per task and
the composer's variations are separate tasks.

Each child is ``benchmarks/startup_driver.py``; it prints CLOCK_MONOTONIC readings
(``time.monotonic``, system-wide on Linux, so they can be compared with the parent's), and
quits. A child that does not exit in time is killed and fails the run; so does one that
exits non-zero or writes a traceback or an ERROR log line to stderr. Children keep compiled
bytecode in the run's temporary folder (filled by the warm-up rounds), as an installed app
has it, whatever PYTHONDONTWRITEBYTECODE says; ``--no-bytecode-cache`` measures the other way.

``--quick``: 500 images, 3 rounds after 1 of warm-up.

    python benchmarks/startup.py [--rounds 15] [--images 10000] [--quick] [--json out.json]
    xvfb-run -a -s "-screen 0 1400x900x24" python benchmarks/startup.py --platform xcb
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from hashlib import sha256
from pathlib import Path

from PIL import Image, ImageDraw
from protocol import Results, add_arguments, compared, write

from nanobanana_desktop.api import GenerationRequest
from nanobanana_desktop.engine.library import plan_stem
from nanobanana_desktop.engine.metadata import ImageMetadata, embed_metadata
from nanobanana_desktop.engine.paths import Locations
from nanobanana_desktop.engine.records import TaskState
from nanobanana_desktop.engine.store import Store

GOAL = 2.0
QUICK = {"images": 500, "rounds": 3, "warmup": 1}
DRIVER = Path(__file__).with_name("startup_driver.py")
CASES = ("bare", "app", "app-empty")
CASE_LABELS = {
    "bare": "bare PySide6 window",
    "app": "app, {images} images",
    "app-empty": "app, empty profile",
}
FAIL_EVERY = 40  # one task in 40 failed (no image), as a real history has some
THUMB = 64  # pixels: the library's files are real PNGs, but small
# Lines in a child's stderr that fail the run: a traceback, an ERROR log record, Python's
# report of an exception it could not raise, or Qt's fatal messages.
PROBLEM = re.compile(r"Traceback|Exception ignored|\bERROR\b|\bCRITICAL\b|\bFatal\b|QFATAL")

MODELS = ("google/gempix2", "google/nano-banana-pro", "google/nano-banana", "google/nano-banana-2")
SUBJECTS = (
    "a lemon on a marble table",
    "a lighthouse at dusk",
    "a fox curled up in fresh snow",
    "an espresso cup, top view",
    "a brutalist concrete library interior",
    "a paper boat on a rain puddle",
    "portrait of an old fisherman with a yellow raincoat",
    "a bowl of ramen with steam rising",
    "a vintage red bicycle against a teal wall",
    "isometric city block with tiny people",
    "a product shot of wireless earbuds",
    "a watercolor map of an imaginary island",
)
STYLES = (
    "studio light, soft shadows",
    "35mm film, grain, shallow depth of field",
    "flat vector illustration, pastel palette",
    "cinematic, volumetric light, 4k",
    "hand-drawn ink, cross-hatching",
    "octane render, glossy materials",
    "",
)
EXTRAS = ("", "", "no text", "centered composition", "with a subtle logo in the corner")
ASPECTS = (None, None, "1:1", "16:9", "3:4", "9:16", "4:3")


# ------------------------------------------------------------------ the profile


def _request(rng: random.Random) -> GenerationRequest:
    parts = [rng.choice(SUBJECTS), rng.choice(STYLES), rng.choice(EXTRAS)]
    model = rng.choice(MODELS)
    refs: tuple[str, ...] = ()
    if rng.random() < 0.2:
        refs = tuple(
            f"https://images.example.com/ref/{rng.randrange(10**8):08d}.jpg"
            for _ in range(rng.randint(1, 2))
        )
    return GenerationRequest(
        model=model,
        prompt=", ".join(p for p in parts if p),
        images=refs,
        aspect_ratio=rng.choice(ASPECTS),
        image_size=rng.choice((None, "1k", "2k")) if model == "google/nano-banana-pro" else None,
    )


def _png(rng: random.Random) -> bytes:
    image = Image.new("RGB", (THUMB, THUMB), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    left, right = sorted(rng.randrange(THUMB) for _ in range(2))
    top, bottom = sorted(rng.randrange(THUMB) for _ in range(2))
    draw.ellipse(
        (left, top, right + 8, bottom + 8), fill=tuple(rng.randrange(256) for _ in range(3))
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass
class BuiltProfile:
    locations: Locations
    tasks: int
    images: int
    seconds: float


async def build_profile(root: Path, images: int, per_task: int, seed: int = 1) -> BuiltProfile:
    """A history of ``images`` saved images, recorded through the Store as the engine does."""
    started = time.perf_counter()
    locations = Locations.resolve(root / "profile", root / "library")
    locations.library.mkdir(parents=True, exist_ok=True)
    store = await Store.open(locations.database)
    rng = random.Random(seed)
    good_tasks = math.ceil(images / per_task) if images else 0
    total_tasks = good_tasks + good_tasks // (FAIL_EVERY - 1) if good_tasks else 0
    span = 365 * 86400.0  # a year of use
    first = time.time() - span - 3600
    made = 0
    plans = []
    good = 0
    for n in range(total_tasks):
        failed = (n + 1) % FAIL_EVERY == 0 or good >= good_tasks
        count = 0 if failed else min(per_task, images - good * per_task)
        if not failed:
            good += 1
        plans.append((first + span * n / max(total_tasks, 1), _request(rng), count, rng.random()))

    async def record(created: float, request: GenerationRequest, count: int, luck: float) -> int:
        task = await store.add_task(request, source="window", now=created)
        submitted = created + 0.4 + luck
        done = submitted + 8 + 12 * luck  # 8 to 20 s, as real tasks take
        await store.update_task(
            task.id,
            state=TaskState.PENDING,
            task_id=f"tsk_{sha256(str(task.id).encode()).hexdigest()[:24]}",
            submitted_at=submitted,
        )
        await store.update_task(task.id, state=TaskState.IN_PROGRESS, polls=2)
        if not count:
            await store.update_task(
                task.id,
                state=TaskState.FAILED,
                status_reason="The model declined this prompt (content policy)",
                finished_at=done,
                done_at=done,
                polls=1,
            )
            return 0
        await store.update_task(
            task.id, state=TaskState.DOWNLOADING, done_at=done, consumed=Decimal("0.5") * count
        )
        for index in range(count):
            stem = plan_stem(created, request.prompt, task.id, index)
            url = f"https://cdn.example.com/{task.id}/{index}.png"
            image = await store.plan_image(task.id, index, url, stem)
            meta = ImageMetadata.from_request(
                request,
                task_id=task.task_id,
                local_task_id=task.id,
                image_index=index,
                consumed="0.5",
                width=THUMB,
                height=THUMB,
            )
            data = embed_metadata(_png(rng), meta)
            path = locations.library / f"{stem}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)  # no fsync: a benchmark fixture, not a user's image
            await store.image_saved(
                image.id,
                path=f"{stem}.png",
                sha256=sha256(data).hexdigest(),
                width=THUMB,
                height=THUMB,
                format="PNG",
                size=len(data),
            )
        await store.update_task(task.id, state=TaskState.SUCCEEDED, finished_at=done + 1)
        return count

    try:
        # Tasks are recorded in order (ids rise with time), a batch in flight at a time, so
        # the store's thread is never idle waiting for the event loop.
        batch = 64
        for at in range(0, len(plans), batch):
            made += sum(await asyncio.gather(*(record(*plan) for plan in plans[at : at + batch])))
    finally:
        await store.close()
    return BuiltProfile(locations, total_tasks, made, time.perf_counter() - started)


async def empty_profile(root: Path) -> Locations:
    """A profile whose history exists but holds nothing (as after a first start)."""
    locations = Locations.resolve(root / "profile", root / "library")
    locations.library.mkdir(parents=True, exist_ok=True)
    store = await Store.open(locations.database)
    await store.close()
    return locations


# ------------------------------------------------------------------ one start


class ChildError(Exception):
    pass


def child_env(platform: str, pycache: Path | None) -> dict[str, str]:
    """The children's environment: no key, no keyring, the chosen Qt platform.

    With ``pycache``, compiled bytecode is kept there (warm-up rounds fill it), as an
    installed app has it; without, every start compiles this checkout's modules anew.
    """
    env = dict(os.environ)
    for name in ("NANOBANANA_API_KEY", "NANOBANANA_PROFILE", "NANOBANANA_LIBRARY"):
        env.pop(name, None)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["QT_QPA_PLATFORM"] = platform
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def start_once(
    case: str, profiles: dict[str, Locations], env: dict[str, str], timeout: float
) -> dict[str, float]:
    """One fresh process; returns its readings in seconds since just before it was started."""
    command = [sys.executable, str(DRIVER), "bare" if case == "bare" else "app"]
    if case != "bare":
        where = profiles[case]
        command += ["--", "--sandbox", "--profile", str(where.profile)]
        command += ["--library", str(where.library)]
    launched = time.monotonic()
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, so a hung child can be killed whole
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise ChildError(
            f"{case}: did not exit within {timeout:g} s; killed.\n{_tail(out, err)}"
        ) from None
    problems = [line for line in err.splitlines() if PROBLEM.search(line)]
    if proc.returncode != 0 or problems:
        raise ChildError(
            f"{case}: exit code {proc.returncode}, {len(problems)} problem line(s) on stderr."
            f"\n{_tail(out, err)}"
        )
    lines = [line for line in out.splitlines() if line.startswith("STARTUP ")]
    if len(lines) != 1:
        raise ChildError(f"{case}: no STARTUP line in its output.\n{_tail(out, err)}")
    marks: dict[str, float] = json.loads(lines[0].removeprefix("STARTUP "))
    return {name: at - launched for name, at in marks.items()}


def _tail(out: str, err: str, lines: int = 40) -> str:
    text = (out + "\n" + err).strip().splitlines()
    return "\n".join(text[-lines:])


# ------------------------------------------------------------------ the report


def median(values: list[float]) -> float:
    return statistics.median(values)


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


@dataclass
class Samples:
    runs: list[dict[str, float]] = field(default_factory=list)

    def of(self, mark: str) -> list[float]:
        return [run[mark] for run in self.runs]


def phases(case: str) -> list[tuple[str, str, str]]:
    """(label, from mark, to mark) for the breakdown table."""
    shared = [
        ("interpreter up", "", "started"),
        ("import PySide6", "started", "qt_imported"),
        ("QApplication()", "qt_imported", "qapp"),
    ]
    if case == "bare":
        return [*shared, ("window to first paint", "qapp", "paint")]
    return [
        *shared,
        ("import nanobanana_desktop.app", "qapp", "app_imported"),
        ("app main() to first paint", "app_imported", "paint"),
        ("rest of first frame", "paint", "frame"),
        ("history loaded and painted", "frame", "history"),
    ]


def startup_results(
    args: argparse.Namespace,
    summary: dict[str, dict[str, float]],
    labels: dict[str, str],
    built: BuiltProfile,
) -> Results:
    bare = summary["bare"]
    ratio = summary["app"]["paint_median_ms"] / bare["paint_median_ms"]
    return Results(
        "startup",
        "Start-up: process start to first paint",
        args.quick,
        [
            compared(
                f"first paint, {labels['app']}",
                summary["app"]["paint_median_ms"],
                "ms",
                bare["paint_median_ms"],
                CASE_LABELS["bare"],
                goal=f"ratio ≤ {GOAL}",
                met=ratio <= GOAL,
            ),
            compared(
                f"first paint, {labels['app-empty']}",
                summary["app-empty"]["paint_median_ms"],
                "ms",
                bare["paint_median_ms"],
                CASE_LABELS["bare"],
            ),
            compared(
                f"history shown, {labels['app']}",
                summary["app"]["history_median_ms"],
                "ms",
                bare["history_median_ms"],
                f"{CASE_LABELS['bare']}, first frame done",
            ),
        ],
        [
            f"platform {args.platform}, {args.rounds} rounds after {args.warmup} of warm-up, "
            f"fresh interpreter per start, bytecode "
            f"{'compiled at every start' if args.no_bytecode_cache else 'cached'}; medians",
            f"profile: {built.images:,} images in {built.tasks:,} tasks, "
            f"{THUMB}×{THUMB} PNGs, built in {built.seconds:.0f} s",
        ],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--per-task", type=int, default=1, help="images per task (default 1)")
    parser.add_argument("--platform", default="offscreen", help="QT_QPA_PLATFORM: offscreen, xcb")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per child")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="children compile this checkout's modules at every start (PYTHONDONTWRITEBYTECODE)",
    )
    parser.add_argument("--check", action="store_true", help=f"exit 1 if the ratio exceeds {GOAL}")
    add_arguments(parser)
    args = parser.parse_args()
    if args.quick:
        args.images, args.rounds, args.warmup = QUICK["images"], QUICK["rounds"], QUICK["warmup"]
    if args.platform == "xcb" and not os.environ.get("DISPLAY"):
        parser.error("--platform xcb needs a display: run under xvfb-run -a")

    with tempfile.TemporaryDirectory(prefix="nanobanana-startup-") as tmp:
        env = child_env(args.platform, None if args.no_bytecode_cache else Path(tmp) / "pycache")
        built = asyncio.run(build_profile(Path(tmp) / "full", args.images, args.per_task))
        print(
            f"profile: {built.images} images in {built.tasks} tasks "
            f"({args.per_task} per task, 1 in {FAIL_EVERY} failed), "
            f"{THUMB}x{THUMB} PNGs; built in {built.seconds:.1f} s"
        )
        profiles = {
            "app": built.locations,
            "app-empty": asyncio.run(empty_profile(Path(tmp) / "empty")),
        }
        samples = {case: Samples() for case in CASES}
        try:
            for n in range(args.warmup + args.rounds):
                shift = n % len(CASES)
                for case in CASES[shift:] + CASES[:shift]:  # nobody always goes first
                    readings = start_once(case, profiles, env, args.timeout)
                    if n >= args.warmup:
                        samples[case].runs.append(readings)
        except ChildError as exc:
            print(f"startup benchmark FAILED: {exc}", file=sys.stderr)
            return 2

    labels = {case: CASE_LABELS[case].format(images=f"{built.images:,}") for case in CASES}
    print(
        f"\nplatform {args.platform}, {args.rounds} rounds after {args.warmup} warm-up, "
        f"bytecode {'compiled at every start' if args.no_bytecode_cache else 'cached'}; "
        "ms from process start (median / p90)"
    )
    print(f"{'case':<28}{'first paint':>18}{'frame done':>18}{'history shown':>18}")
    summary: dict[str, dict[str, float]] = {}
    for case in CASES:
        s = samples[case]
        summary[case] = {}
        cells = []
        for mark in ("paint", "frame", "history"):
            med, tail = median(s.of(mark)), p90(s.of(mark))
            summary[case][f"{mark}_median_ms"] = med * 1e3
            summary[case][f"{mark}_p90_ms"] = tail * 1e3
            cells.append(f"{med * 1e3:>8.0f} / {tail * 1e3:>5.0f}")
        print(f"{labels[case]:<28}{cells[0]:>18}{cells[1]:>18}{cells[2]:>18}")

    bare = summary["bare"]["paint_median_ms"]
    ratio = summary["app"]["paint_median_ms"] / bare
    ratio_empty = summary["app-empty"]["paint_median_ms"] / bare
    ratio_history = summary["app"]["history_median_ms"] / summary["bare"]["history_median_ms"]
    history_cost = summary["app"]["paint_median_ms"] - summary["app-empty"]["paint_median_ms"]
    print(
        f"\nfirst paint, app / bare: {ratio:.2f} (goal <= {GOAL}: "
        f"{'met' if ratio <= GOAL else 'NOT met'}); empty profile / bare: {ratio_empty:.2f}; "
        f"the history adds {history_cost:+.0f} ms"
    )
    print(f"history shown, app / bare first frame: {ratio_history:.2f}")

    print("\nwhere the time goes (medians, ms)")
    breakdown: dict[str, dict[str, float]] = {}
    for case in CASES:
        breakdown[case] = {}
        parts = []
        for label, start, end in phases(case):
            values = [run[end] - (run[start] if start else 0.0) for run in samples[case].runs]
            breakdown[case][label] = median(values) * 1e3
            parts.append(f"{label} {median(values) * 1e3:.0f}")
        print(f"  {labels[case]}: " + "; ".join(parts))

    if args.json:
        write(
            args.json,
            startup_results(args, summary, labels, built),
            details={
                "platform": args.platform,
                "bytecode_cache": not args.no_bytecode_cache,
                "rounds": args.rounds,
                "warmup": args.warmup,
                "profile": {
                    "images": built.images,
                    "tasks": built.tasks,
                    "per_task": args.per_task,
                    "image_pixels": THUMB,
                    "build_s": built.seconds,
                },
                "summary": summary,
                "breakdown_ms": breakdown,
                "samples_s": {case: samples[case].runs for case in CASES},
            },
        )
    return 1 if args.check and ratio > GOAL else 0


if __name__ == "__main__":
    sys.exit(main())
