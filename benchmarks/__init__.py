"""The benchmarks, and how ``python -m benchmarks`` finds them.

A benchmark is a ``benchmarks/NAME.py`` with a top-level ``main`` that follows the protocol
in ``protocol.py`` (``--quick``, ``--json PATH``). The other modules here help them and are
named in ``HELPERS``: a new helper module with a ``main`` (a child process's entry point,
say) must be added there, or the runner will run it as a benchmark. A benchmark that needs a
real display says so with a module-level ``NEEDS_DISPLAY = True``; the runner then starts it
under ``xvfb-run -a`` when no display is set.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
HELPERS = frozenset({"protocol", "report", "sandbox_process", "stall_causes", "startup_driver"})


@dataclass(frozen=True)
class Benchmark:
    name: str
    path: Path
    needs_display: bool = False


def _needs_display(tree: ast.Module) -> bool:
    for node in tree.body:
        if (
            isinstance(node, ast.Assign | ast.AnnAssign)
            and any(
                isinstance(target, ast.Name) and target.id == "NEEDS_DISPLAY"
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            )
            and isinstance(node.value, ast.Constant)
        ):
            return node.value.value is True
    return False


def _has_main(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body)


def discover(folder: Path = FOLDER) -> list[Benchmark]:
    """Every benchmark in ``folder``, by name; read from source, so nothing is imported."""
    found = []
    for path in sorted(folder.glob("*.py")):
        name = path.stem
        if name.startswith("_") or name in HELPERS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if _has_main(tree):
            found.append(Benchmark(name, path, _needs_display(tree)))
    return found
