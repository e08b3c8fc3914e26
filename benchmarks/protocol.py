"""The figures a benchmark reports, in the shape ``python -m benchmarks`` collects.

Every ``benchmarks/NAME.py`` runs as ``python benchmarks/NAME.py [--quick] [--json PATH]``;
``--quick`` finishes in about a minute with small sizes (its times are not judged), and
``--json PATH`` writes::

    {"benchmark": "NAME", "title": "...", "quick": bool,
     "figures": [{"name": str, "value": float, "unit": str, "baseline": float | null,
                  "baseline_name": str | null, "ratio": float | null, "goal": str | null,
                  "met": bool | null}],
     "notes": [str]}

A benchmark may add a ``"details"`` object (its raw samples); the runner ignores it.
This module is imported both as ``protocol`` (by a benchmark run as a script, whose folder
is then on ``sys.path``) and as ``benchmarks.protocol`` (by the runner and the tests).
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str | None = None
    ratio: float | None = None
    goal: str | None = None
    met: bool | None = None


def compared(
    name: str,
    value: float,
    unit: str,
    baseline: float,
    baseline_name: str,
    *,
    goal: str | None = None,
    met: bool | None = None,
    ratio: float | None = None,
) -> Figure:
    """A figure against its baseline; the ratio is value / baseline unless given."""
    return Figure(
        name,
        value,
        unit,
        baseline,
        baseline_name,
        value / baseline if ratio is None else ratio,
        goal,
        met,
    )


@dataclass
class Results:
    benchmark: str
    title: str
    quick: bool
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes, about a minute: proves the benchmark runs (its times are not judged)",
    )
    parser.add_argument("--json", type=Path, help="write the figures here (the runner's format)")


def write(path: Path, results: Results, details: dict[str, Any] | None = None) -> None:
    data: dict[str, Any] = {
        "benchmark": results.benchmark,
        "title": results.title,
        "quick": results.quick,
        "figures": [asdict(figure) for figure in results.figures],
        "notes": list(results.notes),
    }
    if details is not None:
        data["details"] = details
    path.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")


class ProtocolError(ValueError):
    """A benchmark's JSON is not in the shape above."""


_OPTIONAL_FLOATS = ("baseline", "ratio")
_OPTIONAL_STRINGS = ("baseline_name", "goal")


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"{where} is {value!r}, not a number")
    if not math.isfinite(value):
        raise ProtocolError(f"{where} is {value!r}, not a finite number")
    return float(value)


def _figure(raw: object, index: int) -> Figure:
    where = f"figures[{index}]"
    if not isinstance(raw, dict):
        raise ProtocolError(f"{where} is not an object")
    name, unit = raw.get("name"), raw.get("unit")
    if not isinstance(name, str) or not name.strip():
        raise ProtocolError(f"{where}.name is missing or empty")
    if not isinstance(unit, str):
        raise ProtocolError(f"{where}.unit is missing")
    value = _number(raw.get("value"), f"{where}.value ({name})")
    floats: dict[str, float | None] = {}
    for key in _OPTIONAL_FLOATS:
        item = raw.get(key)
        floats[key] = None if item is None else _number(item, f"{where}.{key} ({name})")
    strings: dict[str, str | None] = {}
    for key in _OPTIONAL_STRINGS:
        item = raw.get(key)
        if item is not None and not isinstance(item, str):
            raise ProtocolError(f"{where}.{key} ({name}) is {item!r}, not a string")
        strings[key] = item
    met = raw.get("met")
    if met is not None and not isinstance(met, bool):
        raise ProtocolError(f"{where}.met ({name}) is {met!r}, not true, false or null")
    return Figure(
        name,
        value,
        unit,
        floats["baseline"],
        strings["baseline_name"],
        floats["ratio"],
        strings["goal"],
        met,
    )


def parse(text: str, *, benchmark: str, quick: bool) -> Results:
    """The results in ``text``, checked: the runner's view of a benchmark's ``--json``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ProtocolError("not a JSON object")
    if data.get("benchmark") != benchmark:
        raise ProtocolError(f"names itself {data.get('benchmark')!r}, not {benchmark!r}")
    if data.get("quick") is not quick:
        raise ProtocolError(f"says quick={data.get('quick')!r} when run with quick={quick}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ProtocolError("has no title")
    raw_figures = data.get("figures")
    if not isinstance(raw_figures, list):
        raise ProtocolError("has no list of figures")
    if not raw_figures:
        raise ProtocolError("emitted no figures")
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(note, str) for note in notes):
        raise ProtocolError("notes is not a list of strings")
    figures = [_figure(raw, index) for index, raw in enumerate(raw_figures)]
    return Results(benchmark, title, quick, figures, notes)
