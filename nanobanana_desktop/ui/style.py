"""Colours and button looks shared by the widgets, all derived from the palette.

Quiet text used to be made with ``setEnabled(False)``: the disabled colour is meant for
controls that cannot be used, and on Fusion's light palette it reads at about 2:1. Quiet
text here is WindowText moved 40 % of the way to Window: about #606060 on #efefef (5.4:1)
and on white (6.2:1), and light grey on a dark palette.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from shiboken6 import Shiboken

W = TypeVar("W", bound=QWidget)

MUTED_MIX = 0.4  # how far quiet text moves from the text colour towards the background

# Small secondary buttons (Settings, the task actions): the filter segments' height and
# corners, so that they sit in one row with them.
TOOL_BUTTON_STYLE = """
QToolButton {
    border: 1px solid palette(mid); border-radius: 6px; padding: 4px 12px;
    background: palette(button); color: palette(button-text);
}
QToolButton:hover { background: palette(alternate-base); }
QToolButton:pressed { background: palette(midlight); }
QToolButton:disabled { color: palette(mid); background: transparent; }
"""


# Segmented controls (the task filters, Create / Gallery): buttons with a "segment"
# property of "first", "middle" or "last", joined into one bar.
SEGMENT_STYLE = """
QToolButton[segment] {
    border: 1px solid palette(mid); border-left: none; padding: 4px 12px;
    background: palette(base); color: palette(text);
}
QToolButton[segment="first"] {
    border-left: 1px solid palette(mid);
    border-top-left-radius: 6px; border-bottom-left-radius: 6px;
}
QToolButton[segment="last"] { border-top-right-radius: 6px; border-bottom-right-radius: 6px; }
QToolButton[segment]:hover { background: palette(alternate-base); }
QToolButton[segment]:checked {
    background: palette(highlight); color: palette(highlighted-text);
    border-color: palette(highlight);
}
"""


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved ``t`` of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
        1.0,
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def muted_colour(
    palette: QPalette,
    text: QPalette.ColorRole = QPalette.ColorRole.WindowText,
    background: QPalette.ColorRole = QPalette.ColorRole.Window,
) -> QColor:
    """Secondary text that still reads (at least 4.5:1 on the standard palettes)."""
    return mix(palette.color(text), palette.color(background), MUTED_MIX)


class _MutedKeeper(QObject):
    """Recomputes a muted label's colour when the palette around it changes (a theme
    switch, or a new parent): a colour fixed once would go stale."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QWidget) and event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.ParentChange,
        ):
            _apply_muted(watched)
        return False


_keeper: _MutedKeeper | None = None


def _source_palette(widget: QWidget) -> QPalette:
    parent = widget.parentWidget()
    return parent.palette() if parent is not None else QApplication.palette(widget)


def _apply_muted(widget: QWidget) -> None:
    colour = muted_colour(_source_palette(widget))
    palette = widget.palette()
    # Only when it differs: setPalette sends PaletteChange, which lands here again.
    if palette.color(QPalette.ColorRole.WindowText) != colour:
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        palette.setColor(QPalette.ColorRole.Text, colour)
        widget.setPalette(palette)


def muted(widget: W) -> W:
    """Show ``widget``'s text (a QLabel's, usually) in the quiet secondary colour."""
    global _keeper
    # A new one if the application it belonged to has gone (and took it along).
    if _keeper is None or not Shiboken.isValid(_keeper):
        _keeper = _MutedKeeper(QCoreApplication.instance())
    _apply_muted(widget)
    widget.installEventFilter(_keeper)
    return widget


def primary(button: QAbstractButton) -> QAbstractButton:
    """The screen's main action: filled with the accent colour, light text."""
    palette = button.palette()
    accent = palette.color(QPalette.ColorRole.Highlight)
    # Hover and pressed are computed now: a style sheet cannot shade a palette colour.
    hover = accent.lighter(112) if is_dark(palette) else accent.darker(110)
    pressed = accent.lighter(125) if is_dark(palette) else accent.darker(122)
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    name = button.objectName() or "primaryButton"
    button.setObjectName(name)
    # The border is always there, in the fill's colour, so that focus can colour it
    # without moving the text.
    button.setStyleSheet(
        f"#{name} {{ background: palette(highlight); color: palette(highlighted-text);"
        " border: 2px solid palette(highlight); border-radius: 6px; padding: 5px 18px;"
        " font-weight: 600; }"
        f" #{name}:hover {{ background: {hover.name()}; border-color: {hover.name()}; }}"
        f" #{name}:focus {{ border-color: {pressed.name()}; }}"
        f" #{name}:pressed {{ background: {pressed.name()}; border-color: {pressed.name()}; }}"
        f" #{name}:disabled {{ background: {mix(window, text, 0.1).name()};"
        f" border-color: {mix(window, text, 0.1).name()}; color: {muted_colour(palette).name()}; }}"
    )
    return button


def secondary(button: QAbstractButton) -> QAbstractButton:
    """A clear second choice: outlined in the accent colour, accent text."""
    palette = button.palette()
    accent = palette.color(QPalette.ColorRole.Highlight)
    base = palette.color(QPalette.ColorRole.Base)
    name = button.objectName() or "secondaryButton"
    button.setObjectName(name)
    button.setStyleSheet(
        f"#{name} {{ background: {base.name()}; color: {accent.name()};"
        f" border: 1px solid {accent.name()}; border-radius: 6px; padding: 6px 18px;"
        " font-weight: 600; }"
        f" #{name}:hover {{ background: {mix(base, accent, 0.08).name()}; }}"
        f" #{name}:pressed {{ background: {mix(base, accent, 0.16).name()}; }}"
        f" #{name}:disabled {{ color: {muted_colour(palette).name()};"
        f" border-color: {mix(base, palette.color(QPalette.ColorRole.Text), 0.2).name()}; }}"
    )
    return button
