"""Tether's custom LSP methods: names, params and results.

Requests go client → server unless noted; `tether/session/event` is a server → client
notification and `tether/permission/request` a server → client request.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tether.protocol.base import WireModel
from tether.protocol.events import PermissionOption, SessionEvent, all_permission_options
from tether.protocol.models import (
    MAX_MODEL_CHARS,
    Message,
    SessionInfo,
    SessionSummary,
    Usage,
)

SESSION_CREATE = "tether/session/create"
SESSION_PROMPT = "tether/session/prompt"
SESSION_CANCEL = "tether/session/cancel"
SESSION_STEER = "tether/session/steer"
SESSION_LIST = "tether/session/list"
SESSION_LOAD = "tether/session/load"
SESSION_REPLAY = "tether/session/replay"
SESSION_DELETE = "tether/session/delete"
SESSION_RENAME = "tether/session/rename"
SESSION_FORK = "tether/session/fork"
SESSION_EXPORT = "tether/session/export"
MODELS_LIST = "tether/models/list"
INDEX_STATUS = "tether/index/status"
INDEX_SEARCH = "tether/index/search"
SESSION_EVENT = "tether/session/event"
PERMISSION_REQUEST = "tether/permission/request"
PROVIDER_CHECK = "tether/provider/check"

TurnStatus = Literal["completed", "cancelled", "failed", "step_limit"]


class Position(WireModel):
    """A position in a text document, as LSP counts it."""

    line: int = Field(ge=0, description="0-based line.")
    character: int = Field(ge=0, description="0-based UTF-16 column, as LSP.")


class Range(WireModel):
    """A range in a text document, as LSP counts it."""

    start: Position = Field(description="Start, inclusive.")
    end: Position = Field(description="End, exclusive.")


class PromptContext(WireModel):
    """What the editor shows the user, attached to a prompt."""

    active_file_uri: str | None = Field(None, description="The editor's active file.")
    selection: Range | None = Field(None, description="The selection in the active file.")
    extra_file_uris: list[str] = Field(default_factory=list, description="More files to attach.")


class CreateSessionParams(WireModel):
    """Params of `tether/session/create`."""

    folder_uri: str = Field(description="The workspace folder the session belongs to.")
    title: str | None = Field(None, description="Initial title.")
    model: str | None = Field(None, max_length=MAX_MODEL_CHARS,
                              description="Model selector `provider/model`.")


class CreateSessionResult(WireModel):
    """A new session (from create or fork)."""

    session_id: str = Field(description="The new session's id.")
    session: SessionInfo | None = Field(None, description="The header as stored.")


class PromptParams(WireModel):
    """Params of `tether/session/prompt`."""

    session_id: str = Field(description="The session.")
    text: str = Field(description="The user's message.")
    context: PromptContext | None = Field(None, description="Editor context to attach.")


class TurnResult(WireModel):
    """How a turn ended; the answer of `tether/session/prompt`."""

    session_id: str = Field(description="The session.")
    turn_id: str = Field(description="The turn that ended.")
    status: TurnStatus = Field(description="How it ended.")
    text: str = Field("", description="The final answer text.")
    usage: Usage = Field(default_factory=Usage, description="Usage of this turn.")
    reason: str = Field("", description="Why it ended (for non-completed turns).")


class SessionIdParams(WireModel):
    """Params of methods that only name a session."""

    session_id: str = Field(description="The session.")


class CancelResult(WireModel):
    """The answer of `tether/session/cancel`."""

    cancelled: bool = Field(description="True when a running turn was cancelled.")


class SteerParams(WireModel):
    """Params of `tether/session/steer`."""

    session_id: str = Field(description="The session.")
    text: str = Field(description="Input joining the running turn at its next step.")


class SteerResult(WireModel):
    """The answer of `tether/session/steer`."""

    queued: bool = Field(description="True when queued into a running turn.")


class ListSessionsParams(WireModel):
    """Params of `tether/session/list`."""

    folder_uri: str = Field(description="The workspace folder.")
    limit: int = Field(50, ge=1, le=1000, description="Page size.")
    cursor: str | None = Field(None, description="From a previous `nextCursor`.")
    query: str | None = Field(None, description="Filter on title (case-insensitive).")


class ListSessionsResult(WireModel):
    """A page of a folder's sessions."""

    sessions: list[SessionSummary] = Field(description="Newest first.")
    next_cursor: str | None = Field(None, description="Pass back for the next page.")


