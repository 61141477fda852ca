"""Exporting a session: Markdown for people, JSON for programs.

Pure functions over the loaded messages; fences are sized to the content so a tool
output full of backticks cannot break out of its block.
"""

from __future__ import annotations

import json
import re

from tether.protocol.models import (
    FilePart,
    ImagePart,
    Message,
    SessionInfo,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)

_HEADINGS = {"user": "User", "assistant": "Assistant", "system": "System", "tool": "Tool"}
_BACKTICKS = re.compile(r"`{3,}")


def fence(body: str, lang: str = "") -> str:
    """A fenced block longer than any backtick run inside `body`."""
    longest = max((len(m) for m in _BACKTICKS.findall(body)), default=2)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{body.rstrip(chr(10))}\n{ticks}"


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.rstrip("\n").split("\n"))


def _part(part: object) -> str:
    if isinstance(part, TextPart):
        return part.text.strip("\n")
    if isinstance(part, ThinkingPart):
        return quote(part.text) if part.text.strip() else ""
    if isinstance(part, ToolCallPart):
        args = (
            json.dumps(part.arguments, indent=2, ensure_ascii=False)
            if part.arguments or part.raw_arguments is None
            else part.raw_arguments
        )
        return f"**Tool call** `{part.name}` (id `{part.id}`)\n\n{fence(args, 'json')}"
    if isinstance(part, ToolResultPart):
        label = " (error)" if part.is_error else ""
        return f"**Tool result** for `{part.tool_call_id}`{label}\n\n{fence(part.content)}"
    if isinstance(part, FilePart):
        head = f"**Attached file** `{part.uri}`"
        if part.range_start_line is not None:
            head += f" lines {part.range_start_line + 1}-{(part.range_end_line or 0) + 1}"
        return f"{head}\n\n{fence(part.text)}" if part.text is not None else head
    if isinstance(part, ImagePart):
        return f"*[image {part.media_type}{' ' + part.uri if part.uri else ''}]*"
    return ""


def to_markdown(info: SessionInfo, messages: list[Message]) -> str:
    lines = [f"# {info.title or 'Untitled session'}", ""]
    lines.append(f"- Session: `{info.id}`")
    lines.append(f"- Workspace: `{info.workspace_folder}`")
    if info.model:
        lines.append(f"- Model: `{info.model}`")
    lines.append(f"- Created: {info.created_at.isoformat()}")
    if info.forked_from:
        lines.append(f"- Forked from: `{info.forked_from}`")
    for message in messages:
        lines += ["", f"## {_HEADINGS.get(message.role, message.role.title())}", ""]
        blocks = [text for text in (_part(p) for p in message.parts) if text]
        if message.interrupted:
            blocks.append("*(interrupted)*")
        lines.append("\n\n".join(blocks))
    return "\n".join(lines).rstrip("\n") + "\n"


def to_json(info: SessionInfo, messages: list[Message]) -> str:
    body = {"session": info.to_wire(), "messages": [m.to_wire() for m in messages]}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
