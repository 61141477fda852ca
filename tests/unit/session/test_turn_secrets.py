"""A provider that garbles its stream with the key until the turn gives up: the failed
turn's reason, events, history and the log carry no key (real HTTP, both wire formats)."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest

from support.session_fakes import AnsweringBridge
from tether.protocol.events import EventBase
from tether.providers.anthropic import AnthropicProvider
from tether.providers.base import Provider
from tether.providers.openai import OpenAIProvider
from tether.providers.retry import RetryPolicy
from tether.redaction import RedactingFilter
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import open_store
from tether.testing.provider_server import Script, ScriptedProviderServer, Turn
from tether.workspace.folder import WorkspaceFolder

FAST = RetryPolicy(base_delay=0.001, max_delay=0.005, max_restarts=2)


@pytest.mark.parametrize("wire", ["openai", "anthropic"])
@pytest.mark.parametrize("fault", ["garbled", "error_event"])
async def test_a_failed_turn_does_not_repeat_the_key(
    wire: str, fault: str, workspace: WorkspaceFolder, data_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = "kt" + uuid.uuid4().hex  # no key shape: only the configured secret can match
    turn = Turn(text="half of an answer that is long enough to be cut", fault=fault,
                fault_times=99, chunk_size=6)
    with ScriptedProviderServer(Script([turn]), api_key=key) as srv:
        def provider(_settings: Settings) -> Provider:
            if wire == "openai":
                return OpenAIProvider(base_url=srv.openai_base_url, api_key=key, retry=FAST)
            return AnthropicProvider(base_url=srv.anthropic_base_url, api_key=key, retry=FAST)

        events: list[EventBase] = []
        manager = SessionManager(
            workspace, store=open_store(workspace), bridge=AnsweringBridge([]),
            settings=Settings(provider=wire, model="m", title_generation=False),
            provider_factory=provider)
        manager.subscribe(events.append)
        caplog.handler.addFilter(RedactingFilter())
        with caplog.at_level(logging.DEBUG):
            info = await manager.create()
            result = await manager.prompt(info.id, "hello")
        await manager.aclose()

    assert result.status == "failed"
    assert ("garbled" if fault == "garbled" else "mid-stream") in result.reason
    places: dict[str, Any] = {
        "result": result.model_dump_json(),
        "events": json.dumps([e.to_wire() for e in events]),
        "log": caplog.text,
    }
    for path in data_dir.rglob("*"):
        if path.is_file():
            places[str(path)] = path.read_text(errors="replace")
    assert [where for where, text in places.items() if key in text] == []
