"""Recognising a provider's "the request is too long" answer, and the window it names.

OpenAI-compatible servers answer 400 with `code: context_length_exceeded` and "This
model's maximum context length is N tokens"; Anthropic answers 400 `invalid_request_error`
"prompt is too long: X tokens > N maximum"; llama.cpp and vLLM word it their own way.
Pure functions over the error text, so the session can compact and retry once.
"""

from __future__ import annotations

import re

_LIMIT_PATTERNS = (
    re.compile(r"maximum context length is (\d+)", re.IGNORECASE),  # OpenAI, vLLM
    re.compile(r"prompt is too long: \d+ tokens > (\d+)", re.IGNORECASE),  # Anthropic
    re.compile(r"context (?:size|window|length)[^0-9]{0,40}\(?(\d{3,})\)?", re.IGNORECASE),
    re.compile(r"n_ctx[^0-9]{0,10}(\d{3,})", re.IGNORECASE),  # llama.cpp
)
_MARKERS = (
    "context_length_exceeded",
    "maximum context length",
    "prompt is too long",
    "exceeds the available context size",
    "context window",
    "too many tokens",
)


def is_context_length_error(status: int, raw_body: str) -> bool:
    """True when a 400/413 answer says the prompt does not fit the model's window."""
    if status not in (400, 413):
        return False
    text = raw_body.lower()
    return any(marker in text for marker in _MARKERS)


def named_limit(text: str) -> int | None:
    """The window size in tokens the error text names, when it names one."""
    for pattern in _LIMIT_PATTERNS:
        match = pattern.search(text)
        if match:
            value = int(match.group(1))
            if value >= 256:
                return value
    return None


_PROMPT_PATTERNS = (
    re.compile(r"resulted in (\d+) tokens", re.IGNORECASE),  # OpenAI
    re.compile(r"prompt is too long: (\d+) tokens", re.IGNORECASE),  # Anthropic
    re.compile(r"requested (\d+) tokens", re.IGNORECASE),
)


def named_prompt_tokens(text: str) -> int | None:
    """The request's size in tokens, when the error text says it (corrects our estimate)."""
    for pattern in _PROMPT_PATTERNS:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None
