"""Deriving the per-step model context from the append-only history.

History is never rewritten: this module builds a *view* for one request. Interrupted
messages get a marker so the model does not redo cancelled work; when the request would
overflow the model's window, the oldest whole exchanges are left out of the view (an
exchange starts at a user message, so a tool call is never split from its result).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tether.protocol.models import (
    FilePart,
    ImagePart,
    Message,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from tether.providers.base import ToolSpec

CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD_TOKENS = 4
IMAGE_TOKENS = 1000
INTERRUPTED_MARKER = "[This reply was interrupted by the user; do not repeat the work it began.]"


def estimate_text_tokens(text: str) -> int:
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def estimate_message_tokens(message: Message) -> int:
    total = MESSAGE_OVERHEAD_TOKENS
    for part in message.parts:
        if isinstance(part, TextPart | ThinkingPart):
            total += estimate_text_tokens(part.text)
        elif isinstance(part, ToolCallPart):
            total += estimate_text_tokens(part.name + json.dumps(part.arguments))
        elif isinstance(part, ToolResultPart):
            total += estimate_text_tokens(part.content)
        elif isinstance(part, FilePart):
            total += estimate_text_tokens(part.uri + (part.text or ""))
        elif isinstance(part, ImagePart):
            total += IMAGE_TOKENS
    return total


def estimate_tools_tokens(tools: list[ToolSpec]) -> int:
    return sum(
        estimate_text_tokens(t.name + t.description + json.dumps(t.parameters)) for t in tools
    )


@dataclass(frozen=True)
class DerivedContext:
    messages: list[Message]
    dropped_messages: int
    estimated_tokens: int
    budget_tokens: int


def split_exchanges(messages: list[Message]) -> list[list[Message]]:
    """Group messages into exchanges, each starting at a user message."""
    exchanges: list[list[Message]] = []
    for message in messages:
        if message.role == "user" or not exchanges:
            exchanges.append([message])
        else:
            exchanges[-1].append(message)
    return exchanges


def mark_interrupted(message: Message) -> Message:
    """A copy of an interrupted assistant message carrying the marker text."""
    if not message.interrupted or message.role != "assistant":
        return message
    parts = [p for p in message.parts if not isinstance(p, ThinkingPart)]
    parts.append(TextPart(text=INTERRUPTED_MARKER))
    return message.model_copy(update={"parts": parts})


def derive_context(
    history: list[Message],
    *,
    system: str,
    tools: list[ToolSpec],
    window_tokens: int,
    reserve_tokens: int,
) -> DerivedContext:
    """The messages to send: all of them if they fit, else the newest exchanges that do.

    The newest exchange is always kept, even when it alone overflows: the provider's
    own error then says so, rather than the model answering a question it never saw.
    """
    view = [mark_interrupted(m) for m in history]
    budget = max(window_tokens - reserve_tokens, window_tokens // 4)
    fixed = estimate_text_tokens(system) + estimate_tools_tokens(tools)
    exchanges = split_exchanges(view)
    sizes = [sum(estimate_message_tokens(m) for m in ex) for ex in exchanges]
    total = fixed + sum(sizes)
    dropped = 0
    first = 0
    while total > budget and first < len(exchanges) - 1:
        total -= sizes[first]
        dropped += len(exchanges[first])
        first += 1
    kept = [m for ex in exchanges[first:] for m in ex]
    return DerivedContext(
        messages=kept, dropped_messages=dropped, estimated_tokens=total, budget_tokens=budget
    )
