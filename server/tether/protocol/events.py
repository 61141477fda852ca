"""Session events: everything a turn does, as one discriminated union.

Every event carries `sessionId`, `turnId` and a per-session monotonic `seq`. Durable
events are written to the session's history file before or as they are notified (a
client replays them from a `seq`); transient ones (deltas, chunks, heartbeats) are only
streamed. Everything needed to rebuild the conversation is durable: the messages travel
in `message_added`.

A turn ends with exactly one terminal event: `turn_completed`, `turn_cancelled`,
`turn_failed` or `step_limit_reached`.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, TypeAdapter

from tether.protocol.base import WireModel
from tether.protocol.models import Message, Usage, utc_now

PermissionOption = Literal["allow_once", "allow_always", "reject"]
CompactionReason = Literal["window", "provider_limit"]


def all_permission_options() -> list[PermissionOption]:
    """The default answer set of a permission request: every option."""
    return ["allow_once", "allow_always", "reject"]


class EventBase(WireModel):
    """Fields every session event carries."""

    durable: ClassVar[bool] = True
    terminal: ClassVar[bool] = False

    session_id: str = Field(description="The session the event belongs to.")
    turn_id: str | None = Field(None, description="The turn; null for events outside a turn.")
    seq: int = Field(0, description="Per-session, strictly increasing sequence number.")
    time: datetime = Field(default_factory=utc_now, description="When it happened (UTC).")


class TurnStarted(EventBase):
    """A turn began: the user's prompt was accepted."""

    type: Literal["turn_started"] = "turn_started"
    prompt: str = Field(description="The user's text that started the turn.")
    model: str = Field("", description="Model selector used for the turn.")
    client_message_id: str | None = Field(
        None, description="The `clientMessageId` the prompt carried, if any."
    )


class MessageAdded(EventBase):
    """A complete message was appended to the history (user, assistant or tool)."""

    type: Literal["message_added"] = "message_added"
    message: Message = Field(description="A complete message appended to the history.")


class TextDelta(EventBase):
    """A piece of the assistant's answer as it streams (coalesced, see below)."""

    durable: ClassVar[bool] = False
    type: Literal["text_delta"] = "text_delta"
    message_id: str = Field(description="The assistant message being streamed.")
    text: str = Field(description="Text to append.")


class ReasoningDelta(EventBase):
    """A piece of the model's reasoning as it streams (coalesced, see below)."""

    durable: ClassVar[bool] = False
    type: Literal["reasoning_delta"] = "reasoning_delta"
    message_id: str = Field(description="The assistant message being streamed.")
    text: str = Field(description="Reasoning text to append.")


class TextComplete(EventBase):
    """An assistant message finished streaming; carries its full text."""

    durable: ClassVar[bool] = False
    type: Literal["text_complete"] = "text_complete"
    message_id: str = Field(description="The assistant message that finished streaming.")
    text: str = Field(description="Its full text.")


class ToolCallStarted(EventBase):
    """The model called a tool; it starts now (after any permission)."""

    type: Literal["tool_call_started"] = "tool_call_started"
    tool_call_id: str = Field(description="Tool call id.")
    name: str = Field(description="Tool name.")
    arguments: dict[str, Any] = Field(default_factory=dict, description="Arguments.")


class ToolOutputChunk(EventBase):
    """Output a running tool produced (e.g. a command's stdout)."""

    durable: ClassVar[bool] = False
    type: Literal["tool_output_chunk"] = "tool_output_chunk"
    tool_call_id: str = Field(description="Tool call id.")
    text: str = Field(description="Output produced since the last chunk.")


class ToolHeartbeat(EventBase):
    """A long tool call is still running."""

    durable: ClassVar[bool] = False
    type: Literal["tool_heartbeat"] = "tool_heartbeat"
    tool_call_id: str = Field(description="Tool call id still running.")
    elapsed_ms: int = Field(description="Time since the call started.")


class ToolCallCompleted(EventBase):
    """A tool call ended: succeeded, failed, was refused or cancelled."""

    type: Literal["tool_call_completed"] = "tool_call_completed"
    tool_call_id: str = Field(description="Tool call id.")
    name: str = Field(description="Tool name.")
    success: bool = Field(description="False for errors, refusals and cancels.")
    duration_ms: int = Field(description="Wall time of the call.")
    output: str = Field("", description="Output, capped for display.")
    truncated: bool = Field(False, description="True when `output` was capped.")


BlockPlacement = Literal["created", "region", "whole"]


