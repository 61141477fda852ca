"""The one delta coalescer: bounded releases, every character kept, order preserved.

`StreamCoalescer` on fake timers, then through the session's emitter, where it sits:
deltas come out joined, seq strictly increasing, and for every message the text deltas
carrying its id concatenate to exactly its stored text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tether.protocol.events import (
    EventBase,
    MessageAdded,
    ReasoningDelta,
    TextDelta,
    ToolCallStarted,
    ToolOutputChunk,
    TurnCompleted,
)
from tether.protocol.models import Message, TextPart
from tether.session.deltas import StreamCoalescer
from tether.session.emitter import EventEmitter


class FakeTimers:
    def __init__(self) -> None:
        self.now = 0.0
        self.pending: list[tuple[float, Callable[[], None], list[bool]]] = []

    def clock(self) -> float:
        return self.now

    def call_later(self, delay: float, cb: Callable[[], None]) -> FakeHandle:
        flag = [False]
        self.pending.append((self.now + delay, cb, flag))
        return FakeHandle(flag)

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [p for p in self.pending if p[0] <= self.now]
        self.pending = [p for p in self.pending if p[0] > self.now]
        for _, cb, cancelled in due:
            if not cancelled[0]:
                cb()


class FakeHandle:
    def __init__(self, flag: list[bool]) -> None:
        self.flag = flag

    def cancel(self) -> None:
        self.flag[0] = True


def make() -> tuple[StreamCoalescer[str], list[tuple[str, str]], FakeTimers]:
    out: list[tuple[str, str]] = []
    timers = FakeTimers()
    co: StreamCoalescer[str] = StreamCoalescer(
        lambda key, text: out.append((key, text)), max_rate=60, clock=timers.clock,
        call_later=timers.call_later)
    return co, out, timers


def test_burst_is_joined_and_lossless() -> None:
    co, out, timers = make()
    text = "".join(chr(0x41 + i % 26) + ("😀" if i % 7 == 0 else "") for i in range(1000))
    for ch in text:
        co.add("m1", ch)
    timers.advance(1.0)
    assert 1 <= len(out) <= 3
    assert "".join(t for _, t in out) == text
    assert co.released == len(out)


def test_rate_is_bounded_over_time() -> None:
    co, out, timers = make()
    for _ in range(600):  # one delta per ms for 0.6 s
        co.add("m1", "x")
        timers.advance(0.001)
    timers.advance(1)
    assert len(out) <= 0.6 * 60 + 2
    assert sum(len(t) for _, t in out) == 600


def test_a_change_of_stream_releases_first_and_flush_empties() -> None:
    co, out, timers = make()
    co.add("reason:m1", "think")  # nothing went out recently: at once
    co.add("text:m1", "say")
    co.add("text:m2", "more")
    co.flush()
    co.flush()  # nothing left: no empty release
    timers.advance(1)
    assert out == [("reason:m1", "think"), ("text:m1", "say"), ("text:m2", "more")]


async def test_the_emitter_joins_deltas_and_other_events_release_them_first(
    make_harness: Any
) -> None:
    h = make_harness([])
    info = await h.manager.create()
    seen: list[EventBase] = []
    emitter = EventEmitter(info.id, h.store, [seen.append], last_seq=10)
    scope = emitter.scope("t1")
    words = ["Hel", "lo", ", ", "wor", "ld"]
    for piece in words:
        emitter.stream_text(TextDelta, "t1", "m1", piece)
    await emitter.emit(ToolCallStarted(**scope, tool_call_id="c1", name="grep"))
    for piece in ("a\n", "b\n"):
        emitter.stream_text(ToolOutputChunk, "t1", "c1", piece)
    emitter.stream_text(ReasoningDelta, "t1", "m2", "hm")
    emitter.stream_text(TextDelta, "t1", "m2", "ok")
    emitter.stream_text(TextDelta, "t1", "m2", "!")
    message = Message(id="m2", role="assistant", parts=[TextPart(text="ok!")], turn_id="t1")
    await emitter.emit(MessageAdded(**scope, message=message))
    await emitter.emit(TurnCompleted(**scope))
    await asyncio.sleep(0.05)  # a stray timer would add events after the terminal
    kinds = [e.type for e in seen]
    assert [k for i, k in enumerate(kinds) if i == 0 or kinds[i - 1] != k] == [
        "text_delta", "tool_call_started", "tool_output_chunk", "reasoning_delta",
        "text_delta", "message_added", "turn_completed",
    ]
    assert kinds.count("text_delta") < len(words) + 2  # joined, not one per piece
    seqs = [e.seq for e in seen]
    assert seqs == sorted(set(seqs))  # strictly increasing
    text = {mid: "".join(e.text for e in seen if isinstance(e, TextDelta)
                         and e.message_id == mid) for mid in ("m1", "m2")}
    assert text == {"m1": "Hello, world", "m2": "ok!"}
    outputs = [e.text for e in seen if isinstance(e, ToolOutputChunk)]
    assert "".join(outputs) == "a\nb\n"
