"""The shipped catalogues are complete, list every string the code marks, and are compiled.

A failure here after adding or changing a user-visible string: run
``.venv/bin/python packaging/update_translations.py``, translate the entries it lists as
unfinished in nanobanana_desktop/translations/nanobanana_XX.ts, and run it again.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator

from nanobanana_desktop.ui.translations import APP_TRANSLATIONS, available_languages

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = "run packaging/update_translations.py and translate what it lists"


def _load_tool():
    # By path: "packaging" is also the name of a library pytest itself imports.
    spec = importlib.util.spec_from_file_location(
        "update_translations", ROOT / "packaging" / "update_translations.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


tool = _load_tool()
_PLACEHOLDER = re.compile(r"\{[A-Za-z_]*\}")


def key(message):
    return (message.context, message.source, message.comment)


def shape(text: str) -> tuple[object, ...]:
    """What a translation must keep of its source: the {placeholders} .format() fills,
    keyboard accelerators, %n, line breaks, and the spaces at either end."""
    return (
        sorted(_PLACEHOLDER.findall(text)),
        text.replace("&&", "").count("&"),
        "%n" in text,
        text.count("\n"),
        text[:1].isspace(),
        text[-1:].isspace(),
    )


@pytest.fixture(params=tool.LANGUAGES)
def language(request):
    return request.param


def test_the_catalogues_are_where_the_app_looks(language):
    assert tool.CATALOGUES == APP_TRANSLATIONS
    assert language in available_languages()


def test_every_entry_is_translated(language):
    found = tool.messages(tool.ts_path(language))
    assert found, "an empty catalogue"
    todo = [(m.context, m.source) for m in tool.unfinished(found)]
    assert todo == [], f"unfinished entries: {REGENERATE}"


def test_translations_keep_placeholders_accelerators_and_line_breaks(language):
    wrong = [
        (m.context, m.source, text)
        for m in tool.messages(tool.ts_path(language))
        for text in m.translations
        if shape(text) != shape(m.source)
    ]
    assert wrong == []


def test_the_catalogue_holds_exactly_the_strings_the_code_marks(language, tmp_path):
    committed = tool.ts_path(language)
    fresh = tmp_path / committed.name
    shutil.copy(committed, fresh)
    tool.extract(fresh, language)  # lupdate over today's sources, into the copy
    before = {key(m) for m in tool.messages(committed)}
    after = tool.messages(fresh)
    new = sorted(key(m) for m in after if m.unfinished)
    gone = sorted(before - {key(m) for m in after})
    assert (new, gone) == ([], []), f"the .ts is out of date: {REGENERATE}"


def test_a_new_untranslated_string_is_caught(tmp_path):
    # The check above, shown to fail: one more marked string, in a class and a function.
    extra = tmp_path / "extra.py"
    extra.write_text(
        "from PySide6.QtCore import QCoreApplication\n"
        "from PySide6.QtWidgets import QWidget\n\n\n"
        "class Composer(QWidget):\n"
        "    def f(self):\n"
        "        return self.tr('A button nobody translated')\n\n\n"
        "def g():\n"
        "    return QCoreApplication.translate('RestoreBar', 'A note nobody translated')\n",
        "utf-8",
    )
    fresh = tmp_path / "nanobanana_nl.ts"
    shutil.copy(tool.ts_path("nl"), fresh)
    tool.extract(fresh, "nl", [*tool.sources(), extra])
    assert sorted((m.context, m.source) for m in tool.unfinished(tool.messages(fresh))) == [
        ("Composer", "A button nobody translated"),
        ("RestoreBar", "A note nobody translated"),
    ]


def test_the_compiled_catalogue_says_what_the_ts_says(language):
    translator = QTranslator()
    assert translator.load(str(tool.qm_path(language)))
    stale = [
        (m.context, m.source)
        for m in tool.messages(tool.ts_path(language))
        if translator.translate(m.context, m.source, m.comment or None) != m.translations[0]
    ]
    assert stale == [], f"the .qm is older than the .ts: {REGENERATE}"


def test_no_string_needs_plural_forms(language):
    # English and Dutch share one plural rule, so the code picks "1 task" or "{count}
    # tasks" itself (ui/translations.py). A %n string would read "1 task(s)" in English,
    # which has no catalogue to give it its forms.
    numerus = [m.source for m in tool.messages(tool.ts_path(language)) if "%n" in m.source]
    assert numerus == []


def test_every_message_the_lower_layers_register_is_translated(language):
    # The api/engine layers declare their messages with messages.translatable(); lupdate
    # reads those calls (update_translations.py), so each must be here, finished.
    import test_localized_messages  # imports every module that registers a template

    catalogue = {(m.context, m.source): m for m in tool.messages(tool.ts_path(language))}
    templates = test_localized_messages.TEMPLATES.values()
    assert len(templates) >= 100
    missing = [(t.context, t.text) for t in templates if (t.context, t.text) not in catalogue]
    found = [catalogue[t.context, t.text] for t in templates if (t.context, t.text) in catalogue]
    todo = [(m.context, m.source) for m in tool.unfinished(found)]
    assert (missing, todo) == ([], []), REGENERATE
