"""The task list's model: every task of the history, newest first, as the engine reports it.

After the first load nothing is ever reset: a change to one task repaints that one row (and
says which roles changed), a new task is inserted where it belongs, and the one-second
clock repaints running rows only, and of those only the ones the view shows.
"""

from __future__ import annotations

import bisect
import enum
import logging
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)

from ..engine.records import TaskRecord, TaskState
from .thumbnail_images import ThumbnailImages, plain_tooltip
from .translations import format_number, localized, state_label

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

TaskRole = Qt.ItemDataRole.UserRole + 1  # the TaskRecord
ThumbnailsRole = Qt.ItemDataRole.UserRole + 2  # list[QImage | None], one per shown image
ElapsedRole = Qt.ItemDataRole.UserRole + 3  # seconds since it started, or its duration
ImageCountRole = Qt.ItemDataRole.UserRole + 4  # images saved so far
ImagePathsRole = Qt.ItemDataRole.UserRole + 5  # their absolute paths, in order
ThumbnailErrorRole = Qt.ItemDataRole.UserRole + 6  # why a thumbnail is missing, or None
# (TaskRecord, elapsed, thumbnails, images saved): what a card shows, in one call (each
# data() call through the filter costs as much as drawing a card from the delegate's cache)
CardRole = Qt.ItemDataRole.UserRole + 7

MAX_THUMBNAILS = 4
# What changes when a task changes but its state does not (a reason, credits, an end time):
# the filters and the counts stay as they are.
_DETAIL_ROLES = [TaskRole, ElapsedRole, Qt.ItemDataRole.ToolTipRole]
ACTIVE = frozenset(
    {
        TaskState.SUBMITTING,
        TaskState.PENDING,
        TaskState.SUBMITTED,
        TaskState.IN_PROGRESS,
        TaskState.DOWNLOADING,
    }
)


# A saved image as the list is given it: (index, absolute path) or (index, path, sha256).
SavedImage = tuple[int, str] | tuple[int, str, str | None]


class TaskFilter(enum.Enum):
    """The list's filters. Stalled tasks still run on the server, so they count as active;
    outcome-unknown ones need the same decision as failures (resubmit or not)."""

    ALL = "All"
    ACTIVE = "Active"
    DONE = "Done"
    FAILED = "Failed"

    def accepts(self, state: TaskState) -> bool:
        if self is TaskFilter.ALL:
            return True
        if self is TaskFilter.ACTIVE:
            return not state.is_final
        if self is TaskFilter.DONE:
            return state is TaskState.SUCCEEDED
        return state in (TaskState.FAILED, TaskState.UNKNOWN)

    @property
    def label(self) -> str:
        """The filter's name on its button (``value`` is its name in code)."""
        translate = QCoreApplication.translate
        if self is TaskFilter.ALL:
            return translate("TaskFilter", "All")
        if self is TaskFilter.ACTIVE:
            return translate("TaskFilter", "Active")
        if self is TaskFilter.DONE:
            return translate("TaskFilter", "Done")
        return translate("TaskFilter", "Failed")


