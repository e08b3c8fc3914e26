"""What app.py sets up for a responsive UI thread (benchmarks/ui_latency.py measures the
effect): Qt's paint thread pool off, and start-up's objects frozen out of the collector's
way once the window has started. Each check runs the real app or Qt in a fresh
interpreter, since both settings are read once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

OFFSCREEN = dict(os.environ, QT_QPA_PLATFORM="offscreen")

APP_DRIVER = """
import gc, os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from nanobanana_desktop import app

deadline = time.monotonic() + 60


def report_once_started():
    # run_app freezes after window.start(); until then the count is 0.
    window = next((w for w in QApplication.topLevelWidgets()
                   if type(w).__name__ == "MainWindow" and w.isVisible()), None)
    if window is None or (gc.get_freeze_count() == 0 and time.monotonic() < deadline):
        QTimer.singleShot(20, report_once_started)
        return
    print("frozen", gc.get_freeze_count(), "enabled", gc.isenabled(), flush=True)
    print("pool", os.environ.get("QT_NO_GUI_THREADPOOL"), flush=True)
    window.close()


QTimer.singleShot(0, report_once_started)
sys.exit(app.main(["--sandbox", "--profile", sys.argv[1]]))
"""


def test_the_app_freezes_what_start_up_made_and_turns_qts_paint_pool_off(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", APP_DRIVER, str(tmp_path / "profile")],
        env={k: v for k, v in OFFSCREEN.items() if k != "QT_NO_GUI_THREADPOOL"},
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    frozen, _, enabled = lines["frozen"].split()
    # The modules, the window and the engine: tens of thousands of objects.
    assert int(frozen) > 10_000
    assert enabled == "False"  # and collection stays with the UI-thread collector
    assert lines["pool"] == "1"


POOL_PROBE = """
import os, sys
if sys.argv[1] == "app":
    from nanobanana_desktop.app import configure_qt
    configure_qt()
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
qt = QGuiApplication([])
image = QImage(2048, 2048, QImage.Format.Format_ARGB32_Premultiplied)
image.fill(0)
image.scaled(300, 300, mode=Qt.TransformationMode.SmoothTransformation)
names = [open(f"/proc/self/task/{t}/comm").read() for t in os.listdir("/proc/self/task")]
print(sum(name.startswith("Thread (pooled)") for name in names))
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="thread names from /proc")
@pytest.mark.parametrize(("setup", "pooled"), [("qt", True), ("app", False)])
def test_with_the_apps_setting_qt_paints_and_scales_on_the_calling_thread(setup, pooled):
    env = {k: v for k, v in OFFSCREEN.items() if k != "QT_NO_GUI_THREADPOOL"}
    done = subprocess.run(
        [sys.executable, "-c", POOL_PROBE, setup],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # Qt's own default hands a large smooth scale to its pool; the app's setting does not.
    assert (int(done.stdout.strip()) > 0) is pooled
