"""MCP configuration: TOML tables, ACP's mcpServers, trust on disk, remote-unsafe settings."""

from __future__ import annotations

from pathlib import Path

import mcp.types as types

from tether.mcp.config import from_acp, parse_servers, servers_hash, workspace_servers
from tether.mcp.stdio import child_env
from tether.mcp.tools import result_outcome, tool_name
from tether.mcp.trust import TrustStore
from tether.settings import Settings, remote_safe, remote_unsafe
from tether.tools.registry import tool_allowed


def test_toml_tables_become_specs_and_bad_ones_problems() -> None:
    specs, problems = parse_servers({
        "gh": {"command": "npx", "args": ["-y", "gh-mcp"], "env": {"A": "1"}},
        "web": {"url": "https://example.com/mcp", "headers": {"X": "y"}},
        "both": {"command": "x", "url": "https://example.com"},
        "neither": {"args": []},
        "off": {"command": "x", "enabled": False},
        "bad name": {"command": "x"},
    }, source="user")
    assert [(s.name, s.transport) for s in specs] == [("gh", "stdio"), ("web", "http")]
    assert specs[0].args == ("-y", "gh-mcp") and specs[0].env == {"A": "1"}
    assert len(problems) == 3
    assert any("exactly one of `command` or `url`" in p for p in problems)


def test_workspace_file(tmp_path: Path) -> None:
    assert workspace_servers(tmp_path) == ([], [])
    (tmp_path / ".tether").mkdir()
    (tmp_path / ".tether" / "config.toml").write_text('[mcp_servers.a]\ncommand = "run-a"\n')
    (spec,), problems = workspace_servers(tmp_path)
    assert spec.source == "workspace" and spec.command == "run-a" and problems == []
    (tmp_path / ".tether" / "config.toml").write_text("[mcp_servers\n")
    specs, problems = workspace_servers(tmp_path)
    assert specs == [] and "cannot read" in problems[0]


def test_acp_shapes() -> None:
    specs, problems = from_acp([
        {"name": "fs tools", "command": "/bin/fs", "args": ["--x"],
         "env": [{"name": "TOKEN", "value": "t"}]},
        {"type": "http", "name": "web", "url": "https://e.com/mcp",
         "headers": [{"name": "Authorization", "value": "Bearer b"}]},
        {"type": "sse", "name": "old", "url": "https://e.com/sse", "headers": []},
    ])
    assert [(s.name, s.source) for s in specs] == [("fs_tools", "session"), ("web", "session")]
    assert specs[0].env == {"TOKEN": "t"} and specs[1].headers == {"Authorization": "Bearer b"}
    assert problems == ["MCP server 'old': transport 'sse' is not supported"]


def test_trust_is_per_folder_and_config(tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "trust.json")
    a, _ = parse_servers({"a": {"command": "x"}}, source="workspace")
    b, _ = parse_servers({"a": {"command": "y"}}, source="workspace")
    folder = tmp_path / "ws"
    assert not store.trusted(folder, servers_hash(a))
    store.remember(folder, servers_hash(a))
    assert TrustStore(tmp_path / "trust.json").trusted(folder, servers_hash(a))
    assert not store.trusted(folder, servers_hash(b))  # the file changed: ask again
    assert not store.trusted(tmp_path / "other", servers_hash(a))
    (tmp_path / "trust.json").write_text("{not json")
    assert not store.trusted(folder, servers_hash(a))


def test_remote_clients_cannot_set_mcp_servers() -> None:
    assert remote_unsafe("mcp_servers", {"x": {"command": "rm"}})
    kept, dropped = remote_safe({"mcpServers": {"x": {"command": "rm"}}, "maxSteps": 3})
    assert dropped == ["mcpServers"] and kept == {"maxSteps": 3}
    settings = Settings().merged({"mcp_servers": {"x": {"command": "y"}}})
    assert settings.mcp_servers == {"x": {"command": "y"}}


def test_allowed_tools_globs() -> None:
    assert tool_allowed("mcp__gh__issue", ["mcp__gh__*"])
    assert tool_allowed("run_command", ["run_command"])
    assert not tool_allowed("mcp__ghx__issue", ["mcp__gh__*"])
    assert not tool_allowed("mcp__gh__issue", ["mcp__gh"])


def test_child_env_is_scrubbed_plus_configured() -> None:
    parse, _ = parse_servers({"a": {"command": "x", "env": {"MINE": "1"}}}, source="user")
    env = child_env(parse[0], {"PATH": "/bin", "OPENAI_API_KEY": "sk-secret"})
    assert env == {"PATH": "/bin", "MINE": "1"}


def test_results_become_text() -> None:
    result = types.CallToolResult(content=[
        types.TextContent(type="text", text="hello"),
        types.ImageContent(type="image", data="aGVsbG8=", mimeType="image/png"),
        types.EmbeddedResource(type="resource", resource=types.TextResourceContents(
            uri="file:///a.txt", text="inside", mimeType="text/plain")),
    ], isError=True)
    outcome = result_outcome(result)
    assert outcome.is_error
    assert outcome.content.splitlines() == [
        "hello", "[image: image/png, 5 bytes]",
        '<resource uri="file:///a.txt" mimeType="text/plain">', "inside", "</resource>"]
    structured = types.CallToolResult(content=[], structuredContent={"sum": 3})
    assert result_outcome(structured).content == '{"sum": 3}'
    assert tool_name("gh", "search.issues") == "mcp__gh__search_issues"
