"""The task side of the window: filters, the live list of task cards, and what to do with one.

The panel shows and asks; it never acts on the engine itself. Requests go out as signals
(retry, check, remove, reuse, show in gallery) and the main window carries them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPoint,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..engine.records import ImageRecord, TaskRecord, TaskState
from .style import SEGMENT_STYLE, TOOL_BUTTON_STYLE, muted
from .task_delegate import TaskDelegate
from .task_model import (
    ImageCountRole,
    SavedImage,
    TaskFilter,
    TaskFilterModel,
    TaskListModel,
    TaskRole,
)
from .thumbnail_images import ThumbnailImages
from .translations import localized, state_label

POLLABLE = frozenset(
    {TaskState.PENDING, TaskState.SUBMITTED, TaskState.IN_PROGRESS, TaskState.STALLED}
)
RETRYABLE = frozenset({TaskState.FAILED, TaskState.UNKNOWN})
# English, marked for translation: resubmit_warning() is what the user reads.
RESUBMIT_WARNING = QT_TRANSLATE_NOOP(
    "TaskPanel",
    "The answer to this task never arrived: the server may have made it and charged for it. "
    "Resubmitting sends it again, and may be charged a second time.",
)
_SEGMENTS = SEGMENT_STYLE


def resubmit_warning() -> str:
    """Why resubmitting an outcome-unknown task may cost twice, in the interface language."""
    return QCoreApplication.translate("TaskPanel", RESUBMIT_WARNING)


def empty_text(choice: TaskFilter) -> str:
    """What the list says when the filter shows no task."""
    translate = QCoreApplication.translate
    if choice is TaskFilter.ACTIVE:
        return translate("TaskPanel", "Nothing is running.")
    if choice is TaskFilter.DONE:
        return translate("TaskPanel", "No finished tasks yet.")
    if choice is TaskFilter.FAILED:
        return translate(
            "TaskPanel",
            "Nothing failed.\n\nTasks that fail, or whose outcome is unknown, show "
            "here to retry or resubmit.",
        )
    return translate(
        "TaskPanel",
        "No tasks yet.\n\nTasks you start here or with `nanobanana generate` "
        "appear in this list and are followed until their images are saved.",
    )


class TaskListView(QListView):
    """The list of cards, repainting a changed card alone.

    QListView lays every row out again, and repaints all it shows, for any change of data
    (its list mode does so in case an item's size changed). Every card here has the same
    size (uniformItemSizes) and a change of data cannot alter it, so a changed row is only
    repainted, as QAbstractItemView does for any view.
    """

    def dataChanged(
        self,
        topLeft: QModelIndex,  # noqa: N803 - Qt's names
        bottomRight: QModelIndex,  # noqa: N803
        roles: Sequence[int] = (),
    ) -> None:
        if Qt.ItemDataRole.SizeHintRole in roles or not self.uniformItemSizes():
            super().dataChanged(topLeft, bottomRight, list(roles))
        else:
            QAbstractItemView.dataChanged(self, topLeft, bottomRight, list(roles))


def _plain(label: QLabel) -> QLabel:
    # Server messages and prompts are untrusted text: never rendered as rich text.
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class TaskPanel(QWidget):
    retry_requested = Signal(int)  # a failed task, or a resubmission of an outcome-unknown one
    check_requested = Signal(int)
    remove_requested = Signal(int)  # hide a finished task; its files stay
    reuse_requested = Signal(object)  # TaskRecord, for the composer
    show_in_gallery = Signal(int)
    selection_changed = Signal()
    notice = Signal(str)  # a short message for the status bar ("Prompt copied")

    def __init__(
        self, thumbnails: ThumbnailImages | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.engine_ready = False  # retry and check need an engine to go to
        self.last_menu: QMenu | None = None
        self.model = TaskListModel(thumbnails, parent=self)
        self.proxy = TaskFilterModel(self.model, self)

        self.filter_buttons: dict[TaskFilter, QToolButton] = {}
        self._filter_group = QButtonGroup(self)
        self._filter_group.setExclusive(True)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.setSpacing(0)
        for position, choice in enumerate(TaskFilter):
            button = QToolButton()
            button.setCheckable(True)
            button.setChecked(choice is TaskFilter.ALL)
            button.setObjectName(f"filter{choice.value}")
            last = len(TaskFilter) - 1
            button.setProperty(
                "segment", "first" if position == 0 else "last" if position == last else "middle"
            )
            button.setStyleSheet(_SEGMENTS)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, c=choice: self.set_filter(c))
            self._filter_group.addButton(button)
            self.filter_buttons[choice] = button
            filters.addWidget(button)
        filters.addStretch(1)
        self._filters = filters
        self.action_buttons: list[QToolButton] = []
        # The filters and the action buttons on one line, or the buttons on a line of
        # their own when the panel is narrow (a long language, a small screen).
        self._actions = QHBoxLayout()
        self._actions.setContentsMargins(0, 0, 0, 0)
        self._actions.setSpacing(6)
        self._actions.addStretch(1)
        self._bar = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._bar.setSpacing(6)
        self._bar.addLayout(filters, 1)
        self._bar.addLayout(self._actions)

        # Connected before the view's own handlers so that they run first: when the selected
        # task leaves the filter, Qt would select its neighbour, a task the user never chose.
        self._selection_leaving = False
        self.proxy.rowsAboutToBeRemoved.connect(self._rows_leaving)
        self.proxy.rowsRemoved.connect(self._rows_left)
        self.view = TaskListView()
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(TaskDelegate(self.view))
        self.view.setUniformItemSizes(True)  # one sizeHint for a thousand rows
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setMouseTracking(True)
        self.view.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.installEventFilter(self)
        self.model.visible_rows = self.visible_rows

        self.empty_label = _plain(QLabel(empty_text(TaskFilter.ALL)))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        muted(self.empty_label)
        self.empty_label.setContentsMargins(24, 24, 24, 24)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.view)

        self.reason_label = _plain(QLabel())
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(self._bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.reason_label)

        for signal in (
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._rows_changed)
        self.model.rowsInserted.connect(self._update_filter_labels)
        self.model.rowsRemoved.connect(self._update_filter_labels)
        self.model.modelReset.connect(self._update_filter_labels)
        self.model.dataChanged.connect(self._data_changed)
        self._update_filter_labels()

    # ------------------------------------------------------------ feeding

    def load(
        self,
        tasks: Sequence[TaskRecord],
        images: Mapping[int, Iterable[SavedImage]] | None = None,
    ) -> None:
        """The history at start: tasks and, per task, (image index, absolute path[, sha256])."""
        self.model.load(tasks, images)

    def task_changed(self, task: TaskRecord) -> None:
        self.model.upsert(task)
        self._show_selected()

    def image_saved(self, image: ImageRecord, path: str) -> None:
        self.model.add_image(image.task, image.index, path, image.sha256)

    def set_engine_ready(self, ready: bool) -> None:
        self.engine_ready = ready

    def add_actions(self, actions: Sequence[QAction]) -> None:
        """Buttons for the window's task actions (Check now, Retry) at the right of the
        filters, next to the list they act on; each follows its action's state and text."""
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setStyleSheet(TOOL_BUTTON_STYLE)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            self._actions.addWidget(button)
            self.action_buttons.append(button)

    def one_line_width(self) -> int:
        """The width the filters and the action buttons need side by side."""
        return (
            self._filters.minimumSize().width()
            + self._actions.minimumSize().width()
            + self._bar.spacing()
        )

    def minimumSizeHint(self) -> QSize:
        # The action buttons can go under the filters: the panel is as narrow as that.
        hint = super().minimumSizeHint()
        narrow = max(self._filters.minimumSize().width(), self._actions.minimumSize().width())
        margins = self.contentsMargins()
        return QSize(min(hint.width(), narrow + margins.left() + margins.right()), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        direction = (
            QBoxLayout.Direction.LeftToRight
            if event.size().width() >= self.one_line_width()
            else QBoxLayout.Direction.TopToBottom
        )
        if self._bar.direction() != direction:
            self._bar.setDirection(direction)
        super().resizeEvent(event)

    async def aclose(self) -> None:
        self.model.ticker.stop()
        if self.model.thumbnails is not None:
            await self.model.thumbnails.aclose()

    # ------------------------------------------------------------ filters and selection

    @property
    def current_filter(self) -> TaskFilter:
        return self.proxy.current

    def set_filter(self, choice: TaskFilter) -> None:
        self.filter_buttons[choice].setChecked(True)
        self.proxy.set_filter(choice)
        self.empty_label.setText(empty_text(choice))
        self._rows_changed()
        self._selection_changed()

    def selected_task(self) -> TaskRecord | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        task = rows[0].data(TaskRole)
        return task if isinstance(task, TaskRecord) else None

    def select_task(self, local_id: int) -> bool:
        """Select a task if the current filter shows it."""
        row = self.model.row_of(local_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row))
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def _selection_changed(
        self, _selected: QItemSelection | None = None, _deselected: QItemSelection | None = None
    ) -> None:
        self._show_selected()
        self.selection_changed.emit()

    def _show_selected(self) -> None:
        task = self.selected_task()
        reason = task.status_reason if task is not None else None
        self.reason_label.setText(
            self.tr("Task {id} — {state}: {reason}").format(
                id=task.id, state=state_label(task.state), reason=localized(reason)
            )
            if task and reason
            else ""
        )
        self.reason_label.setVisible(bool(reason))

    def _rows_leaving(self, _parent: QModelIndex, first: int, last: int) -> None:
        rows = self.view.selectionModel().selectedRows()
        self._selection_leaving = any(first <= index.row() <= last for index in rows)

    def _rows_left(self) -> None:
        if self._selection_leaving:
            self._selection_leaving = False
            self.view.selectionModel().clear()
            self._selection_changed()

    def visible_rows(self) -> list[int]:
        """The model's rows the list shows now, top to bottom; none while it is hidden."""
        view = self.view
        if not view.isVisible():
            return []
        area = view.viewport().rect()
        top = view.indexAt(QPoint(area.left() + 1, area.top()))
        if not top.isValid():
            return []
        bottom = view.indexAt(QPoint(area.left() + 1, area.bottom()))
        last = bottom.row() if bottom.isValid() else self.proxy.rowCount() - 1
        return [
            self.proxy.mapToSource(self.proxy.index(row, 0)).row()
            for row in range(top.row(), last + 1)
        ]

    def _rows_changed(self) -> None:
        self.stack.setCurrentWidget(self.view if self.proxy.rowCount() else self.empty_label)

    def _data_changed(
        self, _top: QModelIndex, _bottom: QModelIndex, roles: Sequence[int] = ()
    ) -> None:
        if not roles:  # a task changed, not just its clock or its thumbnails
            self._update_filter_labels()

    def _update_filter_labels(self) -> None:
        counts = self.model.filter_counts()
        for choice, button in self.filter_buttons.items():
            button.setText(f"{choice.label}  {counts[choice]}")

    # ------------------------------------------------------------ actions

    def build_menu(self, task: TaskRecord) -> QMenu:
        """The actions for one task; the context menu shows it, tests trigger it directly."""
        menu = QMenu(self)
        menu.setToolTipsVisible(True)

        def add(name: str, text: str, enabled: bool, tip: str, slot: object) -> QAction:
            action = menu.addAction(text)
            action.setObjectName(name)
            action.setEnabled(enabled)
            action.setToolTip(tip)
            action.triggered.connect(slot)
            return action

        local_id = task.id
        if task.state in POLLABLE:
            add(
                "check",
                self.tr("Check now"),
                self.engine_ready,
                self.tr("Ask the API about this task at once"),
                lambda: self.check_requested.emit(local_id),
            ).setShortcut(QKeySequence("F5"))
        if task.state is TaskState.FAILED:
            add(
                "retry",
                self.tr("Retry"),
                self.engine_ready,
                self.tr("Start a new task with the same prompt and settings"),
                lambda: self.retry_requested.emit(local_id),
            ).setShortcut(QKeySequence("Ctrl+R"))
        elif task.state is TaskState.UNKNOWN:
            add(
                "resubmit",
                self.tr("Resubmit — it may already have been charged once"),
                self.engine_ready,
                resubmit_warning(),
                lambda: self.retry_requested.emit(local_id),
            ).setShortcut(QKeySequence("Ctrl+R"))
        if not menu.isEmpty():
            menu.addSeparator()
        add(
            "reuse",
            self.tr("Reuse in composer"),
            True,
            self.tr("Put this task's prompt, model, options and references in the composer"),
            lambda: self.reuse_requested.emit(task),
        )
        add("copy_prompt", self.tr("Copy prompt"), True, "", lambda: self.copy_prompt(task))
        add(
            "copy_id",
            self.tr("Copy task id"),
            task.task_id is not None,
            self.tr("The server's id for this task, for support or the API")
            if task.task_id
            else self.tr("The server never gave this task an id"),
            lambda: self.copy_task_id(task),
        )
        saved = self._saved_count(local_id)
        add(
            "gallery",
            self.tr("Show in gallery"),
            saved > 0,
            "" if saved else self.tr("This task has no saved images"),
            lambda: self.show_in_gallery.emit(local_id),
        )
        menu.addSeparator()
        add(
            "remove",
            self.tr("Remove from list"),
            task.state.is_final,
            self.tr("Hide this task from the list; its images stay in the library")
            if task.state.is_final
            else self.tr("Still running: it can be removed once it has finished"),
            lambda: self.remove_requested.emit(local_id),
        ).setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        return menu

    def copy_prompt(self, task: TaskRecord) -> None:
        QGuiApplication.clipboard().setText(task.prompt)
        self.notice.emit(self.tr("Prompt of task {id} copied").format(id=task.id))

    def copy_task_id(self, task: TaskRecord) -> None:
        if task.task_id is None:
            return
        QGuiApplication.clipboard().setText(task.task_id)
        self.notice.emit(self.tr("Task id {id} copied").format(id=task.task_id))

    def _saved_count(self, local_id: int) -> int:
        row = self.model.row_of(local_id)
        return 0 if row is None else int(self.model.index(row).data(ImageCountRole) or 0)

    def _context_menu(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if not index.isValid():
            return
        self.view.setCurrentIndex(index)
        task = index.data(TaskRole)
        if not isinstance(task, TaskRecord):
            return
        menu = self.build_menu(task)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_menu = menu
        # popup(), not exec(): a nested event loop inside qasync breaks running coroutines.
        menu.popup(self.view.viewport().mapToGlobal(position))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Keys on the list itself, not window shortcuts: Delete and Copy mean other things
        # in the composer next to it.
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.matches(QKeySequence.StandardKey.Delete):
                self._remove_selected()
                return True
            if event.matches(QKeySequence.StandardKey.Copy):
                self._copy_selected()
                return True
        return super().eventFilter(watched, event)

    def _remove_selected(self) -> None:
        task = self.selected_task()
        if task is not None and task.state.is_final:
            self.remove_requested.emit(task.id)

    def _copy_selected(self) -> None:
        task = self.selected_task()
        if task is not None:
            self.copy_prompt(task)
