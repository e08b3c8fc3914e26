"""Why the UI thread ran late: one run of benchmarks/ui_latency.py under ``perf``, its stalls
taken apart.

A diagnostic, not a benchmark (no --json figures): it answers "what held the UI thread up
during each probe gap over --threshold ms", from the kernel's scheduler rather than from
Python, so it also sees the stalls that the stall watch cannot (its own thread needs the
GIL to look).

Two ``perf record`` sessions, both stamped with CLOCK_MONOTONIC (``time.perf_counter`` on
Linux, which the child's probe uses, so the two line up):

- the run itself (the app and its sandbox): every context switch and wake-up with its
  call stack (DWARF unwinding), and a CPU sample of every thread every 1 ms of its CPU;
- the whole machine: every context switch, without stacks, so each moment the UI thread
  was ready but not running can be charged to whatever ran on the cores instead.

For each stall the UI thread's time is split into: running (and what: its CPU samples'
stacks), waiting for a CPU (and who had the cores), waiting for the GIL (and, from the
samples of the app's other threads in that interval, what they ran while one of them
held it; and from the wake-up that ended the wait, where the GIL was let go), blocked on
something else, or idle in the event loop's poll.

    xvfb-run -a -s "-screen 0 1400x900x24" python benchmarks/stall_causes.py [--hog]
        [--mode shipped|baseline] [--view follow|tall] [--tasks 50] [--threshold 25]
        [--keep DIR]

``--hog`` runs a busy loop (``while True: pass``, nice 0) beside the app for the whole run:
one core of competition. Needs ``perf`` with DWARF unwinding (Linux, as root or with
``kernel.perf_event_paranoid`` <= 1 for the machine-wide session).
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

import ui_latency  # noqa: E402  (benchmarks/ is not a package on sys.path by default)

KERNEL = "[kernel.kallsyms]"
_HEADER = re.compile(r"^\s*(.+?)\s+(\d+)/(\d+)\s+(\d+\.\d+):\s+(?:\d+\s+)?([\w:-]+):\s?(.*)$")
_FRAME = re.compile(r"^\s+([0-9a-f]+) (.+?) \((.*)\)$")
_SWITCH = re.compile(
    r"prev_comm=(.*?) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> "
    r"next_comm=(.*?) next_pid=(\d+) next_prio"
)
_SYS_LINE = re.compile(r"^\s*\[(\d+)\]\s+(\d+\.\d+):\s+sched:sched_switch:\s+(.*)$")
# Glue frames that say nothing about what the code was doing.
_GLUE = re.compile(
    r"^(_PyEval_EvalFrameDefault|_PyEval_Vector|PyObject_Vectorcall|_PyObject_Vectorcall\w*|"
    r"method_vectorcall\w*|cfunction_\w+|_PyObject_MakeTpCall|_PyObject_Call\w*|PyObject_Call\w*|"
    r"vectorcall_\w+|slot_tp_\w+|type_call|partial_vectorcall|PyGen_am_send|gen_send_ex\w*|"
    r"_PyFunction_Vectorcall|\[unknown\]|method_vectorcall)$"
)
_QUIET_DSOS = ("libc.so", "ld-linux", "libpthread")


@dataclass
class Event:
    time: float
    pid: int
    tid: int
    kind: str  # "switch", "waking", "sample"
    info: str  # the tracepoint's text
    stack: tuple[tuple[str, str], ...]  # (symbol, dso), innermost first


def _dso(path: str) -> str:
    name = Path(path).name
    return name.split(".cpython")[0].split(".so")[0] if name != KERNEL else KERNEL


def read_app_events(data: Path) -> Iterator[Event]:
    """The app session's events, streamed from ``perf script``."""
    proc = subprocess.Popen(
        [
            "perf",
            "script",
            "-i",
            str(data),
            "-F",
            "comm,pid,tid,time,event,trace,ip,sym,dso",
            "--no-inline",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        errors="replace",
    )
    assert proc.stdout is not None
    current: Event | None = None
    frames: list[tuple[str, str]] = []
    interned: dict[tuple[str, str], tuple[str, str]] = {}
    for line in proc.stdout:
        if line.startswith(("\t", " ")) and current is not None:
            match = _FRAME.match(line)
            if match:
                frame = (match.group(2), _dso(match.group(3)))
                frames.append(interned.setdefault(frame, frame))
                continue
        header = _HEADER.match(line)
        if header is None:
            continue
        if current is not None:
            current.stack = tuple(frames)
            yield current
        _comm, pid, tid, time_text, event, info = header.groups()
        kind = (
            "switch"
            if event.endswith("sched_switch")
            else "waking"
            if event.endswith("sched_waking")
            else "sample"
        )
        current = Event(float(time_text), int(pid), int(tid), kind, info, ())
        frames = []
    if current is not None:
        current.stack = tuple(frames)
        yield current
    proc.wait()


@dataclass
class CpuTimeline:
    """What ran on each CPU when, from the machine-wide switches."""

    starts: dict[int, list[float]] = field(default_factory=dict)
    tasks: dict[int, list[tuple[str, int]]] = field(default_factory=dict)  # (comm, pid)
    # Each thread's intervals off a CPU: tid -> [(left, back, prev_state)]
    off: dict[int, list[tuple[float, float, str]]] = field(default_factory=dict)
    comms: dict[int, str] = field(default_factory=dict)

    def waited_for_cpu(self, tid: int, start: float, end: float) -> float:
        """Seconds ``tid`` was ready to run but had no CPU within [start, end]."""
        total = 0.0
        for left, back, state in self.off.get(tid, []):
            if state.startswith("R") and back > start and left < end:
                total += min(end, back) - max(start, left)
        return total

    def occupants(self, start: float, end: float) -> Counter[tuple[str, int]]:
        """Seconds each task ran, on all CPUs together, within [start, end]."""
        held: Counter[tuple[str, int]] = Counter()
        for cpu, starts in self.starts.items():
            tasks = self.tasks[cpu]
            i = max(0, bisect.bisect_right(starts, start) - 1)
            while i < len(starts) and starts[i] < end:
                left = max(start, starts[i])
                right = min(end, starts[i + 1] if i + 1 < len(starts) else end)
                if right > left:
                    held[tasks[i]] += right - left
                i += 1
        return held


def read_machine(data: Path) -> CpuTimeline:
    proc = subprocess.run(
        ["perf", "script", "-i", str(data), "-F", "cpu,time,event,trace"],
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    timeline = CpuTimeline()
    left: dict[int, tuple[float, str]] = {}
    for line in proc.stdout.splitlines():
        match = _SYS_LINE.match(line)
        if not match:
            continue
        cpu, when, trace = int(match.group(1)), float(match.group(2)), match.group(3)
        switch = _SWITCH.match(trace)
        if not switch:
            continue
        prev_comm, prev_pid, state, next_comm, next_pid = switch.groups()
        prev, after = int(prev_pid), int(next_pid)
        timeline.starts.setdefault(cpu, []).append(when)
        timeline.tasks.setdefault(cpu, []).append((next_comm, after))
        timeline.comms[prev] = prev_comm
        if prev:
            left[prev] = (when, state)
        gone = left.pop(after, None) if after else None
        if gone is not None:
            timeline.off.setdefault(after, []).append((gone[0], when, gone[1]))
    return timeline


def user_frames(stack: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [frame for frame in stack if frame[1] != KERNEL]


def signature(stack: tuple[tuple[str, str], ...], depth: int = 3) -> str:
    """The few innermost frames that say what a thread was doing."""
    frames = user_frames(stack)
    if not frames:
        kernel = [sym for sym, _dso in stack[:2]]
        return "kernel: " + " ← ".join(kernel) if kernel else "?"
    shown: list[str] = []
    python = False
    for sym, dso in frames:
        if any(q in dso for q in _QUIET_DSOS) and shown:
            continue
        if _GLUE.match(sym):
            python = python or sym == "_PyEval_EvalFrameDefault"
            continue
        label = sym if dso.startswith("libpython") else f"{sym} [{dso}]"
        if label not in shown:
            shown.append(label)
        if len(shown) >= depth:
            break
    if not shown:
        return "(Python code)" if python else frames[0][0]
    return " ← ".join(shown)


def released_at(stack: tuple[tuple[str, str], ...]) -> str:
    """Where a waker let the GIL go: the frames above drop_gil's callers."""
    frames = user_frames(stack)
    syms = [sym for sym, _dso in frames]
    if "drop_gil" not in syms:
        return "not the GIL"
    rest = frames[syms.index("drop_gil") + 1 :]
    while rest and rest[0][0] in ("PyEval_SaveThread", "PyEval_ReleaseThread"):
        rest = rest[1:]
    if rest and rest[0][0] == "_PyEval_EvalFrameDefault":
        return "a switch request, in Python code"
    return "entering " + signature(tuple(rest), 2)


@dataclass
class StallCause:
    at: float  # seconds into the span
    ms: float  # the probe's lateness
    running_ms: float = 0.0
    cpu_wait_ms: float = 0.0
    gil_wait_ms: float = 0.0
    blocked_ms: float = 0.0
    idle_ms: float = 0.0
    ui_did: Counter[str] = field(default_factory=Counter)  # UI samples by signature
    cores_to: Counter[str] = field(default_factory=Counter)  # ms by task, while UI waited
    gil_holders: Counter[str] = field(default_factory=Counter)  # samples by thread: sig
    released: Counter[str] = field(default_factory=Counter)
    starved: Counter[str] = field(default_factory=Counter)  # ms other app threads waited
    blocked_on: Counter[str] = field(default_factory=Counter)

    def parts(self) -> dict[str, float]:
        return {
            "running": self.running_ms,
            "waiting for a CPU": self.cpu_wait_ms,
            "waiting for the GIL": self.gil_wait_ms,
            "blocked": self.blocked_ms,
            "idle": self.idle_ms,
        }

    def verdict(self) -> str:
        return max(self.parts().items(), key=lambda kv: kv[1])[0]


# What report() prints under each stall: (StallCause field, label, how many entries).
_DETAILS = (
    ("ui_did", "UI thread ran (1 ms samples)", 3),
    ("cores_to", "the cores went to (ms, while the UI thread was off)", 5),
    ("gil_holders", "other threads on a CPU meanwhile (samples)", 4),
    ("starved", "app threads ready but without a CPU meanwhile (ms)", 4),
    ("released", "the GIL came back from", 2),
    ("blocked_on", "blocked in", 2),
)


def analyse(
    trace: dict[str, object],
    events: list[Event],
    machine: CpuTimeline | None,
    threshold_ms: float,
) -> list[StallCause]:
    ui = int(trace["ui"])  # type: ignore[call-overload]
    app = int(trace["pid"])  # type: ignore[call-overload]
    names = {int(k): re.sub(r"_\d+$", "", v) for k, v in trace["threads"].items()}  # type: ignore[attr-defined]
    started, ended = float(trace["started"]), float(trace["ended"])  # type: ignore[arg-type]
    ticks = [t for t in trace["ticks"] if started <= t <= ended]  # type: ignore[attr-defined]
    probe = float(trace["probe_ms"])  # type: ignore[arg-type]

    pids = {e.tid: e.pid for e in events}
    hog = int(trace.get("hog") or 0)  # type: ignore[call-overload]

    def name(pid: int, tid: int) -> str:
        if pid != app:
            return "sandbox" if pid in pids.values() else "?"
        return names.get(tid, f"thread {tid}")

    def who(comm: str, tid: int) -> str:
        """A task that held a core: the app's threads by name, the others by command."""
        if tid == 0:
            return "idle"
        if tid == hog:
            return "the busy loop (--hog)"
        if tid in pids:
            return name(pids[tid], tid)
        return comm

    ui_events = [e for e in events if e.tid == ui]
    ui_times = [e.time for e in ui_events]
    switch_outs = {round(e.time, 5): e for e in ui_events if e.kind == "switch"}
    samples = [e for e in events if e.kind == "sample" and e.pid == app]
    sample_times = [e.time for e in samples]
    wakings = [e for e in events if e.kind == "waking" and f" pid={ui} " in f"{e.info} "]
    waking_times = [e.time for e in wakings]

    if machine is not None and machine.off.get(ui):
        off = machine.off[ui]
    else:  # without the machine-wide session: back on a CPU at its next event of its own
        off = []
        for i, e in enumerate(ui_events):
            if e.kind == "switch" and i + 1 < len(ui_events):
                state = re.search(r"prev_state=(\S+)", e.info)
                off.append((e.time, ui_events[i + 1].time, state.group(1) if state else "?"))
    off_starts = [o[0] for o in off]

    causes = []
    points = [started, *ticks]
    for a, b in itertools.pairwise(points):
        late = (b - a) * 1000 - probe
        if late <= threshold_ms:
            continue
        cause = StallCause(at=b - started, ms=late)
        waited = 0.0
        i = max(0, bisect.bisect_right(off_starts, a) - 1)
        while i < len(off) and off[i][0] < b:
            left, back, state = off[i]
            i += 1
            lo, hi = max(a, left), min(b, back)
            if hi <= lo:
                continue
            ms = (hi - lo) * 1000
            waited += ms
            if machine is not None:
                for (comm, tid), secs in machine.occupants(lo, hi).items():
                    cause.cores_to[who(comm, tid)] += secs * 1000
            if state.startswith("R"):
                cause.cpu_wait_ms += ms
                continue
            out = switch_outs.get(round(left, 5))
            if out is None:  # the stack of that switch-out: the nearest UI switch
                j = bisect.bisect_left(ui_times, left - 0.0002)
                near = [e for e in ui_events[j : j + 4] if e.kind == "switch"]
                out = near[0] if near else None
            syms = {sym for sym, _dso in out.stack} if out is not None else set()
            # take_gil: waiting for the GIL; drop_gil: Python's forced switch, waiting until
            # the thread that asked for the GIL has actually been scheduled and taken it.
            if syms & {"take_gil", "drop_gil"}:
                cause.gil_wait_ms += ms
                lo_i, hi_i = (
                    bisect.bisect_left(sample_times, lo),
                    bisect.bisect_right(sample_times, hi),
                )
                for s in samples[lo_i:hi_i]:
                    if s.tid != ui:
                        cause.gil_holders[f"{name(s.pid, s.tid)}: {signature(s.stack)}"] += 1
                if machine is not None:
                    # An app thread that holds the GIL but waits for a CPU keeps the UI
                    # thread waiting too (a niced worker behind other work).
                    for tid, pid in pids.items():
                        if pid == app and tid != ui:
                            starved = machine.waited_for_cpu(tid, lo, hi) * 1000
                            if starved >= 0.5:
                                cause.starved[name(pid, tid)] += starved
                k = bisect.bisect_right(waking_times, back) - 1
                if k >= 0 and waking_times[k] >= left:
                    w = wakings[k]
                    how = released_at(w.stack)
                    if machine is not None and how != "not the GIL":
                        # A holder that waited for a CPU itself: priority inversion.
                        starved = machine.waited_for_cpu(w.tid, lo, hi) * 1000
                        how += f", after {starved:.0f} ms waiting for a CPU itself"
                    cause.released[f"{name(w.pid, w.tid)}: {how}"] += 1
            elif out is not None and any("poll" in sym for sym, _dso in user_frames(out.stack)):
                cause.idle_ms += ms
            else:
                cause.blocked_ms += ms
                cause.blocked_on[signature(out.stack) if out is not None else "?"] += 1
        cause.running_ms = max(0.0, (b - a) * 1000 - waited)
        lo_i, hi_i = bisect.bisect_left(sample_times, a), bisect.bisect_right(sample_times, b)
        for s in samples[lo_i:hi_i]:
            if s.tid == ui:
                cause.ui_did[signature(s.stack)] += 1
        causes.append(cause)
    return causes


def _top(counter: Counter[str], n: int, unit: str = "") -> str:
    return "; ".join(f"{k} ({v:.0f}{unit})" for k, v in counter.most_common(n)) or "-"


def report(causes: list[StallCause], threshold: float) -> None:
    print(f"\n{len(causes)} stalls over {threshold:g} ms")
    for c in sorted(causes, key=lambda c: -c.ms):
        print(
            f"\n{c.ms:6.0f} ms at {c.at:5.1f} s: {c.verdict()} — running {c.running_ms:.0f}, "
            f"CPU wait {c.cpu_wait_ms:.0f}, GIL wait {c.gil_wait_ms:.0f}, blocked "
            f"{c.blocked_ms:.0f}, idle {c.idle_ms:.0f} ms"
        )
        for name, label, n in _DETAILS:
            counter: Counter[str] = getattr(c, name)
            if counter:
                print(f"   {label}: {_top(counter, n)}")
    totals: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    holders: Counter[str] = Counter()
    cores: Counter[str] = Counter()
    for c in causes:
        verdicts[c.verdict()] += 1
        totals.update(c.parts())
        holders.update(c.gil_holders)
        cores.update(c.cores_to)
    print("\nIn all: the stalls' time (ms): " + _top(totals, 5))
    print("stalls by their largest part: " + _top(verdicts, 5))
    starved: Counter[str] = Counter()
    for c in causes:
        starved.update(c.starved)
    print("during GIL waits, app threads ready but without a CPU (ms): " + _top(starved, 6))
    print("during GIL waits, other threads' samples: ")
    for k, v in holders.most_common(8):
        print(f"   {v:5d}  {k}")
    print("while the UI thread was off a CPU, the cores went to (ms): " + _top(cores, 8))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--mode", type=ui_latency.checked_mode, default="shipped", help="as ui_latency's --also"
    )
    parser.add_argument("--view", choices=("follow", "tall"), default="follow")
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--threshold", type=float, default=25.0, help="ms of lateness")
    parser.add_argument("--hog", action="store_true", help="a busy loop at nice 0 beside the run")
    parser.add_argument("--keep", type=Path, help="keep perf's data and the trace here")
    parser.add_argument("--child-arg", action="append", default=[], help="passed to the run")
    args = parser.parse_args()
    if shutil.which("perf") is None:
        raise SystemExit("perf is not installed (Debian: apt-get install linux-perf)")
    run = argparse.Namespace(
        tasks=args.tasks,
        press_interval=1.0,
        timeout=120.0,
        seed=1,
        view=args.view,
        sandbox_nice=10,
        height=0,
        no_none_guard=False,
        platform="xcb" if os.environ.get("DISPLAY") else "offscreen",
    )
    keep = args.keep
    with tempfile.TemporaryDirectory(prefix="stall-causes-") as scratch:
        folder = keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        trace_path = folder / "trace.json"
        machine_cmd = ["perf", "record", "-q", "-a", "-k", "CLOCK_MONOTONIC"]
        machine_cmd += ["-e", "sched:sched_switch", "-o", str(folder / "machine.data")]
        machine_perf = subprocess.Popen(machine_cmd, stderr=subprocess.DEVNULL)
        hog = ui_latency.start_hog() if args.hog else None
        try:
            command = ui_latency.child_command(
                args.mode, run, trace=trace_path, hog=hog.pid if hog is not None else 0
            )
            app_cmd = ["perf", "record", "-q", "-k", "CLOCK_MONOTONIC", "--call-graph"]
            app_cmd += ["dwarf,8192", "-e", "sched:sched_switch", "-e", "sched:sched_waking"]
            app_cmd += ["-e", "cpu-clock", "-c", "1000000", "-o", str(folder / "app.data")]
            proc = subprocess.run(
                [*app_cmd, "--", *command, *args.child_arg],
                capture_output=True,
                text=True,
                env=ui_latency.child_env(run.platform),
                check=False,
            )
        finally:
            if hog is not None:
                hog.kill()
                hog.wait()
            machine_perf.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                machine_perf.wait(30)
        result = ui_latency.child_result(args.mode, proc.returncode, proc.stdout, proc.stderr)
        ui_latency.print_run(1, result)
        trace = json.loads(trace_path.read_text())
        trace["hog"] = hog.pid if hog is not None else 0
        machine = None
        if (folder / "machine.data").exists():
            machine = read_machine(folder / "machine.data")
        events = list(read_app_events(folder / "app.data"))
        causes = analyse(trace, events, machine, args.threshold)
        report(causes, args.threshold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
