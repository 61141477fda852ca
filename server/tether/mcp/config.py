"""What an MCP server is, from the three places servers are declared.

Codex-style TOML in the user config or a workspace's `.tether/config.toml`::

    [mcp_servers.everything]
    command = "npx"
    args = ["-y", "@modelcontextprotocol/server-everything"]
    env = { LOG = "1" }

    [mcp_servers.remote]
    url = "https://example.com/mcp"      # streamable HTTP
    headers = { Authorization = "Bearer ..." }

and ACP's `session/new` `mcpServers` (`from_acp`). Pure data: no SDK, no I/O but reading
the workspace file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

log = logging.getLogger(__name__)

WORKSPACE_CONFIG = Path(".tether") / "config.toml"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class McpServerSpec(BaseModel):
    """One server: a command to start (stdio) or a URL to connect to (streamable HTTP)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field("", description="The server's name: tools are `mcp__NAME__TOOL`.")
    command: str | None = Field(None, description="Executable of a stdio server.")
    args: tuple[str, ...] = Field((), description="Its arguments.")
    env: dict[str, str] = Field(default_factory=dict, description="Extra environment.")
    cwd: str | None = Field(None, description="Working directory (default: the workspace).")
    url: str | None = Field(None, description="Endpoint of a streamable HTTP server.")
    headers: dict[str, str] = Field(default_factory=dict, description="HTTP headers.")
    enabled: bool = Field(True, description="false: declared but not started.")
    startup_timeout: float = Field(30.0, gt=0, description="Seconds to start and list tools.")
    source: Literal["user", "workspace", "session"] = Field(
        "user", description="Where it was declared.")

    @model_validator(mode="after")
    def _one_transport(self) -> McpServerSpec:
        if (self.command is None) == (self.url is None):
            raise ValueError("an MCP server needs exactly one of `command` or `url`")
        return self

    @property
    def transport(self) -> str:
        return "stdio" if self.command is not None else "http"

    def key(self) -> str:
        """Identity of a running server: same name and same launch data = same process."""
        data = self.model_dump(exclude={"source", "enabled", "startup_timeout"})
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
        return f"{self.name}:{digest[:16]}"

    def describe(self) -> str:
        """One line for a trust prompt or a status list (no header or env values)."""
        if self.command is not None:
            return " ".join([self.command, *self.args])
        return str(self.url)


Source = Literal["user", "workspace", "session"]


def parse_servers(
    raw: Mapping[str, Any], *, source: Source
) -> tuple[list[McpServerSpec], list[str]]:
    """`[mcp_servers]` tables as specs, and a problem per table that is not one."""
    specs: list[McpServerSpec] = []
    problems: list[str] = []
    for name, table in raw.items():
        if not _NAME.match(name):
            problems.append(f"mcp_servers.{name}: names are letters, digits, _ and - only")
            continue
        if isinstance(table, McpServerSpec):
            specs.append(table.model_copy(update={"name": name, "source": source}))
            continue
        if not isinstance(table, Mapping):
            problems.append(f"mcp_servers.{name}: expected a table")
            continue
        try:
            spec = McpServerSpec.model_validate({**table, "name": name, "source": source})
        except ValidationError as exc:
            problems.append(f"mcp_servers.{name}: {exc.errors()[0]['msg']}")
            continue
        if spec.enabled:
            specs.append(spec)
    return specs, problems


def workspace_servers(root: Path) -> tuple[list[McpServerSpec], list[str]]:
    """The servers a workspace declares in `.tether/config.toml` (none if no file)."""
    path = root / WORKSPACE_CONFIG
    if not path.is_file():
        return [], []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [], [f"{path}: cannot read ({exc})"]
    raw = data.get("mcp_servers", {})
    if not isinstance(raw, Mapping):
        return [], [f"{path}: mcp_servers must be a table"]
    return parse_servers(raw, source="workspace")


def servers_hash(specs: Iterable[McpServerSpec]) -> str:
    """A digest of a set of servers: trust is given to exactly this configuration."""
    keys = sorted(s.key() for s in specs)
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def from_acp(servers: Iterable[Mapping[str, Any]]) -> tuple[list[McpServerSpec], list[str]]:
    """ACP `session/new` `mcpServers` as specs.

    ACP's shapes: stdio `{name, command, args, env: [{name, value}]}` and
    `{type: "http", name, url, headers: [{name, value}]}`; `sse` is not supported.
    """
    specs: list[McpServerSpec] = []
    problems: list[str] = []
    for entry in servers:
        name = str(entry.get("name", ""))
        kind = entry.get("type", "stdio" if "command" in entry else None)
        if kind not in ("stdio", "http"):
            problems.append(f"MCP server {name!r}: transport {kind!r} is not supported")
            continue
        table: dict[str, Any] = {}
        if kind == "stdio":
            table = {"command": entry.get("command"), "args": entry.get("args") or [],
                     "env": _pairs(entry.get("env"))}
        else:
            table = {"url": entry.get("url"), "headers": _pairs(entry.get("headers"))}
        found, bad = parse_servers({_safe_name(name): table}, source="session")
        specs.extend(found)
        problems.extend(bad)
    return specs, problems


def _pairs(raw: Any) -> dict[str, str]:
    if isinstance(raw, Mapping):
        return {str(k): str(v) for k, v in raw.items()}
    out: dict[str, str] = {}
    for item in raw or []:
        if isinstance(item, Mapping) and "name" in item:
            out[str(item["name"])] = str(item.get("value", ""))
    return out


def _safe_name(name: str) -> str:
    """ACP names are free text; tool names allow only `[A-Za-z0-9_-]`."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:40]
    return cleaned or "server"
