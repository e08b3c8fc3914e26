"""The interface language: Qt's own strings (dialog buttons) and the app's, when translated."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

APP_TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
SOURCE_LANGUAGE = "en"


def available_languages() -> list[str]:
    """English, in which the app is written, and every language with a compiled catalogue."""
    found = {p.stem.removeprefix("nanobanana_") for p in APP_TRANSLATIONS.glob("nanobanana_*.qm")}
    return [SOURCE_LANGUAGE, *sorted(found - {SOURCE_LANGUAGE})]


def install_language(app: QCoreApplication, code: str | None) -> str | None:
    """Switch the interface to ``code``; a message for the user if it cannot be done.

    None means the system's language. The translators are parented to the app so they
    live as long as it does.
    """
    locale = QLocale(code) if code else QLocale.system()
    wanted = locale.name().split("_")[0]
    if code and locale.language() == QLocale.Language.C:
        return f"Unknown language {code!r}; choose one of: {', '.join(available_languages())}"
    QLocale.setDefault(locale)
    if wanted == SOURCE_LANGUAGE:
        return None
    ours = QTranslator(app)
    if not ours.load(str(APP_TRANSLATIONS / f"nanobanana_{wanted}.qm")):
        if code is None:
            return None  # the system's language is simply not translated yet: English
        return (
            f"The interface has no {locale.nativeLanguageName() or code} translation yet; "
            f"it stays in English. Available: {', '.join(available_languages())}"
        )
    app.installTranslator(ours)
    qt_own = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_own.load(locale, "qtbase", "_", folder):
        app.installTranslator(qt_own)
    return None
