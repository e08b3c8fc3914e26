"""Where and how big the main window opens: as it was left, if that still fits a screen;
else a default size that fits the screen it opens on.

All in logical pixels, as QScreen.availableGeometry gives them: at 200 % a 1920×1080
screen is 960×540, so the 1280×760 default is shrunk to fit it. The geometry is kept in
the profile's settings.ini when the window closes.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

DEFAULT_SIZE = QSize(1280, 760)
# Room left around a shrunk window for its frame and title bar, which the geometry of
# the window's contents does not include.
FRAME_ROOM = QSize(16, 40)
GEOMETRY_KEY = "window/geometry"  # "x,y,width,height" of the window's contents
MAXIMIZED_KEY = "window/maximized"


def fitted(available: QRect, least: QSize, wanted: QSize = DEFAULT_SIZE) -> QRect:
    """``wanted``, shrunk to fit ``available`` with room for the frame but never below
    ``least`` (the layout's minimum) unless the screen itself is smaller; centred."""
    room = available.size() - FRAME_ROOM
    width = max(min(wanted.width(), room.width()), min(least.width(), available.width()))
    height = max(min(wanted.height(), room.height()), min(least.height(), available.height()))
    rect = QRect(QPoint(0, 0), QSize(width, height))
    rect.moveCenter(available.center())
    return rect


def fits(rect: QRect, screens: list[QRect]) -> bool:
    """Whether ``rect`` lies wholly on one screen's available area."""
    return rect.isValid() and any(area.contains(rect) for area in screens)


def saved_geometry(settings: QSettings) -> tuple[QRect | None, bool]:
    """The geometry kept when the window last closed, and whether it was maximized."""
    value = settings.value(GEOMETRY_KEY)
    rect = None
    if isinstance(value, str):
        try:
            x, y, width, height = (int(part) for part in value.split(","))
        except ValueError:
            pass  # edited by hand, or by another version: the default then
        else:
            rect = QRect(x, y, width, height)
    maximized = str(settings.value(MAXIMIZED_KEY, "false")).lower() == "true"
    return rect, maximized


def save_geometry(settings: QSettings, window: QWidget) -> None:
    """The window's normal (not maximized) geometry, as text, and whether it is maximized."""
    rect = window.normalGeometry() if window.isMaximized() else window.geometry()
    settings.setValue(GEOMETRY_KEY, f"{rect.x()},{rect.y()},{rect.width()},{rect.height()}")
    settings.setValue(MAXIMIZED_KEY, "true" if window.isMaximized() else "false")


def _restorable(saved: QRect, least: QSize) -> bool:
    big_enough = saved.width() >= least.width() and saved.height() >= least.height()
    return big_enough and fits(saved, available_areas())


def available_areas() -> list[QRect]:
    return [screen.availableGeometry() for screen in QGuiApplication.screens()]


def place(window: QWidget, saved: QRect | None, least: QSize) -> bool:
    """Give ``window`` the saved geometry if it fits a screen now (and is not below the
    layout's minimum), else the default fitted to its screen. True if it was restored."""
    if saved is not None and _restorable(saved, least):
        window.setGeometry(saved)
        return True
    screen: QScreen | None = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:  # no screen at all: Qt's own default
        window.resize(DEFAULT_SIZE)
        return False
    window.setGeometry(fitted(screen.availableGeometry(), least))
    return False
