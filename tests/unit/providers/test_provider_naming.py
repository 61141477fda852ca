"""Errors name the provider by what it is (issue 15, VS Code 3): a local OpenAI-compatible
server is "the OpenAI-compatible server at http://…", not "OpenAI"; api.openai.com stays
"OpenAI". The Ollama message names the settings that fix it, not only variables."""

from __future__ import annotations

import socket

import pytest

from tether.errors import ProviderUnavailableError
from tether.providers.openai import OpenAIProvider
from tether.providers.registry import make_provider
from tether.settings import Settings
from unit.providers.provider_support import FAST, request


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_local_openai_compatible_server_is_not_called_openai() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    provider = OpenAIProvider(base_url=url, api_key="k", retry=FAST)
    with pytest.raises(ProviderUnavailableError) as info:
        async for _ in provider.stream(request()):
            pass
    await provider.aclose()
    assert f"the OpenAI-compatible server at {url}" in info.value.message, info.value.message
    assert "OpenAI at" not in info.value.message


def test_the_official_endpoint_is_still_openai() -> None:
    provider = OpenAIProvider(base_url="https://api.openai.com/v1", api_key="k")
    assert provider._endpoint.vendor == "OpenAI"
    local = OpenAIProvider(base_url="http://127.0.0.1:8765/v1", api_key="k")
    assert local._endpoint.vendor == "the OpenAI-compatible server"


async def test_unreachable_ollama_names_the_provider_setting() -> None:
    host = f"http://127.0.0.1:{_closed_port()}"
    provider = make_provider(Settings(provider="ollama", ollama_host=host), retry=FAST)
    with pytest.raises(ProviderUnavailableError) as info:
        async for _ in provider.stream(request()):
            pass
    await provider.aclose()
    message = info.value.message
    assert f"Ollama is not running at {host}" in message, message
    assert "`provider` setting" in message and "API key" in message, message
