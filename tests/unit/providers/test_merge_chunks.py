"""Deltas from one network read become one event; order and signatures survive."""

from __future__ import annotations

from tether.providers.base import (
    ReasoningChunk,
    StreamFinished,
    TextChunk,
    ToolCallReady,
    merge_chunks,
)


def test_runs_of_text_and_reasoning_merge_in_order() -> None:
    call = ToolCallReady(id="c", name="read_file", arguments={}, raw_arguments="{}")
    events = [ReasoningChunk("th"), ReasoningChunk("ink"), TextChunk("Hel"), TextChunk("lo"),
              call, TextChunk("a"), TextChunk("b"), StreamFinished("end_turn")]
    assert merge_chunks(events) == [ReasoningChunk("think"), TextChunk("Hello"), call,
                                    TextChunk("ab"), StreamFinished("end_turn")]


def test_signed_reasoning_is_not_merged_away() -> None:
    events = [ReasoningChunk("a"), ReasoningChunk("", signature="sig"), ReasoningChunk("b")]
    assert merge_chunks(events) == events


def test_empty() -> None:
    assert merge_chunks([]) == []
