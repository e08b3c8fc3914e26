"""``python -m benchmarks``: the report it writes, the benchmarks it finds, how it fails.

The report writer must keep the hand-written text of docs/benchmarks.md byte for byte and
replace only its generated block; the runner must find every benchmark, run each in its
own process, and mark (and exit non-zero on) one that crashes, hangs or reports nothing.
The fake benchmarks here are real scripts run by the real runner.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the benchmarks folder is a package of the checkout

from benchmarks import FOLDER, HELPERS, discover  # noqa: E402
from benchmarks.__main__ import main as run_benchmarks  # noqa: E402
from benchmarks.__main__ import run_one  # noqa: E402
from benchmarks.protocol import Figure, ProtocolError, Results, parse  # noqa: E402
from benchmarks.report import (  # noqa: E402
    BEGIN,
    END,
    BrokenMarkersError,
    Machine,
    Outcome,
    Run,
    format_number,
    format_ratio,
    render,
    replace_block,
    write_report,
)

QT = "Qt 6.11.3, PySide6 6.11.3"
MACHINE = Machine("Test CPU", 2, 7.8, "Debian 12 (Linux 6.1)", "3.11.7", QT)
WHEN = datetime(2026, 11, 24, 18, 5, tzinfo=UTC)


def a_run(*outcomes: Outcome, quick: bool = False) -> Run:
    return Run(list(outcomes), MACHINE, WHEN, quick, load=(1.5, 2.25))


def ok(name: str = "api_roundtrip", *figures: Figure) -> Outcome:
    figures = figures or (
        Figure("GET /api/user: client", 0.91, "ms", 0.89, "bare httpx", 1.0226, "≤ 1.2", True),
    )
    return Outcome(name, 12.0, Results(name, "API client overhead", False, list(figures)))


# ------------------------------------------------------------------ the document


HAND_WRITTEN = """# Benchmarks

Intro, written by hand.

## API client overhead

| request | ratio |
|---|---|
| GET | 1.02 |

