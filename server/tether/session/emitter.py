"""Numbering, redacting, persisting and publishing the events of one session.

A durable event gets its seq from the store, under the session's cross-process lock and
from the file's own tail, so two processes appending to one session never share a seq;
it is appended before listeners hear of it, so a client that reconnects can replay
everything it was told. Transient events (deltas, chunks) are numbered here, just past
the last seq this process knows; only the process holding the session's turn lease
streams them, and the next durable seq is always above them.

Callers build the event they mean (`emit(TurnCompleted(**emitter.scope(turn_id),
reason=...))`), so a misspelt or mistyped field fails the type check; the seq and the
time are the emitter's to assign. Streamed text takes a faster road, `stream_text`: no
model per provider chunk, only per release.

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
import functools
import logging
from collections.abc import Callable
from typing import Any, Protocol, TypedDict, TypeVar

from tether.protocol.events import (
    EventBase,
    MessageAdded,
    ReasoningDelta,
    SessionEvent,
    StreamRetry,
    TextComplete,
    TextDelta,
    ToolCallCompleted,
    ToolOutputChunk,
)
from tether.protocol.models import utc_now
from tether.redaction import REDACTOR, StreamRedactor
from tether.session.deltas import StreamCoalescer
from tether.store.base import Appended, SessionStore, StoredRecord

log = logging.getLogger(__name__)

Listener = Callable[[SessionEvent], None]
E = TypeVar("E", bound=EventBase)
StreamKind = type[TextDelta] | type[ReasoningDelta] | type[ToolOutputChunk]
StreamChunk = TextDelta | ReasoningDelta | ToolOutputChunk
StreamKey = tuple[StreamKind, str, str | None]  # (event type, message/tool call id, turn)


@functools.cache
def _payload(kind: type[EventBase]) -> tuple[str, ...]:
    """The fields of `kind` its caller fills (not the ids, seq, time, type and _meta)."""
    return tuple(name for name in kind.model_fields
                 if name not in EventBase.model_fields and name != "type")


class EventScope(TypedDict):
    """Whose an event is: `TurnCompleted(**scope, reason=...)` names it at the call site."""

    session_id: str
    turn_id: str | None


class Emit(Protocol):
    """Emits an event its caller built: `EventEmitter.emit`, a turn's, a preview's no-op."""

    async def __call__(self, event: E, *, sync: bool = False) -> E: ...


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

    def scope(self, turn_id: str | None) -> EventScope:
        """The ids an event of this session (and `turn_id`) is built with."""
        return {"session_id": self.session_id, "turn_id": turn_id}

    async def emit(self, event: E, *, sync: bool = False,
                   stored_without: tuple[str, ...] = ()) -> E:
        """Redact, number, persist (if durable) and publish one event the caller built.

        The caller names the session, the turn and the fields; the seq and the time are
        assigned here. Streamed text does not come this way: `stream_text` joins it.
        `stored_without` names wire fields left out of the stored record because another
        record holds the same fact (see `tether.store.compact`); readers put them back.
        """
        event = self._number(event)
        if not event.durable:
            self.publish(event)
            return event
        provisional = event.seq  # transient events emitted meanwhile number above it
        stored: EventBase | dict[str, Any] = event
        if stored_without:
            stored = {k: v for k, v in event.to_wire().items() if k not in stored_without}
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

    def _number(self, event: E) -> E:
        """The event as it goes out: pending streamed text released first (seq order is
        emission order), redacted, with its seq and time."""
        if isinstance(event, StreamChunk):
            raise TypeError(f"{event.type} is streamed text: queue it with stream_text")
        if event.session_id != self.session_id:
            raise ValueError(f"an event of session {event.session_id} emitted on "
                             f"{self.session_id}")
        self.deltas.flush()
        self._end_streams(event)
        event = REDACTOR.redact_fields(event, _payload(type(event)))
        self.seq += 1
        event.seq, event.time = self.seq, utc_now()
        return event

    def _stored(self, appended: Appended, provisional: int) -> None:
        if appended.first_seq != provisional:
            self._own.discard(provisional)
        if appended.last_seq:
            self._own.update(range(appended.first_seq, appended.last_seq + 1))
            self.seq = max(self.seq, appended.last_seq)

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

    # -- streamed text --------------------------------------------------------------------

    def stream_text(self, kind: StreamKind, turn_id: str | None, stream_id: str,
                    text: str) -> None:
        """Queue streamed text (the per-delta hot path): it goes out joined, redacted, as
        `kind` events of the message (deltas) or tool call (output) `stream_id`."""
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
            self.publish(self._chunk(kind, turn_id, stream_id, text))

    def _chunk(self, kind: StreamKind, turn_id: str | None, stream_id: str,
               text: str) -> StreamChunk:
        """One numbered streamed event (its text already redacted)."""
        self.seq += 1
        if issubclass(kind, ToolOutputChunk):
            return ToolOutputChunk(session_id=self.session_id, turn_id=turn_id, seq=self.seq,
                                   tool_call_id=stream_id, text=text)
        return kind(session_id=self.session_id, turn_id=turn_id, seq=self.seq,
                    message_id=stream_id, text=text)

    def _end_streams(self, event: EventBase) -> None:
        """Release (or drop) the held stream tails that `event` ends."""
        if not self._streams:
            return
        if isinstance(event, StreamRetry):
            for key in [k for k in self._streams if k[0] is not ToolOutputChunk]:
                del self._streams[key]
            return
        for key in self._ended_by(event):
            entry = self._streams.pop(key, None)
            if entry is None:
                continue
            rest = entry[1].flush()
            if rest:
                self.publish(self._chunk(key[0], entry[0], key[1], rest))

    def _ended_by(self, event: EventBase) -> list[tuple[StreamKind, str]]:
        """The streams `event` closes: all at the turn's end, else those of its message or
        tool call."""
        if event.terminal:
            return list(self._streams)
        if isinstance(event, TextComplete):
            return [(TextDelta, event.message_id)]
        if isinstance(event, MessageAdded):
            return [(TextDelta, event.message.id), (ReasoningDelta, event.message.id)]
        if isinstance(event, ToolCallCompleted):
            return [(ToolOutputChunk, event.tool_call_id)]
        return []
