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


@dataclass
class _Trail:
    """What the records of an unfinished turn say: messages kept, calls made and answered,
    and the text streamed (checkpointed) for each message."""

    added: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)
    streamed: dict[str, list[list[str]]] = field(default_factory=dict)  # id -> text, reasoning
    last_streamed: str | None = None

    def fold(self, record: dict[str, Any]) -> None:
        kind = record.get("type")
        if kind == "message_added":
            self._message(record)
        elif kind == "message_checkpoint" and isinstance(record.get("messageId"), str):
            self._checkpoint(record)
        elif kind == "stream_retry" and record.get("discardMessageId") == self.last_streamed:
            self.last_streamed = None  # that partial was dropped by a retry

    def _message(self, record: dict[str, Any]) -> None:
        try:
            message = Message.model_validate(record.get("message"))
        except ValidationError:
            return
        self.added.add(message.id)
        self.calls.extend(c.id for c in message.tool_calls)
        self.answered.update(p.tool_call_id for p in message.parts
                             if isinstance(p, ToolResultPart))

    def _checkpoint(self, record: dict[str, Any]) -> None:
        self.last_streamed = record["messageId"]
        pieces = self.streamed.setdefault(self.last_streamed, [[], []])
        for index, key in enumerate(("text", "reasoning")):
            if isinstance(record.get(key), str):
                pieces[index].append(record[key])


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
    trail = _Trail()
    for record in records:
        trail.fold(record)
    plan = Recovery(turn_id)
    plan.messages.extend(_missing_results(trail, turn_id, new_id))
    interrupted = _interrupted_message(trail, turn_id)
    if interrupted is not None:
        plan.messages.append(interrupted)
    return plan


def _missing_results(trail: _Trail, turn_id: str | None, new_id: Any) -> list[Message]:
    """A result for every call the turn made and never answered."""
    return [Message(id=new_id(), role="tool", turn_id=turn_id,
                    parts=[ToolResultPart(tool_call_id=call_id, content=INTERRUPTED_RESULT,
                                          is_error=True)])
            for call_id in trail.calls if call_id not in trail.answered]


def _interrupted_message(trail: _Trail, turn_id: str | None) -> Message | None:
    """The message that was streaming when the process ended, from its checkpoints."""
    last = trail.last_streamed
    if last is None or last in trail.added:
        return None
    text, reasoning = ("".join(p) for p in trail.streamed[last])
    parts: list[Any] = []
    if reasoning:
        parts.append(ThinkingPart(text=reasoning))
    if text:
        parts.append(TextPart(text=text))
    if not parts:
        return None
    return Message(id=last, role="assistant", parts=parts, turn_id=turn_id, interrupted=True)