Trailing notes, no newline at the end"""


def test_a_first_run_inserts_the_block_before_the_first_section() -> None:
    updated = replace_block(HAND_WRITTEN, render(a_run(ok())))
    head, rest = updated.split(BEGIN)
    block, tail = rest.split(END)
    assert head == "# Benchmarks\n\nIntro, written by hand.\n\n"
    assert tail == "\n\n" + HAND_WRITTEN[len(head) :]
    assert "GET /api/user: client" in block


def test_a_later_run_replaces_only_the_block() -> None:
    first = replace_block(HAND_WRITTEN, render(a_run(ok())))
    failed = Outcome("polling", 300.0, failure="timed out after 300 s")
    second = replace_block(first, render(a_run(failed)))
    assert second.count(BEGIN) == second.count(END) == 1
    assert "GET /api/user" not in second
    assert "timed out after 300 s" in second
    outside = second.split(BEGIN)[0] + second.split(END)[1]
    assert outside == first.split(BEGIN)[0] + first.split(END)[1]


def test_the_committed_report_keeps_every_hand_written_byte() -> None:
    document = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    updated = replace_block(document, render(a_run(ok())))
    if BEGIN in document:
        before, after = document.split(BEGIN)[0], document.split(END)[1]
        assert updated.startswith(before) and updated.endswith(after)
    else:
        assert updated.replace(render(a_run(ok())) + "\n\n", "") == document
    for heading in ("## API client overhead", "## Tracking tasks", "## Start-up"):
        assert heading in updated


@pytest.mark.parametrize(
    "document",
    [
        f"# B\n\n{BEGIN}\nold\n",  # no end
        f"# B\n\n{END}\nold\n{BEGIN}\n",  # the wrong way round
        f"{BEGIN}\n{END}\n\n{BEGIN}\n{END}\n",  # two blocks
    ],
)
def test_broken_markers_are_refused_rather_than_guessed(document: str) -> None:
    with pytest.raises(BrokenMarkersError, match="exactly one of each"):
        replace_block(document, render(a_run(ok())))


def test_an_empty_output_file_becomes_a_report(tmp_path: Path) -> None:
    target = tmp_path / "quick.md"
    target.write_text("")  # as mktemp leaves it
    write_report(target, a_run(ok(), quick=True))
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\n" + BEGIN)
    assert "quick mode" in text and "not judged" in text


# ------------------------------------------------------------------ the table


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [
        (1.0226, "1.02×"),
        (0.3812, "0.381×"),
        (0.0189, "0.0189×"),
        (40.63, "40.6×"),
        (283.4, "283×"),
        (1529.2, "1,529×"),
        (None, "—"),
    ],
)
def test_ratios_are_shown_to_three_figures(ratio: float | None, shown: str) -> None:
    assert format_ratio(ratio) == shown


def test_tiny_numbers_are_not_in_exponent_form() -> None:
    assert format_number(0.0000123) == "0.0000123"
    assert format_number(0.0) == "0.00"


def test_a_figure_row_holds_value_baseline_ratio_goal_and_verdict() -> None:
    block = render(a_run(ok()))
    row = next(line for line in block.splitlines() if "GET /api/user" in line)
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells == [
        "`api_roundtrip`",
        "GET /api/user: client",
        "0.910 ms",
        "0.890 ms (bare httpx)",
        "1.02×",
        "≤ 1.2",
        "yes",
    ]


def test_the_header_names_machine_date_mode_and_goals() -> None:
    missed = Figure("cold 4K PNG", 6.5, "thumbnails/s", 3.8, "naive", 1.71, "ratio ≥ 2", False)
    thumbnails = ok("thumbnails", missed)
    thumbnails.load = 3.24
    block = render(a_run(ok(), thumbnails))
    assert "2026-11-24 18:05 UTC, full mode" in block
    assert "Test CPU, 2 cores, 7.8 GiB RAM; Debian 12 (Linux 6.1); Python 3.11.7" in block
    assert "Qt 6.11.3, PySide6 6.11.3" in block
    assert "1.50 at the start, 2.25 at the end" in block
    assert "**Goals met:** 1 of 2." in block
    assert "- `thumbnails`, API client overhead: 12 s, load average 3.2 as it ended." in block
    assert "| **no** |" in block


def test_a_failed_benchmark_is_a_row_with_its_reason() -> None:
    failed = Outcome("startup", 7.7, failure="exit code 2: TypeError: boom | bang")
    block = render(a_run(ok(), failed))
    row = next(line for line in block.splitlines() if line.startswith("| `startup`"))
    assert "**failed**: exit code 2: TypeError: boom \\| bang" in row
    assert row.count(" | ") == 6  # the escaped pipe does not make a new column
    assert "**1 benchmark(s) failed**" in block


# ------------------------------------------------------------------ the protocol


def protocol_json(**changes: object) -> str:
    data: dict[str, object] = {
        "benchmark": "fake",
        "title": "A fake",
        "quick": True,
        "figures": [{"name": "speed", "value": 2.0, "unit": "x/s", "baseline": 1.0}],
        "notes": [],
    }
    data.update(changes)
    return json.dumps(data)


def test_the_runner_reads_the_protocol() -> None:
    results = parse(protocol_json(), benchmark="fake", quick=True)
    assert results.figures == [Figure("speed", 2.0, "x/s", 1.0)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"figures": []}, "emitted no figures"),
        ({"quick": False}, "quick=False when run with quick=True"),
        ({"benchmark": "other"}, "names itself 'other'"),
        ({"figures": [{"name": "speed", "value": "fast", "unit": "x/s"}]}, "not a number"),
        ({"figures": [{"name": "speed", "value": 1.0, "unit": "x", "met": "yes"}]}, "met"),
    ],
)
def test_output_off_the_protocol_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse(protocol_json(**changes), benchmark="fake", quick=True)


def test_a_non_finite_value_is_refused() -> None:
    text = protocol_json().replace('"value": 2.0', '"value": NaN')
    with pytest.raises(ProtocolError, match="not a finite number"):
        parse(text, benchmark="fake", quick=True)


# ------------------------------------------------------------------ discovery


def test_discovery_finds_every_benchmark_and_no_helper() -> None:
    found = {benchmark.name for benchmark in discover()}
    assert {"api_roundtrip", "polling", "startup", "thumbnails", "ui_latency"} <= found
    assert not found & HELPERS
    for path in FOLDER.glob("*.py"):
        # Every module is a benchmark, a declared helper, or the package's own: a helper
        # nobody declared would be run as a benchmark, a benchmark without main skipped.
        assert (path.stem in found) != (path.stem in HELPERS or path.stem.startswith("_")), path


def test_every_benchmark_offers_quick_and_json() -> None:
    for benchmark in discover():
        usage = subprocess.run(
            [sys.executable, str(benchmark.path), "--help"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=True,
        ).stdout
        assert "--quick" in usage and "--json" in usage, benchmark.name


def test_discovery_reads_main_and_the_display_marker(tmp_path: Path) -> None:
    (tmp_path / "fast.py").write_text("def main() -> int:\n    return 0\n")
    (tmp_path / "windowed.py").write_text("NEEDS_DISPLAY = True\n\ndef main():\n    pass\n")
    (tmp_path / "shared_bits.py").write_text("def helper():\n    pass\n")
    (tmp_path / "startup_driver.py").write_text("def main():\n    pass\n")
    (tmp_path / "__main__.py").write_text("def main():\n    pass\n")
    found = {b.name: b.needs_display for b in discover(tmp_path)}
    assert found == {"fast": False, "windowed": True}


# ------------------------------------------------------------------ running


FAKES = {
    "good": """
        import argparse, json, sys
        parser = argparse.ArgumentParser()
        parser.add_argument("--quick", action="store_true")
        parser.add_argument("--json")
        def main():
            args = parser.parse_args()
            figure = {"name": "speed", "value": 3.0, "unit": "x/s", "baseline": 1.5,
                      "baseline_name": "slow", "ratio": 2.0, "goal": "ratio ≥ 2", "met": True}
            data = {"benchmark": "good", "title": "Good", "quick": args.quick,
                    "figures": [figure], "notes": ["fine"]}
            open(args.json, "w").write(json.dumps(data))
            return 0
        sys.exit(main())
    """,
    "crashes": """
        def main():
            raise RuntimeError("the sandbox went away")
        main()
    """,
    "silent": """
        import sys
        def main():
            print("measured nothing")
            return 0
        sys.exit(main())
    """,
    "hangs": """
        import time
        def main():
            time.sleep(120)
        main()
    """,
}


@pytest.fixture
def fakes(tmp_path: Path) -> Path:
    folder = tmp_path / "fakes"
    folder.mkdir()
    for name, source in FAKES.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(source))
    return folder


def test_run_one_says_why_a_benchmark_failed(fakes: Path, tmp_path: Path) -> None:
    by_name = {b.name: b for b in discover(fakes)}
    good = run_one(by_name["good"], True, 60, tmp_path)
    assert good.failure is None and good.results is not None
    assert good.results.figures[0].ratio == 2.0
    crashed = run_one(by_name["crashes"], True, 60, tmp_path)
    assert crashed.failure == "exit code 1: RuntimeError: the sandbox went away"
    silent = run_one(by_name["silent"], True, 60, tmp_path)
    assert silent.failure == "wrote no figures (no --json output)"
    hung = run_one(by_name["hangs"], True, 3, tmp_path)
    assert hung.failure == "timed out after 3 s"
    assert hung.seconds < 60


def test_the_runner_exits_non_zero_and_still_writes_the_table(fakes: Path, tmp_path: Path) -> None:
    (fakes / "hangs.py").unlink()
    report = tmp_path / "report.md"
    code = run_benchmarks(["--quick", "--output", str(report)], folder=fakes)
    assert code == 1
    text = report.read_text(encoding="utf-8")
    assert "| `good` | speed | 3.00 x/s | 1.50 x/s (slow) | 2.00× | ratio ≥ 2 | yes |" in text
    assert "| `crashes` | — | **failed**: exit code 1: RuntimeError" in text
    assert "| `silent` | — | **failed**: wrote no figures" in text


def test_the_runner_passes_when_every_benchmark_reports(fakes: Path, tmp_path: Path) -> None:
    for name in ("hangs", "crashes", "silent"):
        (fakes / f"{name}.py").unlink()
    report = tmp_path / "report.md"
    assert run_benchmarks(["--quick", "--output", str(report)], folder=fakes) == 0
    assert "**Goals met:** 1 of 1." in report.read_text(encoding="utf-8")


def test_quick_mode_never_replaces_the_committed_report() -> None:
    committed = ROOT / "docs" / "benchmarks.md"
    with pytest.raises(SystemExit):
        run_benchmarks(["--quick"])
    with pytest.raises(SystemExit):
        run_benchmarks(["--quick", "--output", str(committed)])
