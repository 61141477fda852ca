"""The replay provider plays the demo transcript as the session will ask for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tether.errors import ProviderError
from tether.protocol.models import Message, ToolCallPart, ToolResultPart
from tether.providers.base import StreamFinished, TextChunk, ToolCallReady, ToolSpec, UsageReport
from tether.providers.openai import OpenAIProvider
from tether.providers.replay import ReplayProvider
from tether.testing.provider_server import Script, ScriptedProviderServer
from unit.providers.provider_support import FAST, collect, request, user

DEMO = Path(__file__).parents[3] / "examples" / "demo-transcript.json"
TOOLS = [ToolSpec("read_file", "read", {"type": "object"})]


def after(n: int) -> list[Message]:
    """A history with n model answers (each a tool call and its result)."""
    history = [user("Add a docstring")]
    for i in range(n):
        history.append(
            Message(id=f"a{i}", role="assistant", parts=[ToolCallPart(id=f"c{i}", name="x")])
        )
        history.append(
            Message(
                id=f"t{i}", role="tool", parts=[ToolResultPart(tool_call_id=f"c{i}", content="ok")]
            )
        )
    return history


async def test_demo_transcript_plays_read_edit_answer() -> None:
    calls = []
    for n in range(3):
        events = await collect(ReplayProvider(DEMO), request(*after(n), tools=TOOLS))
        calls.append([(e.name, e.arguments) for e in events if isinstance(e, ToolCallReady)])
        assert any(isinstance(e, UsageReport) for e in events)
        finished = events[-1]
        assert isinstance(finished, StreamFinished)
    assert calls[0] == [("read_file", {"path": "hello.py"})]
    ((name, args),) = calls[1]
    assert name == "edit"
    source = (DEMO.parent / "demo-workspace" / "hello.py").read_text(encoding="utf-8")
    assert args["old"] in source or args["new"] in source
    assert calls[2] == []
    with pytest.raises(ProviderError, match="recorded conversation is over"):
        await collect(ReplayProvider(DEMO), request(*after(3), tools=TOOLS))


async def test_a_request_without_tools_gets_the_title() -> None:
    events = await collect(ReplayProvider(DEMO), request(user("title please")))
    assert "".join(e.text for e in events if isinstance(e, TextChunk)) == "Docstring for greet()"


@pytest.mark.parametrize("content", ["{nope", '{"turns": [{"fault": "418"}]}'])
async def test_a_bad_transcript_is_a_clear_provider_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProviderError, match="Cannot replay the transcript"):
        await collect(ReplayProvider(path))
    with pytest.raises(ProviderError, match="cannot read"):
        await collect(ReplayProvider(tmp_path / "missing.json"))


async def test_the_same_file_drives_the_scripted_server() -> None:

    with ScriptedProviderServer(Script.from_file(DEMO)) as srv:
        provider = OpenAIProvider(base_url=srv.openai_base_url, retry=FAST)
        events = await collect(provider, request(user("go"), tools=TOOLS))
    (call,) = [e for e in events if isinstance(e, ToolCallReady)]
    assert call.name == "read_file"
    assert json.loads(call.raw_arguments) == {"path": "hello.py"}
