"""``nanobanana-desktop``: one QApplication, driven by qasync."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtWidgets import QApplication

from . import __version__
from .api import DEFAULT_BASE_URL, NanoBananaError
from .engine.store import StoreError

log = logging.getLogger(__name__)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nanobanana-desktop")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--sandbox", action="store_true", help="use the built-in offline emulator")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help="API address")
    parser.add_argument("--profile", help="profile folder (settings, history, cache)")
    parser.add_argument("--library", help="folder for saved images")
    parser.add_argument("--lang", help="interface language, e.g. en or nl")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="start, check the connection, and exit 0 if everything works",
    )
    return parser.parse_args(argv)


async def run_app(args: argparse.Namespace) -> int:
    from .session import Session, SessionOptions
    from .ui.gc_guard import MainThreadCollector
    from .ui.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    # asyncio.to_thread and run_in_executor(None) would otherwise use qasync's
    # QThreadExecutor, whose QThreads must not meet Python's GC in the wrong thread.
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=6, thread_name_prefix="nanobanana-worker")
    )
    quit_requested = asyncio.Event()
    app.aboutToQuit.connect(quit_requested.set)
    app.lastWindowClosed.connect(quit_requested.set)
    collector = MainThreadCollector(parent=app)

    try:
        session = await Session.open(SessionOptions.from_args(args, "window"))
    except (NanoBananaError, StoreError) as exc:
        print(f"nanobanana-desktop: {exc}", file=sys.stderr)
        return 2
    if session.engine is not None:
        await session.engine.start()
    window = MainWindow(session)
    window.show()
    window.start()
    exit_code = 0
    try:
        if args.smoke_test:
            await asyncio.wait_for(window.credit_loaded.wait(), 30)
            exit_code = (
                0
                if window.credit_label.text().startswith("Credit: ")
                and ("unavailable" not in window.credit_label.text())
                else 1
            )
        else:
            await quit_requested.wait()
    finally:
        window.hide()
        await window.stop()
        await session.close()
        collector.stop()
    return exit_code


def main(argv: list[str] | None = None) -> int:
    import qasync

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    args = parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Nano Banana Desktop")
    app.setOrganizationName("Nano Banana")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("nanobanana-desktop")
    result: int = qasync.run(run_app(args))
    return result


if __name__ == "__main__":
    sys.exit(main())
