"""Colours and button looks shared by the widgets: the palette, light or dark, and the few
named colours (tones) that a palette has no role for, each with a light and a dark value.

Quiet text used to be made with ``setEnabled(False)``: the disabled colour is meant for
controls that cannot be used, and on Fusion's light palette it reads at about 2:1. Quiet
text here is WindowText moved 30 % of the way to Window: it reads at 4.5:1 or better on
the window, on a card and on a selected card, in both schemes.

The scheme follows the system (``QStyleHints.colorScheme``, live) unless ``--color-scheme``
or ``NANOBANANA_COLOR_SCHEME`` says otherwise. With a native style (Windows, macOS) the
system's palette is kept. With Fusion, which Linux gets and which the offscreen and xcb
platforms never switch to dark, the palette is built here from a handful of tones: Fusion's
own accent carries white text at only 3.7:1.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QStyleFactory, QWidget
from shiboken6 import Shiboken

W = TypeVar("W", bound=QWidget)
log = logging.getLogger(__name__)
Role = QPalette.ColorRole
Group = QPalette.ColorGroup

MUTED_MIX = 0.3  # how far quiet text moves from the text colour towards the background
SCHEME_ENV = "NANOBANANA_COLOR_SCHEME"
SCHEMES = ("light", "dark")


@dataclass(frozen=True)
class Tone:
    """One colour, as it is in the light scheme and in the dark one."""

    light: str
    dark: str
    alpha: float = 1.0

    def pick(self, dark: bool) -> QColor:
        colour = QColor(self.dark if dark else self.light)
        colour.setAlphaF(self.alpha)
        return colour

    def on(self, palette: QPalette) -> QColor:
        """This tone for the scheme ``palette`` is in."""
        return self.pick(is_dark(palette))


# The surfaces every palette role is made from. Dark is a warm-neutral graphite, not an
# inverted light: cards and fields sit lighter than the window, as lit surfaces do, and
# text is off-white so that it does not glare.
WINDOW = Tone("#efefef", "#1e1f22")
BASE = Tone("#ffffff", "#2b2c31")
TEXT = Tone("#1a1a1c", "#e8e8eb")
# Filled with white text on it (4.6:1 or better), and a focus ring on the window and on
# cards (3:1 or better).
ACCENT = Tone("#2f6fd6", "#3471de")
ON_ACCENT = Tone("#ffffff", "#ffffff")
# The accent as text on the window or a card: lighter in the dark, where the fill's blue
# would read at 3:1.
LINK = Tone("#2258c2", "#8ab4ff")

# A task's state, as its icon and its status line show it; also the connection dot.
STATUS_ACTIVE = Tone("#2258c2", "#8ab4ff")
STATUS_DONE = Tone("#1b6e20", "#7dd181")
STATUS_FAILED = Tone("#b3261e", "#ff8f87")
STATUS_ATTENTION = Tone("#8a4f00", "#ffb95a")
STATUS = {
    "active": STATUS_ACTIVE,
    "done": STATUS_DONE,
    "failed": STATUS_FAILED,
    "attention": STATUS_ATTENTION,
}
CONNECTING = Tone("#6e6e73", "#8e8f95")
ERROR_TEXT = STATUS_FAILED
WARNING_TEXT = STATUS_ATTENTION
# The glyph on a filled status icon, when the fill is light (the dark scheme's).
INK = "#1a1a1c"

# The header's mode badge: the sandbox in banana yellow, the real API in the accent.
SANDBOX_BADGE = Tone("#f6c945", "#e8bb38")
ON_SANDBOX_BADGE = Tone("#2b2200", "#231b00")
API_BADGE = ACCENT
ON_API_BADGE = ON_ACCENT

# Drawn over images, which look the same in either scheme: so do these.
SCRIM = Tone("#000000", "#000000", alpha=0.55)
SCRIM_HOVER = Tone("#000000", "#000000", alpha=0.8)
ON_SCRIM = Tone("#ffffff", "#ffffff")
STAR = Tone("#ffc83d", "#ffc83d")
BRAND = Tone("#f6c945", "#f6c945")  # the app icon's yellow


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved ``t`` of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
        1.0,
    )


def css(colour: QColor) -> str:
    """``colour`` for a style sheet, with its alpha."""
    return f"rgba({colour.red()}, {colour.green()}, {colour.blue()}, {colour.alpha()})"


def is_dark(palette: QPalette) -> bool:
    return palette.color(Role.Window).lightness() < 128


def hairline(palette: QPalette) -> QColor:
    """A quiet edge around a sheet on the window: a card's border."""
    return mix(palette.color(Role.Window), palette.color(Role.Text), 0.12)


