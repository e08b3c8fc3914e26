"""The Settings dialog: the key (checked, kept in the keyring, applied at once) and the
settings that apply at the next start, against a sandbox over loopback."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import pytest
from conftest import drive
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from nanobanana_desktop import preferences as prefs
from nanobanana_desktop.api import DEFAULT_BASE_URL
from nanobanana_desktop.app import parse_args
from nanobanana_desktop.credentials import ENV_VAR
from nanobanana_desktop.preferences import Preferences, parse_qsettings_ini, read_preferences
from nanobanana_desktop.session import Session, SessionOptions, apply_stored_settings
from nanobanana_desktop.ui.settings import profile_settings, store_preferences
from nanobanana_desktop.ui.settings_dialog import SettingsDialog

OLD_KEY = "dk-settings-old-key-0001"
NEW_KEY = "dk-settings-new-key-0002"
ENV_KEY = "dk-settings-env-key-0003"


@pytest.fixture(autouse=True)
def no_native_dialogs(monkeypatch):
    monkeypatch.setattr(SettingsDialog, "native_dialogs", False)


def open_dialog(qtbot, session, parent=None):
    dialog = SettingsDialog(session, parent)
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


@contextlib.asynccontextmanager
async def dialog_over(qtbot, sandbox):
    """A session on the sandbox (as with a key, not in sandbox mode) and its open dialog."""
    session = await Session.open(SessionOptions(base_url=sandbox.api_url))
    try:
        yield session, open_dialog(qtbot, session)
    finally:
        await session.close()


def authorizations(sandbox):
    return [r.headers.get("Authorization") for r in sandbox.records.requests_to("api", "/api/user")]


def files_holding(root: Path, secret: str) -> list[Path]:
    return [
        path for path in root.rglob("*") if path.is_file() and secret.encode() in path.read_bytes()
    ]


def flush_settings(dialog):
    dialog._settings.sync()
    assert dialog._settings.status() == QSettings.Status.NoError


# ---------------------------------------------------------------- the dialog itself


def test_open_shows_it_without_blocking_the_window(qloop, qtbot, sandbox):
    async def scenario():
        session = await Session.open(SessionOptions(base_url=sandbox.api_url))
        try:
            window = QWidget()
            qtbot.addWidget(window)
            window.show()
            dialog = open_dialog(qtbot, session, window)
            await dialog.settle()
            return (
                dialog.isVisible(),
                dialog.isModal(),
                dialog.windowModality(),
                QApplication.activeModalWidget(),
            )
        finally:
            await session.close()

    visible, modal, modality, blocking = drive(qloop, scenario())
    assert visible
    assert not modal and modality == Qt.WindowModality.NonModal
    assert blocking is None


def test_test_button_shows_the_sandbox_balance(qloop, qtbot, sandbox):
    async def scenario():
        async with dialog_over(qtbot, sandbox) as (_session, dialog):
            # Nothing to say yet: no empty row between the key and the next section.
            hidden_before = not dialog.account_status.isVisibleTo(dialog)
            dialog.key_edit.setText(NEW_KEY)
            dialog.test_button.click()
            await dialog.settle()
            return (
                hidden_before,
                dialog.account_status.isVisibleTo(dialog),
                dialog.account_status.text(),
                dialog.test_button.isEnabled(),
            )

    hidden_before, shown, status, enabled = drive(qloop, scenario())
    assert hidden_before and shown
    assert status == "This key works: the account has 100 credit."
    assert enabled
    assert authorizations(sandbox) == [f"Bearer {NEW_KEY}"]


def test_test_button_without_a_typed_key_checks_the_key_in_use(qloop, qtbot, sandbox, monkeypatch):
    monkeypatch.setenv(ENV_VAR, ENV_KEY)

    async def scenario():
        async with dialog_over(qtbot, sandbox) as (_session, dialog):
            dialog.test_button.click()
            await dialog.settle()
            return dialog.account_status.text()

    assert drive(qloop, scenario()) == "The key in use works: the account has 100 credit."
    assert authorizations(sandbox) == [f"Bearer {ENV_KEY}"]


def test_a_refused_key_shows_the_refusal_and_changes_nothing(qloop, qtbot, sandbox, memory_keyring):
    memory_keyring.set_password("nanobanana-desktop", "api-key", OLD_KEY)
    sandbox.config.refused_keys.add(NEW_KEY)

    async def scenario():
        async with dialog_over(qtbot, sandbox) as (session, dialog):
            changes = []
            dialog.key_changed.connect(lambda: changes.append(1))
            dialog.key_edit.setText(NEW_KEY)
            dialog.test_button.click()
            await dialog.settle()
            tested = dialog.account_status.text()
            dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("nl"))
            dialog.save_button.click()
            await dialog.settle()
            flush_settings(dialog)
            assert session.client is not None
            await session.client.balance()
            return tested, dialog.account_status.text(), dialog.message.text(), changes

    tested, saved, message, changes = drive(qloop, scenario())
    assert "refused (401)" in tested
    assert "refused (401)" in saved
    assert message == "Nothing was saved: the key could not be used."
    assert changes == []
    assert memory_keyring.stored() == OLD_KEY
    assert authorizations(sandbox)[-1] == f"Bearer {OLD_KEY}"  # still the old key
    assert read_preferences(Path(os.environ["NANOBANANA_PROFILE"])).language is None


def test_plain_http_base_url_is_refused_with_the_reason(qloop, qtbot, sandbox):
    async def scenario():
        async with dialog_over(qtbot, sandbox) as (_session, dialog):
            dialog.base_url_edit.setText("http://example.com")
            dialog.save_button.click()
            await dialog.settle()
            flush_settings(dialog)
            return (
                dialog.base_url_error.isVisibleTo(dialog),
                dialog.base_url_error.text(),
                dialog.message.text(),
            )

    shown, reason, message = drive(qloop, scenario())
    assert shown
    assert "plain http" in reason and "https://" in reason
    assert message == "Nothing was saved: correct the marked fields first."
    assert read_preferences(Path(os.environ["NANOBANANA_PROFILE"])) == Preferences()


def test_webhook_url_must_be_https(qloop, qtbot, sandbox):
    async def scenario():
        async with dialog_over(qtbot, sandbox) as (_session, dialog):
            dialog.webhook_url_edit.setText("http://tunnel.example")
            dialog.save_button.click()
            await dialog.settle()
            return dialog.webhook_error.isVisibleTo(dialog), dialog.webhook_error.text()

    shown, reason = drive(qloop, scenario())
    assert shown and "https://" in reason


# ---------------------------------------------------------------- the key's life


def test_without_a_keyring_the_key_is_kept_for_the_session_only(
    qloop, qtbot, sandbox, isolated_profile, caplog
):
    caplog.set_level(logging.DEBUG)

    async def scenario():
        session = await Session.open(SessionOptions(base_url=sandbox.api_url))
        try:
            await session.use_key(OLD_KEY)  # the welcome panel's path: the engine runs
            dialog = open_dialog(qtbot, session)
            await dialog.settle()  # the keyring check
            dialog.key_edit.setText(NEW_KEY)
            dialog.fast_spin.setValue(4)  # something to write to the profile too
            dialog.save_button.click()
            await dialog.settle()
            flush_settings(dialog)
            QCoreApplication.sendPostedEvents()
            note = dialog.keyring_note
            assert note.height() >= note.heightForWidth(note.width()), "note clipped"
            assert session.client is not None
            await session.client.balance()
            return (
                note.isVisibleTo(dialog),
                dialog.account_status.text(),
                dialog.key_source.text(),
                dialog.key_edit.text(),
                repr(session.client),
            )
        finally:
            await session.close()

    keyring_note, status, source, left_in_field, client_repr = drive(qloop, scenario())
    assert keyring_note
    assert "kept for this session only" in status
    assert "for this session only" in source
    assert left_in_field == ""
    assert authorizations(sandbox)[-1] == f"Bearer {NEW_KEY}"  # applied at once
    assert NEW_KEY not in client_repr
    profile = isolated_profile / "profile"
    assert (profile / "settings.ini").is_file()  # settings were written, the key was not
    assert files_holding(isolated_profile, NEW_KEY) == []
    assert files_holding(isolated_profile, OLD_KEY) == []
    assert all(NEW_KEY not in record.getMessage() for record in caplog.records)


def test_a_new_key_is_stored_and_used_at_once(qloop, qtbot, sandbox, memory_keyring):
    memory_keyring.set_password("nanobanana-desktop", "api-key", OLD_KEY)

    async def scenario():
        async with dialog_over(qtbot, sandbox) as (session, dialog):
            source_before = dialog.key_source.text()
            changes = []
            dialog.key_changed.connect(lambda: changes.append(1))
            dialog.key_edit.setText(NEW_KEY)
            dialog.save_button.click()
            await dialog.settle()
            assert session.client is not None
            await session.client.balance()
            return source_before, dialog.account_status.text(), dialog.message.text(), changes

    source, status, message, changes = drive(qloop, scenario())
    assert source == "A key from the system keyring is in use."
    assert status == "Key checked, saved in the system keyring, and in use now."
    assert message == ""  # no other setting changed
    assert changes == [1]
    assert memory_keyring.stored() == NEW_KEY
    # The check, then the session's own next request: both with the new key.
    assert authorizations(sandbox) == [f"Bearer {NEW_KEY}", f"Bearer {NEW_KEY}"]


def test_the_environment_key_wins_and_is_never_saved(
    qloop, qtbot, sandbox, memory_keyring, monkeypatch, isolated_profile
):
    monkeypatch.setenv(ENV_VAR, ENV_KEY)

    async def scenario():
        async with dialog_over(qtbot, sandbox) as (session, dialog):
            source = dialog.key_source.text()
            dialog.key_edit.setText(NEW_KEY)
            dialog.save_button.click()
            await dialog.settle()
            flush_settings(dialog)
            assert session.client is not None
            await session.client.balance()
            return source, dialog.account_status.text(), session.key_source

    source, status, key_source = drive(qloop, scenario())
    assert ENV_VAR in source and "never saved" in source
    assert "Saved in the system keyring" in status
    assert f"keeps using the key from {ENV_VAR}" in status
    assert key_source == "environment"
    assert memory_keyring.stored() == NEW_KEY  # the typed key is kept for later runs
    assert ENV_KEY not in memory_keyring.passwords.values()
    assert authorizations(sandbox)[-1] == f"Bearer {ENV_KEY}"  # this session: the env key
    assert files_holding(isolated_profile, ENV_KEY) == []


def test_remove_key_deletes_it_from_the_keyring(qloop, qtbot, sandbox, memory_keyring):
    memory_keyring.set_password("nanobanana-desktop", "api-key", OLD_KEY)

    async def scenario():
        async with dialog_over(qtbot, sandbox) as (_session, dialog):
            changes = []
            dialog.key_changed.connect(lambda: changes.append(1))
            dialog.remove_button.click()
            await dialog.settle()
            first = dialog.account_status.text(), dialog.key_source.text()
            dialog.remove_button.click()
            await dialog.settle()
            return first, dialog.account_status.text(), changes

    (removed, source), again, changes = drive(qloop, scenario())
    assert memory_keyring.stored() is None
    assert removed.startswith("Removed from the system keyring.")
    assert "until you quit" in removed
    assert "for this session only" in source
    assert again == "No key was stored in the system keyring, so there was nothing to remove."
    assert changes == [1, 1]


def test_remove_key_without_a_keyring_says_so(qloop, qtbot, sandbox):
    async def scenario():
        async with dialog_over(qtbot, sandbox) as (_session, dialog):
            dialog.remove_button.click()
            await dialog.settle()
            return dialog.account_status.text()

    assert "No system keyring is available" in drive(qloop, scenario())


# ---------------------------------------------------------------- the next start


def test_settings_apply_at_the_next_start(qloop, qtbot, sandbox, monkeypatch, tmp_path):
    monkeypatch.delenv("NANOBANANA_LIBRARY")
    chosen = tmp_path / "My Pictures, 2026"

    async def first_run():
        async with dialog_over(qtbot, sandbox) as (_session, dialog):
            dialog.base_url_edit.setText("https://proxy.example/api/")
            dialog.browse_button.click()
            folder_dialog = dialog.folder_dialog
            assert isinstance(folder_dialog, QFileDialog)
            assert folder_dialog.isVisible()
            assert folder_dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
            folder_dialog.fileSelected.emit(str(chosen))
            folder_dialog.reject()
            dialog.fast_spin.setValue(3.5)
            dialog.slow_spin.setValue(20)
            dialog.webhook_url_edit.setText("https://tunnel.example")
            dialog.webhook_port_spin.setValue(9000)
            dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("nl"))
            dialog.save_button.click()
            await dialog.settle()
            flush_settings(dialog)
            return dialog.library_edit.text(), dialog.message.text()

    async def next_start():
        session = await Session.open(SessionOptions())  # no flags
        try:
            return session.options, session.library, session.base_url
        finally:
            await session.close()

    library_text, message = drive(qloop, first_run())
    assert library_text == str(chosen)
    assert message == (
        "Saved: the API address, the library folder, the tracking intervals, the webhook "
        "and the language apply at the next start."
    )
    options, library, base_url = drive(qloop, next_start())
    assert base_url == "https://proxy.example/api"
    assert library == chosen
    assert options.poll_policy is not None
    assert (options.poll_policy.fast, options.poll_policy.slow) == (3.5, 20.0)
    assert (options.webhook_url, options.webhook_port) == ("https://tunnel.example", 9000)
    assert options.language == "nl"


def test_the_library_shows_home_relative_and_is_saved_in_full(
    qloop, qtbot, sandbox, monkeypatch, tmp_path
):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("NANOBANANA_LIBRARY")

    async def scenario():
        session = await Session.open(
            SessionOptions(base_url=sandbox.api_url, library=str(tmp_path / "Pictures" / "NB"))
        )
        try:
            dialog = open_dialog(qtbot, session)
            shown = dialog.library_edit.text()
            dialog.library_edit.setText("~/Elsewhere")
            dialog.save_button.click()
            await dialog.settle()
            flush_settings(dialog)
            return shown, dialog.buttons.buttons()
        finally:
            await session.close()

    shown, buttons = drive(qloop, scenario())
    assert shown == str(Path("~") / "Pictures" / "NB")
    stored = read_preferences(Path(os.environ["NANOBANANA_PROFILE"])).library
    assert stored == str(tmp_path / "Elsewhere")
    assert all(button.icon().isNull() for button in buttons)  # plain Save and Close


def test_saving_unchanged_settings_writes_nothing(qloop, qtbot, sandbox, isolated_profile):
    async def scenario():
        async with dialog_over(qtbot, sandbox) as (_session, dialog):
            dialog.save_button.click()
            await dialog.settle()
            flush_settings(dialog)
            return dialog.message.text()

    assert drive(qloop, scenario()) == "Nothing to save: no setting was changed."
    ini = isolated_profile / "profile" / "settings.ini"
    values = parse_qsettings_ini(ini.read_text("utf-8")) if ini.exists() else {}
    assert not set(values) & set(prefs.KEYS)


def test_the_dialog_shows_the_stored_settings(qloop, qtbot, sandbox, isolated_profile):
    settings = profile_settings(isolated_profile / "profile")
    store_preferences(settings, {prefs.POLL_SLOW: "42", prefs.LANGUAGE: "nl"})
    settings.sync()

    async def scenario():
        async with dialog_over(qtbot, sandbox) as (_session, dialog):
            return dialog.slow_spin.value(), dialog.language_combo.currentText()

    assert drive(qloop, scenario()) == (42.0, "Nederlands")


def test_the_notifications_switch_applies_at_once_and_is_kept(
    qloop, qtbot, sandbox, isolated_profile
):
    async def scenario():
        async with dialog_over(qtbot, sandbox) as (session, dialog):
            on_by_default = dialog.notify_check.isChecked()
            dialog.notify_check.setChecked(False)
            dialog.save_button.click()
            await dialog.settle()
            flush_settings(dialog)
            off_message = dialog.message.text()
            again = open_dialog(qtbot, session)
            shown_off = not again.notify_check.isChecked()
            again.notify_check.setChecked(True)
            again.language_combo.setCurrentIndex(again.language_combo.findData("nl"))
            again.save_button.click()
            await again.settle()
            flush_settings(again)
            return on_by_default, off_message, shown_off, again.message.text()

    on_by_default, off_message, shown_off, both_message = drive(qloop, scenario())
    assert on_by_default
    assert off_message == "Saved: notifications are off."
    assert shown_off
    assert both_message == "Saved: notifications are on; the language applies at the next start."
    assert read_preferences(isolated_profile / "profile").notifications is True


def stored(**values: str) -> Preferences:
    return Preferences.from_values(values)


def test_flags_win_over_stored_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("NANOBANANA_LIBRARY")
    saved = Preferences(
        base_url="https://stored.example",
        library="/stored/library",
        poll_fast=5.0,
        poll_slow=30.0,
        webhook_url="https://stored-tunnel.example",
        webhook_port=9100,
        language="nl",
    )
    flagged = parse_args(
        ["--base-url", "https://flag.example", "--library", "/flag/library", "--lang", "en"]
    )
    options = apply_stored_settings(SessionOptions.from_args(flagged, "window"), saved)
    assert (options.base_url, options.library, options.language) == (
        "https://flag.example",
        "/flag/library",
        "en",
    )
    assert options.poll_policy is not None and options.poll_policy.fast == 5.0  # no flag

    bare = apply_stored_settings(SessionOptions.from_args(parse_args([]), "window"), saved)
    assert bare.base_url == "https://stored.example"  # the parser's default is "not given"
    assert bare.library == "/stored/library"
    assert (bare.webhook_url, bare.webhook_port) == ("https://stored-tunnel.example", 9100)

    with_tunnel_flag = apply_stored_settings(
        SessionOptions(webhook_url="https://flag-tunnel.example", webhook_port=8000), saved
    )
    assert (with_tunnel_flag.webhook_url, with_tunnel_flag.webhook_port) == (
        "https://flag-tunnel.example",
        8000,
    )
    sandboxed = apply_stored_settings(SessionOptions(use_sandbox=True), saved)
    assert sandboxed.webhook_url is None  # the emulator's callbacks stay on loopback
    command = apply_stored_settings(SessionOptions(source="cli"), saved)
    assert command.webhook_url is None  # the window may hold the port
    assert command.base_url == "https://stored.example"  # the rest applies to commands too

    monkeypatch.setenv("NANOBANANA_LIBRARY", "/env/library")
    assert apply_stored_settings(SessionOptions(), saved).library is None  # env wins


def test_unusable_stored_values_are_ignored_not_fatal():
    parsed = stored(
        **{
            prefs.BASE_URL: "http://example.com",
            prefs.POLL_FAST: "0.01",
            prefs.POLL_SLOW: "lots",
            prefs.WEBHOOK_URL: "ftp://tunnel.example",
            prefs.WEBHOOK_PORT: "70000",
            prefs.LANGUAGE: "xx",
            prefs.LIBRARY: "  ",
            prefs.NOTIFICATIONS: "maybe",
        }
    )
    assert parsed == Preferences()
    # A slow interval below the fast one is raised to it.
    assert stored(**{prefs.POLL_FAST: "8", prefs.POLL_SLOW: "4"}).poll_slow == 8.0


# ---------------------------------------------------------------- QSettings and the reader


def test_values_written_by_qsettings_read_back_without_qt(qapp, tmp_path):
    settings = profile_settings(tmp_path)
    library = r'C:\Users\Zoë\Pictures, "Nano"; =1 '
    store_preferences(
        settings,
        {
            prefs.BASE_URL: "https://api.example:8443/v1",
            prefs.LIBRARY: library,
            prefs.POLL_FAST: "2.5",
            prefs.POLL_SLOW: "12",
            prefs.WEBHOOK_URL: "https://tunnel.example/hook",
            prefs.WEBHOOK_PORT: "8787",
            prefs.LANGUAGE: "nl",
        },
    )
    settings.setValue("composer/draft", "a prompt\nwith lines, and @ signs")
    settings.sync()
    assert read_preferences(tmp_path) == Preferences(
        base_url="https://api.example:8443/v1",
        library=library.strip(),
        poll_fast=2.5,
        poll_slow=12.0,
        webhook_url="https://tunnel.example/hook",
        webhook_port=8787,
        language="nl",
    )
    store_preferences(settings, {prefs.LANGUAGE: None})
    settings.sync()
    assert read_preferences(tmp_path).language is None


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(value=_TEXT)
def test_the_reader_agrees_with_qsettings_on_any_text(qapp, tmp_path_factory, value):
    folder = tmp_path_factory.mktemp("ini")
    writer = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    writer.setValue("group/key", value)
    writer.sync()
    assert parse_qsettings_ini((folder / "settings.ini").read_text("utf-8")) == {"group/key": value}


def test_the_reader_skips_lists_and_qt_types():
    text = "[General]\ntop=1\n\n[g]\nlist=a, b\nnone=@Invalid()\nat=@@x\n; a comment\n"
    assert parse_qsettings_ini(text) == {"top": "1", "g/at": "@x"}


def test_default_base_url_stays_the_default(tmp_path):
    assert apply_stored_settings(SessionOptions(), Preferences()).base_url == DEFAULT_BASE_URL
