"""The main window: the composer on the left, every task followed live on the right."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ..api import GenerationRequest, NanoBananaError, RequestValidationError
from ..engine.records import TaskRecord, TaskState
from ..session import Session
from .composer import Composer
from .engine_bridge import EngineBridge
from .settings import profile_settings
from .task_model import TaskListModel, TaskRole
from .welcome import WelcomePanel

log = logging.getLogger(__name__)

_RETRYABLE = frozenset({TaskState.FAILED, TaskState.UNKNOWN})
_POLLABLE = frozenset(
    {TaskState.PENDING, TaskState.SUBMITTED, TaskState.IN_PROGRESS, TaskState.STALLED}
)


def _plain(label: QLabel) -> QLabel:
    # Server messages and prompts are untrusted text: never rendered as rich text.
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class MainWindow(QMainWindow):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.credit_loaded = asyncio.Event()
        self.tasks_loaded = asyncio.Event()
        self._background: set[asyncio.Task[Any]] = set()
        self.setWindowTitle(f"Nano Banana Desktop — {session.mode_label}")
        self.resize(1280, 760)

        self.tasks = TaskListModel()
        self.bridge: EngineBridge | None = None
        self.welcome = WelcomePanel(session.key_problem)
        self.welcome.key_submitted.connect(lambda text: self._spawn(self._use_key(text)))
        self.welcome.sandbox_requested.connect(lambda: self._spawn(self._use_sandbox()))
        self.pages = QStackedWidget()
        self.main_page = self._build_body()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(self.main_page)
        self.setCentralWidget(self.pages)
        self._build_toolbar()
        self.counts_label = _plain(QLabel())
        self.statusBar().addPermanentWidget(self.counts_label)
        self._update_counts()
        if session.engine is not None:
            self.statusBar().showMessage(f"Connected to {session.base_url}", 5000)
            self._attach_engine()
        else:
            self.pages.setCurrentWidget(self.welcome)
            self.toolbar.hide()

    def _attach_engine(self) -> None:
        """Follow the engine: from the start, or once a key or the sandbox is chosen."""
        engine = self.session.engine
        assert engine is not None
        self.bridge = EngineBridge(engine.events, self)
        self.bridge.task_changed.connect(self._task_changed)
        self.bridge.balance_changed.connect(self._show_credit)
        self.bridge.connection_changed.connect(self._connection_changed)
        self.bridge.image_failed.connect(
            lambda _image, message: self.statusBar().showMessage(message, 15000)
        )
        self.pages.setCurrentWidget(self.main_page)
        self.toolbar.show()
        self.setWindowTitle(f"Nano Banana Desktop — {self.session.mode_label}")
        self.mode_badge.setText(self._mode_text())
        self._style_badge()
        self.detail_label.setText(self._detail_text())
        self._selection_changed()
        self.composer.prompt.setFocus()

    async def _use_key(self, text: str) -> None:
        self.welcome.set_busy(True, "Checking the key with the API…")
        try:
            note = await self.session.use_key(text)
        except (ValueError, NanoBananaError) as exc:
            self.welcome.show_error(str(exc))
            return
        self.welcome.key_edit.clear()
        self._attach_engine()
        self.statusBar().showMessage(note or "Key checked and saved in the system keyring", 15000)
        await self.refresh_credit()

    async def _use_sandbox(self) -> None:
        self.welcome.set_busy(True, "Starting the sandbox…")
        await self.session.use_sandbox()
        self._attach_engine()
        await self.refresh_credit()

    # ---------------------------------------------------------------- layout

    def _build_body(self) -> QWidget:
        title = QLabel("Nano Banana Desktop")
        title.setObjectName("title")
        title.setStyleSheet("#title { font-size: 18pt; font-weight: 600; }")
        # The style sheet's font applies at polish; measure after it, or descenders clip.
        title.ensurePolished()
        title.setMinimumHeight(title.fontMetrics().height() + 4)

        self.mode_badge = _plain(QLabel(self._mode_text()))
        self.mode_badge.setObjectName("modeBadge")
        self._style_badge()
        self.credit_label = _plain(QLabel("Credit: …"))
        self.credit_label.setObjectName("credit")
        self.credit_label.setStyleSheet("#credit { font-weight: 600; }")
        self.detail_label = _plain(QLabel(self._detail_text()))
        self.detail_label.setWordWrap(True)
        self.detail_label.setEnabled(False)  # the palette's quieter text colour

        header = QHBoxLayout()
        header.addWidget(title)
        header.addSpacing(12)
        header.addWidget(self.mode_badge, alignment=Qt.AlignmentFlag.AlignVCenter)
        header.addStretch(1)
        header.addWidget(self.credit_label, alignment=Qt.AlignmentFlag.AlignVCenter)

        self.table = QTableView()
        self.table.setModel(self.tasks)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        heading = self.table.horizontalHeader()
        heading.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        heading.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # Status labels can be long ("outcome unknown: …"); the prompt needs the room more.
        heading.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        heading.resizeSection(3, 150)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        heading.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.empty_label = _plain(
            QLabel(
                "No tasks yet.\n\nTasks you start here or with `nanobanana generate` "
                "appear in this list and are followed until their images are saved."
            )
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setEnabled(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.table)
        self.tasks.rowsInserted.connect(self._show_table_if_any)
        self.tasks.modelReset.connect(self._show_table_if_any)

        self.reason_label = _plain(QLabel())
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason_label.hide()
        task_side = QWidget()
        task_layout = QVBoxLayout(task_side)
        task_layout.setContentsMargins(0, 0, 0, 0)
        task_layout.addWidget(self.stack, 1)
        task_layout.addWidget(self.reason_label)

        self.composer = Composer(profile_settings(self.session.locations.profile))
        self.composer.submitted.connect(self._submit_from_composer)
        self.composer.setMinimumWidth(610)  # four 144 px reference slots in a row
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.composer)
        splitter.addWidget(task_side)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([620, 640])
        splitter.setChildrenCollapsible(False)

        body = QVBoxLayout()
        body.setContentsMargins(16, 12, 16, 8)
        body.setSpacing(8)
        body.addLayout(header)
        body.addWidget(self.detail_label)
        body.addWidget(splitter, 1)
        widget = QWidget()
        widget.setLayout(body)
        return widget

    def _build_toolbar(self) -> None:
        toolbar = self.toolbar = QToolBar("Tasks")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(toolbar)
        self.check_action = QAction("Check now", self)
        self.check_action.setShortcut(QKeySequence("F5"))
        self.check_action.setToolTip("Ask the API about the selected task at once (F5)")
        self.check_action.triggered.connect(self.check_selected)
        self.retry_action = QAction("Retry", self)
        self.retry_action.setShortcut(QKeySequence("Ctrl+R"))
        self.retry_action.triggered.connect(self.retry_selected)
        toolbar.addAction(self.check_action)
        toolbar.addAction(self.retry_action)
        self._selection_changed()

    def _style_badge(self) -> None:
        sandbox = self.session.mode == "sandbox"
        self.mode_badge.setStyleSheet(
            "#modeBadge { border-radius: 10px; padding: 3px 12px; font-weight: 600;"
            f" background: {'#f6c945' if sandbox else '#3d7eff'};"
            f" color: {'#2b2200' if sandbox else 'white'}; }}"
        )

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

    # ---------------------------------------------------------------- behaviour

    def start(self) -> None:
        """Begin the window's background work; the UI thread never waits on it."""
        self._spawn(self.refresh_credit())
        self._spawn(self._load_tasks())

    async def _load_tasks(self) -> None:
        try:
            history = await self.session.store.list_tasks(limit=1000)
            self.tasks.load(history)
            self.composer.prompt.set_recent([task.prompt for task in history])
            self._update_counts()
        finally:
            self.tasks_loaded.set()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.composer.prompt.setFocus()

    def _submit_from_composer(self, request: GenerationRequest, variations: int) -> None:
        if self.session.engine is None:
            message = self.session.key_problem or "Add an API key first, or start with --sandbox"
            self.statusBar().showMessage(message, 15000)
            return
        self._spawn(self._submit(request, variations))

    async def _submit(self, request: GenerationRequest, variations: int) -> None:
        assert self.session.engine is not None
        engine = self.session.engine
        try:
            await asyncio.gather(*(engine.submit(request) for _ in range(variations)))
        except RequestValidationError as exc:
            # Nothing was recorded or sent: say which field, keep everything as it is.
            self.statusBar().showMessage(str(exc), 15000)
            self.composer.reason_label.setText(str(exc))

    async def refresh_credit(self) -> None:
        client = self.session.client
        try:
            if client is None:
                self.credit_label.setText("Credit: unknown (no API key)")
                return
            self._show_credit(await client.balance())
        except NanoBananaError as exc:
            self.credit_label.setText("Credit: unavailable")
            self.credit_label.setToolTip(str(exc))
            log.warning("balance failed: %s", exc)
        finally:
            self.credit_loaded.set()

    def _show_credit(self, credit: Decimal) -> None:
        self.credit_label.setText(f"Credit: {credit.normalize():f}")

    def _task_changed(self, task: TaskRecord) -> None:
        self.tasks.upsert(task)
        self._update_counts()
        self._selection_changed()

    def _connection_changed(self, online: bool, message: str) -> None:
        # Offline stays on screen until it is over; "Connected" fades after 5 s.
        if online:
            self.statusBar().showMessage("Connected", 5000)
        else:
            self.statusBar().showMessage(message)

    def _update_counts(self) -> None:
        counts = self.tasks.counts()
        parts = [f"{counts['running']} running", f"{counts['done']} done"]
        if counts["failed"]:
            parts.append(f"{counts['failed']} failed")
        if counts["attention"]:
            parts.append(f"{counts['attention']} need a look")
        self.counts_label.setText(" · ".join(parts))

    def _show_table_if_any(self) -> None:
        self.stack.setCurrentWidget(self.table if self.tasks.rowCount() else self.empty_label)

    def selected_task(self) -> TaskRecord | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        task = rows[0].data(TaskRole)
        return task if isinstance(task, TaskRecord) else None

    def _selection_changed(
        self, _selected: QItemSelection | None = None, _deselected: QItemSelection | None = None
    ) -> None:
        task = self.selected_task()
        reason = task.status_reason if task is not None else None
        self.reason_label.setText(
            f"Task {task.id} — {task.state.label}: {reason}" if task and reason else ""
        )
        self.reason_label.setVisible(bool(reason))
        engine_ready = self.session.engine is not None
        self.check_action.setEnabled(engine_ready and task is not None and task.state in _POLLABLE)
        can_retry = engine_ready and task is not None and task.state in _RETRYABLE
        self.retry_action.setEnabled(can_retry)
        resubmit = task is not None and task.state is TaskState.UNKNOWN
        self.retry_action.setText("Resubmit" if resubmit else "Retry")
        self.retry_action.setToolTip(
            "Send this task again. It may already have been charged once (Ctrl+R)"
            if resubmit
            else "Start a new task with the same prompt and settings (Ctrl+R)"
        )

    def check_selected(self) -> None:
        task = self.selected_task()
        if task is not None and self.session.engine is not None:
            self.session.engine.poll_now(task.id)
            self.statusBar().showMessage(f"Checking task {task.id}…", 3000)

    def retry_selected(self) -> None:
        task = self.selected_task()
        if task is None or self.session.engine is None:
            return
        self._spawn(self._retry(task.id))

    async def _retry(self, local_id: int) -> None:
        assert self.session.engine is not None
        try:
            new = await self.session.engine.retry(local_id)
        except NanoBananaError as exc:
            self.statusBar().showMessage(str(exc), 15000)
            return
        self.statusBar().showMessage(f"Task {local_id} sent again as task {new.id}", 5000)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def stop(self) -> None:
        await self.composer.references.aclose()
        if self.bridge is not None:
            self.bridge.detach()
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
