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


def _task(local_id, state, **extra):
    from nanobanana_desktop.engine.records import TaskRecord

    fields = {
        "id": local_id,
        "task_id": f"ta{local_id}",
        "created_at": 100.0,
        "model": "google/gempix2",
        "prompt": f"a pear, take {local_id}",
        "references": (),
        "aspect_ratio": None,
        "image_size": None,
        "state": state,
        "source": "window",
        "updated_at": 112.0,
        "finished_at": 112.0,
    }
    fields.update(extra)
    return TaskRecord(**fields)


def test_the_task_list_speaks_dutch(qtbot, dutch):
    from decimal import Decimal

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    from nanobanana_desktop.engine.records import TaskState
    from nanobanana_desktop.ui.task_delegate import meta_text, reason_text, status_text
    from nanobanana_desktop.ui.task_model import TaskFilter
    from nanobanana_desktop.ui.task_panel import TaskPanel

    # A failure as the engine writes it: English, in the history.
    disk_full = (
        "The disk that holds /media/card is full. Free some disk space, and the image will be "
        "saved on the next attempt."
    )
    done = _task(1, TaskState.SUCCEEDED, consumed=Decimal("1.5"), references=("a", "b"))
    failed = _task(2, TaskState.FAILED, status_reason=disk_full, consumed=Decimal("1"))
    unknown = _task(3, TaskState.UNKNOWN, finished_at=None)
    panel = TaskPanel()
    qtbot.addWidget(panel)
    notices = []
    panel.notice.connect(notices.append)
    panel.load([done, failed, unknown])
    panel.set_filter(TaskFilter.ACTIVE)
    empty = panel.empty_label.text()
    panel.set_filter(TaskFilter.ALL)
    panel.select_task(2)
    model = panel.model
    tip = model.index(model.row_of(1)).data(Qt.ItemDataRole.ToolTipRole)
    menu = {a.objectName(): a for a in panel.build_menu(unknown).actions() if a.objectName()}
    panel.copy_prompt(done)
    QGuiApplication.clipboard().clear()

    assert [b.text() for b in panel.filter_buttons.values()] == [
        "Alle  3",
        "Actief  0",
        "Voltooid  1",
        "Mislukt  2",
    ]
    assert empty == "Er loopt niets."
    assert (status_text(done, 12.0), meta_text(done)) == (
        "klaar in 12 s",
        "#1 · google/gempix2 · 2 ref. · 1,5 credits",  # a Dutch decimal comma
    )
    assert (status_text(failed, 75.0), meta_text(failed)) == (
        "mislukt na 1:15",
        "#2 · google/gempix2 · 1 credit",
    )
    assert status_text(unknown, None) == "uitkomst onbekend: mogelijk in rekening gebracht"
    dutch_reason = (
        "De schijf met /media/card is vol. Maak ruimte vrij, dan wordt de afbeelding bij de "
        "volgende poging opgeslagen"
    )
    assert reason_text(failed) == dutch_reason  # one line, no closing full stop
    assert panel.reason_label.text() == f"Taak 2 — mislukt: {dutch_reason}."
    assert "Taak 1 · klaar · gestart" in tip and "Credits: 1,5" in tip
    assert (
        menu["resubmit"].text() == "Opnieuw versturen — misschien al een keer in rekening gebracht"
    )
    assert menu["resubmit"].toolTip().startswith("Het antwoord op deze taak is nooit aangekomen")
    assert menu["remove"].text() == "Uit lijst verwijderen"
    assert notices == ["Prompt van taak 1 gekopieerd"]


def test_numbers_in_messages_are_written_the_dutch_way(dutch):
    from decimal import Decimal

    from nanobanana_desktop.ui.translations import format_number, localized

    assert format_number(Decimal("1234.50")) == "1.234,5"
    assert format_number(Decimal("100.000000")) == "100"
    assert format_number(64_000_000) == "64.000.000"
    # The engine writes its numbers the English way; a translated message shows them in
    # Dutch. Numbers that are not decimals (ids, ports, HTTP codes) stay as they are.
    assert localized("The image is larger than 64.0 MB; it was not saved.") == (
        "De afbeelding is groter dan 64,0 MB; hij is niet opgeslagen."
    )
    assert localized(
        "The image is 9000x9000 pixels, more than the 64,000,000 allowed; it was not saved."
    ) == (
        "De afbeelding heeft 9000x9000 pixels, meer dan de toegestane 64.000.000; "
        "hij is niet opgeslagen."
    )
    assert localized("the image host answered HTTP 503") == (
        "de afbeeldingsserver antwoordde met HTTP 503"
    )


def test_english_numbers_stay_english(qapp, restore_locale):
    from decimal import Decimal

    from nanobanana_desktop.ui.translations import format_number, localized

    assert install_language(qapp, "en") is None
    assert format_number(Decimal("1234.5")) == "1,234.5"
    message = "The image is larger than 64.0 MB; it was not saved."
    assert localized(message) == message


def _cli(*args, env_update=None, profile=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(env_update or {})
    if profile is not None:
        env["NANOBANANA_PROFILE"] = str(profile)
    return subprocess.run(
        [sys.executable, "-m", "nanobanana_desktop.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_line_speaks_the_interface_language(isolated_profile):
    # --lang, then the language saved in Settings, then the system's: as the window.
    profile = isolated_profile / "profile"
    by_flag = _cli("--lang", "nl", "--help", env_update={"LANG": "en_GB.UTF-8"})
    by_system = _cli("list", "--help", env_update={"LANG": "nl_NL.UTF-8"})
    english = _cli("--help", env_update={"LANG": "en_GB.UTF-8"}, profile=profile)
    settings = profile_settings(profile)
    store_preferences(settings, {prefs.LANGUAGE: "nl"})
    settings.sync()
    by_setting = _cli("list", env_update={"LANG": "en_GB.UTF-8"}, profile=profile)
    flag_wins = _cli("--lang", "en", "balance", env_update={"LANG": "nl_NL.UTF-8"})

    assert by_flag.returncode == 0, by_flag.stderr
    assert by_flag.stdout.startswith("gebruik: nanobanana")
    assert "afbeeldingen genereren en opslaan" in by_flag.stdout
    assert "deze hulp tonen en stoppen" in by_flag.stdout
    assert "alleen onvoltooide taken" in by_system.stdout
    assert english.stdout.startswith("usage: nanobanana") and "generate images" in english.stdout
    assert by_setting.returncode == 0 and by_setting.stdout == ""  # no tasks yet
    # The messages too; argparse's own complaints about options stay English.
    no_key = _cli("balance", env_update={"LANG": "nl_NL.UTF-8"})
    assert no_key.returncode == 2
    # (No keyring in the tests, conftest: credentials.py's notice.)
    assert no_key.stderr.strip() == (
        "nanobanana: Er is geen sleutelbos van het systeem om de API-sleutel te bewaren; stel "
        "NANOBANANA_API_KEY in voor deze sessie, of installeer en ontgrendel een sleutelbos"
    )
    assert flag_wins.stderr.strip().startswith("nanobanana: No system keyring is available")


def test_an_unknown_language_on_the_command_line_is_named(isolated_profile):
    done = _cli("--lang", "qq", "list")
    assert done.returncode == 0
    assert "Unknown language “qq”" in done.stderr
