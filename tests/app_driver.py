"""The real app, ``python -m nanobanana_desktop``, with a test's hand on its composer.

Runs ``nanobanana_desktop.app.main`` as it is. Once the window has started, a thread reads
commands from stdin and the Qt thread carries them out as a user would:

    submit N PROMPT   type PROMPT into the composer and press Generate until N tasks are
                      sent (the composer sends at most 4 a press)

It prints "ready" when the window has started (the engine and its webhook receiver are up
by then) and "submitted N" after each command. Quit it as a user's system would, with
SIGTERM, or crash it with SIGKILL.

    python tests/app_driver.py --base-url http://127.0.0.1:PORT
"""

from __future__ import annotations

import asyncio
import sys
import threading

from nanobanana_desktop import app
from nanobanana_desktop.ui.main_window import MainWindow


def submit(window: MainWindow, count: int, prompt: str) -> None:
    composer = window.composer
    composer.prompt.setPlainText(prompt)
    left = count
    while left:
        batch = min(left, composer.variations.maximum())
        composer.variations.setValue(batch)
        composer.generate_button.click()
        left -= batch
    print(f"submitted {count}", flush=True)


def read_commands(loop: asyncio.AbstractEventLoop, window: MainWindow) -> None:
    for line in sys.stdin:
        verb, _, rest = line.strip().partition(" ")
        if verb == "submit":
            count, _, prompt = rest.partition(" ")
            loop.call_soon_threadsafe(submit, window, int(count), prompt)


def main() -> int:
    started = MainWindow.start

    def start(window: MainWindow) -> None:
        started(window)
        loop = asyncio.get_running_loop()
        threading.Thread(target=read_commands, args=(loop, window), daemon=True).start()
        print("ready", flush=True)

    MainWindow.start = start  # type: ignore[method-assign]
    return app.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
