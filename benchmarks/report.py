"""The generated summary at the top of ``docs/benchmarks.md``.

The runner owns only the text between ``BEGIN`` and ``END``: a table of every figure of one
run (value, baseline, ratio, goal, met), the machine, the date and the mode. Everything
outside the markers (the method notes and per-run history, written by hand) is kept as it
is, byte for byte.
"""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from benchmarks.protocol import Figure, Results

BEGIN = "<!-- generated:begin -->"
END = "<!-- generated:end -->"
DASH = "—"


class BrokenMarkersError(ValueError):
    """The document's generated block cannot be found without guessing."""


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    ram_gib: float
    os: str
    python: str
    qt: str

    def describe(self) -> str:
        return (
            f"{self.cpu}, {self.cores} cores, {self.ram_gib:.1f} GiB RAM; {self.os}; "
            f"Python {self.python}; {self.qt}"
        )


@dataclass
class Outcome:
    """One benchmark's part of a run: its results, or why there are none."""

    benchmark: str
    seconds: float
    results: Results | None = None
    failure: str | None = None
    load: float | None = None  # 1-minute load average as it ended: how busy the machine was


@dataclass
class Run:
    outcomes: list[Outcome]
    machine: Machine
    started: datetime
    quick: bool
    load: tuple[float, float] | None = None  # 1-minute load average at start and at end
    not_run: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.failure is not None]


# ------------------------------------------------------------------ the machine


def _first_match(path: str, pattern: str) -> str | None:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = re.search(pattern, text, re.MULTILINE)
    return found.group(1).strip() if found else None


def _qt_version() -> str:
    try:
        import PySide6
        from PySide6.QtCore import qVersion
    except ImportError:
        return "PySide6 not installed"
    return f"Qt {qVersion()}, PySide6 {PySide6.__version__}"


def describe_machine() -> Machine:
    cpu = _first_match("/proc/cpuinfo", r"^model name\s*:\s*(.+)$") or platform.processor()
    mem_kib = _first_match("/proc/meminfo", r"^MemTotal:\s*(\d+) kB")
    if mem_kib is not None:
        ram = int(mem_kib) / 2**20
    else:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    distro = _first_match("/etc/os-release", r'^PRETTY_NAME="?([^"\n]+)"?$')
    system = f"{platform.system()} {platform.release()}"
    return Machine(
        cpu=cpu or "unknown CPU",
        cores=os.cpu_count() or 1,
        ram_gib=ram,
        os=f"{distro} ({system})" if distro else system,
        python=platform.python_version(),
        qt=_qt_version(),
    )


# ------------------------------------------------------------------ formatting


def format_number(value: float) -> str:
    """About three significant figures, never in exponent form."""
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 100:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1 or size == 0:
        return f"{value:.2f}"
    digits = 2 - int(f"{size:e}".split("e")[1])  # three significant figures below 1
    return f"{value:.{digits}f}"


def format_ratio(ratio: float | None) -> str:
    if ratio is None:
        return DASH
    return f"{format_number(ratio)}×"


def format_met(met: bool | None) -> str:
    if met is None:
        return DASH
    return "yes" if met else "**no**"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def figure_row(benchmark: str, figure: Figure) -> str:
    value = f"{format_number(figure.value)} {figure.unit}".strip()
    if figure.baseline is None:
        baseline = DASH
    else:
        baseline = f"{format_number(figure.baseline)} {figure.unit}".strip()
        if figure.baseline_name:
            baseline += f" ({figure.baseline_name})"
    return _row(
        [
            f"`{benchmark}`",
            figure.name,
            value,
            baseline,
            format_ratio(figure.ratio),
            figure.goal or DASH,
            format_met(figure.met),
        ]
    )


