"""No user-visible text bypasses Qt's translation: a scan of the sources for English put
straight into a widget.

It looks at what reaches the screen by the usual ways — the text setters (setText,
setToolTip, setWindowTitle, setPlaceholderText, addItem, addAction, showMessage, …), the
widgets and actions built with a text (QLabel("..."), QAction("...", parent)), message
boxes and file dialogs, and the ``notice`` signals the panels raise for the status bar —
and fails on any argument that carries words of its own: a string literal, an f-string
or a ``"...".format()`` call, rather than ``tr()`` / ``QCoreApplication.translate()`` or
text that came from them. Text composed only of translated pieces, numbers and
punctuation (``f"{label}  {count}"``) passes.

EXEMPT lists what the scan flags but that is not language; each says why. Keep it short.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "nanobanana_desktop"
# The modules that show widgets or write on them. api/, engine/ and sandbox/ have no
# widgets; their messages are checked by test_localized_messages.py, the CLI by test_cli.py.
SCANNED = sorted([*(PACKAGE / "ui").glob("*.py"), PACKAGE / "app.py", PACKAGE / "smoke_test.py"])

# Methods whose every text argument is shown to the user.
SETTERS = frozenset(
    {
        "setText",
        "setToolTip",
        "setStatusTip",
        "setWhatsThis",
        "setWindowTitle",
        "setPlaceholderText",
        "setTitle",
        "setLabelText",
        "setAccessibleName",
        "setAccessibleDescription",
        "setInformativeText",
        "setDetailedText",
        "setButtonText",
        "setTabText",
        "setTabToolTip",
        "setItemText",
        "setItemToolTip",
        "setHeaderLabels",
        "setPrefix",
        "setSuffix",
        "setSpecialValueText",
        "setNameFilter",
        "setNameFilters",
        "addItem",
        "addItems",
        "insertItem",
        "addAction",
        "addMenu",
        "addTab",
        "addButton",
        "showMessage",
        "showText",
        "drawText",  # painted text: cards, tiles, placeholders
        # QMessageBox's and QFileDialog's static functions: title, text, caption, filter
        "information",
        "warning",
        "critical",
        "question",
        "about",
        "getOpenFileName",
        "getOpenFileNames",
        "getSaveFileName",
        "getExistingDirectory",
    }
)
# Widgets and actions whose constructor takes the text they show.
CONSTRUCTORS = frozenset(
    {
        "QLabel",
        "QPushButton",
        "QToolButton",
        "QCheckBox",
        "QRadioButton",
        "QGroupBox",
        "QAction",
        "QMenu",
        "QMessageBox",
        "QCommandLinkButton",
    }
)
# Signals that carry a message to the status bar or a notice line.
SIGNALS = frozenset({"notice"})
TRANSLATORS = frozenset({"tr", "translate", "QT_TRANSLATE_NOOP", "QT_TR_NOOP"})
# Loggers share method names with message boxes (warning, critical): their text is for
# the log, which stays English.
LOGGERS = frozenset({"log", "logger", "logging", "warnings"})
# Not language: the product's name is the same in every language.
NAMES = ("Nano Banana Desktop",)
LETTERS = re.compile(r"[^\W\d_]+")

# (module, the literal text flagged): why it needs no translation.
EXEMPT: dict[tuple[str, str], str] = {
    ("ui/reference_slots.py", "https://…"): "a placeholder in the shape of a web address",
    ("ui/settings_dialog.py", "dk-…"): "a placeholder: the prefix every API key starts with",
    ("ui/welcome.py", "dk-…"): "a placeholder: the prefix every API key starts with",
}


def is_language(text: str) -> bool:
    """Words in ``text``: two letters or more, not an acronym (API, URL, JPEG), not a name.
    Symbols, numbers and punctuation ("·", "+3", "%") are the same in every language."""
    for name in NAMES:
        text = text.replace(name, "")
    return any(len(word) > 1 and not word.isupper() for word in LETTERS.findall(text))


def _literal_words(node: ast.AST) -> list[str]:
    """The literal text in ``node`` that reaches the screen as it is written."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if is_language(node.value) else []
    if isinstance(node, ast.JoinedStr):
        parts = [
            value.value
            for value in node.values
            if isinstance(value, ast.Constant) and isinstance(value.value, str)
        ]
        text = "".join(parts)
        return [text] if is_language(text) else []
    if isinstance(node, ast.BinOp):  # "a" + b, "%s" % b
        return _literal_words(node.left) + _literal_words(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_words(node.body) + _literal_words(node.orelse)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in TRANSLATORS:
            return []
        if isinstance(func, ast.Attribute) and func.attr in ("format", "join"):
            return _literal_words(func.value)  # "Task {id}".format(...), ", ".join(...)
    return []


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        if isinstance(func.value, ast.Name) and func.value.id in LOGGERS:
            return ""
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def untranslated(source: str, module: str) -> list[tuple[str, int, str]]:
    """(module, line, text) for each piece of English the scan finds unwrapped."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        shown = name in SETTERS or name in CONSTRUCTORS
        if name == "emit" and isinstance(node.func, ast.Attribute):
            signal = node.func.value
            shown = isinstance(signal, ast.Attribute) and signal.attr in SIGNALS
        if not shown:
            continue
        for argument in [*node.args, *(k.value for k in node.keywords)]:
            for text in _literal_words(argument):
                if (module, text) not in EXEMPT:
                    found.append((module, node.lineno, text))
    return found


def test_every_text_on_a_widget_goes_through_translation():
    found = []
    for path in SCANNED:
        module = str(path.relative_to(PACKAGE))
        found += untranslated(path.read_text("utf-8"), module)
    assert found == [], "wrap these in self.tr() or QCoreApplication.translate()"


def test_every_exemption_is_still_needed():
    # An exemption nothing flags any more is a hole for the next string to slip through.
    sources = {str(p.relative_to(PACKAGE)): p.read_text("utf-8") for p in SCANNED}
    unused = []
    for module, text in EXEMPT:
        flagged = untranslated(sources[module], "(none)")  # nothing exempt under this name
        if text not in {t for _, _, t in flagged}:
            unused.append((module, text))
    assert unused == []


def test_the_scan_finds_english_put_straight_on_a_widget():
    planted = (
        "class Panel(QWidget):\n"
        "    def build(self):\n"
        "        self.label.setText('Nothing to show')\n"
        "        button = QPushButton(f'Send {count}')\n"
        "        self.status.showMessage('Task {id} saved'.format(id=3), 4000)\n"
        "        menu.addAction('Copy ' + name)\n"
        "        self.notice.emit('Prompt copied' if ok else self.tr('Failed'))\n"
        "        QMessageBox.warning(self, self.tr('Title'), 'Something broke')\n"
        "        self.box.setToolTip(self.tr('Fine') if a else 'Not fine')\n"
        "        # all of these are fine:\n"
        "        self.label.setText(self.tr('Nothing to show'))\n"
        "        self.label.setText(QCoreApplication.translate('Panel', 'Sent {n}').format(n=2))\n"
        "        self.count.setText(f'{label}  {count}')\n"
        "        self.zoom.setText(f'{zoom:.0f} %')\n"
        "        self.thumb.setText('+3')\n"
        "        self.dot.setText('●')\n"
        "        self.badge.setText(f'API · {mode}')\n"
        "        self.setWindowTitle(f'Nano Banana Desktop — {mode}')\n"
        "        log.warning('the gallery could not be read: %s', exc)\n"
    )
    assert [(line, text) for _, line, text in untranslated(planted, "x.py")] == [
        (3, "Nothing to show"),
        (4, "Send "),
        (5, "Task {id} saved"),
        (6, "Copy "),
        (7, "Prompt copied"),
        (8, "Something broke"),
        (9, "Not fine"),
    ]
