"""The main window opens to fit the screen it is on, keeps its size for the next start when
that still fits, and stays whole (nothing cut off) at 200 % on a 1080p screen.

The in-process tests run on the offscreen platform's one screen, 800×800: smaller than the
1280×760 default, which is what they rely on. The 200 % test starts its own process on an
offscreen screen configured as 1920×1080 (Qt's offscreen ``configfile``) with
QT_SCALE_FACTOR=2, so Qt itself reports the 960×540 logical pixels a designer has there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import drive
from PySide6.QtCore import QRect, QSettings, QSize, Qt
from ui_harness import close_window, open_window

from nanobanana_desktop.session import Session, SessionOptions
from nanobanana_desktop.ui.adaptive_splitter import AdaptiveSplitter
from nanobanana_desktop.ui.main_window import MainWindow
from nanobanana_desktop.ui.translations import SETTINGS_FILE
from nanobanana_desktop.ui.window_geometry import (
    DEFAULT_SIZE,
    FRAME_ROOM,
    GEOMETRY_KEY,
    fits,
    fitted,
)

HD_AT_200 = QRect(0, 0, 960, 540)  # 1920×1080 at 200 %, in logical pixels


def test_the_default_size_is_kept_where_it_fits():
    wide = QRect(0, 0, 2560, 1400)
    placed = fitted(wide, QSize(700, 400))
    assert placed.size() == DEFAULT_SIZE
    assert placed.center() == wide.center()


def test_on_a_small_screen_the_window_shrinks_to_it_with_room_for_the_frame():
    placed = fitted(HD_AT_200, QSize(700, 400))
    assert placed.size() == HD_AT_200.size() - FRAME_ROOM
    assert HD_AT_200.contains(placed)


def test_the_layout_minimum_wins_over_the_frame_room_but_never_over_the_screen():
    assert fitted(HD_AT_200, QSize(950, 530)).size() == QSize(950, 530)
    tiny = QRect(0, 0, 640, 360)
    assert fitted(tiny, QSize(950, 530)).size() == QSize(640, 360)


def test_a_geometry_fits_only_wholly_on_one_screen():
    left, right = QRect(0, 0, 1920, 1080), QRect(1920, 0, 1920, 1080)
    assert fits(QRect(100, 100, 1280, 760), [left, right])
    assert not fits(QRect(1500, 100, 1280, 760), [left, right])  # across the two
    assert not fits(QRect(100, 100, 1280, 760), [HD_AT_200])
    assert not fits(QRect(), [left])


def test_the_window_opens_inside_the_screen(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            return (
                window.screen().availableGeometry(),
                window.frameGeometry(),
                window.splitter.side_by_side,
            )
        finally:
            await close_window(session, window)

    available, frame, side_by_side = drive(qloop, scenario())
    assert available.width() < DEFAULT_SIZE.width()  # the offscreen screen is the small one
    assert available.contains(frame), (available, frame)
    # Too narrow for the composer and the list next to each other: one above the other.
    assert not side_by_side


def test_composer_and_list_sit_side_by_side_when_there_is_room(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            arrangements = []
            for width in (1400, 820, 1400):
                window.resize(width, 760)
                await window._background.settle()
                qtbot.waitUntil(lambda w=width: window.width() == w, timeout=5000)
                composer = window.composer_area.geometry()
                tasks = window.task_panel.geometry()
                arrangements.append((window.splitter.side_by_side, composer.right() < tasks.left()))
            return arrangements
        finally:
            await close_window(session, window)

    assert drive(qloop, scenario()) == [(True, True), (False, False), (True, True)]


def test_the_splitter_stacks_below_the_width_both_panes_need(qtbot):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    first, second = QWidget(), QWidget()
    first.setMinimumSize(300, 200)
    second.setMinimumSize(250, 100)
    splitter = AdaptiveSplitter(first, second)
    window = QWidget()  # in a layout, as in the main window
    QVBoxLayout(window).addWidget(splitter)
    qtbot.addWidget(window)
    assert splitter.side_by_side_width() == 550 + splitter.handleWidth()
    # The window may shrink to the stacked arrangement: as wide as the wider pane.
    assert splitter.minimumSizeHint() == QSize(300, 300 + splitter.handleWidth())
    window.resize(700, 400)
    window.show()
    qtbot.waitUntil(lambda: window.width() == 700)
    assert splitter.orientation() is Qt.Orientation.Horizontal
    window.resize(500, 400)
    qtbot.waitUntil(lambda: splitter.orientation() is Qt.Orientation.Vertical)
    assert first.geometry().bottom() < second.geometry().top()
    window.resize(700, 400)
    qtbot.waitUntil(lambda: splitter.orientation() is Qt.Orientation.Horizontal)


def _open_on(profile, qtbot):
    async def opened() -> tuple[Session, MainWindow]:
        session = await Session.open(SessionOptions(use_sandbox=True, profile=str(profile)))
        window = MainWindow(session)
        qtbot.addWidget(window)
        window.show()
        await window.painted.wait()
        return session, window

    return opened()


def test_the_window_opens_as_it_was_left_when_that_fits(qloop, qtbot, isolated_profile):
    profile = isolated_profile / "profile"

    async def scenario():
        session, window = await _open_on(profile, qtbot)
        first_restored = window.geometry_restored
        kept = QRect(40, 30, 700, 600)
        window.setGeometry(kept)
        qtbot.waitUntil(lambda: window.geometry() == kept, timeout=5000)
        window.hide()  # as the app closes: hidden first, stopped after
        await close_window(session, window)
        session, again = await _open_on(profile, qtbot)
        try:
            return first_restored, again.geometry_restored, again.geometry()
        finally:
            await close_window(session, again)

    first_restored, restored, geometry = drive(qloop, scenario(), 60)
    assert not first_restored  # nothing kept yet: the default, fitted
    assert restored and geometry == QRect(40, 30, 700, 600)


@pytest.mark.parametrize(
    "kept",
    [
        "40,30,3000,2000",  # larger than this screen (another monitor, or 100 % then)
        "5000,30,700,600",  # on a monitor that is gone
        "40,30,200,100",  # below the window's minimum
        "forty,30,700,600",  # edited by hand
    ],
)
def test_a_kept_geometry_that_no_longer_fits_is_not_restored(qloop, qtbot, isolated_profile, kept):
    profile = isolated_profile / "profile"
    profile.mkdir(parents=True)
    settings = QSettings(str(profile / SETTINGS_FILE), QSettings.Format.IniFormat)
    settings.setValue(GEOMETRY_KEY, kept)
    settings.sync()

    async def scenario():
        session, window = await _open_on(profile, qtbot)
        try:
            available = window.screen().availableGeometry()
            return window.geometry_restored, available.contains(window.frameGeometry())
        finally:
            await close_window(session, window)

    assert drive(qloop, scenario(), 60) == (False, True)


# The window over a sandbox on a 1920×1080 screen at 200 %, in a process of its own: what
# Qt reports, and every label and button whose text does not fit the room it was given.
_AT_200 = """
import asyncio, json, sys
import qasync
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from nanobanana_desktop.session import Session, SessionOptions
from nanobanana_desktop.ui.main_window import MainWindow
from nanobanana_desktop.ui.translations import install_language