def muted_colour(
    palette: QPalette,
    text: QPalette.ColorRole = Role.WindowText,
    background: QPalette.ColorRole = Role.Window,
) -> QColor:
    """Secondary text that still reads (at least 4.5:1 on the standard palettes)."""
    return mix(palette.color(text), palette.color(background), MUTED_MIX)


def on_colour(fill: QColor) -> QColor:
    """White or near-black, whichever reads better on ``fill``: a glyph on a status icon."""
    white, ink = QColor("#ffffff"), QColor(INK)
    return white if contrast(white, fill) >= contrast(ink, fill) else ink


def accent_text(palette: QPalette, background: QPalette.ColorRole = Role.Base) -> QColor:
    """The accent as text on ``background``: the palette's Highlight, moved towards the
    text colour until it reads at 4.5:1 (a fill's blue is often too dark on a dark base)."""
    accent, text = palette.color(Role.Highlight), palette.color(Role.Text)
    ground = palette.color(background)
    steps = 20
    for step in range(steps + 1):
        colour = mix(accent, text, step / steps)
        if contrast(colour, ground) >= 4.5:
            return colour
    return text


def luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def build_palette(dark: bool) -> QPalette:
    """The whole palette of one scheme, from the surface tones above."""
    window, base, text = WINDOW.pick(dark), BASE.pick(dark), TEXT.pick(dark)
    accent, on_accent = ACCENT.pick(dark), ON_ACCENT.pick(dark)
    black = QColor("#000000")
    palette = QPalette()
    roles = {
        Role.Window: window,
        Role.WindowText: text,
        Role.Base: base,
        Role.AlternateBase: mix(base, text, 0.035),
        Role.Text: text,
        Role.Button: mix(base, text, 0.06) if dark else mix(window, base, 0.5),
        Role.ButtonText: text,
        Role.BrightText: on_accent,
        # Fusion's bevels and the style sheets' borders (palette(mid)).
        Role.Light: mix(base, text, 0.14) if dark else base,
        Role.Midlight: mix(window, text, 0.13),
        Role.Mid: mix(window, text, 0.24),
        Role.Dark: mix(window, black, 0.45 if dark else 0.35),
        Role.Shadow: black if dark else mix(window, black, 0.5),
        Role.Highlight: accent,
        Role.HighlightedText: on_accent,
        Role.Accent: accent,
        Role.Link: LINK.pick(dark),
        Role.LinkVisited: LINK.pick(dark),
        Role.ToolTipBase: mix(base, text, 0.1) if dark else base,
        Role.ToolTipText: text,
        Role.PlaceholderText: mix(text, base, 0.4),
    }
    for role, colour in roles.items():
        palette.setColor(role, colour)
    # Controls that cannot be used: faint on purpose (WCAG exempts them).
    faint = mix(text, window, 0.55)
    for role in (Role.WindowText, Role.Text, Role.ButtonText, Role.PlaceholderText):
        palette.setColor(Group.Disabled, role, faint)
    palette.setColor(Group.Disabled, Role.Base, window)
    palette.setColor(Group.Disabled, Role.Button, window)
    palette.setColor(Group.Disabled, Role.Highlight, mix(window, text, 0.3))
    return palette


# ---------------------------------------------------------------- following the scheme


