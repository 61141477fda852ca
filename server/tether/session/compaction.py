"""Compaction: the model summarises the older part of the view so the task can go on.

The summary must keep what the rest of the task depends on: the user's request,
decisions and their reasons, files read and changed, what is done, what remains and open
questions. It is appended to history as a durable `compaction` record; the messages it
covers stay there. A summariser that fails, times out or answers something unusable
raises `SummaryFailed`, and the caller falls back to truncation (the task is pinned, so
it is never lost).
"""

from __future__ import annotations

import json
import logging

from tether.errors import ProviderError
from tether.protocol.models import Message, TextPart, ToolResultPart
from tether.providers.base import Provider
from tether.session.ask import ask_text
from tether.session.context import CHARS_PER_TOKEN, estimate_text_tokens

log = logging.getLogger(__name__)

SUMMARY_TIMEOUT = 120.0
SUMMARY_MAX_TOKENS = 1500
MIN_SUMMARY_CHARS = 40
TOOL_OUTPUT_CLIP = 1200
TEXT_CLIP = 4000
COMPACTION_SYSTEM_PROMPT = (
    "You compact a coding agent's working memory. Summarise the conversation below so the "
    "agent can continue the task from your summary alone. Keep: the user's task in their "
    "words; decisions made and why; files read, created or changed (paths) and what was "
    "learned from them; commands run and their outcome; what is done; what remains to do; "
    "open questions. Be specific (names, paths, numbers); leave out pleasantries. Answer "
    "with the summary only, as short sections with bullet points."
)


class SummaryFailed(Exception):
    """The summariser gave nothing usable; the message says why, for the user."""


def render_transcript(messages: list[Message], previous: str | None, max_chars: int) -> str:
    """The part to summarise as plain text, newest parts kept when it is too long."""
    blocks: list[str] = []
    names: dict[str, str] = {}
    for message in messages:
        for call in message.tool_calls:
            names[call.id] = call.name
            args = json.dumps(call.arguments, ensure_ascii=False)[:400]
            blocks.append(f"Assistant called {call.name}({args})")
        for part in message.parts:
            if isinstance(part, ToolResultPart):
                content = part.content
                if len(content) > TOOL_OUTPUT_CLIP:
                    content = (content[:TOOL_OUTPUT_CLIP]
                               + f"\n[... {len(part.content) - TOOL_OUTPUT_CLIP:,} more chars]")
                name = names.get(part.tool_call_id, "tool")
                failed = " (error)" if part.is_error else ""
                blocks.append(f"{name} returned{failed}:\n{content}")
            elif isinstance(part, TextPart) and part.text.strip():
                text = part.text[:TEXT_CLIP]
                blocks.append(f"{message.role.capitalize()}: {text}")
    head = f"Summary of what came before:\n{previous}\n" if previous else ""
    kept: list[str] = []
    room = max_chars - len(head)
    for block in reversed(blocks):
        if room - len(block) - 2 < 0 and kept:
            kept.append("[... older messages left out of this summary request]")
            break
        kept.append(block)
        room -= len(block) + 2
    return head + "\n\n".join(reversed(kept))


def check_summary(text: str) -> str:
    """The summary, stripped; SummaryFailed when it is empty or too short to be one."""
    summary = text.strip()
    if not summary:
        raise SummaryFailed("the summariser answered nothing")
    if len(summary) < MIN_SUMMARY_CHARS:
        raise SummaryFailed(f"the summariser's answer is too short to be a summary "
                            f"({len(summary)} characters)")
    return summary


async def summarise(provider: Provider, model: str, messages: list[Message],
                    previous: str | None, budget_tokens: int) -> str:
    """The model's summary of `messages` (after `previous`); raises SummaryFailed."""
    max_chars = max(2_000, (budget_tokens - SUMMARY_MAX_TOKENS) * CHARS_PER_TOKEN * 3 // 4)
    transcript = render_transcript(messages, previous, max_chars)
    try:
        answer = await ask_text(provider, model=model, system=COMPACTION_SYSTEM_PROMPT,
                                prompt=transcript, message_id="compaction",
                                max_tokens=SUMMARY_MAX_TOKENS, timeout=SUMMARY_TIMEOUT)
    except ProviderError as exc:
        raise SummaryFailed(f"the summariser failed: {exc.message}") from exc
    except TimeoutError as exc:
        raise SummaryFailed(f"the summariser did not answer within {SUMMARY_TIMEOUT:g}s") from exc
    summary = check_summary(answer)
    if estimate_text_tokens(summary) > budget_tokens // 2:
        raise SummaryFailed("the summariser's answer is longer than half the context it "
                            "should make room in")
    return summary