class LoadSessionParams(WireModel):
    """Params of `tether/session/load`."""

    session_id: str = Field(description="The session.")
    tail: int | None = Field(None, ge=1, description="Only the last N messages (default 1000).")


class LoadSessionResult(WireModel):
    """A session's header and transcript."""

    session: SessionInfo = Field(description="The header, title and usage folded in.")
    messages: list[Message] = Field(description="Messages, oldest first.")
    truncated: bool = Field(False, description="True when older messages were left out.")
    last_seq: int = Field(0, description="The last durable seq; replay from here.")


class ReplayParams(WireModel):
    """Params of `tether/session/replay`."""

    session_id: str = Field(description="The session.")
    from_seq: int = Field(0, ge=0, description="Re-send durable events with seq > fromSeq.")


class ReplayResult(WireModel):
    """The answer of `tether/session/replay`, sent after the replayed events."""

    count: int = Field(description="Events re-sent as `tether/session/event`.")
    last_seq: int = Field(description="The last seq sent.")


class RenameParams(WireModel):
    """Params of `tether/session/rename`."""

    session_id: str = Field(description="The session.")
    title: str = Field(min_length=1, description="The new title.")


class ForkParams(WireModel):
    """Params of `tether/session/fork`."""

    session_id: str = Field(description="The session to copy.")
    message_id: str | None = Field(None, description="Copy up to and including this message.")


class ExportParams(WireModel):
    """Params of `tether/session/export`."""

    session_id: str = Field(description="The session.")
    format: Literal["markdown", "json"] = Field("markdown", description="Export format.")


class ExportResult(WireModel):
    """The exported session."""

    content: str = Field(description="The exported text.")


class EmptyParams(WireModel):
    """Params of methods that take none."""


class OkResult(WireModel):
    """The answer of methods that only succeed or fail."""

    ok: bool = Field(True, description="Always true; errors are JSON-RPC errors.")


class ModelInfo(WireModel):
    """A model Tether can reach."""

    id: str = Field(description="Model selector `provider/model`.")
    provider: str = Field(description="Provider name.")
    name: str = Field(description="Model name at the provider.")
    context_window: int = Field(0, description="Window in tokens, when known.")


class ModelsListResult(WireModel):
    """The answer of `tether/models/list`."""

    models: list[ModelInfo] = Field(description="Models Tether knows how to reach.")
    default: str = Field(description="The configured default selector.")


class IndexStatusParams(WireModel):
    """Params of `tether/index/status`."""

    folder_uri: str = Field(description="The workspace folder.")


class IndexStatusResult(WireModel):
    """The state of a folder's workspace index."""

    state: Literal["idle", "indexing", "ready", "failed"] = Field(description="Index state.")
    files: int = Field(0, description="Files indexed.")
    symbols: int = Field(0, description="Symbols indexed.")
    last_update: str | None = Field(None, description="ISO time of the last update.")
    message: str | None = Field(None, description="Failure reason, when failed.")


class IndexSearchParams(WireModel):
    """Params of `tether/index/search`."""

    folder_uri: str = Field(description="The workspace folder.")
    query: str = Field(description="Search text.")
    limit: int = Field(20, ge=1, le=500, description="Maximum results.")


class IndexSearchHit(WireModel):
    """One search result."""

    path: str = Field(description="Path relative to the folder.")
    uri: str = Field(description="file:// URI.")
    score: float = Field(description="Higher is better.")
    line: int | None = Field(None, description="0-based line of the hit, if any.")
    symbol: str | None = Field(None, description="Symbol name, for symbol hits.")
    preview: str | None = Field(None, description="The line's text.")


