"""--lang: English is built in; other languages need a catalogue, and the user is told."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale

from nanobanana_desktop.ui.translations import available_languages, install_language


@pytest.fixture
def restore_locale():
    before = QLocale()
    yield
    QLocale.setDefault(before)


def test_english_needs_no_catalogue(qapp, restore_locale):
    assert install_language(qapp, "en") is None
    assert QLocale().name().startswith("en")
    assert available_languages()[0] == "en"


def test_an_unknown_code_says_which_languages_exist(qapp, restore_locale):
    before = QLocale().name()
    note = install_language(qapp, "qq")
    assert note is not None and "Unknown language 'qq'" in note and "en" in note
    assert QLocale().name() == before  # nothing was switched


def test_a_language_without_a_catalogue_stays_english_and_says_so(
    qapp, restore_locale, monkeypatch, tmp_path
):
    monkeypatch.setattr("nanobanana_desktop.ui.translations.APP_TRANSLATIONS", tmp_path)
    note = install_language(qapp, "nl")
    assert note is not None and "no Nederlands translation yet" in note
    assert available_languages() == ["en"]
