"""MCP servers through real turns: a real npm server (server-everything) and a flaky one.

The model (the scripted provider over HTTP) calls `mcp__NAME__TOOL`; the server starts
the MCP server on that first turn, asks permission unless `allowedTools` covers the tool,
and gives the model the server's answer. A crash becomes a tool error and a restart, a
hang a tool_timeout error; a workspace's servers start only once trusted.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tether.testing.provider_server import Script, text_turn, tool_turn

from .conftest import Env, Harness

MCP_DIR = Path(__file__).resolve().parents[1] / "mcp"
EVERYTHING = MCP_DIR / "node_modules" / "@modelcontextprotocol" / "server-everything" / \
    "dist" / "index.js"
FLAKY = MCP_DIR / "flaky_server.py"

needs_everything = pytest.mark.skipif(
    not EVERYTHING.is_file() or shutil.which("node") is None,
    reason="server-everything not installed (.ci/install-mcp-servers.sh)")


def everything(**extra: Any) -> dict[str, Any]:
    return {"everything": {"command": "node", "args": [str(EVERYTHING), "stdio"], **extra}}


def flaky() -> dict[str, Any]:
    return {"flaky": {"command": sys.executable, "args": [str(FLAKY)]}}


def tool_results(env: Env) -> list[str]:
    """The tool results the model was sent, in order."""
    found: list[str] = []
    for message in env.provider.requests[-1]["messages"]:
        if message.get("role") == "tool":
            found.append(str(message.get("content")))
    return found


async def prompt(h: Harness, folder: Path, text: str = "go") -> tuple[str, dict[str, Any]]:
    created = await h.request("tether/session/create", {"folderUri": folder.as_uri()})
    sid = created["sessionId"]
    return sid, await h.request("tether/session/prompt", {"sessionId": sid, "text": text})


@needs_everything
async def test_everything_echo_through_a_turn(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([
        tool_turn("mcp__everything__echo", {"message": "hello from the model"}),
        tool_turn("mcp__everything__get-env", {}),
        text_turn("done"),
    ]))
    servers = everything(env={"TETHER_MCP_PROBE": "configured"})
    async with env.serve([workspace], settings={"mcpServers": servers}) as h:
        sid, result = await prompt(h, workspace)
        assert result["status"] == "completed"
        first = env.provider.requests[0]
        specs = {t["function"]["name"]: t["function"] for t in first["tools"]}
        assert specs["mcp__everything__echo"]["parameters"]["properties"]["message"]
        asked = [r["tool"] for r in h.editor.permission_requests]
        assert asked == ["mcp__everything__echo", "mcp__everything__get-env"]
        echo, env_dump = tool_results(env)
        assert "Echo: hello from the model" in echo
        assert "TETHER_MCP_PROBE" in env_dump and "configured" in env_dump
        assert "OPENAI_API_KEY" not in env_dump  # the scrubbed environment of run_command
        status = await h.request("tether/mcp/status", {"folderUri": workspace.as_uri()})
        (server,) = status["servers"]
        assert server["name"] == "everything" and server["state"] == "ready"
        assert server["source"] == "user" and server["transport"] == "stdio"
        assert "mcp__everything__echo" in [t["name"] for t in server["tools"]]
        done = [e for e in h.editor.events
                if e["sessionId"] == sid and e["event"]["type"] == "tool_call_completed"]
        assert [e["event"]["success"] for e in done] == [True, True]


@needs_everything
async def test_allowed_by_glob_and_rejected(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([
        tool_turn("mcp__everything__get-sum", {"a": 2, "b": 40}),
        tool_turn("mcp__everything__get-tiny-image", {}),
        text_turn("done"),
    ]))
    settings = {"mcpServers": everything(), "allowedTools": ["mcp__everything__get-s*"]}
    async with env.serve([workspace], settings=settings) as h:
        h.editor.permission_answer = "reject"
        _, result = await prompt(h, workspace)
        assert result["status"] == "completed"
        assert [r["tool"] for r in h.editor.permission_requests] == [
            "mcp__everything__get-tiny-image"]
        total, image = tool_results(env)
        assert "42" in total
        assert "rejected" in image


@needs_everything
async def test_images_and_resources_become_tool_results(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([
        tool_turn("mcp__everything__get-tiny-image", {}),
        tool_turn("mcp__everything__get-resource-reference", {"resourceType": "Text",
                                                               "resourceId": 1}),
        text_turn("done"),
    ]))
    settings = {"mcpServers": everything(), "allowedTools": ["mcp__everything__*"]}
    async with env.serve([workspace], settings=settings) as h:
        _, result = await prompt(h, workspace)
        assert result["status"] == "completed"
        image, resource = tool_results(env)
        assert "[image: image/png" in image
        assert "<resource uri=" in resource


async def test_crash_is_a_tool_error_then_the_server_restarts(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([
        tool_turn("mcp__flaky__echo", {"text": "before"}),
        tool_turn("mcp__flaky__crash", {}),
        tool_turn("mcp__flaky__echo", {"text": "after"}),
        text_turn("done"),
    ]))
    settings = {"mcpServers": flaky(), "allowedTools": ["mcp__flaky__*"]}
    async with env.serve([workspace], settings=settings) as h:
        _, result = await prompt(h, workspace)
        assert result["status"] == "completed"
        before, crash, after = tool_results(env)
        assert "flaky says before" in before
        assert "stopped during the call" in crash
        assert "exited with code 3: flaky: crashing on purpose" in crash  # its last stderr
        assert "flaky says after" in after
        assert before.rsplit("pid", 1)[1] != after.rsplit("pid", 1)[1]  # a new process
        status = await h.request("tether/mcp/status", {"folderUri": workspace.as_uri()})
        (server,) = status["servers"]
        assert server["state"] == "ready" and server["restarts"] == 1


async def test_hanging_tool_hits_tool_timeout(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([
        tool_turn("mcp__flaky__hang", {}),
        tool_turn("mcp__flaky__echo", {"text": "still here"}),
        text_turn("done"),
    ]))
    settings = {"mcpServers": flaky(), "allowedTools": ["mcp__flaky__*"], "toolTimeout": 3}
    async with env.serve([workspace], settings=settings) as h:
        _, result = await prompt(h, workspace)
        assert result["status"] == "completed"
        hang, echo = tool_results(env)
        assert "timed out after 3 s (tool_timeout)" in hang
        assert "flaky says still here" in echo


def write_workspace_servers(workspace: Path) -> None:
    (workspace / ".tether").mkdir()
    (workspace / ".tether" / "config.toml").write_text(
        "[mcp_servers.flaky]\n"
        f"command = {json.dumps(sys.executable)}\n"
        f"args = [{json.dumps(str(FLAKY))}]\n")


@pytest.mark.parametrize("answer", ["allow_always", "reject"])
async def test_workspace_servers_need_trust_once(env: Env, workspace: Path, answer: str) -> None:
    write_workspace_servers(workspace)
    turns = [tool_turn("mcp__flaky__echo", {"text": "ws"}), text_turn("done")]
    env.provider.set_script(Script(turns))
    settings = {"allowedTools": ["mcp__flaky__*"]}
    async with env.serve([workspace], settings=settings) as h:
        h.editor.permission_answer = answer
        _, result = await prompt(h, workspace)
        assert result["status"] == "completed"
        (asked,) = h.editor.permission_requests
        assert asked["tool"] == "mcp_servers"
        assert "flaky_server.py" in asked["description"]
        (reply,) = tool_results(env)
        if answer == "reject":
            assert "Unknown tool 'mcp__flaky__echo'" in reply
        else:
            assert "flaky says ws" in reply
        status = await h.request("tether/mcp/status", {"folderUri": workspace.as_uri()})
        (server,) = status["servers"]
        assert server["source"] == "workspace"
        assert server["trusted"] is (answer == "allow_always")
    env.provider.set_script(Script(turns))
    async with env.serve([workspace], settings=settings) as h:  # a new process
        _, result = await prompt(h, workspace)
        if answer == "allow_always":
            assert h.editor.permission_requests == []  # remembered on disk
            assert "flaky says ws" in tool_results(env)[0]
        else:
            assert [r["tool"] for r in h.editor.permission_requests] == ["mcp_servers"]


@pytest.fixture
def everything_http(tmp_path: Path) -> Any:
    """server-everything's streamable HTTP transport on a free loopback port."""
    import socket
    import subprocess
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["node", str(EVERYTHING), "streamableHttp"],
                            env={**os.environ, "PORT": str(port)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
        except urllib.error.HTTPError:
            break  # it answers (a GET without a session is refused): it is up
        except OSError:
            time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@needs_everything
async def test_streamable_http_server(env: Env, workspace: Path, everything_http: str) -> None:
    env.provider.set_script(Script([
        tool_turn("mcp__web__echo", {"message": "over http"}), text_turn("done")]))
    settings = {"mcpServers": {"web": {"url": everything_http}},
                "allowedTools": ["mcp__web__*"]}
    async with env.serve([workspace], settings=settings) as h:
        _, result = await prompt(h, workspace)
        assert result["status"] == "completed"
        assert "Echo: over http" in tool_results(env)[0]
        status = await h.request("tether/mcp/status", {"folderUri": workspace.as_uri()})
        (server,) = status["servers"]
        assert server["transport"] == "http" and server["state"] == "ready"
        assert server["target"] == everything_http


async def test_cancel_while_asking_trust_ends_the_turn(env: Env, workspace: Path) -> None:
    write_workspace_servers(workspace)
    env.provider.set_script(Script([text_turn("never reached")]))
    async with env.serve([workspace]) as h:
        h.editor.permission_answer = "never"
        created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
        sid = created["sessionId"]
        turn = asyncio.ensure_future(
            h.request("tether/session/prompt", {"sessionId": sid, "text": "keep me"}))
        while not h.editor.permission_requests:
            await asyncio.sleep(0.02)
        assert h.editor.permission_requests[0]["tool"] == "mcp_servers"
        assert (await h.request("tether/session/cancel", {"sessionId": sid}))["cancelled"]
        result = await turn
        assert result["status"] == "cancelled"
        assert await h.wait_event(sid, "turn_cancelled")
        loaded = await h.request("tether/session/load", {"sessionId": sid})
        assert loaded["messages"][0]["parts"][0]["text"] == "keep me"
        assert env.provider.requests == []  # the model was never called


async def test_remote_client_cannot_add_mcp_server_commands(env: Env, workspace: Path) -> None:
    from .remote import lsp_client, remote_server

    marker = workspace / "pwned"
    evil = {"evil": {"command": "sh", "args": ["-c", f"touch {marker}; exec {sys.executable} "
                                                     f"{FLAKY}"]}}
    env.provider.set_script(Script([tool_turn("mcp__evil__echo", {"text": "x"}),
                                    text_turn("done")]))
    with remote_server(env, "tcp") as srv:
        settings = {"mcpServers": evil, "allowedTools": ["mcp__evil__*"]}
        async with lsp_client(srv.port, [workspace], settings=settings) as h:
            _, result = await prompt(h, workspace)
            assert result["status"] == "completed"
            warnings = [m.message for m in h.client.log_messages if "ignored" in m.message]
            status = await h.request("tether/mcp/status", {"folderUri": workspace.as_uri()})
    assert not marker.exists()
    assert "Unknown tool 'mcp__evil__echo'" in tool_results(env)[0]
    assert any("mcpServers" in w for w in warnings), warnings
    assert status["servers"] == []
