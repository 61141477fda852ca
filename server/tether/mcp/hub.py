"""The MCP servers of one process, shared by its sessions, and which ones a session gets.

A session's servers are the user's (`[mcp_servers]` in the user config), its workspace's
(`.tether/config.toml`, once trusted: `trust.py`) and those its client declared
(`attach_session_servers`, from ACP's `session/new`); a later source wins on a name.
Servers start lazily, at the first turn that asks for tools, and stay up for every
session that names the same launch data; `aclose` stops them all at shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tether.mcp.config import McpServerSpec, parse_servers, servers_hash, workspace_servers
from tether.mcp.connection import McpServer, McpServerError
from tether.mcp.tools import McpTool
from tether.mcp.trust import TrustStore
from tether.protocol.methods import McpServerStatus, McpToolInfo
from tether.tools.base import Tool
from tether.workspace.bridge import EditorBridge, PermissionRequest

log = logging.getLogger(__name__)

TRUST_TOOL = "mcp_servers"  # the `tool` of the trust permission request


class McpHub:
    """Running servers by launch identity; trust decisions; per-session extras."""

    def __init__(self, trust: TrustStore | None = None) -> None:
        self.trust = trust or TrustStore()
        self._servers: dict[str, McpServer] = {}
        self._session_specs: dict[str, list[McpServerSpec]] = {}
        self._decided: dict[tuple[Path, str], bool] = {}
        self._asking: dict[tuple[Path, str], asyncio.Lock] = {}
        self._closed = False
        self._reported: set[str] = set()  # config problems are logged once, not every turn

    # -- what a session gets ----------------------------------------------------------

    def attach_session_servers(self, session_id: str, specs: Iterable[McpServerSpec]) -> None:
        """Servers a client declared for one session (ACP `mcpServers`); replaces earlier."""
        self._session_specs[session_id] = [
            s.model_copy(update={"source": "session"}) for s in specs]

    def detach_session(self, session_id: str) -> None:
        self._session_specs.pop(session_id, None)

    def declared(self, user_servers: Mapping[str, Any], folder: Path | None,
                 session_id: str | None = None) -> list[McpServerSpec]:
        """Every server that applies, trusted or not, later sources winning on a name."""
        specs, problems = parse_servers(user_servers, source="user")
        if folder is not None:
            found, more = workspace_servers(folder)
            specs += found
            problems += more
        specs += self._session_specs.get(session_id or "", [])
        for problem in problems:
            if problem not in self._reported:
                self._reported.add(problem)
                log.warning("MCP config: %s", problem)
        by_name = {s.name: s for s in specs}
        return list(by_name.values())

    async def tools_for(self, *, user_servers: Mapping[str, Any], folder: Path,
                        bridge: EditorBridge, session_id: str) -> list[Tool]:
        """The MCP tools of a session's turn, starting its servers if they are not up."""
        specs = self.declared(user_servers, folder, session_id)
        if not specs or self._closed:
            return []
        specs = await self._allowed(specs, folder, bridge, session_id)
        servers = [self._server(s, folder) for s in specs]
        results = await asyncio.gather(*(s.ensure_started() for s in servers),
                                       return_exceptions=True)
        tools: list[Tool] = []
        for server, result in zip(servers, results, strict=True):
            if isinstance(result, BaseException):
                _report_start_failure(server, result)
            tools.extend(McpTool(server, t) for t in server.tools)
        return tools

    async def _allowed(self, specs: list[McpServerSpec], folder: Path, bridge: EditorBridge,
                       session_id: str) -> list[McpServerSpec]:
        """`specs` without the workspace's servers when the user does not trust them."""
        workspace = [s for s in specs if s.source == "workspace"]
        if workspace and not await self._trusted(folder, workspace, bridge, session_id):
            return [s for s in specs if s.source != "workspace"]
        return specs

    def _server(self, spec: McpServerSpec, folder: Path) -> McpServer:
        key = _key(spec, folder)
        server = self._servers.get(key)
        if server is None:
            server = self._servers[key] = McpServer(spec, folder)
        return server

    async def _trusted(self, folder: Path, specs: list[McpServerSpec], bridge: EditorBridge,
                       session_id: str) -> bool:
        digest = servers_hash(specs)
        key = (folder, digest)
        lock = self._asking.setdefault(key, asyncio.Lock())
        async with lock:  # two sessions starting at once ask once
            if key in self._decided:
                return self._decided[key]
            if await asyncio.to_thread(self.trust.trusted, folder, digest):
                self._decided[key] = True
                return True
            lines = "; ".join(f"{s.name}: {s.describe()}" for s in specs)
            option = await bridge.request_permission(PermissionRequest(
                session_id=session_id, tool_call_id=f"mcp-trust-{digest[:12]}",
                tool=TRUST_TOOL,
                description=f"Start the MCP servers this workspace declares in "
                            f".tether/config.toml? {lines}"))
            allowed = option in ("allow_once", "allow_always")
            if option == "allow_always":
                await asyncio.to_thread(self.trust.remember, folder, digest)
            self._decided[key] = allowed
            if not allowed:
                log.info("workspace MCP servers of %s not trusted", folder)
            return allowed

    # -- status and shutdown ----------------------------------------------------------

    def status(self, user_servers: Mapping[str, Any], folder: Path | None) -> list[McpServerStatus]:
        """The declared servers with their state (idle when never started)."""
        out: list[McpServerStatus] = []
        specs = self.declared(user_servers, folder)
        seen: set[str] = set()
        for spec in specs:
            trusted = True
            if spec.source == "workspace" and folder is not None:
                digest = servers_hash(s for s in specs if s.source == "workspace")
                trusted = self._decided.get((folder, digest), False) or self.trust.trusted(
                    folder, digest)
            key = _key(spec, folder or Path())
            seen.add(key)
            out.append(_status(spec, self._servers.get(key), trusted))
        for key, server in self._servers.items():  # session servers, other folders
            if key not in seen:
                out.append(_status(server.spec, server, True))
        return out

    async def aclose(self) -> None:
        """Stop every server (and what it started)."""
        self._closed = True
        servers, self._servers = list(self._servers.values()), {}
        await asyncio.gather(*(s.aclose() for s in servers), return_exceptions=True)


def _report_start_failure(server: McpServer, error: BaseException) -> None:
    """A server that did not start is logged (its tools, if any, still count); a cancel
    goes on up."""
    if isinstance(error, McpServerError):
        log.warning("%s", error.message)
    elif isinstance(error, asyncio.CancelledError):
        raise error
    else:
        log.warning("MCP server %s: %r", server.name, error)


def _key(spec: McpServerSpec, folder: Path) -> str:
    # User servers are one process for all folders; the others run in their folder.
    return spec.key() if spec.source == "user" else f"{spec.key()}@{folder}"


def _status(spec: McpServerSpec, server: McpServer | None, trusted: bool) -> McpServerStatus:
    tools = [] if server is None else [McpTool(server, t) for t in server.tools]
    return McpServerStatus(
        name=spec.name, transport="stdio" if spec.command is not None else "http",
        source=spec.source,
        target=spec.describe(), state="idle" if server is None else server.state,
        error="" if server is None else server.error,
        restarts=0 if server is None else server.restarts, trusted=trusted,
        tools=[McpToolInfo(name=t.name, description=t.description) for t in tools],
    )


_hub: McpHub | None = None


def process_hub() -> McpHub:
    """The hub every session manager of this process shares."""
    global _hub
    if _hub is None:
        _hub = McpHub()
    return _hub


async def close_process_hub() -> None:
    global _hub
    hub, _hub = _hub, None
    if hub is not None:
        await hub.aclose()
