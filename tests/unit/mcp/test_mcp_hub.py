"""The hub without starting servers: which servers a session gets, and their status."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.mcp import active_hub, attach_acp_servers
from tether.mcp.hub import McpHub, close_process_hub, process_hub
from tether.mcp.trust import TrustStore


def test_later_sources_win_and_status_is_idle_until_used(tmp_path: Path) -> None:
    hub = McpHub(TrustStore(tmp_path / "trust.json"))
    (tmp_path / ".tether").mkdir()
    (tmp_path / ".tether" / "config.toml").write_text(
        '[mcp_servers.a]\ncommand = "ws-a"\n[mcp_servers.b]\ncommand = "ws-b"\n')
    hub.attach_session_servers("s1", [])
    user = {"a": {"command": "user-a"}, "c": {"url": "https://example.com/mcp"}}
    specs = {s.name: s for s in hub.declared(user, tmp_path)}
    assert specs["a"].command == "ws-a" and specs["a"].source == "workspace"
    assert specs["c"].source == "user"
    rows = {s.name: s for s in hub.status(user, tmp_path)}
    assert rows["a"].state == "idle" and rows["a"].trusted is False
    assert rows["c"].trusted is True and rows["c"].transport == "http"


async def test_acp_servers_attach_to_one_session(tmp_path: Path) -> None:
    await close_process_hub()
    assert active_hub({}, tmp_path) is None  # nothing configured: the SDK stays unloaded
    problems = attach_acp_servers("acp-1", [
        {"name": "fs", "command": "/bin/fs-mcp", "args": [], "env": []},
        {"type": "sse", "name": "old", "url": "https://e.com/sse", "headers": []},
    ])
    assert problems == ["MCP server 'old': transport 'sse' is not supported"]
    hub = active_hub({}, tmp_path)
    assert hub is process_hub()
    assert [s.name for s in hub.declared({}, tmp_path, "acp-1")] == ["fs"]
    assert hub.declared({}, tmp_path, "other") == []
    hub.detach_session("acp-1")
    assert hub.declared({}, tmp_path, "acp-1") == []
    await close_process_hub()


@pytest.mark.parametrize("failures,delay", [(1, 0.5), (2, 1.0), (3, 2.0), (10, 30.0)])
def test_backoff(failures: int, delay: float) -> None:
    from tether.mcp.connection import backoff

    assert backoff(failures) == delay
