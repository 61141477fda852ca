"""Tether's custom LSP methods: names, params and results.

Requests go client → server unless noted; `tether/session/event` is a server → client
notification and `tether/permission/request` a server → client request.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tether.protocol.base import WireModel
from tether.protocol.events import (
    BlockPlacement,
    ChangeConflict,
    PermissionOption,
    SessionEvent,
    all_permission_options,
)
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
SESSION_PIN = "tether/session/pin"
SESSION_UNPIN = "tether/session/unpin"
SESSION_CONTINUE = "tether/session/continue"
SESSION_CONTEXT = "tether/session/context"
SESSION_SEARCH = "tether/session/search"
SESSION_ARCHIVE = "tether/session/archive"
SESSION_IMPORT_CODEX = "tether/session/importCodex"
MCP_STATUS = "tether/mcp/status"
MENTION_COMPLETE = "tether/mention/complete"
CHANGES_LIST = "tether/changes/list"
CHANGES_UNDO = "tether/changes/undo"
SESSION_REWIND = "tether/session/rewind"
PROVIDER_CHECK = "tether/provider/check"
CODE_BLOCK_APPLY = "tether/codeBlock/apply"

TurnStatus = Literal["completed", "cancelled", "failed", "step_limit"]
ContextPolicy = Literal["full", "incremental", "reset"]


class Position(WireModel):
    """A position in a text document, as LSP counts it."""

    line: int = Field(ge=0, description="0-based line.")
    character: int = Field(ge=0, description="0-based UTF-16 column, as LSP.")


class Range(WireModel):
    """A range in a text document, as LSP counts it."""

    start: Position = Field(description="Start, inclusive.")
    end: Position = Field(description="End, exclusive.")


MentionKind = Literal["file", "folder", "symbol"]
DiagnosticSeverity = Literal["error", "warning", "information", "hint"]


class Mention(WireModel):
    """Something the user pointed at with `@` in the prompt (structured, not only text)."""

    kind: MentionKind = Field(description="file, folder or symbol.")
    uri: str = Field(description="file:// URI of the file or folder (a symbol's file).")
    name: str = Field("", description="What the prompt shows, e.g. `@src/app.py`, `@greet`.")
    range: Range | None = Field(None, description="A symbol's definition lines.")


class PromptDiagnostic(WireModel):
    """One diagnostic the editor shows for a file (LSP diagnostics it already has)."""

    uri: str | None = Field(None, description="The file; default: the active file.")
    range: Range = Field(description="Where.")
    severity: DiagnosticSeverity = Field("error", description="error … hint.")
    message: str = Field(description="The diagnostic's message.")
    source: str | None = Field(None, description="Who reported it (pyright, eslint, …).")
    code: str | None = Field(None, description="Its code, if any.")


class PromptContext(WireModel):
    """What the editor shows the user, attached to a prompt."""

    active_file_uri: str | None = Field(None, description="The editor's active file.")
    selection: Range | None = Field(None, description="The selection in the active file.")
    extra_file_uris: list[str] = Field(default_factory=list, description="More files to attach.")
    language_id: str | None = Field(None, description="The active file's language id.")
    cursor: Position | None = Field(None, description="The cursor in the active file.")
    mentions: list[Mention] = Field(default_factory=list,
                                    description="`@file`, `@folder`, `@symbol` the user chose.")
    diagnostics: list[PromptDiagnostic] = Field(
        default_factory=list, description="The active file's diagnostics, as the editor has them.")


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
    client_message_id: str | None = Field(
        None,
        description="The client's id for its optimistic copy of this message; echoed on the "
        "turn's `turn_started` event so the client reconciles by id, not by text.",
    )


class TurnResult(WireModel):
    """How a turn ended; the answer of `tether/session/prompt`."""

    session_id: str = Field(description="The session.")
    turn_id: str = Field(description="The turn that ended.")
    status: TurnStatus = Field(description="How it ended.")
    text: str = Field("", description="The final answer text; when cancelled, what was said "
                      "so far.")
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
    query: str | None = Field(None, description="Filter on the title or the first prompt "
                              "line (case-insensitive).")
    include_archived: bool = Field(False, description="List archived sessions too.")


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
    rewound_turn_ids: list[str] = Field(
        default_factory=list, description="Turns rewound (`tether/session/rewind`): shown "
        "marked, left out of the model's context.")


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


class IndexSearchLine(WireModel):
    """A line inside a found file."""

    line: int = Field(description="0-based line.")
    score: float = Field(description="Higher is better (within the file).")
    symbol: str | None = Field(None, description="The definition on this line, if the query "
                               "names it.")
    preview: str = Field(description="The line's text.")


class IndexSearchHit(WireModel):
    """One found file (results are files first); `line`/`symbol`/`preview` are its best line."""

    path: str = Field(description="Path relative to the folder.")
    uri: str = Field(description="file:// URI.")
    score: float = Field(description="Higher is better.")
    line: int | None = Field(None, description="0-based line of the file's best line, if any.")
    symbol: str | None = Field(None, description="Symbol name on the best line, if any.")
    preview: str | None = Field(None, description="The best line's text.")
    lines: list[IndexSearchLine] = Field(default_factory=list,
                                         description="The file's best lines, best first.")


class IndexSearchResult(WireModel):
    """The answer of `tether/index/search`."""

    results: list[IndexSearchHit] = Field(description="Files, best first.")


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
    comment: str | None = Field(
        None, max_length=4000,
        description="What the user said with a rejection; the model reads it as the result.")


class TetherServerCapabilities(WireModel):
    """Under `capabilities.experimental.tether` in the initialize result."""

    protocol_version: str = Field(description="Tether protocol version.")
    server_version: str = Field(description="Tether server version.")
    methods: list[str] = Field(description="Custom methods served.")


class TetherClientCapabilities(WireModel):
    """Under `capabilities.experimental.tether` in the client's initialize params."""

    permissions: bool = Field(False, description="Client answers `tether/permission/request`.")


