"""Deltas are joined per kind and message, flushed by a short timer or by a change."""

from __future__ import annotations

import asyncio

from tether.protocol.events import ReasoningDelta, TextDelta
from tether.session.deltas import DeltaBuffer


async def test_joins_until_the_window_ends() -> None:
    out: list[tuple[type, str, str]] = []
    buf = DeltaBuffer(lambda k, m, t: out.append((k, m, t)), window=0.01)
    for piece in ("Hel", "lo, ", "world"):
        buf.add(TextDelta, "m1", piece)
    assert out == []
    await asyncio.sleep(0.05)
    assert out == [(TextDelta, "m1", "Hello, world")]


async def test_a_change_of_kind_or_message_flushes_first() -> None:
    out: list[tuple[type, str, str]] = []
    buf = DeltaBuffer(lambda k, m, t: out.append((k, m, t)), window=10)
    buf.add(ReasoningDelta, "m1", "think")
    buf.add(TextDelta, "m1", "say")
    buf.add(TextDelta, "m2", "more")
    buf.flush()
    buf.flush()  # nothing left: no empty event
    assert out == [(ReasoningDelta, "m1", "think"), (TextDelta, "m1", "say"),
                   (TextDelta, "m2", "more")]
