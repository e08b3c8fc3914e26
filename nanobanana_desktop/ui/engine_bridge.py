"""Engine events as Qt signals: the one place the window hears from the engine."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..engine.events import (
    BalanceChanged,
    ConnectionChanged,
    Event,
    EventBus,
    ImageFailed,
    ImageSaved,
    TaskAdded,
    TaskChanged,
)


class EngineBridge(QObject):
    task_changed = Signal(object)  # TaskRecord, for additions and changes alike
    image_saved = Signal(object, str)  # ImageRecord, absolute path
    image_failed = Signal(object, str)  # ImageRecord, message
    balance_changed = Signal(object)  # Decimal
    connection_changed = Signal(bool, str)

    def __init__(self, events: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = events.subscribe(self._relay)

    def _relay(self, event: Event) -> None:
        # The engine runs on the Qt thread (qasync): emitting here is a direct call.
        if isinstance(event, TaskAdded | TaskChanged):
            self.task_changed.emit(event.task)
        elif isinstance(event, ImageSaved):
            self.image_saved.emit(event.image, event.path)
        elif isinstance(event, ImageFailed):
            self.image_failed.emit(event.image, event.message)
        elif isinstance(event, BalanceChanged):
            self.balance_changed.emit(event.credit)
        elif isinstance(event, ConnectionChanged):
            self.connection_changed.emit(event.online, event.message)

    def detach(self) -> None:
        self._unsubscribe()
