"""Numbering, persisting and publishing the events of one session.

One emitter per session holds the seq counter, so seq is strictly increasing in the order
events are emitted. A durable event is appended to history before listeners hear of it,
so a client that reconnects can replay everything it was told.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from tether.protocol.events import EventBase, SessionEvent
from tether.store.base import SessionStore

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
    ) -> None:
        self.session_id = session_id
        self._store = store
        self._listeners = listeners  # shared with the manager: subscribe() adds to it
        self.seq = last_seq

    async def emit(self, event_type: type[E], turn_id: str | None, *, sync: bool = False,
                   **fields: Any) -> E:
        """Create, number, persist (if durable) and publish one event."""
        self.seq += 1
        event = event_type(session_id=self.session_id, turn_id=turn_id, seq=self.seq, **fields)
        if event.durable:
            if sync:
                await asyncio.to_thread(self._store.append, self.session_id, [event], sync=True)
            else:
                self._store.append(self.session_id, [event], sync=False)
        self.publish(event)
        return event

    def emit_transient(self, event_type: type[E], turn_id: str | None, **fields: Any) -> E:
        """`emit` for events that are never persisted, callable from a timer callback."""
        assert not event_type.durable
        self.seq += 1
        event = event_type(session_id=self.session_id, turn_id=turn_id, seq=self.seq, **fields)
        self.publish(event)
        return event

    def publish(self, event: EventBase) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)  # type: ignore[arg-type]
            except Exception:  # a broken listener must not break the turn
                log.exception("event listener failed on %s", event.type)  # type: ignore[attr-defined]
