"""The provider seam: a chat request in, a stream of provider events out.

Providers translate their wire format (OpenAI Chat Completions, Anthropic Messages) to
these events and library errors to `tether.errors.ProviderError`s. Retries of failed
requests and restarts of dropped streams happen inside the provider layer; each one is
announced with `RetryNotice` so the session can emit `stream_retry` and drop whatever
partial output it had from the abandoned attempt.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from tether.protocol.models import Message, Usage


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema of the arguments object


@dataclass(frozen=True)
class ChatRequest:
    model: str  # the model name at the provider (no `provider/` prefix)
    system: str
    messages: list[Message]
    tools: list[ToolSpec] = field(default_factory=list)
    max_tokens: int = 8192
    temperature: float | None = None


# One of these is built per streamed token: slots make that a third cheaper.
@dataclass(frozen=True, slots=True)
class TextChunk:
    text: str


@dataclass(frozen=True, slots=True)
class ReasoningChunk:
    text: str
    signature: str | None = None


@dataclass(frozen=True)
class ToolCallReady:
    """A complete tool call, assembled from its streamed fragments."""

    id: str
    name: str
    arguments: dict[str, Any]
    raw_arguments: str  # as streamed; `arguments` is {} when this is not valid JSON
    arguments_error: str | None = None  # the JSON error, when it was not valid


@dataclass(frozen=True)
class UsageReport:
    usage: Usage


@dataclass(frozen=True)
class RetryNotice:
    """The request or stream is being retried: discard partial output of this attempt."""

    attempt: int
    reason: str
    delay_seconds: float


@dataclass(frozen=True)
class StreamFinished:
    stop_reason: str  # "end_turn", "tool_use", "max_tokens", ...


ProviderEvent = (
    TextChunk | ReasoningChunk | ToolCallReady | UsageReport | RetryNotice | StreamFinished
)


class Provider(Protocol):
    name: str

    def stream(self, request: ChatRequest) -> AsyncIterator[ProviderEvent]:
        """Stream one model response; raises ProviderError when retries are exhausted."""
        ...

    async def aclose(self) -> None: ...