class AppliedCodeBlock(WireModel):
    """Where a chat code block the user applied (`tether/codeBlock/apply`) went."""

    placement: BlockPlacement = Field(
        description="`created` (the file was absent or blank), `region` (its first and "
        "last lines anchored lines of the file) or `whole` (it replaced the whole file).")
    start_line: int = Field(0, description="1-based first line of the file it replaced "
                            "(0 when `created`).")
    end_line: int = Field(0, description="Last line of the file it replaced (0 when "
                          "`created`).")


class FileEdited(EventBase):
    """An agent edit to a file, with its unified diff, applied or not. A code block the
    user applied (`tether/codeBlock/apply`) is reported the same way, outside any turn:
    its `turnId` and `toolCallId` are the block's `changeId`."""

    type: Literal["file_edited"] = "file_edited"
    tool_call_id: str = Field(description="The edit tool call (an applied code block: its "
                              "`changeId`).")
    uri: str = Field(description="file:// URI of the edited file.")
    diff: str = Field(description="Unified diff of the edit as proposed.")
    applied: bool = Field(description="Whether the edit reached the buffer / file.")
    rebased: bool = Field(False, description="Applied after a 3-way rebase on newer text.")
    message: str | None = Field(None, description="Why it was not applied, when it was not.")
    path: str = Field("", description="The file, relative to the workspace folder.")
    target: Literal["buffer", "disk"] | None = Field(
        None, description="Where the edit landed: an open editor buffer or the disk "
        "(a file not open in the editor is written there, never left in a hidden buffer).")
    hunk_ids: list[str] = Field(
        default_factory=list, description="Ids of the turn's hunks in this file so far, "
        "for `tether/changes/undo` (stable across later edits elsewhere in the file).")
    before_blob: str | None = Field(
        None, description="Snapshot id of the file before the turn first touched it "
        "(null: the turn created it, or it was too big to keep).")
    after_blob: str | None = Field(
        None, description="Snapshot id of the file's text after this edit, stored as "
        "its changes from `beforeBlob`.")
    created: bool = Field(False, description="The turn created the file.")
    restorable: bool = Field(
        True, description="False when the file was over `maxBlobBytes`: it cannot be "
        "undone or rewound.")
    code_block: AppliedCodeBlock | None = Field(
        None, description="Set when the edit is a chat code block the user applied, not "
        "the agent's: where the block went.")


class PermissionRequested(EventBase):
    """A tool call waits for the user's permission."""

    type: Literal["permission_requested"] = "permission_requested"
    tool_call_id: str = Field(description="The tool call waiting for permission.")
    tool: str = Field(description="Tool name.")
    description: str = Field(description="What the call will do, in a sentence.")
    diff: str | None = Field(None, description="The change, for edits.")
    options: list[PermissionOption] = Field(
        default_factory=all_permission_options,
        description="What the user may answer.",
    )


class PermissionResolved(EventBase):
    """The user (or a rule) answered a permission request."""

    type: Literal["permission_resolved"] = "permission_resolved"
    tool_call_id: str = Field(description="The tool call.")
    option: PermissionOption = Field(description="What was chosen.")


class UsageUpdated(EventBase):
    """Token usage after a model call, and how full the context is."""

    type: Literal["usage"] = "usage"
    usage: Usage = Field(description="Usage of the step just finished.")
    total: Usage = Field(description="Session totals after this step.")
    context_tokens: int = Field(0, description="Estimated tokens of the last request.")
    context_window: int = Field(0, description="The model's context window, when known.")
    cost: float | None = Field(None, description="US dollars of this step; null when the "
                               "model has no price (clients show tokens only).")
    turn_cost: float | None = Field(None, description="US dollars of the turn so far.")
    session_cost: float | None = Field(None, description="US dollars of the session so far.")


class StreamRetry(EventBase):
    """A model request or stream failed transiently and is retried."""

    type: Literal["stream_retry"] = "stream_retry"
    attempt: int = Field(description="1 for the first retry.")
    reason: str = Field(description="Why the request or stream is retried.")
    delay_seconds: float = Field(0.0, description="Wait before the retry.")
    discard_message_id: str | None = Field(
        None,
        description="The partial assistant message streamed before the failure: clients drop "
        "it (its deltas); the retry streams under a fresh message id and never repeats text "
        "under this one.",
    )


class ContextTruncated(EventBase):
    """Old messages were left out of the request to fit the window."""

    type: Literal["context_truncated"] = "context_truncated"
    dropped_messages: int = Field(description="Oldest messages left out of the request.")
    estimated_tokens: int = Field(description="Estimated request tokens after dropping.")
    context_window: int = Field(description="The model's window.")


