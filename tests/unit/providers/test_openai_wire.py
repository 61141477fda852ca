"""OpenAI-compatible wire cases that the scripted server does not produce."""

from __future__ import annotations

import gzip
import json
import logging

import httpx
import pytest

from tether.errors import ProviderAuthError, ProviderResponseError, ProviderStreamError
from tether.providers.base import (
    ReasoningChunk,
    RetryNotice,
    StreamFinished,
    TextChunk,
    ToolCallReady,
    UsageReport,
)
from tether.providers.openai import OpenAIProvider
from unit.providers.provider_support import (
    FAST,
    collect,
    mock_transport,
    sse_body,
    streaming,
)


def provider(transport: httpx.MockTransport, base: str = "http://llm.test/v1") -> OpenAIProvider:
    return OpenAIProvider(
        base_url=base, api_key="sk-mock-1234567890", retry=FAST, transport=transport
    )


def delta(**fields: object) -> dict[str, object]:
    return {"choices": [{"index": 0, "delta": fields, "finish_reason": None}]}


def finish(reason: str) -> dict[str, object]:
    return {"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}


async def test_invalid_tool_json_keeps_the_raw_text() -> None:
    call = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "edit", "arguments": '{"path": "a.py", "old": '},
    }
    transport, _ = mock_transport(
        streaming(
            sse_body(
                delta(tool_calls=[call]),
                delta(tool_calls=[{"index": 0, "function": {"arguments": "oops"}}]),
                finish("tool_calls"),
            )
        )
    )
    events = await collect(provider(transport))
    (ready,) = [e for e in events if isinstance(e, ToolCallReady)]
    assert ready.arguments == {}
    assert ready.raw_arguments == '{"path": "a.py", "old": oops'
    assert ready.arguments_error and "not valid JSON" in ready.arguments_error
    assert events[-1] == StreamFinished("tool_use")


async def test_non_object_arguments_are_an_error() -> None:
    call = {"index": 0, "id": "c", "function": {"name": "glob", "arguments": "[1, 2]"}}
    transport, _ = mock_transport(streaming(sse_body(delta(tool_calls=[call]), finish("stop"))))
    (ready,) = [e for e in await collect(provider(transport)) if isinstance(e, ToolCallReady)]
    assert ready.arguments == {} and "JSON object" in (ready.arguments_error or "")


async def test_u2028_and_friends_survive_inside_json() -> None:
    text = "a\u2028b\u2029c\u0085d\re"
    body = b"".join(sse_body(delta(content=text), finish("stop")))
    # Deliver it one byte at a time: every UTF-8 character is split across reads.
    transport, _ = mock_transport(streaming([body[i : i + 1] for i in range(len(body))]))
    events = await collect(provider(transport))
    assert "".join(e.text for e in events if isinstance(e, TextChunk)) == text


async def test_a_lone_surrogate_escape_decodes_as_the_json_module_does() -> None:
    # A server that cut an emoji's UTF-16 pair in two; the fast JSON parser refuses it.
    half = '{"choices": [{"index": 0, "delta": {"content": "a\\ud83d"}, "finish_reason": null}]}'
    transport, _ = mock_transport(streaming(sse_body(half, finish("stop"))))
    events = await collect(provider(transport))
    assert [e.text for e in events if isinstance(e, TextChunk)] == ["a\ud83d"]


async def test_a_gzip_encoded_stream_is_decompressed() -> None:
    body = gzip.compress(b"".join(sse_body(delta(content="zipped é"), finish("stop"))))
    chunks = [body[i : i + 7] for i in range(0, len(body), 7)]
    transport, _ = mock_transport(streaming(chunks, headers={"content-encoding": "gzip"}))
    events = await collect(provider(transport))
    assert [e.text for e in events if isinstance(e, TextChunk)] == ["zipped é"]
    assert events[-1] == StreamFinished("end_turn")


