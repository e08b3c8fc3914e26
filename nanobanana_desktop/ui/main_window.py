"""The main window: Create (the composer on the left, every task followed live on the
right) and the Gallery of every saved image, switched by a segmented control in the header.

It is built in two steps so that it paints before the heavy modules load: the frame
(header with Settings, status bar) needs only the mode, and `attach_session` then builds
the composer and the task list over the opened session. The network stack, the engine and
the widgets' own modules are imported in that second step, not when this module is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence, QPaintEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .adaptive_splitter import AdaptiveSplitter
from .background import BackgroundTasks
from .plain_text import plain_tip
from .scrolling import vertical_scroller
from .status_strip import StatusStrip
from .style import (
    API_BADGE,
    ON_API_BADGE,
    ON_SANDBOX_BADGE,
    SANDBOX_BADGE,
    SEGMENT_STYLE,
    TOOL_BUTTON_STYLE,
    muted,
    themed_style_sheet,
)
from .translations import SETTINGS_FILE, format_number, localized
from .window_geometry import place, save_geometry, saved_geometry

if TYPE_CHECKING:
    from ..api import GenerationRequest
    from ..engine.records import TaskRecord
    from ..session import Session
    from .engine_bridge import EngineBridge
    from .settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

# The least the window opens at: about the workspace's minimum with composer and list
# stacked (adaptive_splitter.py) and the header without its title (_fit_header).
OPENING_LEAST = QSize(700, 440)


def _plain(label: QLabel) -> QLabel:
    # Server messages and prompts are untrusted text: never rendered as rich text.
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class MainWindow(QMainWindow):
    def __init__(
        self,
        session: Session | None = None,
        *,
        mode: str = "api",
        mode_label: str = "",
        profile: Path | None = None,
    ) -> None:
        """With a session, the whole window; without, the frame until `attach_session`.

        ``profile``: where the window's size is kept (the session's profile by default).
        """
        super().__init__()
        self.session: Session = None  # type: ignore[assignment]  # set by attach_session
        self._mode = session.mode if session is not None else mode
        self._mode_label = self._label_of(session) if session is not None else mode_label
        self.credit_loaded = asyncio.Event()
        self.tasks_loaded = asyncio.Event()
        self.painted = asyncio.Event()
        self._background = BackgroundTasks("a window action")
        self.bridge: EngineBridge | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.setWindowTitle(f"Nano Banana Desktop — {self._mode_label}")
        if profile is None and session is not None:
            profile = session.locations.profile
        # Not ui.settings.profile_settings: it loads the API client (through preferences),
        # and this runs before the first paint.
        self._geometry_settings = (
            QSettings(str(profile / SETTINGS_FILE), QSettings.Format.IniFormat)
            if profile is not None
            else None
        )
        saved, maximized = (
            saved_geometry(self._geometry_settings)
            if self._geometry_settings is not None
            else (None, False)
        )
        self.geometry_restored = place(self, saved, OPENING_LEAST)
        if self.geometry_restored and maximized:
            self.setWindowState(Qt.WindowState.WindowMaximized)

        self._build_actions()
        self.pages = QStackedWidget()
        self.main_page = self._build_frame()
        self.main_page.installEventFilter(self)
        self.pages.addWidget(self.main_page)
        self.setCentralWidget(self.pages)
        self.status_strip = StatusStrip(self._mode_label)
        self.statusBar().addPermanentWidget(self.status_strip)
        # Connection, counts and credit mean nothing before there is an engine to report
        # them: "connecting…" would wait forever on the welcome page.
        self.status_strip.hide()
        self._selection_changed()
        if session is not None:
            self.attach_session(session)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted.set()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_header(event.size().width())
        super().resizeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The header's texts change (the credit arrives, a mode badge): fit it again.
        if watched is self.main_page and event.type() == QEvent.Type.LayoutRequest:
            self._fit_header(self.width())
        return super().eventFilter(watched, event)

    def _fit_header(self, width: int) -> None:
        """A narrow window (200 % on a small screen) drops the big title, which the window's
        title bar says too, before anything in the header would have to be cut."""
        title = self.title_label
        margins = self.body.contentsMargins()
        room = width - margins.left() - margins.right()
        spacing = max(0, self.header.spacing())
        others = self.header.minimumSize().width() - (0 if title.isHidden() else 1 + spacing)
        title.setVisible(room >= others + title.sizeHint().width() + spacing)

    def attach_session(self, session: Session) -> None:
        """Build the composer and the task list over ``session``, and start following it."""
        from ..engine.thumbnails import ThumbnailCache
        from ..session import NO_KEY_YET
        from .composer import Composer
        from .gallery_view import THUMB_SIZE, GalleryPanel
        from .notifications import TaskNotifier
        from .settings import profile_settings
        from .task_delegate import THUMB
        from .task_panel import TaskPanel
        from .thumbnail_images import ThumbnailImages
        from .welcome import WelcomePanel

        self.session = session
        self._mode, self._mode_label = session.mode, self._label_of(session)
        # Thumbnails at twice their shown size stay sharp on HiDPI screens.
        self.thumbnails = ThumbnailImages(
            ThumbnailCache(session.locations.thumbnails), 2 * THUMB, parent=self
        )
        self.task_panel = TaskPanel(self.thumbnails)
        self.tasks = self.task_panel.model
        self.composer = Composer(profile_settings(session.locations.profile))
        self.notifier = TaskNotifier(self, profile_settings(session.locations.profile))
        self.notifier.show_task.connect(self._show_finished_task)
        # Its own cache in memory: gallery tiles are up to THUMB_SIZE, the list's 56 px.
        self.gallery_thumbnails = ThumbnailImages(
            ThumbnailCache(session.locations.thumbnails), THUMB_SIZE, parent=self
        )
        self.gallery = GalleryPanel(
            session.store, session.locations.library, self.gallery_thumbnails
        )
        self._build_workspace()
        # A plain "no key yet" is what the welcome panel itself answers: said only when
        # something is wrong (no keyring, a refused key).
        problem = session.key_problem if session.key_problem != NO_KEY_YET else None
        self.welcome = WelcomePanel(problem)
        self.welcome.key_submitted.connect(lambda text: self._spawn(self._use_key(text)))
        self.welcome.sandbox_requested.connect(lambda: self._spawn(self._use_sandbox()))
        self.pages.insertWidget(0, self.welcome)
        self.status_strip.set_mode(self._mode_label)
        self._update_counts()
        self._selection_changed()
        if session.engine is not None:
            self.statusBar().showMessage(
                self.tr("Connected to {url}").format(url=session.base_url), 5000
            )
            self._attach_engine()
        else:
            self.pages.setCurrentWidget(self.welcome)
            # A stack is as wide as its widest page, shown or not: the workspace's minimum
            # must not hold the welcome panel's window wide.
            ignored = QSizePolicy.Policy.Ignored
            self.main_page.setSizePolicy(ignored, ignored)
            self.welcome.key_edit.setFocus()

    def _attach_engine(self) -> None:
        """Follow the engine: from the start, or once a key or the sandbox is chosen."""
        from .engine_bridge import EngineBridge

        engine = self.session.engine
        assert engine is not None
        self.bridge = EngineBridge(engine.events, self)
        self.bridge.task_changed.connect(self._task_changed)
        self.bridge.image_saved.connect(self.task_panel.image_saved)
        self.bridge.image_saved.connect(lambda image, _path: self.notifier.image_saved(image.task))
        self.bridge.image_saved.connect(lambda image, _path: self.gallery.image_saved(image.id))
        self.bridge.balance_changed.connect(self._show_credit)
        self.bridge.connection_changed.connect(self._connection_changed)
        self.bridge.image_failed.connect(
            lambda _image, message: self.statusBar().showMessage(localized(message), 15000)
        )
        self.main_page.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.pages.setCurrentWidget(self.main_page)
        self.status_strip.show()
        self._mode, self._mode_label = self.session.mode, self._label_of(self.session)
        self.setWindowTitle(f"Nano Banana Desktop — {self._mode_label}")
        self.status_strip.set_mode(self._mode_label)
        self.mode_badge.setText(self._mode_text())
        self._style_badge()
        self.detail_label.setText(self._detail_text())
        self.task_panel.set_engine_ready(True)
        self._selection_changed()
        self.composer.prompt.setFocus()

    async def _use_key(self, text: str) -> None:
        from ..api import NanoBananaError

        self.welcome.set_busy(True, self.tr("Checking the key with the API…"))
        try:
            note = await self.session.use_key(text)
        except (ValueError, NanoBananaError) as exc:
            self.welcome.show_error(str(exc))
            return
        self.welcome.key_edit.clear()
        self._attach_engine()
        self.statusBar().showMessage(
            localized(note) if note else self.tr("Key checked and saved in the system keyring"),
            15000,
        )
        await self.refresh_credit()

    async def _use_sandbox(self) -> None:
        self.welcome.set_busy(True, self.tr("Starting the sandbox…"))
        await self.session.use_sandbox()
        self._attach_engine()
        await self.refresh_credit()

    # ---------------------------------------------------------------- layout

    def _build_frame(self) -> QWidget:
        """The header, and room for the workspace: what the first paint shows."""
        self.title_label = title = QLabel("Nano Banana Desktop")
        title.setObjectName("title")
        title.setStyleSheet("#title { font-size: 18pt; font-weight: 600; }")
        # The style sheet's font applies at polish; measure after it, or descenders clip.
        title.ensurePolished()
        title.setMinimumHeight(title.fontMetrics().height() + 4)
        title.setContentsMargins(0, 0, 12, 0)  # the gap to the badge goes with the title
        # Not part of the header's minimum: a narrow window hides it (_fit_header) rather
        # than grow wider than its screen for it.
        title.setMinimumWidth(1)

        self.mode_badge = _plain(QLabel(self._mode_text()))
        self.mode_badge.setObjectName("modeBadge")
        self._style_badge()
        self.credit_label = _plain(QLabel(self.tr("Credit: …")))
        self.credit_label.setObjectName("credit")
        self.credit_label.setStyleSheet("#credit { font-weight: 600; }")
        self.detail_label = muted(_plain(QLabel(self.tr("Opening your history…"))))
        self.detail_label.setWordWrap(True)
        self.settings_button = QToolButton()
        self.settings_button.setObjectName("settingsButton")
        self.settings_button.setDefaultAction(self.settings_action)
        self.settings_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.settings_button.setStyleSheet(TOOL_BUTTON_STYLE)
        self.settings_button.setCursor(Qt.CursorShape.PointingHandCursor)

        header = QHBoxLayout()
        header.addWidget(title)
        header.addWidget(self.mode_badge, alignment=Qt.AlignmentFlag.AlignVCenter)
        header.addStretch(1)
        self.header = header  # the Create / Gallery switch joins it with the workspace
        header.addWidget(self.credit_label, alignment=Qt.AlignmentFlag.AlignVCenter)
        header.addSpacing(16)
        header.addWidget(self.settings_button, alignment=Qt.AlignmentFlag.AlignVCenter)

        self.body = QVBoxLayout()
        self.body.setContentsMargins(16, 12, 16, 8)
        self.body.setSpacing(8)
        self.body.addLayout(header)
        self.body.addWidget(self.detail_label)
        self.body.addStretch(1)  # the workspace takes its place
        widget = QWidget()
        widget.setLayout(self.body)
        return widget

    def _build_workspace(self) -> None:
        panel = self.task_panel
        panel.selection_changed.connect(self._selection_changed)
        panel.retry_requested.connect(self._retry_task)
        panel.check_requested.connect(self._check_task)
        panel.remove_requested.connect(self._remove_task)
        panel.reuse_requested.connect(self._reuse_task)
        panel.notice.connect(lambda text: self.statusBar().showMessage(text, 4000))
        panel.add_actions([self.check_action, self.retry_action])
        panel.show_in_gallery.connect(self.show_in_gallery)
        gallery = self.gallery
        gallery.notice.connect(lambda text: self.statusBar().showMessage(text, 6000))
        gallery.reference_requested.connect(self._use_as_reference)
        gallery.reuse_requested.connect(lambda local_id: self._spawn(self._reuse_image(local_id)))

        self.composer.submitted.connect(self._submit_from_composer)
        self.composer.setMinimumWidth(610)  # four 144 px reference slots in a row
        # It scrolls when the window is short: at 200 % a 1080p screen is 540 px tall.
        self.composer_area = vertical_scroller(self.composer, "composerArea")
        bar = self.composer_area.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.composer_area.setMinimumWidth(610 + bar)  # room for the bar when it shows
        self.composer_area.setMinimumHeight(160)
        self.splitter = AdaptiveSplitter(self.composer_area, self.task_panel)
        self.splitter.setSizes([620 + bar, 640])
        self.workspace = QStackedWidget()
        self.workspace.addWidget(self.splitter)
        self.workspace.addWidget(self.gallery)
        self.body.takeAt(self.body.count() - 1)  # the frame's placeholder stretch
        self.body.addWidget(self.workspace, 1)
        self._build_switch()
        self.detail_label.setText(self._detail_text())

    def _build_switch(self) -> None:
        """Create and Gallery as one segmented control, centred in the header."""
        self.page_buttons: dict[str, QToolButton] = {}
        switch = QHBoxLayout()
        switch.setSpacing(0)
        pages = (("create", self.tr("Create"), "Ctrl+1"), ("gallery", self.tr("Gallery"), "Ctrl+2"))
        for name, text, keys in pages:
            button = QToolButton()
            button.setObjectName(f"page_{name}")
            button.setText(text)
            button.setCheckable(True)
            button.setAutoExclusive(True)
            button.setChecked(name == "create")
            button.setProperty("segment", "first" if name == "create" else "last")
            button.setStyleSheet(SEGMENT_STYLE)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip(f"{text} ({keys})")
            button.clicked.connect(lambda _checked=False, n=name: self.show_page(n))
            shortcut = QAction(self)
            shortcut.setShortcut(QKeySequence(keys))
            shortcut.triggered.connect(lambda _checked=False, n=name: self.show_page(n))
            self.addAction(shortcut)
            self.page_buttons[name] = button
            switch.addWidget(button)
        # After the badge's stretch, with one of its own: centred between badge and credit.
        after = self.header.indexOf(self.mode_badge) + 2
        self.header.insertLayout(after, switch)
        self.header.insertStretch(after + 1, 1)

    def show_page(self, name: str) -> None:
        """ "create" (composer and tasks) or "gallery"; the gallery reads its first page
        the first time it is shown, not at start-up."""
        self.page_buttons[name].setChecked(True)
        if name == "gallery":
            self.workspace.setCurrentWidget(self.gallery)
            self.gallery.start()
            self.gallery.view.setFocus()
        else:
            self.workspace.setCurrentIndex(0)
            self.composer.prompt.setFocus()

    def show_in_gallery(self, local_id: int) -> None:
        """The task list's "Show in gallery": the gallery, showing that task's images."""
        self.gallery.show_task(local_id)
        self.show_page("gallery")

    def _show_finished_task(self, local_id: int) -> None:
        """A click on a "finished" notification: the task, in the list, whatever its filter."""
        from .task_model import TaskFilter

        self.show_page("create")
        if not self.task_panel.select_task(local_id):
            self.task_panel.set_filter(TaskFilter.ALL)
            self.task_panel.select_task(local_id)

    def _use_as_reference(self, mime: object) -> None:
        from PySide6.QtCore import QMimeData

        assert isinstance(mime, QMimeData)
        if self.composer.references.add(mime):
            self.show_page("create")
            self.statusBar().showMessage(self.tr("Added to the composer's references"), 4000)
        else:
            self.statusBar().showMessage(
                self.tr("Every reference slot is taken; clear one first"), 6000
            )

    async def _reuse_image(self, local_id: int) -> None:
        try:
            task = await self.session.store.get_task(local_id)
        except KeyError:
            self.statusBar().showMessage(
                self.tr("Task {id} is no longer in the history").format(id=local_id), 6000
            )
            return
        self._reuse_task(task)
        self.show_page("create")

    def _build_actions(self) -> None:
        """Settings shows in the header; Check now and Retry at the task list, once it
        exists. Each shortcut works while its button is on screen."""
        self.check_action = QAction(self.tr("Check now"), self)
        self.check_action.setShortcut(QKeySequence("F5"))
        self.check_action.setToolTip(self.tr("Ask the API about the selected task at once (F5)"))
        self.check_action.triggered.connect(self.check_selected)
        self.retry_action = QAction(self.tr("Retry"), self)
        self.retry_action.setShortcut(QKeySequence("Ctrl+R"))
        self.retry_action.triggered.connect(self.retry_selected)
        self.settings_action = QAction(self.tr("Settings…"), self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.setToolTip(
            self.tr("API key, address, library folder, tracking, language")
        )
        self.settings_action.triggered.connect(self.open_settings)

    def open_settings(self) -> SettingsDialog:
        """Non-modal, and one of it: a second request raises the open dialog."""
        from .settings_dialog import SettingsDialog

        if self.settings_dialog is None:
            self.settings_dialog = SettingsDialog(self.session, self)
            self.settings_dialog.key_changed.connect(self._key_changed)
        self.settings_dialog.open()
        self.settings_dialog.raise_()
        self.settings_dialog.activateWindow()
        return self.settings_dialog

    def _key_changed(self) -> None:
        self.detail_label.setText(self._detail_text())
        self._spawn(self.refresh_credit())

    def _style_badge(self) -> None:
        sandbox = self._mode == "sandbox"
        fill, ink = (SANDBOX_BADGE, ON_SANDBOX_BADGE) if sandbox else (API_BADGE, ON_API_BADGE)
        themed_style_sheet(
            self.mode_badge,
            lambda palette: (
                "#modeBadge { border-radius: 10px; padding: 3px 12px; font-weight: 600;"
                f" background: {fill.on(palette).name()}; color: {ink.on(palette).name()}; }}"
            ),
        )

    def _label_of(self, session: Session) -> str:
        # The session's "Sandbox" is English; app.py marks the same word for the frame.
        return self.tr("Sandbox") if session.mode == "sandbox" else session.mode_label

    def _mode_text(self) -> str:
        if self._mode == "sandbox":
            return self.tr("SANDBOX · offline emulator")
        return f"API · {self._mode_label}"

    def _detail_text(self) -> str:
        if self._mode == "sandbox":
            return self.tr(
                "Images come from the built-in emulator on this machine: no account, "
                "no network, no cost."
            )
        if self.session.key_problem:
            return localized(self.session.key_problem)
        return self.tr("Using your API key from the system keyring or NANOBANANA_API_KEY.")

    # ---------------------------------------------------------------- behaviour

    def start(self) -> None:
        """Begin the window's background work; the UI thread never waits on it."""
        self._spawn(self.refresh_credit())
        self._spawn(self._load_tasks())

    async def _load_tasks(self) -> None:
        from ..engine.records import ImageState

        try:
            store = self.session.store
            history = await store.list_tasks(limit=1000)
            images = await store.images_for_tasks([task.id for task in history])
            library = self.session.locations.library
            saved = {
                local_id: [
                    (image.index, str(library / image.path), image.sha256)
                    for image in found
                    if image.state is ImageState.SAVED and image.path and not image.deleted
                ]
                for local_id, found in images.items()
            }
            self.task_panel.load(history, saved)
            self.composer.prompt.set_recent([task.prompt for task in history])
            self._update_counts()
        finally:
            self.tasks_loaded.set()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.session is None:
            return
        # Where the first keystroke belongs: the key field on a first run, else the prompt.
        if self.pages.currentWidget() is self.welcome:
            self.welcome.key_edit.setFocus()
        else:
            self.composer.prompt.setFocus()

    def _submit_from_composer(self, request: GenerationRequest, variations: int) -> None:
        if self.session.engine is None:
            problem = self.session.key_problem
            message = (
                localized(problem)
                if problem
                else self.tr("Add an API key first, or start with --sandbox")
            )
            self.statusBar().showMessage(message, 15000)
            return
        self._spawn(self._submit(request, variations))

    async def _submit(self, request: GenerationRequest, variations: int) -> None:
        from ..api import RequestValidationError

        assert self.session.engine is not None
        engine = self.session.engine
        try:
            await asyncio.gather(*(engine.submit(request) for _ in range(variations)))
        except RequestValidationError as exc:
            # Nothing was recorded or sent: say which field, keep everything as it is.
            message = localized(str(exc))
            self.statusBar().showMessage(message, 15000)
            self.composer.reason_label.setText(message)

    async def refresh_credit(self) -> None:
        from ..api import NanoBananaError

        client = self.session.client
        try:
            if client is None:
                self.credit_label.setText(self.tr("Credit: unknown (no API key)"))
                self.status_strip.set_balance(None, self.tr("No API key yet"))
                return
            self._show_credit(await client.balance())
        except NanoBananaError as exc:
            self.credit_label.setText(self.tr("Credit: unavailable"))
            self.credit_label.setToolTip(plain_tip(localized(str(exc))))
            self.status_strip.set_balance(None, str(exc))
            log.warning("balance failed: %s", exc)
        finally:
            self.credit_loaded.set()

    def _show_credit(self, credit: Decimal) -> None:
        amount = format_number(credit)
        self.credit_label.setText(self.tr("Credit: {credit}").format(credit=amount))
        self.credit_label.setToolTip("")
        self.status_strip.set_balance(credit)
        self.status_strip.set_online(True, self.tr("The API answered"))

    def _task_changed(self, task: TaskRecord) -> None:
        row = self.tasks.row_of(task.id)
        before = self.tasks.task_at(row) if row is not None else None
        self.status_strip.task_changed(before, task)
        self.notifier.task_changed(before, task)
        self.task_panel.task_changed(task)
        self._update_counts()
        self._selection_changed()

    def _connection_changed(self, online: bool, message: str) -> None:
        # Offline stays on screen until it is over; "Connected" fades after 5 s.
        was_online = self.status_strip.online
        self.status_strip.set_online(online, message)
        if online and was_online is False:
            self.statusBar().showMessage(self.tr("Connected again"), 5000)
        elif not online:
            self.statusBar().showMessage(localized(message))

    def _update_counts(self) -> None:
        self.status_strip.set_counts(self.tasks.counts())

    def selected_task(self) -> TaskRecord | None:
        return self.task_panel.selected_task()

    def _selection_changed(self) -> None:
        if self.session is None:  # the frame, before the session: nothing to act on
            for action in (self.check_action, self.retry_action, self.settings_action):
                action.setEnabled(False)
            return
        from ..engine.records import TaskState
        from .task_panel import POLLABLE, RETRYABLE, resubmit_warning

        self.settings_action.setEnabled(True)
        task = self.selected_task()
        engine_ready = self.session.engine is not None
        self.check_action.setEnabled(engine_ready and task is not None and task.state in POLLABLE)
        can_retry = engine_ready and task is not None and task.state in RETRYABLE
        self.retry_action.setEnabled(can_retry)
        resubmit = task is not None and task.state is TaskState.UNKNOWN
        self.retry_action.setText(self.tr("Resubmit") if resubmit else self.tr("Retry"))
        self.retry_action.setToolTip(
            self.tr("{warning} (Ctrl+R)").format(warning=resubmit_warning())
            if resubmit
            else self.tr("Start a new task with the same prompt and settings (Ctrl+R)")
        )

    def check_selected(self) -> None:
        task = self.selected_task()
        if task is not None:
            self._check_task(task.id)

    def retry_selected(self) -> None:
        task = self.selected_task()
        if task is not None:
            self._retry_task(task.id)

    def _check_task(self, local_id: int) -> None:
        if self.session.engine is not None:
            self.session.engine.poll_now(local_id)
            self.statusBar().showMessage(self.tr("Checking task {id}…").format(id=local_id), 3000)

    def _retry_task(self, local_id: int) -> None:
        if self.session.engine is not None:
            self._spawn(self._retry(local_id))

    async def _retry(self, local_id: int) -> None:
        from ..api import NanoBananaError

        assert self.session.engine is not None
        try:
            new = await self.session.engine.retry(local_id)
        except NanoBananaError as exc:
            self.statusBar().showMessage(localized(str(exc)), 15000)
            return
        self.statusBar().showMessage(
            self.tr("Task {id} sent again as task {new}").format(id=local_id, new=new.id), 5000
        )

    def _remove_task(self, local_id: int) -> None:
        self._spawn(self._remove(local_id))

    async def _remove(self, local_id: int) -> None:
        engine = self.session.engine
        try:
            if engine is not None:
                await engine.hide_task(local_id)  # the engine tells the list
            else:
                self.task_panel.task_changed(await self.session.store.hide_task(local_id))
        except (ValueError, KeyError) as exc:
            self.statusBar().showMessage(localized(str(exc)), 8000)
            return
        self.statusBar().showMessage(
            self.tr("Task {id} removed from the list; its images stay in the library").format(
                id=local_id
            ),
            5000,
        )

    def _reuse_task(self, task: TaskRecord) -> None:
        self.composer.load_request(task.request())
        note = self.composer.references.message()
        text = (
            self.tr("Task {id}'s prompt and settings are in the composer ({note})")
            if note
            else self.tr("Task {id}'s prompt and settings are in the composer")
        )
        self.statusBar().showMessage(text.format(id=task.id, note=note), 5000)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self._background.spawn(coro)

    def save_geometry(self) -> None:
        """Keep the window's size and place for the next start (in the profile). Hidden, it
        keeps its last geometry: closing first and stopping after still saves it."""
        if self._geometry_settings is not None and self.painted.is_set():
            save_geometry(self._geometry_settings, self)

    async def stop(self) -> None:
        self.save_geometry()
        if self.settings_dialog is not None:
            await self.settings_dialog.aclose()
        if self.session is not None:
            await self.composer.aclose()
            await self.task_panel.aclose()
            await self.gallery.aclose()
            await self.gallery_thumbnails.aclose()
        if self.bridge is not None:
            self.bridge.detach()
            self.bridge = None
        await self._background.cancel()
