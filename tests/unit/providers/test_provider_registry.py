"""make_provider, list_models, context_window; Ollama not running → one plain sentence."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tether.errors import ConfigError, ProviderUnavailableError
from tether.providers import (
    AnthropicProvider,
    OpenAIProvider,
    ReplayProvider,
    context_window,
    effective_context_window,
    list_models,
    make_provider,
)
from tether.providers.base import RetryNotice, TextChunk
from tether.settings import Settings
from tether.testing.provider_server import Script, ScriptedProviderServer, text_turn
from unit.providers.provider_support import FAST, collect, request


def test_make_provider_kinds(tmp_path: Path) -> None:
    assert isinstance(make_provider(Settings(provider="openai")), OpenAIProvider)
    ollama = make_provider(Settings(provider="ollama", ollama_host="http://gpu:11434/"))
    assert isinstance(ollama, OpenAIProvider)
    assert ollama.name == "ollama" and ollama.base_url == "http://gpu:11434/v1"
    assert isinstance(make_provider(Settings(provider="anthropic")), AnthropicProvider)
    replay = make_provider(Settings(provider="replay:demo.json"), base_dir=tmp_path)
    assert isinstance(replay, ReplayProvider) and replay.path == tmp_path / "demo.json"


@pytest.mark.parametrize("provider", ["gemini", "replay", "replay:  "])
def test_make_provider_refuses_what_it_cannot_build(provider: str) -> None:
    with pytest.raises(ConfigError):
        make_provider(Settings(provider=provider))


async def test_ollama_through_make_provider_reaches_the_scripted_server() -> None:
    with ScriptedProviderServer(Script([text_turn("local model")])) as srv:
        provider = make_provider(Settings(provider="ollama", ollama_host=srv.base_url))
        events = await collect(provider)
    assert "".join(e.text for e in events if isinstance(e, TextChunk)) == "local model"
    assert "authorization" not in srv.request_headers[0]


async def test_ollama_not_running_is_one_plain_sentence() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    host = f"http://127.0.0.1:{port}"
    provider = make_provider(Settings(provider="ollama", ollama_host=host), retry=FAST)
    seen: list[object] = []
    with pytest.raises(ProviderUnavailableError) as info:
        async for event in provider.stream(request()):
            seen.append(event)
    await provider.aclose()
    assert str(info.value) == (
        f"No model provider reachable: Ollama is not running at {host}. Start Ollama, or set "
        "the `provider` setting to openai or anthropic and give its API key (in an editor: "
        "tether.provider and Set API Key; elsewhere TETHER_PROVIDER and OPENAI_API_KEY or "
        "ANTHROPIC_API_KEY)."
    )
    assert all(isinstance(e, RetryNotice) for e in seen) and len(seen) == 2


@pytest.mark.parametrize(
    ("model", "window"),
    [
        ("gpt-4o", 128_000),
        ("gpt-4o-mini", 128_000),
        ("openai/gpt-4.1-mini", 1_047_576),
        ("claude-sonnet-4-5", 200_000),
        ("anthropic/claude-3.5-haiku", 200_000),
        ("llama3.1", 128_000),
        ("llama3.1:8b-instruct", 128_000),
        ("llama3", 8_192),
        ("some-new-model", 32_768),
        ("", 32_768),
    ],
)
def test_context_window(model: str, window: int) -> None:
    assert context_window(model) == window


def test_effective_context_window_prefers_the_override() -> None:
    assert effective_context_window(Settings(provider="openai", model="gpt-4o")) == 128_000
    assert effective_context_window(Settings(model="gpt-4o", context_window=50_000)) == 50_000


def test_list_models() -> None:
    listed = list_models(Settings(provider="openai", model="my-finetune"))
    models = listed.models
    assert models[0].id == "openai/my-finetune" == listed.default
    assert models[0].context_window == 32_768
    assert [m.id for m in models] == ["openai/my-finetune", "ollama/llama3.1"]  # no keys
    keyed = list_models(Settings(provider="ollama", anthropic_api_key="sk-ant-x",
                                 openai_api_key="sk-x"))
    assert [m.id for m in keyed.models] == [
        "ollama/llama3.1", "openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5"]
    assert keyed.models[2].context_window == 200_000
    replay = list_models(Settings(provider="replay:x.json"))
    assert [m.id for m in replay.models] == ["replay/replay", "ollama/llama3.1"]


def test_list_models_gives_the_configured_model_the_window_it_budgets_for() -> None:
    listed = list_models(Settings(provider="openai", model="gpt-4o", context_window=50_000))
    assert listed.models[0].context_window == 50_000


@pytest.mark.parametrize("url", ["localhost:8000/v1", "ftp://host/v1", ""])
async def test_an_unusable_base_url_fails_at_once_with_a_hint(url: str) -> None:
    settings = Settings(provider="openai", openai_base_url=url, openai_api_key="k")
    provider = make_provider(settings, retry=FAST)
    seen: list[object] = []
    with pytest.raises(ProviderUnavailableError, match="full http:// or https:// URL"):
        async for event in provider.stream(request()):
            seen.append(event)
    await provider.aclose()
    assert seen == []
