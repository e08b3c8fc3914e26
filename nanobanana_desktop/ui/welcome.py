"""The first-run panel: use an API key (checked before it is kept), or try the sandbox."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .style import hairline, muted, primary, secondary, themed_style_sheet
from .translations import localized


def _text(text: str, *, quiet: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return muted(label) if quiet else label


class WelcomePanel(QWidget):
    key_submitted = Signal(str)
    sandbox_requested = Signal()

    def __init__(self, problem: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(self.tr("Welcome to Nano Banana Desktop"))
        title.setObjectName("welcomeTitle")
        title.setStyleSheet("#welcomeTitle { font-size: 20pt; font-weight: 600; }")
        title.ensurePolished()
        title.setMinimumHeight(title.fontMetrics().height() + 4)

        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("dk-…")
        self.key_edit.setClearButtonEnabled(True)
        self.key_edit.returnPressed.connect(self._submit)
        self.key_edit.textChanged.connect(self._edited)
        self.show_key = QPushButton(self.tr("Show"))
        self.show_key.setCheckable(True)
        self.show_key.toggled.connect(
            lambda shown: self.key_edit.setEchoMode(
                QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
            )
        )
        self.save_button = QPushButton(self.tr("Check and save key"))
        self.save_button.setObjectName("saveKey")
        primary(self.save_button)
        self.save_button.setDefault(True)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._submit)
        self.sandbox_button = QPushButton(self.tr("Try the offline sandbox"))
        self.sandbox_button.setObjectName("trySandbox")
        secondary(self.sandbox_button)
        self.sandbox_button.setMinimumHeight(self.save_button.sizeHint().height())
        self.sandbox_button.clicked.connect(self.sandbox_requested.emit)
        # The problem and the errors below come from credentials.py and the API client.
        self.status = _text(localized(problem or ""))
        self.status.setObjectName("welcomeStatus")
        self.status.setVisible(bool(problem))  # an empty line would still take its spacing

        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key)
        key_row.addWidget(self.save_button)
        # One height for the row: the filled button sets it.
        for widget in (self.key_edit, self.show_key):
            widget.setMinimumHeight(self.save_button.sizeHint().height())

        card = QFrame()
        card.setObjectName("welcomeCard")
        # A white (Base) sheet on the window's grey: the one thing to look at.
        themed_style_sheet(
            card,
            lambda palette: (
                "#welcomeCard { background: palette(base);"
                f" border: 1px solid {hairline(palette).name()}; border-radius: 12px; }}"
            ),
        )
        # A fixed width lets wrapped labels compute their height for the width they get.
        card.setFixedWidth(620)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(
            _text(
                self.tr(
                    "Paste your API key to generate with your account. It is checked with the "
                    "API first, then kept in your system keyring: never in a file or a log."
                )
            )
        )
        inner.addLayout(key_row)
        inner.addWidget(self.status)
        inner.addSpacing(8)
        inner.addWidget(_text(self.tr("Or, with no account and no network:"), quiet=True))
        inner.addWidget(self.sandbox_button, alignment=Qt.AlignmentFlag.AlignLeft)
        inner.addWidget(
            _text(
                self.tr(
                    "The sandbox is a built-in emulator of the API on this machine: images are "
                    "placeholders, marked as such, and cost nothing."
                ),
                quiet=True,
            )
        )
        # Centred by stretches, not by an alignment: an aligned widget is sized from its
        # size hint, and its wrapped labels then get too little height.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def _edited(self, text: str) -> None:
        self.save_button.setEnabled(bool(text.strip()))

    def _submit(self) -> None:
        if self.key_edit.text().strip():
            self.key_submitted.emit(self.key_edit.text())

    def set_busy(self, busy: bool, message: str = "") -> None:
        for widget in (self.key_edit, self.save_button, self.sandbox_button, self.show_key):
            widget.setEnabled(not busy)
        if not busy:
            self._edited(self.key_edit.text())
        if message:
            self.status.setText(localized(message))
            self.status.show()

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.status.setText(localized(message))
        self.status.show()
        self.key_edit.setFocus()
        self.key_edit.selectAll()
