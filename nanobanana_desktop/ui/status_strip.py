"""The status bar's permanent part: mode and connection, tasks in flight, credits used in
this session, and the account's credit where it is known ("Credit", as in the header)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

if TYPE_CHECKING:  # the strip is part of the first paint, before the engine loads
    from ..engine.records import TaskRecord

_ONLINE, _OFFLINE, _UNKNOWN = "#2e7d32", "#c62828", "#8a8a8a"


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # server messages are untrusted text
    return label


class StatusStrip(QWidget):
    def __init__(self, mode: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = mode
        self.online: bool | None = None  # None until the first answer from the API
        self.used = Decimal(0)
        self._charged: set[int] = set()  # tasks whose credits are already counted
        self.dot = QLabel("●")
        self.connection = _plain()
        self.counts = _plain()
        self.session_credit = _plain()
        self.balance = _plain("Credit: …")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(6)
        layout.addWidget(self.dot)
        layout.addWidget(self.connection)
        for label in (self.counts, self.session_credit, self.balance):
            layout.addSpacing(10)
            layout.addWidget(label)
        self.set_mode(mode)
        self.set_counts({"running": 0, "done": 0, "failed": 0, "attention": 0})
        self._show_used()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._show_connection("")

    def set_online(self, online: bool, message: str) -> None:
        self.online = online
        self._show_connection(message)

    def _show_connection(self, message: str) -> None:
        if self.online is None:
            state, colour = "connecting…", _UNKNOWN
        elif self.online:
            state, colour = "online", _ONLINE
        else:
            state, colour = "offline", _OFFLINE
        self.dot.setStyleSheet(f"color: {colour};")
        self.connection.setText(f"{self.mode} · {state}")
        self.connection.setToolTip(message)
        self.dot.setToolTip(message)

    def set_counts(self, counts: dict[str, int]) -> None:
        parts = [f"{counts['running']} in flight", f"{counts['done']} done"]
        if counts["failed"]:
            parts.append(f"{counts['failed']} failed")
        if counts["attention"]:
            attention = counts["attention"]
            parts.append(f"{attention} {'needs' if attention == 1 else 'need'} a look")
        self.counts.setText(" · ".join(parts))

    def task_changed(self, before: TaskRecord | None, task: TaskRecord) -> None:
        """Count a task's credits once, when the server first reports them in this run.

        ``before``: the task as the window knew it; a task that already had its credits
        then (from the history) was charged in an earlier session.
        """
        if task.consumed is None or task.id in self._charged:
            return
        self._charged.add(task.id)
        if before is not None and before.consumed is not None:
            return
        self.used += task.consumed
        self._show_used()

    def _show_used(self) -> None:
        used = f"{self.used.normalize():f}"
        unit = "credit" if used == "1" else "credits"
        self.session_credit.setText(f"Used this session: {used} {unit}")

    def set_balance(self, credit: Decimal | None, problem: str = "") -> None:
        if credit is None:
            self.balance.setText("Credit: unknown")
            self.balance.setToolTip(problem)
        else:
            self.balance.setText(f"Credit: {credit.normalize():f}")
            self.balance.setToolTip("")
