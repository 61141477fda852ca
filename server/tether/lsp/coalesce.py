"""Stream deltas to the editor at a bounded rate without losing a character.

Models stream hundreds of tiny text deltas per second; one notification each floods the
editor's UI thread. Consecutive deltas of the same stream (same message for text and
reasoning, same tool call for output chunks) are merged into one event that keeps the
`seq` and time of the last one, and a session gets at most `max_rate` delta
notifications per second. Any other event first flushes what is pending, so the order
the engine emitted is the order the editor sees.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from tether.protocol.events import (
    EventBase,
    ReasoningDelta,
    TextDelta,
    ToolOutputChunk,
)

_Mergeable = TextDelta | ReasoningDelta | ToolOutputChunk


class _Handle(Protocol):
    def cancel(self) -> None: ...


def _stream_key(event: EventBase) -> tuple[str, str | None, str] | None:
    if isinstance(event, TextDelta | ReasoningDelta):
        return (event.type, event.turn_id, event.message_id)
    if isinstance(event, ToolOutputChunk):
        return (event.type, event.turn_id, event.tool_call_id)
    return None


@dataclass
class _SessionStream:
    key: tuple[str, str | None, str] | None = None
    last: _Mergeable | None = None
    parts: list[str] = field(default_factory=list)
    last_sent: float = float("-inf")
    timer: _Handle | None = None


class EventCoalescer:
    """Feed every session event to `push`; `send` gets what goes on the wire."""

    def __init__(
        self,
        send: Callable[[EventBase], None],
        *,
        max_rate: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        call_later: Callable[[float, Callable[[], None]], _Handle] | None = None,
    ) -> None:
        self._send = send
        self._interval = 1.0 / max_rate
        self._clock = clock
        self._call_later = call_later
        self._streams: dict[str, _SessionStream] = {}
        self.sent = 0  # notifications sent, for benchmarks and tests

    def push(self, event: EventBase) -> None:
        key = _stream_key(event)
        stream = self._streams.get(event.session_id)
        if stream is None:
            stream = self._streams[event.session_id] = _SessionStream()
        if key is None:
            self._flush(stream)
            self._emit(event)
            return
        assert isinstance(event, _Mergeable)
        if stream.last is not None and stream.key != key:
            self._flush(stream)
        stream.key = key
        stream.last = event
        stream.parts.append(event.text)
        wait = stream.last_sent + self._interval - self._clock()
        if wait <= 0:
            self._flush(stream)
        elif stream.timer is None:
            stream.timer = self._schedule(wait, lambda: self._flush(stream))

    def flush(self, session_id: str | None = None) -> None:
        """Send what is pending now (one session, or all)."""
        if session_id is None:
            for stream in list(self._streams.values()):
                self._flush(stream)
        elif (one := self._streams.get(session_id)) is not None:
            self._flush(one)

    def forget(self, session_id: str) -> None:
        """Flush and drop a session's state (deleted session, closed folder)."""
        stream = self._streams.pop(session_id, None)
        if stream is not None:
            self._flush(stream)

    def _flush(self, stream: _SessionStream) -> None:
        if stream.timer is not None:
            stream.timer.cancel()
            stream.timer = None
        last, parts = stream.last, stream.parts
        if last is None:
            return
        stream.last, stream.key, stream.parts = None, None, []
        merged = last if len(parts) == 1 else last.model_copy(update={"text": "".join(parts)})
        stream.last_sent = self._clock()
        self._emit(merged)

    def _emit(self, event: EventBase) -> None:
        self.sent += 1
        self._send(event)

    def _schedule(self, delay: float, callback: Callable[[], None]) -> _Handle:
        if self._call_later is not None:
            return self._call_later(delay, callback)
        return asyncio.get_running_loop().call_later(delay, callback)
