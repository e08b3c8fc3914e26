"""The task list's model: every task of the history, newest first, as the engine reports it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ..engine.records import TaskRecord, TaskState

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("#", "Prompt", "Model", "Status", "Credits", "Started")
TaskRole = Qt.ItemDataRole.UserRole + 1

_ATTENTION = {
    TaskState.FAILED: QColor("#c62828"),
    TaskState.UNKNOWN: QColor("#b26a00"),
    TaskState.STALLED: QColor("#b26a00"),
}
ACTIVE = frozenset(
    {
        TaskState.SUBMITTING,
        TaskState.PENDING,
        TaskState.SUBMITTED,
        TaskState.IN_PROGRESS,
        TaskState.DOWNLOADING,
    }
)


class TaskListModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._tasks: list[TaskRecord] = []  # newest first
        self._rows: dict[int, int] = {}  # local id -> row

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._tasks)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        task = self._tasks[index.row()]
        column = index.column()
        if role == TaskRole:
            return task
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(task, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 3:
                return (
                    f"{task.state.label}: {task.status_reason}"
                    if task.status_reason
                    else task.state.label
                )
            return task.prompt if column == 1 else None
        if role == Qt.ItemDataRole.ForegroundRole and column == 3 and task.state in _ATTENTION:
            return QBrush(_ATTENTION[task.state])
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(task: TaskRecord, column: int) -> str:
        if column == 0:
            return str(task.id)
        if column == 1:
            return " ".join(task.prompt.split())
        if column == 2:
            return task.model
        if column == 3:
            return task.state.label
        if column == 4:
            return "" if task.consumed is None else f"{task.consumed.normalize():f}"
        when = datetime.fromtimestamp(task.created_at)
        return f"{when:%H:%M}" if when.date() == datetime.now().date() else f"{when:%Y-%m-%d %H:%M}"

    def load(self, tasks: list[TaskRecord]) -> None:
        """Replace everything (newest first), e.g. from the store at start."""
        self.beginResetModel()
        self._tasks = sorted(tasks, key=lambda t: t.id, reverse=True)
        self._rows = {task.id: row for row, task in enumerate(self._tasks)}
        self.endResetModel()

    def upsert(self, task: TaskRecord) -> None:
        row = self._rows.get(task.id)
        if row is not None:
            self._tasks[row] = task
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        # New tasks are the newest: they go on top.
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._tasks.insert(0, task)
        self._rows = {t.id: r for r, t in enumerate(self._tasks)}
        self.endInsertRows()

    def task_at(self, row: int) -> TaskRecord:
        return self._tasks[row]

    def counts(self) -> dict[str, int]:
        """How many tasks are running, done, failed, and need a look."""
        summary = {"running": 0, "done": 0, "failed": 0, "attention": 0}
        for task in self._tasks:
            if task.state in ACTIVE:
                summary["running"] += 1
            elif task.state is TaskState.SUCCEEDED:
                summary["done"] += 1
            elif task.state is TaskState.FAILED:
                summary["failed"] += 1
            else:
                summary["attention"] += 1
        return summary
