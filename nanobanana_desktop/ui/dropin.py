"""Restoring the composer from a dropped image: which drops count, and the bar that says
what was restored and offers to undo it.

A file dropped on the prompt or on the composer's free space restores the settings it
carries; a file dropped on a reference slot stays a reference (the slots take their own
drops, so they never reach this code).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QMimeData,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from ..engine.image_settings import OWN, ImageSettings
from .style import TOOL_BUTTON_STYLE, WARNING_TEXT, mix, muted

UNDONE_SECONDS = 6  # how long "Undone" stays before the bar folds away
ONE_AT_A_TIME = QT_TRANSLATE_NOOP(
    "RestoreBar",
    "Drop one image at a time to restore its settings; to add references, drop them on "
    "the reference slots.",
)


def one_at_a_time() -> str:
    """ONE_AT_A_TIME in the interface's language."""
    return QCoreApplication.translate("RestoreBar", ONE_AT_A_TIME)


def dropped_files(mime: QMimeData) -> list[Path]:
    """The local files a drag carries (a file manager's, or a gallery tile's)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def restored_summary(found: ImageSettings, name: str, reference_count: int) -> str:
    """ "Restored from “x.png”: prompt, model …, 16:9, 1 reference." """
    parts = [QCoreApplication.translate("RestoreBar", "prompt")]
    if "model" in found.restored:
        parts.append(
            QCoreApplication.translate("RestoreBar", "model {model}").format(model=found.model)
        )
    if "aspect_ratio" in found.restored and found.aspect_ratio:
        parts.append(
            QCoreApplication.translate("RestoreBar", "aspect ratio {ratio}").format(
                ratio=found.aspect_ratio
            )
        )
    if "image_size" in found.restored and found.image_size:
        parts.append(
            QCoreApplication.translate("RestoreBar", "size {size}").format(size=found.image_size)
        )
    if "references" in found.restored:
        count = len(found.references)
        if count == 1:
            parts.append(QCoreApplication.translate("RestoreBar", "1 reference"))
        elif count:
            parts.append(
                QCoreApplication.translate("RestoreBar", "{count} references").format(count=count)
            )
        elif reference_count:
            parts.append(QCoreApplication.translate("RestoreBar", "no references"))
    listed = ", ".join(parts)
    if found.origin == OWN:
        return QCoreApplication.translate("RestoreBar", "Restored from “{name}”: {parts}.").format(
            name=name, parts=listed
        )
    return QCoreApplication.translate(
        "RestoreBar", "Restored from “{name}” ({origin}): {parts}."
    ).format(name=name, origin=found.origin, parts=listed)


class RestoreBar(QFrame):
    """One line under the prompt: what a drop restored (with Undo), or why it could not."""

    undo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restoreBar")
        self.message = _plain(QLabel())
        self.message.setObjectName("restoreMessage")
        self.message.setWordWrap(True)
        self.details = muted(_plain(QLabel()))
        self.details.setObjectName("restoreDetails")
        self.details.setWordWrap(True)
        self.undo_button = QToolButton()
        self.undo_button.setObjectName("restoreUndo")
        self.undo_button.setText(self.tr("Undo"))
        self.undo_button.setToolTip(
            self.tr("Put back the prompt, settings and references you had before the drop")
        )
        self.undo_button.setStyleSheet(TOOL_BUTTON_STYLE)
        self.undo_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.undo_button.clicked.connect(self.undo_requested)
        self.close_button = QToolButton()
        self.close_button.setObjectName("restoreClose")
        self.close_button.setText("×")
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.setAutoRaise(True)
        self.close_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.close_button.clicked.connect(self.dismiss)

        texts = QVBoxLayout()
        texts.setContentsMargins(0, 0, 0, 0)
        texts.setSpacing(2)
        texts.addWidget(self.message)
        texts.addWidget(self.details)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 6, 8)
        row.setSpacing(8)
        row.addLayout(texts, 1)
        row.addWidget(self.undo_button, alignment=Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.close_button, alignment=Qt.AlignmentFlag.AlignTop)

        self._fold = QTimer(self)
        self._fold.setSingleShot(True)
        self._fold.timeout.connect(self.dismiss)
        self._kind = "info"
        self.hide()

    @property
    def kind(self) -> str:
        """ "busy", "restored", "problem", "undone" or "" when hidden."""
        return self._kind if self.isVisibleTo(self.parentWidget() or self) else ""

    def show_busy(self, text: str) -> None:
        self._show("busy", text)

    def show_restored(self, summary: str, notes: Sequence[str]) -> None:
        self._show("restored", summary, notes, undo=True)

    def show_problem(self, text: str) -> None:
        self._show("problem", text)

    def show_undone(self, text: str) -> None:
        self._show("undone", text)
        self._fold.start(UNDONE_SECONDS * 1000)

    def dismiss(self) -> None:
        self._fold.stop()
        self.hide()

    def _show(self, kind: str, text: str, notes: Sequence[str] = (), *, undo: bool = False) -> None:
        self._fold.stop()
        self._kind = kind
        self.message.setText(text)
        self.details.setText("\n".join(notes))
        self.details.setVisible(bool(notes))
        self.undo_button.setVisible(undo)
        self.update()
        self.show()

    def paintEvent(self, event: QPaintEvent) -> None:
        # Painted rather than styled: a style sheet here would restyle the labels inside,
        # and its colours could not follow a palette change without a repolish loop.
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        if self._kind == "problem":
            accent = WARNING_TEXT.on(palette)
        else:
            accent = palette.color(QPalette.ColorRole.Highlight)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(mix(base, accent, 0.45), 1))
        painter.setBrush(mix(base, accent, 0.10))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)


def _plain(label: QLabel) -> QLabel:
    # File names and prompts are untrusted text: never rendered as rich text.
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
