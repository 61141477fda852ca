"""Helpers shared by the provider tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

from tether.protocol.models import Message, TextPart
from tether.providers.base import ChatRequest, Provider, ProviderEvent, ToolSpec
from tether.providers.retry import RetryPolicy

FAST = RetryPolicy(base_delay=0.001, max_delay=0.005)
KEY = "sk-test-0123456789abcdef"

MakeProvider = Callable[..., Provider]


def user(text: str, id: str = "u1") -> Message:
    return Message(id=id, role="user", parts=[TextPart(text=text)])


def request(*messages: Message, tools: list[ToolSpec] | None = None) -> ChatRequest:
    return ChatRequest(
        model="test-model",
        system="You are terse.",
        messages=list(messages) or [user("hi")],
        tools=tools or [],
    )


async def collect(provider: Provider, req: ChatRequest | None = None) -> list[ProviderEvent]:
    try:
        return [event async for event in provider.stream(req or request())]
    finally:
        await provider.aclose()
