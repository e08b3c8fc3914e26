"""The child process of ``benchmarks/startup.py``: start a window, note when it first paints.

    python benchmarks/startup_driver.py bare
    python benchmarks/startup_driver.py app -- --sandbox --profile P --library L

``bare`` is a QMainWindow holding a QLabel; ``app`` is the real app, started through
``nanobanana_desktop.app.main`` with the given arguments. The driver creates the
QApplication first (``main()`` reuses an existing one), so that an event filter on it sees
the first ``QEvent.Paint`` of a QMainWindow. Then it prints one line to stdout,

    STARTUP {"paint": ..., "frame": ..., "history": ..., ...}

of ``time.monotonic()`` readings (CLOCK_MONOTONIC, system-wide on Linux, so the parent can
subtract the moment it started this process), and quits the application.

- ``paint``: the first Paint event that reaches the main window itself;
- ``frame``: the first pass through the event loop after it, once the window and all its
  children have painted that first frame;
- ``history``: once the window has loaded the history (its ``tasks_loaded`` event) and
  painted with it; for a window without one (the bare one), the same as ``frame``.

Nothing here changes the app: its window is found by type, and it is told to quit with
SIGTERM, which it handles as its window's close button (the bare window quits through
``QApplication.quit``).
"""

from __future__ import annotations

import time

STARTED = time.monotonic()  # before any import of weight: the interpreter is up

import json  # noqa: E402 - after the first reading, on purpose
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow  # noqa: E402

QT_IMPORTED = time.monotonic()
WINDOW_SIZE = (1280, 760)  # the app's window size (ui/main_window.py), so both paint as much
HISTORY_POLL_MS = 1


class FirstPaint(QObject):
    """Watches every event until the first Paint of a QMainWindow, then steps aside."""

    def __init__(
        self, app: QApplication, marks: dict[str, float], quit: Callable[[], None]
    ) -> None:
        super().__init__(app)
        self.app = app
        self.marks = marks
        self.quit = quit
        self.window: QMainWindow | None = None
        self.poll: QTimer | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            self.window is None
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QMainWindow)
        ):
            self.marks["paint"] = time.monotonic()
            self.window = watched
            self.app.removeEventFilter(self)
            # Runs once this paint pass (the window, then its children) is over.
            QTimer.singleShot(0, self._frame_done)
        return False

    def _frame_done(self) -> None:
        self.marks["frame"] = time.monotonic()
        if self._history_loaded():
            self.marks["history"] = self.marks["frame"]
            self._finish()
            return
        self.poll = QTimer(self)
        self.poll.setInterval(HISTORY_POLL_MS)
        self.poll.timeout.connect(self._check_history)
        self.poll.start()

    def _history_loaded(self) -> bool:
        loaded: Any = getattr(self.window, "tasks_loaded", None)
        return loaded is None or bool(loaded.is_set())

    def _check_history(self) -> None:
        if not self._history_loaded():
            return
        assert self.poll is not None and self.window is not None
        self.poll.stop()
        self.marks["history_loaded"] = time.monotonic()
        self.window.repaint()  # the frame that shows it, painted now rather than next pass
        self.marks["history"] = time.monotonic()
        self._finish()

    def _finish(self) -> None:
        print("STARTUP " + json.dumps(self.marks), flush=True)
        QTimer.singleShot(0, self.quit)


def make_app(marks: dict[str, float], quit: Callable[[], None] | None = None) -> QApplication:
    app = QApplication(sys.argv[:1])
    marks["qapp"] = time.monotonic()
    app.installEventFilter(FirstPaint(app, marks, quit or app.quit))
    return app


def terminate_self() -> None:
    """Quit the app the way it documents for SIGTERM: as its window's close button would.

    Not ``QApplication.quit``: that ends qasync's loop under ``run_app``, which then cannot
    close down ("Event loop stopped before Future completed").
    """
    os.kill(os.getpid(), signal.SIGTERM)


def run_bare(marks: dict[str, float]) -> int:
    app = make_app(marks)
    window = QMainWindow()
    window.setWindowTitle("Bare window")
    window.setCentralWidget(QLabel("Hello"))
    window.resize(*WINDOW_SIZE)
    window.show()
    return app.exec()


def run_app(marks: dict[str, float], argv: list[str]) -> int:
    make_app(marks, terminate_self)
    from nanobanana_desktop.app import main

    marks["app_imported"] = time.monotonic()
    return main(argv)


def main() -> int:
    marks = {"started": STARTED, "qt_imported": QT_IMPORTED}
    kind, *rest = sys.argv[1:] or [""]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    if kind == "bare":
        code = run_bare(marks)
    elif kind == "app":
        code = run_app(marks, rest)
    else:
        print("usage: startup_driver.py bare | app -- APP_ARGS...", file=sys.stderr)
        return 2
    if "history" not in marks:
        print("startup_driver: the event loop ended before the window painted", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
