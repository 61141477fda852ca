"""The local provider server as a model with a small window: the real 400 bodies of both
wire formats, the window reported at /props and /api/show, tool pairing checked."""

from __future__ import annotations

import httpx
import pytest

from tether.errors import ContextLengthExceededError
from tether.protocol.models import Message, TextPart
from tether.providers.base import ChatRequest
from tether.providers.registry import make_provider
from tether.providers.served_window import served_context_window
from tether.settings import Settings
from tether.testing.provider_server import Script, ScriptedProviderServer, text_turn

BIG = "word " * 20_000  # ~25k tokens by the server's count


def test_window_reports_and_real_error_bodies() -> None:
    with ScriptedProviderServer(Script([text_turn("ok")], repeat_last=True),
                                context_window=12_000) as srv:
        props = httpx.get(f"{srv.base_url}/props").json()
        assert props["default_generation_settings"]["n_ctx"] == 12_000
        show = httpx.post(f"{srv.base_url}/api/show", json={"model": "m"}).json()
        assert show["model_info"]["llama.context_length"] == 12_000
        too_long = {"model": "m", "messages": [{"role": "user", "content": BIG}]}
        openai = httpx.post(f"{srv.openai_base_url}/chat/completions", json=too_long)
        assert openai.status_code == 400
        error = openai.json()["error"]
        assert error["code"] == "context_length_exceeded"
        assert error["type"] == "invalid_request_error"
        assert error["message"].startswith("This model's maximum context length is 12000 tokens")
        anthropic = httpx.post(f"{srv.base_url}/v1/messages", json={**too_long, "max_tokens": 9})
        body = anthropic.json()
        assert anthropic.status_code == 400 and body["type"] == "error"
        assert body["error"]["message"].endswith("tokens > 12000 maximum")
        assert len(srv.rejected) == 2


def test_no_window_report_when_asked_not_to() -> None:
    with ScriptedProviderServer(Script([]), context_window=12_000, report_window=False) as srv:
        assert httpx.get(f"{srv.base_url}/props").status_code == 404


async def test_discovery_and_the_provider_error_through_the_real_client() -> None:
    with ScriptedProviderServer(Script([text_turn("ok")]), context_window=12_000) as srv:
        settings = Settings(provider="openai", openai_base_url=srv.openai_base_url,
                            openai_api_key="k", model="m")  # type: ignore[arg-type]
        assert await served_context_window(settings) == 12_000
        ollama = Settings(provider="ollama", ollama_host=srv.base_url, model="m")
        assert await served_context_window(ollama) == 12_000
        provider = make_provider(settings)
        request = ChatRequest(model="m", system="", messages=[
            Message(id="u", role="user", parts=[TextPart(text=BIG)])])
        with pytest.raises(ContextLengthExceededError) as info:
            async for _ in provider.stream(request):
                pass
        await provider.aclose()
        assert info.value.limit == 12_000 and info.value.prompt_tokens == srv.rejected[0]


def test_strict_tool_pairing_refuses_an_orphan_result() -> None:
    with ScriptedProviderServer(Script([text_turn("ok")]), strict_tool_pairing=True) as srv:
        orphan = {"model": "m", "messages": [
            {"role": "tool", "tool_call_id": "gone", "content": "x"},
            {"role": "user", "content": "hi"}]}
        answer = httpx.post(f"{srv.openai_base_url}/chat/completions", json=orphan)
        assert answer.status_code == 400
        assert "must be a response to a preceeding message" in answer.json()["error"]["message"]
        anthropic = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "gone", "content": "x"}]}]}
        answer = httpx.post(f"{srv.base_url}/v1/messages", json=anthropic)
        assert answer.status_code == 400
        assert "unexpected `tool_use_id`" in answer.json()["error"]["message"]
