"""Telling the user about tasks that finish while the window is in the background.

A count in the window title ("(3) Nano Banana Desktop — Sandbox") until the window is
active again, and a system notification through the tray icon where the desktop has one.
Tasks that finish close together (the variations of one request, usually) give one
notification, "3 images ready", not three. The profile's ``interface/notifications``
setting switches both off; it is read when a task finishes, so a change in the Settings
dialog applies at once.

Whether the desktop has a tray is asked once, soon after the notifier is made, and again
only when the answer is older than ``TRAY_RECHECK_SECONDS``: on X11 the first question
costs ~12 ms (Qt sets up its tray tracker) and each later one a round trip to the X
server, on the UI thread, in the middle of a burst of finishing tasks. Qt has no signal
for a tray that appears or goes, so a tray started later is seen at the next re-check.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from .. import preferences as prefs
from ..engine.records import TaskRecord, TaskState
from .style import BRAND
from .translations import localized

__all__ = [
    "BATCH_SECONDS",
    "MAX_BATCH_SECONDS",
    "TRAY_RECHECK_SECONDS",
    "TaskNotifier",
    "notification_text",
]

BATCH_SECONDS = 1.0  # finishes this close together share one notification
MAX_BATCH_SECONDS = 5.0  # a steady stream still notifies this often
MESSAGE_MS = 10_000
TRAY_RECHECK_SECONDS = 300.0  # how old the "is there a tray" answer may be
PROMPT_CHARS = 90
_FINISHED = (TaskState.SUCCEEDED, TaskState.FAILED)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PROMPT_CHARS else flat[: PROMPT_CHARS - 1].rstrip() + "…"


def notification_text(
    images: int, succeeded: list[TaskRecord], failed: list[TaskRecord]
) -> tuple[str, str]:
    """(title, body) for one batch: "3 images ready", and the latest prompt or reason."""
    heads = []
    if succeeded:
        ready = max(images, len(succeeded))
        heads.append(
            QCoreApplication.translate("TaskNotifier", "{count} image ready").format(count=ready)
            if ready == 1
            else QCoreApplication.translate("TaskNotifier", "{count} images ready").format(
                count=ready
            )
        )
    if failed:
        heads.append(
            QCoreApplication.translate("TaskNotifier", "{count} task failed").format(count=1)
            if len(failed) == 1
            else QCoreApplication.translate("TaskNotifier", "{count} tasks failed").format(
                count=len(failed)
            )
        )
    title = ", ".join(heads)
    lines = []
    if succeeded:
        latest = succeeded[-1]
        lines.append(f"“{_excerpt(latest.prompt)}”")
    if failed:
        latest = failed[-1]
        reason = localized(latest.status_reason or "") or QCoreApplication.translate(
            "TaskNotifier", "the server gave no reason"
        )
        lines.append(
            QCoreApplication.translate("TaskNotifier", "Task {id}: {reason}").format(
                id=latest.id, reason=_excerpt(reason)
            )
        )
    return title, "\n".join(lines)


def _fallback_icon() -> QIcon:
    """The app's banana yellow, for a tray that needs some icon to show a message."""
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(BRAND.pick(False))
    painter.drawEllipse(4, 4, 56, 56)
    painter.end()
    return QIcon(pixmap)


