"""The composer: Ctrl+Enter sends, an empty prompt cannot, settings and the draft persist."""

from __future__ import annotations

import asyncio
import threading

from conftest import drive
from PySide6.QtCore import QMimeData, Qt
from ui_harness import close_window, open_window, publish_orange

from nanobanana_desktop.ui.composer import DRAFT_KEY, Composer
from nanobanana_desktop.ui.draft_writer import DraftWriter
from nanobanana_desktop.ui.settings import profile_settings


def make_composer(qtbot, tmp_path) -> Composer:
    composer = Composer(profile_settings(tmp_path))
    qtbot.addWidget(composer)
    return composer


def test_empty_prompt_cannot_be_sent_and_the_button_says_why(qtbot, tmp_path):
    composer = make_composer(qtbot, tmp_path)
    sent = []
    composer.submitted.connect(lambda request, n: sent.append((request, n)))
    composer.prompt.setPlainText("   \n ")
    assert not composer.generate_button.isEnabled()
    assert composer.generate_button.toolTip() == "Write a prompt first"
    assert composer.reason_label.text() == "Write a prompt first"
    qtbot.keyClick(composer.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent == []


def test_ctrl_enter_sends_the_request_with_only_the_options_set(qtbot, tmp_path):
    composer = make_composer(qtbot, tmp_path)
    sent = []
    composer.submitted.connect(lambda request, n: sent.append((request, n)))
    composer.prompt.setPlainText("a lemon, studio light")
    composer.model.setCurrentText("google/gemini-2.5-flash-image")
    composer.image_size.setCurrentText("4K")  # this model takes no size: it must not be sent
    composer.aspect_ratio.setCurrentText("16:9")
    composer.variations.setValue(3)
    assert composer.generate_button.text() == "Generate 3"
    qtbot.keyClick(composer.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    [(request, count)] = sent
    assert count == 3
    assert request.to_json() == {
        "model": "google/gemini-2.5-flash-image",
        "prompt": "a lemon, studio light",
        "aspect_ratio": "16:9",
    }
    assert not composer.image_size.isEnabled()
    assert composer.prompt.toPlainText() == "a lemon, studio light"  # kept for iterating


def test_variations_say_task_or_tasks(qtbot, tmp_path):
    composer = make_composer(qtbot, tmp_path)
    composer.variations.setValue(1)
    one = composer.variations.text()
    composer.variations.setValue(2)
    assert (one, composer.variations.text()) == ("1 task", "2 tasks")
    composer.variations.lineEdit().selectAll()
    qtbot.keyClicks(composer.variations, "3")
    qtbot.keyClick(composer.variations, Qt.Key.Key_Return)
    assert composer.variations.value() == 3 and composer.variations.text() == "3 tasks"


def test_the_prompt_stops_growing_and_the_fields_line_up(qtbot, tmp_path):
    composer = make_composer(qtbot, tmp_path)
    composer.resize(620, 1200)  # far more height than a prompt needs
    composer.show()
    qtbot.waitExposed(composer)
    line = composer.prompt.fontMetrics().lineSpacing()
    assert composer.prompt.height() <= 10 * line + 24
    assert composer.prompt.minimumHeight() >= 4 * line
    fields = (composer.model, composer.aspect_ratio, composer.image_size, composer.variations)
    assert len({field.width() for field in fields}) == 1
    # The spare height is not put between the references and the button that sends them.
    button = composer.generate_button.geometry()
    assert button.top() - composer.references.geometry().bottom() < 40
    assert composer.height() - button.bottom() > 300


def test_draft_and_choices_survive_a_restart(qtbot, tmp_path):
    first = make_composer(qtbot, tmp_path)
    first.prompt.setPlainText("a half-written idea")
    first.model.setCurrentText("google/nano-banana-pro")
    first.image_size.setCurrentText("2K")
    first.save_draft()
    first.flush_draft()
    again = make_composer(qtbot, tmp_path)
    assert again.prompt.toPlainText() == "a half-written idea"
    assert again.model.currentText() == "google/nano-banana-pro"
    assert again.image_size.currentText() == "2K" and again.image_size.isEnabled()


def test_the_draft_is_written_off_the_ui_thread_in_order(qtbot, tmp_path, monkeypatch):
    writers: list[threading.Thread] = []
    real_write = DraftWriter._write

    def spying(self: DraftWriter) -> None:
        writers.append(threading.current_thread())
        real_write(self)

    monkeypatch.setattr(DraftWriter, "_write", spying)
    composer = make_composer(qtbot, tmp_path)
    for text in ("first idea", "second idea", "the idea that stays"):
        composer.prompt.setPlainText(text)
        composer.save_draft()
    composer.flush_draft()
    assert writers and threading.main_thread() not in writers
    assert profile_settings(tmp_path).value(DRAFT_KEY) == "the idea that stays"


def test_a_draft_typed_just_before_closing_is_kept(qtbot, tmp_path, qloop):
    composer = make_composer(qtbot, tmp_path)
    composer.prompt.setPlainText("typed a moment before quitting")
    assert composer._draft_timer.isActive()  # not saved yet: the timer waits for a pause
    drive(qloop, composer.aclose())
    assert profile_settings(tmp_path).value(DRAFT_KEY) == "typed a moment before quitting"
    assert make_composer(qtbot, tmp_path).prompt.toPlainText() == "typed a moment before quitting"


def test_up_and_down_at_the_edges_step_through_recent_prompts(qtbot, tmp_path):
    composer = make_composer(qtbot, tmp_path)
    composer.prompt.set_recent(["newest", "older", "newest"])
    composer.prompt.setPlainText("mine")
    qtbot.keyClick(composer.prompt, Qt.Key.Key_Up)
    assert composer.prompt.toPlainText() == "newest"
    qtbot.keyClick(composer.prompt, Qt.Key.Key_Up)
    assert composer.prompt.toPlainText() == "older"
    qtbot.keyClick(composer.prompt, Qt.Key.Key_Up)  # no more: stays
    assert composer.prompt.toPlainText() == "older"
    qtbot.keyClick(composer.prompt, Qt.Key.Key_Down)
    qtbot.keyClick(composer.prompt, Qt.Key.Key_Down)
    assert composer.prompt.toPlainText() == "mine"


def test_pasted_rich_text_arrives_as_plain_text(qtbot, tmp_path):
    composer = make_composer(qtbot, tmp_path)
    mime = QMimeData()
    mime.setHtml("<b>bold</b> <script>x</script>lemon")
    mime.setText("bold lemon")
    composer.prompt.insertFromMimeData(mime)
    assert composer.prompt.toPlainText() == "bold lemon"


def test_window_sends_variations_through_the_engine(qloop, qtbot):
    async def scenario():
        session, window = await open_window(qtbot)
        session.sandbox.config.in_progress_seconds = 0.05
        try:
            focused = (
                window.composer.prompt.hasFocus() or window.focusWidget() is window.composer.prompt
            )
            window.composer.prompt.setPlainText("three lemons")
            window.composer.variations.setValue(3)
            three = asyncio.Event()
            window.tasks.rowsInserted.connect(
                lambda *_: three.set() if window.tasks.rowCount() == 3 else None
            )
            window.composer.generate_button.click()
            await three.wait()
            for row in range(3):
                await session.engine.wait(window.tasks.task_at(row).id)
            posts = session.sandbox.records.requests_to("api", "/api/image/gen")
            return focused, len(posts), window.status_strip.counts.text()
        finally:
            await close_window(session, window)

    focused, posts, counts = drive(qloop, scenario())
    assert focused
    assert posts == 3
    assert counts == "0 in flight · 3 done"


def test_references_in_the_slots_go_with_the_request(qloop, qtbot):

    async def scenario():
        session, window = await open_window(qtbot)
        try:
            url = publish_orange(session)
            window.composer.prompt.setPlainText("this orange, on a plate")
            window.composer.references.set_references([url])
            busy_reason = window.composer.generate_button.toolTip()
            await window.composer.references.wait_idle()
            added = asyncio.Event()
            window.tasks.rowsInserted.connect(added.set)
            window.composer.generate_button.click()
            await added.wait()
            done = await session.engine.wait(window.tasks.task_at(0).id)
            [task] = session.sandbox.sandbox.book.tasks.values()
            return url, busy_reason, done, task.images
        finally:
            await close_window(session, window)

    url, busy_reason, done, sent = drive(qloop, scenario())
    assert busy_reason == "Waiting for a reference image to load"
    assert sent == [url]
    assert done.references == (url,) and done.state.value == "succeeded"
