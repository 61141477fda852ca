"""Who may use a remote `tether serve`, and what a remote client may not configure.

A server on a socket is reachable by every local process and by every web page (a page
may open `ws://127.0.0.1:PORT`). Each test talks to a real server over real sockets:
browsers' Origins refused, tokens required on both transports, and settings that
could send the user's key elsewhere or skip permission prompts ignored from remote
clients (while the editor that started a stdio server still sets them).
"""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tether.protocol.error_codes import ErrorCode
from tether.testing.provider_server import Script, ScriptedProviderServer, text_turn, tool_turn

from .conftest import WAIT, Env
from .remote import TOKEN, frame, lsp_client, remote_server, until_closed

INIT: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                        "params": {"processId": None, "rootUri": None, "capabilities": {}}}


def _init_with(token: Any) -> dict[str, Any]:
    params = {**INIT["params"], "initializationOptions": {"tether": {"token": token}}}
    return {**INIT, "params": params}


async def _ws_status(port: int, **kwargs: Any) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"ws://127.0.0.1:{port}", open_timeout=WAIT, **kwargs):
            pass
    return refused.value.response.status_code


# -- WebSocket ----------------------------------------------------------------------------


async def test_ws_refuses_a_browser_origin_even_with_the_token(env: Env) -> None:
    with remote_server(env, "ws") as srv:
        status = await _ws_status(srv.port, origin="http://evil.example",  # type: ignore[arg-type]
                                  additional_headers={"Authorization": f"Bearer {TOKEN}"})
        assert status == 403
        assert srv.proc.poll() is None  # refused, still listening


async def test_ws_accepts_an_allowed_origin(env: Env, workspace: Path) -> None:
    allowed = "https://ide.example.com"
    with remote_server(env, "ws", extra_args=["--allow-origin", allowed]) as srv:
        async with lsp_client(srv.port, [workspace], transport="ws",
                              headers={"Origin": allowed}) as h:
            assert (await h.request("tether/models/list", {}))["default"]
        status = await _ws_status(srv.port, origin="https://other.example",  # type: ignore[arg-type]
                                  additional_headers={"Authorization": f"Bearer {TOKEN}"})
        assert status == 403


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}",
                                           "Bearer "], ids=["none", "wrong", "basic", "empty"])
async def test_ws_without_the_right_token_gets_401(env: Env, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    with remote_server(env, "ws") as srv:
        assert await _ws_status(srv.port, additional_headers=headers) == 401
        assert srv.proc.poll() is None  # still listening


async def test_ws_with_the_token_serves_tether_requests(env: Env, workspace: Path) -> None:
    with remote_server(env, "ws") as srv:
        async with lsp_client(srv.port, [workspace], transport="ws") as h:
            created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
            assert created["sessionId"]


# -- TCP ----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "wrong-token", 42, ""],
                         ids=["none", "wrong", "int", "empty"])
async def test_tcp_initialize_without_the_right_token_is_refused_and_closed(
        env: Env, token: Any) -> None:
    with remote_server(env, "tcp") as srv:
        reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
        writer.write(frame(INIT if token is None else _init_with(token)))
        writer.write(frame({"jsonrpc": "2.0", "id": 2, "method": "tether/models/list",
                            "params": {}}))
        messages = await until_closed(reader)  # returns: the server closed the connection
        answers = [m for m in messages if "id" in m and "method" not in m]
        assert answers and answers[0]["id"] == 1
        assert answers[0]["error"]["code"] == ErrorCode.UNAUTHORIZED
        assert all("result" not in m for m in answers)  # nothing got through
        writer.close()
        assert srv.proc.poll() is None


async def test_tcp_request_before_initialize_is_refused_and_closed(env: Env) -> None:
    with remote_server(env, "tcp") as srv:
        reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
        writer.write(frame({"jsonrpc": "2.0", "id": 7, "method": "tether/session/list",
                            "params": {"folderUri": "file:///"}}))
        messages = await until_closed(reader)
        assert [m["id"] for m in messages] == [7]
        assert messages[0]["error"]["code"] == ErrorCode.UNAUTHORIZED
        assert "initialize" in messages[0]["error"]["message"]
        writer.close()


async def test_tcp_notification_before_initialize_closes(env: Env) -> None:
    with remote_server(env, "tcp") as srv:
        reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
        writer.write(frame({"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration",
                            "params": {"settings": {"tether": {"autoApprove": True}}}}))
        assert await until_closed(reader) == []
        writer.close()


async def test_tcp_with_the_token_works(env: Env, workspace: Path) -> None:
    with remote_server(env, "tcp") as srv:
        async with lsp_client(srv.port, [workspace]) as h:
            assert (await h.request("tether/models/list", {}))["default"].startswith("openai/")


async def test_generated_token_is_in_a_private_file_named_on_stderr(
        env: Env, workspace: Path) -> None:
    with remote_server(env, "tcp", token=None) as srv:
        path = env.tmp / "runtime" / "tether" / f"serve-{srv.port}.token"
        assert str(path) in srv.stderr_text()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        token = path.read_text().strip()
        assert len(token) >= 32 and token not in srv.stderr_text()
        async with lsp_client(srv.port, [workspace], token=token) as h:
            assert (await h.request("tether/models/list", {}))["default"]


