"""The interface language: Qt's own strings (dialog buttons) and the app's, when translated.

The catalogues are nanobanana_desktop/translations/nanobanana_XX.qm, compiled from the
.ts files beside them by packaging/update_translations.py. English is the source language
and needs none. Plurals: English and Dutch share one rule (one, or other), so the code
picks between two source strings ("1 task" / "{count} tasks") rather than Qt's ``%n``
numerus forms, which would need an English catalogue installed to read well.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

APP_TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
SOURCE_LANGUAGE = "en"
# preferences.SETTINGS_FILE and preferences.LANGUAGE, spelled out: that module loads the
# API client, and the language is needed before the window's first paint, which must not
# wait for the network stack (tests/test_layering.py).
SETTINGS_FILE = "settings.ini"
LANGUAGE_KEY = "interface/language"
_OURS = "nanobanana-language"  # the object name of the translators installed here


def available_languages() -> list[str]:
    """English, in which the app is written, and every language with a compiled catalogue."""
    found = {p.stem.removeprefix("nanobanana_") for p in APP_TRANSLATIONS.glob("nanobanana_*.qm")}
    return [SOURCE_LANGUAGE, *sorted(found - {SOURCE_LANGUAGE})]


def saved_language(profile: Path) -> str | None:
    """The language chosen in Settings for this profile; None: the system's."""
    value = QSettings(str(profile / SETTINGS_FILE), QSettings.Format.IniFormat).value(LANGUAGE_KEY)
    return (value.strip() or None) if isinstance(value, str) else None


def install_language(app: QCoreApplication, code: str | None) -> str | None:
    """Switch the interface to ``code``; a message for the user if it cannot be done.

    None means the system's language. Call it before the widgets are built: they take
    their strings then. A second call replaces what the first installed. The translators
    are parented to the app so they live as long as it does.
    """
    locale = QLocale(code) if code else QLocale.system()
    wanted = locale.name().split("_")[0]
    if code and locale.language() == QLocale.Language.C:
        return QCoreApplication.translate(
            "Language", "Unknown language “{code}”; choose one of: {languages}"
        ).format(code=code, languages=", ".join(available_languages()))
    _remove_languages(app)
    QLocale.setDefault(locale)
    if wanted == SOURCE_LANGUAGE:
        return None
    ours = QTranslator(app)
    ours.setObjectName(_OURS)
    if not ours.load(str(APP_TRANSLATIONS / f"nanobanana_{wanted}.qm")):
        ours.deleteLater()
        if code is None:
            return None  # the system's language is simply not translated yet: English
        return QCoreApplication.translate(
            "Language",
            "The interface has no {language} translation yet; it stays in English. "
            "Available: {languages}",
        ).format(
            language=locale.nativeLanguageName() or code,
            languages=", ".join(available_languages()),
        )
    app.installTranslator(ours)
    qt_own = QTranslator(app)
    qt_own.setObjectName(_OURS)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_own.load(locale, "qtbase", "_", folder):
        app.installTranslator(qt_own)
    else:
        qt_own.deleteLater()
    return None


def _remove_languages(app: QCoreApplication) -> None:
    for translator in app.findChildren(QTranslator, _OURS):
        app.removeTranslator(translator)
        translator.setObjectName("")  # deleteLater waits for the loop: not found again
        translator.deleteLater()
