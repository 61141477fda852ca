"""Tether session events → ACP `session/update`s: a pure conversion, no I/O.

One `UpdateConverter` per ACP session remembers which tool calls the client already
knows (ACP creates a call once with `tool_call`, then only sends `tool_call_update`s) and
the diffs an edit produced, so that the completion carries them. Live turns and history
replay (`session/load`) go through the same converter: `replay=True` turns the durable
`message_added` records into message chunks, where a live turn streams deltas instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from acp.schema import (
    AgentMessageChunk,
    AgentThoughtChunk,
    ContentToolCallContent,
    FileEditToolCallContent,
    SessionInfoUpdate,
    TerminalToolCallContent,
    TextContentBlock,
    ToolCallLocation,
    ToolCallProgress,
    ToolCallStart,
    UsageUpdate,
    UserMessageChunk,
)

from tether.protocol.events import (
    FileEdited,
    MessageAdded,
    PermissionRequested,
    PermissionResolved,
    ReasoningDelta,
    SessionEvent,
    TextDelta,
    TitleChanged,
    ToolCallCompleted,
    ToolCallStarted,
    UsageUpdated,
)
from tether.protocol.models import TextPart, ThinkingPart
from tether.workspace.diffs import split_lines
from tether.workspace.folder import uri_to_path

AcpUpdate = (
    UserMessageChunk | AgentMessageChunk | AgentThoughtChunk | ToolCallStart
    | ToolCallProgress | UsageUpdate | SessionInfoUpdate
)
ToolKind = Literal["read", "edit", "delete", "move", "search", "execute", "think", "fetch",
                   "other"]
ToolContent = ContentToolCallContent | FileEditToolCallContent | TerminalToolCallContent

TOOL_KINDS: dict[str, ToolKind] = {
    "read_file": "read",
    "list_dir": "read",
    "glob": "search",
    "grep": "search",
    "search_code": "search",
    "find_symbol": "search",
    "repo_map": "read",
    "edit": "edit",
    "write_file": "edit",
    "run_command": "execute",
}


def tool_kind(name: str) -> ToolKind:
    """ACP's icon category for a tool; MCP and unknown tools are `other`."""
    return TOOL_KINDS.get(name, "other")


def tool_title(name: str, arguments: dict[str, Any]) -> str:
    """A short line the client shows for the call."""
    for key in ("command", "path", "pattern", "query", "name"):
        value = arguments.get(key)
        if isinstance(value, str) and value:
            return f"{name}: {value[:120]}"
    return name


def tool_locations(root: Path, arguments: dict[str, Any]) -> list[ToolCallLocation]:
    """Files the call touches, absolute, for the client's follow-along."""
    raw = arguments.get("path")
    if not isinstance(raw, str) or not raw:
        return []
    path = Path(raw) if Path(raw).is_absolute() else root / raw
    line = arguments.get("offset") or arguments.get("line")
    return [ToolCallLocation(path=str(path), line=line if isinstance(line, int) else None)]


def diff_hunks(unified: str) -> list[tuple[str, str]]:
    """(old, new) text of each hunk of a unified diff, context lines on both sides.

    ACP's `diff` content wants texts, not a patch; a hunk with its context is what a
    client's review shows around the change."""
    hunks: list[tuple[list[str], list[str]]] = []
    for line in split_lines(unified, keepends=True):
        if line.startswith("@@"):
            hunks.append(([], []))
        elif not hunks:
            continue  # the ---/+++ header
        elif line.startswith("\\"):
            continue  # "\ No newline at end of file"
        elif line.startswith("-"):
            hunks[-1][0].append(line[1:])
        elif line.startswith("+"):
            hunks[-1][1].append(line[1:])
        else:
            text = line[1:] if line.startswith(" ") else line
            hunks[-1][0].append(text)
            hunks[-1][1].append(text)
    return [("".join(old), "".join(new)) for old, new in hunks]


def text_content(text: str) -> ContentToolCallContent:
    return ContentToolCallContent(type="content", content=TextContentBlock(type="text", text=text))