class ColorSchemes(QObject):
    """Keeps the application's palette in the scheme the system (or the user) asks for,
    and whatever was made from the old palette in step with the new one.

    Widgets with a style sheet keep the palette they had when it was applied: a new
    application palette does not reach them. So every style sheet is applied again, and
    those made from colours (see ``themed_style_sheet``) are made again.
    """

    changed = Signal(bool)  # dark: the palette and every style sheet follow it now

    def __init__(self, app: QApplication, forced: str | None = None) -> None:
        forced = _checked(forced)  # before it joins the app: a refused one must not stay
        super().__init__(app)
        self.setObjectName(_OBJECT_NAME)
        self._app = app
        self._forced = forced
        self._system = app.styleHints().colorScheme()
        # Read before any palette of ours replaces it: a dark desktop palette that the
        # platform reports no scheme for (Unknown) still means dark.
        self._system_dark = is_dark(app.palette())
        self._own = app.style().name().lower() == "fusion"
        self.dark = False
        app.styleHints().colorSchemeChanged.connect(self._system_changed)
        self.apply()

    @property
    def forced(self) -> str | None:
        return self._forced

    def set_scheme(self, scheme: str | None) -> None:
        """Pin the scheme to "light" or "dark" whatever the system says; None: follow
        the system again."""
        self._forced = _checked(scheme)
        self.apply()

    def wants_dark(self) -> bool:
        if self._forced is not None:
            return self._forced == "dark"
        if self._system == Qt.ColorScheme.Dark:
            return True
        if self._system == Qt.ColorScheme.Light:
            return False
        return self._system_dark

    def apply(self) -> None:
        dark = self.wants_dark()
        app = self._app
        if not self._own:
            # A native style: the platform's palette, if it is in the scheme wanted.
            app.setPalette(QPalette())
            if is_dark(app.palette()) != dark:
                # Some native styles stay light in a dark scheme; Fusion does not.
                self._own = True
                fusion = QStyleFactory.create("Fusion")
                if fusion is not None:
                    app.setStyle(fusion)
        # QPalette(): nothing set, so the platform's palette shows through, and its changes.
        _repaint_in(app, build_palette(dark) if self._own else QPalette())
        self.dark = dark
        self.changed.emit(dark)

    def stop(self) -> None:
        """Leave the palette to the platform again (tests: the next one gets the app as
        it was)."""
        self._app.styleHints().colorSchemeChanged.disconnect(self._system_changed)
        self.setParent(None)
        _repaint_in(self._app, QPalette())
        self.deleteLater()

    def _system_changed(self, scheme: Qt.ColorScheme) -> None:
        self._system = scheme
        if scheme != Qt.ColorScheme.Unknown:
            self._system_dark = scheme == Qt.ColorScheme.Dark
        # After Qt has put in the platform's new palette, which it does around this signal.
        QTimer.singleShot(0, self.apply)


_OBJECT_NAME = "nanobananaColorSchemes"


def _repaint_in(app: QApplication, palette: QPalette) -> None:
    app.setPalette(palette)
    # Qt posts the new palette to each widget: deliver it now, so that style sheets are
    # applied again on top of it and the scheme is whole when this returns.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.ApplicationPaletteChange)
    restyle(app)


def _checked(scheme: str | None) -> str | None:
    if scheme is None or scheme == "":
        return None
    if scheme not in SCHEMES:
        raise ValueError(f"colour scheme {scheme!r}: use one of {', '.join(SCHEMES)}")
    return scheme


def follow_color_scheme(app: QApplication, forced: str | None = None) -> ColorSchemes:
    """Start (once) following the system's colour scheme; ``forced``, else the
    NANOBANANA_COLOR_SCHEME variable, can pin it to "light" or "dark"."""
    schemes = color_schemes(app)
    if schemes is None:
        return ColorSchemes(app, forced or _from_environment())
    if forced is not None:
        schemes.set_scheme(forced)
    return schemes


def _from_environment() -> str | None:
    value = os.environ.get(SCHEME_ENV, "").strip().lower() or None
    if value is not None and value not in SCHEMES:
        log.warning("%s=%s: use light or dark; following the system", SCHEME_ENV, value)
        return None
    return value


def color_schemes(app: QCoreApplication | None = None) -> ColorSchemes | None:
    """The application's ColorSchemes, if ``follow_color_scheme`` has started one."""
    app = app or QCoreApplication.instance()
    if app is None:
        return None
    found = app.findChild(ColorSchemes, _OBJECT_NAME)
    return found if isinstance(found, ColorSchemes) else None


_MAKER = "_nanobanana_style_maker"
_TONE = "_nanobanana_tone"  # on the widgets muted() or tinted() keep: their tone or None


def themed_style_sheet(widget: W, make: Callable[[QPalette], str]) -> W:
    """Give ``widget`` the style sheet ``make`` writes for the palette, now and again at
    every change of scheme: for sheets that need colours a palette has no role for."""
    setattr(widget, _MAKER, make)
    widget.setStyleSheet(make(QApplication.palette(widget)))
    return widget


def restyle(app: QApplication) -> None:
    """Apply every widget's style sheet again, for the application's palette of now."""
    if app.styleSheet():
        app.setStyleSheet(app.styleSheet())
    for widget in app.allWidgets():
        make = getattr(widget, _MAKER, None)
        if make is not None:
            widget.setStyleSheet(make(QApplication.palette(widget)))
        elif widget.styleSheet():
            widget.setStyleSheet(widget.styleSheet())


