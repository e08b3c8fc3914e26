"""A real window over an in-process sandbox, as the UI tests open it."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from PIL import Image

from nanobanana_desktop.engine.polling import PollPolicy
from nanobanana_desktop.session import Session, SessionOptions
from nanobanana_desktop.ui.main_window import MainWindow


async def open_window(qtbot: Any) -> tuple[Session, MainWindow]:
    session = await Session.open(
        SessionOptions(use_sandbox=True, poll_policy=PollPolicy.scaled(0.02))
    )
    assert session.engine is not None and session.sandbox is not None
    session.sandbox.config.pending_seconds = 0.05
    session.sandbox.config.in_progress_seconds = 0.1
    session.sandbox.config.not_found_seconds = 0.0
    await session.engine.start()
    return session, await show_window(qtbot, session)


async def show_window(qtbot: Any, session: Session) -> MainWindow:
    """The window over ``session``, shown, with its history loaded."""
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    window.start()
    await window.tasks_loaded.wait()
    return window


def publish_orange(session: Session) -> str:
    """A small orange PNG on the sandbox's CDN: a reference image with a URL."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "PNG")
    assert session.sandbox is not None
    return session.sandbox.publish(buffer.getvalue())


async def close_window(session: Session, window: MainWindow) -> None:
    await window.stop()
    await session.close()


async def generate_from_composer(window: MainWindow, prompt: str) -> Any:
    """Type ``prompt``, click Generate, and wait for the task to settle; its record."""
    assert window.session.engine is not None
    window.composer.prompt.setPlainText(prompt)
    added = asyncio.Event()
    window.tasks.rowsInserted.connect(added.set)
    window.composer.generate_button.click()
    await added.wait()
    return await window.session.engine.wait(window.tasks.task_at(0).id)
