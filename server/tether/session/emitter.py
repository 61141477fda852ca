"""Numbering, redacting, persisting and publishing the events of one session.

A durable event gets its seq from the store, under the session's cross-process lock and
from the file's own tail, so two processes appending to one session never share a seq;
it is appended before listeners hear of it, so a client that reconnects can replay
everything it was told. Transient events (deltas, chunks) are numbered here, just past
the last seq this process knows; only the process holding the session's turn lease
streams them, and the next durable seq is always above them.

The emitter also remembers how far into the file this process has read (`offset`) and
which records there are its own, so a catch-up (`catch_up`) returns exactly what other
processes appended, in file order, which is seq order.

Streamed text (text and reasoning deltas, tool output chunks) is joined here first, by
the one `StreamCoalescer` of the session (at most ~60 deltas a second; any other event
releases what is pending before it), so each delta is redacted, numbered and published
once per release, not once per provider chunk.

Every event passes the redactor here, before it is numbered (invariant 6). Streamed
text goes through one `StreamRedactor` per stream, so a key split across two chunks is
masked too: a tail that may still turn into a secret is held until the next release,
or released when the stream ends (its `text_complete`, `message_added` or
`tool_call_completed`, or the end of the turn). A `stream_retry` drops what was held,
as the client drops that attempt's text.
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
from tether.session.deltas import StreamCoalescer
from tether.store.base import Appended, SessionStore, StoredRecord

log = logging.getLogger(__name__)

Listener = Callable[[SessionEvent], None]
E = TypeVar("E", bound=EventBase)
StreamKind = type[TextDelta] | type[ReasoningDelta] | type[ToolOutputChunk]
_STREAM_ID = {TextDelta: "message_id", ReasoningDelta: "message_id",
              ToolOutputChunk: "tool_call_id"}
_TERMINAL = (TurnCompleted, TurnCancelled, TurnFailed, StepLimitReached)
StreamKey = tuple[StreamKind, str, str | None]  # (event type, message/tool call id, turn)


class EventEmitter:
    def __init__(
        self,
        session_id: str,
        store: SessionStore,
        listeners: list[Listener],
        *,
        last_seq: int = 0,
        offset: int = 0,
    ) -> None:
        self.session_id = session_id
        self._store = store
        self._listeners = listeners  # shared with the manager: subscribe() adds to it
        self.seq = last_seq
        self._streams: dict[tuple[StreamKind, str], tuple[str | None, StreamRedactor]] = {}
        self.deltas: StreamCoalescer[StreamKey] = StreamCoalescer(self._release_chunk)
        self.offset = offset  # bytes of the history file this process has folded in
        self._own: set[int] = set()  # seqs we appended past `offset`
        self._catching_up = asyncio.Lock()

    async def emit(self, event_type: type[E], turn_id: str | None, *, sync: bool = False,
                   stored_without: tuple[str, ...] = (), **fields: Any) -> E | None:
        """Redact, number, persist (if durable) and publish one event.

        A streamed chunk is only queued (None): it goes out joined with its neighbours.
        `stored_without` names wire fields left out of the stored record because another
        record holds the same fact (see `tether.store.compact`); readers put them back.
        """
        if event_type in _STREAM_ID:
            self._queue_chunk(event_type, turn_id, fields)
            return None
        self.deltas.flush()  # streamed text first: seq order is emission order
        self._end_streams(event_type, fields)
        event = self._number(event_type, turn_id, REDACTOR.redact_value(fields))
        provisional = event.seq  # transient events emitted meanwhile number above it
        stored: EventBase | dict[str, Any] = event
        if stored_without:
            stored = {k: v for k, v in event.to_wire().items() if k not in stored_without}
        if event.durable:
            self._own.add(provisional)  # before the write: a catch-up may read it first
            try:
                if sync:
                    appended = await asyncio.to_thread(
                        self._store.append, self.session_id, [stored], sync=True, number=True,
                        after_seq=provisional - 1)
                else:
                    appended = self._store.append(self.session_id, [stored], sync=False,
                                                  number=True, after_seq=provisional - 1)
            except Exception:  # nothing was written (a cancelled thread may still write)
                self._own.discard(provisional)
                raise
            self._stored(appended, provisional)
            event.seq = appended.first_seq or event.seq
        self.publish(event)
        return event

    def _stored(self, appended: Appended, provisional: int) -> None:
        if appended.first_seq != provisional:
            self._own.discard(provisional)
        if appended.last_seq:
            self._own.update(range(appended.first_seq, appended.last_seq + 1))
            self.seq = max(self.seq, appended.last_seq)

    def emit_transient(self, event_type: type[E], turn_id: str | None,
                       **fields: Any) -> E | None:
        """`emit` for events that are never persisted, callable from a timer callback."""
        assert not event_type.durable
        if event_type in _STREAM_ID:
            self._queue_chunk(event_type, turn_id, fields)
            return None
        self.deltas.flush()
        self._end_streams(event_type, fields)
        event = self._number(event_type, turn_id, REDACTOR.redact_value(fields))
        self.publish(event)
        return event

    async def catch_up(self) -> list[dict[str, Any]]:
        """The records other processes appended since the last catch-up, in seq order."""
        async with self._catching_up:
            stored: list[StoredRecord]
            stored, reached = await asyncio.to_thread(
                self._store.read_after, self.session_id, self.offset)
            foreign: list[dict[str, Any]] = []
            for item in stored:
                seq = item.record.get("seq")
                if isinstance(seq, int) and not isinstance(seq, bool):
                    if seq in self._own:
                        self._own.discard(seq)
                        continue
                    self.seq = max(self.seq, seq)
                foreign.append(item.record)
            self.offset = max(self.offset, reached)
            return foreign

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

    def _queue_chunk(self, event_type: type[E], turn_id: str | None,
                     fields: dict[str, Any]) -> None:
        kind: StreamKind = event_type  # type: ignore[assignment]
        self.stream_text(kind, turn_id, str(fields[_STREAM_ID[kind]]),
                         str(fields.get("text", "")))

    def stream_text(self, kind: StreamKind, turn_id: str | None, stream_id: str,
                    text: str) -> None:
        """Queue streamed text (the per-delta hot path): it goes out joined, redacted."""
        if text:
            self.deltas.add((kind, stream_id, turn_id), text)

    def _release_chunk(self, key: StreamKey, text: str) -> None:
        """The coalescer's output: redact (across releases), number, publish."""
        kind, stream_id, turn_id = key
        entry = self._streams.get((kind, stream_id))
        if entry is None:
            entry = self._streams[(kind, stream_id)] = (turn_id, StreamRedactor())
        text = entry[1].feed(text)
        if not entry[1].holding:
            del self._streams[(kind, stream_id)]  # nothing held: no state kept between
        if text:
            self.publish(self._number(kind, turn_id, {_STREAM_ID[kind]: stream_id,
                                                      "text": text}))

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
