"""One place for every error nobody caught: in a Qt slot, an asyncio task or a thread.

The log gets the traceback; the user gets one readable, non-modal message that says
nothing is lost and where the details are. Both are scrubbed of the key. Errors that come
in while a message is showing are counted into it rather than stacking windows.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from ..diagnostics import scrub
from .translations import localized

log = logging.getLogger(__name__)


def describe(exc: BaseException) -> str:
    """A one-line account of the error for the user, key scrubbed, length capped."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = localized(text)  # the api/engine layers' messages are English text
    line = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    line = scrub(line)
    return line if len(line) <= 300 else line[:299] + "…"


class ErrorReporter(QObject):
    # Emitted on the Qt thread whichever thread the error came from (queued across threads).
    reported = Signal(str)

    def __init__(self, log_path: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self.window: QWidget | None = None
        self.box: QMessageBox | None = None
        self.count = 0  # errors reported since the message box was last dismissed
        self.last_message = ""
        self._saved: tuple[Any, Any] | None = None
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Take over sys.excepthook (PySide6 hands slot errors to it), threads and the loop."""
        self._saved = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_hook
        if loop is not None:
            loop.set_exception_handler(self._loop_handler)

    def uninstall(self) -> None:
        if self._saved is not None:
            sys.excepthook, threading.excepthook = self._saved
            self._saved = None

    def report(self, exc: BaseException, where: str) -> None:
        log.error("uncaught error in %s", where, exc_info=(type(exc), exc, exc.__traceback__))
        self.reported.emit(describe(exc))

    def _excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            assert self._saved is not None
            self._saved[0](kind, exc, tb)
            return
        self.report(exc.with_traceback(tb), "a window action")

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            name = args.thread.name if args.thread is not None else "a thread"
            self.report(args.exc_value, name)

    def _loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            self.report(exc, "a background task")
        else:
            log.error("event loop: %s", scrub(str(context.get("message", context))))

    def _show(self, message: str) -> None:
        self.count += 1
        self.last_message = message
        paragraphs = [
            self.tr("Something went wrong, and it was not your doing."),
            message,
            self.tr(
                "Your tasks and images are safe: they are saved the moment they exist, and "
                "unfinished tasks carry on."
            ),
        ]
        if self.log_path:
            paragraphs.append(
                self.tr("The details are in the log: {path}").format(path=self.log_path)
            )
        if self.count > 1:
            paragraphs.append(
                self.tr("({count} more since this message appeared)").format(count=self.count - 1)
            )
        text = "\n\n".join(paragraphs)
        if self.box is None:
            self.box = QMessageBox(self.window)
            self.box.setIcon(QMessageBox.Icon.Warning)
            self.box.setWindowTitle("Nano Banana Desktop")
            self.box.setTextFormat(Qt.TextFormat.PlainText)
            self.box.setStandardButtons(QMessageBox.StandardButton.Ok)
            self.box.setWindowModality(Qt.WindowModality.NonModal)
            self.box.finished.connect(self._dismissed)
        self.box.setText(text)
        if not self.box.isVisible():
            # Not open(): a window-modal box would stop the user working until dismissed.
            self.box.show()

    def _dismissed(self) -> None:
        self.count = 0
