"""The session data model: sessions, messages and their parts, usage, tool use."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from tether.protocol.base import WireModel


def utc_now() -> datetime:
    return datetime.now(UTC)


class Usage(WireModel):
    """Token counts; zero where a provider does not report a figure."""

    prompt_tokens: int = Field(0, description="Input tokens of the request(s).")
    completion_tokens: int = Field(0, description="Output tokens generated.")
    total_tokens: int = Field(0, description="prompt + completion as the provider counted.")
    cache_read_tokens: int = Field(0, description="Prompt tokens served from a provider cache.")
    cache_write_tokens: int = Field(0, description="Prompt tokens written to a provider cache.")

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
        )


CONTEXT_META = "context"  # `_meta` key of a text part that is attached context


class TextPart(WireModel):
    """Text of a message."""

    type: Literal["text"] = "text"
    text: str = Field(description="Plain or markdown text.")

    @property
    def is_context(self) -> bool:
        """Editor context the server attached (`_meta.context`), not what the user wrote."""
        return bool(self.meta and self.meta.get(CONTEXT_META))


class ImagePart(WireModel):
    """An image attached to a message."""

    type: Literal["image"] = "image"
    media_type: str = Field(description="MIME type, e.g. image/png.")
    data: str | None = Field(None, description="Base64 image bytes.")
    uri: str | None = Field(None, description="Where the image lives, when not inlined.")


class FilePart(WireModel):
    """A file (or part of one) attached to a message."""

    type: Literal["file"] = "file"
    uri: str = Field(description="file:// URI of an attached file.")
    text: str | None = Field(None, description="The file's text as attached (may be a range).")
    range_start_line: int | None = Field(None, description="First attached line (0-based).")
    range_end_line: int | None = Field(None, description="Last attached line (0-based).")


class ToolCallPart(WireModel):
    """A tool call the model made."""

    type: Literal["tool_call"] = "tool_call"
    id: str = Field(description="Provider-assigned tool call id.")
    name: str = Field(description="Tool name.")
    arguments: dict[str, Any] = Field(default_factory=dict, description="Parsed arguments.")
    raw_arguments: str | None = Field(
        None, description="The argument text as streamed, kept when it was not valid JSON."
    )


class ToolResultPart(WireModel):
    """What a tool call returned, sent back to the model."""

    type: Literal["tool_result"] = "tool_result"
    tool_call_id: str = Field(description="The tool call this answers.")
    content: str = Field(description="What the tool returned to the model.")
    is_error: bool = Field(False, description="True when the call failed or was refused.")


class ThinkingPart(WireModel):
    """The model's reasoning, kept with the message."""

    type: Literal["thinking"] = "thinking"
    text: str = Field(description="The model's reasoning, as streamed.")
    signature: str | None = Field(None, description="Provider signature (Anthropic).")


Part = Annotated[
    TextPart | ImagePart | FilePart | ToolCallPart | ToolResultPart | ThinkingPart,
    Field(discriminator="type"),
]

Role = Literal["system", "user", "assistant", "tool"]


class Message(WireModel):
    """One message of the conversation, as stored in history."""

    id: str = Field(description="Message id (UUID4 hex).")
    role: Role = Field(description="Who speaks.")
    parts: list[Part] = Field(default_factory=list, description="Ordered content parts.")
    created_at: datetime = Field(default_factory=utc_now, description="When it was added.")
    turn_id: str | None = Field(None, description="The turn that produced it.")
    interrupted: bool = Field(
        False, description="Cut short by a cancel; the text is partial and must not be redone."
    )

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart) and not p.is_context)

    @property
    def tool_calls(self) -> list[ToolCallPart]:
        return [p for p in self.parts if isinstance(p, ToolCallPart)]

    @property
    def tool_results(self) -> list[ToolResultPart]:
        return [p for p in self.parts if isinstance(p, ToolResultPart)]


# The largest JSON-RPC message body the server accepts (see lsp/framing.py for why).
MAX_MESSAGE_BYTES = 64 * 1024 * 1024

# Caps on a session header's text fields, enforced by the history store when it writes
# (a title is cut with an ellipsis; a model selector over its cap is refused in params).
MAX_TITLE_CHARS = 200
MAX_MODEL_CHARS = 256
MAX_AGENT_CHARS = 64

# What a listing row says about what happened in a session (the history views tell five
# sessions titled alike apart by them): caps, and how the newest turn ended.
MAX_PROMPT_LINE_CHARS = 200
MAX_LISTED_FILES = 50
TurnOutcome = Literal["completed", "failed", "cancelled", "step_limit", "unfinished"]


class SessionInfo(WireModel):
    """The header of a session: what it is, not what was said."""

    id: str = Field(description="Session id (UUID4).")
    title: str = Field("", description="Short title; empty until the first turn ends.")
    created_at: datetime = Field(default_factory=utc_now, description="Creation time (UTC).")
    updated_at: datetime = Field(default_factory=utc_now, description="Last durable record time.")
    workspace_folder: str = Field(description="Canonical absolute path of the folder.")
    model: str = Field("", description="Model selector `provider/model`.")
    agent: str = Field("tether", description="Agent name.")
    usage: Usage = Field(default_factory=Usage, description="Usage totals over all turns.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free-form metadata.")
    forked_from: str | None = Field(None, description="Parent session id for a fork.")


class SessionSummary(WireModel):
    """A listing row: enough for a history view without reading the whole file."""

    id: str = Field(description="Session id.")
    title: str = Field("", description="Title.")
    created_at: datetime = Field(description="Creation time (UTC).")
    updated_at: datetime = Field(description="Last update (UTC).")
    message_count: int = Field(0, description="Messages in the history.")
    model: str = Field("", description="Model selector.")
    workspace_folder: str = Field("", description="Canonical folder path.")
    archived: bool = Field(False, description="Hidden from the default list, kept on disk.")
    usage: Usage = Field(default_factory=Usage, description="Usage totals over all turns.")
    cost: float | None = Field(None, description="US dollars for `usage` at the model's "
                               "price; null when the model has no price.")
    first_prompt: str = Field("", description="The first line of the session's first "
                              f"prompt, at most {MAX_PROMPT_LINE_CHARS} characters; \"\" "
                              "before anything was asked.")
    files_touched: list[str] = Field(
        default_factory=list, description="Files the agent's applied edits touched, relative "
        f"to the folder, first touch first; at most {MAX_LISTED_FILES} (`fileCount` has all).")
    file_count: int = Field(0, description="How many distinct files the agent's applied "
                            "edits touched.")
    last_turn: TurnOutcome | None = Field(
        None, description="How the newest turn ended: `completed`, `failed`, `cancelled`, "
        "`step_limit`, or `unfinished` (started, no end in history: running now, or its "
        "process ended and the next load closes it as failed); null before the first turn.")
    last_turn_reason: str = Field("", description="The reason the newest turn's end gave "
                                  "(why it failed, who cancelled), clipped; \"\" for none.")
