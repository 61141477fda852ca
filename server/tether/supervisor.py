"""The one way background work is started: a named task, kept, logged, closed with its owner.

asyncio keeps only a weak reference to a running task, so a task nobody holds can vanish
mid-flight; and a task nobody awaits loses its exception (at best a "never retrieved"
warning at garbage collection). A `TaskSupervisor` holds each task it spawns until it
ends, logs a failure with the task's name, and on `aclose` cancels whatever still runs and
waits for it, as ACP's supervisor does for its connection. Each owner of background work
(a folder, a session manager, a server connection, an index) has one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

log = logging.getLogger(__name__)

_T = TypeVar("_T")


class TaskSupervisor:
    """The background tasks of one owner; `label` (a folder's name, ...) ends each task name."""

    def __init__(self, label: str = "", *, logger: logging.Logger | None = None) -> None:
        self.label = label
        self._log = logger or log
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    def spawn(self, coro: Coroutine[Any, Any, _T], name: str) -> asyncio.Task[_T]:
        """Run `coro` as a task named `name` (plus the label); after `aclose` it is cancelled
        at once, so work started by a late callback never outlives its owner."""
        full = f"{name} {self.label}" if self.label else name
        task = asyncio.get_running_loop().create_task(coro, name=full)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        if self._closed:
            task.cancel()
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._log.error("%s failed: %s", task.get_name(), exc, exc_info=exc)

    def __iter__(self) -> Iterator[asyncio.Task[Any]]:
        """The tasks not finished yet (a copy: they leave the set as they end)."""
        return iter(list(self._tasks))

    def __len__(self) -> int:
        return len(self._tasks)

    async def settle(self, timeout: float) -> None:
        """Give the running tasks up to `timeout` seconds to finish on their own."""
        if self._tasks and timeout > 0:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def aclose(self) -> None:
        """Cancel every task and wait until all have ended; later spawns are cancelled too.

        The task calling this is left alone when it is one of ours (a close spawned as
        background work of the same owner).
        """
        self._closed = True
        current = asyncio.current_task()
        while pending := [t for t in self._tasks if t is not current and not t.done()]:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._tasks = {t for t in self._tasks if not t.done()}  # their callbacks may lag
