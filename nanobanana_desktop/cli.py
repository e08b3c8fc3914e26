"""The ``nanobanana`` command line.

It speaks the interface's language, chosen as the window chooses it: ``--lang``, else the
language saved in Settings for the profile, else the system's. The translations are Qt's
(QtCore only: no display is needed), so the command line and the window share one
catalogue. What scripts read stays as it was: saved paths on stdout, exit codes, and
``--lang en`` (or ``LANG=C``) for English whatever the desktop speaks. Messages argparse
writes itself about a wrong option stay English.
"""

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

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

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
from .engine.paths import Locations
from .engine.records import TaskRecord, TaskState
from .engine.references import ReferenceFileError, prepare_reference_file
from .engine.store import StoreError
from .sandbox import SANDBOX_KEY, FaultSwitch, Sandbox, SandboxConfig
from .session import Session, SessionOptions
from .ui.translations import (
    format_number,
    install_language,
    localized,
    saved_language,
    state_label,
)

# One context for the whole command line; lupdate reads translate("Cli", "...") calls.
translate = QCoreApplication.translate

# A link, not a file: "javascript:", "ftp:" and the like are refused as links. One letter
# before the colon is a Windows drive.
_LINK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
_FAULT_OPTIONS = {
    "server_errors": ("server_error", QT_TRANSLATE_NOOP("Cli", "answer 500")),
    "rate_limit": ("rate_limit", QT_TRANSLATE_NOOP("Cli", "answer 429 with Retry-After")),
    "drop": (
        "drop_connection",
        QT_TRANSLATE_NOOP("Cli", "drop the connection (a generation is created first)"),
    ),
    "slow": ("slow", QT_TRANSLATE_NOOP("Cli", "answer after --slow-seconds")),
    "html_errors": (
        "html_error",
        QT_TRANSLATE_NOOP("Cli", "answer an HTML error page (status --html-status)"),
    ),
    "malformed": ("malformed_json", QT_TRANSLATE_NOOP("Cli", "answer truncated JSON")),
    "unknown_status": (
        "unknown_status",
        QT_TRANSLATE_NOOP("Cli", "report an unknown status for running tasks"),
    ),
    "fail_tasks": ("fail_task", QT_TRANSLATE_NOOP("Cli", "let tasks end failed")),
    "text_only": (
        "text_only",
        QT_TRANSLATE_NOOP("Cli", "let tasks succeed with text and no image"),
    ),
    "lose_callbacks": (
        "lose_callback",
        QT_TRANSLATE_NOOP("Cli", "never send the callback of a finished task"),
    ),
}