class IndexSearchResult(WireModel):
    """The answer of `tether/index/search`."""

    results: list[IndexSearchHit] = Field(description="Best first.")


class ProviderCheckResult(WireModel):
    """The answer of `tether/provider/check`: can the configured provider be reached now?
    Editors ask when the chat opens, so a wrong address or key shows before the first
    prompt."""

    provider: str = Field(description="Provider kind: openai, anthropic, ollama, replay.")
    model: str = Field(description="Model selector `provider/model` of new sessions.")
    label: str = Field(description='Who answers, named by what it is: "OpenAI", "the '
                       'OpenAI-compatible server at http://127.0.0.1:8765/v1", "Ollama at …".')
    state: Literal["ok", "unreachable", "unauthorized", "failed"] = Field(
        description="ok, unreachable (nothing answers), unauthorized (key missing or "
                    "rejected), failed (answers with an error).")
    message: str = Field(description="One short sentence for the user.")
    fix: str | None = Field(None, description="What to do about it, when not ok.")
    setting: str | None = Field(None, description="The setting (camelCase, as in "
                                "`workspace/configuration`) that fixes it, if one does.")


class SessionEventNotification(WireModel):
    """Params of the `tether/session/event` notification."""

    session_id: str = Field(description="The session.")
    turn_id: str | None = Field(None, description="The turn, if any.")
    seq: int = Field(description="The event's seq.")
    event: SessionEvent = Field(description="The event itself.")


class PermissionRequestParams(WireModel):
    """Params of the server → client request `tether/permission/request`."""

    session_id: str = Field(description="The session.")
    tool_call_id: str = Field(description="The tool call waiting.")
    tool: str = Field(description="Tool name.")
    description: str = Field(description="What the call will do.")
    diff: str | None = Field(None, description="The change, for edits.")
    options: list[PermissionOption] = Field(
        default_factory=all_permission_options,
        description="What the user may answer.",
    )


class PermissionRequestResult(WireModel):
    """The client's answer to `tether/permission/request`."""

    option: PermissionOption = Field(description="The user's answer.")


class TetherServerCapabilities(WireModel):
    """Under `capabilities.experimental.tether` in the initialize result."""

    protocol_version: str = Field(description="Tether protocol version.")
    server_version: str = Field(description="Tether server version.")
    methods: list[str] = Field(description="Custom methods served.")


class TetherClientCapabilities(WireModel):
    """Under `capabilities.experimental.tether` in the client's initialize params."""

    permissions: bool = Field(False, description="Client answers `tether/permission/request`.")


METHOD_PARAMS: dict[str, tuple[type[WireModel], type[WireModel] | None]] = {
    SESSION_CREATE: (CreateSessionParams, CreateSessionResult),
    SESSION_PROMPT: (PromptParams, TurnResult),
    SESSION_CANCEL: (SessionIdParams, CancelResult),
    SESSION_STEER: (SteerParams, SteerResult),
    SESSION_LIST: (ListSessionsParams, ListSessionsResult),
    SESSION_LOAD: (LoadSessionParams, LoadSessionResult),
    SESSION_REPLAY: (ReplayParams, ReplayResult),
    SESSION_DELETE: (SessionIdParams, OkResult),
    SESSION_RENAME: (RenameParams, OkResult),
    SESSION_FORK: (ForkParams, CreateSessionResult),
    SESSION_EXPORT: (ExportParams, ExportResult),
    MODELS_LIST: (EmptyParams, ModelsListResult),
    INDEX_STATUS: (IndexStatusParams, IndexStatusResult),
    INDEX_SEARCH: (IndexSearchParams, IndexSearchResult),
    SESSION_EVENT: (SessionEventNotification, None),
    PERMISSION_REQUEST: (PermissionRequestParams, PermissionRequestResult),
    PROVIDER_CHECK: (EmptyParams, ProviderCheckResult),
}
"""Every custom method with its params and result models (None: a notification)."""

