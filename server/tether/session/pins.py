"""What survives every compaction: the task, pins, the latest summary and checkpoint.

Folded from the session's durable records (`pin`, `unpin`, `compaction`, `checkpoint`)
as they are emitted and, after a restart, from the history file, so a summary is reused
rather than recomputed and a step-limit checkpoint can still be continued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from tether.protocol.events import Checkpoint, Compaction, PinAdded, PinRemoved
from tether.protocol.models import Message
from tether.session.budget import TokenCalibration, WindowState
from tether.session.context import SummaryRef, TokenCache

MAX_TASK_CHARS = 8_000


@dataclass
class ContextState:
    task: str = ""  # the user's first message of the session, verbatim (capped)
    pins: dict[str, str] = field(default_factory=dict)  # pin id → text, in pin order
    summary: SummaryRef | None = None
    checkpoint: Checkpoint | None = None  # the last step-limit stop, until continued
    summary_model: str = ""
    # Not durable: estimates, their correction and the window learned from errors.
    cache: TokenCache = field(default_factory=TokenCache)
    calibration: TokenCalibration = field(default_factory=TokenCalibration)
    window: WindowState | None = None

    def note_task(self, message: Message) -> None:
        if not self.task and message.role == "user" and message.text.strip():
            self.task = message.text.strip()[:MAX_TASK_CHARS]

    def apply(self, record: Compaction | PinAdded | PinRemoved | Checkpoint) -> None:
        if isinstance(record, PinAdded):
            self.pins[record.pin_id] = record.text
        elif isinstance(record, PinRemoved):
            self.pins.pop(record.pin_id, None)
        elif isinstance(record, Compaction):
            self.summary = SummaryRef(text=record.summary,
                                      up_to_message_id=record.up_to_message_id)
            self.summary_model = record.model
        elif isinstance(record, Checkpoint):
            self.checkpoint = record

    @classmethod
    def from_records(cls, records: list[dict[str, Any]]) -> ContextState:
        """Fold stored records (unknown or damaged ones are skipped)."""
        state = cls()
        kinds: dict[str, type[Compaction | PinAdded | PinRemoved | Checkpoint]] = {
            "pin": PinAdded, "unpin": PinRemoved, "compaction": Compaction,
            "checkpoint": Checkpoint,
        }
        for record in records:
            kind = record.get("type")
            try:
                if kind == "message_added":
                    state.note_task(Message.model_validate(record.get("message")))
                elif isinstance(kind, str) and kind in kinds:
                    state.apply(kinds[kind].model_validate(record))
            except ValidationError:
                continue
        return state


def pinned_section(state: ContextState, current_prompt: str) -> str:
    """The pinned part of the system context ("" when nothing is pinned)."""
    lines: list[str] = []
    if state.task:
        lines.append(f"The user's task (their first message):\n{state.task}")
    if current_prompt and current_prompt.strip() != state.task:
        lines.append(f"The user's current request:\n{current_prompt.strip()}")
    for pin_id, text in state.pins.items():
        lines.append(f"Pinned by the user ({pin_id}):\n{text}")
    if not lines:
        return ""
    return ("Pinned context (kept verbatim through every summary of this session):\n\n"
            + "\n\n".join(lines))