def failure_row(outcome: Outcome) -> str:
    return _row([f"`{outcome.benchmark}`", DASH, f"**failed**: {outcome.failure}", *[DASH] * 4])


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _seconds(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"


def render(run: Run) -> str:
    """The generated block, markers included."""
    mode = (
        "quick mode (small sizes, to prove that every benchmark still runs; "
        "these times are not judged)"
        if run.quick
        else "full mode"
    )
    lines = [
        BEGIN,
        "<!-- Written by `python -m benchmarks`; edits between these markers are replaced. -->",
        "",
        f"**Last run:** {run.started:%Y-%m-%d %H:%M} UTC, {mode}, "
        f"{_seconds(sum(o.seconds for o in run.outcomes))} in all.  ",
        f"**Machine:** {run.machine.describe()}.  ",
    ]
    if run.load is not None:
        lines.append(
            f"**Load average** (1 min) {run.load[0]:.2f} at the start, {run.load[1]:.2f} at the "
            "end: other work shares this machine.  "
        )
    goals = [f for o in run.outcomes if o.results for f in o.results.figures if f.met is not None]
    met = sum(1 for figure in goals if figure.met)
    summary = f"**Goals met:** {met} of {len(goals)}"
    if run.failed:
        summary += f"; **{len(run.failed)} benchmark(s) failed**"
    lines += [
        summary + ".",
        "",
        "Each figure's baseline was measured in the same run, on the same machine; "
        "ratio = figure / baseline. The sections below say how each benchmark measures, "
        "with the history of earlier runs.",
        "",
        _row(["benchmark", "figure", "value", "baseline", "ratio", "goal", "met"]),
        "|---|---|---|---|---|---|---|",
    ]
    for outcome in run.outcomes:
        if outcome.results is None:
            lines.append(failure_row(outcome))
        else:
            lines += [figure_row(outcome.benchmark, f) for f in outcome.results.figures]
    lines += ["", "Runs:", ""]
    for outcome in run.outcomes:
        head = f"- `{outcome.benchmark}`"
        if outcome.results is not None:
            head += f", {outcome.results.title}"
        head += f": {_seconds(outcome.seconds)}"
        if outcome.load is not None:
            head += f", load average {outcome.load:.1f} as it ended"
        if outcome.failure is not None:
            head += f", **failed**: {outcome.failure}"
        notes = outcome.results.notes if outcome.results else []
        lines.append(" ".join([head + ".", *(_sentence(note) for note in notes)]))
    if run.not_run:
        lines.append(f"- Not run this time: {', '.join(f'`{n}`' for n in run.not_run)}.")
    lines.append(END)
    return "\n".join(lines)


# ------------------------------------------------------------------ the document


def replace_block(document: str, block: str) -> str:
    """``document`` with its generated block replaced by ``block`` (inserted if none)."""
    begins, ends = document.count(BEGIN), document.count(END)
    if begins == ends == 1 and document.index(BEGIN) < document.index(END):
        start = document.index(BEGIN)
        end = document.index(END) + len(END)
        return document[:start] + block + document[end:]
    if begins or ends:
        raise BrokenMarkersError(
            f"found {begins} {BEGIN} and {ends} {END}: leave exactly one of each, in that "
            "order, around the generated summary, and run again"
        )
    if not document.strip():
        return f"# Benchmarks\n\n{block}\n"
    heading = re.search(r"^## ", document, re.MULTILINE)
    if heading is None:
        return document.rstrip("\n") + f"\n\n{block}\n"
    at = heading.start()
    return document[:at] + block + "\n\n" + document[at:]


def check_markers(path: Path) -> None:
    """Raise BrokenMarkersError now, rather than after a run, if ``path`` cannot be updated."""
    if path.exists():
        replace_block(path.read_text(encoding="utf-8"), "")


def write_report(path: Path, run: Run) -> None:
    """Replace the generated block of the document at ``path`` (made if missing or empty)."""
    document = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = replace_block(document, render(run))
    temporary = path.with_name(f".{path.name}.writing")
    temporary.write_text(updated, encoding="utf-8")
    temporary.replace(path)
