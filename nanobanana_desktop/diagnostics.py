"""The log: where it goes, and what it must never hold.

Every line passes a scrubber before it is written, so no key reaches the log file or the
terminal, even one quoted in a third party's exception. Lines are written by a listener
thread: the UI thread hands records to a queue and never waits on the disk.
"""

from __future__ import annotations

import logging
import logging.handlers
import queue
import re
from dataclasses import dataclass
from pathlib import Path

from .secret_registry import known_secrets

LOG_FILE_NAME = "nanobanana-desktop.log"
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s'\",;]+")
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def scrub(text: str) -> str:
    """The text with every known key and every bearer token replaced."""
    # Bearer tokens first: "[api key]" would otherwise read as a token and be cut in two.
    text = _BEARER.sub(r"\1[redacted]", text)
    for secret in known_secrets():
        if secret in text:
            text = text.replace(secret, "[api key]")
    return text


class ScrubbingFormatter(logging.Formatter):
    """Scrubs the whole formatted line, traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


@dataclass
class LogSetup:
    path: Path | None
    listener: logging.handlers.QueueListener
    handler: logging.Handler

    def stop(self) -> None:
        """Flush what is queued and detach; safe to call twice."""
        root = logging.getLogger()
        if self.handler in root.handlers:
            root.removeHandler(self.handler)
            self.listener.stop()
            for target in self.listener.handlers:
                target.close()


def start_logging(log_dir: Path | None, *, level: int = logging.INFO) -> LogSetup:
    """Log to stderr and, when ``log_dir`` is given, to a rotating file there.

    A log folder that cannot be created is not fatal: the app must still start, so the
    problem is logged to stderr instead.
    """
    formatter = ScrubbingFormatter(_FORMAT)
    targets: list[logging.Handler] = [logging.StreamHandler()]
    path: Path | None = None
    problem: OSError | None = None
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            path = log_dir / LOG_FILE_NAME
            targets.append(
                logging.handlers.RotatingFileHandler(
                    path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
                )
            )
        except OSError as exc:
            path, problem = None, exc
    for target in targets:
        target.setFormatter(formatter)
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    handler = logging.handlers.QueueHandler(records)
    listener = logging.handlers.QueueListener(records, *targets, respect_handler_level=True)
    listener.start()
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request at INFO: with polling that would be most of the file.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
    if problem is not None:
        logging.getLogger(__name__).warning("no log file: %s", problem)
    return LogSetup(path, listener, handler)
