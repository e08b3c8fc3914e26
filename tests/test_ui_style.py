"""The look in both schemes: every colour reads (WCAG 2 contrast), quiet text is quiet
but not faint, and the window follows a change of scheme while it is open."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from conftest import drive
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from ui_harness import close_window, generate_from_composer, open_window

from nanobanana_desktop.ui.style import (
    ACCENT,
    API_BADGE,
    BASE,
    CONNECTING,
    ERROR_TEXT,
    ON_API_BADGE,
    ON_SANDBOX_BADGE,
    ON_SCRIM,
    SANDBOX_BADGE,
    SCHEME_ENV,
    SCRIM,
    SCRIM_HOVER,
    STAR,
    STATUS,
    WARNING_TEXT,
    WINDOW,
    ColorSchemes,
    Tone,
    accent_text,
    build_palette,
    color_schemes,
    contrast,
    follow_color_scheme,
    is_dark,
    mix,
    muted,
    muted_colour,
    on_colour,
    primary,
    primary_fills,
)
from nanobanana_desktop.ui.task_delegate import _HOVERED, _SELECTED, _background

Role = QPalette.ColorRole
TEXT, GRAPHIC = 4.5, 3.0  # WCAG 2.1 AA: text (1.4.3), and icons and focus rings (1.4.11)
SCHEME = pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])


def over(top: QColor, ground: QColor) -> QColor:
    """``top``, with its alpha, as it shows on an opaque ``ground``."""
    return mix(ground, QColor(top.red(), top.green(), top.blue()), top.alphaF())


def card_grounds(palette: QPalette) -> dict[str, QColor]:
    """A task card's backgrounds: as it is, under the pointer, and selected."""
    return {
        "card": _background(palette, 0),
        "hovered card": _background(palette, _HOVERED),
        "selected card": _background(palette, _SELECTED),
    }


def text_pairs(palette: QPalette) -> dict[str, tuple[QColor, QColor]]:
    """Every (text, background) pair the UI draws, for ``palette``'s scheme."""
    c = palette.color
    dark = is_dark(palette)
    pairs = {
        "window text": (c(Role.WindowText), c(Role.Window)),
        "field text": (c(Role.Text), c(Role.Base)),
        "alternate rows": (c(Role.Text), c(Role.AlternateBase)),
        "button text": (c(Role.ButtonText), c(Role.Button)),
        "primary button": (c(Role.HighlightedText), c(Role.Highlight)),
        "tooltip": (c(Role.ToolTipText), c(Role.ToolTipBase)),
        "link": (c(Role.Link), c(Role.Base)),
        "link on window": (c(Role.Link), c(Role.Window)),
        "placeholder": (c(Role.PlaceholderText), c(Role.Base)),
        "quiet text": (muted_colour(palette), c(Role.Window)),
        "quiet text on a field": (muted_colour(palette), c(Role.Base)),
        "secondary button": (accent_text(palette), c(Role.Base)),
        "error": (ERROR_TEXT.pick(dark), c(Role.Window)),
        "warning": (WARNING_TEXT.pick(dark), c(Role.Window)),
        "sandbox badge": (ON_SANDBOX_BADGE.pick(dark), SANDBOX_BADGE.pick(dark)),
        "API badge": (ON_API_BADGE.pick(dark), API_BADGE.pick(dark)),
        "slot number on a white image": (
            ON_SCRIM.pick(dark),
            over(SCRIM.pick(dark), QColor("white")),
        ),
    }
    for name, fill in zip(("hovered", "pressed"), primary_fills(palette), strict=True):
        pairs[f"{name} primary button"] = (c(Role.HighlightedText), fill)
    quiet_card = muted_colour(palette, Role.Text, Role.Base)
    for ground, colour in card_grounds(palette).items():
        pairs[f"prompt on a {ground}"] = (c(Role.Text), colour)
        pairs[f"task numbers on a {ground}"] = (quiet_card, colour)
        for kind, tone in STATUS.items():
            pairs[f"{kind} status on a {ground}"] = (tone.pick(dark), colour)
    return pairs


