"""The main window. For now it shows the mode and the account's credit."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QMainWindow, QVBoxLayout, QWidget

from ..api import NanoBananaError
from ..session import Session

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.credit_loaded = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.setWindowTitle(f"Nano Banana Desktop — {session.mode_label}")
        self.resize(960, 640)

        title = QLabel("Nano Banana Desktop")
        title.setObjectName("title")
        title.setStyleSheet("#title { font-size: 24pt; font-weight: 600; }")
        # The style sheet's font applies at polish; measure after it, or descenders clip.
        title.ensurePolished()
        title.setMinimumHeight(title.fontMetrics().height() + 4)

        self.mode_badge = QLabel(self._mode_text())
        self.mode_badge.setObjectName("modeBadge")
        self.mode_badge.setTextFormat(Qt.TextFormat.PlainText)
        self.mode_badge.setStyleSheet(
            "#modeBadge { border-radius: 10px; padding: 4px 12px; font-weight: 600;"
            f" background: {'#f6c945' if session.mode == 'sandbox' else '#3d7eff'};"
            f" color: {'#2b2200' if session.mode == 'sandbox' else 'white'}; }}"
        )
        self.credit_label = QLabel("Credit: …")
        self.credit_label.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_label = QLabel(self._detail_text())
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_label.setWordWrap(True)
        self.detail_label.setMinimumWidth(420)

        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(self.mode_badge, alignment=Qt.AlignmentFlag.AlignLeft)
        inner.addWidget(self.credit_label)
        inner.addWidget(self.detail_label)

        outer = QVBoxLayout()
        outer.addStretch(1)
        outer.addWidget(card, alignment=Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        central = QWidget()
        central.setLayout(outer)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"Connected to {session.base_url}")

    def _mode_text(self) -> str:
        if self.session.mode == "sandbox":
            return "SANDBOX · offline emulator"
        return f"API · {self.session.mode_label}"

    def _detail_text(self) -> str:
        if self.session.mode == "sandbox":
            return (
                "Images come from the built-in emulator on this machine: no account, "
                "no network, no cost."
            )
        if self.session.key_problem:
            return self.session.key_problem
        return "Using your API key from the system keyring or NANOBANANA_API_KEY."

    def start(self) -> None:
        """Begin the window's background work; the UI thread never waits on it."""
        task = asyncio.get_running_loop().create_task(self.refresh_credit())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def refresh_credit(self) -> None:
        client = self.session.client
        try:
            if client is None:
                self.credit_label.setText("Credit: unknown (no API key)")
                return
            credit = await client.balance()
            self.credit_label.setText(f"Credit: {credit.normalize():f}")
        except NanoBananaError as exc:
            self.credit_label.setText(f"Credit: unavailable — {exc}")
            log.warning("balance failed: %s", exc)
        finally:
            self.credit_loaded.set()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