@dataclass
class UpdateConverter:
    """Converts the events of one session, in order; keeps what ACP needs remembered."""

    root: Path  # the session's workspace folder, for absolute paths
    replay: bool = False
    announced: set[str] = field(default_factory=set)  # tool calls the client knows
    diffs: dict[str, list[ToolContent]] = field(default_factory=dict)
    terminals: dict[str, str] = field(default_factory=dict)  # tool call → terminal id

    def convert(self, event: SessionEvent) -> list[AcpUpdate]:
        if isinstance(event, TextDelta | ReasoningDelta | MessageAdded):
            return self._said(event)
        if isinstance(event, PermissionRequested | PermissionResolved | ToolCallStarted
                      | FileEdited | ToolCallCompleted):
            return self._tool_update(event)
        return self._session_update(event)

    def _said(self, event: TextDelta | ReasoningDelta | MessageAdded) -> list[AcpUpdate]:
        """Live, the streamed text; in a replay, the stored messages instead."""
        if self.replay:
            return self._message(event) if isinstance(event, MessageAdded) else []
        if isinstance(event, TextDelta):
            return [AgentMessageChunk(session_update="agent_message_chunk",
                                      content=TextContentBlock(type="text", text=event.text))]
        if isinstance(event, ReasoningDelta):
            return [AgentThoughtChunk(session_update="agent_thought_chunk",
                                      content=TextContentBlock(type="text", text=event.text))]
        return []

    def _tool_update(self, event: PermissionRequested | PermissionResolved | ToolCallStarted
                     | FileEdited | ToolCallCompleted) -> list[AcpUpdate]:
        if isinstance(event, PermissionRequested):
            return [self._waiting(event)]
        if isinstance(event, PermissionResolved):
            return [] if event.option == "reject" else [ToolCallProgress(
                session_update="tool_call_update", tool_call_id=event.tool_call_id,
                status="in_progress")]
        if isinstance(event, ToolCallStarted):
            return [self._started(event)]
        if isinstance(event, FileEdited):
            self._edited(event)  # shown with the call's completion
            return []
        return [self._completed(event)]

    def _session_update(self, event: SessionEvent) -> list[AcpUpdate]:
        if isinstance(event, TitleChanged):
            return [SessionInfoUpdate(session_update="session_info_update", title=event.title,
                                      updated_at=event.time.isoformat().replace("+00:00", "Z"))]
        if isinstance(event, UsageUpdated) and event.context_window > 0:
            return [UsageUpdate(session_update="usage_update",
                                used=min(event.context_tokens, event.context_window),
                                size=event.context_window)]
        return []

    def attach_terminal(self, tool_call_id: str, terminal_id: str) -> ToolCallProgress:
        """The client runs this call's command in its terminal: show it in the call."""
        self.terminals[tool_call_id] = terminal_id
        return ToolCallProgress(
            session_update="tool_call_update", tool_call_id=tool_call_id,
            content=[TerminalToolCallContent(type="terminal", terminal_id=terminal_id)])

    def _message(self, event: MessageAdded) -> list[AcpUpdate]:
        message = event.message
        out: list[AcpUpdate] = []
        for part in message.parts:
            if isinstance(part, TextPart) and part.text:
                block = TextContentBlock(type="text", text=part.text)
                if message.role == "user":
                    out.append(UserMessageChunk(session_update="user_message_chunk",
                                                content=block, message_id=message.id))
                elif message.role == "assistant":
                    out.append(AgentMessageChunk(session_update="agent_message_chunk",
                                                 content=block, message_id=message.id))
            elif isinstance(part, ThinkingPart) and part.text:
                out.append(AgentThoughtChunk(
                    session_update="agent_thought_chunk", message_id=message.id,
                    content=TextContentBlock(type="text", text=part.text)))
        return out

    def _announce(self, tool_call_id: str, name: str, arguments: dict[str, Any], title: str,
                  status: Literal["pending", "in_progress"]) -> ToolCallStart:
        self.announced.add(tool_call_id)
        return ToolCallStart(
            session_update="tool_call", tool_call_id=tool_call_id, title=title,
            kind=tool_kind(name), status=status,
            locations=tool_locations(self.root, arguments), raw_input=arguments or None)

    def _waiting(self, event: PermissionRequested) -> AcpUpdate:
        """The call waits for the user: `pending` until they answer."""
        if event.tool_call_id not in self.announced:
            return self._announce(event.tool_call_id, event.tool, {}, event.description,
                                  "pending")
        return ToolCallProgress(session_update="tool_call_update",
                                tool_call_id=event.tool_call_id, status="pending")

    def _started(self, event: ToolCallStarted) -> AcpUpdate:
        title = tool_title(event.name, event.arguments)
        if event.tool_call_id not in self.announced:
            return self._announce(event.tool_call_id, event.name, event.arguments, title,
                                  "in_progress")
        return ToolCallProgress(
            session_update="tool_call_update", tool_call_id=event.tool_call_id,
            status="in_progress", title=title, raw_input=event.arguments,
            locations=tool_locations(self.root, event.arguments))

    def _edited(self, event: FileEdited) -> None:
        path = str(uri_to_path(event.uri))
        items: list[ToolContent] = [
            FileEditToolCallContent(type="diff", path=path, old_text=old or None, new_text=new)
            for old, new in diff_hunks(event.diff)
        ]
        if not event.applied and event.message:
            items.append(text_content(event.message))
        self.diffs.setdefault(event.tool_call_id, []).extend(items)

    def _completed(self, event: ToolCallCompleted) -> AcpUpdate:
        content: list[ToolContent] = []
        terminal = self.terminals.pop(event.tool_call_id, None)
        if terminal is not None:
            content.append(TerminalToolCallContent(type="terminal", terminal_id=terminal))
        content.extend(self.diffs.pop(event.tool_call_id, []))
        shown = (terminal is None and not content) or not event.success  # diffs say enough
        if event.output and shown:
            content.append(text_content(event.output))
        status: Literal["completed", "failed"] = "completed" if event.success else "failed"
        if event.tool_call_id not in self.announced:  # replay of a call never started live
            self.announced.add(event.tool_call_id)
            return ToolCallStart(session_update="tool_call", tool_call_id=event.tool_call_id,
                                 title=event.name, kind=tool_kind(event.name), status=status,
                                 content=content or None, raw_output=event.output or None)
        return ToolCallProgress(session_update="tool_call_update",
                                tool_call_id=event.tool_call_id, status=status,
                                content=content or None, raw_output=event.output or None)