def graphic_pairs(palette: QPalette) -> dict[str, tuple[QColor, QColor]]:
    """Every (mark, background) pair that carries meaning without being text."""
    c = palette.color
    dark = is_dark(palette)
    pairs = {
        "focus ring on the window": (c(Role.Highlight), c(Role.Window)),
        "focus ring on a field": (c(Role.Highlight), c(Role.Base)),
        "connecting dot": (CONNECTING.pick(dark), c(Role.Window)),
        "star on a white image": (STAR.pick(dark), over(SCRIM.pick(dark), QColor("white"))),
        "star on a black image": (STAR.pick(dark), over(SCRIM.pick(dark), QColor("black"))),
    }
    for kind, tone in STATUS.items():
        fill = tone.pick(dark)
        pairs[f"{kind} dot on the window"] = (fill, c(Role.Window))
        pairs[f"glyph on the {kind} icon"] = (on_colour(fill), fill)
    return pairs


def below(pairs: dict[str, tuple[QColor, QColor]], least: float) -> dict[str, float]:
    """The pairs whose contrast is under ``least``, with their contrast."""
    ratios = {name: contrast(fg, bg) for name, (fg, bg) in pairs.items()}
    return {name: round(ratio, 2) for name, ratio in ratios.items() if ratio < least}


@SCHEME
def test_every_text_colour_reads_at_4_5_to_1(dark):
    palette = build_palette(dark)
    assert is_dark(palette) is dark
    assert below(text_pairs(palette), TEXT) == {}


@SCHEME
def test_icons_dots_and_focus_rings_stand_out_at_3_to_1(dark):
    assert below(graphic_pairs(build_palette(dark)), GRAPHIC) == {}


@SCHEME
def test_quiet_text_is_quieter_than_text(dark):
    palette = build_palette(dark)
    window, text = palette.color(Role.Window), palette.color(Role.WindowText)
    assert contrast(muted_colour(palette), window) < contrast(text, window)


def test_the_dark_scheme_is_designed_not_inverted():
    light, dark = build_palette(False), build_palette(True)
    # Lit surfaces: cards and fields sit above the window in the dark, not below it.
    assert dark.color(Role.Base).lightness() > dark.color(Role.Window).lightness()
    # Off-white text and a graphite window: no pure extremes to glare.
    assert dark.color(Role.Text) != QColor("white") and dark.color(Role.Window) != QColor("black")
    # The same accent hue in both, so the app is recognisably itself.
    hue = abs(light.color(Role.Highlight).hslHue() - dark.color(Role.Highlight).hslHue())
    assert hue <= 5
    # The status colours keep their hue and lift their lightness, as a pair should.
    for tone in STATUS.values():
        assert tone.pick(True).lightness() > tone.pick(False).lightness()


def test_tones_over_images_are_the_same_in_both_schemes():
    for tone in (SCRIM, SCRIM_HOVER, ON_SCRIM, STAR):
        assert tone.pick(False) == tone.pick(True)


def test_muted_text_reads_on_the_current_palette(qapp):
    palette = QGuiApplication.palette()
    colour = muted_colour(palette)
    assert contrast(colour, palette.color(Role.Window)) >= TEXT
    assert contrast(colour, palette.color(Role.Base)) >= TEXT


