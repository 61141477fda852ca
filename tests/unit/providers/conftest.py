"""Providers under test, pointed at a scripted server, with millisecond retry delays."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tether.providers.anthropic import AnthropicProvider
from tether.providers.base import Provider
from tether.providers.http import Timeouts
from tether.providers.openai import OpenAIProvider
from tether.providers.retry import RetryPolicy
from tether.testing.provider_server import Script, ScriptedProviderServer
from unit.providers.provider_support import FAST, KEY, MakeProvider


@pytest.fixture
def server() -> Iterator[ScriptedProviderServer]:
    with ScriptedProviderServer(Script([])) as srv:
        yield srv


@pytest.fixture(params=["openai", "anthropic"])
def wire(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make(server: ScriptedProviderServer, wire: str) -> MakeProvider:
    def build(
        *, key: str | None = KEY, idle: float = 5.0, retry: RetryPolicy = FAST,
        deadline: float = 60.0,
    ) -> Provider:
        timeouts = Timeouts(request=5.0, idle=idle, deadline=deadline)
        if wire == "openai":
            return OpenAIProvider(
                base_url=server.openai_base_url, api_key=key, timeouts=timeouts, retry=retry
            )
        return AnthropicProvider(
            base_url=server.anthropic_base_url, api_key=key, timeouts=timeouts, retry=retry
        )

    return build
