"""``nanobanana-desktop``: one QApplication, driven by qasync."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, QSize, QSocketNotifier, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from . import __version__
from .blocking import worker_pool
from .diagnostics import LogSetup, start_logging
from .engine.paths import Locations

if TYPE_CHECKING:
    from .session import Session
    from .ui.main_window import MainWindow

# Start-up paints the window first and loads the network stack, the engine and the
# sandbox after: so nothing at this module's top may import them.

log = logging.getLogger(__name__)

# The installed .desktop file's name (packaging/linux), Wayland's app id, AppStream's id.
DESKTOP_ID = "org.nanobanana.Desktop"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nanobanana-desktop")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--sandbox", action="store_true", help="use the built-in offline emulator")
    parser.add_argument(
        "--base-url", help="API address (default: https://api.defapi.org, or as in Settings)"
    )
    parser.add_argument("--profile", help="profile folder (settings, history, cache)")
    parser.add_argument("--library", help="folder for saved images")
    parser.add_argument("--lang", help="interface language, e.g. en or nl")
    parser.add_argument(
        "--color-scheme",
        choices=("light", "dark"),
        help="light or dark whatever the system uses (default: as the system)",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="start, make one image (with --sandbox; else only check the connection), check "
        "it, and exit 0 if everything works",
    )
    return parser.parse_args(argv)


async def run_app(args: argparse.Namespace, logs: LogSetup | None = None) -> int:
    from .ui.error_reporter import ErrorReporter
    from .ui.gc_guard import MainThreadCollector
    from .ui.main_window import MainWindow
    from .ui.stall_watch import StallWatch
    from .ui.translations import install_language, saved_language

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    loop = asyncio.get_running_loop()
    # asyncio.to_thread and run_in_executor(None) would otherwise use qasync's
    # QThreadExecutor, whose QThreads must not meet Python's GC in the wrong thread.
    loop.set_default_executor(worker_pool(6, "nanobanana-worker"))
    reporter = ErrorReporter(logs.path if logs else None, parent=app)
    reporter.install(loop)
    quit_requested = asyncio.Event()
    # Qt's own quit on the last window would stop the loop under the shutdown coroutine;
    # closing the window only asks, and close_down() then runs on a live loop.
    app.setQuitOnLastWindowClosed(False)
    app.aboutToQuit.connect(quit_requested.set)
    app.lastWindowClosed.connect(quit_requested.set)
    with contextlib.ExitStack() as undo:
        undo.callback(reporter.uninstall)
        collector = MainThreadCollector(parent=app)
        undo.callback(collector.stop)
        undo.callback(QuitOnSignals(app, quit_requested.set).close)
        stall_watch = StallWatch(parent=app)
        stall_watch.start()
        undo.callback(stall_watch.stop)
        # Before any widget: each takes its strings when it is built. The flag, else the
        # language saved in Settings, else the system's.
        profile = Locations.resolve(args.profile, args.library).profile
        language_note = install_language(app, args.lang or saved_language(profile))
        window = MainWindow(
            mode="sandbox" if args.sandbox else "api", mode_label=_mode_label(args), profile=profile
        )
        reporter.window = window
        window.show()
        await window.painted.wait()
        log.info("window painted")
        try:
            session = await open_session(args)
        except Exception as exc:
            from .api import NanoBananaError
            from .engine.store import StoreError

            if not isinstance(exc, NanoBananaError | StoreError):
                raise
            print(f"nanobanana-desktop: {exc}", file=sys.stderr)
            window.hide()
            return 2
        if session.engine is not None:
            await session.engine.start()
        window.attach_session(session)
        window.start()
        # What start-up made lives as long as the app: keep it out of later collections.
        collector.freeze()
        show_notices(window, session.notices)
        log.info("window shown (%s)", session.mode_label)
        if language_note:
            window.statusBar().showMessage(language_note, 15000)
        try:
            if args.smoke_test:
                from .smoke_test import check

                return await check(window)
            await quit_requested.wait()
        finally:
            await close_down(window, session)
    return 0


def show_notices(window: QWidget, notices: list[str]) -> QMessageBox | None:
    """What the session must tell at start (a damaged history moved aside), in one box.

    Each notice's first line is the headline, the rest its details. Non-modal, so the
    window can be used at once; plain text, since it quotes paths.
    """
    from .ui.translations import localized

    if not notices:
        return None
    shown = [localized(notice) for notice in notices]  # session.py writes them in English
    heads, details = zip(*(f"{notice}\n".split("\n", 1) for notice in shown), strict=True)
    box = QMessageBox(window)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Nano Banana Desktop")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText("\n".join(heads))
    box.setInformativeText("\n\n".join(d.strip() for d in details if d.strip()))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.show()
    return box


def _mode_label(args: argparse.Namespace) -> str:
    """What the frame shows before the session has read the settings."""
    if args.sandbox:
        return QCoreApplication.translate("MainWindow", "Sandbox")
    if args.base_url:
        return urlsplit(args.base_url).hostname or ""
    return "api.defapi.org"


async def open_session(args: argparse.Namespace) -> Session:
    """Import the engine and the network stack off the UI thread, then open the session."""
    loop = asyncio.get_running_loop()
    module = await loop.run_in_executor(None, importlib.import_module, f"{__package__}.session")
    return await module.Session.open(module.SessionOptions.from_args(args, "window"))  # type: ignore[no-any-return]


async def close_down(window: MainWindow, session: Session) -> None:
    """Stop following tasks and close clients and the store; unfinished tasks resume later.

    Nothing here waits for the server: a task in flight is already recorded, so cutting
    its poll short loses nothing.
    """
    started = time.monotonic()
    window.hide()
    await window.stop()
    await session.close()
    log.info("closed down in %.2f s", time.monotonic() - started)


class QuitOnSignals:
    """SIGINT and SIGTERM close the app as the window's close button would.

    A Python signal handler runs only when the interpreter gets control, which Qt's C++
    loop may not give it for a while; the wake-up socket makes Qt notice at once.
    """

    def __init__(self, app: QApplication, quit: Callable[[], None]) -> None:
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._quit = quit
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, app)
        self._notifier.activated.connect(self._woken)
        self._handlers = {
            sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGINT, signal.SIGTERM)
        }

    def _woken(self) -> None:
        with contextlib.suppress(OSError):
            self._reader.recv(64)
        self._quit()

    def close(self) -> None:
        for sig, handler in self._handlers.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()


def app_icon() -> QIcon:
    """The app icon at every size rendered from resources/icons (packaging/render_icons.py).

    Installed or bundled, resources/ sits inside the package; in a checkout, beside it.
    """
    package = Path(__file__).resolve().parent
    icon = QIcon()
    for base in (package / "resources", package.parent / "resources"):
        for png in sorted((base / "icons" / "hicolor").glob("*x*/apps/nanobanana-desktop.png")):
            side = int(png.parent.parent.name.split("x")[0])
            icon.addFile(str(png), QSize(side, side))
        if not icon.isNull():
            break
    return icon


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.smoke_test:
        from .smoke_test import supervise

        return supervise(args, run_gui)
    return run_gui(args)


def configure_qt() -> None:
    """Qt settings that must be in place before the QApplication exists.

    Qt's raster engine hands every fill taller than ~96 rows (a scroll bar, a card's
    background) to a pool of its own threads, in segments, and waits for them. Those
    threads inherit the nice value of the thread that first used the pool, which may be
    one of our niced workers; with the cores busy, the UI thread sat in that wait for
    20-35 ms a paint (benchmarks/stall_causes.py). Done on the UI thread instead, the
    list's paint time per frame stayed as it was (benchmarks/ui_latency.py). A value the
    user set wins.
    """
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def run_gui(args: argparse.Namespace) -> int:
    import qasync

    logs = start_logging(Locations.resolve(args.profile, args.library).profile / "logs")
    try:
        configure_qt()
        app = QApplication.instance() or QApplication(sys.argv[:1])
        app.setApplicationName("Nano Banana Desktop")
        app.setOrganizationName("Nano Banana")
        app.setApplicationVersion(__version__)
        app.setDesktopFileName(DESKTOP_ID)
        app.setWindowIcon(app_icon())
        if isinstance(app, QApplication):
            from .ui.style import follow_color_scheme

            follow_color_scheme(app, args.color_scheme)
        result: int = qasync.run(run_app(args, logs))
    finally:
        logs.stop()
    return result


if __name__ == "__main__":
    sys.exit(main())
