"""Model providers: OpenAI-compatible and Anthropic over streamed SSE, and transcript replay.

The seam is `tether.providers.base.Provider`; `make_provider(settings)` picks one.
"""

from tether.providers.anthropic import AnthropicProvider
from tether.providers.base import (
    ChatRequest,
    Provider,
    ProviderEvent,
    ReasoningChunk,
    RetryNotice,
    StreamFinished,
    TextChunk,
    ToolCallReady,
    ToolSpec,
    UsageReport,
)
from tether.providers.openai import OpenAIProvider
from tether.providers.registry import (
    context_window,
    effective_context_window,
    list_models,
    make_provider,
)
from tether.providers.replay import ReplayProvider
from tether.providers.retry import RetryPolicy

__all__ = [
    "AnthropicProvider",
    "ChatRequest",
    "OpenAIProvider",
    "Provider",
    "ProviderEvent",
    "ReasoningChunk",
    "ReplayProvider",
    "RetryNotice",
    "RetryPolicy",
    "StreamFinished",
    "TextChunk",
    "ToolCallReady",
    "ToolSpec",
    "UsageReport",
    "context_window",
    "effective_context_window",
    "list_models",
    "make_provider",
]