async def test_whole_tool_calls_without_index_and_reasoning_field() -> None:
    # Ollama's shape: each call whole in one chunk, no index, `reasoning` not `..._content`.
    calls = [
        {"id": "a", "function": {"name": "glob", "arguments": '{"pattern": "*.py"}'}},
        {"id": "b", "function": {"name": "grep", "arguments": {"pattern": "x"}}},
    ]
    transport, _ = mock_transport(
        streaming(
            sse_body(
                delta(reasoning="thinking"),
                delta(tool_calls=calls),
                finish("stop"),
                {
                    "choices": [],
                    "usage": {
                        "prompt_tokens": 5,
                        "completion_tokens": 2,
                        "prompt_cache_hit_tokens": 3,
                    },
                },
            )
        )
    )
    events = await collect(provider(transport))
    assert ReasoningChunk("thinking") in events
    ready = [e for e in events if isinstance(e, ToolCallReady)]
    assert [(c.id, c.name, c.arguments) for c in ready] == [
        ("a", "glob", {"pattern": "*.py"}),
        ("b", "grep", {"pattern": "x"}),
    ]
    (usage,) = [e.usage for e in events if isinstance(e, UsageReport)]
    assert (usage.prompt_tokens, usage.total_tokens, usage.cache_read_tokens) == (5, 7, 3)
    assert events[-1] == StreamFinished("tool_use")  # tool calls despite "stop"


async def test_finish_reason_without_done_is_complete() -> None:
    transport, seen = mock_transport(
        streaming(sse_body(delta(content="hi"), finish("length"), done=False))
    )
    events = await collect(provider(transport))
    assert events[-1] == StreamFinished("max_tokens")
    assert len(seen) == 1


async def test_clean_eof_without_done_or_finish_is_a_dropped_stream() -> None:
    transport, seen = mock_transport(
        streaming(sse_body(delta(content="par"), done=False)),
        streaming(sse_body(delta(content="whole"), finish("stop"))),
    )
    events = await collect(provider(transport))
    assert isinstance(events[1], RetryNotice)
    assert [e.text for e in events if isinstance(e, TextChunk)] == ["par", "whole"]
    assert len(seen) == 2


async def test_read_error_mid_stream_restarts_then_gives_up() -> None:
    transport, seen = mock_transport(
        streaming(sse_body(delta(content="x"), done=False), httpx.ReadError("reset by peer"))
    )
    with pytest.raises(ProviderStreamError, match="broke off"):
        await collect(provider(transport))
    assert len(seen) == 6


async def test_garbled_chunk_is_a_stream_error() -> None:
    transport, seen = mock_transport(streaming(sse_body("{not json")))
    with pytest.raises(ProviderStreamError, match="garbled"):
        await collect(provider(transport))
    assert len(seen) == 6


async def test_error_object_mid_stream() -> None:
    transport, seen = mock_transport(
        streaming(
            sse_body(delta(content="x"), {"error": {"message": "context too long", "code": 400}})
        )
    )
    with pytest.raises(ProviderResponseError, match="context too long") as info:
        await collect(provider(transport))
    assert info.value.status == 400
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b'{"error": {"message": "model \\"gpt-9\\" does not exist", "type": "invalid"}}',
            'model "gpt-9" does not exist',
        ),
        (b'{"error": "model \'llama9\' not found"}', "model 'llama9' not found"),
        (b"<html>Bad Gateway</html>", "<html>Bad Gateway</html>"),
        (b"", "HTTP 404"),
    ],
)
async def test_4xx_message_is_extracted_and_not_retried(body: bytes, expected: str) -> None:
    transport, seen = mock_transport(lambda r: httpx.Response(404, content=body))
    with pytest.raises(ProviderResponseError) as info:
        await collect(provider(transport))
    assert expected in info.value.message
    assert info.value.status == 404
    assert len(seen) == 1


async def test_missing_key_for_openai_itself_fails_before_any_request() -> None:
    transport, seen = mock_transport(streaming(sse_body(finish("stop"))))
    p = OpenAIProvider(base_url="https://api.openai.com/v1", api_key=None, transport=transport)
    with pytest.raises(ProviderAuthError, match="set OPENAI_API_KEY"):
        await collect(p)
    assert seen == []


async def test_request_shape_and_no_key_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    key = "sk-proj-SECRETSECRETSECRET"
    transport, seen = mock_transport(
        lambda r: httpx.Response(401, json={"error": {"message": f"Incorrect API key {key}"}})
    )
    p = OpenAIProvider(base_url="https://api.openai.com/v1", api_key=key, transport=transport)
    with pytest.raises(ProviderAuthError) as info:
        await collect(p)
    assert key not in str(info.value) and "SECRETSECRET" not in str(info.value)
    assert "SECRETSECRET" not in caplog.text
    sent = json.loads(seen[0].content)
    assert seen[0].headers["authorization"] == f"Bearer {key}"
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert "max_completion_tokens" in sent  # api.openai.com wants the new name
