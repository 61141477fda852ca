"""The assistant message of one model call while it streams.

The turn appends each streamed piece here; the message it becomes goes to history when
the call ends, or marked `interrupted` (without its tool calls) when the turn is cut off.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from tether.protocol.models import Message, Part, TextPart, ThinkingPart, ToolCallPart
from tether.providers.base import ToolCallReady


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class PartialMessage:
    """The assistant message being streamed in the current step."""

    id: str = field(default_factory=new_id)
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    signature: str | None = None
    calls: list[ToolCallReady] = field(default_factory=list)
    stop_reason: str = ""
    checkpointed_at: float = field(default_factory=time.monotonic)
    checkpointed: tuple[int, int] = (0, 0)  # text and reasoning pieces already saved

    def checkpoint_due(self, interval: float) -> bool:
        """Whether `interval` seconds passed since the last checkpoint (or the start)."""
        return time.monotonic() - self.checkpointed_at >= interval

    def reset(self) -> None:
        self.text.clear()
        self.reasoning.clear()
        self.calls.clear()
        self.signature = None

    def to_message(self, turn_id: str, *, interrupted: bool = False) -> Message:
        parts: list[Part] = []
        if self.reasoning:
            parts.append(ThinkingPart(text="".join(self.reasoning), signature=self.signature))
        if self.text:
            parts.append(TextPart(text="".join(self.text)))
        if not interrupted:
            parts.extend(
                ToolCallPart(
                    id=c.id,
                    name=c.name,
                    arguments=c.arguments,
                    raw_arguments=c.raw_arguments if c.arguments_error else None,
                )
                for c in self.calls
            )
        return Message(id=self.id, role="assistant", parts=parts, turn_id=turn_id,
                       interrupted=interrupted)