class _HelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        if prefix is None:
            prefix = translate("Cli", "usage: ")
        super().add_usage(usage, actions, groups, prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with its own words (usage, section titles, -h, "error") translated."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        helps = kwargs.pop("add_help", True)
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = translate("Cli", "positional arguments")
        self._optionals.title = translate("Cli", "options")
        if helps:
            self.add_argument(
                "-h",
                "--help",
                action="help",
                default=argparse.SUPPRESS,
                help=translate("Cli", "show this help message and exit"),
            )

    def error(self, message: str):  # type: ignore[no-untyped-def]
        self.print_usage(sys.stderr)
        self.exit(
            2,
            translate("Cli", "{prog}: error: {message}").format(prog=self.prog, message=message)
            + "\n",
        )


def _language_option(parser: argparse.ArgumentParser) -> None:
    # Read before the parser is built (main), so that its help is in that language; taken
    # on every command too, so it may follow the command as the other options do.
    parser.add_argument(
        "--lang",
        default=argparse.SUPPRESS,
        metavar="CODE",
        help=translate("Cli", "language of the messages, e.g. en or nl (default: as the app)"),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="nanobanana",
        description=translate("Cli", "Nano Banana Desktop on the command line."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=translate("Cli", "show the version and exit"),
    )
    _language_option(parser)
    commands = parser.add_subparsers(
        dest="command",
        required=True,
        metavar=translate("Cli", "COMMAND"),
        title=translate("Cli", "commands"),
    )

    sandbox = commands.add_parser(
        "sandbox",
        help=translate("Cli", "run the offline emulator of the API"),
        description=translate(
            "Cli",
            "Run the offline emulator of the API on this machine. Any key that "
            "starts with dk- is accepted. Fault switches take a rate (0.3 or 30%%) "
            "or a count of the next matching requests (a whole number such as 2).",
        ),
    )
    _language_option(sandbox)
    sandbox.add_argument(
        "--host",
        default="127.0.0.1",
        help=translate("Cli", "loopback address (default %(default)s)"),
    )
    sandbox.add_argument(
        "--port", type=int, default=8765, help=translate("Cli", "API port (default %(default)s)")
    )
    sandbox.add_argument(
        "--cdn-port",
        type=int,
        default=0,
        help=translate("Cli", "result host port (default: any free one)"),
    )
    timing = sandbox.add_argument_group(translate("Cli", "timing (seconds)"))
    timing.add_argument(
        "--pending", type=float, default=0.6, help=translate("Cli", "time a task stays pending")
    )
    timing.add_argument(
        "--submitted",
        type=float,
        default=0.6,
        help=translate("Cli", "time a task stays submitted"),
    )
    timing.add_argument(
        "--running",
        type=float,
        default=2.5,
        help=translate("Cli", "time a task stays in_progress"),
    )
    timing.add_argument(
        "--running-spread",
        type=float,
        default=0.0,
        help=translate("Cli", "each task runs up to this much longer"),
    )
    timing.add_argument(
        "--not-found",
        type=float,
        default=1.0,
        help=translate("Cli", "time a new task answers 404"),
    )
    results = sandbox.add_argument_group(translate("Cli", "results"))
    results.add_argument(
        "--results",
        choices=("url", "data"),
        default="url",
        help=translate("Cli", "CDN links or inline data URIs"),
    )
    results.add_argument(
        "--format",
        choices=("png", "jpeg"),
        default="png",
        help=translate("Cli", "image bytes (names always end .png)"),
    )
    results.add_argument(
        "--expire-after",
        type=float,
        default=None,
        help=translate("Cli", "CDN links stop working after this"),
    )
    results.add_argument("--images", type=int, default=1, help=translate("Cli", "images per task"))
    account = sandbox.add_argument_group(translate("Cli", "account"))
    account.add_argument(
        "--credit",
        type=Decimal,
        default=Decimal("100"),
        help=translate("Cli", "starting credit"),
    )
    account.add_argument(
        "--refuse-key",
        action="append",
        default=[],
        help=translate("Cli", "a key to refuse with 401"),
    )
    account.add_argument(
        "--seed", type=int, default=0, help=translate("Cli", "seed for images and fault rates")
    )
    faults = sandbox.add_argument_group(translate("Cli", "faults (rate or count)"))
    for option, (_, text) in _FAULT_OPTIONS.items():
        faults.add_argument(
            f"--{option.replace('_', '-')}",
            type=FaultSwitch.parse,
            metavar="R|N",
            help=translate("Cli", text),
        )
    faults.add_argument(
        "--retry-after",
        type=float,
        default=1.0,
        help=translate("Cli", "Retry-After of 429 answers"),
    )
    faults.add_argument(
        "--slow-seconds", type=float, default=3.0, help=translate("Cli", "delay of slow answers")
    )
    faults.add_argument(
        "--html-status",
        type=int,
        default=502,
        help=translate("Cli", "status of HTML error pages"),
    )

    common = _Parser(add_help=False)
    _language_option(common)
    where = common.add_argument_group(translate("Cli", "where"))
    where.add_argument(
        "--sandbox", action="store_true", help=translate("Cli", "use an in-process sandbox")
    )
    where.add_argument("--base-url", default=DEFAULT_BASE_URL, help=translate("Cli", "API address"))
    where.add_argument("--profile", help=translate("Cli", "profile folder (history, settings)"))
    where.add_argument("--library", help=translate("Cli", "folder for saved images"))
    where.add_argument(
        "--webhook-url", help=translate("Cli", "public URL of your tunnel to --webhook-port")
    )
    where.add_argument(
        "--webhook-port", type=int, default=0, help=translate("Cli", "local port for callbacks")
    )

    generate = commands.add_parser(
        "generate",
        parents=[common],
        help=translate("Cli", "generate images and save them"),
        description=translate(
            "Cli", "Submit, show progress on stderr, print each saved file on stdout."
        ),
    )
    generate.add_argument("prompt", help=translate("Cli", "what the image should show"))
    generate.add_argument("--model", default="google/gempix2", help=translate("Cli", "model id"))
    generate.add_argument(
        "--ref",
        action="append",
        default=[],
        metavar="URL_OR_FILE",
        help=translate(
            "Cli",
            "reference image (up to 4); local files are sent inline, downscaled to 5 MB",
        ),
    )
    generate.add_argument("--aspect-ratio", choices=ASPECT_RATIOS)
    generate.add_argument("--image-size", type=str.upper, choices=IMAGE_SIZES)
    generate.add_argument(
        "--count",
        type=int,
        default=1,
        choices=range(1, 11),
        metavar="N",
        help=translate("Cli", "how many tasks to submit at once (1-10)"),
    )
    generate.add_argument(
        "--no-wait",
        action="store_true",
        help=translate("Cli", "print the task ids and return; 'resume' saves the results"),
    )

    status = commands.add_parser("status", parents=[common], help=translate("Cli", "show one task"))
    status.add_argument("task", help=translate("Cli", "the local number or the server's task id"))
    listing = commands.add_parser(
        "list", parents=[common], help=translate("Cli", "list tasks, newest first")
    )
    listing.add_argument(
        "--active", action="store_true", help=translate("Cli", "only unfinished tasks")
    )
    listing.add_argument(
        "--limit",
        type=int,
        default=50,
        help=translate("Cli", "at most this many (default %(default)s)"),
    )
    commands.add_parser(
        "resume",
        parents=[common],
        help=translate("Cli", "wait for every unfinished task and save its results"),
    )
    balance = commands.add_parser(
        "balance", parents=[common], help=translate("Cli", "show the account's credit")
    )
    balance.add_argument(
        "--sandbox-url",
        help=translate("Cli", "a running sandbox's address (uses its test key)"),
    )
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
        _say(
            translate(
                "Cli",
                "cannot listen on {host}:{port} ({reason}); choose another port with --port",
            ).format(host=args.host, port=args.port, reason=exc.strerror)
        )
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers here
            loop.add_signal_handler(sig, stop.set)
    lines = (
        translate("Cli", "Nano Banana sandbox API on {url}").format(url=sandbox.api_url),
        translate("Cli", "  results served from {url}").format(url=sandbox.cdn_url),
        translate("Cli", "  any key starting with dk- works, e.g. {key}").format(key=SANDBOX_KEY),
        translate("Cli", "  press Ctrl+C to stop"),
    )
    for line in lines:
        print(line, flush=True)
    try:
        await stop.wait()
    finally:
        await sandbox.stop()
    return 0


@contextlib.asynccontextmanager
async def open_session(args: argparse.Namespace) -> AsyncIterator[Session]:
    session = await Session.open(SessionOptions.from_args(args, "cli"))
    for notice in session.notices:
        _say(localized(notice))
    try:
        yield session
    finally:
        await session.close()


def _need_engine(session: Session) -> Engine:
    if session.engine is None:
        raise CliError(
            localized(session.key_problem)
            if session.key_problem
            else translate("Cli", "no API key; set {variable} or use --sandbox").format(
                variable=ENV_VAR
            )
        )
    return session.engine


class CliError(Exception):
    """A problem the user can fix; printed without a traceback, exit code 2."""


def _say(message: str) -> None:
    """A message for the person at the terminal, on stderr, with the command's name."""
    print(f"nanobanana: {message}", file=sys.stderr, flush=True)


def _progress(event: Event) -> None:
    if isinstance(event, TaskChanged):
        task = event.task
        if task.status_reason and task.state.is_final:
            line = translate("Cli", "task {id}: {state}: {reason}").format(
                id=task.id, state=state_label(task.state), reason=localized(task.status_reason)
            )
        else:
            line = translate("Cli", "task {id}: {state}").format(
                id=task.id, state=state_label(task.state)
            )
        print(line, file=sys.stderr, flush=True)
    elif isinstance(event, ImageSaved):
        print(event.path, flush=True)
    elif isinstance(event, ImageFailed):
        print(
            translate("Cli", "task {id} image {number}: {reason}").format(
                id=event.task.id, number=event.image.index + 1, reason=localized(event.message)
            ),
            file=sys.stderr,
            flush=True,
        )
    elif isinstance(event, ConnectionChanged):
        print(localized(event.message), file=sys.stderr, flush=True)


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
            raise CliError(localized(str(exc))) from None
        if prepared.note:
            print(
                translate("Cli", "reference {name}: {note}").format(
                    name=value, note=localized(prepared.note)
                ),
                file=sys.stderr,
            )
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
                print(f"{task.id}\t{task.task_id or '-'}\t{state_label(task.state)}")
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
        print(
            translate("Cli", "resuming 1 task")
            if len(resumed) == 1
            else translate("Cli", "resuming {count} tasks").format(count=len(resumed)),
            file=sys.stderr,
            flush=True,
        )
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
            raise CliError(
                translate("Cli", "no task {task} in this profile's history").format(
                    task=repr(args.task)
                )
            )
        images = await session.store.images_for(task.id)
        history = await session.store.task_history(task.id)
    server_id = task.task_id or translate("Cli", "not sent")
    print(
        translate("Cli", "task {id} ({server_id}): {state}").format(
            id=task.id, server_id=server_id, state=state_label(task.state)
        )
    )
    print(
        translate("Cli", "  model {model}; prompt: {prompt}").format(
            model=task.model, prompt=task.prompt
        )
    )
    if task.status_reason:
        print(f"  {localized(task.status_reason)}")
    if task.consumed is not None:
        print(translate("Cli", "  credits: {credits}").format(credits=format_number(task.consumed)))
    for state, at, _detail in history:
        when = f"{datetime.fromtimestamp(at):%Y-%m-%d %H:%M:%S}"
        print(f"  {when}  {translate('TaskState', state.label)}")
    for image in images:
        where = (
            str(session.library / image.path)
            if image.path
            else localized(image.error or "") or image.state.value
        )
        print(
            translate("Cli", "  image {number}: {where}").format(
                number=image.index + 1, where=where
            )
        )
    return 0


async def run_list(args: argparse.Namespace) -> int:
    async with open_session(args) as session:
        states = [s for s in TaskState if not s.is_final] if args.active else None
        tasks = await session.store.list_tasks(states=states, limit=args.limit)
    for task in tasks:
        when = datetime.fromtimestamp(task.created_at)
        prompt = task.prompt if len(task.prompt) <= 60 else task.prompt[:59] + "…"
        print(f"{task.id:>5}  {when:%Y-%m-%d %H:%M}  {state_label(task.state):<12}  {prompt}")
    return 0


async def show_balance(args: argparse.Namespace) -> int:
    if args.sandbox_url:
        async with NanoBananaClient(SANDBOX_KEY, base_url=args.sandbox_url) as client:
            credit = await client.balance()
    else:
        async with open_session(args) as session:
            if session.client is None:
                raise CliError(
                    localized(session.key_problem)
                    if session.key_problem
                    else translate(
                        "Cli", "no API key; store one from the app or set {variable}"
                    ).format(variable=ENV_VAR)
                )
            credit = await session.client.balance()
    print(translate("Cli", "credit: {credit}").format(credit=format_number(credit)))
    return 0


def choose_language(argv: list[str]) -> None:
    """The language of the messages: ``--lang``, else the one saved in Settings for the
    profile, else the system's: the window's order. Only QtCore is loaded, no display.

    In a process that already has a Qt application (the window's, or a test's), only an
    explicit ``--lang`` changes its language: the rest is the application's to decide.
    """
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    early.add_argument("--profile")
    early.add_argument("--library")
    known, _rest = early.parse_known_args(argv)
    app = QCoreApplication.instance()
    if app is not None and not known.lang:
        return
    if app is None:
        app = QCoreApplication([sys.argv[0] if sys.argv else "nanobanana"])
    wanted = known.lang
    if not wanted:
        wanted = saved_language(Locations.resolve(known.profile, known.library).profile)
    note = install_language(app, wanted)
    if note:
        _say(note)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    choose_language(argv)
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
    except CliError as exc:
        _say(str(exc))  # already in the interface language
        return 2
    except (RequestValidationError, InsecureBaseUrlError, StoreError) as exc:
        _say(localized(str(exc)))
        return 2
    except NanoBananaError as exc:
        _say(localized(str(exc)))
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
