"""MCP client: tools of Model Context Protocol servers join the agent's tools.

- `config.py`: what a server is (`McpServerSpec`), read from the user config, a
  workspace's `.tether/config.toml`, or ACP's `mcpServers` (`from_acp`).
- `trust.py`: a workspace's servers run only after the user trusted them once.
- `stdio.py` / `connection.py`: one running server, restarted with backoff.
- `tools.py`: an MCP tool as a Tether `Tool` named `mcp__SERVER__TOOL`.
- `hub.py`: the servers of one process, shared by its sessions (`process_hub()`).

This package only imports the `mcp` SDK in the modules that talk to servers, so reading
configuration stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tether.mcp.config import WORKSPACE_CONFIG, McpServerSpec, from_acp

if TYPE_CHECKING:
    from tether.mcp.hub import McpHub

__all__ = ["McpServerSpec", "active_hub", "attach_acp_servers", "from_acp"]


def active_hub(user_servers: Mapping[str, Any], folder: Path) -> McpHub | None:
    """The process hub when any server could apply, else None (the SDK stays unloaded)."""
    import sys

    loaded = sys.modules.get("tether.mcp.hub")
    if loaded is not None and loaded._hub is not None:
        return loaded.process_hub()  # type: ignore[no-any-return]
    if user_servers or (folder / WORKSPACE_CONFIG).is_file():
        from tether.mcp.hub import process_hub

        return process_hub()
    return None


def attach_acp_servers(session_id: str, mcp_servers: list[Mapping[str, Any]]) -> list[str]:
    """Start-on-demand the servers an ACP client passed to `session/new` for `session_id`.

    They join that session's tools at its next turn (started lazily, shared with any
    other session that declares the same launch data). Returns a problem per entry that
    was not usable (unknown transport, no command); the others are attached.
    """
    from tether.mcp.hub import process_hub

    specs, problems = from_acp(mcp_servers)
    process_hub().attach_session_servers(session_id, specs)
    return problems
