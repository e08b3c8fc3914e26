"""The app icon, the Linux desktop files, the install script and the PyInstaller bundle.

The bundle test is marked slow: .ci/run builds the bundle once and runs it, offscreen and
on X11 under Xvfb, with ``--sandbox --smoke-test``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage

from nanobanana_desktop import __version__
from nanobanana_desktop.app import DESKTOP_ID, app_icon

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
LINUX = PACKAGING / "linux"
DESKTOP_FILE = LINUX / f"{DESKTOP_ID}.desktop"
METAINFO = LINUX / f"{DESKTOP_ID}.metainfo.xml"
ICON_NAME = "nanobanana-desktop"


def packaging_module(name: str) -> ModuleType:
    """A script from packaging/, which is a folder of scripts rather than a package."""
    spec = importlib.util.spec_from_file_location(name, PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def desktop_entry(path: Path) -> dict[str, str]:
    entry: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("[") and entry:
            break  # only the main group, not the actions
        key, sep, value = line.partition("=")
        if sep:
            entry[key] = value
    return entry


# ---------------------------------------------------------------- the icon


def test_icon_pngs_are_the_master_rendered_at_every_freedesktop_size():
    done = subprocess.run(
        [sys.executable, str(PACKAGING / "render_icons.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_icon_check_notices_a_png_that_no_longer_matches(qapp, tmp_path):
    # qapp first: the renderer would otherwise make a QGuiApplication of its own.
    render_icons = packaging_module("render_icons")
    assert render_icons.main(["--out", str(tmp_path)]) == 0
    stale = render_icons.png_path(48, tmp_path)
    image = QImage(str(stale))
    image.fill(QColor("#ff0000"))
    assert image.save(str(stale))
    assert render_icons.main(["--check", "--out", str(tmp_path)]) == 1
    assert render_icons.main(["--check", "--out", str(tmp_path / "empty")]) == 1


def test_small_icons_fill_their_square_and_large_ones_keep_a_margin():
    render_icons = packaging_module("render_icons")
    for size in render_icons.SIZES:
        image = QImage(str(render_icons.png_path(size)))
        assert image.size() == QSize(size, size)
        # The middle of the top edge is tile at small sizes (no blurred half pixel there),
        # and transparent margin at large ones.
        edge_alpha = image.pixelColor(size // 2, 0).alpha()
        assert (edge_alpha == 255) if size < render_icons.CROP_BELOW else (edge_alpha == 0)


def test_window_icon_offers_every_rendered_size(qapp):
    render_icons = packaging_module("render_icons")
    sizes = {size.width() for size in app_icon().availableSizes()}
    assert sizes == set(render_icons.SIZES)


# ---------------------------------------------------------------- Linux desktop files


def test_desktop_file_validates():
    done = subprocess.run(
        ["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in done.stdout.lower()


def test_metainfo_validates_offline():
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_desktop_files_name_the_app_as_the_app_and_installer_do():
    entry = desktop_entry(DESKTOP_FILE)
    assert entry["Exec"] == entry["TryExec"] == "nanobanana-desktop"
    assert entry["Icon"] == ICON_NAME
    component = ET.parse(METAINFO).getroot()
    assert component.findtext("id") == DESKTOP_ID
    assert component.findtext("launchable") == DESKTOP_FILE.name
    assert component.findtext("provides/binary") == "nanobanana-desktop"
    assert component.findtext("icon") == ICON_NAME
    assert component.find("releases/release").get("version") == __version__
    assert f"APP_ID={DESKTOP_ID}\n" in (LINUX / "install.sh").read_text()


# ---------------------------------------------------------------- Qt trimming


def test_plugins_are_recognised_wherever_the_platform_puts_them():
    qt_trim = packaging_module("qt_trim")
    assert qt_trim.plugin_of("PySide6/Qt/plugins/platforms/libqxcb.so") == ("platforms", "qxcb")
    assert qt_trim.plugin_of("PySide6\\plugins\\imageformats\\qjpeg.dll") == (
        "imageformats",
        "qjpeg",
    )
    assert qt_trim.plugin_of("PySide6/Qt/plugins/platforms/libqcocoa.dylib") == (
        "platforms",
        "qcocoa",
    )
    assert qt_trim.plugin_of("PySide6/Qt/lib/libQt6Core.so.6") is None
    assert qt_trim.plugin_of("somepackage/plugins/thing.so") is None


def test_trim_drops_unused_plugins_and_the_libraries_only_they_needed():
    qt_trim = packaging_module("qt_trim")
    plugins = "PySide6/Qt/plugins/"
    binaries = [
        ("PySide6/QtGui.abi3.so", "/src/QtGui.abi3.so", "EXTENSION"),
        ("libpython3.11.so.1.0", "/src/libpython3.11.so.1.0", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/src/libQt6XcbQpa.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Network.so.6", "/src/libQt6Network.so.6", "BINARY"),
        ("libgtk-3.so.0", "/src/libgtk-3.so.0", "BINARY"),
        (plugins + "platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        (plugins + "platformthemes/libqgtk3.so", "/src/libqgtk3.so", "BINARY"),
        (plugins + "tls/libqopensslbackend.so", "/src/libqopensslbackend.so", "BINARY"),
        (plugins + "imageformats/libqjpeg.so", "/src/libqjpeg.so", "BINARY"),
        (plugins + "imageformats/libqpdf.so", "/src/libqpdf.so", "BINARY"),
    ]
    links = {
        "/src/QtGui.abi3.so": ["libQt6Gui.so.6", "libc.so.6"],
        "/src/libQt6Gui.so.6": ["libQt6Core.so.6"],
        "/src/libqxcb.so": ["libQt6XcbQpa.so.6", "libQt6Gui.so.6"],
        "/src/libqgtk3.so": ["libgtk-3.so.0"],
        "/src/libqopensslbackend.so": ["libQt6Network.so.6"],
    }
    datas = [
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("PySide6/Qt/translations/qtbase_nl.qm", "/src/qtbase_nl.qm", "DATA"),
        ("PySide6/Qt/translations/qtbase_de.qm", "/src/qtbase_de.qm", "DATA"),
        ("PySide6/Qt/translations/qt_help_nl.qm", "/src/qt_help_nl.qm", "DATA"),
        ("nanobanana_desktop/translations/nanobanana_nl.qm", "/src/nanobanana_nl.qm", "DATA"),
    ]
    kept, kept_datas = qt_trim.trim(binaries, datas, ["nl"], lambda path: links.get(path, []))
    assert {name for name, _source, _kind in kept} == {
        "PySide6/QtGui.abi3.so",
        "libpython3.11.so.1.0",
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt/lib/libQt6XcbQpa.so.6",
        plugins + "platforms/libqxcb.so",
        plugins + "imageformats/libqjpeg.so",
    }
    assert [name for name, _source, _kind in kept_datas] == [
        "libQt6Core.so.6",
        "PySide6/Qt/translations/qtbase_nl.qm",
        "nanobanana_desktop/translations/nanobanana_nl.qm",
    ]


# ---------------------------------------------------------------- install.sh


def run_install(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "HOME": str(home),
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        ["sh", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


# What update-desktop-database and gtk-update-icon-cache write, where they are installed.
CACHES = {"mimeinfo.cache", "icon-theme.cache"}


def installed_files(home: Path) -> list[str]:
    return sorted(
        str(p.relative_to(home)) for p in home.rglob("*") if not p.is_dir() and p.name not in CACHES
    )


def test_install_script_puts_a_bundle_in_place_and_takes_it_away(tmp_path):
    build = packaging_module("build")
    bundle = tmp_path / "dist" / "nanobanana-desktop"
    bundle.mkdir(parents=True)
    program = bundle / "nanobanana-desktop"
    program.write_text('#!/bin/sh\necho "a stand-in bundle, given: $*"\n')
    program.chmod(0o755)
    build.add_desktop_files(bundle)
    home = tmp_path / "home"
    home.mkdir()

    done = run_install(home, str(bundle / "install.sh"))
    assert done.returncode == 0, done.stderr
    opt = home / ".local" / "opt" / "nanobanana-desktop"
    share = home / ".local" / "share"
    menu_entry = share / "applications" / f"{DESKTOP_ID}.desktop"
    entry = desktop_entry(menu_entry)
    assert entry["Exec"] == f'"{opt}/nanobanana-desktop"'
    assert entry["TryExec"] == f"{opt}/nanobanana-desktop"
    checked = subprocess.run(["desktop-file-validate", str(menu_entry)], capture_output=True)
    assert checked.returncode == 0, checked.stdout
    assert (share / "metainfo" / METAINFO.name).read_bytes() == METAINFO.read_bytes()
    for size in packaging_module("render_icons").SIZES:
        assert (share / f"icons/hicolor/{size}x{size}/apps/{ICON_NAME}.png").is_file()
    assert (share / f"icons/hicolor/scalable/apps/{ICON_NAME}.svg").is_file()
    command = home / ".local" / "bin" / "nanobanana-desktop"
    ran = subprocess.run([str(command), "--version"], capture_output=True, text=True)
    assert ran.stdout == "a stand-in bundle, given: --version\n"

    # Again, as an update from a newer bundle: what the old version had goes.
    (opt / "old-file").write_text("left by the previous version")
    again = run_install(home, str(bundle / "install.sh"))
    assert again.returncode == 0, again.stderr
    assert not (opt / "old-file").exists()

    removed = run_install(home, str(opt / "install.sh"), "--uninstall")
    assert removed.returncode == 0, removed.stderr
    assert installed_files(home) == []


def test_install_script_says_what_to_do_without_a_bundle(tmp_path):
    done = run_install(tmp_path, str(LINUX / "install.sh"), str(tmp_path / "nothing"))
    assert done.returncode == 1
    assert "build one with packaging/build.py" in done.stderr


# ---------------------------------------------------------------- the bundle


@pytest.mark.slow
def test_bundle_builds_and_passes_its_smoke_test_offscreen_and_on_x11(tmp_path):
    qt_trim = packaging_module("qt_trim")
    started = time.monotonic()
    built = subprocess.run(
        [
            sys.executable,
            str(PACKAGING / "build.py"),
            f"--dist={tmp_path / 'dist'}",
            f"--work={tmp_path / 'work'}",
        ],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    print(built.stdout, f"(build and size check: {time.monotonic() - started:.0f} s)")
    bundle = tmp_path / "dist" / "nanobanana-desktop"
    program = bundle / "nanobanana-desktop"
    assert "MiB in" in built.stdout

    # Only the plugins the app uses, and none of what the dropped ones dragged in.
    internal = bundle / "_internal"
    for plugin in internal.glob("PySide6/Qt/plugins/*/*"):
        kind, name = qt_trim.plugin_of(str(plugin.relative_to(internal)))
        assert name in qt_trim.KEPT_PLUGINS[kind], plugin
    assert not list(internal.glob("libgtk-3*"))
    assert not list(internal.rglob("libQt6Network*"))
    # Each language the app ships, with Qt's own strings (dialog buttons) in it too.
    for catalogue in (ROOT / "nanobanana_desktop" / "translations").glob("nanobanana_*.qm"):
        language = catalogue.stem.removeprefix("nanobanana_")
        assert (internal / "nanobanana_desktop" / "translations" / catalogue.name).is_file()
        assert (internal / "PySide6" / "Qt" / "translations" / f"qtbase_{language}.qm").is_file()
    assert not list(internal.rglob("*.ts"))

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    shown = subprocess.run([program, "--version"], capture_output=True, text=True, env=env)
    assert shown.stdout.strip() == f"nanobanana-desktop {version('nanobanana-desktop')}"

    # On X11 in Dutch too: the bundled catalogues load where the app looks for them.
    for runner, platform, flags in (
        ([], "offscreen", []),
        (["xvfb-run", "-a"], "xcb", ["--lang", "nl"]),
    ):
        env = dict(os.environ, QT_QPA_PLATFORM=platform, TMPDIR=str(tmp_path))
        done = subprocess.run(
            [*runner, str(program), *flags, "--sandbox", "--smoke-test"],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0, f"{platform}: {done.stderr}"
        assert "smoke test: passed" in done.stdout, platform

    # And installed for a user, as a designer would.
    home = tmp_path / "home"
    home.mkdir()
    installed = run_install(home, str(bundle / "install.sh"))
    assert installed.returncode == 0, installed.stderr
    command = home / ".local" / "bin" / "nanobanana-desktop"
    shown = subprocess.run([command, "--version"], capture_output=True, text=True, env=env)
    assert shown.stdout.strip() == f"nanobanana-desktop {version('nanobanana-desktop')}"
    shutil.rmtree(home / ".local" / "opt")  # 140 MB: not kept until pytest's cleanup
