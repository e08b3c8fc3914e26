"""The layers' import rules (DESIGN.md): api/ knows no Qt; engine/ and sandbox/ no widgets.

Two checks, because each misses what the other sees: a static scan of every import
statement (catches imports inside functions), and a fresh interpreter that imports the
package and looks at sys.modules (catches imports through third parties).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "nanobanana_desktop"

FORBIDDEN = {
    "api": ("PySide6", "PyQt5", "PyQt6", "shiboken6", "qasync"),
    "sandbox": ("PySide6.QtWidgets", "PySide6.QtGui", "nanobanana_desktop.ui"),
    "engine": ("PySide6.QtWidgets", "PySide6.QtGui", "nanobanana_desktop.ui"),
}


def imported_modules(source: str, module: str) -> set[str]:
    """Absolute names of every module ``source`` (the module ``module``) imports."""
    tree = ast.parse(source)
    names: set[str] = set()
    parts = module.split(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts[: len(parts) - node.level]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def violations(layer: str, names: set[str]) -> list[str]:
    banned = FORBIDDEN[layer]
    return sorted(n for n in names if any(n == b or n.startswith(b + ".") for b in banned))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_sources_import_nothing_forbidden(layer):
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"{layer}/ has no sources"
    found = {
        module_name(f): violations(layer, imported_modules(f.read_text("utf-8"), module_name(f)))
        for f in files
    }
    assert {k: v for k, v in found.items() if v} == {}


def test_scanner_sees_a_crossing():
    """The check above must be able to fail: planted crossings are caught."""
    nested = "def f():\n    from PySide6 import QtWidgets\n"
    assert violations("api", imported_modules(nested, "nanobanana_desktop.api.x")) == [
        "PySide6",
        "PySide6.QtWidgets",
    ]
    relative = "from ..ui import main_window\n"
    names = imported_modules(relative, "nanobanana_desktop.sandbox.x")
    assert violations("sandbox", names) == [
        "nanobanana_desktop.ui",
        "nanobanana_desktop.ui.main_window",
    ]
    assert violations("engine", imported_modules("import PySide6.QtGui\n", "x")) == [
        "PySide6.QtGui"
    ]


@pytest.mark.parametrize(
    ("module", "banned"),
    [
        ("nanobanana_desktop.api", ("PySide6", "qasync")),
        ("nanobanana_desktop.sandbox", ("PySide6.QtWidgets", "PySide6.QtGui")),
        ("nanobanana_desktop.engine", ("PySide6.QtWidgets", "PySide6.QtGui")),
        # The window paints its frame before the network stack and the engine load
        # (docs/benchmarks.md, start-up): what it needs for that must not pull them in.
        (
            "nanobanana_desktop.app",
            ("httpx", "aiohttp", "PIL", "nanobanana_desktop.api", "nanobanana_desktop.session"),
        ),
        (
            "nanobanana_desktop.ui.main_window",
            ("httpx", "aiohttp", "PIL", "nanobanana_desktop.api", "nanobanana_desktop.engine.core"),
        ),
    ],
)
def test_importing_a_layer_loads_no_forbidden_module(module, banned):
    code = (
        "import sys, importlib\n"
        f"importlib.import_module({module!r})\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    loaded = [m for m in out if any(m == b or m.startswith(b + ".") for b in banned)]
    assert loaded == []
