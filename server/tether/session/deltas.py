"""Gathering streamed text for a few milliseconds before it becomes an event.

A model streams thousands of tiny deltas a turn; no editor redraws faster than ~60 Hz.
Deltas of one kind and message are joined for at most `window` seconds (or until any
other event is due, which flushes first, so seq order and every character are kept).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tether.protocol.events import ReasoningDelta, TextDelta

FLUSH_WINDOW_SECONDS = 0.016

Emit = Callable[[type[TextDelta] | type[ReasoningDelta], str, str], None]


class DeltaBuffer:
    def __init__(self, emit: Emit, *, window: float = FLUSH_WINDOW_SECONDS) -> None:
        self._emit = emit  # (event type, message id, text), synchronous
        self._window = window
        self._kind: type[TextDelta] | type[ReasoningDelta] = TextDelta
        self._message_id = ""
        self._parts: list[str] = []
        self._timer: asyncio.TimerHandle | None = None

    def add(self, kind: type[TextDelta] | type[ReasoningDelta], message_id: str,
            text: str) -> None:
        if self._parts and (kind is not self._kind or message_id != self._message_id):
            self.flush()
        self._kind, self._message_id = kind, message_id
        self._parts.append(text)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._window, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._parts:
            text, self._parts = "".join(self._parts), []
            self._emit(self._kind, self._message_id, text)
