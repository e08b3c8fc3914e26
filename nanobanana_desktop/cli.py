"""The ``nanobanana`` command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import signal
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal

from . import __version__
from .api import (
    ASPECT_RATIOS,
    DEFAULT_BASE_URL,
    IMAGE_SIZES,
    GenerationRequest,
    InsecureBaseUrlError,
    NanoBananaClient,
    NanoBananaError,
    RequestValidationError,
    validate_request,
)
from .blocking import run_blocking
from .credentials import ENV_VAR
from .engine.core import Engine
from .engine.events import ConnectionChanged, Event, ImageFailed, ImageSaved, TaskChanged
from .engine.records import TaskRecord, TaskState
from .engine.references import ReferenceFileError, prepare_reference_file
from .engine.store import StoreError
from .sandbox import SANDBOX_KEY, FaultSwitch, Sandbox, SandboxConfig
from .session import Session, SessionOptions

# A link, not a file: "javascript:", "ftp:" and the like are refused as links. One letter
# before the colon is a Windows drive.
_LINK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
_FAULT_OPTIONS = {
    "server_errors": ("server_error", "answer 500"),
    "rate_limit": ("rate_limit", "answer 429 with Retry-After"),
    "drop": ("drop_connection", "drop the connection (a generation is created first)"),
    "slow": ("slow", "answer after --slow-seconds"),
    "html_errors": ("html_error", "answer an HTML error page (status --html-status)"),
    "malformed": ("malformed_json", "answer truncated JSON"),
    "unknown_status": ("unknown_status", "report an unknown status for running tasks"),
    "fail_tasks": ("fail_task", "let tasks end failed"),
    "text_only": ("text_only", "let tasks succeed with text and no image"),
    "lose_callbacks": ("lose_callback", "never send the callback of a finished task"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nanobanana", description="Nano Banana Desktop on the command line."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sandbox = commands.add_parser(
        "sandbox",
        help="run the offline emulator of the API",
        description="Run the offline emulator of the API on this machine. Any key that "
        "starts with dk- is accepted. Fault switches take a rate (0.3 or 30%%) "
        "or a count of the next matching requests (a whole number such as 2).",
    )
    sandbox.add_argument(
        "--host", default="127.0.0.1", help="loopback address (default %(default)s)"
    )
    sandbox.add_argument("--port", type=int, default=8765, help="API port (default %(default)s)")
    sandbox.add_argument(
        "--cdn-port", type=int, default=0, help="result host port (default: any free one)"
    )
    timing = sandbox.add_argument_group("timing (seconds)")
    timing.add_argument("--pending", type=float, default=0.6, help="time a task stays pending")
    timing.add_argument("--submitted", type=float, default=0.6, help="time a task stays submitted")
    timing.add_argument("--running", type=float, default=2.5, help="time a task stays in_progress")
    timing.add_argument(
        "--running-spread", type=float, default=0.0, help="each task runs up to this much longer"
    )
    timing.add_argument("--not-found", type=float, default=1.0, help="time a new task answers 404")
    results = sandbox.add_argument_group("results")
    results.add_argument(
        "--results", choices=("url", "data"), default="url", help="CDN links or inline data URIs"
    )
    results.add_argument(
        "--format",
        choices=("png", "jpeg"),
        default="png",
        help="image bytes (names always end .png)",
    )
    results.add_argument(
        "--expire-after", type=float, default=None, help="CDN links stop working after this"
    )
    results.add_argument("--images", type=int, default=1, help="images per task")
    account = sandbox.add_argument_group("account")
    account.add_argument("--credit", type=Decimal, default=Decimal("100"), help="starting credit")
    account.add_argument(
        "--refuse-key", action="append", default=[], help="a key to refuse with 401"
    )
    account.add_argument("--seed", type=int, default=0, help="seed for images and fault rates")
    faults = sandbox.add_argument_group("faults (rate or count)")
    for option, (_, text) in _FAULT_OPTIONS.items():
        faults.add_argument(
            f"--{option.replace('_', '-')}", type=FaultSwitch.parse, metavar="R|N", help=text
        )
    faults.add_argument("--retry-after", type=float, default=1.0, help="Retry-After of 429 answers")
    faults.add_argument("--slow-seconds", type=float, default=3.0, help="delay of slow answers")
    faults.add_argument("--html-status", type=int, default=502, help="status of HTML error pages")

    common = argparse.ArgumentParser(add_help=False)
    where = common.add_argument_group("where")
    where.add_argument("--sandbox", action="store_true", help="use an in-process sandbox")
    where.add_argument("--base-url", default=DEFAULT_BASE_URL, help="API address")
    where.add_argument("--profile", help="profile folder (history, settings)")
    where.add_argument("--library", help="folder for saved images")
    where.add_argument("--webhook-url", help="public URL of your tunnel to --webhook-port")
    where.add_argument("--webhook-port", type=int, default=0, help="local port for callbacks")

    generate = commands.add_parser(
        "generate",
        parents=[common],
        help="generate images and save them",
        description="Submit, show progress on stderr, print each saved file on stdout.",
    )
    generate.add_argument("prompt")
    generate.add_argument("--model", default="google/gempix2")
    generate.add_argument(
        "--ref",
        action="append",
        default=[],
        metavar="URL_OR_FILE",
        help="reference image (up to 4); local files are sent inline, downscaled to 5 MB",
    )
    generate.add_argument("--aspect-ratio", choices=ASPECT_RATIOS)
    generate.add_argument("--image-size", type=str.upper, choices=IMAGE_SIZES)
    generate.add_argument(
        "--count",
        type=int,
        default=1,
        choices=range(1, 11),
        metavar="N",
        help="how many tasks to submit at once (1-10)",
    )
    generate.add_argument(
        "--no-wait",
        action="store_true",
        help="print the task ids and return; 'resume' saves the results",
    )

    status = commands.add_parser("status", parents=[common], help="show one task")
    status.add_argument("task", help="the local number or the server's task id")
    listing = commands.add_parser("list", parents=[common], help="list tasks, newest first")
    listing.add_argument("--active", action="store_true", help="only unfinished tasks")
    listing.add_argument("--limit", type=int, default=50)
    commands.add_parser(
        "resume", parents=[common], help="wait for every unfinished task and save its results"
    )
    balance = commands.add_parser("balance", parents=[common], help="show the account's credit")
    balance.add_argument("--sandbox-url", help="a running sandbox's address (uses its test key)")
    return parser


def sandbox_config(args: argparse.Namespace) -> SandboxConfig:
    config = SandboxConfig(
        pending_seconds=args.pending,
        submitted_seconds=args.submitted,
        in_progress_seconds=args.running,
        in_progress_spread=args.running_spread,
        not_found_seconds=args.not_found,
        result_mode=args.results,
        image_format=args.format,
        result_ttl=args.expire_after,
        images_per_task=max(1, args.images),
        initial_credit=args.credit,
        refused_keys=set(args.refuse_key),
        seed=args.seed,
    )
    f = config.faults
    for option, (name, _) in _FAULT_OPTIONS.items():
        switch = getattr(args, option)
        if switch is not None:
            setattr(f, name, switch)
    f.retry_after = args.retry_after
    f.slow_seconds = args.slow_seconds
    f.html_status = args.html_status
    return config


async def serve_sandbox(args: argparse.Namespace) -> int:
    sandbox = Sandbox(
        sandbox_config(args), host=args.host, api_port=args.port, cdn_port=args.cdn_port
    )
    try:
        await sandbox.start()
    except OSError as exc:
        print(
            f"nanobanana: cannot listen on {args.host}:{args.port} ({exc.strerror}); "
            "choose another port with --port",
            file=sys.stderr,
        )
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers here
            loop.add_signal_handler(sig, stop.set)
    print(f"Nano Banana sandbox API on {sandbox.api_url}", flush=True)
    print(f"  results served from {sandbox.cdn_url}", flush=True)
    print(f"  any key starting with dk- works, e.g. {SANDBOX_KEY}", flush=True)
    print("  press Ctrl+C to stop", flush=True)
    try:
        await stop.wait()
    finally:
        await sandbox.stop()
    return 0


@contextlib.asynccontextmanager
async def open_session(args: argparse.Namespace) -> AsyncIterator[Session]:
    session = await Session.open(SessionOptions.from_args(args, "cli"))
    for notice in session.notices:
        print(f"nanobanana: {notice}", file=sys.stderr, flush=True)
    try:
        yield session
    finally:
        await session.close()


def _need_engine(session: Session) -> Engine:
    if session.engine is None:
        raise CliError(session.key_problem or f"no API key; set {ENV_VAR} or use --sandbox")
    return session.engine


class CliError(Exception):
    """A problem the user can fix; printed without a traceback, exit code 2."""


def _progress(event: Event) -> None:
    if isinstance(event, TaskChanged):
        task = event.task
        reason = f": {task.status_reason}" if task.status_reason and task.state.is_final else ""
        print(f"task {task.id}: {task.state.label}{reason}", file=sys.stderr, flush=True)
    elif isinstance(event, ImageSaved):
        print(event.path, flush=True)
    elif isinstance(event, ImageFailed):
        print(
            f"task {event.task.id} image {event.image.index + 1}: {event.message}",
            file=sys.stderr,
            flush=True,
        )
    elif isinstance(event, ConnectionChanged):
        print(event.message, file=sys.stderr, flush=True)


def _exit_code(tasks: list[TaskRecord]) -> int:
    if any(t.state is TaskState.FAILED for t in tasks):
        return 1
    if any(t.state is not TaskState.SUCCEEDED for t in tasks):
        return 3  # outcome unknown, stalled, or blocked on the disk: nothing is lost yet
    return 0


async def run_generate(args: argparse.Namespace) -> int:
    references = []
    for value in args.ref:
        if _LINK.match(value):
            references.append(value)  # validate_request refuses any scheme but http(s)
            continue
        try:
            prepared = await run_blocking(prepare_reference_file, value)
        except ReferenceFileError as exc:
            raise CliError(str(exc)) from None
        if prepared.note:
            print(f"reference {value}: {prepared.note}", file=sys.stderr)
        references.append(prepared.data_uri)
    request = GenerationRequest(
        model=args.model,
        prompt=args.prompt,
        images=tuple(references),
        aspect_ratio=args.aspect_ratio,
        image_size=args.image_size,
    )
    validate_request(request)
    async with open_session(args) as session:
        engine = _need_engine(session)
        engine.events.subscribe(_progress)
        await engine.start(resume=False)
        submitted = await asyncio.gather(*(engine.submit(request) for _ in range(args.count)))
        if args.no_wait:
            for task in submitted:
                print(f"{task.id}\t{task.task_id or '-'}\t{task.state.label}")
            if any(t.state is TaskState.FAILED for t in submitted):
                return 1
            return 3 if any(t.state is TaskState.UNKNOWN for t in submitted) else 0
        finished = [await engine.wait(task.id) for task in submitted]
        return _exit_code(finished)


async def run_resume(args: argparse.Namespace) -> int:
    async with open_session(args) as session:
        engine = _need_engine(session)
        engine.events.subscribe(_progress)
        resumed = await engine.start(resume=True)
        print(f"resuming {len(resumed)} task(s)", file=sys.stderr, flush=True)
        await engine.wait_all()
        return _exit_code([await session.store.get_task(t.id) for t in resumed])


async def run_status(args: argparse.Namespace) -> int:
    async with open_session(args) as session:
        task = None
        if args.task.isdigit():
            with contextlib.suppress(KeyError):
                task = await session.store.get_task(int(args.task))
        if task is None:
            task = await session.store.find_task(args.task)
        if task is None:
            raise CliError(f"no task {args.task!r} in this profile's history")
        images = await session.store.images_for(task.id)
        history = await session.store.task_history(task.id)
    print(f"task {task.id} ({task.task_id or 'not sent'}): {task.state.label}")
    print(f"  model {task.model}; prompt: {task.prompt}")
    if task.status_reason:
        print(f"  {task.status_reason}")
    if task.consumed is not None:
        print(f"  credits: {task.consumed}")
    for state, at, _detail in history:
        print(f"  {datetime.fromtimestamp(at):%Y-%m-%d %H:%M:%S}  {state.label}")
    for image in images:
        where = session.library / image.path if image.path else image.error or image.state
        print(f"  image {image.index + 1}: {where}")
    return 0


async def run_list(args: argparse.Namespace) -> int:
    async with open_session(args) as session:
        states = [s for s in TaskState if not s.is_final] if args.active else None
        tasks = await session.store.list_tasks(states=states, limit=args.limit)
    for task in tasks:
        when = datetime.fromtimestamp(task.created_at)
        prompt = task.prompt if len(task.prompt) <= 60 else task.prompt[:59] + "…"
        print(f"{task.id:>5}  {when:%Y-%m-%d %H:%M}  {task.state.label:<12}  {prompt}")
    return 0


async def show_balance(args: argparse.Namespace) -> int:
    if args.sandbox_url:
        async with NanoBananaClient(SANDBOX_KEY, base_url=args.sandbox_url) as client:
            credit = await client.balance()
    else:
        async with open_session(args) as session:
            if session.client is None:
                raise CliError(
                    session.key_problem or f"no API key; store one from the app or set {ENV_VAR}"
                )
            credit = await session.client.balance()
    print(f"credit: {credit}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {
        "sandbox": serve_sandbox,
        "balance": show_balance,
        "generate": run_generate,
        "resume": run_resume,
        "status": run_status,
        "list": run_list,
    }
    try:
        return asyncio.run(handlers[args.command](args))
    except (CliError, RequestValidationError, InsecureBaseUrlError, StoreError) as exc:
        print(f"nanobanana: {exc}", file=sys.stderr)
        return 2
    except NanoBananaError as exc:
        print(f"nanobanana: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
