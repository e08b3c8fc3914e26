"""The status bar's permanent part: mode and connection, tasks in flight, credits used in
this session, and the account's credit where it is known ("Credit", as in the header)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from .plain_text import plain_tip
from .style import CONNECTING, STATUS_DONE, STATUS_FAILED, tinted
from .translations import localized

if TYPE_CHECKING:  # the strip is part of the first paint, before the engine loads
    from ..engine.records import TaskRecord

_ONLINE, _OFFLINE, _UNKNOWN = STATUS_DONE, STATUS_FAILED, CONNECTING


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
        self.balance = _plain(self.tr("Credit: …"))
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
            state, colour = self.tr("connecting…"), _UNKNOWN
        elif self.online:
            state, colour = self.tr("online"), _ONLINE
        else:
            # The engine keeps asking on its own: the user need not do anything.
            state, colour = self.tr("offline, retrying"), _OFFLINE
        tinted(self.dot, colour)
        self.connection.setText(f"{self.mode} · {state}")
        tip = plain_tip(localized(message))  # the engine's, often quoting the API client
        self.connection.setToolTip(tip)
        self.dot.setToolTip(tip)

    def set_counts(self, counts: dict[str, int]) -> None:
        parts = [
            self.tr("{count} in flight").format(count=counts["running"]),
            self.tr("{count} done").format(count=counts["done"]),
        ]
        if counts["failed"]:
            parts.append(self.tr("{count} failed").format(count=counts["failed"]))
        if counts["attention"]:
            attention = counts["attention"]
            parts.append(
                self.tr("{count} needs a look").format(count=attention)
                if attention == 1
                else self.tr("{count} need a look").format(count=attention)
            )
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
        self.session_credit.setText(
            self.tr("Used this session: {used} credit").format(used=used)
            if used == "1"
            else self.tr("Used this session: {used} credits").format(used=used)
        )

    def set_balance(self, credit: Decimal | None, problem: str = "") -> None:
        if credit is None:
            self.balance.setText(self.tr("Credit: unknown"))
            self.balance.setToolTip(plain_tip(localized(problem)))
        else:
            self.balance.setText(
                self.tr("Credit: {credit}").format(credit=f"{credit.normalize():f}")
            )
            self.balance.setToolTip("")
