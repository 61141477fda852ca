"""Anthropic Messages wire cases: error events, missing message_stop, usage, signatures."""

from __future__ import annotations

import json

import httpx
import pytest

from tether.errors import ProviderAuthError, ProviderResponseError, ProviderStreamError
from tether.providers.anthropic import AnthropicProvider
from tether.providers.base import (
    ReasoningChunk,
    RetryNotice,
    StreamFinished,
    TextChunk,
    ToolCallReady,
    UsageReport,
)
from unit.providers.provider_support import FAST, collect, mock_transport, streaming


def ev(kind: str, **payload: object) -> bytes:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **payload})}\n\n".encode()


START = ev(
    "message_start",
    message={
        "id": "m",
        "usage": {
            "input_tokens": 10,
            "output_tokens": 1,
            "cache_read_input_tokens": 90,
            "cache_creation_input_tokens": 5,
        },
    },
)
STOP = [
    ev("message_delta", delta={"stop_reason": "end_turn"}, usage={"output_tokens": 7}),
    ev("message_stop"),
]


def text_block(text: str, index: int = 0) -> list[bytes]:
    return [
        ev("content_block_start", index=index, content_block={"type": "text", "text": ""}),
        ev("content_block_delta", index=index, delta={"type": "text_delta", "text": text}),
        ev("content_block_stop", index=index),
    ]


def provider(transport: httpx.MockTransport) -> AnthropicProvider:
    return AnthropicProvider(
        base_url="http://claude.test",
        api_key="sk-ant-abcdefgh12345",
        retry=FAST,
        transport=transport,
    )


async def test_usage_counts_cached_prompt_tokens() -> None:
    transport, seen = mock_transport(streaming([START, *text_block("hi"), *STOP]))
    events = await collect(provider(transport))
    (usage,) = [e.usage for e in events if isinstance(e, UsageReport)]
    assert (usage.prompt_tokens, usage.completion_tokens) == (105, 7)
    assert (usage.cache_read_tokens, usage.cache_write_tokens, usage.total_tokens) == (90, 5, 112)
    assert events[-1] == StreamFinished("end_turn")
    assert seen[0].headers["x-api-key"] == "sk-ant-abcdefgh12345"
    assert seen[0].headers["anthropic-version"] == "2023-06-01"


async def test_thinking_signature_and_tool_input_fragments() -> None:
    body = [
        START,
        ev("content_block_start", index=0, content_block={"type": "thinking", "thinking": ""}),
        ev("content_block_delta", index=0, delta={"type": "thinking_delta", "thinking": "hm"}),
        ev("content_block_delta", index=0, delta={"type": "signature_delta", "signature": "S"}),
        ev("content_block_stop", index=0),
        ev(
            "content_block_start",
            index=1,
            content_block={"type": "tool_use", "id": "toolu_1", "name": "grep", "input": {}},
        ),
        ev(
            "content_block_delta",
            index=1,
            delta={"type": "input_json_delta", "partial_json": '{"pattern": "de'},
        ),
        ev(
            "content_block_delta",
            index=1,
            delta={"type": "input_json_delta", "partial_json": 'f greet"}'},
        ),
        ev("content_block_stop", index=1),
        ev("message_delta", delta={"stop_reason": "tool_use"}, usage={"output_tokens": 3}),
        ev("message_stop"),
    ]
    events = await collect(provider(mock_transport(streaming(body))[0]))
    assert [e for e in events if isinstance(e, ReasoningChunk)] == [
        ReasoningChunk("hm"),
        ReasoningChunk("", signature="S"),
    ]
    assert (
        ToolCallReady("toolu_1", "grep", {"pattern": "def greet"}, '{"pattern": "def greet"}')
        in events
    )
    assert events[-1] == StreamFinished("tool_use")


async def test_missing_message_stop_is_a_dropped_stream() -> None:
    transport, seen = mock_transport(
        streaming([START, *text_block("par")]),
        streaming([START, *text_block("whole"), *STOP]),
    )
    events = await collect(provider(transport))
    assert len(seen) == 2
    assert [type(e) for e in events][:2] == [TextChunk, RetryNotice]
    assert [e.text for e in events if isinstance(e, TextChunk)] == ["par", "whole"]


async def test_overloaded_error_event_is_retried() -> None:
    overloaded = ev("error", error={"type": "overloaded_error", "message": "Overloaded"})
    transport, seen = mock_transport(
        streaming([START, overloaded]), streaming([START, *text_block("ok"), *STOP])
    )
    events = await collect(provider(transport))
    notice = next(e for e in events if isinstance(e, RetryNotice))
    assert "529" in notice.reason
    assert len(seen) == 2


async def test_invalid_request_error_event_is_raised_at_once() -> None:
    bad = ev("error", error={"type": "invalid_request_error", "message": "prompt is too long"})
    transport, seen = mock_transport(streaming([START, bad]))
    with pytest.raises(ProviderResponseError, match="prompt is too long"):
        await collect(provider(transport))
    assert len(seen) == 1


async def test_garbled_event_then_give_up() -> None:
    transport, seen = mock_transport(streaming([START, b"event: content_block_delta\ndata: {\n\n"]))
    with pytest.raises(ProviderStreamError, match="garbled"):
        await collect(provider(transport))
    assert len(seen) == 6


async def test_unknown_events_and_pings_are_ignored() -> None:
    body = [START, ev("ping"), ev("future_thing", x=1), *text_block("ok"), *STOP]
    events = await collect(provider(mock_transport(streaming(body))[0]))
    assert [e.text for e in events if isinstance(e, TextChunk)] == ["ok"]


async def test_an_event_whose_type_is_not_a_name_is_ignored() -> None:
    odd = b'event: x\ndata: {"type": ["message_stop"]}\n\n'
    body = [START, odd, *text_block("ok"), *STOP]
    events = await collect(provider(mock_transport(streaming(body))[0]))
    assert [e.text for e in events if isinstance(e, TextChunk)] == ["ok"]
    assert events[-1] == StreamFinished("end_turn")


async def test_missing_key_for_anthropic_itself() -> None:
    transport, seen = mock_transport(streaming([]))
    p = AnthropicProvider(api_key=None, transport=transport)
    with pytest.raises(ProviderAuthError, match="set ANTHROPIC_API_KEY"):
        await collect(p)
    assert seen == []
