"""Numbering, persisting and publishing the events of one session.

A durable event gets its seq from the store, under the session's cross-process lock and
from the file's own tail, so two processes appending to one session never share a seq;
it is appended before listeners hear of it, so a client that reconnects can replay
everything it was told. Transient events (deltas, chunks) are numbered here, just past
the last seq this process knows; only the process holding the session's turn lease
streams them, and the next durable seq is always above them.

The emitter also remembers how far into the file this process has read (`offset`) and
which records there are its own, so a catch-up (`catch_up`) returns exactly what other
processes appended, in file order, which is seq order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from tether.protocol.events import EventBase, SessionEvent
from tether.store.base import Appended, SessionStore, StoredRecord

log = logging.getLogger(__name__)

Listener = Callable[[SessionEvent], None]
E = TypeVar("E", bound=EventBase)


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
        self.offset = offset  # bytes of the history file this process has folded in
        self._own: set[int] = set()  # seqs we appended past `offset`
        self._catching_up = asyncio.Lock()

    async def emit(self, event_type: type[E], turn_id: str | None, *, sync: bool = False,
                   stored_without: tuple[str, ...] = (), **fields: Any) -> E:
        """Create, number, persist (if durable) and publish one event.

        `stored_without` names wire fields left out of the stored record because another
        record holds the same fact (see `tether.store.compact`); readers put them back.
        """
        self.seq += 1
        provisional = self.seq  # transient events emitted meanwhile number above it
        event = event_type(session_id=self.session_id, turn_id=turn_id, seq=provisional,
                           **fields)
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

    def emit_transient(self, event_type: type[E], turn_id: str | None, **fields: Any) -> E:
        """`emit` for events that are never persisted, callable from a timer callback."""
        assert not event_type.durable
        self.seq += 1
        event = event_type(session_id=self.session_id, turn_id=turn_id, seq=self.seq, **fields)
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
