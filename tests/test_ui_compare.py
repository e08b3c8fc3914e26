"""The compare view: two gallery images side by side or split, at one synced zoom.

A real window over the in-process sandbox, its library holding images drawn here in
quadrants of known colours, so that what each pane shows can be read back from its pixels.
"""

from __future__ import annotations

import io
from typing import Any

from conftest import drive
from PIL import Image, ImageDraw
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication
from test_ui_gallery import fill_library, open_gallery
from ui_harness import close_window, open_window

from nanobanana_desktop.ui.compare_view import CompareMode, ComparePane, CompareView

# Top-left, top-right, bottom-left, bottom-right; image B in darker shades of A's.
QUADRANTS = {
    0: ((230, 40, 40), (40, 200, 60), (40, 80, 230), (240, 220, 40)),
    1: ((120, 10, 10), (10, 90, 20), (10, 30, 120), (120, 110, 10)),
}
SIZES = {0: (1600, 1200), 1: (800, 600)}  # the same shape at two resolutions


def quadrants(n: int, size: tuple[int, int]) -> bytes:
    colours = QUADRANTS[n % 2]
    image = Image.new("RGB", size)
    pen = ImageDraw.Draw(image)
    w, h = size
    for (x, y), colour in zip(((0, 0), (1, 0), (0, 1), (1, 1)), colours, strict=True):
        pen.rectangle((x * w // 2, y * h // 2, (x + 1) * w // 2 - 1, (y + 1) * h // 2 - 1), colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def colour_at(pane: ComparePane, point: QPointF) -> tuple[int, int, int]:
    picture = pane.grab().toImage()
    ratio = picture.devicePixelRatio()
    pixel = picture.pixelColor(int(point.x() * ratio), int(point.y() * ratio))
    return pixel.red(), pixel.green(), pixel.blue()


def near(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(abs(x - y) <= 8 for x, y in zip(a, b, strict=True))


def wheel(widget: Any, at: QPointF, notches: int) -> None:
    event = QWheelEvent(
        at,
        widget.mapToGlobal(at),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def drag(widget: Any, start: QPointF, end: QPointF) -> None:
    """A left-button drag from ``start`` to ``end``, in three moves."""
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    plain = Qt.KeyboardModifier.NoModifier

    def send(kind: QEvent.Type, at: QPointF, button: Any, buttons: Any) -> None:
        event = QMouseEvent(kind, at, widget.mapToGlobal(at), button, buttons, plain)
        QApplication.sendEvent(widget, event)

    send(QEvent.Type.MouseButtonPress, start, left, left)
    for step in (1, 2, 3):
        send(QEvent.Type.MouseMove, start + (end - start) * step / 3, none, left)
    send(QEvent.Type.MouseButtonRelease, end, left, none)


async def open_compare(qtbot: Any, *, corrupt_second: bool = False) -> tuple[Any, Any, Any]:
    session, window = await open_window(qtbot)
    await fill_library(session, 2, shape=lambda n: SIZES[n % 2], picture=quadrants)
    gallery = await open_gallery(window)
    if corrupt_second:
        gallery.path_of(gallery.model.item_at(0)).write_bytes(b"not an image at all")
    gallery.view.setFocus()
    gallery.select_rows([1, 0])  # row 1 (image 0, 1600 px) current: it becomes A
    qtbot.keyClick(gallery.view, Qt.Key.Key_C)
    compare = gallery.compare
    assert isinstance(compare, CompareView) and compare.isVisible()
    compare.resize(1200, 700)
    await compare.loaded.wait()
    return session, window, compare


def test_compare_needs_exactly_two_and_is_in_the_menu_and_bar(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            await fill_library(session, 3)
            gallery = await open_gallery(window)
            for rows, enabled in (([0], False), ([0, 1, 2], False), ([0, 2], True)):
                gallery.select_rows(rows)
                assert gallery.compare_action.isEnabled() is enabled
                assert gallery.compare_button.isVisibleTo(gallery) is enabled
                names = {a.objectName() for a in gallery.build_menu().actions()}
                assert ("compare" in names) is enabled
            assert gallery.compare_selected() is not None
            compare = gallery.compare
            await compare.loaded.wait()
            assert [p.item.image_id for p in compare.pictures] == [
                gallery.model.item_at(0).image_id,
                gallery.model.item_at(2).image_id,
            ]
            gallery.select_rows([1])
            assert gallery.compare_selected() is None  # one image: nothing to compare
            compare.reject()  # Esc or the close button
            assert gallery.compare is None
        finally:
            await close_window(session, window)

    drive(qloop, scenario(), 60)


def test_side_by_side_zooms_pans_fits_and_goes_one_to_one_in_step(qloop, qtbot):
    async def scenario():
        session, window, compare = await open_compare(qtbot)
        try:
            a, b = compare.panes
            assert compare.mode is CompareMode.SIDE_BY_SIDE
            assert [p.letter for p in compare.pictures] == ["A", "B"]
            assert compare.pictures[0].pixmap.width() == 1600
            assert compare.pictures[1].pixmap.width() == 800
            # Both laid out at the wider image's width: one plane, 1600 units wide.
            assert [p.rect.width() for p in compare.pictures] == [1600, 1600]
            state = compare.state
            assert state.fitting and state.zoom < 1.0
            # Fit: the whole picture in sight; each pane shows its image's quadrants.
            quarter = QPointF(a.width() / 2 - 40, a.height() / 2 - 40)
            assert near(colour_at(a, quarter), QUADRANTS[0][0])
            assert near(colour_at(b, quarter), QUADRANTS[1][0])

            # Wheel zoom around the cursor: the plane's point under it stays put, and the
            # other pane follows (same zoom, same centre).
            cursor = QPointF(a.width() * 0.3, a.height() * 0.3)
            under = a.to_plane(cursor)
            before = state.zoom
            wheel(a, cursor, 2)
            assert state.zoom == before * 1.25**2 and not state.fitting
            moved = a.to_plane(cursor)
            assert abs(moved.x() - under.x()) < 1e-6 and abs(moved.y() - under.y()) < 1e-6
            assert b.to_plane(cursor) == moved
            assert compare.zoom_label.text().endswith("%")

            # A pan in B moves A by the same amount.
            centre = QPointF(state.centre)
            drag(b, QPointF(400, 300), QPointF(300, 250))
            shift = (state.centre - centre) * state.zoom
            assert abs(shift.x() - 100) < 1 and abs(shift.y() - 50) < 1
            assert a.to_plane(QPointF(10, 10)) == b.to_plane(QPointF(10, 10))

            # 1:1 is one pixel of the wider image per screen pixel, in both panes.
            qtbot.keyClick(compare, Qt.Key.Key_1)
            assert state.zoom == 1.0 / compare.devicePixelRatioF()
            # Fit again: both whole, the zoom shared.
            qtbot.keyClick(compare, Qt.Key.Key_F)
            assert state.fitting and state.zoom == before
            # At fit the centre is the picture's: each quadrant where it belongs.
            for index, corner in enumerate(
                (QPointF(-1, -1), QPointF(1, -1), QPointF(-1, 1), QPointF(1, 1))
            ):
                spot = QPointF(a.width() / 2, a.height() / 2) + corner * 60
                assert near(colour_at(a, spot), QUADRANTS[0][index])
                assert near(colour_at(b, spot), QUADRANTS[1][index])
        finally:
            await close_window(session, window)

    drive(qloop, scenario(), 60)


def test_split_shows_a_left_of_the_divider_and_b_right_of_it(qloop, qtbot):
    async def scenario():
        session, window, compare = await open_compare(qtbot)
        try:
            qtbot.keyClick(compare, Qt.Key.Key_D)
            assert compare.mode is CompareMode.SPLIT
            pane = compare.split_pane
            assert compare.stack.currentWidget() is pane and pane.is_split
            assert compare.mode_buttons[CompareMode.SPLIT].isChecked()
            compare.fit()
            # Zoom in on the top half, so both sides of the divider show top quadrants.
            state = compare.state
            state.set(state.zoom * 2, QPointF(0, -300))
            y = pane.height() / 2
            left = QPointF(pane.width() * 0.3, y)
            right = QPointF(pane.width() * 0.7, y)
            assert near(colour_at(pane, left), QUADRANTS[0][0])  # A's top left
            assert near(colour_at(pane, right), QUADRANTS[1][1])  # B's top right

            # Dragging the divider to a fifth of the width: B now shows at 30 %.
            drag(pane, QPointF(pane.divider_x(), y + 50), QPointF(pane.width() * 0.2, y + 50))
            assert abs(pane.split - 0.2) < 0.01
            assert near(colour_at(pane, left), QUADRANTS[1][0])  # B's top left
            # The arrow keys move it too; a drag away from it pans instead.
            pane.setFocus()
            qtbot.keyClick(pane, Qt.Key.Key_Right)
            assert abs(pane.split - 0.25) < 0.01
            centre = QPointF(state.centre)
            drag(pane, QPointF(pane.width() * 0.6, y), QPointF(pane.width() * 0.6 - 30, y))
            assert abs(pane.split - 0.25) < 0.01 and state.centre != centre

            # Swap: B on the left now.
            qtbot.keyClick(compare, Qt.Key.Key_X)
            assert [p.letter for p in compare.pictures] == ["A", "B"]
            assert compare.pictures[0].pixmap.width() == 800
            assert compare.captions[0].text().startswith("A · ")
            compare.set_mode(CompareMode.SIDE_BY_SIDE)
            assert compare.stack.currentWidget() is not pane
        finally:
            await close_window(session, window)

    drive(qloop, scenario(), 60)


def test_an_unreadable_image_says_why_in_its_pane(qloop, qtbot):
    async def scenario():
        session, window, compare = await open_compare(qtbot, corrupt_second=True)
        try:
            good, bad = compare.pictures
            assert good.pixmap is not None and good.error is None
            assert bad.pixmap is None and "cannot be shown" in (bad.error or "")
            compare.panes[1].grab()  # paints the message, raises nothing
            compare.set_mode(CompareMode.SPLIT)
            compare.split_pane.grab()
        finally:
            await close_window(session, window)

    drive(qloop, scenario(), 60)
