"""The Settings dialog: the API key (kept in the keyring, applied at once), notifications
(applied at once) and the settings that take effect at the next start (kept, with the
notifications switch, in the profile's settings.ini).

Non-modal and opened with ``open()``: a modal ``exec()`` would nest an event loop inside
the qasync one. Every network or keyring call runs as a task on the running loop.
"""

from __future__ import annotations

import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QIcon, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .. import preferences as prefs
from ..api import DEFAULT_BASE_URL, NanoBananaError, normalize_base_url
from ..api.validation import check_callback_url
from ..blocking import run_blocking
from ..credentials import ENV_VAR, keyring_available
from ..engine.paths import LIBRARY_ENV
from ..engine.polling import PollPolicy
from ..session import Session
from .background import BackgroundTasks
from .scrolling import vertical_scroller
from .settings import profile_settings, store_preferences, stored_preferences
from .style import ERROR_TEXT, WARNING_TEXT, muted, tinted
from .translations import localized

DEFAULT_WEBHOOK_PORT = 8787

# How each start-time setting is named in "… apply at the next start" (translated there).
_NAMES = {
    prefs.BASE_URL: QT_TRANSLATE_NOOP("SettingsDialog", "the API address"),
    prefs.LIBRARY: QT_TRANSLATE_NOOP("SettingsDialog", "the library folder"),
    prefs.POLL_FAST: QT_TRANSLATE_NOOP("SettingsDialog", "the tracking intervals"),
    prefs.POLL_SLOW: QT_TRANSLATE_NOOP("SettingsDialog", "the tracking intervals"),
    prefs.WEBHOOK_URL: QT_TRANSLATE_NOOP("SettingsDialog", "the webhook"),
    prefs.WEBHOOK_PORT: QT_TRANSLATE_NOOP("SettingsDialog", "the webhook"),
    prefs.LANGUAGE: QT_TRANSLATE_NOOP("SettingsDialog", "the language"),
    prefs.NOTIFICATIONS: QT_TRANSLATE_NOOP("SettingsDialog", "notifications"),
}
# Written together or not at all: a tunnel URL means nothing without its port.
_PAIRS = ((prefs.POLL_FAST, prefs.POLL_SLOW), (prefs.WEBHOOK_URL, prefs.WEBHOOK_PORT))

# Translated where shown; {variable} is the environment variable's name.
_KEY_SOURCES = {
    "environment": QT_TRANSLATE_NOOP(
        "SettingsDialog",
        "From {variable}, for this session only: it is never saved. A key saved here goes "
        "to the system keyring and is used when that variable is not set.",
    ),
    "keyring": QT_TRANSLATE_NOOP("SettingsDialog", "A key from the system keyring is in use."),
    "session": QT_TRANSLATE_NOOP(
        "SettingsDialog", "A key is in use for this session only: no system keyring holds it."
    ),
    "sandbox": QT_TRANSLATE_NOOP(
        "SettingsDialog",
        "The sandbox needs no key. A key saved here is used when you start without the sandbox.",
    ),
    "none": QT_TRANSLATE_NOOP("SettingsDialog", "No key yet."),
}


def _text(text: str = "", *, quiet: bool = False) -> QLabel:
    # Server answers and paths are untrusted: never rendered as rich text.
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return muted(label) if quiet else label


class _StatusLabel(QLabel):
    """A note row that is there only while it says something: an empty one would still
    add its row spacing to the section."""

    def __init__(self) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)  # server answers are untrusted
        self.setWordWrap(True)
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        super().clear()
        self.hide()


def _home_relative(path: str) -> str:
    """``~/Pictures/Nano Banana`` for a folder under the home folder; others as they are."""
    try:
        inside = Path(path).relative_to(Path.home())
    except ValueError:
        return path
    return str(Path("~") / inside) if inside.parts else "~"


def _expand_home(text: str) -> str:
    # What is saved is the absolute folder, whatever the field shows.
    return str(Path(text).expanduser()) if text.startswith("~") else text


def _error_label(name: str) -> QLabel:
    label = _text()
    label.setObjectName(name)
    tinted(label, ERROR_TEXT)
    label.hide()
    return label


