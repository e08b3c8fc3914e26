"""Untrusted text (prompts, server messages, file names) where Qt guesses the format.

A tooltip has no text-format switch: Qt renders it as rich text whenever it merely looks
like HTML (``Qt.mightBeRichText``), so a server message such as ``<img src=...>`` would be
drawn, and would fetch. Such text is escaped; anything else is left exactly as it is.
"""

from __future__ import annotations

import html

from PySide6.QtGui import Qt


def plain_tip(text: str) -> str:
    """``text`` as a tooltip that shows it as written, never rendered."""
    if not Qt.mightBeRichText(text):
        return text
    return "<p style='white-space:pre-wrap'>" + html.escape(text).replace("\n", "<br>") + "</p>"