def format_elapsed(seconds: float) -> str:
    whole = max(0, int(seconds))
    if whole < 60:
        return QCoreApplication.translate("TaskList", "{seconds} s").format(seconds=whole)
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}:{secs:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


class TaskListModel(QAbstractListModel):
    def __init__(
        self,
        thumbnails: ThumbnailImages | None = None,
        *,
        clock: Callable[[], float] = time.time,
        tick_ms: int = 1000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._tasks: list[TaskRecord] = []  # newest (highest id) first
        self._shots: dict[int, dict[int, str]] = {}  # local id -> image index -> path
        self._owner: dict[str, int] = {}  # path -> local id, to find a thumbnail's row
        self._digests: dict[str, str] = {}  # path -> its sha256: the thumbnail cache's key
        # The rows a view shows, for the clock; None: every row (no view to ask).
        self.visible_rows: Callable[[], Collection[int]] | None = None
        self.thumbnails = thumbnails
        if thumbnails is not None:
            thumbnails.ready.connect(self._thumbnail_ready)
        # One clock for the whole list, running only while some task is.
        self.ticker = QTimer(self)
        self.ticker.setInterval(tick_ms)
        self.ticker.timeout.connect(self.tick)

    # ------------------------------------------------------------ Qt's model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._tasks)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._tasks):
            return None
        task = self._tasks[index.row()]
        if role == CardRole:
            count = len(self._shots.get(task.id, ()))
            return task, self.elapsed(task), self._thumbnails(task.id), count
        if role == TaskRole:
            return task
        if role == Qt.ItemDataRole.DisplayRole:
            # Plain text: what keyboard search in the list matches.
            return " ".join(task.prompt.split())
        if role == ElapsedRole:
            return self.elapsed(task)
        if role == ThumbnailsRole:
            return self._thumbnails(task.id)
        if role == ImageCountRole:
            return len(self._shots.get(task.id, {}))
        if role == ImagePathsRole:
            return self.image_paths(task.id)
        if role == ThumbnailErrorRole:
            return self._thumbnail_error(task.id)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(task)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return QCoreApplication.translate("TaskList", "Task {id}, {state}: {prompt}").format(
                id=task.id, state=state_label(task.state), prompt=" ".join(task.prompt.split())
            )
        return None

    # ------------------------------------------------------------ changes

    def load(
        self,
        tasks: Sequence[TaskRecord],
        images: Mapping[int, Iterable[SavedImage]] | None = None,
    ) -> None:
        """The first fill, from the store: the one time the model resets.

        ``images``: per task, (image index, absolute path[, sha256]) of its saved images.
        """
        self.beginResetModel()
        self._tasks = sorted((t for t in tasks if not t.hidden), key=lambda t: -t.id)
        self._shots = {}
        self._owner = {}
        self._digests = {}
        for local_id, shots in (images or {}).items():
            for index, path, *digest in shots:
                self._remember_image(local_id, index, path, digest[0] if digest else None)
        self.endResetModel()
        self._sync_ticker()

    def upsert(self, task: TaskRecord) -> None:
        """A task was added or changed: one row inserted, changed or (hidden) removed."""
        row = self.row_of(task.id)
        if task.hidden:
            if row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._tasks[row]
                self.endRemoveRows()
                self._sync_ticker()
            return
        if row is not None:
            before = self._tasks[row]
            self._tasks[row] = task
            if task == before:
                return  # told twice: nothing to repaint
            here = self.index(row)
            # A new state may move the row in or out of a filter; anything else cannot.
            roles = [] if task.state is not before.state else _DETAIL_ROLES
            self.dataChanged.emit(here, here, roles)
        else:
            row = bisect.bisect_left(self._tasks, -task.id, key=lambda t: -t.id)
            self.beginInsertRows(QModelIndex(), row, row)
            self._tasks.insert(row, task)
            self.endInsertRows()
        self._sync_ticker()

    def add_image(self, local_id: int, index: int, path: str, sha256: str | None = None) -> None:
        """An image of a task was saved: its thumbnail joins the row."""
        self._remember_image(local_id, index, path, sha256)
        row = self.row_of(local_id)
        if row is not None:
            here = self.index(row)
            self.dataChanged.emit(here, here, [ThumbnailsRole, ImageCountRole, ImagePathsRole])

    def tick(self) -> None:
        """Once a second: repaint the elapsed time of unfinished rows the view shows.

        One signal per row: a view repaints a single changed index alone, but a range of
        them as a whole (rows that did not change included).
        """
        rows = range(len(self._tasks)) if self.visible_rows is None else self.visible_rows()
        for row in rows:
            if 0 <= row < len(self._tasks) and not self._tasks[row].state.is_final:
                here = self.index(row)
                self.dataChanged.emit(here, here, [ElapsedRole])

    def _sync_ticker(self) -> None:
        running = any(not task.state.is_final for task in self._tasks)
        if running and not self.ticker.isActive():
            self.ticker.start()
        elif not running and self.ticker.isActive():
            self.ticker.stop()

    def _remember_image(
        self, local_id: int, index: int, path: str, sha256: str | None = None
    ) -> None:
        self._shots.setdefault(local_id, {})[index] = path
        self._owner[path] = local_id
        if sha256:
            self._digests[path] = sha256

    def _thumbnail_ready(self, path: str) -> None:
        local_id = self._owner.get(path)
        row = None if local_id is None else self.row_of(local_id)
        if row is not None:
            here = self.index(row)
            self.dataChanged.emit(here, here, [ThumbnailsRole, ThumbnailErrorRole])

    # ------------------------------------------------------------ lookups

    def row_of(self, local_id: int) -> int | None:
        row = bisect.bisect_left(self._tasks, -local_id, key=lambda t: -t.id)
        return row if row < len(self._tasks) and self._tasks[row].id == local_id else None

    def task_at(self, row: int) -> TaskRecord:
        return self._tasks[row]

    def tasks(self) -> Sequence[TaskRecord]:
        return tuple(self._tasks)

    def image_paths(self, local_id: int) -> list[str]:
        shots = self._shots.get(local_id, {})
        return [shots[index] for index in sorted(shots)]

    def elapsed(self, task: TaskRecord) -> float | None:
        """Running: seconds since it was started. Finished: how long it took, start to end."""
        if not task.state.is_final:
            return max(0.0, self._clock() - task.created_at)
        if task.state is TaskState.UNKNOWN:
            return None  # it never came back: there is no end to measure to
        end = task.finished_at or task.done_at or task.updated_at
        return max(0.0, end - task.created_at)

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

    def filter_counts(self) -> dict[TaskFilter, int]:
        return {f: sum(1 for t in self._tasks if f.accepts(t.state)) for f in TaskFilter}

    def _thumbnails(self, local_id: int) -> list[Any]:
        if self.thumbnails is None:
            return [None for _ in self.image_paths(local_id)[:MAX_THUMBNAILS]]
        # Asking is what starts a load: only rows that are painted cost any work. By digest,
        # the engine's thumbnails, made as the image was saved, are found without a decode.
        return [
            self.thumbnails.get(path, self._digests.get(path))
            for path in self.image_paths(local_id)[:MAX_THUMBNAILS]
        ]

    def _thumbnail_error(self, local_id: int) -> str | None:
        if self.thumbnails is None:
            return None
        for path in self.image_paths(local_id)[:MAX_THUMBNAILS]:
            error = self.thumbnails.error(path)
            if error:
                return error
        return None

    def _tooltip(self, task: TaskRecord) -> str:
        translate = QCoreApplication.translate
        when = datetime.fromtimestamp(task.created_at)
        started = (
            f"{when:%H:%M}" if when.date() == datetime.now().date() else f"{when:%Y-%m-%d %H:%M}"
        )
        options = [task.model, task.aspect_ratio or "", task.image_size or ""]
        refs = len(task.references)
        if refs:
            options.append(
                translate("TaskList", "1 reference")
                if refs == 1
                else translate("TaskList", "{count} references").format(count=refs)
            )
        lines = [
            translate("TaskList", "Task {id} · {state} · started {time}").format(
                id=task.id, state=state_label(task.state), time=started
            ),
            " · ".join(option for option in options if option),
            "",
            task.prompt,
        ]
        if task.status_reason:
            lines += ["", localized(task.status_reason)]
        if task.consumed is not None:
            lines.append(
                translate("TaskList", "Credits: {credits}").format(
                    credits=format_number(task.consumed)
                )
            )
        if task.task_id:
            lines.append(translate("TaskList", "Server task id: {id}").format(id=task.task_id))
        if task.retry_of is not None:
            lines.append(
                translate("TaskList", "Sent again from task {id}").format(id=task.retry_of)
            )
        return plain_tooltip(lines)


class TaskFilterModel(QSortFilterProxyModel):
    """The list as the filter bar chooses; follows the source's changes row by row."""

    def __init__(self, source: TaskListModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._filter = TaskFilter.ALL
        self.setSourceModel(source)

    @property
    def current(self) -> TaskFilter:
        return self._filter

    def set_filter(self, chosen: TaskFilter) -> None:
        if chosen is self._filter:
            return
        self.beginFilterChange()
        self._filter = chosen
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        source = self.sourceModel()
        assert isinstance(source, TaskListModel)
        return self._filter.accepts(source.task_at(source_row).state)
