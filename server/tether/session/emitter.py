"""Numbering, redacting, persisting and publishing the events of one session.

One emitter per session holds the seq counter, so seq is strictly increasing in the order
events are emitted. A durable event is appended to history before listeners hear of it,
so a client that reconnects can replay everything it was told.

Every event passes the redactor here, before it is numbered (invariant 6). Streamed
text (text and reasoning deltas, tool output chunks) goes through one `StreamRedactor`
per stream, so a key split across two chunks is masked too: a tail that may still turn
into a secret is held until the next chunk, or released when the stream ends (its
`text_complete`, `message_added` or `tool_call_completed`, or the end of the turn). A
`stream_retry` drops what was held, as the client drops that attempt's text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from tether.protocol.events import (
    EventBase,
    MessageAdded,
    ReasoningDelta,
    SessionEvent,
    StepLimitReached,
    StreamRetry,
    TextComplete,
    TextDelta,
    ToolCallCompleted,
    ToolOutputChunk,
    TurnCancelled,
    TurnCompleted,
    TurnFailed,
)
from tether.redaction import REDACTOR, StreamRedactor
from tether.store.base import SessionStore

log = logging.getLogger(__name__)

Listener = Callable[[SessionEvent], None]
E = TypeVar("E", bound=EventBase)
StreamKind = type[TextDelta] | type[ReasoningDelta] | type[ToolOutputChunk]
_STREAM_ID = {TextDelta: "message_id", ReasoningDelta: "message_id",
              ToolOutputChunk: "tool_call_id"}
_TERMINAL = (TurnCompleted, TurnCancelled, TurnFailed, StepLimitReached)


class EventEmitter:
    def __init__(
        self,
        session_id: str,
        store: SessionStore,
        listeners: list[Listener],
        *,
        last_seq: int = 0,
    ) -> None:
        self.session_id = session_id
        self._store = store
        self._listeners = listeners  # shared with the manager: subscribe() adds to it
        self.seq = last_seq
        self._streams: dict[tuple[StreamKind, str], tuple[str | None, StreamRedactor]] = {}

    async def emit(self, event_type: type[E], turn_id: str | None, *, sync: bool = False,
                   **fields: Any) -> E | None:
        """Redact, number, persist (if durable) and publish one event.

        None when a streamed chunk was held back whole (it may start a secret)."""
        if event_type in _STREAM_ID:
            return self._emit_chunk(event_type, turn_id, fields)
        self._end_streams(event_type, fields)
        event = self._number(event_type, turn_id, REDACTOR.redact_value(fields))
        if event.durable:
            if sync:
                await asyncio.to_thread(self._store.append, self.session_id, [event], sync=True)
            else:
                self._store.append(self.session_id, [event], sync=False)
        self.publish(event)
        return event

    def emit_transient(self, event_type: type[E], turn_id: str | None,
                       **fields: Any) -> E | None:
        """`emit` for events that are never persisted, callable from a timer callback."""
        assert not event_type.durable
        if event_type in _STREAM_ID:
            return self._emit_chunk(event_type, turn_id, fields)
        self._end_streams(event_type, fields)
        event = self._number(event_type, turn_id, REDACTOR.redact_value(fields))
        self.publish(event)
        return event

    def publish(self, event: EventBase) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)  # type: ignore[arg-type]
            except Exception:  # a broken listener must not break the turn
                log.exception("event listener failed on %s", event.type)  # type: ignore[attr-defined]

    def _number(self, event_type: type[E], turn_id: str | None, fields: dict[str, Any]) -> E:
        self.seq += 1
        return event_type(session_id=self.session_id, turn_id=turn_id, seq=self.seq, **fields)

    # -- streamed text --------------------------------------------------------------------

    def _emit_chunk(self, event_type: type[E], turn_id: str | None,
                    fields: dict[str, Any]) -> E | None:
        kind: StreamKind = event_type  # type: ignore[assignment]
        key = (kind, str(fields[_STREAM_ID[kind]]))
        entry = self._streams.get(key)
        if entry is None:
            entry = self._streams[key] = (turn_id, StreamRedactor())
        text = entry[1].feed(str(fields.get("text", "")))
        if not entry[1].holding:
            del self._streams[key]  # nothing held: no state kept between chunks
        if not text:
            return None
        event = self._number(event_type, turn_id, {**fields, "text": text})
        self.publish(event)
        return event

    def _end_streams(self, event_type: type[EventBase], fields: dict[str, Any]) -> None:
        """Release (or drop) held stream tails that `event_type` ends."""
        if not self._streams:
            return
        ended: list[tuple[StreamKind, str]]
        if event_type is StreamRetry:
            for key in [k for k in self._streams if k[0] is not ToolOutputChunk]:
                del self._streams[key]
            return
        if issubclass(event_type, _TERMINAL):
            ended = list(self._streams)
        elif event_type is TextComplete:
            ended = [(TextDelta, str(fields.get("message_id")))]
        elif event_type is MessageAdded:
            message_id = str(getattr(fields.get("message"), "id", ""))
            ended = [(TextDelta, message_id), (ReasoningDelta, message_id)]
        elif event_type is ToolCallCompleted:
            ended = [(ToolOutputChunk, str(fields.get("tool_call_id")))]
        else:
            return
        for key in ended:
            entry = self._streams.pop(key, None)
            if entry is None:
                continue
            rest = entry[1].flush()
            if rest:
                kind, stream_id = key
                chunk = self._number(kind, entry[0], {_STREAM_ID[kind]: stream_id, "text": rest})
                self.publish(chunk)
