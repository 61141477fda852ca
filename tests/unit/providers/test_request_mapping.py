"""Our history mapped onto each wire format, including the awkward cases."""

from __future__ import annotations

from typing import Any

from tether.protocol.models import (
    FilePart,
    ImagePart,
    Message,
    Part,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from tether.providers import anthropic, openai
from tether.providers.base import ChatRequest, ToolSpec
from tether.providers.convert import INTERRUPTED_RESULT


def msg(role: str, *parts: Part, id: str = "m") -> Message:
    return Message(id=id, role=role, parts=list(parts))  # type: ignore[arg-type]


HISTORY = [
    msg(
        "user",
        TextPart(text="Fix greet"),
        FilePart(
            uri="file:///w/hello.py", text="def greet(): ...", range_start_line=0, range_end_line=1
        ),
        ImagePart(media_type="image/png", data="iVBOR"),
    ),
    msg(
        "assistant",
        ThinkingPart(text="look first", signature="sig"),
        ThinkingPart(text="unsigned thoughts"),
        TextPart(text="Reading."),
        ToolCallPart(id="c1", name="read_file", arguments={"path": "hello.py"}),
        ToolCallPart(id="c2", name="edit", arguments={}, raw_arguments="{broken"),
    ),
    msg(
        "tool",
        ToolResultPart(tool_call_id="c1", content="1│def greet(): ..."),
        ToolResultPart(tool_call_id="c2", content="invalid JSON", is_error=True),
    ),
    msg("assistant", ToolCallPart(id="c3", name="run_command", arguments={"command": "pytest"})),
    # c3 never got a result: the turn was cancelled
    msg("user", TextPart(text="never mind, just say hi")),
]


def test_openai_messages() -> None:
    wire = openai.wire_messages("SYS", HISTORY)
    assert [m["role"] for m in wire] == [
        "system",
        "user",
        "assistant",
        "tool",
        "tool",
        "assistant",
        "tool",
        "user",
    ]
    user = wire[1]["content"]
    assert user[0] == {"type": "text", "text": "Fix greet"}
    assert user[1]["text"].startswith("<file file:///w/hello.py (lines 1-2)>")
    assert user[2] == {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBOR"}}
    assistant = wire[2]
    assert assistant["content"] == "Reading."
    assert [c["function"]["arguments"] for c in assistant["tool_calls"]] == [
        '{"path": "hello.py"}',
        "{broken",
    ]
    assert wire[4] == {"role": "tool", "tool_call_id": "c2", "content": "invalid JSON"}
    assert wire[5]["content"] is None
    assert wire[6] == {"role": "tool", "tool_call_id": "c3", "content": INTERRUPTED_RESULT}
    assert wire[7] == {"role": "user", "content": "never mind, just say hi"}


def test_anthropic_messages() -> None:
    system, wire = anthropic.wire_messages("SYS", [msg("system", TextPart(text="more")), *HISTORY])
    assert system == "SYS\n\nmore"
    assert [m["role"] for m in wire] == ["user", "assistant", "user", "assistant", "user"]
    user: list[dict[str, Any]] = wire[0]["content"]
    assert user[2] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"},
    }
    assistant = wire[1]["content"]
    assert assistant[0] == {"type": "thinking", "thinking": "look first", "signature": "sig"}
    assert [b["type"] for b in assistant] == ["thinking", "text", "tool_use", "tool_use"]
    assert assistant[2]["input"] == {"path": "hello.py"}
    results = wire[2]["content"]
    assert [b["tool_use_id"] for b in results] == ["c1", "c2"]
    assert results[1]["is_error"] is True
    # the interrupted call's synthetic result and the next user text share one message,
    # results first
    last = wire[4]["content"]
    assert [b["type"] for b in last] == ["tool_result", "text"]
    assert last[0]["tool_use_id"] == "c3"


def test_anthropic_history_must_start_with_user() -> None:
    _, wire = anthropic.wire_messages("", [msg("assistant", TextPart(text="hello"))])
    assert [m["role"] for m in wire] == ["user", "assistant"]


def test_request_bodies() -> None:
    request = ChatRequest(
        model="m",
        system="S",
        messages=[msg("user", TextPart(text="x"))],
        tools=[ToolSpec("glob", "find files", {"type": "object"})],
        max_tokens=100,
        temperature=0.2,
    )
    body = openai.OpenAIProvider(base_url="http://x/v1").request_body(request)
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "glob",
                "description": "find files",
                "parameters": {"type": "object"},
            },
        }
    ]
    assert body["max_tokens"] == 100 and body["temperature"] == 0.2
    body = anthropic.AnthropicProvider(base_url="http://x").request_body(request)
    assert body["tools"] == [
        {"name": "glob", "description": "find files", "input_schema": {"type": "object"}}
    ]
    assert body["system"] == "S" and body["max_tokens"] == 100 and body["stream"] is True
