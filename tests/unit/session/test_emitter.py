"""Events are built at their call site; the emitter redacts, numbers, stores, publishes.

The caller names the session, the turn and the fields (`emit(TurnCompleted(...))`); the
seq and the time are the emitter's: a durable event gets the seq the store allocated,
whatever the caller put there, and what is published and stored is redacted.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tether.protocol.events import (
    EventBase,
    TextComplete,
    TextDelta,
    TitleChanged,
    ToolOutputChunk,
    TurnCompleted,
)
from tether.redaction import PLACEHOLDER, add_secrets
from tether.session.emitter import EventEmitter

LONG_AGO = datetime(2001, 1, 1, tzinfo=UTC)


async def _emitter(make_harness: Any) -> tuple[EventEmitter, list[EventBase], Any]:
    """A fresh session's emitter, what it published, and the store under it."""
    h = make_harness([])
    info = await h.manager.create()
    seen: list[EventBase] = []
    return EventEmitter(info.id, h.store, [seen.append]), seen, h.store


async def test_a_built_event_gets_the_emitters_seq_and_time_and_is_stored(
    make_harness: Any
) -> None:
    emitter, seen, store = await _emitter(make_harness)
    built = TurnCompleted(**emitter.scope("t1"), reason="end_turn", text="done", seq=99,
                          time=LONG_AGO)
    event = await emitter.emit(built, sync=True)
    assert isinstance(event, TurnCompleted) and event.text == "done"
    assert event.seq == 1 and event.time > LONG_AGO
    assert seen == [event]
    stored = [r for r in store.iter_records(emitter.session_id)
              if r.get("type") == "turn_completed"]
    assert [(r["seq"], r["text"], r["turnId"]) for r in stored] == [(1, "done", "t1")]
    transient = await emitter.emit(TextComplete(**emitter.scope("t1"), message_id="m",
                                                text="x"))
    assert transient.seq == 2  # numbered past the last durable seq, not stored


async def test_a_secret_in_a_built_event_is_masked_before_it_is_published_or_stored(
    make_harness: Any
) -> None:
    key = "kq" + uuid.uuid4().hex
    add_secrets(key)
    emitter, seen, store = await _emitter(make_harness)
    event = await emitter.emit(TitleChanged(**emitter.scope(None), title=f"see {key}"),
                               sync=True)
    assert event.title == f"see {PLACEHOLDER}" and seen == [event]
    assert not any(key in str(r) for r in store.iter_records(emitter.session_id))


async def test_streamed_text_and_other_sessions_events_are_refused(make_harness: Any) -> None:
    emitter, seen, _ = await _emitter(make_harness)
    with pytest.raises(TypeError, match="stream_text"):
        await emitter.emit(TextDelta(**emitter.scope("t"), message_id="m", text="hi"))
    with pytest.raises(TypeError, match="stream_text"):
        await emitter.emit(ToolOutputChunk(**emitter.scope("t"), tool_call_id="c", text="x"))
    with pytest.raises(ValueError, match="another"):
        await emitter.emit(TurnCompleted(session_id="another", turn_id="t"))
    assert emitter.seq == 0 and seen == []  # nothing was numbered nor published