class PinParams(WireModel):
    """Params of `tether/session/pin`."""

    session_id: str = Field(description="The session.")
    text: str = Field(min_length=1, description="Text kept verbatim in every request.")


class PinResult(WireModel):
    """The answer of `tether/session/pin`."""

    pin_id: str = Field(description="Id of the new pin (for `tether/session/unpin`).")


class UnpinParams(WireModel):
    """Params of `tether/session/unpin`."""

    session_id: str = Field(description="The session.")
    pin_id: str = Field(description="The pin to remove.")


class UnpinResult(WireModel):
    """The answer of `tether/session/unpin`."""

    removed: bool = Field(description="False when no such pin was active.")


class ContextItem(WireModel):
    """One entry of a context section: a rules file, a pin, a message."""

    label: str = Field(description="What it is (a path, a pin id, `role: first words`).")
    tokens: int = Field(description="Estimated tokens.")
    state: Literal["whole", "stubbed", "dropped", "summarized"] = Field(
        "whole", description="How it appears in the next request."
    )


class ContextSection(WireModel):
    """A part of the next request, with its estimated size."""

    name: Literal["system", "tools", "rules", "pins", "summary", "messages"] = Field(
        description="Which part."
    )
    tokens: int = Field(description="Estimated tokens of this part in the request.")
    items: list[ContextItem] = Field(default_factory=list, description="What it holds.")


class ContextResult(WireModel):
    """The answer of `tether/session/context`: what the next request would contain."""

    session_id: str = Field(description="The session.")
    policy: ContextPolicy = Field(description="The `contextPolicy` in effect.")
    context_window: int = Field(description="The model's window in tokens.")
    budget_tokens: int = Field(description="Window minus reserved output and margin.")
    total_tokens: int = Field(description="Estimated tokens of the next request.")
    sections: list[ContextSection] = Field(description="system, tools, rules, pins, summary, "
                                           "messages, in request order.")
    stubbed_outputs: int = Field(0, description="Tool outputs shown as a stub.")
    dropped_messages: int = Field(0, description="Messages left out (truncation).")
    summarized_messages: int = Field(0, description="Messages a summary stands in for.")
    can_continue: bool = Field(False, description="A step-limit checkpoint can be continued.")


class SearchSessionsParams(WireModel):
    """Params of `tether/session/search`: full-text search over a folder's sessions."""

    folder_uri: str = Field(description="The workspace folder.")
    query: str = Field(min_length=1, description="Words that must all appear (prefixes match).")
    limit: int = Field(20, ge=1, le=200, description="At most this many sessions.")
    include_archived: bool = Field(False, description="Search archived sessions too.")


class SessionSearchHit(WireModel):
    """One session that matches, with its best snippet."""

    session_id: str = Field(description="The session.")
    title: str = Field("", description="Its title.")
    snippet: str = Field(description="Text around the best match (plain text).")
    highlights: list[list[int]] = Field(
        default_factory=list, description="[start, end) character ranges of `snippet` matched.")
    kind: str = Field(description="Where it matched: user, assistant, reasoning, tool_call, "
                                  "tool_output, file or title.")
    archived: bool = Field(False, description="The session is archived.")


class SearchSessionsResult(WireModel):
    """The answer of `tether/session/search`, best match first."""

    hits: list[SessionSearchHit] = Field(description="One per matching session.")


class ArchiveParams(WireModel):
    """Params of `tether/session/archive`."""

    session_id: str = Field(description="The session.")
    archived: bool = Field(True, description="False unarchives.")