class ErrorEvent(EventBase):
    """Something went wrong; `fatal` errors end the turn (a `turn_failed` follows)."""

    type: Literal["error"] = "error"
    message: str = Field(description="What went wrong, for the user.")
    code: int | None = Field(None, description="Error code from protocol-spec.md, if any.")
    fatal: bool = Field(False, description="True when the turn ends because of it.")


class TitleChanged(EventBase):
    """The session's title changed (set after the first turn, or renamed)."""

    type: Literal["title_changed"] = "title_changed"
    title: str = Field(description="The new title.")


class TurnCompleted(EventBase):
    """Terminal: the model finished its answer."""

    terminal: ClassVar[bool] = True
    type: Literal["turn_completed"] = "turn_completed"
    reason: str = Field("end_turn", description="Why the model stopped.")
    text: str = Field("", description="The final answer text.")


class TurnCancelled(EventBase):
    """Terminal: the turn was cancelled; partial work is kept, marked interrupted."""

    terminal: ClassVar[bool] = True
    type: Literal["turn_cancelled"] = "turn_cancelled"
    reason: str = Field("cancelled by user", description="Who or what cancelled.")


class TurnFailed(EventBase):
    """Terminal: the turn failed (provider error, bug); `reason` says why."""

    terminal: ClassVar[bool] = True
    type: Literal["turn_failed"] = "turn_failed"
    reason: str = Field(description="A readable reason.")
    code: int | None = Field(None, description="Error code from protocol-spec.md, if any.")


class StepLimitReached(EventBase):
    """Terminal: the turn hit the step limit (`maxSteps` model calls)."""

    terminal: ClassVar[bool] = True
    type: Literal["step_limit_reached"] = "step_limit_reached"
    reason: str = Field(description="A readable reason.")
    steps: int = Field(description="Steps taken.")


class CompactionStarted(EventBase):
    """The context no longer fits: older messages are being summarised by the model."""

    durable: ClassVar[bool] = False
    type: Literal["compaction_started"] = "compaction_started"
    tokens_before: int = Field(description="Estimated request tokens before compaction.")
    context_window: int = Field(description="The window being fitted.")
    reason: CompactionReason = Field(description="What triggered it.")


class Compaction(EventBase):
    """Durable record: a summary that stands in for the messages up to `upToMessageId`
    in every later request (the messages themselves stay in history)."""

    type: Literal["compaction"] = "compaction"
    summary: str = Field(description="The model's summary of the older messages.")
    up_to_message_id: str = Field(description="The last message the summary covers.")
    summarized_messages: int = Field(description="Messages the summary replaces in the view.")
    model: str = Field("", description="The model that wrote the summary.")


class CompactionCompleted(EventBase):
    """Compaction finished; the next request uses summary + recent messages."""

    type: Literal["compaction_completed"] = "compaction_completed"
    tokens_before: int = Field(description="Estimated request tokens before.")
    tokens_after: int = Field(description="Estimated request tokens after.")
    summarized_messages: int = Field(description="Messages replaced by the summary.")
    context_window: int = Field(description="The window being fitted.")


class CompactionFailed(EventBase):
    """The summariser failed or answered nothing usable; the view falls back to truncation
    (a `context_truncated` follows). The task is never lost: pins survive."""

    type: Literal["compaction_failed"] = "compaction_failed"
    reason: str = Field(description="Why, for the user.")


class PinAdded(EventBase):
    """Durable record: text pinned into every request, verbatim, through every compaction."""

    type: Literal["pin"] = "pin"
    pin_id: str = Field(description="Id to unpin it with.")
    text: str = Field(description="The pinned text.")


class PinRemoved(EventBase):
    """Durable record: a pin was removed."""

    type: Literal["unpin"] = "unpin"
    pin_id: str = Field(description="The pin removed.")


class Checkpoint(EventBase):
    """Durable record: where a turn stopped (at the step limit), so it can be continued."""

    type: Literal["checkpoint"] = "checkpoint"
    reason: Literal["step_limit"] = Field("step_limit", description="Why the turn stopped.")
    task: str = Field(description="The user's request the turn worked on.")
    done: list[str] = Field(default_factory=list, description="Tool calls made, oldest first.")
    remaining: str = Field("", description="The model's last words: its plan or state.")
    steps: int = Field(description="Steps taken.")


