"""The task list: live cards with thumbnails, filters, per-task actions, and updates that
repaint only the rows that changed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import drive
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtTest import QSignalSpy
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem
from ui_harness import close_window, open_window, publish_orange, show_window

from nanobanana_desktop.api import GenerationRequest
from nanobanana_desktop.engine.records import ImageRecord, ImageState, TaskRecord, TaskState
from nanobanana_desktop.engine.thumbnails import SAVE_SIZES, ThumbnailCache, shrink_each
from nanobanana_desktop.ui.gallery_view import THUMB_SIZE as GALLERY_THUMB_SIZE
from nanobanana_desktop.ui.style import STATUS_ACTIVE, STATUS_ATTENTION, STATUS_DONE, STATUS_FAILED
from nanobanana_desktop.ui.task_delegate import (
    ROW_HEIGHT,
    THUMB,
    TILE_MAX,
    TaskDelegate,
    elide,
    reason_text,
    tile_width,
    tile_widths,
)
from nanobanana_desktop.ui.task_model import (
    ElapsedRole,
    ImageCountRole,
    TaskFilter,
    TaskFilterModel,
    TaskListModel,
    TaskRole,
    ThumbnailErrorRole,
    ThumbnailsRole,
    format_elapsed,
)
from nanobanana_desktop.ui.task_panel import TaskPanel
from nanobanana_desktop.ui.thumbnail_images import ThumbnailImages

ToolTipRole = Qt.ItemDataRole.ToolTipRole

REQUEST = GenerationRequest("google/gempix2", "a lemon <b>on</b> a plate")


def record(local_id: int, state: TaskState, **extra) -> TaskRecord:
    fields = {
        "id": local_id,
        "task_id": f"ta{local_id}",
        "created_at": 100.0,
        "model": "m",
        "prompt": f"p{local_id}",
        "references": (),
        "aspect_ratio": None,
        "image_size": None,
        "state": state,
        "source": "window",
        "updated_at": 100.0,
    }
    fields.update(extra)
    return TaskRecord(**fields)


def rows_of(spy: QSignalSpy) -> list[list[int]]:
    """The rows each dataChanged signal covered."""
    return [list(range(spy.at(n)[0].row(), spy.at(n)[1].row() + 1)) for n in range(spy.count())]


def menu_actions(panel: TaskPanel, task: TaskRecord) -> dict:
    return {a.objectName(): a for a in panel.build_menu(task).actions() if a.objectName()}


# ---------------------------------------------------------------- the model on its own


def test_model_puts_new_tasks_on_top_and_updates_in_place(qapp):
    model = TaskListModel()
    model.load([record(1, TaskState.SUCCEEDED), record(2, TaskState.PENDING)])
    assert [model.task_at(r).id for r in range(2)] == [2, 1]
    model.upsert(record(3, TaskState.SUBMITTING))
    model.upsert(record(2, TaskState.FAILED, status_reason="boom <i>x</i>", consumed=Decimal(0)))
    assert [model.task_at(r).id for r in range(3)] == [3, 2, 1]
    failed = model.index(1)
    assert model.data(failed, TaskRole).state is TaskState.FAILED
    tooltip = model.data(failed, Qt.ItemDataRole.ToolTipRole)
    assert "boom &lt;i&gt;x&lt;/i&gt;" in tooltip and "<i>" not in tooltip
    assert model.counts() == {"running": 1, "done": 1, "failed": 1, "attention": 0}


def test_an_older_task_arriving_late_goes_where_its_number_puts_it(qapp):
    model = TaskListModel()
    model.load([record(5, TaskState.SUCCEEDED), record(1, TaskState.SUCCEEDED)])
    model.upsert(record(3, TaskState.FAILED))  # e.g. the CLI's task, heard of late
    assert [model.task_at(r).id for r in range(3)] == [5, 3, 1]
    assert model.row_of(3) == 1 and model.row_of(4) is None


def test_one_change_among_500_tasks_repaints_exactly_that_row(qapp):
    model = TaskListModel(clock=lambda: 200.0)
    tasks = [record(n, TaskState.SUCCEEDED) for n in range(1, 501)]
    tasks[250] = record(251, TaskState.IN_PROGRESS)
    model.load(tasks)
    proxy = TaskFilterModel(model)
    proxy.set_filter(TaskFilter.ACTIVE)
    watched = ("dataChanged", "modelReset", "layoutChanged", "rowsInserted", "rowsRemoved")
    spies = {name: QSignalSpy(getattr(model, name)) for name in watched}
    proxy_spies = {name: QSignalSpy(getattr(proxy, name)) for name in watched}
    row = model.row_of(251)
    assert row == 249  # newest first

    model.upsert(record(251, TaskState.DOWNLOADING))
    assert rows_of(spies["dataChanged"]) == [[row]]
    model.add_image(251, 0, "/nowhere/251-0.png")
    assert rows_of(spies["dataChanged"]) == [[row], [row]]
    assert model.data(model.index(row), ImageCountRole) == 1
    assert rows_of(proxy_spies["dataChanged"]) == [[0], [0]]  # the filter's one row
    for name in ("modelReset", "layoutChanged", "rowsInserted", "rowsRemoved"):
        assert spies[name].count() == 0, name
        assert proxy_spies[name].count() == 0, f"proxy {name}"

    model.upsert(record(501, TaskState.SUBMITTING))  # a new task: one insert, nothing else
    assert spies["rowsInserted"].count() == 1 and spies["dataChanged"].count() == 2
    assert spies["modelReset"].count() == spies["layoutChanged"].count() == 0


def test_the_clock_repaints_running_rows_only(qapp):
    now = [1000.0]
    model = TaskListModel(clock=lambda: now[0])
    model.load(
        [
            record(6, TaskState.IN_PROGRESS, created_at=990.0),
            record(5, TaskState.PENDING, created_at=995.0),
            record(4, TaskState.SUCCEEDED, created_at=900.0, finished_at=914.0),
            record(3, TaskState.STALLED, created_at=0.0),
            record(2, TaskState.FAILED, created_at=900.0, finished_at=903.5),
            record(1, TaskState.UNKNOWN),
        ]
    )
    assert model.ticker.isActive() and model.ticker.interval() == 1000
    spy = QSignalSpy(model.dataChanged)
    now[0] = 1001.0
    model.tick()
    repainted = sorted(row for rows in rows_of(spy) for row in rows)
    assert repainted == [0, 1, 3]  # the two running and the stalled one; no finished row
    assert all(spy.at(n)[2] == [ElapsedRole] for n in range(spy.count()))
    elapsed = [model.data(model.index(r), ElapsedRole) for r in range(6)]
    assert elapsed[:3] == [11.0, 6.0, 14.0] and elapsed[4] == 3.5 and elapsed[5] is None
    assert [format_elapsed(s) for s in (6.0, 75.0, 3725.0)] == ["6 s", "1:15", "1:02:05"]

    for local_id in (6, 5, 3):
        model.upsert(record(local_id, TaskState.SUCCEEDED))
    assert not model.ticker.isActive()  # nothing runs: no wake-ups at all


def test_the_clock_ticks_by_itself(qtbot):
    model = TaskListModel(tick_ms=20)
    model.load([record(2, TaskState.SUCCEEDED), record(1, TaskState.IN_PROGRESS)])
    with qtbot.waitSignal(model.dataChanged, timeout=2000) as blocker:
        pass
    top, bottom, roles = blocker.args
    assert (top.row(), bottom.row(), roles) == (1, 1, [ElapsedRole])
    model.ticker.stop()


# ---------------------------------------------------------------- the panel on its own


def mixed_panel(qtbot) -> TaskPanel:
    panel = TaskPanel()
    qtbot.addWidget(panel)
    panel.load(
        [
            record(6, TaskState.IN_PROGRESS),
            record(5, TaskState.STALLED),
            record(4, TaskState.SUCCEEDED),
            record(3, TaskState.FAILED, status_reason="the model refused"),
            record(2, TaskState.UNKNOWN),
            record(1, TaskState.SUCCEEDED),
        ]
    )
    return panel


def test_filters_show_their_counts_and_follow_changes(qtbot):
    panel = mixed_panel(qtbot)
    labels = {f: b.text() for f, b in panel.filter_buttons.items()}
    assert labels == {
        TaskFilter.ALL: "All  6",
        TaskFilter.ACTIVE: "Active  2",
        TaskFilter.DONE: "Done  2",
        TaskFilter.FAILED: "Failed  2",
    }
    panel.filter_buttons[TaskFilter.FAILED].click()
    assert panel.current_filter is TaskFilter.FAILED
    shown = [panel.proxy.index(r, 0).data(TaskRole).id for r in range(panel.proxy.rowCount())]
    assert shown == [3, 2]
    panel.task_changed(record(6, TaskState.FAILED, status_reason="late failure"))
    shown = [panel.proxy.index(r, 0).data(TaskRole).id for r in range(panel.proxy.rowCount())]
    assert shown == [6, 3, 2]  # it moved into the filter when it failed
    assert panel.filter_buttons[TaskFilter.ACTIVE].text() == "Active  1"
    panel.filter_buttons[TaskFilter.ACTIVE].click()
    assert panel.proxy.rowCount() == 1 and panel.stack.currentWidget() is panel.view
    panel.task_changed(record(5, TaskState.SUCCEEDED))
    assert panel.proxy.rowCount() == 0 and panel.stack.currentWidget() is panel.empty_label
    assert panel.empty_label.text() == "Nothing is running."
    panel.filter_buttons[TaskFilter.ALL].click()
    assert panel.proxy.rowCount() == 6


def test_the_selected_task_keeps_its_reason_on_show(qtbot):
    panel = mixed_panel(qtbot)
    assert panel.select_task(3)
    assert panel.reason_label.text() == "Task 3 — failed: the model refused"
    panel.set_filter(TaskFilter.DONE)
    assert panel.selected_task() is None and not panel.select_task(3)


def test_the_menu_offers_what_each_state_allows(qtbot):
    panel = mixed_panel(qtbot)
    panel.set_engine_ready(True)
    running = menu_actions(panel, record(6, TaskState.IN_PROGRESS))
    assert running["check"].isEnabled() and "retry" not in running
    assert not running["remove"].isEnabled()
    assert "once it has finished" in running["remove"].toolTip()
    failed = menu_actions(panel, record(3, TaskState.FAILED))
    assert failed["retry"].isEnabled() and failed["remove"].isEnabled()
    unknown = menu_actions(panel, record(2, TaskState.UNKNOWN, task_id=None))
    assert unknown["resubmit"].text() == "Resubmit — it may already have been charged once"
    assert "charged a second time" in unknown["resubmit"].toolTip()
    assert not unknown["copy_id"].isEnabled()  # the server never named it
    assert not unknown["gallery"].isEnabled()  # nothing saved
    panel.set_engine_ready(False)
    assert not menu_actions(panel, record(3, TaskState.FAILED))["retry"].isEnabled()


def test_delete_removes_only_a_finished_task(qtbot):
    panel = mixed_panel(qtbot)
    asked: list[int] = []
    panel.remove_requested.connect(asked.append)
    panel.select_task(6)  # still generating
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    panel.select_task(3)
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert asked == [3]
    qtbot.keyClick(panel.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "p3"


def test_copy_task_id_and_prompt_reach_the_clipboard(qtbot):
    panel = TaskPanel()
    qtbot.addWidget(panel)
    task = record(7, TaskState.SUCCEEDED, task_id="ta-server-7", prompt="a <b>lemon</b>\nsoft")
    panel.load([task])
    notices: list[str] = []
    panel.notice.connect(notices.append)
    actions = menu_actions(panel, task)
    actions["copy_id"].trigger()
    assert QGuiApplication.clipboard().text() == "ta-server-7"
    actions["copy_prompt"].trigger()
    assert QGuiApplication.clipboard().text() == "a <b>lemon</b>\nsoft"
    assert notices == ["Task id ta-server-7 copied", "Prompt of task 7 copied"]


# A popup menu asks the window system to raise it and grab the keyboard, which the
# offscreen platform cannot do; only headless, and harmless.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_a_right_click_opens_the_menu_for_the_row_under_the_pointer(qtbot):
    panel = mixed_panel(qtbot)
    panel.resize(600, 600)
    panel.show()
    qtbot.waitExposed(panel)
    where = panel.view.visualRect(panel.proxy.index(3, 0)).center()
    panel.view.customContextMenuRequested.emit(where)
    menu = panel.last_menu
    assert menu is not None and menu.isVisible()
    assert panel.selected_task().id == 3
    assert "retry" in {a.objectName() for a in menu.actions()}
    menu.close()
    panel.view.customContextMenuRequested.emit(QPoint(5, panel.view.height() - 2))
    assert panel.last_menu is menu  # below the last row: no menu


@pytest.mark.parametrize(
    ("state", "colour"),
    [
        (TaskState.IN_PROGRESS, STATUS_ACTIVE.light),
        (TaskState.SUCCEEDED, STATUS_DONE.light),
        (TaskState.FAILED, STATUS_FAILED.light),
        (TaskState.UNKNOWN, STATUS_ATTENTION.light),
    ],
)
def test_each_status_is_drawn_in_its_colour(qtbot, state, colour):
    model = TaskListModel(clock=lambda: 130.0)
    model.load([record(1, state, status_reason="why", finished_at=112.0)])
    image = QImage(480, ROW_HEIGHT, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    option = QStyleOptionViewItem()
    option.rect = image.rect()
    option.state = QStyle.StateFlag.State_Enabled
    option.font = QGuiApplication.font()
    option.palette = QGuiApplication.palette()
    painter = QPainter(image)
    TaskDelegate().paint(painter, option, model.index(0))
    painter.end()
    wanted = QColor(colour).rgb()
    found = sum(1 for x in range(0, 480) for y in range(ROW_HEIGHT) if image.pixel(x, y) == wanted)
    assert found > 20  # the icon and the status text, not a stray pixel


def paint_row(model: TaskListModel, row: int, delegate: TaskDelegate | None = None) -> QImage:
    image = QImage(480, ROW_HEIGHT, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    option = QStyleOptionViewItem()
    option.rect = image.rect()
    option.state = QStyle.StateFlag.State_Enabled
    option.font = QGuiApplication.font()
    option.palette = QGuiApplication.palette()
    painter = QPainter(image)
    (delegate or TaskDelegate()).paint(painter, option, model.index(row))
    painter.end()
    return image


def count_colour(image: QImage, colour: str) -> int:
    wanted = QColor(colour).rgb()
    pixels = ((x, y) for x in range(image.width()) for y in range(image.height()))
    return sum(1 for x, y in pixels if image.pixel(x, y) == wanted)


def image_record(local_id: int) -> ImageRecord:
    return ImageRecord(
        id=local_id,
        task=local_id,
        index=0,
        origin="inline",
        state=ImageState.SAVED,
        stem=f"{local_id}-0",
        created_at=100.0,
    )


def test_the_last_card_leaves_the_bottom_line_to_the_list(qtbot):
    model = TaskListModel(clock=lambda: 130.0)
    model.load([record(2, TaskState.SUCCEEDED), record(1, TaskState.SUCCEEDED)])
    white = QColor("white").rgb()
    bottoms = [paint_row(model, row).pixel(240, ROW_HEIGHT - 1) for row in range(2)]
    assert bottoms[0] != white  # a separator between two cards
    assert bottoms[1] == white  # none on the last: the list's border is there


def test_thumbnail_tiles_keep_the_image_shape():
    poster = QImage(200, 300, QImage.Format.Format_ARGB32)
    wide = QImage(300, 100, QImage.Format.Format_ARGB32)
    assert tile_width(poster, None) == round(THUMB * 2 / 3)  # tall, not a square swatch
    assert tile_width(None, "2:3") == round(THUMB * 2 / 3)  # before it loads: as asked
    assert tile_width(None, "auto") == THUMB == tile_width(None, None)
    assert tile_width(wide, None) == TILE_MAX  # wider than 16:9 is cropped to it
    # Wide tiles take more room: two fit where four squares would, and "+2" says so.
    assert len(tile_widths([wide] * 4, None)) == 2
    assert len(tile_widths([poster] * 4, None)) == 4


def test_reasons_drop_their_full_stop_and_never_end_in_a_dot_before_the_ellipsis():
    task = record(1, TaskState.FAILED, status_reason="The host said no (HTTP 404).  ")
    assert reason_text(task) == "The host said no (HTTP 404)"
    font = QGuiApplication.font()
    text = "No answer came back (Server disconnected without sending a response.). Retry"
    for width in range(40, 600, 3):
        shown = elide(text, font, width)
        assert not shown.endswith((".…", ",…", " …", "(…"))


# ---------------------------------------------------------------- the window, over the sandbox


def wait_for_thumbnail(model: TaskListModel, row: int) -> asyncio.Event:
    ready = asyncio.Event()

    def look(*_args) -> None:
        images = model.index(row).data(ThumbnailsRole) or []
        if images and images[0] is not None:
            ready.set()

    model.dataChanged.connect(look)
    look()
    return ready


def test_a_task_from_the_composer_is_followed_to_done_with_its_thumbnail(qloop, qtbot, monkeypatch):
    renders: list[Path] = []
    render = ThumbnailCache._render

    def spying(cache: ThumbnailCache, source: Path, size: int) -> Image.Image:
        renders.append(source)
        return render(cache, source, size)

    monkeypatch.setattr(ThumbnailCache, "_render", spying)

    async def scenario():
        session, window = await open_window(qtbot)
        try:
            panel = window.task_panel
            assert panel.stack.currentWidget() is panel.empty_label
            states: list[str] = []
            window.tasks.dataChanged.connect(
                lambda top, _b, roles=(): (
                    states.append(top.data(TaskRole).state.label) if not roles else None
                )
            )
            added = asyncio.Event()
            window.tasks.rowsInserted.connect(added.set)
            window.composer.prompt.setPlainText("a lemon, studio light")
            window.composer.generate_button.click()
            await added.wait()
            assert panel.stack.currentWidget() is panel.view
            await session.engine.wait(window.tasks.task_at(0).id)
            await wait_for_thumbnail(window.tasks, 0).wait()
            [thumb] = window.tasks.index(0).data(ThumbnailsRole)
            cached = list(session.locations.thumbnails.rglob("*.png"))
            return states, thumb, cached, window.status_strip.counts.text(), panel.filter_buttons
        finally:
            await close_window(session, window)

    states, thumb, cached, counts, buttons = drive(qloop, scenario())
    assert states[-2:] == ["saving", "done"]
    assert isinstance(thumb, QImage) and not thumb.isNull()
    assert (thumb.width(), thumb.height()) == (112, 112)  # a 1:1 image, twice the 56 px tile
    # Made once, as the image was saved, at the list's and the gallery's sizes, in the
    # profile's cache folder; the list read its own without decoding the image again.
    assert sorted(QImage(str(path)).size().toTuple() for path in cached) == [(112, 112), (320, 320)]
    assert renders == []
    assert counts == "0 in flight · 1 done"
    assert buttons[TaskFilter.DONE].text() == "Done  1"


def test_thumbnails_load_off_the_ui_thread_and_a_missing_file_says_why(qloop, tmp_path):
    real = tmp_path / "library" / "real.png"
    real.parent.mkdir()
    Image.new("RGB", (300, 150), "orange").save(real)
    images = ThumbnailImages(ThumbnailCache(tmp_path / "thumbs"), 112)
    model = TaskListModel(images)
    paths = [(0, str(tmp_path / "library" / "gone.png")), (1, str(real))]
    model.load([record(2, TaskState.SUCCEEDED), record(1, TaskState.SUCCEEDED)], {1: paths})
    spy = QSignalSpy(model.dataChanged)

    async def scenario():
        first = model.index(1).data(ThumbnailsRole)  # asking starts the loads
        await images.wait_idle()
        return first, model.index(1).data(ThumbnailsRole)

    first, then = drive(qloop, scenario())
    assert first == [None, None]
    missing, shown = then
    assert missing is None and (shown.width(), shown.height()) == (112, 56)
    assert "gone.png is no longer there" in model.index(1).data(ThumbnailErrorRole)
    assert rows_of(spy) == [[1], [1]]  # one repaint per thumbnail, of that row only
    assert model.index(0).data(ThumbnailsRole) == []


def test_the_window_shows_thumbnails_at_the_sizes_made_when_an_image_is_saved():
    assert 2 * THUMB in SAVE_SIZES  # the list's tiles, at twice their size for HiDPI
    assert GALLERY_THUMB_SIZE in SAVE_SIZES


def test_history_thumbnails_are_found_by_digest_without_the_file(qloop, tmp_path):
    cache = ThumbnailCache(tmp_path / "thumbs")
    digest = "ab" * 32
    cache.put(shrink_each(Image.new("RGB", (600, 400), "orange"), SAVE_SIZES), sha256=digest)
    images = ThumbnailImages(cache, 112)
    model = TaskListModel(images)
    moved = str(tmp_path / "library" / "renamed-since.png")  # no such file: only the digest
    model.load([record(1, TaskState.SUCCEEDED)], {1: [(0, moved, digest)]})

    async def scenario():
        model.index(0).data(ThumbnailsRole)
        await images.wait_idle()
        return model.index(0).data(ThumbnailsRole)

    [thumb] = drive(qloop, scenario())
    assert (thumb.width(), thumb.height()) == (112, 75)
    assert model.index(0).data(ThumbnailErrorRole) is None


def test_a_change_says_which_roles_changed_and_a_repeat_says_nothing(qtbot):
    panel = mixed_panel(qtbot)
    model = panel.model
    spy = QSignalSpy(model.dataChanged)
    same = model.task_at(model.row_of(3))
    model.upsert(same)
    assert spy.count() == 0  # told twice: nothing to repaint
    model.upsert(record(3, TaskState.FAILED, status_reason="the model refused, twice"))
    assert spy.count() == 1 and spy.at(0)[2] == [TaskRole, ElapsedRole, ToolTipRole]
    assert panel.filter_buttons[TaskFilter.FAILED].text() == "Failed  2"
    model.upsert(record(6, TaskState.FAILED))
    assert spy.count() == 2 and spy.at(1)[2] == []  # a new state: filters and counts too
    assert panel.filter_buttons[TaskFilter.FAILED].text() == "Failed  3"


def many_tasks(count: int, running: Callable[[int], bool]) -> list[TaskRecord]:
    return [
        record(n, TaskState.IN_PROGRESS if running(n) else TaskState.SUCCEEDED, finished_at=110.0)
        for n in range(1, count + 1)
    ]


def test_a_tick_repaints_only_the_running_rows_in_sight(qtbot):
    panel = TaskPanel()
    qtbot.addWidget(panel)
    panel.load(many_tasks(40, lambda n: n % 3 == 0))
    panel.resize(600, 6 * ROW_HEIGHT)
    panel.show()
    qtbot.waitExposed(panel)
    model = panel.model
    shown = panel.visible_rows()
    assert 3 <= len(shown) < 10 and shown[0] == 0  # newest first, at the top

    def ticked() -> list[int]:
        spy = QSignalSpy(model.dataChanged)
        model.tick()
        assert all(spy.at(n)[2] == [ElapsedRole] for n in range(spy.count()))
        return [row for rows in rows_of(spy) for row in rows]

    running = [row for row in shown if not model.task_at(row).state.is_final]
    assert running and ticked() == running
    panel.view.scrollToBottom()
    shown = panel.visible_rows()
    assert shown[-1] == 39
    assert ticked() == [row for row in shown if not model.task_at(row).state.is_final]
    panel.hide()
    assert ticked() == []  # nothing in sight: nothing to repaint


def test_a_changed_card_is_repainted_alone(qtbot):
    panel = TaskPanel()
    qtbot.addWidget(panel)
    panel.load(many_tasks(12, lambda n: False))
    panel.resize(600, 13 * ROW_HEIGHT + 60)  # every card in sight
    panel.show()
    qtbot.waitExposed(panel)
    painted: list[int] = []
    delegate = panel.view.itemDelegate()
    paint = delegate.paint

    def recording(painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        painted.append(index.row())
        paint(painter, option, index)

    delegate.paint = recording
    panel.view.viewport().update()
    qtbot.waitUntil(lambda: len(painted) >= 12)
    row = panel.model.row_of(3)  # all shown: the list's row is the model's
    for change in (
        lambda: panel.task_changed(record(3, TaskState.SUCCEEDED, status_reason="2 of 2 saved")),
        lambda: panel.image_saved(image_record(3), "/nowhere/3-0.png"),
        lambda: panel.task_changed(record(3, TaskState.FAILED, status_reason="gone")),
    ):
        painted.clear()
        change()
        qtbot.waitUntil(lambda: row in painted)
        assert painted == [row]  # not the eleven cards around it


def test_a_card_is_drawn_once_and_again_only_when_what_it_shows_changes(qapp):
    now = [130.0]
    model = TaskListModel(clock=lambda: now[0])
    model.load([record(2, TaskState.IN_PROGRESS, created_at=120.0), record(1, TaskState.SUCCEEDED)])
    delegate = TaskDelegate()

    def paint(row: int) -> QImage:
        return paint_row(model, row, delegate)

    done = paint(1)
    assert delegate.cards.drawn == 2 - 1 and paint(1) == done  # the second from the cache
    model.upsert(record(1, TaskState.FAILED, status_reason="gone"))
    failed = paint(1)
    assert delegate.cards.drawn == 2 and failed != done
    assert count_colour(failed, STATUS_FAILED.light) > 20  # drawn anew, in the new state's colour
    # A running card: its clock moves every second over the same drawn card.
    running = paint(0)
    assert delegate.cards.drawn == 3
    now[0] = 131.0
    later = paint(0)
    assert delegate.cards.drawn == 3 and later != running
    model.upsert(record(2, TaskState.DOWNLOADING, created_at=120.0))
    paint(0)
    assert delegate.cards.drawn == 4


def test_the_card_cache_keeps_to_its_budget(qapp):
    model = TaskListModel(clock=lambda: 130.0)
    model.load(many_tasks(10, lambda n: False))
    card = 480 * ROW_HEIGHT * 4
    delegate = TaskDelegate(budget=3 * card)
    for row in range(10):
        paint_row(model, row, delegate)
    assert len(delegate.cards) == 3 and delegate.cards.drawn == 10
    paint_row(model, 9, delegate)  # among the last three: still there
    assert delegate.cards.drawn == 10
    paint_row(model, 0, delegate)  # long gone: drawn again
    assert delegate.cards.drawn == 11


def test_outcome_unknown_offers_resubmit_which_sends_once_more(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            faults = session.sandbox.config.faults
            faults.drop_connection.count = 1
            faults.drop_connection.endpoints = frozenset({"gen"})
            faults.lose_callback.count = 1  # or the callback would name the lost task
            lost = await session.engine.submit(REQUEST)
            window.task_panel.select_task(lost.id)
            label, enabled = window.retry_action.text(), window.retry_action.isEnabled()
            toolbar_tip = window.retry_action.toolTip()
            reason_shown = window.task_panel.reason_label.text()
            added = asyncio.Event()
            window.tasks.rowsInserted.connect(added.set)
            menu_actions(window.task_panel, lost)["resubmit"].trigger()
            await added.wait()
            newest = window.tasks.task_at(0)
            done = await session.engine.wait(newest.id)
            posts = session.sandbox.records.requests_to("api", "/api/image/gen")
            return (
                lost,
                (label, enabled, toolbar_tip),
                reason_shown,
                done,
                len(posts),
                window.status_strip.counts.text(),
            )
        finally:
            await close_window(session, window)

    lost, toolbar, reason, done, posts, counts = drive(qloop, scenario())
    assert lost.state is TaskState.UNKNOWN
    assert toolbar[:2] == ("Resubmit", True) and "charged a second time" in toolbar[2]
    assert "may have been created and charged" in reason
    assert done.state is TaskState.SUCCEEDED and done.retry_of == lost.id
    assert posts == 2
    assert counts == "0 in flight · 1 done · 1 needs a look"


def test_retry_from_the_menu_creates_a_linked_task(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            session.sandbox.config.faults.fail_task.count = 1
            failed = await session.engine.wait((await session.engine.submit(REQUEST)).id)
            added = asyncio.Event()
            window.tasks.rowsInserted.connect(added.set)
            menu_actions(window.task_panel, failed)["retry"].trigger()
            await added.wait()
            retried = await session.engine.wait(window.tasks.task_at(0).id)
            return failed, retried, [window.tasks.task_at(r).id for r in range(2)]
        finally:
            await close_window(session, window)

    failed, retried, rows = drive(qloop, scenario())
    assert failed.state is TaskState.FAILED
    assert retried.retry_of == failed.id and retried.state is TaskState.SUCCEEDED
    assert rows == [retried.id, failed.id]


def test_check_now_is_only_for_tasks_still_running(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            session.sandbox.config.in_progress_seconds = 5.0
            running = await session.engine.submit(REQUEST)
            window.task_panel.select_task(running.id)
            can_check = window.check_action.isEnabled()
            can_retry = window.retry_action.isEnabled()
            before = len(session.sandbox.records.requests_to("api", "/api/task/query"))
            window.check_action.trigger()
            queries = session.sandbox.records.requests_to
            # The sandbox logs on its own thread: look until the query shows (bounded by drive).
            while len(queries("api", "/api/task/query")) == before:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            return running, can_check, can_retry
        finally:
            await close_window(session, window)

    running, can_check, can_retry = drive(qloop, scenario())
    assert running.state is TaskState.PENDING
    assert can_check and not can_retry


def test_reuse_puts_the_task_back_in_the_composer(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            url = publish_orange(session)
            request = GenerationRequest(
                "google/nano-banana-pro",
                "the orange, on a plate",
                images=(url,),
                aspect_ratio="16:9",
                image_size="1K",
            )
            task = await session.engine.submit(request)
            window.composer.prompt.setPlainText("something else")
            window.composer.aspect_ratio.setCurrentText("1:1")
            menu_actions(window.task_panel, task)["reuse"].trigger()
            await window.composer.references.wait_idle()
            return request, window.composer.request(), window.statusBar().currentMessage()
        finally:
            await close_window(session, window)

    original, composed, message = drive(qloop, scenario())
    assert composed == original
    assert "prompt and settings are in the composer" in message


def test_remove_hides_the_row_keeps_the_files_and_lasts(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            kept = await session.engine.wait((await session.engine.submit(REQUEST)).id)
            gone = await session.engine.wait((await session.engine.submit(REQUEST)).id)
            [path] = window.tasks.image_paths(gone.id)
            actions = menu_actions(window.task_panel, gone)
            gallery_enabled = actions["gallery"].isEnabled()
            asked: list[int] = []
            window.task_panel.show_in_gallery.connect(asked.append)
            actions["gallery"].trigger()
            removed = asyncio.Event()
            window.tasks.rowsRemoved.connect(removed.set)
            actions["remove"].trigger()
            await removed.wait()
            rows = [window.tasks.task_at(r).id for r in range(window.tasks.rowCount())]
            listed = [t.id for t in await session.store.list_tasks()]
            everything = await session.store.list_tasks(include_hidden=True)
            await window.stop()
            window = await show_window(qtbot, session)  # as at the next start
            rows_again = [window.tasks.task_at(r).id for r in range(window.tasks.rowCount())]
            return kept, gone, gallery_enabled, asked, rows, listed, everything, rows_again, path
        finally:
            await close_window(session, window)

    kept, gone, gallery, asked, rows, listed, everything, rows_again, path = drive(
        qloop, scenario()
    )
    assert gallery and asked == [gone.id]
    assert rows == listed == rows_again == [kept.id]
    assert [(t.id, t.hidden) for t in everything] == [(gone.id, True), (kept.id, False)]
    assert Path(path).is_file()  # removing from the list never deletes an image


def test_prompts_with_markup_are_shown_as_text(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        try:
            task = await session.engine.submit(REQUEST)
            await session.engine.wait(task.id)
            index = window.tasks.index(0)
            return index.data(Qt.ItemDataRole.DisplayRole), index.data(Qt.ItemDataRole.ToolTipRole)
        finally:
            await close_window(session, window)

    shown, tooltip = drive(qloop, scenario())
    assert shown == "a lemon <b>on</b> a plate"
    assert "a lemon &lt;b&gt;on&lt;/b&gt; a plate" in tooltip
