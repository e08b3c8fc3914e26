"""What of Qt the bundle keeps: the plugins the app uses and the libraries they need.

PyInstaller's PySide6 hooks collect every plugin of every kind QtGui might load (EGL
device integrations, PDF and SVG image readers, TLS back ends, the GTK theme...) and then
every library those plugins link to. The spec calls :func:`trim` on the analysis: plugins
not named here go, and then every library that nothing kept still links to goes too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

# Plugin kind -> plugin names (file names without "lib" and extension) that stay.
KEPT_PLUGINS: dict[str, frozenset[str]] = {
    # offscreen: CI and the smoke test; xcb: X11; wayland: Wayland sessions. Windows and
    # macOS have one platform each.
    "platforms": frozenset({"qoffscreen", "qxcb", "qwayland", "qwindows", "qcocoa"}),
    # A Wayland window needs a shell, and GNOME's Wayland draws no title bar for it.
    "wayland-shell-integration": frozenset({"xdg-shell"}),
    "wayland-decoration-client": frozenset({"bradient", "adwaita"}),
    # Native file dialogs and the dark or light scheme through the desktop portal. Not gtk3:
    # it would bring the build machine's whole GTK stack (about 20 MB), and Qt's built-in
    # GNOME and KDE themes read the colour scheme without it.
    "platformthemes": frozenset({"qxdgdesktopportal"}),
    # Dead keys and input methods: Dutch prompts have accents.
    "platforminputcontexts": frozenset(
        {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"}
    ),
    # Results are PNG (built into Qt), JPEG or WebP; the viewer decodes them with Qt.
    "imageformats": frozenset({"qjpeg", "qwebp"}),
    # The native look on Windows and macOS.
    "styles": frozenset({"qmodernwindowsstyle", "qwindowsvistastyle", "qmacstyle"}),
}

# Modules the app never uses, which hooks or optional imports would pull in.
EXCLUDED_MODULES: list[str] = [
    "tkinter",
    "PySide6.QtNetwork",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtSvg",
    "PySide6.QtSvgWidgets",
    "PySide6.QtDBus",
    "PySide6.QtPdf",
    "PySide6.QtTest",
    # Pillow's AVIF codec (5 MB): the app reads PNG, JPEG, WebP, GIF, BMP and TIFF only.
    "PIL._avif",
    "PIL.ImageTk",
    "PIL._imagingtk",
]

# The interpreter is loaded by the bootloader, not linked from anything: always kept.
_PYTHON_RUNTIME = re.compile(r"^(lib)?python3|^Python$", re.IGNORECASE)

Entry = tuple[str, str, str]  # PyInstaller's TOC entry: (name in the bundle, source, kind)
Imports = Callable[[str], Iterable[str]]  # a binary's file -> the names it links to


def plugin_of(name: str) -> tuple[str, str] | None:
    """(kind, plugin name) when ``name`` is a Qt plugin's place in the bundle."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if "plugins" not in parts[:-1]:
        return None
    at = parts.index("plugins")
    if not any(part.startswith("PySide6") for part in parts[:at]) or at + 2 >= len(parts):
        return None
    stem = parts[-1].split(".")[0]
    return parts[at + 1], stem.removeprefix("lib")


def keeps_plugin(name: str) -> bool:
    found = plugin_of(name)
    if found is None:
        return True
    kind, plugin = found
    return plugin in KEPT_PLUGINS.get(kind, frozenset())


def _base(name: str) -> str:
    # Windows links are case-insensitive; elsewhere no two libraries differ by case alone.
    return PurePosixPath(name.replace("\\", "/")).name.lower()


def is_library(entry: Entry) -> bool:
    """A shared library the analysis collected because something links to it (or a hook
    listed it), as against a Python extension module, a Qt plugin or the interpreter."""
    name, _source, kind = entry
    return (
        kind == "BINARY"
        and plugin_of(name) is None
        and not _PYTHON_RUNTIME.match(PurePosixPath(name.replace("\\", "/")).name)
    )


def keeps_translation(name: str, languages: Iterable[str]) -> bool:
    """Qt's own catalogues: only qtbase (dialog buttons), in the app's languages."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.suffix != ".qm" or "translations" not in path.parts or "PySide6" not in path.parts:
        return True
    return path.stem in {f"qtbase_{language}" for language in languages}


def trim(
    binaries: list[Entry], datas: list[Entry], languages: Iterable[str], imports: Imports
) -> tuple[list[Entry], list[Entry]]:
    """The binaries and data files the bundle needs, from what the analysis collected.

    Plugins not in KEPT_PLUGINS go; then each shared library stays only if an extension
    module, a kept plugin or the interpreter links to it, directly or through another
    kept library. A library only a dropped plugin needed (the GTK stack behind the gtk3
    theme, QtNetwork behind the TLS plugins) goes with it.
    """
    wanted = [entry for entry in binaries if keeps_plugin(entry[0])]
    libraries: dict[str, list[Entry]] = {}
    for entry in wanted:
        if is_library(entry):
            libraries.setdefault(_base(entry[0]), []).append(entry)
    needed: set[str] = set()
    queue = [entry for entry in wanted if not is_library(entry)]
    while queue:
        entry = queue.pop()
        for linked in imports(entry[1]):
            base = _base(linked)
            if base in libraries and base not in needed:
                needed.add(base)
                queue.extend(libraries[base])
    kept = [entry for entry in wanted if not is_library(entry) or _base(entry[0]) in needed]
    dropped = {entry[0] for entry in binaries} - {entry[0] for entry in kept}
    langs = list(languages)
    kept_datas = [
        entry
        for entry in datas
        if keeps_translation(entry[0], langs)
        # PyInstaller's aliases (libQt6Core.so.6 -> PySide6/Qt/lib/...) of dropped libraries
        and not (entry[2] == "SYMLINK" and entry[1] in dropped)
    ]
    return kept, kept_datas