def _seconds(value: float) -> str:
    return f"{value:g}"


class SettingsDialog(QDialog):
    """``SettingsDialog(session, parent).open()``; ``key_changed`` after a key is applied
    or removed, so the window can refresh what depends on it (the credit)."""

    key_changed = Signal()
    native_dialogs = True  # tests turn this off: a native file dialog cannot be driven

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._background = BackgroundTasks("a settings action")
        self._keyring_checked = False
        self.folder_dialog: QFileDialog | None = None
        self.setWindowTitle(self.tr("Settings"))
        self.setModal(False)
        self._settings = profile_settings(session.locations.profile)

        form = self._form = _Form()
        self._build_account()
        self._build_notifications()
        self._build_start_settings()

        self.message = _text()
        self.message.setObjectName("settingsMessage")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        for button in self.buttons.buttons():
            button.setIcon(QIcon())  # the style's floppy disk and cross add nothing here
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        # Only the button, not accepted(): saving is asynchronous and keeps the dialog
        # open to say what happened.
        self.save_button.clicked.connect(lambda: self._spawn(self.save()))
        self.buttons.rejected.connect(self.reject)
        # Enter in a field saves; the inline buttons act only when clicked.
        for button in (self.show_key, self.test_button, self.remove_button, self.browse_button):
            button.setAutoDefault(False)
        self.save_button.setDefault(True)

        # The form scrolls when the screen is shorter than it (200 % on a 1080p screen is
        # 540 px): Save and Close stay in sight.
        self.form_page = QWidget()
        page = QVBoxLayout(self.form_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addLayout(form.grid)
        page.addStretch(1)  # room left when a note is cleared goes here, not between rows
        self.form_area = vertical_scroller(self.form_page, "settingsForm")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 20, 28, 20)
        outer.setSpacing(12)
        outer.addWidget(self.form_area, 1)
        outer.addSpacing(4)
        outer.addWidget(self.message)
        outer.addWidget(self.buttons)
        # A fixed width lets the wrapped notes compute their height for the width they get.
        self.setFixedWidth(680)
        self._load()

    # ---------------------------------------------------------------- layout

    def _section(self, title: str, *, first: bool = False) -> None:
        label = QLabel(title)
        label.setObjectName("settingsSection")
        label.setStyleSheet("#settingsSection { font-size: 12pt; font-weight: 600; }")
        label.ensurePolished()
        top = 0 if first else 14
        label.setContentsMargins(0, top, 0, 2)
        # The style sheet's font applies at polish; measure after it, or descenders clip.
        label.setMinimumHeight(label.fontMetrics().height() + 4 + top + 2)
        self._form.add_row(label)

    def _note(self, label: QLabel) -> None:
        self._form.add_row(None, label)

    def _build_account(self) -> None:
        self._section(self.tr("Account"), first=True)
        self.key_source = _text()
        self._form.add_row(self.tr("Key"), self.key_source)

        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setClearButtonEnabled(True)
        self.key_edit.textChanged.connect(self._key_edited)
        self.show_key = QPushButton(self.tr("Show"))
        self.show_key.setCheckable(True)
        self.show_key.toggled.connect(self._show_key_toggled)
        self.test_button = QPushButton(self.tr("Test"))
        self.test_button.setToolTip(self.tr("Ask the API for the account's credit with this key"))
        self.test_button.clicked.connect(lambda: self._spawn(self.test_key()))
        key_row = QHBoxLayout()
        key_row.setSpacing(6)
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key)
        key_row.addWidget(self.test_button)
        self._form.add_row(self.tr("API key"), key_row)

        self.remove_button = QPushButton(self.tr("Remove key from keyring"))
        self.remove_button.clicked.connect(lambda: self._spawn(self.remove_key()))
        remove_row = QHBoxLayout()
        remove_row.addWidget(self.remove_button)
        remove_row.addStretch(1)
        self._form.add_row(None, remove_row)
        self.account_status = _StatusLabel()
        self.account_status.setObjectName("accountStatus")
        self.account_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._note(self.account_status)
        self.keyring_note = _text(
            self.tr(
                "No system keyring is available: a key saved here is kept for this session "
                "only, never in a file. Install and unlock one (GNOME Keyring, KWallet, macOS "
                "Keychain, Windows Credential Locker) to keep it."
            ),
        )
        self.keyring_note.setObjectName("keyringNote")
        tinted(self.keyring_note, WARNING_TEXT)
        self.keyring_note.hide()
        self._note(self.keyring_note)

    def _build_notifications(self) -> None:
        self._section(self.tr("Notifications"))
        self.notify_check = QCheckBox(self.tr("Notify me while the window is in the background"))
        self._form.add_row(self.tr("Finished tasks"), self.notify_check)
        self._note(
            _text(
                self.tr(
                    "A system notification, and a count in the window title until you come "
                    "back to the window. Applies as soon as it is saved."
                ),
                quiet=True,
            )
        )

    def _build_start_settings(self) -> None:
        self._section(self.tr("Connection"))
        self.base_url_edit = QLineEdit()
        self.base_url_edit.setPlaceholderText(DEFAULT_BASE_URL)
        self.base_url_error = _error_label("baseUrlError")
        self.base_url_edit.textChanged.connect(self.base_url_error.hide)
        self._form.add_row(self.tr("API address"), self.base_url_edit)
        self._note(self.base_url_error)
        self._note(
            _text(
                self.tr(
                    "This and everything below applies at the next start; command-line flags win."
                ),
                quiet=True,
            )
        )

        self._section(self.tr("Library"))
        self.library_edit = QLineEdit()
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.clicked.connect(self.browse_library)
        library_row = QHBoxLayout()
        library_row.setSpacing(6)
        library_row.addWidget(self.library_edit, 1)
        library_row.addWidget(self.browse_button)
        self._form.add_row(self.tr("Folder"), library_row)
        self.library_note = _text(
            self.tr("{variable} is set, and wins over this folder while it is.").format(
                variable=LIBRARY_ENV
            ),
            quiet=True,
        )
        self.library_note.setVisible(bool(os.environ.get(LIBRARY_ENV)))
        self._note(self.library_note)

        self._section(self.tr("Tracking"))
        self.fast_spin = QDoubleSpinBox()
        self.fast_spin.setRange(*prefs.FAST_RANGE)
        self.fast_spin.setDecimals(1)
        self.fast_spin.setSingleStep(0.5)
        self.fast_spin.setSuffix(self.tr(" s", "seconds"))
        self.slow_spin = QDoubleSpinBox()
        self.slow_spin.setRange(*prefs.SLOW_RANGE)
        self.slow_spin.setDecimals(1)
        self.slow_spin.setSingleStep(1.0)
        self.slow_spin.setSuffix(self.tr(" s", "seconds"))
        # The slow interval never drops below the fast one.
        self.fast_spin.valueChanged.connect(
            lambda value: self.slow_spin.setMinimum(max(prefs.SLOW_RANGE[0], value))
        )
        for spin in (self.fast_spin, self.slow_spin):
            spin.setMinimumWidth(110)
        self._form.add_row(self.tr("First minute, every"), _left(self.fast_spin))
        self._form.add_row(self.tr("After that, every"), _left(self.slow_spin))
        self._note(
            _text(
                self.tr(
                    "How often a running task is checked. With a webhook, checks are only a "
                    "fallback and run three times slower."
                ),
                quiet=True,
            )
        )

        self._section(self.tr("Webhooks"))
        self.webhook_url_edit = QLineEdit()
        self.webhook_url_edit.setPlaceholderText(
            self.tr("https://your-tunnel.example (empty: polling only)")
        )
        self.webhook_port_spin = QSpinBox()
        self.webhook_port_spin.setRange(*prefs.PORT_RANGE)
        self.webhook_port_spin.setMinimumWidth(110)
        self._form.add_row(self.tr("Public URL"), self.webhook_url_edit)
        self._form.add_row(self.tr("Local port"), _left(self.webhook_port_spin))
        self.webhook_error = _error_label("webhookError")
        self.webhook_url_edit.textChanged.connect(self.webhook_error.hide)
        self._note(self.webhook_error)
        # Word joiners (U+2060) after the hyphens: the flag is never split over two lines.
        # Non-breaking hyphens would do that too, but many fonts draw "‑‑" as one dash.
        self._note(
            _text(
                self.tr(
                    "The public https address of a tunnel you run (cloudflared, ngrok) to the "
                    "local port; the app listens on 127.0.0.1 only. For the window: commands "
                    "take {flag}, and the sandbox calls back on its own."
                ).format(flag="-\u2060-\u2060webhook-\u2060url"),
                quiet=True,
            )
        )

        self._section(self.tr("Language"))
        self.language_combo = QComboBox()
        # Empty: the system's language, which is also what no saved language means.
        self.language_combo.addItem(self.tr("System language"), "")
        for code, name in prefs.LANGUAGES.items():
            self.language_combo.addItem(name, code)  # each in its own language
        self.language_combo.setMinimumWidth(160)
        self._form.add_row(self.tr("Interface"), _left(self.language_combo))

    # ---------------------------------------------------------------- state

    def _load(self) -> None:
        """Show what the next start will use: the stored value, else what this run uses."""
        stored = stored_preferences(self._settings)
        options = self.session.options
        policy = options.poll_policy or PollPolicy()
        self.base_url_edit.setText(stored.base_url or options.base_url)
        self.library_edit.setText(_home_relative(stored.library or str(self.session.library)))
        self.fast_spin.setValue(stored.poll_fast or policy.fast)
        self.slow_spin.setValue(stored.poll_slow or max(policy.slow, self.fast_spin.value()))
        self.webhook_url_edit.setText(stored.webhook_url or options.webhook_url or "")
        self.webhook_port_spin.setValue(
            stored.webhook_port or options.webhook_port or DEFAULT_WEBHOOK_PORT
        )
        language = stored.language or options.language or ""
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(language)))
        self.notify_check.setChecked(stored.notifications is not False)
        self._initial = self._values()
        self._show_key_source()

    def _values(self) -> dict[str, str]:
        return {
            prefs.BASE_URL: self.base_url_edit.text().strip(),
            prefs.LIBRARY: _expand_home(self.library_edit.text().strip()),
            prefs.POLL_FAST: _seconds(self.fast_spin.value()),
            prefs.POLL_SLOW: _seconds(self.slow_spin.value()),
            prefs.WEBHOOK_URL: self.webhook_url_edit.text().strip(),
            prefs.WEBHOOK_PORT: str(self.webhook_port_spin.value()),
            prefs.LANGUAGE: str(self.language_combo.currentData()),
            prefs.NOTIFICATIONS: prefs.flag_text(self.notify_check.isChecked()),
        }

    def _show_key_source(self) -> None:
        source = self.session.key_source
        text = _KEY_SOURCES.get(source, _KEY_SOURCES["none"])
        self.key_source.setText(
            QCoreApplication.translate("SettingsDialog", text).format(variable=ENV_VAR)
        )
        in_use = source in ("environment", "keyring", "session")
        self.key_edit.setPlaceholderText(
            self.tr("Paste a new key to replace the one in use") if in_use else "dk-…"
        )

    def open(self) -> None:
        """Show it and return at once, leaving the window usable behind it.

        QDialog.open() would make it window-modal: tasks could not be watched, nor a
        prompt copied, while the settings are open.
        """
        self.setResult(0)
        self.show()
        self.activateWindow()  # to the front if it was already open behind the window

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._keyring_checked:
            self._keyring_checked = True
            self._spawn(self._check_keyring())

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit_height()
        return handled

    def _fit_height(self) -> None:
        # A top-level widget's minimum size ignores height-for-width, so a note that wraps
        # onto more lines after the dialog is shown would be clipped: grow to fit it.
        layout = self.layout()
        if layout is None:
            return
        # The form as tall as its rows, unless the screen is shorter: then it scrolls.
        margins = layout.contentsMargins()
        form = self.form_page.layout().totalHeightForWidth(
            self.width() - margins.left() - margins.right()
        )
        around = _total_height(layout, self.width()) - self.form_area.minimumHeight()
        screen = self.screen()
        room = screen.availableGeometry().height() - _FRAME_ROOM - around if screen else form
        self.form_area.setMinimumHeight(max(_LEAST_FORM, min(form, room)))
        needed = _total_height(layout, self.width())
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)
            if self.height() < needed:
                self.resize(self.width(), needed)

    async def _check_keyring(self) -> None:
        self.keyring_note.setVisible(not await run_blocking(keyring_available))

    def _key_edited(self, _text: str) -> None:
        self.account_status.clear()

    def _show_key_toggled(self, shown: bool) -> None:
        self.key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )
        self.show_key.setText(self.tr("Hide") if shown else self.tr("Show"))

    def _set_busy(self, busy: bool, message: str = "") -> None:
        for widget in (
            self.key_edit,
            self.test_button,
            self.remove_button,
            self.save_button,
        ):
            widget.setEnabled(not busy)
        if message:
            self.account_status.setText(message)

    # ---------------------------------------------------------------- checks

    def _checked_base_url(self) -> str | None:
        """The API address as typed, normalised; None (and the reason shown) if unusable."""
        text = self.base_url_edit.text().strip() or DEFAULT_BASE_URL
        try:
            return normalize_base_url(text)
        except NanoBananaError as exc:
            self.base_url_error.setText(localized(str(exc)))
            self.base_url_error.show()
            return None

    def _checked_webhook(self) -> bool:
        text = self.webhook_url_edit.text().strip()
        if not text:
            return True
        try:
            check_callback_url(text)
        except NanoBananaError:
            self.webhook_error.setText(
                self.tr(
                    "The webhook address must start with https:// (plain http only to "
                    "127.0.0.1): give your tunnel's public address"
                )
            )
            self.webhook_error.show()
            return False
        return True

    # ---------------------------------------------------------------- actions

    async def test_key(self) -> None:
        """The typed key, or the one in use if none is typed, asked for the credit."""
        base_url = self._checked_base_url()
        if base_url is None:
            self.account_status.setText(self.tr("Fix the API address to test a key."))
            return
        typed = self.key_edit.text()
        self._set_busy(True, self.tr("Asking the API…"))
        try:
            credit = await self.session.check_key(typed, base_url)
        except (ValueError, NanoBananaError) as exc:
            self.account_status.setText(localized(str(exc)))
            return
        finally:
            self._set_busy(False)
        amount = f"{credit.normalize():f}"
        self.account_status.setText(
            self.tr("This key works: the account has {credit} credit.").format(credit=amount)
            if typed.strip()
            else self.tr("The key in use works: the account has {credit} credit.").format(
                credit=amount
            )
        )

    async def remove_key(self) -> None:
        self._set_busy(True, self.tr("Removing the key from the system keyring…"))
        try:
            note = await self.session.forget_key()
        finally:
            self._set_busy(False)
        self.account_status.setText(localized(note))
        self._show_key_source()
        self.key_changed.emit()

    async def save(self) -> None:
        """Check everything first; then the key (checked with the API), then the rest."""
        self.message.clear()
        base_url = self._checked_base_url()
        webhook_ok = self._checked_webhook()
        if base_url is None or not webhook_ok:
            self.message.setText(self.tr("Nothing was saved: correct the marked fields first."))
            return
        key_saved = bool(self.key_edit.text().strip())
        if key_saved:
            self._set_busy(True, self.tr("Checking the key with the API…"))
            try:
                note = await self.session.change_key(self.key_edit.text(), base_url)
            except (ValueError, NanoBananaError) as exc:
                self.account_status.setText(localized(str(exc)))
                self.message.setText(self.tr("Nothing was saved: the key could not be used."))
                return
            finally:
                self._set_busy(False)
            self.key_edit.clear()
            self.show_key.setChecked(False)
            self.account_status.setText(localized(note))
            self._show_key_source()
            self.key_changed.emit()
        changed = self._store_changes()
        if changed:
            self.message.setText(self._saved_message(changed))
        elif not key_saved:
            self.message.setText(self.tr("Nothing to save: no setting was changed."))

    def _saved_message(self, changed: list[str]) -> str:
        parts = []
        if prefs.NOTIFICATIONS in changed:
            parts.append(
                self.tr("notifications are on")
                if self.notify_check.isChecked()
                else self.tr("notifications are off")
            )
        names = list(
            dict.fromkeys(
                QCoreApplication.translate("SettingsDialog", _NAMES[k])
                for k in changed
                if k not in prefs.LIVE_KEYS
            )
        )
        if len(names) == 1:
            parts.append(self.tr("{setting} applies at the next start").format(setting=names[0]))
        elif names:
            listed = self.tr("{settings} and {last}").format(
                settings=", ".join(names[:-1]), last=names[-1]
            )
            parts.append(self.tr("{settings} apply at the next start").format(settings=listed))
        return self.tr("Saved: {changes}.").format(changes="; ".join(parts))

    def _store_changes(self) -> list[str]:
        """Write the settings that differ from what the dialog opened with; their keys."""
        values = self._values()
        changed = {key for key, value in values.items() if value != self._initial[key]}
        for pair in _PAIRS:
            if changed & set(pair):
                changed.update(pair)
        if not changed:
            return []
        no_webhook = not values[prefs.WEBHOOK_URL]
        writes: dict[str, str | None] = {}
        for key in sorted(changed):
            value: str | None = values[key] or None  # empty: back to the default
            if key == prefs.WEBHOOK_PORT and no_webhook:
                value = None
            writes[key] = value
        store_preferences(self._settings, writes)
        self._initial = values
        return [key for key in prefs.KEYS if key in changed]

    def browse_library(self) -> None:
        start = _expand_home(self.library_edit.text().strip())
        dialog = QFileDialog(self, self.tr("Choose the library folder"), start)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, not self.native_dialogs)
        dialog.fileSelected.connect(lambda path: self.library_edit.setText(_home_relative(path)))
        dialog.finished.connect(dialog.deleteLater)
        self.folder_dialog = dialog
        dialog.open()

    # ---------------------------------------------------------------- tasks

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self._background.spawn(coro)

    async def settle(self) -> None:
        """Until every check, save and removal started here has finished."""
        await self._background.settle()

    async def aclose(self) -> None:
        """Cancel what is still running (for the window's shutdown)."""
        await self._background.cancel()


