"""The seam between ACP's `mcpServers` and Tether's MCP client (`tether.mcp`).

An ACP client hands the agent MCP servers with `session/new` and `session/load`. This
module turns them into plain `McpServerConfig`s and hands them to the MCP package:

    tether.mcp.acp_tool_source() -> McpToolSource      # a module-level factory

whose `tools_for(servers)` starts (or reuses) the servers and returns their tools as
ordinary `Tool`s (named `mcp__NAME__TOOL`, asking permission like every MCP tool), and
whose `aclose()` stops them when the ACP connection ends. Until `tether.mcp` provides
the factory, the servers are accepted, stored on the session and logged, not started.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from acp.schema import AcpMcpServer, HttpMcpServer, McpServerStdio, SseMcpServer

from tether.tools.base import Tool

log = logging.getLogger(__name__)

AcpMcpServers = Sequence[HttpMcpServer | SseMcpServer | AcpMcpServer | McpServerStdio]


@dataclass(frozen=True)
class McpServerConfig:
    """One MCP server as the ACP client described it (stdio: command; http/sse: url)."""

    name: str
    transport: Literal["stdio", "http", "sse"]
    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class McpToolSource(Protocol):
    """What `tether.mcp.acp_tool_source()` returns."""

    async def tools_for(self, servers: Sequence[McpServerConfig]) -> list[Tool]:
        """The tools of these servers, started lazily and shared by sessions."""
        ...

    async def aclose(self) -> None:
        """Stop the servers this source started."""
        ...


def server_configs(servers: AcpMcpServers | None) -> list[McpServerConfig]:
    """ACP's server descriptions as configs; ACP-transport servers are not supported."""
    out: list[McpServerConfig] = []
    for s in servers or ():
        if isinstance(s, McpServerStdio):
            out.append(McpServerConfig(name=s.name, transport="stdio", command=s.command,
                                       args=tuple(s.args),
                                       env={e.name: e.value for e in s.env}))
        elif isinstance(s, HttpMcpServer | SseMcpServer):
            transport: Literal["http", "sse"] = "http" if isinstance(s, HttpMcpServer) else "sse"
            out.append(McpServerConfig(name=s.name, transport=transport, url=s.url,
                                       headers={h.name: h.value for h in s.headers}))
        else:
            log.warning("MCP server %s over ACP transport is not supported; skipped", s.name)
    return out


def load_tool_source() -> McpToolSource | None:
    """`tether.mcp.acp_tool_source()`, or None while the MCP package does not offer it."""
    try:
        module = importlib.import_module("tether.mcp")
    except ImportError:
        return None
    factory = getattr(module, "acp_tool_source", None)
    if not callable(factory):
        return None
    source: McpToolSource = factory()
    return source
