"""The one delta coalescer: streamed text leaves a session at a bounded rate, whole.

A model streams thousands of tiny deltas a turn and a command prints many small chunks;
no editor redraws faster than ~60 Hz, and every event costs a model, a redaction pass and
a notification. Consecutive text of one stream (a message's text or reasoning, a tool
call's output) is joined; a stream's text is released at once when nothing went out for
`1 / max_rate` seconds, else when that interval has passed (a timer), so a session sends
at most `max_rate` deltas per second. A change of stream, and any other event of the
session (the emitter calls `flush` first), releases what is pending, so the order the
engine produced is the order clients see and every character is kept.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from typing import Generic, Protocol, TypeVar

MAX_RATE = 60.0  # releases per second and session

K = TypeVar("K", bound=Hashable)


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


CallLater = Callable[[float, Callable[[], None]], TimerHandle]


class StreamCoalescer(Generic[K]):
    """Feed text with `add(key, text)`; `release(key, joined)` gets what goes out."""

    def __init__(
        self,
        release: Callable[[K, str], None],
        *,
        max_rate: float = MAX_RATE,
        clock: Callable[[], float] = time.monotonic,
        call_later: CallLater | None = None,
    ) -> None:
        self._release = release
        self._interval = 1.0 / max_rate
        self._clock = clock
        self._call_later = call_later
        self._key: K | None = None
        self._parts: list[str] = []
        self._last_sent = float("-inf")
        self._timer: TimerHandle | None = None
        self.released = 0  # releases so far, for benchmarks and tests

    def add(self, key: K, text: str) -> None:
        if self._timer is not None and key == self._key:  # the hot path: join and wait
            self._parts.append(text)
            return
        if self._parts and key != self._key:
            self.flush()
        self._key = key
        self._parts.append(text)
        wait = self._last_sent + self._interval - self._clock()
        if wait <= 0:
            self.flush()
        elif self._timer is None:
            self._timer = self._schedule(wait)

    def flush(self) -> None:
        """Release what is pending now (nothing pending: nothing released)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._parts:
            return
        key, parts = self._key, self._parts
        self._key, self._parts = None, []
        self._last_sent = self._clock()
        self.released += 1
        assert key is not None
        self._release(key, parts[0] if len(parts) == 1 else "".join(parts))

    def _schedule(self, delay: float) -> TimerHandle:
        if self._call_later is not None:
            return self._call_later(delay, self.flush)
        return asyncio.get_running_loop().call_later(delay, self.flush)
