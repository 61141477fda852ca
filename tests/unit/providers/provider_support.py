"""Helpers shared by the provider tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import httpx

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


class ChunkStream(httpx.AsyncByteStream):
    """A response body delivered in exactly these chunks, optionally breaking at the end."""

    def __init__(self, chunks: list[bytes], error: Exception | None = None) -> None:
        self.chunks = chunks
        self.error = error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.error is not None:
            raise self.error


def sse_body(*payloads: object, done: bool = True) -> list[bytes]:
    """OpenAI-style `data:` frames, one network chunk each."""
    frames = [
        f"data: {p if isinstance(p, str) else json.dumps(p, ensure_ascii=False)}\n\n".encode()
        for p in payloads
    ]
    if done:
        frames.append(b"data: [DONE]\n\n")
    return frames


def mock_transport(
    *answers: Callable[[httpx.Request], httpx.Response],
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport answering request n with answers[n] (the last one repeats)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[min(len(seen), len(answers)) - 1](request)

    return httpx.MockTransport(handler), seen


def streaming(
    chunks: list[bytes], error: Exception | None = None, headers: dict[str, str] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream", **(headers or {})},
            stream=ChunkStream(chunks, error),
        )

    return answer