class ImportCodexParams(WireModel):
    """Params of `tether/session/importCodex`: Codex CLI rollouts of this folder."""

    folder_uri: str = Field(description="The workspace folder; rollouts whose cwd is it.")
    path: str | None = Field(None, description="A rollout file or a folder of them "
                                               "(default: ~/.codex/sessions).")


class ImportCodexResult(WireModel):
    """What `tether/session/importCodex` did."""

    imported: list[str] = Field(description="Ids of the sessions created.")
    skipped: int = Field(0, description="Rollouts already imported (or of other folders).")
    problems: list[str] = Field(default_factory=list, description="Files that could not be read.")


McpServerState = Literal["idle", "starting", "ready", "failed", "stopped"]


class McpToolInfo(WireModel):
    """One tool an MCP server offers, as the agent sees it."""

    name: str = Field(description="The agent's name for it: `mcp__SERVER__TOOL`.")
    description: str = Field("", description="The server's description.")


class McpServerStatus(WireModel):
    """One configured MCP server and how it is doing."""

    name: str = Field(description="The server's name in the config.")
    transport: Literal["stdio", "http"] = Field(description="stdio (a command) or http.")
    source: Literal["user", "workspace", "session"] = Field(
        description="Declared in the user config, `.tether/config.toml`, or by a session.")
    target: str = Field(description="The command line or URL (no env or header values).")
    state: McpServerState = Field(description="idle until first used, then starting/ready.")
    error: str = Field("", description="Why it failed, when it did.")
    restarts: int = Field(0, description="Times it was started again after a crash.")
    trusted: bool = Field(True, description="False: a workspace server the user has not "
                          "trusted (it does not start).")
    tools: list[McpToolInfo] = Field(default_factory=list, description="Its tools.")


class McpStatusParams(WireModel):
    """Params of `tether/mcp/status`."""

    folder_uri: str | None = Field(None, description="Also list this folder's workspace "
                                   "servers (`.tether/config.toml`).")


class McpStatusResult(WireModel):
    """The answer of `tether/mcp/status`."""

    servers: list[McpServerStatus] = Field(description="Every configured server.")


class MentionCompleteParams(WireModel):
    """Params of `tether/mention/complete`: what the user typed after `@`."""

    folder_uri: str = Field(description="The workspace folder.")
    prefix: str = Field("", max_length=400, description="Text after `@` so far.")
    limit: int = Field(20, ge=1, le=200, description="Items at most.")


class MentionItem(WireModel):
    """A completion for `@`: insert `insert`, send `mention` with the prompt."""

    label: str = Field(description="What the list shows.")
    detail: str = Field("", description="Kind and place, e.g. `function · src/app.py:12`.")
    insert: str = Field(description="Text to put after `@` in the prompt.")
    mention: Mention = Field(description="The structured mention to send with the prompt.")


class MentionCompleteResult(WireModel):
    """The answer of `tether/mention/complete`."""

    items: list[MentionItem] = Field(description="Best first: files, folders, symbols.")


HunkState = Literal["applied", "undone"]


class ChangesListParams(WireModel):
    """Params of `tether/changes/list`."""

    session_id: str = Field(description="The session.")
    turn_id: str | None = Field(None, description="One turn; every turn with edits when null.")


class HunkInfo(WireModel):
    """One hunk of a turn's change to a file."""

    id: str = Field(description="Stable hunk id, for `tether/changes/undo`.")
    state: HunkState = Field(description="Whether the hunk is in the file or was undone.")
    old_start: int = Field(description="1-based first line in the file before the turn.")
    old_lines: int = Field(description="Lines it replaced.")
    new_start: int = Field(description="1-based first line in the turn's text.")
    new_lines: int = Field(description="Lines it put there.")
    removed: list[str] = Field(description="The lines it replaced.")
    added: list[str] = Field(description="The lines it put there.")


class FileChangeInfo(WireModel):
    """One file of a turn's change set."""

    path: str = Field(description="Relative to the workspace folder.")
    uri: str = Field(description="file:// URI.")
    created: bool = Field(False, description="The turn created the file.")
    restorable: bool = Field(True, description="False: too big to keep; cannot be undone.")
    added: int = Field(0, description="Lines added (hunks still applied).")
    removed: int = Field(0, description="Lines removed (hunks still applied).")
    hunks: list[HunkInfo] = Field(default_factory=list, description="In file order.")


class TurnChangesInfo(WireModel):
    """The change set of one turn."""

    turn_id: str = Field(description="The turn.")
    rewound: bool = Field(False, description="The turn was rewound.")
    files: list[FileChangeInfo] = Field(default_factory=list, description="Touched files.")


class ChangesListResult(WireModel):
    """The answer of `tether/changes/list`."""

    turns: list[TurnChangesInfo] = Field(description="Oldest first.")


