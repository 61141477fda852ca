"""The context window comes from the provider's server (issue 15, VS Code 7): a llama.cpp
server started with an 8,192-token context says so at GET /props, and the usage events
the gauge reads carry 8192, not the table's 32k guess for an unknown model."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tether.testing.provider_server import Script, ScriptedProviderServer, text_turn

from .conftest import WAIT, Env


@pytest.fixture
def provider() -> Iterator[ScriptedProviderServer]:  # serves an 8,192-token context
    with ScriptedProviderServer(Script([text_turn("Hi.")], title="Window"),
                                served_context=8192) as srv:
        yield srv


async def test_usage_events_carry_the_window_the_server_serves(env: Env, tmp_path: Path) -> None:
    ws = (tmp_path / "ws").resolve()
    ws.mkdir()
    async with env.serve([ws], settings={"model": "qwen2.5-coder-7b"}) as h:
        sid = (await h.request("tether/session/create", {"folderUri": ws.as_uri()}))["sessionId"]
        await asyncio.wait_for(h.request("tether/session/prompt",
                                         {"sessionId": sid, "text": "Hello"}), WAIT)
        listed = await h.request("tether/models/list", {})
        usage = [e["event"] for e in h.events_of(sid) if e["event"]["type"] == "usage"]
    assert usage, h.editor.events
    assert all(e["contextWindow"] == 8192 for e in usage), usage
    assert listed["models"][0]["contextWindow"] == 8192, listed