def test_a_muted_label_follows_a_palette_change(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    label = muted(QLabel("quiet", parent))
    assert label.isEnabled()  # quiet, not disabled
    assert label.palette().color(Role.WindowText) == muted_colour(parent.palette())
    dark = QPalette(parent.palette())
    dark.setColor(Role.Window, QColor("#202020"))
    dark.setColor(Role.WindowText, QColor("#f0f0f0"))
    parent.setPalette(dark)
    assert label.palette().color(Role.WindowText) == muted_colour(dark)


# ---------------------------------------------------------------- following the scheme


@pytest.fixture
def schemes(qapp, monkeypatch):
    """The app following the colour scheme, and back to the platform's palette after."""
    monkeypatch.delenv(SCHEME_ENV, raising=False)
    made: list[ColorSchemes] = []

    def start(forced: str | None = None) -> ColorSchemes:
        made.append(follow_color_scheme(qapp, forced))
        return made[-1]

    yield start
    for each in made:
        if color_schemes(qapp) is each:
            each.stop()
    assert color_schemes(qapp) is None


def pixel(image: QImage, widget: QWidget, window: QWidget, at: QPoint | None = None) -> QColor:
    """The colour of ``widget``'s pixel ``at`` (its middle-left, inside), in ``image`` of
    ``window``."""
    point = at if at is not None else QPoint(4, widget.height() // 2)
    where = widget.mapTo(window, point)
    ratio = image.devicePixelRatio()
    return image.pixelColor(round(where.x() * ratio), round(where.y() * ratio))


def test_the_platform_offers_no_scheme_here_so_the_palette_is_built(schemes, qapp):
    # Offscreen (and xcb without a desktop) report no scheme: Fusion's palette stays light
    # whatever the desktop wants, so the palette is ours.
    assert qapp.styleHints().colorScheme() == Qt.ColorScheme.Unknown
    follower = schemes("dark")
    assert follower.dark
    assert qapp.palette().color(Role.Window) == WINDOW.pick(True)
    assert qapp.palette().color(Role.Highlight) == ACCENT.pick(True)


def test_the_variable_picks_the_scheme(schemes, qapp, monkeypatch):
    monkeypatch.setenv(SCHEME_ENV, "dark")
    assert schemes().dark
    assert is_dark(qapp.palette())


def test_a_bad_variable_is_named_and_the_system_followed(schemes, qapp, monkeypatch, caplog):
    monkeypatch.setenv(SCHEME_ENV, "sepia")
    follower = schemes()
    assert follower.forced is None and not follower.dark
    assert f"{SCHEME_ENV}=sepia: use light or dark" in caplog.text


def test_a_dark_desktop_palette_without_a_scheme_means_dark(schemes, qapp):
    qapp.setPalette(QPalette(QColor("#303030")))  # what a dark desktop theme would give
    follower = schemes()
    assert follower.forced is None and follower.dark
    assert qapp.palette().color(Role.Window) == WINDOW.pick(True)


def test_an_unknown_scheme_is_refused_with_the_choices(schemes):
    with pytest.raises(ValueError, match="light, dark"):
        schemes("sepia")


def test_a_primary_button_and_a_muted_label_follow_a_switch(schemes, qtbot):
    follower = schemes("light")
    parent = QWidget()
    qtbot.addWidget(parent)
    button = primary(QPushButton("Generate", parent))
    label = muted(QLabel("quiet", parent))
    parent.resize(300, 100)
    label.move(0, 60)
    parent.show()
    qtbot.waitExposed(parent)
    before = parent.grab().toImage()
    assert pixel(before, button, parent, QPoint(3, 3)) == ACCENT.pick(False)
    follower.set_scheme("dark")
    after = parent.grab().toImage()
    assert pixel(after, button, parent, QPoint(3, 3)) == ACCENT.pick(True)
    assert label.palette().color(Role.WindowText) == muted_colour(build_palette(True))


def test_the_window_repaints_in_the_dark_when_the_system_switches(schemes, qloop, qtbot):
    """The scheme changes while the window is open, as a desktop's switch does: the
    composer, a task card, a reference slot, the badge and the status dot all follow."""

    async def scenario():
        session, window = await open_window(qtbot)
        try:
            await generate_from_composer(window, "a lighthouse at dusk")
            return look(window, "light"), switch_and_look(window)
        finally:
            await close_window(session, window)

    def switch_and_look(window):
        # What the platform sends when the desktop goes dark (Qt 6.5+).
        QApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        qtbot.waitUntil(lambda: follower.dark, timeout=10000)
        return look(window, "dark")

    def look(window, scheme):
        window.task_panel.view.clearSelection()
        window.task_panel.view.viewport().update()
        image = window.grab().toImage()
        view = window.task_panel.view
        card = view.visualRect(view.model().index(0, 0))
        slot = window.composer.references.slots[0]
        return {
            "composer": pixel(image, window.composer.prompt.viewport(), window),
            "card": pixel(image, view.viewport(), window, QPoint(card.left() + 8, card.top() + 4)),
            "slot": pixel(image, slot, window, QPoint(slot.width() // 2, slot.height() - 6)),
            "badge": pixel(image, window.mode_badge, window, QPoint(10, 3)),
            "generate": pixel(image, window.composer.generate_button, window, QPoint(3, 3)),
            "dot": window.status_strip.dot.palette().color(Role.WindowText),
            "scheme": scheme,
        }

    follower = schemes()
    assert not follower.dark
    light, dark = drive(qloop, scenario(), timeout=60)
    for seen, is_dark_now in ((light, False), (dark, True)):
        palette = build_palette(is_dark_now)
        assert seen["composer"] == BASE.pick(is_dark_now), seen
        assert seen["card"] == _background(palette, 0), seen
        assert seen["slot"] == WINDOW.pick(is_dark_now), seen
        assert seen["badge"] == SANDBOX_BADGE.pick(is_dark_now), seen
        assert seen["generate"] == ACCENT.pick(is_dark_now), seen
        assert seen["dot"] in [STATUS["done"].pick(is_dark_now), CONNECTING.pick(is_dark_now)], seen
    assert dark["card"].lightness() < 80 < 200 < light["card"].lightness()


def test_tone_alpha_is_kept():
    assert Tone("#000000", "#000000", alpha=0.5).pick(True).alphaF() == pytest.approx(0.5, abs=0.01)


def test_a_native_style_keeps_the_system_palette_unless_it_stays_light(schemes, qapp):
    qapp.setStyle("Windows")  # not Fusion: a style that brings its platform's palette
    try:
        platform = QPalette(qapp.palette())
        follower = schemes("light")
        assert qapp.palette().color(Role.Highlight) == platform.color(Role.Highlight)
        assert qapp.style().name().lower() == "windows"
        # The platform (offscreen here) has no dark palette to give: Fusion and ours.
        follower.set_scheme("dark")
        assert qapp.style().name().lower() == "fusion"
        assert qapp.palette().color(Role.Window) == WINDOW.pick(True)
    finally:
        qapp.setStyle("Fusion")


# A desktop switching to dark, for real: Qt's gtk3 platform theme reports the scheme, and
# QStyleHints.setColorScheme (Qt 6.8+) switches it as the desktop's setting would.
_DESKTOP_SWITCH = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication, QPushButton
    from nanobanana_desktop.ui.style import follow_color_scheme, primary

    app = QApplication(sys.argv[:1])
    seen = {"start": app.styleHints().colorScheme().name}
    schemes = follow_color_scheme(app)
    button = primary(QPushButton("Generate"))
    button.resize(200, 40)
    button.show()

    def look():
        image = button.grab().toImage()
        return {
            "dark": schemes.dark,
            "window": app.palette().color(QPalette.ColorRole.Window).name(),
            "button": image.pixelColor(3, 3).name(),
        }

    def switched(dark):
        seen["after"] = look()
        app.quit()

    seen["before"] = look()
    schemes.changed.connect(switched)
    app.styleHints().setColorScheme(Qt.ColorScheme.Dark)
    QTimer.singleShot(20000, app.quit)
    app.exec()
    print(json.dumps(seen))
    """
)


def test_a_desktop_switch_to_dark_reaches_the_palette_and_the_style_sheets(tmp_path):
    # CI installs both; elsewhere a machine without them cannot run this, and says why.
    if shutil.which("xvfb-run") is None and not os.environ.get("CI"):
        pytest.skip("needs xvfb-run (Debian: xvfb) for an X11 display")
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", QT_QPA_PLATFORMTHEME="gtk3")
    env.pop(SCHEME_ENV, None)
    done = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-c", _DESKTOP_SWITCH],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    if seen["start"] == "Unknown" and not os.environ.get("CI"):
        pytest.skip("Qt's gtk3 platform theme did not load (Debian: libgtk-3-0)")
    assert seen["before"] == {
        "dark": False,
        "window": WINDOW.light,
        "button": ACCENT.light,
    }
    assert seen["after"] == {"dark": True, "window": WINDOW.dark, "button": ACCENT.dark}
