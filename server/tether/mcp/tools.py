"""An MCP server's tool as one of the agent's: `mcp__SERVER__TOOL`, the server's schema.

Every MCP tool asks permission (the server runs code the user did not review) unless
`allowed_tools` names it or a glob such as `mcp__NAME__*`. Results become the text the
model reads: text as is, embedded text resources inside `<resource>` tags, images, audio
and binary resources as a line naming their type and size (tool results carry text).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import mcp.types as types

from tether.mcp.connection import McpServer, McpServerError
from tether.tools.base import ToolContext, ToolOutcome

PREFIX = "mcp__"
MAX_RESULT_CHARS = 100_000
MAX_NAME = 64  # what OpenAI and Anthropic accept for a function name
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def tool_name(server: str, tool: str) -> str:
    return f"{PREFIX}{server}__{_UNSAFE.sub('_', tool)}"[:MAX_NAME]


class McpTool:
    """One tool of one server; calls go to the shared `McpServer`."""

    needs_permission = True

    def __init__(self, server: McpServer, tool: types.Tool) -> None:
        self.server = server
        self.remote_name = tool.name
        self.name = tool_name(server.name, tool.name)
        about = tool.description or tool.title or tool.name
        self.description = f"{about} (MCP server {server.name})"
        self.parameters: dict[str, Any] = dict(tool.inputSchema or {"type": "object"})
        hints = tool.annotations
        self.read_only = bool(hints is not None and hints.readOnlyHint)

    def describe_call(self, args: dict[str, Any]) -> str:
        shown = json.dumps(args, ensure_ascii=False)
        if len(shown) > 300:
            shown = shown[:300] + "…"
        return f"Call {self.remote_name} on MCP server {self.server.name} with {shown}"

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        try:
            result = await self.server.call(self.remote_name, args)
        except McpServerError as exc:
            return ToolOutcome(f"{self.name} failed: {exc.message}", is_error=True,
                               metadata={"mcp_server": self.server.name})
        return result_outcome(result)


def result_outcome(result: types.CallToolResult) -> ToolOutcome:
    """What the model reads for a `tools/call` result."""
    pieces = [_piece(block) for block in result.content]
    if not pieces and result.structuredContent is not None:
        pieces.append(json.dumps(result.structuredContent, ensure_ascii=False))
    text = "\n".join(p for p in pieces if p) or "(no output)"
    if len(text) > MAX_RESULT_CHARS:
        text = text[:MAX_RESULT_CHARS] + f"\n[… cut at {MAX_RESULT_CHARS} characters]"
    return ToolOutcome(text, is_error=bool(result.isError))


def _piece(block: types.ContentBlock) -> str:
    if isinstance(block, types.TextContent):
        return block.text
    if isinstance(block, types.ImageContent | types.AudioContent):
        kind = "image" if isinstance(block, types.ImageContent) else "audio"
        return f"[{kind}: {block.mimeType}, {_size(block.data)} bytes]"
    if isinstance(block, types.EmbeddedResource):
        res = block.resource
        if isinstance(res, types.TextResourceContents):
            mime = f' mimeType="{res.mimeType}"' if res.mimeType else ""
            return f'<resource uri="{res.uri}"{mime}>\n{res.text}\n</resource>'
        return f"[resource {res.uri}: {res.mimeType or 'binary'}, {_size(res.blob)} bytes]"
    if isinstance(block, types.ResourceLink):
        return f"[resource link: {block.uri} ({block.name})]"
    return ""


def _size(data: str) -> int:
    try:
        return len(base64.b64decode(data, validate=False))
    except ValueError:
        return len(data)


__all__ = ["PREFIX", "McpServerError", "McpTool", "result_outcome", "tool_name"]
