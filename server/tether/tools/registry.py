"""The tools a session offers the model, looked up by name, with their specs for providers.

Also the one place a tool is run (`run_tool`), so that every call has a wall-clock
deadline: a tool past it is cancelled and the model reads a tool error.
"""

from __future__ import annotations

import asyncio
import fnmatch
import importlib
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from tether.providers.base import ToolSpec
from tether.tools.base import SelfTimedTool, Tool, ToolContext, ToolOutcome
from tether.tools.edit import EditTool
from tether.tools.glob_files import GlobTool
from tether.tools.grep import GrepTool
from tether.tools.list_dir import ListDirTool
from tether.tools.read_file import ReadFileTool
from tether.tools.run_command import RunCommandTool
from tether.tools.schema import check_arguments
from tether.tools.write_file import WriteFileTool

log = logging.getLogger(__name__)


def builtin_tools() -> list[Tool]:
    """The file and command tools, in the order the model sees them."""
    return [
        ReadFileTool(),
        ListDirTool(),
        GlobTool(),
        GrepTool(),
        EditTool(),
        WriteFileTool(),
        RunCommandTool(),
    ]


def default_tools() -> list[Tool]:
    """Every tool a session gets: the built-ins plus the index tools when they exist."""
    return builtin_tools() + _index_tools()


def _index_tools() -> list[Tool]:
    """The index tools (tools/index_tools.py), imported late: they are optional here."""
    try:
        module = importlib.import_module("tether.tools.index_tools")
    except ImportError:
        return []
    factory = getattr(module, "index_tools", None) or getattr(module, "default_index_tools", None)
    if callable(factory):
        return list(factory())
    found: list[Tool] = []
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and value.__module__ == module.__name__
            and isinstance(getattr(value, "name", None), str)
            and callable(getattr(value, "run", None))
        ):
            try:
                found.append(value())
            except TypeError:
                log.warning("index tool %s needs arguments; not registered", value.__name__)
    return found


class ToolRegistry:
    """Tools by name. Unknown names and bad arguments become readable errors, not raises."""

    def __init__(self, tools: Iterable[Tool] | None = None) -> None:
        self._tools: dict[str, Tool] = {}
        for tool in default_tools() if tools is None else tools:
            self.add(tool)

    def add(self, tool: Tool) -> None:
        if tool.name in self._tools:
            raise ValueError(f"two tools are named {tool.name!r}")
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def __getitem__(self, name: str) -> Tool:
        return self._tools[name]

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    @property
    def names(self) -> list[str]:
        return list(self._tools)

    def specs(self) -> list[ToolSpec]:
        return [ToolSpec(t.name, t.description, t.parameters) for t in self._tools.values()]

    def with_tools(self, extra: Iterable[Tool]) -> ToolRegistry:
        """A registry of these tools plus `extra` (MCP tools); a name taken is skipped."""
        merged = ToolRegistry(list(self._tools.values()))
        for tool in extra:
            if tool.name in merged:
                log.warning("tool %s is declared twice; the first one is kept", tool.name)
            else:
                merged.add(tool)
        return merged

    def validate(self, name: str, args: Any) -> str | None:
        """A sentence for the model saying what is wrong with the call, or None if it is fine."""
        tool = self._tools.get(name)
        if tool is None:
            return f"unknown tool {name!r}; available tools: {', '.join(self._tools)}"
        return check_arguments(name, tool.parameters, args)


def tool_allowed(name: str, patterns: Iterable[str]) -> bool:
    """Whether `allowed_tools` covers `name`: exact names or globs (`mcp__github__*`)."""
    return any(name == p or (any(c in p for c in "*?[") and fnmatch.fnmatchcase(name, p))
               for p in patterns)


def time_limit(tool: Tool, args: dict[str, Any], ctx: ToolContext) -> float:
    """The seconds `tool` may take for this call: its own limit, else `ctx.tool_timeout`."""
    if isinstance(tool, SelfTimedTool):
        return tool.time_limit(args, ctx)
    return ctx.tool_timeout


async def run_tool(tool: Tool, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
    """Run one call within its deadline; past it the call is cancelled, the turn goes on.

    Cancellation of the turn still propagates as CancelledError. Work a tool handed to a
    thread cannot be stopped from here (threads do not cancel): tools with possibly
    endless work must bound it themselves.
    """
    limit = time_limit(tool, args, ctx)
    deadline = asyncio.timeout(limit)
    try:
        async with deadline:
            return await tool.run(args, ctx)
    except TimeoutError:
        if not deadline.expired():
            raise
    log.info("tool %s timed out after %g s", tool.name, limit)
    return ToolOutcome(
        f"{tool.name} timed out after {limit:g} s (tool_timeout) and was stopped. "
        "Try a narrower call or another way.",
        is_error=True,
        metadata={"timed_out": True},
    )
