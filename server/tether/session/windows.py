"""Several processes on one session: catching up, the live mirror, closing dead turns.

Two editor windows (or an editor and `tether chat`) share a session's history file.
This is the manager's cross-process side: before each model request and while a client
has the session open it reads what other processes appended (`catch_up`, folded in by
`mirror.fold_foreign` and forwarded to this process's clients in seq order, and handed
to `follow`: the change ledger, so another window's undo or rewind counts here); a session
loaded with a turn whose process died gets that turn closed (`recovery.plan_recovery`);
and a prompt right after another window's turn ended waits the moment it takes that
window to let go of the session's turn lease.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tether.errors import SessionNotFoundError
from tether.protocol.events import EVENT_TYPES, MessageAdded, TurnFailed
from tether.session.mirror import fold_foreign
from tether.session.recovery import plan_recovery
from tether.session.state import SessionState
from tether.store.base import SessionStore
from tether.store.locks import TurnLease

log = logging.getLogger(__name__)

LEASE_GRACE_SECONDS = 5.0  # a process that wrote its turn's end releases the lease in ms
_TERMINAL_TYPES = {name for name, cls in EVENT_TYPES.items() if cls.terminal}


Follow = Callable[[str, Sequence[Mapping[str, Any]]], None]


class SessionSync:
    def __init__(self, store: SessionStore, states: dict[str, SessionState],
                 new_id: Callable[[], str], mirror_interval: float | None,
                 follow: Follow | None = None) -> None:
        self.store = store
        self._states = states  # the manager's: sessions this process holds
        self._new_id = new_id
        self._follow = follow  # more state built from the records (the change ledger)
        self._interval = mirror_interval
        self._mirror: asyncio.Task[None] | None = None

    async def catch_up(self, state: SessionState) -> None:
        """Fold in and forward what other processes appended to the session."""
        records = await state.emitter.catch_up()
        if records:
            if self._follow is not None:  # no await from the read on: folded in seq order
                self._follow(state.info.id, records)
            for event in fold_foreign(state, records):
                state.emitter.publish(event)

    async def recover(self, state: SessionState) -> None:
        """Close a turn left unfinished by a process that ended (none while one runs)."""
        lease = await asyncio.to_thread(self.store.turn_lease, state.info.id)
        if lease is None:
            return  # a turn runs in another process: it is not interrupted
        try:
            await self.close_interrupted(state)
        finally:
            lease.release()

    async def close_interrupted(self, state: SessionState) -> None:
        """With the lease held: end the newest turn if its process died without ending it
        (it may have died after this process loaded the session)."""
        session_id = state.info.id
        await self.catch_up(state)
        records = await asyncio.to_thread(self.store.last_turn, session_id)
        plan = plan_recovery(records, self._new_id)
        if plan is None:
            return
        log.warning("session %s: turn %s had no end; closing it (%s)",
                    session_id, plan.turn_id, plan.reason)
        scope = state.emitter.scope(plan.turn_id)
        for message in plan.messages:
            state.messages.append(message)
            await state.emitter.emit(MessageAdded(**scope, message=message))
        await state.emitter.emit(TurnFailed(**scope, reason=plan.reason), sync=True)

    async def lease_of_ended_turn(self, session_id: str) -> TurnLease | None:
        """The lease, when the other process has written its turn's end and is only about
        to let go of it (a window that saw the end may prompt at once); else None."""
        records = await asyncio.to_thread(self.store.last_turn, session_id)
        if not any(r.get("type") in _TERMINAL_TYPES for r in records):
            return None
        for _ in range(int(LEASE_GRACE_SECONDS / 0.02)):
            lease = self.store.turn_lease(session_id)
            if lease is not None:
                return lease
            await asyncio.sleep(0.02)
        return None

    def start_mirror(self) -> None:
        if self._interval is None or self._mirror is not None:
            return
        self._mirror = asyncio.create_task(self._watch(self._interval))

    async def _watch(self, interval: float) -> None:
        """Poll the history files of the sessions this process holds; forward foreign
        records. Polling (a read of a few bytes when nothing changed) works on every
        file system, network shares included, where change notification does not."""
        while True:
            await asyncio.sleep(interval)
            for state in list(self._states.values()):
                try:
                    await self.catch_up(state)
                except SessionNotFoundError:
                    self._states.pop(state.info.id, None)  # deleted by another process
                except Exception:
                    log.exception("mirroring session %s failed", state.info.id)

    async def aclose(self) -> None:
        if self._mirror is not None:
            self._mirror.cancel()
            await asyncio.gather(self._mirror, return_exceptions=True)
            self._mirror = None
