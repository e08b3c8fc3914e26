"""Quiet text is quiet, not faint: the muted colour reads at 4.5:1 or better."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from nanobanana_desktop.ui.style import muted, muted_colour


def luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_muted_text_reads_on_window_and_on_base(qapp):
    palette = QGuiApplication.palette()
    colour = muted_colour(palette)
    assert contrast(colour, palette.color(QPalette.ColorRole.Window)) >= 4.5
    assert contrast(colour, palette.color(QPalette.ColorRole.Base)) >= 4.5
    # Quieter than the text itself, though: it is still secondary.
    assert contrast(colour, palette.color(QPalette.ColorRole.Window)) < contrast(
        palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window)
    )


def test_a_muted_label_follows_a_palette_change(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    label = muted(QLabel("quiet", parent))
    assert label.isEnabled()  # quiet, not disabled
    assert label.palette().color(QPalette.ColorRole.WindowText) == muted_colour(parent.palette())
    dark = QPalette(parent.palette())
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    parent.setPalette(dark)
    assert label.palette().color(QPalette.ColorRole.WindowText) == muted_colour(dark)
