"""Message templates the layers below the UI write for the user, registered for translation.

The api/ and engine/ layers (and credentials.py, session.py) do not load Qt, so they cannot
call ``tr()``. Each message site declares its English template through
:func:`translatable` and fills it with ``str.format`` as before, so exceptions and notes
stay English text. pyside6-lupdate reads ``translatable("Context", "...")`` as
``QT_TRANSLATE_NOOP`` (packaging/update_translations.py), and the UI turns a finished
English message back into its template and translates it (ui/translations.localized).

Templates use plain ``{name}`` fields only: no format specs or conversions, since the UI
matches the finished text against the template and re-fills the captured values.
"""

from __future__ import annotations

from typing import NamedTuple


class Template(NamedTuple):
    context: str
    text: str


_REGISTRY: dict[str, Template] = {}


def translatable(context: str, template: str) -> str:
    """Register ``template`` for translation under ``context``; returns it unchanged."""
    _REGISTRY.setdefault(template, Template(context, template))
    return template


def registered() -> tuple[Template, ...]:
    """Every template declared so far (those of the modules imported so far)."""
    return tuple(_REGISTRY.values())
