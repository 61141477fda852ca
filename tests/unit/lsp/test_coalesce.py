"""Delta coalescing: bounded notifications, every character kept, order preserved."""

from __future__ import annotations

from collections.abc import Callable

from tether.lsp.coalesce import EventCoalescer
from tether.protocol.events import (
    EventBase,
    ReasoningDelta,
    TextDelta,
    ToolCallStarted,
    ToolOutputChunk,
    TurnCompleted,
)


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


def make() -> tuple[EventCoalescer, list[EventBase], FakeTimers]:
    sent: list[EventBase] = []
    timers = FakeTimers()
    co = EventCoalescer(sent.append, max_rate=60, clock=timers.clock,
                        call_later=timers.call_later)
    return co, sent, timers


def delta(seq: int, text: str, sid: str = "s1", msg: str = "m1") -> TextDelta:
    return TextDelta(session_id=sid, turn_id="t1", seq=seq, message_id=msg, text=text)


def test_burst_of_deltas_is_merged_and_lossless() -> None:
    co, sent, timers = make()
    text = "".join(chr(0x41 + i % 26) + ("😀" if i % 7 == 0 else "") for i in range(1000))
    for i, ch in enumerate(text):
        co.push(delta(i + 1, ch))
    timers.advance(1.0)
    assert 1 <= len(sent) <= 3
    assert "".join(e.text for e in sent if isinstance(e, TextDelta)) == text
    assert sent[-1].seq == len(text)  # the merged event keeps the last seq
    assert co.sent == len(sent)


def test_rate_is_bounded_over_time() -> None:
    co, sent, timers = make()
    for i in range(600):  # one delta per ms for 0.6 s
        co.push(delta(i + 1, "x"))
        timers.advance(0.001)
    timers.advance(1)
    assert len(sent) <= 0.6 * 60 + 2
    assert sum(len(e.text) for e in sent if isinstance(e, TextDelta)) == 600
    seqs = [e.seq for e in sent]
    assert seqs == sorted(seqs)


def test_other_events_flush_first_so_order_holds() -> None:
    co, sent, timers = make()
    co.push(delta(1, "a"))  # goes out at once (nothing sent recently)
    co.push(delta(2, "b"))
    co.push(delta(3, "c"))
    co.push(ToolCallStarted(session_id="s1", turn_id="t1", seq=4, tool_call_id="c1",
                            name="read_file"))
    co.push(ToolOutputChunk(session_id="s1", turn_id="t1", seq=5, tool_call_id="c1",
                            text="out"))
    co.push(TurnCompleted(session_id="s1", turn_id="t1", seq=6))
    assert [e.type for e in sent] == [
        "text_delta", "text_delta", "tool_call_started", "tool_output_chunk", "turn_completed"
    ]
    assert [e.seq for e in sent] == [1, 3, 4, 5, 6]
    assert sent[1].text == "bc"  # type: ignore[attr-defined]
    timers.advance(1)
    assert len(sent) == 5  # the cancelled timer sends nothing more


def test_different_streams_are_not_merged() -> None:
    co, sent, _timers = make()
    co.push(delta(1, "a"))
    co.push(delta(2, "b"))
    co.push(ReasoningDelta(session_id="s1", turn_id="t1", seq=3, message_id="m1", text="r"))
    co.push(delta(4, "c", msg="m2"))
    co.push(delta(5, "z", sid="s2"))
    co.flush()
    by_session = [(e.session_id, e.type, e.text) for e in sent]  # type: ignore[attr-defined]
    assert by_session == [
        ("s1", "text_delta", "a"),
        ("s1", "text_delta", "b"),
        ("s1", "reasoning_delta", "r"),
        ("s2", "text_delta", "z"),
        ("s1", "text_delta", "c"),
    ]
    s1 = [e for e in sent if e.session_id == "s1"]
    assert [e.seq for e in s1] == [1, 2, 3, 4]