def cut(window):
    found = []
    for widget in window.findChildren(QLabel) + window.findChildren(QAbstractButton):
        if not widget.isVisible() or widget.width() <= 0:
            continue
        if isinstance(widget, QLabel) and (widget.wordWrap() or not widget.text()):
            continue
        wanted = widget.sizeHint()
        if wanted.width() > widget.width() or wanted.height() > widget.height() + 2:
            found.append([type(widget).__name__, widget.objectName(), widget.text()])
    return found

async def main():
    session = await Session.open(SessionOptions(use_sandbox=True, profile=sys.argv[2]))
    await session.engine.start()
    window = MainWindow(session)
    window.show()
    window.start()
    await window.tasks_loaded.wait()
    await window.credit_loaded.wait()
    await asyncio.sleep(0.3)
    screen = window.screen()
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    print(json.dumps({
        "ratio": screen.devicePixelRatio(),
        "available": [available.width(), available.height()],
        "inside": available.contains(frame),
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
        "side_by_side": window.splitter.side_by_side,
        "cut": cut(window),
        "credit": window.credit_label.text(),
    }))
    await window.stop()
    await session.close()

app = QApplication(sys.argv[:1])
assert install_language(app, sys.argv[1]) is None
qasync.run(main())
"""


@pytest.mark.parametrize("language", ["en", "nl"])
def test_at_200_percent_on_a_1080p_screen_the_window_fits_and_nothing_is_cut(tmp_path, language):
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps({"screens": [{"name": "hd", "x": 0, "y": 0, "width": 1920, "height": 1080}]})
    )
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", QT_SCALE_FACTOR="2")
    done = subprocess.run(
        [sys.executable, "-c", _AT_200, language, str(tmp_path / "profile")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert (shown["ratio"], shown["available"]) == (2.0, [960, 540])
    assert shown["inside"], shown["frame"]
    assert not shown["side_by_side"]
    assert shown["cut"] == []
    assert shown["credit"] == {"en": "Credit: 100", "nl": "Tegoed: 100"}[language]
