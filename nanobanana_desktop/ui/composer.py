"""The composer: prompt, model, options and variations, and the button that sends them.

An image dropped on the prompt or on the composer's free space gives back the prompt and
settings it was made with (see :mod:`.dropin`); Undo puts back what was there before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QTextCursor,
    QValidator,
)
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..api import (
    ASPECT_RATIOS,
    IMAGE_SIZES,
    KNOWN_MODELS,
    MODELS_WITH_IMAGE_SIZE,
    GenerationRequest,
)
from ..blocking import run_blocking
from ..engine.image_settings import ImageSettings, NoSettingsError, read_image_settings
from .background import BackgroundTasks
from .draft_writer import DraftWriter
from .dropin import RestoreBar, dropped_files, one_at_a_time, restored_summary
from .reference_slots import ReferencePanel
from .style import muted, primary
from .translations import localized

DRAFT_KEY = "composer/draft"
MODEL_KEY = "composer/model"
RATIO_KEY = "composer/aspect_ratio"
SIZE_KEY = "composer/image_size"
COUNT_KEY = "composer/variations"
# The first item of the ratio and size lists, in English whatever language shows it: the
# composer saves it in the profile, and a saved value must not depend on the language.
_NOT_SENT = "Default (not sent)"
PROMPT_MIN_LINES = 4
PROMPT_MAX_LINES = 10  # past this it scrolls: the room below is for the options
FIELD_MIN_WIDTH = 150
_COUNT_TEXT = re.compile(r"\s*(\d*)\s*([^\W\d_]*)\s*")
_EVERYTHING = frozenset({"model", "aspect_ratio", "image_size", "references"})


def _choose(combo: QComboBox, value: str) -> None:
    """Select ``value``, adding it first if this app does not list it (sent by the CLI)."""
    if value == _NOT_SENT:
        combo.setCurrentIndex(0)
        return
    if combo.findText(value) < 0:
        combo.addItem(value)
    combo.setCurrentText(value)


def _chosen(combo: QComboBox) -> str:
    """The value shown; ``_NOT_SENT`` for the first item, in whatever language it shows."""
    return _NOT_SENT if combo.currentIndex() == 0 else combo.currentText()


def _accept_file_drop(event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> bool:
    """Accept a drag of files as a copy (a "move" from a file manager would delete them)."""
    if not dropped_files(event.mimeData()):
        return False
    event.setDropAction(Qt.DropAction.CopyAction)
    event.accept()
    return True


@dataclass(frozen=True)
class _Choices:
    """What the composer showed before a restore, for Undo."""

    prompt: str
    model: str
    aspect_ratio: str
    image_size: str
    references: tuple[str, ...]


class PromptEdit(QPlainTextEdit):
    """Plain text only; Ctrl+Enter submits; Up/Down at the edges step through recent prompts.

    Files dropped on it are not pasted as paths: ``files_dropped`` hands them on.
    """

    submit_requested = Signal()
    files_dropped = Signal(list)  # list[Path]

    def __init__(self) -> None:
        super().__init__()
        self.setPlaceholderText(
            self.tr("Describe the image: subject, setting, light, style…  (Ctrl+Enter to generate)")
        )
        self.setTabChangesFocus(True)
        self._recent: list[str] = []  # newest first
        self._position = -1  # -1: the user's own text
        self._own_text = ""
        self._fit_height()

    def _fit_height(self) -> None:
        # Lines of the editor's font, plus the document margin and the frame.
        line = self.fontMetrics().lineSpacing()
        chrome = round(2 * self.document().documentMargin()) + 2 * self.frameWidth() + 2
        self.setMinimumHeight(PROMPT_MIN_LINES * line + chrome)
        self.setMaximumHeight(PROMPT_MAX_LINES * line + chrome)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_height()

    def set_recent(self, prompts: Sequence[str]) -> None:
        self._recent = list(dict.fromkeys(p for p in prompts if p.strip()))
        self._position = -1

    def remember(self, prompt: str) -> None:
        self.set_recent([prompt, *self._recent])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier
        ):
            self.submit_requested.emit()
            return
        line = self.textCursor().blockNumber()
        plain = mods == Qt.KeyboardModifier.NoModifier
        if plain and (
            (key == Qt.Key.Key_Up and line == 0 and self._step(+1))
            or (key == Qt.Key.Key_Down and line == self.blockCount() - 1 and self._step(-1))
        ):
            return
        super().keyPressEvent(event)

    def _step(self, direction: int) -> bool:
        target = self._position + direction
        if target < -1 or target >= len(self._recent):
            return False
        if self._position == -1:
            self._own_text = self.toPlainText()
        self._position = target
        self.setPlainText(self._own_text if target == -1 else self._recent[target])
        self.moveCursor(self.textCursor().MoveOperation.End)
        return True

    def insertFromMimeData(self, source: QMimeData) -> None:
        # Pasted rich text must not smuggle markup into a prompt.
        if source.hasText():
            self.insertPlainText(source.text())

    def replace_text(self, text: str) -> None:
        """Replace the whole prompt as one step that the editor's own undo takes back."""
        cursor = self.textCursor()
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        self.setTextCursor(cursor)
        self._position = -1

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not _accept_file_drop(event):
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not _accept_file_drop(event):
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if _accept_file_drop(event):
            self.files_dropped.emit(dropped_files(event.mimeData()))
        else:
            super().dropEvent(event)


