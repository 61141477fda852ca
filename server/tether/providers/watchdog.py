"""The idle timeout and the request deadline of one streamed response, on one timer."""

from __future__ import annotations

import asyncio


class IdleWatchdog:
    """The per-chunk idle timeout and the request deadline, with one timer per stream.

    `asyncio.timeout` around every read costs a timer and two context switches per token;
    this timer is pushed forward lazily and cancels the task only while it is reading,
    turning that cancel into TimeoutError exactly as `asyncio.timeout` would. `expired`
    says which bound it was: "idle" (no byte for `idle` seconds) or "deadline".

    The reader brackets each read itself, with plain calls (no coroutine per token):

        watchdog.start_read()          # TimeoutError when the deadline already passed
        try:
            chunk = await anext(chunks)
        except asyncio.CancelledError:
            if watchdog.timed_out():   # the cancel was the watchdog's
                raise TimeoutError from None
            raise
        finally:
            watchdog.end_read()
    """

    def __init__(self, idle: float, deadline: float | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        self._task = task
        self._idle = idle
        self._deadline = deadline
        self._read_started = self._loop.time()
        self._reading = False
        self._fired = False
        self.expired: str | None = None
        self._handle = self._loop.call_at(self._due(), self._check)

    def start_read(self) -> None:
        """A read begins: the idle bound counts from now."""
        self._read_started = self._loop.time()
        if self._deadline is not None and self._read_started >= self._deadline:
            self.expired = "deadline"  # it passed while the consumer was busy
            raise TimeoutError
        self._reading = True

    def end_read(self) -> None:
        self._reading = False

    def timed_out(self) -> bool:
        """Whether the CancelledError a read got was this watchdog's (and no one else's):
        then it is a timeout, and the task is no longer being cancelled."""
        if not self._fired:
            return False
        self._fired = False
        return self._task.uncancel() == 0

    def _due(self) -> float:
        due = self._read_started + self._idle
        return due if self._deadline is None else min(due, self._deadline)

    def _check(self) -> None:
        now = self._loop.time()
        due = self._due()
        if self._reading and now >= due:
            self.expired = (
                "deadline" if self._deadline is not None and now >= self._deadline else "idle"
            )
            self._fired = True
            self._task.cancel()
            return
        later = due if self._reading else now + self._idle
        if not self._reading and self._deadline is not None and self._deadline > now:
            later = min(later, self._deadline)
        self._handle = self._loop.call_at(later, self._check)

    def close(self) -> None:
        self._handle.cancel()
