"""The interface language: Qt's own strings (dialog buttons) and the app's, when translated.

The catalogues are nanobanana_desktop/translations/nanobanana_XX.qm, compiled from the
.ts files beside them by packaging/update_translations.py. English is the source language
and needs none. Plurals: English and Dutch share one rule (one, or other), so the code
picks between two source strings ("1 task" / "{count} tasks") rather than Qt's ``%n``
numerus forms, which would need an English catalogue installed to read well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from ..messages import Template, registered

if TYPE_CHECKING:
    # Not at run time: the window's first paint imports this module, and the engine
    # package would bring the API client with it (tests/test_layering.py).
    from ..engine.records import TaskState

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
    _memo.clear()
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


def state_label(state: TaskState) -> str:
    """What the window and the command line call a task state, in the interface language
    (engine/records.py's words, declared there for translation)."""
    return QCoreApplication.translate("TaskState", state.label)


def format_number(value: Decimal | int | float) -> str:
    """A number as the interface language writes it: 1.234,5 in Dutch, 1,234.5 in English.

    A Decimal keeps its own places (0.25 stays 0.25, 100 has none), as the API sent it.
    """
    locale = QLocale()
    if isinstance(value, int):
        return locale.toString(value)
    if isinstance(value, float):
        return locale.toString(value, "g", 12)
    exact = value.normalize()
    exponent = exact.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return locale.toString(float(exact), "f", places)


_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A value that is a number written the English way (1.5, 64,000,000): the layers below
# format numbers so, and a translated message shows them as its language writes them.
_DECIMAL = re.compile(r"\d+\.\d+")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
_NESTING = 3  # a message quoting a message quoting a message; deeper stays as it is


@dataclass(frozen=True)
class _Pattern:
    template: Template
    regex: re.Pattern[str]
    names: tuple[str, ...]
    literal: int  # characters outside the fields: the more, the more specific


class _Catalogue:
    """The registered templates, compiled once (again only when more were registered)."""

    def __init__(self) -> None:
        self.size = -1
        self.exact: dict[str, Template] = {}
        self.patterns: list[_Pattern] = []

    def refresh(self) -> None:
        templates = registered()
        if len(templates) == self.size:
            return
        # Built aside, then swapped in: reference files are read (and their errors
        # localised) on worker threads, which must never see a half-built catalogue.
        compiled = [_compile(t) for t in templates if _FIELD.search(t.text)]
        self.exact = {t.text: t for t in templates if not _FIELD.search(t.text)}
        self.patterns = sorted(compiled, key=lambda p: -p.literal)
        self.size = len(templates)


def _compile(template: Template) -> _Pattern:
    pieces = _FIELD.split(template.text)  # literal, name, literal, name, ..., literal
    literals, names = pieces[0::2], tuple(pieces[1::2])
    regex = re.escape(literals[0])
    for index, following in enumerate(literals[1:], start=1):
        if index < len(names):
            # Atomic: a field ends at the first occurrence of the text after it, and is
            # never re-split. The match stays linear on long text, and the first
            # occurrence is also the one that leaves room for the rest of the template.
            regex += f"(?>(.*?){re.escape(following)})"
        else:
            regex += f"(.*?){re.escape(following)}"
    literal = sum(len(piece) for piece in literals)
    return _Pattern(template, re.compile(regex, re.DOTALL), names, literal)


_catalogue = _Catalogue()
# Finished text -> its translation: the task list asks again for the same reasons at every
# repaint. Emptied when the language changes; bounded, since the text comes from outside.
_memo: dict[str, str] = {}
_MEMO_SIZE = 1024


def localized(text: str) -> str:
    """``text``, a message the api/engine layers wrote in English, in the interface language.

    The message is matched against the templates they registered
    (nanobanana_desktop/messages.py); the most specific match is translated and re-filled
    with the values it captured, which are themselves localised when they are messages
    too (an error quoting another). Text no template matches comes back unchanged.
    """
    before = _catalogue.size
    _catalogue.refresh()
    if _catalogue.size != before:
        _memo.clear()  # more templates: an earlier miss may match now
    found = _memo.get(text)
    if found is None:
        found = _localize(text, _NESTING)
        if len(_memo) >= _MEMO_SIZE:
            _memo.clear()
        _memo[text] = found
    return found


def _localize(text: str, depth: int) -> str:
    exact = _catalogue.exact.get(text)
    if exact is not None:
        return QCoreApplication.translate(exact.context, exact.text)
    if depth == 0:
        return text
    for pattern in _catalogue.patterns:
        match = pattern.regex.fullmatch(text)
        if match is None:
            continue
        translated = QCoreApplication.translate(pattern.template.context, pattern.template.text)
        values: dict[str, str] = {}
        for name, value in zip(pattern.names, match.groups(), strict=True):
            if name in values:
                continue
            if translated != pattern.template.text:
                value = _number(value)
            values[name] = _localize(value, depth - 1)
        return _fill(translated, values)
    return text


def _number(value: str) -> str:
    """``value`` in the interface language's digits when it is a number, else as it is."""
    if _DECIMAL.fullmatch(value):
        return QLocale().toString(float(value), "f", len(value) - value.index(".") - 1)
    if _GROUPED.fullmatch(value):
        return QLocale().toString(int(value.replace(",", "")))
    return value


def _fill(template: str, values: dict[str, str]) -> str:
    # Not str.format: a translation's stray brace must not raise in front of the user.
    return _FIELD.sub(lambda field: values.get(field[1], field[0]), template)
