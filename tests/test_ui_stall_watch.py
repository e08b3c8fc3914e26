"""The watchdog names the line where the UI thread blocked, once per stall."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QTimer

from nanobanana_desktop.ui.stall_watch import StallWatch


def blocking_slot() -> None:
    # The behaviour under test is a blocked UI thread: this sleep is the fault, not a wait.
    time.sleep(0.6)


def test_a_blocked_ui_thread_is_logged_with_its_stack(qtbot, caplog):
    watch = StallWatch(threshold=0.2, beat=0.02)
    watch.start()
    try:
        with caplog.at_level(logging.WARNING, logger="nanobanana_desktop.ui.stall_watch"):
            QTimer.singleShot(0, blocking_slot)
            qtbot.waitUntil(lambda: bool(watch.stalls), timeout=5000)
            # The next beats after the stall must not report it again.
            qtbot.wait(200)
    finally:
        watch.stop()
    assert len(watch.stalls) == 1
    stall = watch.stalls[0]
    assert stall.seconds >= 0.2
    assert "in blocking_slot" in stall.stack
    assert "time.sleep(0.6)" in stall.stack
    assert "has not turned the event loop" in caplog.text


def test_a_turning_loop_reports_nothing(qtbot):
    watch = StallWatch(threshold=0.5, beat=0.02)
    watch.start()
    try:
        ticks = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start(10)
        qtbot.waitUntil(lambda: len(ticks) >= 30, timeout=5000)
        timer.stop()
    finally:
        watch.stop()
    assert watch.stalls == []