class MessageCheckpoint(EventBase):
    """Assistant text streamed since the previous checkpoint, saved every few seconds.

    Durable, so a reply whose process is killed mid-stream keeps its text: on the next
    load the turn gets `turn_failed` and the checkpoints of the message, concatenated,
    become an interrupted message. Each holds only the new text, so a long reply is not
    stored over and over. Clients need not render it (the deltas showed the text).
    """

    type: Literal["message_checkpoint"] = "message_checkpoint"
    message_id: str = Field(description="The assistant message being streamed.")
    text: str = Field(description="Text streamed since this message's previous checkpoint.")
    reasoning: str = Field("", description="Reasoning streamed since the previous one.")


class ArchiveChanged(EventBase):
    """The session was archived (hidden from the default list, kept) or unarchived."""

    type: Literal["archive_changed"] = "archive_changed"
    archived: bool = Field(description="True when archived.")


class ChangeConflict(WireModel):
    """A file an undo or a rewind left untouched, and why."""

    path: str = Field(description="The file, relative to the workspace folder.")
    reason: str = Field(description="Why it was left as it is.")


class ChangeUndone(EventBase):
    """The user undid some of a turn's edits (hunks, a file or all of them).

    The model hears of it at its next request, so it does not redo the change.
    """

    type: Literal["change_undone"] = "change_undone"
    undone_turn_id: str = Field(description="The turn whose edits were undone.")
    path: str = Field(description="The file, relative to the workspace folder.")
    uri: str = Field(description="file:// URI of the file.")
    hunk_ids: list[str] = Field(description="The hunks undone.")
    lines: str = Field("", description="Where, in words (\"lines 3-5\"), for the model.")
    deleted: bool = Field(False, description="The turn had created the file; it was removed.")
    code_block: bool = Field(False, description="The undone change set is a code block the "
                             "user applied (`tether/codeBlock/apply`), not the agent's edit.")


class TurnRewound(EventBase):
    """The session was rewound to before `toTurnId`: files restored, turns left out of
    the model's context from now on (they stay in history and in `load`, marked)."""

    type: Literal["turn_rewound"] = "turn_rewound"
    to_turn_id: str = Field(description="The first turn rewound.")
    rewound_turn_ids: list[str] = Field(description="Every turn rewound, oldest first.")
    restored: list[str] = Field(default_factory=list, description="Files restored.")
    conflicts: list[ChangeConflict] = Field(
        default_factory=list, description="Files left untouched, and why.")


SessionEvent = Annotated[
    TurnStarted
    | MessageAdded
    | TextDelta
    | ReasoningDelta
    | TextComplete
    | ToolCallStarted
    | ToolOutputChunk
    | ToolHeartbeat
    | ToolCallCompleted
    | FileEdited
    | PermissionRequested
    | PermissionResolved
    | UsageUpdated
    | StreamRetry
    | ContextTruncated
    | ErrorEvent
    | TitleChanged
    | TurnCompleted
    | TurnCancelled
    | TurnFailed
    | StepLimitReached
    | CompactionStarted
    | Compaction
    | CompactionCompleted
    | CompactionFailed
    | PinAdded
    | PinRemoved
    | Checkpoint
    | MessageCheckpoint
    | ArchiveChanged
    | ChangeUndone
    | TurnRewound,
    Field(discriminator="type"),
]

TerminalEvent = TurnCompleted | TurnCancelled | TurnFailed | StepLimitReached



@functools.cache
def event_adapter() -> TypeAdapter[SessionEvent]:
    """Built on first use: its validator costs tens of ms that `tether --help` must not pay."""
    return TypeAdapter(SessionEvent)


EVENT_TYPES: dict[str, type[EventBase]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        TurnStarted, MessageAdded, TextDelta, ReasoningDelta, TextComplete, ToolCallStarted,
        ToolOutputChunk, ToolHeartbeat, ToolCallCompleted, FileEdited, PermissionRequested,
        PermissionResolved, UsageUpdated, StreamRetry, ContextTruncated, ErrorEvent,
        TitleChanged, TurnCompleted, TurnCancelled, TurnFailed, StepLimitReached,
        CompactionStarted, Compaction, CompactionCompleted, CompactionFailed, PinAdded,
        PinRemoved, Checkpoint,
        MessageCheckpoint, ArchiveChanged,
        ChangeUndone, TurnRewound,
    )
}


def parse_event(data: dict[str, Any]) -> SessionEvent:
    """Validate a wire/history dict into its event class (raises pydantic.ValidationError)."""
    return event_adapter().validate_python(data)
