"""Session titles: the first user line at once, a model-written one after the first turn.

Every title, renamed ones included, is stored through `clip_title`: one line of at most
`MAX_TITLE_CHARS` characters (cut at a word with an ellipsis), the cap the history store
enforces on its headers too.
"""

from __future__ import annotations

import logging

from tether.errors import ProviderError
from tether.protocol.models import MAX_TITLE_CHARS
from tether.providers.base import Provider
from tether.session.ask import ask_text
from tether.store.records import clip_text, clip_title

__all__ = ["MAX_TITLE_CHARS", "clean_title", "clip_text", "clip_title", "fallback_title",
           "generate_title"]

log = logging.getLogger(__name__)

FALLBACK_MAX_CHARS = 47
TITLE_MAX_WORDS = 6
TITLE_TIMEOUT = 20.0
TITLE_SYSTEM_PROMPT = (
    "You write conversation titles. Reply with a title of at most 6 words for the "
    "conversation below: no quotes, no trailing punctuation, nothing else."
)


def fallback_title(user_text: str) -> str:
    """The first non-empty line of the user's message, at most 47 characters."""
    for line in user_text.splitlines():
        line = " ".join(line.split())
        if line:
            if len(line) <= FALLBACK_MAX_CHARS:
                return line
            cut = line[: FALLBACK_MAX_CHARS - 1].rsplit(" ", 1)[0] or line[: FALLBACK_MAX_CHARS - 1]
            return cut + "…"
    return "New session"


def clean_title(raw: str) -> str:
    line = next((ln.strip() for ln in raw.splitlines() if ln.strip()), "")
    if line.lower().startswith("title:"):
        line = line[6:]
    line = line.strip("\"'`*# ").rstrip(".!?:;,\"'")
    words = line.split()
    return " ".join(words[:TITLE_MAX_WORDS])


async def generate_title(provider: Provider, model: str, user_text: str, answer: str) -> str | None:
    """Ask the model for a short title; None when it fails or says nothing usable."""
    transcript = f"User: {user_text[:2000]}\n\nAssistant: {answer[:2000]}"
    try:
        raw = await ask_text(provider, model=model, system=TITLE_SYSTEM_PROMPT,
                             prompt=transcript, message_id="title", max_tokens=32,
                             timeout=TITLE_TIMEOUT)
    except (ProviderError, TimeoutError) as exc:
        log.info("title generation failed: %s", exc)
        return None
    title = clip_title(clean_title(raw))  # six words, but a word can be huge
    return title or None