class TaskCountSpinBox(QSpinBox):
    """How many tasks to send: "1 task", "2 tasks" (a suffix cannot say both)."""

    def textFromValue(self, value: int) -> str:
        if value == 1:
            return self.tr("{count} task").format(count=value)
        return self.tr("{count} tasks").format(count=value)

    def valueFromText(self, text: str) -> int:
        match = _COUNT_TEXT.fullmatch(text)
        return int(match.group(1)) if match and match.group(1) else self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        # The number may be followed by (part of) the word: "3", "3 ta", "3 tasks".
        match = _COUNT_TEXT.fullmatch(text)
        typed = match.group(2).lower() if match else ""
        words = {self.textFromValue(n).replace(str(n), "").strip().lower() for n in (1, 2)}
        if match is None or not any(word.startswith(typed) for word in words):
            return QValidator.State.Invalid, text, pos
        if not match.group(1):
            return QValidator.State.Intermediate, text, pos
        value = int(match.group(1))
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate if value == 0 else QValidator.State.Invalid, text, pos


class Composer(QWidget):
    submitted = Signal(object, int)  # GenerationRequest, variations

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._drafts = DraftWriter(settings.fileName())
        self._background = BackgroundTasks("reading a dropped image")
        self._restore_serial = 0  # a newer drop wins over a read still running
        self._before_restore: _Choices | None = None
        self.references = ReferencePanel()
        self.references.busy_changed.connect(lambda _busy: self._update_button())
        self.prompt = PromptEdit()
        self.prompt.setPlainText(str(settings.value(DRAFT_KEY, "") or ""))
        self.prompt.submit_requested.connect(self.submit)
        self.prompt.files_dropped.connect(self.restore_from_files)
        self.restore_bar = RestoreBar()
        self.restore_bar.undo_requested.connect(self.undo_restore)
        self.setAcceptDrops(True)
        self.count_label = muted(QLabel())
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)

        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.addItems(list(KNOWN_MODELS))
        self.model.setCurrentText(
            str(settings.value(MODEL_KEY, KNOWN_MODELS[0]) or KNOWN_MODELS[0])
        )
        self.model.setToolTip(
            self.tr("The first two are documented by the API; you can type any id")
        )
        self.aspect_ratio = QComboBox()
        self.aspect_ratio.addItems([self.tr("Default (not sent)"), *ASPECT_RATIOS])
        self.aspect_ratio.setCurrentText(str(settings.value(RATIO_KEY, _NOT_SENT)))
        self.image_size = QComboBox()
        self.image_size.addItems([self.tr("Default (not sent)"), *IMAGE_SIZES])
        self.image_size.setCurrentText(str(settings.value(SIZE_KEY, _NOT_SENT)))
        self.variations = TaskCountSpinBox()
        self.variations.setRange(1, 4)
        stored = str(settings.value(COUNT_KEY, 1))
        self.variations.setValue(int(stored) if stored.isdigit() else 1)
        self.variations.setToolTip(self.tr("Send this many tasks at once; each is charged"))

        self.generate_button = QPushButton(self.tr("Generate"))
        self.generate_button.setObjectName("generate")
        self.generate_button.setDefault(True)
        primary(self.generate_button)
        self.generate_button.setMinimumHeight(38)
        # Fixed, and wide enough for "Generate 4": the button does not move as the count does.
        widest = self._generate_text(4)
        self.generate_button.setFixedWidth(
            max(180, self.generate_button.fontMetrics().horizontalAdvance(widest) + 64)
        )
        self.generate_button.clicked.connect(self.submit)
        self.reason_label = muted(QLabel())
        self.reason_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_label.setWordWrap(True)
        self.reason_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        # Two columns of two: every field the same width, whatever its content asks for.
        options = QGridLayout()
        options.setHorizontalSpacing(10)
        options.setVerticalSpacing(8)
        fields = (
            (self.tr("Model"), self.model),
            (self.tr("Aspect ratio"), self.aspect_ratio),
            (self.tr("Image size"), self.image_size),
            (self.tr("Variations"), self.variations),
        )
        for position, (text, field) in enumerate(fields):
            row, column = divmod(position, 2)
            label = QLabel(text)
            label.setBuddy(field)
            field.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            field.setMinimumWidth(FIELD_MIN_WIDTH)
            options.addWidget(label, row, 3 * column)
            options.addWidget(field, row, 3 * column + 1)
        options.setColumnStretch(1, 1)
        options.setColumnStretch(4, 1)
        options.setColumnMinimumWidth(2, 14)  # the gutter between the two columns
        button_row = QHBoxLayout()
        button_row.setSpacing(12)
        button_row.addWidget(self.reason_label, 1)
        button_row.addWidget(self.generate_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.prompt, 2)
        layout.addWidget(self.count_label, alignment=Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.restore_bar)
        layout.addLayout(options)
        layout.addSpacing(6)
        layout.addWidget(self.references)
        layout.addLayout(button_row)
        # Spare height gathers under the button, once the prompt has its ten lines: the
        # action stays right after what it sends, as the end of the form.
        layout.addStretch(1)

        # A draft is saved half a second after typing stops, not on every key.
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(500)
        self._draft_timer.timeout.connect(self.save_draft)
        self.prompt.textChanged.connect(self._prompt_changed)
        self.model.currentTextChanged.connect(self._model_changed)
        self.variations.valueChanged.connect(self._update_button)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.submit)
        self._prompt_changed()
        self._model_changed(self.model.currentText())

    def _prompt_changed(self) -> None:
        count = len(self.prompt.toPlainText())
        self.count_label.setText(
            self.tr("{count} character").format(count=count)
            if count == 1
            else self.tr("{count} characters").format(count=count)
        )
        self._update_button()
        self._draft_timer.start()

    def _model_changed(self, model: str) -> None:
        takes_size = model.strip() in MODELS_WITH_IMAGE_SIZE
        self.image_size.setEnabled(takes_size)
        self.image_size.setToolTip(
            "" if takes_size else self.tr("This model makes 1K images; the size is not sent")
        )
        self._update_button()

    def _update_button(self) -> None:
        reason = ""
        if not self.prompt.toPlainText().strip():
            reason = self.tr("Write a prompt first")
        elif not self.model.currentText().strip():
            reason = self.tr("Choose a model")
        elif self.references.busy():
            reason = self.tr("Waiting for a reference image to load")
        self.generate_button.setEnabled(not reason)
        self.generate_button.setToolTip(reason or self.tr("Generate (Ctrl+Enter)"))
        self.reason_label.setText(reason)
        self.generate_button.setText(self._generate_text(self.variations.value()))

    def _generate_text(self, count: int) -> str:
        if count == 1:
            return self.tr("Generate")
        return self.tr("Generate {count}").format(count=count)

    def request(self) -> GenerationRequest:
        model = self.model.currentText().strip()
        ratio = _chosen(self.aspect_ratio)
        size = _chosen(self.image_size)
        return GenerationRequest(
            model=model,
            prompt=self.prompt.toPlainText(),
            images=self.references.references(),
            aspect_ratio=None if ratio == _NOT_SENT else ratio,
            image_size=None if size == _NOT_SENT or model not in MODELS_WITH_IMAGE_SIZE else size,
        )

    def load_request(self, request: GenerationRequest) -> None:
        """Fill everything from a request (a task reused from the list); variations stay."""
        self._fill(
            ImageSettings(
                origin="task",
                prompt=request.prompt,
                model=request.model,
                aspect_ratio=request.aspect_ratio,
                image_size=request.image_size,
                references=request.images,
                restored=_EVERYTHING,
            )
        )

    def _fill(self, found: ImageSettings) -> None:
        """The prompt, and each other field ``found`` restores; variations stay."""
        self.prompt.replace_text(found.prompt)
        if "model" in found.restored:
            self.model.setCurrentText(found.model)
        if "aspect_ratio" in found.restored:
            _choose(self.aspect_ratio, found.aspect_ratio or _NOT_SENT)
        if "image_size" in found.restored:
            if found.image_size:
                _choose(self.image_size, found.image_size)
            elif self.model.currentText().strip() in MODELS_WITH_IMAGE_SIZE:
                _choose(self.image_size, _NOT_SENT)
            # A model without a size keeps the user's size choice: it is not sent for it.
        if "references" in found.restored:
            self.references.set_references(found.references)
        self.prompt.moveCursor(self.prompt.textCursor().MoveOperation.End)
        self.prompt.setFocus()

    # ---------------------------------------------------------------- restoring from a file

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not _accept_file_drop(event):
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not _accept_file_drop(event):
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        if _accept_file_drop(event):
            self.restore_from_files(dropped_files(event.mimeData()))
        else:
            event.ignore()

    def restore_from_files(self, paths: Sequence[Path]) -> None:
        """Read the prompt and settings a dropped image carries, in a worker thread."""
        self._restore_serial += 1
        if len(paths) != 1:
            self.restore_bar.show_problem(one_at_a_time())
            return
        self.restore_bar.show_busy(self.tr("Reading “{name}”…").format(name=paths[0].name))
        self._background.spawn(self._restore(paths[0], self._restore_serial))

    async def _restore(self, path: Path, serial: int) -> None:
        try:
            found = await run_blocking(read_image_settings, path)
        except NoSettingsError as exc:
            if serial == self._restore_serial:
                self.restore_bar.show_problem(localized(str(exc)))
            return
        # A reference still loading is not in the snapshot yet: let it land first.
        await self.references.wait_idle()
        if serial == self._restore_serial:
            self.apply_settings(found, path.name)

    def apply_settings(self, found: ImageSettings, name: str) -> None:
        """Restore ``found``, keeping what was there for Undo, and say what changed."""
        before = _Choices(
            prompt=self.prompt.toPlainText(),
            model=self.model.currentText(),
            aspect_ratio=_chosen(self.aspect_ratio),
            image_size=_chosen(self.image_size),
            references=self.references.references(),
        )
        self._before_restore = before
        if before.prompt.strip() and before.prompt != found.prompt:
            self.prompt.remember(before.prompt)  # Up in the prompt brings it back too
        self._fill(found)
        notes = [localized(note) for note in found.notes]  # engine/image_settings.py's
        references_note = self.references.message() if "references" in found.restored else ""
        if references_note:
            notes.append(references_note.capitalize() + ".")
        self.restore_bar.show_restored(restored_summary(found, name, len(before.references)), notes)

    def undo_restore(self) -> None:
        """Put back the prompt, settings and references from before the last restore."""
        before, self._before_restore = self._before_restore, None
        if before is None:
            return
        self.prompt.replace_text(before.prompt)
        self.model.setCurrentText(before.model)
        _choose(self.aspect_ratio, before.aspect_ratio)
        _choose(self.image_size, before.image_size)
        if self.references.references() != before.references:
            self.references.set_references(before.references)
        self.prompt.moveCursor(self.prompt.textCursor().MoveOperation.End)
        self.prompt.setFocus()
        self.restore_bar.show_undone(self.tr("Undone: your previous prompt and settings are back."))

    async def settle(self) -> None:
        """Until every dropped file being read has been read and applied."""
        await self._background.settle()

    async def aclose(self) -> None:
        if self._draft_timer.isActive():  # typed less than half a second before closing
            self._draft_timer.stop()
            self.save_draft()
        await self._background.cancel()
        await self.references.aclose()
        # Waits for the last draft write (a few ms), so quitting never loses it. Not through
        # the loop: on the aboutToQuit path Qt's loop is already gone.
        self._drafts.close()

    def submit(self) -> None:
        """Emit the request; the composer keeps its content so the user can iterate."""
        if not self.generate_button.isEnabled():
            return
        request = self.request()
        self.prompt.remember(request.prompt)
        self.save_draft()
        if self.restore_bar.kind in ("restored", "undone"):
            # Sent: the restore is settled (the earlier prompt is still under Up).
            self._before_restore = None
            self.restore_bar.dismiss()
        self.submitted.emit(request, self.variations.value())

    def save_draft(self) -> None:
        """Hand the draft to the writer thread; ``flush_draft`` waits for it."""
        self._drafts.save(
            {
                DRAFT_KEY: self.prompt.toPlainText(),
                MODEL_KEY: self.model.currentText().strip(),
                RATIO_KEY: _chosen(self.aspect_ratio),
                SIZE_KEY: _chosen(self.image_size),
                COUNT_KEY: self.variations.value(),
            }
        )

    def flush_draft(self) -> None:
        self._drafts.flush()