# Room for the dialog's title bar and frame, and the least of the form that stays in
# sight on any screen (it scrolls).
_FRAME_ROOM = 48
_LEAST_FORM = 160


def _total_height(layout: QLayout, width: int) -> int:
    """What ``layout`` needs at ``width``, height-for-width where it has it."""
    height = layout.totalHeightForWidth(width)
    return height if height > 0 else layout.totalMinimumSize().height()


class _Form:
    """Label and field columns, as QFormLayout draws them, on a QGridLayout.

    QFormLayout overestimates height-for-width once a wrapped note changes after the
    dialog is shown, which left gaps; QGridLayout computes it exactly.
    """

    def __init__(self) -> None:
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(16)
        self.grid.setVerticalSpacing(8)
        self.grid.setColumnStretch(1, 1)
        self._rows = 0

    def add_row(self, label: str | QWidget | None, field: QWidget | QLayout | None = None) -> None:
        row = self._rows
        self._rows += 1
        if field is None:  # one widget across both columns
            assert isinstance(label, QWidget)
            self.grid.addWidget(label, row, 0, 1, 2)
            return
        if isinstance(label, str):
            label = QLabel(label)
        if label is not None:
            self.grid.addWidget(
                label, row, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            )
        if isinstance(field, QLayout):
            self.grid.addLayout(field, row, 1)
        else:
            self.grid.addWidget(field, row, 1)


def _left(widget: QWidget) -> QHBoxLayout:
    # A spin box or combo stretched to the form's width looks like a text field.
    row = QHBoxLayout()
    row.addWidget(widget)
    row.addStretch(1)
    return row
