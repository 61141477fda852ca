"""Each fact stored once: the prompt lives in the user message, the reply in the
assistant message, and the turn records point at them instead of repeating them.

Since this version `turn_started` is written without `prompt` and `turn_completed`
without `text` (when that text is the turn's last assistant message, which the writer
checks). Readers put the fields back from the messages they already hold, so a replay
is the same as before; files written by older versions carry both and are read as they
are (a present field is never overwritten).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

TURN_STARTED = "turn_started"
TURN_COMPLETED = "turn_completed"
MESSAGE_ADDED = "message_added"


def _message_text(record: dict[str, Any], role: str) -> str | None:
    message = record.get("message")
    if not isinstance(message, dict) or message.get("role") != role:
        return None
    parts = message.get("parts")
    if not isinstance(parts, list):
        return None
    return "".join(p["text"] for p in parts
                   if isinstance(p, dict) and p.get("type") == "text"
                   and isinstance(p.get("text"), str))


def _first_text(record: dict[str, Any]) -> str | None:
    """The prompt of a user message: its first text part (attachments follow it)."""
    message = record.get("message")
    parts = message.get("parts") if isinstance(message, dict) else None
    if isinstance(parts, list) and parts and isinstance(parts[0], dict):
        text = parts[0].get("text")
        if parts[0].get("type") == "text" and isinstance(text, str):
            return text
    return None


def is_compact_start(record: dict[str, Any]) -> bool:
    """A turn_started whose prompt is in the user message that follows it."""
    return record.get("type") == TURN_STARTED and "prompt" not in record


def inflate(records: Iterable[dict[str, Any]], replies: dict[Any, str] | None = None
            ) -> Iterator[dict[str, Any]]:
    """The records with `prompt` and `text` put back where they were left out.

    `replies` (turn id -> last assistant text) seeds what earlier records said, for a
    reader that starts in the middle of a file.
    """
    waiting: dict[str, Any] | None = None  # a compact turn_started, until its user message
    replies = dict(replies or {})
    for record in records:
        kind = record.get("type")
        if waiting is not None:
            if kind == MESSAGE_ADDED and record.get("turnId") == waiting.get("turnId"):
                prompt = _first_text(record) if _message_text(record, "user") is not None \
                    else None
                if prompt is not None:
                    waiting["prompt"] = prompt
            yield waiting if "prompt" in waiting else {**waiting, "prompt": ""}
            waiting = None
        if is_compact_start(record):
            waiting = dict(record)
            continue
        if kind == MESSAGE_ADDED:
            text = _message_text(record, "assistant")
            if text is not None:
                replies[record.get("turnId")] = text
        elif kind == TURN_COMPLETED and "text" not in record:
            record = {**record, "text": replies.get(record.get("turnId"), "")}
        yield record
    if waiting is not None:
        yield {**waiting, "prompt": ""}