class ChangesUndoParams(WireModel):
    """Params of `tether/changes/undo`: one hunk, one file, or the whole turn's edits."""

    session_id: str = Field(description="The session.")
    turn_id: str = Field(description="The turn whose edits to undo.")
    path: str | None = Field(None, description="One file (relative or file:// URI).")
    hunk: str | None = Field(None, description="One hunk id (needs `path`).")


class ChangesUndoResult(WireModel):
    """The answer of `tether/changes/undo`."""

    undone: list[str] = Field(default_factory=list, description="Hunk ids undone.")
    files: list[str] = Field(default_factory=list, description="Files changed by the undo.")
    conflicts: list[ChangeConflict] = Field(
        default_factory=list, description="Files left untouched, and why.")


class RewindParams(WireModel):
    """Params of `tether/session/rewind`."""

    session_id: str = Field(description="The session.")
    turn_id: str = Field(description="Rewind to before this turn (the last: undo turn).")


class RewindResult(WireModel):
    """The answer of `tether/session/rewind`."""

    restored: list[str] = Field(default_factory=list, description="Files restored.")
    conflicts: list[ChangeConflict] = Field(
        default_factory=list, description="Files left untouched, and why.")
    rewound_turn_ids: list[str] = Field(default_factory=list, description="Turns rewound.")


BlockRefusal = Literal["no_anchor", "unchanged", "stale", "busy"]


class CodeBlockApplyParams(WireModel):
    """Params of `tether/codeBlock/apply`: put a chat code block into a file."""

    session_id: str = Field(description="The session whose answer holds the block.")
    uri: str = Field(description="The target file: a file:// URI, or a path relative to the "
                     "session's workspace folder (the file the block names, else the "
                     "active editor's).")
    code: str = Field(description="The block's code, as shown.")
    version: int | None = Field(
        None, description="The open buffer's version the user saw when choosing Apply; "
        "when the server's copy is at another version the block is not applied "
        "(`reason: stale`). Null: not open, or not checked.")


class CodeBlockApplyResult(WireModel):
    """The answer of `tether/codeBlock/apply`; a block that cannot be placed is not an
    error: `applied` is false and `message` says what to do (e.g. Insert at Cursor)."""

    applied: bool = Field(description="Whether the file now holds the block.")
    path: str = Field(description="The file, relative to the workspace folder.")
    uri: str = Field(description="file:// URI of the file.")
    change_id: str | None = Field(
        None, description="The change set the edit was recorded in, a turn id of its own: "
        "pass it as `turnId` to `tether/changes/list`, `tether/changes/undo` or "
        "`tether/session/rewind`.")
    placement: BlockPlacement | None = Field(
        None, description="How the block was placed: `created` (the file was absent or "
        "blank), `region` (its first and last lines anchored lines of the file) or "
        "`whole` (it replaced the whole file).")
    start_line: int = Field(0, description="1-based first line of the file it replaced "
                            "(0 when `created`).")
    end_line: int = Field(0, description="Last line of the file it replaced (0 when "
                          "`created`).")
    target: Literal["buffer", "disk"] | None = Field(
        None, description="Where it landed: the open editor buffer or the disk.")
    rebased: bool = Field(False, description="Merged onto text newer than the server read.")
    reason: BlockRefusal | None = Field(
        None, description="Why it was not applied: `no_anchor` (cannot tell where it goes), "
        "`unchanged` (the file already holds it), `stale` (the buffer moved on) or `busy` "
        "(a turn of the session is running).")
    message: str = Field("", description="What happened, in words for the user.")


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
    SESSION_PIN: (PinParams, PinResult),
    SESSION_UNPIN: (UnpinParams, UnpinResult),
    SESSION_CONTINUE: (SessionIdParams, TurnResult),
    SESSION_CONTEXT: (SessionIdParams, ContextResult),
    SESSION_SEARCH: (SearchSessionsParams, SearchSessionsResult),
    SESSION_ARCHIVE: (ArchiveParams, OkResult),
    SESSION_IMPORT_CODEX: (ImportCodexParams, ImportCodexResult),
    MCP_STATUS: (McpStatusParams, McpStatusResult),
    MENTION_COMPLETE: (MentionCompleteParams, MentionCompleteResult),
    CHANGES_LIST: (ChangesListParams, ChangesListResult),
    CHANGES_UNDO: (ChangesUndoParams, ChangesUndoResult),
    SESSION_REWIND: (RewindParams, RewindResult),
    PROVIDER_CHECK: (EmptyParams, ProviderCheckResult),
    CODE_BLOCK_APPLY: (CodeBlockApplyParams, CodeBlockApplyResult),
}
"""Every custom method with its params and result models (None: a notification)."""
