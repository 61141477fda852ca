"""Folding what other processes appended to a session into this process's view of it.

Two editor windows (or an editor and `tether chat`) on one session share its history
file. Before a turn builds a model request, and while a client has the session open,
the manager reads the records another process appended (`EventEmitter.catch_up`) and
folds them in here: messages join the in-memory conversation (so this window's model
sees the other window's turns), title and usage follow, and the records come back as
events to forward to this process's clients as `tether/session/event`, in seq order.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from tether.protocol.events import (
    MessageAdded,
    SessionEvent,
    TitleChanged,
    UsageUpdated,
    parse_event,
)
from tether.session.state import SessionState
from tether.store.compact import inflate

log = logging.getLogger(__name__)


def fold_foreign(state: SessionState, records: list[dict[str, Any]]) -> list[SessionEvent]:
    """Apply records appended by another process to `state`; the events to forward."""
    events: list[SessionEvent] = []
    known = {m.id for m in state.messages[-64:]}
    replies = {m.turn_id: m.text for m in state.messages[-64:] if m.role == "assistant"}
    for record in inflate(records, replies):
        try:
            event = parse_event(record)
        except (ValidationError, ValueError):
            continue  # a record type this version does not know: kept on disk, not sent
        if isinstance(event, MessageAdded):
            if event.message.id in known:
                continue
            state.messages.append(event.message)
            known.add(event.message.id)
        elif isinstance(event, TitleChanged):
            state.info.title = event.title
        elif isinstance(event, UsageUpdated):
            state.info.usage = event.total
        events.append(event)
    return events
