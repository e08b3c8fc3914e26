"""The interface language: English is built in, Dutch comes from its catalogue; --lang, then
the language saved in Settings, then the system's choose it, and the user is told when a
language has no catalogue."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import drive
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QLabel
from ui_harness import show_window

from nanobanana_desktop import preferences as prefs
from nanobanana_desktop.session import Session, SessionOptions
from nanobanana_desktop.ui.settings import profile_settings, store_preferences
from nanobanana_desktop.ui.settings_dialog import SettingsDialog
from nanobanana_desktop.ui.translations import (
    LANGUAGE_KEY,
    SETTINGS_FILE,
    available_languages,
    install_language,
    saved_language,
)
from nanobanana_desktop.ui.welcome import WelcomePanel


@pytest.fixture
def restore_locale(qapp):
    before = QLocale()
    yield
    install_language(qapp, "en")  # no Dutch left installed for the tests that follow
    QLocale.setDefault(before)


@pytest.fixture
def dutch(qapp, restore_locale):
    assert install_language(qapp, "nl") is None


def test_english_needs_no_catalogue(qapp, restore_locale):
    assert install_language(qapp, "en") is None
    assert QLocale().name().startswith("en")
    assert available_languages()[0] == "en"


def test_an_unknown_code_says_which_languages_exist(qapp, restore_locale):
    before = QLocale().name()
    note = install_language(qapp, "qq")
    assert note is not None and "Unknown language “qq”" in note and "en" in note
    assert QLocale().name() == before  # nothing was switched


def test_a_language_without_a_catalogue_stays_english_and_says_so(
    qapp, restore_locale, monkeypatch, tmp_path
):
    monkeypatch.setattr("nanobanana_desktop.ui.translations.APP_TRANSLATIONS", tmp_path)
    note = install_language(qapp, "nl")
    assert note is not None and "no Nederlands translation yet" in note
    assert available_languages() == ["en"]


def test_the_window_opens_in_dutch(qloop, qtbot, sandbox, dutch):
    async def scenario():
        session = await Session.open(SessionOptions(base_url=sandbox.api_url))  # no key
        window = await show_window(qtbot, session)
        try:
            welcome, composer = window.welcome, window.composer
            dialog = SettingsDialog(session, window)
            qtbot.addWidget(dialog)
            dialog.open()
            shown = {
                "header": (
                    window.page_buttons["create"].text(),
                    window.page_buttons["gallery"].text(),
                    window.settings_button.text(),
                    window.settings_action.toolTip(),
                ),
                "welcome": (
                    window.pages.currentWidget() is welcome,
                    welcome.findChild(QLabel, "welcomeTitle").text(),
                    welcome.save_button.text(),
                    welcome.sandbox_button.text(),
                ),
                "composer": (
                    composer.generate_button.text(),
                    composer.prompt.placeholderText(),
                    composer.reason_label.text(),
                    composer.variations.text(),
                    composer.aspect_ratio.itemText(0),
                    [label.text() for label in composer.findChildren(QLabel) if label.buddy()],
                ),
                "settings": (
                    dialog.windowTitle(),
                    [label.text() for label in dialog.findChildren(QLabel, "settingsSection")],
                    dialog.key_source.text(),
                    dialog.language_combo.itemText(0),
                    dialog.save_button.text(),  # Qt's own catalogue
                ),
            }
            await dialog.settle()
            return shown
        finally:
            await window.stop()
            await session.close()

    shown = drive(qloop, scenario())
    assert shown["header"] == (
        "Maken",
        "Galerij",
        "Instellingen",  # a tool button drops the action's ellipsis
        "API-sleutel, adres, bibliotheekmap, opvolging, taal",
    )
    assert shown["welcome"] == (
        True,
        "Welkom bij Nano Banana Desktop",
        "Sleutel controleren en opslaan",
        "Probeer de offline sandbox",
    )
    assert shown["composer"] == (
        "Genereren",
        "Beschrijf de afbeelding: onderwerp, omgeving, licht, stijl…  (Ctrl+Enter om te genereren)",
        "Schrijf eerst een prompt",
        "1 taak",
        "Standaard (niet verzonden)",
        ["Model", "Beeldverhouding", "Resolutie", "Variaties"],
    )
    assert shown["settings"] == (
        "Instellingen",
        ["Account", "Meldingen", "Verbinding", "Bibliotheek", "Opvolging", "Webhooks", "Taal"],
        "Nog geen sleutel.",
        "Systeemtaal",
        "Opslaan",
    )


def test_dutch_counts_and_messages_are_filled_in(qtbot, dutch):
    from nanobanana_desktop.ui.composer import TaskCountSpinBox

    count = TaskCountSpinBox()
    qtbot.addWidget(count)
    count.setRange(1, 4)
    count.setValue(3)
    assert count.text() == "3 taken"
    # Typing the Dutch word is accepted, as "3 tasks" is in English.
    assert count.validate("2 ta", 4)[0].name == "Acceptable"
    assert count.valueFromText("2 taken") == 2


def test_english_returns_when_switched_back(qapp, qtbot, restore_locale):
    assert install_language(qapp, "nl") is None
    assert install_language(qapp, "nl") is None  # a second call replaces the first
    dutch = WelcomePanel()
    qtbot.addWidget(dutch)
    assert install_language(qapp, "en") is None
    english = WelcomePanel()
    qtbot.addWidget(english)
    assert (dutch.save_button.text(), english.save_button.text()) == (
        "Sleutel controleren en opslaan",
        "Check and save key",
    )


def test_the_language_saved_in_settings_is_read_before_the_window(isolated_profile):
    profile = isolated_profile / "profile"
    assert saved_language(profile) is None  # nothing saved: the system's language
    settings = profile_settings(profile)
    store_preferences(settings, {prefs.LANGUAGE: "nl"})
    settings.sync()
    assert saved_language(profile) == "nl"
    # Spelled out in translations.py so the first paint need not load preferences.py.
    assert (SETTINGS_FILE, LANGUAGE_KEY) == (prefs.SETTINGS_FILE, prefs.LANGUAGE)


def test_the_system_language_is_the_default():
    # A fresh process: QLocale.system() is read from the environment at start.
    code = (
        "from PySide6.QtWidgets import QApplication\n"
        "from nanobanana_desktop.ui.translations import install_language\n"
        "from nanobanana_desktop.ui.welcome import WelcomePanel\n"
        "app = QApplication([])\n"
        "assert install_language(app, None) is None\n"
        "print(WelcomePanel().save_button.text())\n"
    )
    texts = []
    for lang in ("nl_NL.UTF-8", "en_GB.UTF-8"):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
        env.update(LANG=lang, QT_QPA_PLATFORM="offscreen")
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        texts.append(done.stdout.strip())
    assert texts == ["Sleutel controleren en opslaan", "Check and save key"]


def test_a_refused_key_is_explained_in_dutch(qloop, qtbot, sandbox, dutch):
    # The refusal is the API client's English message; the welcome panel shows it in Dutch.
    sandbox.config.refused_keys.add("dk-revoked-000000000001")

    async def scenario():
        session = await Session.open(SessionOptions(base_url=sandbox.api_url))  # no key
        window = await show_window(qtbot, session)
        try:
            first = window.welcome.status.text()
            window.welcome.key_edit.setText("dk-revoked-000000000001")
            window.welcome.save_button.click()
            await window._background.settle()
            return first, window.welcome.status.text(), session.engine
        finally:
            await window.stop()
            await session.close()

    first, refused, engine = drive(qloop, scenario())
    assert engine is None
    assert refused == "De API-sleutel werd geweigerd (401): controleer hem in Instellingen"
    # No keyring in the tests (conftest): credentials.py's notice, in Dutch as well.
    assert first == (
        "Er is geen sleutelbos van het systeem om de API-sleutel te bewaren; stel "
        "NANOBANANA_API_KEY in voor deze sessie, of installeer en ontgrendel een sleutelbos"
    )


def test_the_gallery_opens_in_dutch(qloop, qtbot, dutch):
    from ui_harness import close_window, open_window

    from nanobanana_desktop.ui.quality_dialog import QualityDialog

    async def scenario():
        session, window = await open_window(qtbot)
        try:
            window.show_page("gallery")
            gallery = window.gallery
            await gallery.settle()
            quality = QualityDialog("pear.png", source_is_jpeg=True, parent=window)
            qtbot.addWidget(quality)
            return {
                "bar": (
                    gallery.search.placeholderText(),
                    gallery.model_combo.itemText(0),
                    gallery.date_combo.itemText(1),
                    gallery.starred_button.text(),
                    gallery.count_label.text(),
                ),
                "menu": [a.text() for a in gallery.build_menu().actions() if a.text()][:3],
                "actions": (gallery.star_action.text(), gallery.trash_action.text()),
                "empty": gallery.empty_label.text().split("\n")[0],
                "quality": (quality.windowTitle(), quality.keep.text()),
            }
        finally:
            await close_window(session, window)

    shown = drive(qloop, scenario(), 60)
    assert shown["bar"] == (
        "Prompts zoeken",
        "Alle modellen",
        "Vandaag",
        "★ Met ster",
        "0 afbeeldingen",
    )
    assert shown["menu"] == ["Openen", "Openen met standaardapp", "Tonen in map"]
    assert shown["actions"] == ("Ster geven", "Naar prullenbak")
    assert shown["empty"] == "Nog geen afbeeldingen."
    assert shown["quality"] == (
        "JPEG-kwaliteit",
        "Het originele JPEG-bestand houden (geen tweede compressie)",
    )
