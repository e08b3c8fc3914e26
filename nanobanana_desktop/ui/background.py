"""The coroutines a widget starts and owns.

A widget keeps them so they are not collected mid-flight, waits for them in tests
(`settle`) and cancels them when it closes. A failure reaches the loop's exception
handler as soon as the task ends (the app's one error handler), not when the task
happens to be garbage-collected.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any


class BackgroundTasks:
    def __init__(self, what: str) -> None:
        self._what = what  # "a window action", for the error message
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            task.get_loop().call_exception_handler(
                {"message": f"{self._what} failed", "exception": task.exception(), "task": task}
            )

    async def settle(self) -> None:
        """Until every task started here, and those they started, has finished."""
        while pending := [task for task in self._tasks if not task.done()]:
            await asyncio.wait(pending)

    async def cancel(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __iter__(self) -> Iterator[asyncio.Task[Any]]:
        return iter(list(self._tasks))

    def __len__(self) -> int:
        return len(self._tasks)