@pytest.mark.parametrize("address", [":0", "0"])
async def test_binds_loopback_unless_told(env: Env, address: str) -> None:
    with remote_server(env, "tcp", address=address) as srv:
        assert "listening on tcp://127.0.0.1:" in srv.stderr_text()
        assert "WARNING" not in srv.stderr_text()


async def test_a_non_loopback_host_is_named_and_warned_about(env: Env) -> None:
    with remote_server(env, "tcp", address="0.0.0.0:0") as srv:
        assert "listening on tcp://0.0.0.0:" in srv.stderr_text()
        assert "WARNING" in srv.stderr_text() and "other machines" in srv.stderr_text()


@pytest.mark.parametrize("transport", ["tcp", "ws"])
async def test_the_token_is_not_logged_nor_inherited(env: Env, workspace: Path,
                                                     transport: str) -> None:
    log = env.tmp / "server.log"
    env.provider.set_script(Script([tool_turn("run_command", {"command": "env > env.txt"}),
                                    text_turn("ok")]))
    with remote_server(env, transport,
                       extra_args=["--log-level", "DEBUG", "--log-file", str(log)]) as srv:
        async with lsp_client(srv.port, [workspace], transport=transport) as h:
            sid = (await h.request("tether/session/create",
                                   {"folderUri": workspace.as_uri()}))["sessionId"]
            await h.request("tether/session/prompt", {"sessionId": sid, "text": "run"})
        assert "initialize" in log.read_text()  # the log did record the handshake
        assert TOKEN not in log.read_text() and TOKEN not in srv.stderr_text()
    assert "PATH=" in (workspace / "env.txt").read_text()
    assert TOKEN not in (workspace / "env.txt").read_text()


@pytest.mark.parametrize("transport", ["tcp", "ws"])
async def test_sigterm_with_a_client_connected_exits_and_removes_the_token_file(
        env: Env, workspace: Path, transport: str) -> None:
    with remote_server(env, transport, token=None) as srv:
        path = env.tmp / "runtime" / "tether" / f"serve-{srv.port}.token"
        async with lsp_client(srv.port, [workspace], transport=transport,
                              token=path.read_text().strip()) as h:
            await h.request("tether/models/list", {})
            srv.proc.terminate()
            assert await asyncio.wait_for(asyncio.to_thread(srv.proc.wait), WAIT) == 0
            h.client.capabilities = None  # the server is gone: no shutdown handshake
        assert not path.exists()


# -- settings a remote client may not set -------------------------------------------------


def _script() -> Script:
    return Script([tool_turn("run_command", {"command": "echo hi > out.txt"}), text_turn("ok")])


def _hostile_settings(decoy: ScriptedProviderServer) -> dict[str, Any]:
    return {"openaiBaseUrl": decoy.openai_base_url, "openaiApiKey": "client-key",
            "autoApprove": True, "allowedTools": ["run_command"],
            "provider": "replay:/etc/passwd"}


def _authorization(server: ScriptedProviderServer) -> set[str]:
    return {v for headers in server.request_headers for k, v in headers.items()
            if k.lower() == "authorization"}


async def test_remote_client_cannot_redirect_the_key_or_skip_permissions(
        env: Env, workspace: Path) -> None:
    env.provider.set_script(_script())
    with ScriptedProviderServer(_script()) as decoy, remote_server(env, "tcp") as srv:
        async with lsp_client(srv.port, [workspace], settings=_hostile_settings(decoy)) as h:
            sid = (await h.request("tether/session/create",
                                   {"folderUri": workspace.as_uri()}))["sessionId"]
            result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "run"})
            assert result["status"] == "completed"
            assert [r["tool"] for r in h.editor.permission_requests] == ["run_command"]
            warnings = [m.message for m in h.client.log_messages if "ignored" in m.message]
        assert decoy.requests == []  # the client's base URL got nothing, not even the key
        assert env.provider.requests and _authorization(env.provider) == {"Bearer test"}
        assert any(all(k in w for k in ("openaiBaseUrl", "openaiApiKey", "autoApprove",
                                         "allowedTools", "provider")) for w in warnings)


async def test_remote_client_pushed_settings_are_filtered_too(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn("ok")]))
    with ScriptedProviderServer(Script([text_turn("decoy")])) as decoy, \
            remote_server(env, "tcp") as srv:
        async with lsp_client(srv.port, [workspace], pull_configuration=False) as h:
            h.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
                settings={"tether": {"titleGeneration": False, **_hostile_settings(decoy)}}))
            sid = (await h.request("tether/session/create",
                                   {"folderUri": workspace.as_uri()}))["sessionId"]
            result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "hi"})
            assert result["status"] == "completed" and result["text"] == "ok"
        assert decoy.requests == []


async def test_stdio_editor_settings_still_apply(env: Env, workspace: Path) -> None:
    env.provider.set_script(_script())
    with ScriptedProviderServer(_script()) as decoy:
        settings = {k: v for k, v in _hostile_settings(decoy).items() if k != "provider"}
        async with env.serve([workspace], settings=settings) as h:
            sid = (await h.request("tether/session/create",
                                   {"folderUri": workspace.as_uri()}))["sessionId"]
            result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "run"})
            assert result["status"] == "completed"
            assert h.editor.permission_requests == []  # autoApprove applied
        assert decoy.requests and env.provider.requests == []
        assert _authorization(decoy) == {"Bearer client-key"}
    assert (workspace / "out.txt").exists()
