"""The ``nanobanana`` command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from decimal import Decimal

from . import __version__
from .api import DEFAULT_BASE_URL, ApiKey, NanoBananaClient, NanoBananaError
from .credentials import ENV_VAR, load_api_key
from .sandbox import SANDBOX_KEY, FaultSwitch, Sandbox, SandboxConfig

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

    balance = commands.add_parser("balance", help="show the account's credit")
    _add_endpoint_options(balance)
    return parser


def _add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--base-url", default=DEFAULT_BASE_URL, help="API address (default %(default)s)"
    )
    where.add_argument(
        "--sandbox-url", help="a running sandbox's address, e.g. http://127.0.0.1:8765"
    )


def sandbox_config(args: argparse.Namespace) -> SandboxConfig:
    config = SandboxConfig(
        pending_seconds=args.pending,
        submitted_seconds=args.submitted,
        in_progress_seconds=args.running,
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


async def show_balance(args: argparse.Namespace) -> int:
    key: ApiKey | str
    if args.sandbox_url:
        base_url, key = args.sandbox_url, SANDBOX_KEY
    else:
        lookup = load_api_key()
        if lookup.key is None:
            print(
                lookup.problem
                or f"nanobanana: no API key; store one from the app or set {ENV_VAR}",
                file=sys.stderr,
            )
            return 2
        base_url, key = args.base_url, lookup.key
    async with NanoBananaClient(key, base_url=base_url) as client:
        credit = await client.balance()
    print(f"credit: {credit}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"sandbox": serve_sandbox, "balance": show_balance}
    try:
        return asyncio.run(handlers[args.command](args))
    except NanoBananaError as exc:
        print(f"nanobanana: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
