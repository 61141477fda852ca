"""Closing a turn whose process ended mid-turn (killed, crashed, machine off).

Pure planning over the records of a session's newest turn: when it has no terminal
record, the plan gives the messages that make the history valid and complete again (the
text streamed before the crash, from its last checkpoint, as an interrupted assistant
message; a result for every tool call left without one, so provider APIs accept the next
request) and the reason of the `turn_failed` that ends it. The manager appends them only
while it holds the session's turn lease, so a turn running in another process is never
"recovered".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from tether.protocol.events import EVENT_TYPES
from tether.protocol.models import Message, TextPart, ThinkingPart, ToolResultPart

INTERRUPTED_REASON = "interrupted: the process ended"
INTERRUPTED_RESULT = (
    "Interrupted: the Tether process ended before this call finished. "
    "Do not assume it ran; check before retrying."
)


@dataclass
class Recovery:
    turn_id: str | None
    messages: list[Message] = field(default_factory=list)
    reason: str = INTERRUPTED_REASON


def _is_terminal(kind: object) -> bool:
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    return cls is not None and cls.terminal


def plan_recovery(records: list[dict[str, Any]], new_id: Any) -> Recovery | None:
    """None when the newest turn ended (or there is none); else what closes it.

    `records` run from the turn's `turn_started` to the end of the file, oldest first;
    `new_id()` makes message ids.
    """
    if not records or records[0].get("type") != "turn_started":
        return None
    if any(_is_terminal(r.get("type")) for r in records):
        return None
    turn_id = records[0].get("turnId")
    turn_id = turn_id if isinstance(turn_id, str) else None
    added: set[str] = set()
    calls: list[str] = []
    answered: set[str] = set()
    streamed: dict[str, list[list[str]]] = {}  # message id -> [text pieces, reasoning pieces]
    last_streamed: str | None = None
    for record in records:
        kind = record.get("type")
        if kind == "message_added":
            try:
                message = Message.model_validate(record.get("message"))
            except ValidationError:
                continue
            added.add(message.id)
            calls.extend(c.id for c in message.tool_calls)
            answered.update(p.tool_call_id for p in message.parts
                            if isinstance(p, ToolResultPart))
        elif kind == "message_checkpoint" and isinstance(record.get("messageId"), str):
            last_streamed = record["messageId"]
            pieces = streamed.setdefault(last_streamed, [[], []])
            for index, key in enumerate(("text", "reasoning")):
                if isinstance(record.get(key), str):
                    pieces[index].append(record[key])
        elif kind == "stream_retry" and record.get("discardMessageId") == last_streamed:
            last_streamed = None  # that partial was dropped by a retry
    plan = Recovery(turn_id)
    for call_id in calls:
        if call_id not in answered:
            plan.messages.append(Message(
                id=new_id(), role="tool", turn_id=turn_id,
                parts=[ToolResultPart(tool_call_id=call_id, content=INTERRUPTED_RESULT,
                                      is_error=True)]))
    if last_streamed is not None and last_streamed not in added:
        text, reasoning = ("".join(p) for p in streamed[last_streamed])
        parts: list[Any] = []
        if reasoning:
            parts.append(ThinkingPart(text=reasoning))
        if text:
            parts.append(TextPart(text=text))
        if parts:
            plan.messages.append(Message(id=last_streamed, role="assistant", parts=parts,
                                         turn_id=turn_id, interrupted=True))
    return plan
