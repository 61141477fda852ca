"""The seam between ACP's `mcpServers` and Tether's MCP client (`tether.mcp`).

An ACP client hands the agent MCP servers with `session/new` and `session/load`. This
module turns them into plain `McpServerConfig`s and attaches them to the session in the
process's MCP hub (`tether.mcp.attach_acp_servers`): their tools (`mcp__NAME__TOOL`,
asking permission like every MCP tool) join that session's turns, started lazily.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from acp.schema import AcpMcpServer, HttpMcpServer, McpServerStdio, SseMcpServer

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


def as_acp_mapping(config: McpServerConfig) -> dict[str, object]:
    """The ACP wire shape `tether.mcp.attach_acp_servers` reads."""
    if config.transport == "stdio":
        return {"name": config.name, "command": config.command, "args": list(config.args),
                "env": [{"name": k, "value": v} for k, v in config.env.items()]}
    return {"type": config.transport, "name": config.name, "url": config.url,
            "headers": [{"name": k, "value": v} for k, v in config.headers.items()]}


def attach(session_id: str, configs: Sequence[McpServerConfig]) -> list[str]:
    """Hand a session's servers to the process's MCP hub; they start at its first turn
    (lazily, shared by sessions declaring the same launch data). Returns the problems."""
    from tether.mcp import attach_acp_servers

    return attach_acp_servers(session_id, [as_acp_mapping(c) for c in configs])


async def close() -> None:
    """Stop the servers this process started (the ACP connection ended)."""
    import sys

    if "tether.mcp.hub" in sys.modules:
        from tether.mcp.hub import close_process_hub

        await close_process_hub()
