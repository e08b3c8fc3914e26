"""Run every benchmark and write the generated summary of ``docs/benchmarks.md``.

    python -m benchmarks                                # full: updates docs/benchmarks.md
    python -m benchmarks --only polling startup         # some of them (the others: not run)
    python -m benchmarks --quick --output "$(mktemp)"   # CI: small sizes, times not judged
    python -m benchmarks --list

Each benchmark runs in its own process (``python benchmarks/NAME.py --json FILE``, with
``--quick`` in quick mode) with a time limit, one after another so that none measures
while another runs. Its output is passed through, prefixed with its name. A benchmark fails
when it exits non-zero, runs out of time, or writes no figures or figures not in the
protocol's shape (``benchmarks/protocol.py``); it then appears in the table as failed, with
the reason, and this command exits 1. Run it from the project's root, with the project's
interpreter.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import FOLDER, Benchmark, discover
from benchmarks.protocol import ProtocolError, parse
from benchmarks.report import (
    BrokenMarkersError,
    Outcome,
    Run,
    check_markers,
    describe_machine,
    write_report,
)

ROOT = FOLDER.parent
COMMITTED_REPORT = ROOT / "docs" / "benchmarks.md"
TIMEOUT = {"quick": 300.0, "full": 3600.0}  # seconds per benchmark
XVFB_SCREEN = "-screen 0 1400x900x24"
# The line most likely to say why a process failed: an exception, or a benchmark's own
# "FAILED" message; otherwise the last line it wrote.
TELLING = re.compile(r"\w*(Error|Exception)\b|FAILED|Fatal|Traceback")
TAIL_LINES = 40


class CannotStartError(Exception):
    pass


def command_for(
    benchmark: Benchmark, json_path: Path, quick: bool, env: dict[str, str]
) -> list[str]:
    """The command line for ``benchmark``; sets the Qt platform in ``env`` when it can."""
    command = [sys.executable, str(benchmark.path), "--json", str(json_path)]
    if quick:
        command.append("--quick")
    if not benchmark.needs_display:
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        return command
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return command
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        raise CannotStartError("needs a display and none is set: install xvfb or set DISPLAY")
    return [xvfb, "-a", "-s", XVFB_SCREEN, *command]


def telling_line(lines: Iterable[str]) -> str:
    """The line of a failed process's output that best says what went wrong."""
    kept = [line.strip() for line in lines if line.strip()]
    if not kept:
        return ""
    for line in reversed(kept):
        if TELLING.search(line) and not line.startswith("Traceback"):
            return line[:200]
    return kept[-1][:200]


def _pass_through(stream: Iterable[str], name: str, tail: collections.deque[str]) -> None:
    for line in stream:
        tail.append(line.rstrip("\n"))
        sys.stderr.write(f"[{name}] {line}" if line.endswith("\n") else f"[{name}] {line}\n")
        sys.stderr.flush()


def run_one(benchmark: Benchmark, quick: bool, timeout: float, scratch: Path) -> Outcome:
    json_path = scratch / f"{benchmark.name}.json"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    started = time.monotonic()
    try:
        command = command_for(benchmark, json_path, quick, env)
    except CannotStartError as exc:
        return Outcome(benchmark.name, 0.0, failure=str(exc))
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,  # its own process group: a timeout ends its children too
    )
    assert proc.stdout is not None
    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    reader = threading.Thread(
        target=_pass_through, args=(proc.stdout, benchmark.name, tail), daemon=True
    )
    reader.start()
    timed_out = False
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        # The whole group: after a timeout the benchmark itself, and in any case whatever
        # it started and left behind (a sandbox, Xvfb), which would hold its output open.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        reader.join(10)
        proc.stdout.close()
    seconds = time.monotonic() - started

    def failed(reason: str) -> Outcome:
        return Outcome(benchmark.name, seconds, failure=reason)

    if timed_out:
        return failed(f"timed out after {timeout:g} s")
    if proc.returncode != 0:
        if proc.returncode < 0:
            reason = f"killed by {signal.Signals(-proc.returncode).name}"
        else:
            reason = f"exit code {proc.returncode}"
        line = telling_line(tail)
        return failed(f"{reason}: {line}" if line else reason)
    if not json_path.exists() or not json_path.stat().st_size:
        return failed("wrote no figures (no --json output)")
    try:
        results = parse(
            json_path.read_text(encoding="utf-8"), benchmark=benchmark.name, quick=quick
        )
    except ProtocolError as exc:
        return failed(f"bad --json output: {exc}")
    return Outcome(benchmark.name, seconds, results=results)


def _load() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def parse_arguments(names: list[str], argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small sizes; times not judged")
    parser.add_argument(
        "--output",
        type=Path,
        help="the Markdown file whose generated block to write (default: docs/benchmarks.md; "
        "required with --quick, which must not replace the committed figures)",
    )
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these")
    parser.add_argument(
        "--timeout", type=float, help="seconds per benchmark (default 300 quick, 3600 full)"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            parser.error(f"no benchmark named {', '.join(unknown)}; there are {', '.join(names)}")
    if args.quick:
        if args.output is None:
            parser.error("--quick needs --output PATH: quick figures must not replace the report")
        if args.output.resolve() == COMMITTED_REPORT.resolve():
            parser.error("--quick must not write docs/benchmarks.md: give another --output")
    return args


def main(argv: list[str] | None = None, folder: Path = FOLDER) -> int:
    benchmarks = discover(folder)
    names = [b.name for b in benchmarks]
    args = parse_arguments(names, argv)
    if args.list:
        for b in benchmarks:
            print(f"{b.name}{'  (needs a display)' if b.needs_display else ''}")
        return 0
    if not benchmarks:
        print(f"benchmarks: none found in {folder}", file=sys.stderr)
        return 1
    output = args.output or COMMITTED_REPORT
    try:
        check_markers(output)
    except BrokenMarkersError as exc:
        print(f"benchmarks: {output}: {exc}", file=sys.stderr)
        return 1
    chosen = [b for b in benchmarks if not args.only or b.name in args.only]
    timeout = args.timeout or TIMEOUT["quick" if args.quick else "full"]
    started = datetime.now(UTC)
    load_start = _load()
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="nanobanana-benchmarks-") as scratch:
        for index, benchmark in enumerate(chosen, 1):
            print(
                f"benchmarks: {benchmark.name} ({index}/{len(chosen)}), "
                f"{'quick' if args.quick else 'full'} mode, limit {timeout:g} s",
                file=sys.stderr,
            )
            outcome = run_one(benchmark, args.quick, timeout, Path(scratch))
            outcome.load = _load()
            verdict = (
                f"FAILED, {outcome.failure}"
                if outcome.results is None
                else f"{len(outcome.results.figures)} figures"
            )
            print(
                f"benchmarks: {benchmark.name}: {verdict} ({outcome.seconds:.0f} s)",
                file=sys.stderr,
            )
            outcomes.append(outcome)
    load_end = _load()
    run = Run(
        outcomes,
        describe_machine(),
        started,
        args.quick,
        load=(load_start, load_end) if load_start is not None and load_end is not None else None,
        not_run=[name for name in names if name not in {b.name for b in chosen}],
    )
    write_report(output, run)
    total = sum(outcome.seconds for outcome in outcomes)
    print(
        f"benchmarks: {len(outcomes) - len(run.failed)} of {len(outcomes)} ran in {total:.0f} s; "
        f"wrote {output}",
        file=sys.stderr,
    )
    for outcome in run.failed:
        print(f"benchmarks: {outcome.benchmark} FAILED: {outcome.failure}", file=sys.stderr)
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