# ---------------------------------------------------------------- text colours


_keeper: _ColourKeeper | None = None


class _ColourKeeper(QObject):
    """Recomputes a quiet or tinted label's colour when the palette around it changes (a
    theme switch, or a new parent): a colour fixed once would go stale."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QWidget) and event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.ParentChange,
        ):
            _apply_colour(watched)
        return False


def _source_palette(widget: QWidget) -> QPalette:
    parent = widget.parentWidget()
    return parent.palette() if parent is not None else QApplication.palette(widget)


def _apply_colour(widget: QWidget) -> None:
    source = _source_palette(widget)
    tone: Tone | None = getattr(widget, _TONE, None)
    colour = muted_colour(source) if tone is None else tone.on(source)
    palette = widget.palette()
    # Only when it differs: setPalette sends PaletteChange, which lands here again.
    if palette.color(Role.WindowText) != colour:
        palette.setColor(Role.WindowText, colour)
        palette.setColor(Role.Text, colour)
        widget.setPalette(palette)


def _keep_colour(widget: W, tone: Tone | None) -> W:
    global _keeper
    # A new one if the application it belonged to has gone (and took it along).
    if _keeper is None or not Shiboken.isValid(_keeper):
        _keeper = _ColourKeeper(QCoreApplication.instance())
    setattr(widget, _TONE, tone)
    _apply_colour(widget)
    widget.installEventFilter(_keeper)  # once: Qt ignores a second install of the same
    return widget


def muted(widget: W) -> W:
    """Show ``widget``'s text (a QLabel's, usually) in the quiet secondary colour."""
    return _keep_colour(widget, None)


def tinted(widget: W, tone: Tone) -> W:
    """Show ``widget``'s text in ``tone`` (an error in ERROR_TEXT, say), in either scheme."""
    return _keep_colour(widget, tone)


# ---------------------------------------------------------------- buttons

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


def primary_fills(palette: QPalette) -> tuple[QColor, QColor]:
    """A primary button's fill under the pointer and pressed. They move away from the
    text colour, so that the label only gains contrast: a style sheet cannot shade a
    palette colour, so they are computed."""
    accent = palette.color(Role.Highlight)
    if palette.color(Role.HighlightedText).lightness() > accent.lightness():
        return accent.darker(110), accent.darker(122)
    return accent.lighter(110), accent.lighter(122)


def primary(button: QAbstractButton) -> QAbstractButton:
    """The screen's main action: filled with the accent colour, light text."""
    name = button.objectName() or "primaryButton"
    button.setObjectName(name)

    def sheet(palette: QPalette) -> str:
        hover, pressed = primary_fills(palette)
        off = mix(palette.color(Role.Window), palette.color(Role.WindowText), 0.1).name()
        # The border is always there, in the fill's colour, so that focus can colour it
        # without moving the text.
        return (
            f"#{name} {{ background: palette(highlight); color: palette(highlighted-text);"
            " border: 2px solid palette(highlight); border-radius: 6px; padding: 5px 18px;"
            " font-weight: 600; }"
            f" #{name}:hover {{ background: {hover.name()}; border-color: {hover.name()}; }}"
            f" #{name}:focus {{ border-color: {pressed.name()}; }}"
            f" #{name}:pressed {{ background: {pressed.name()}; border-color: {pressed.name()}; }}"
            f" #{name}:disabled {{ background: {off}; border-color: {off};"
            f" color: {muted_colour(palette).name()}; }}"
        )

    return themed_style_sheet(button, sheet)


def secondary(button: QAbstractButton) -> QAbstractButton:
    """A clear second choice: outlined in the accent colour, accent text."""
    name = button.objectName() or "secondaryButton"
    button.setObjectName(name)

    def sheet(palette: QPalette) -> str:
        accent = accent_text(palette)
        base = palette.color(Role.Base)
        return (
            f"#{name} {{ background: {base.name()}; color: {accent.name()};"
            f" border: 1px solid {accent.name()}; border-radius: 6px; padding: 6px 18px;"
            " font-weight: 600; }"
            f" #{name}:hover {{ background: {mix(base, accent, 0.08).name()}; }}"
            f" #{name}:pressed {{ background: {mix(base, accent, 0.16).name()}; }}"
            f" #{name}:disabled {{ color: {muted_colour(palette).name()};"
            f" border-color: {mix(base, palette.color(Role.Text), 0.2).name()}; }}"
        )

    return themed_style_sheet(button, sheet)