class TaskNotifier(QObject):
    """Feed it the window's task changes and saved images; it does the rest.

    ``tray_class`` and ``tray_available`` are seams for tests: the offscreen platform
    has no tray.
    """

    show_task = Signal(int)  # the notification was clicked: show this task

    tray_class: type[QSystemTrayIcon] = QSystemTrayIcon
    tray_available = staticmethod(QSystemTrayIcon.isSystemTrayAvailable)

    def __init__(
        self,
        window: QWidget,
        settings: QSettings,
        *,
        batch_seconds: float = BATCH_SECONDS,
        max_batch_seconds: float = MAX_BATCH_SECONDS,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._settings = settings
        self._max_batch = max_batch_seconds
        self.unseen = 0
        self._base_title = window.windowTitle()
        self._setting_title = False
        self._images: dict[int, int] = {}  # images saved per task, until the task finishes
        self._batch_images = 0
        self._succeeded: list[TaskRecord] = []
        self._failed: list[TaskRecord] = []
        self._batch_started = 0.0
        self.last_task: int | None = None
        self.tray: QSystemTrayIcon | None = None
        self._has_tray: bool | None = None
        self._tray_asked_at = 0.0
        # Ask early, while the window is still settling, not during the first burst.
        QTimer.singleShot(0, self, self.has_tray)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(round(batch_seconds * 1000))
        self._timer.timeout.connect(self._flush)
        window.windowTitleChanged.connect(self._title_changed)
        window.installEventFilter(self)

    # ---------------------------------------------------------------- what happened

    def enabled(self) -> bool:
        return prefs.parse_flag(self._settings.value(prefs.NOTIFICATIONS)) is not False

    def away(self) -> bool:
        """The user is not looking at the window (another window, or it is minimised)."""
        return not self._window.isActiveWindow() or self._window.isMinimized()

    def image_saved(self, local_task_id: int) -> None:
        self._images[local_task_id] = self._images.get(local_task_id, 0) + 1

    def task_changed(self, before: TaskRecord | None, task: TaskRecord) -> None:
        """Count ``task`` if this change finished it (not a finished task seen again)."""
        if task.state not in _FINISHED or (before is not None and before.state is task.state):
            if task.state.is_final:
                self._images.pop(task.id, None)
            return
        images = self._images.pop(task.id, 0)
        if not self.away() or not self.enabled():
            return
        if task.state is TaskState.SUCCEEDED:
            self._succeeded.append(task)
            self._batch_images += max(images, 1)
            self.unseen += max(images, 1)
        else:
            self._failed.append(task)
            self.unseen += 1
        self.last_task = task.id
        self._show_badge()
        now = time.monotonic()
        if not self._timer.isActive():
            self._batch_started = now
        # Each finish restarts the wait, up to the longest a batch may be held back.
        if now - self._batch_started < self._max_batch:
            self._timer.start()

    # ---------------------------------------------------------------- telling

    def _flush(self) -> None:
        succeeded, failed, images = self._succeeded, self._failed, self._batch_images
        self._succeeded, self._failed, self._batch_images = [], [], 0
        if not (succeeded or failed) or not self.away() or not self.enabled():
            return
        if not self.has_tray():
            return  # the title's count is all this desktop can show
        title, body = notification_text(images, succeeded, failed)
        tray = self._tray()
        tray.show()
        icon = (
            QSystemTrayIcon.MessageIcon.Information
            if succeeded
            else QSystemTrayIcon.MessageIcon.Warning
        )
        tray.showMessage(title, body, icon, MESSAGE_MS)

    def has_tray(self) -> bool:
        """Whether the desktop shows a tray: the last answer, unless it is getting old."""
        now = time.monotonic()
        if self._has_tray is None or now - self._tray_asked_at > TRAY_RECHECK_SECONDS:
            self._has_tray = bool(self.tray_available())
            self._tray_asked_at = now
        return self._has_tray

    def _tray(self) -> QSystemTrayIcon:
        if self.tray is None:
            icon = self._window.windowIcon()
            self.tray = self.tray_class(icon if not icon.isNull() else _fallback_icon(), self)
            self.tray.setToolTip("Nano Banana Desktop")
            self.tray.messageClicked.connect(self.open_finished)
            self.tray.activated.connect(lambda _reason: self.open_finished())
        return self.tray

    def open_finished(self) -> None:
        """Bring the window forward and show the task that finished last."""
        window = self._window
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()
        if self.last_task is not None:
            self.show_task.emit(self.last_task)
        self.clear()

    def clear(self) -> None:
        """The user is back: no count, no pending notification, no tray icon."""
        self._timer.stop()
        self._succeeded, self._failed, self._batch_images = [], [], 0
        self.unseen = 0
        self._show_badge()
        if self.tray is not None:
            self.tray.hide()

    # ---------------------------------------------------------------- the title

    def _show_badge(self) -> None:
        title = f"({self.unseen}) {self._base_title}" if self.unseen else self._base_title
        if self._window.windowTitle() != title:
            self._setting_title = True
            try:
                self._window.setWindowTitle(title)
            finally:
                self._setting_title = False

    def _title_changed(self, title: str) -> None:
        # The window retitled itself (its mode changed): keep the count in front.
        if not self._setting_title:
            self._base_title = title
            self._show_badge()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self._window
            and event.type() in (QEvent.Type.ActivationChange, QEvent.Type.WindowStateChange)
            and not self.away()
        ):
            self.clear()
        return False
