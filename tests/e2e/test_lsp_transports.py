"""`tether serve --tcp` and `--ws`: the same server over a socket, for remote development.

One listener, one language server per connection over the same history on disk: several
clients at once, and a client that goes (politely or not) leaves the others and the
listener running.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from .conftest import WAIT, Env
from .remote import TOKEN, frame, lsp_client, read_message, remote_server

MODELS = "tether/models/list"


@pytest.mark.parametrize("transport", ["tcp", "ws"])
async def test_initialize_and_a_tether_request(env: Env, workspace: Path,
                                               transport: str) -> None:
    with remote_server(env, transport) as srv:
        async with lsp_client(srv.port, [workspace], transport=transport) as h:
            tether = h.init.capabilities.experimental["tether"]  # type: ignore[index]
            assert tether["protocolVersion"] and tether["methods"]
            models = await h.request(MODELS, {})
            assert models["default"].startswith("openai/")


@pytest.mark.parametrize("transport", ["tcp", "ws"])
async def test_two_clients_at_once_share_history(env: Env, workspace: Path,
                                                 transport: str) -> None:
    with remote_server(env, transport) as srv:
        async with lsp_client(srv.port, [workspace], transport=transport) as a, \
                lsp_client(srv.port, [workspace], transport=transport) as b:
            created = await a.request("tether/session/create",
                                      {"folderUri": workspace.as_uri(), "title": "from A"})
            seen_a, seen_b = await asyncio.gather(
                a.request("tether/session/list", {"folderUri": workspace.as_uri()}),
                b.request("tether/session/list", {"folderUri": workspace.as_uri()}))
            ids_a = [s["id"] for s in seen_a["sessions"]]
            ids_b = [s["id"] for s in seen_b["sessions"]]
            assert created["sessionId"] in ids_a and created["sessionId"] in ids_b


@pytest.mark.parametrize("transport", ["tcp", "ws"])
async def test_reconnect_after_exit_and_after_a_dropped_connection(
        env: Env, workspace: Path, transport: str) -> None:
    with remote_server(env, transport) as srv:
        async with lsp_client(srv.port, [workspace], transport=transport) as first:
            await first.request(MODELS, {})
        # shutdown + exit closed that connection only: the listener still accepts
        assert srv.proc.poll() is None
        async with lsp_client(srv.port, [workspace], transport=transport) as second:
            await second.request(MODELS, {})
            if transport == "tcp":  # a client killed mid-session: no shutdown, no exit
                reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
                writer.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                    "params": {"processId": None, "rootUri": None,
                                               "capabilities": {},
                                               "initializationOptions":
                                                   {"tether": {"token": TOKEN}}}}))
                assert (await read_message(reader) or {}).get("id") == 1
                writer.transport.abort()
            # the other client is unaffected
            assert (await second.request(MODELS, {}))["default"]
        async with lsp_client(srv.port, [workspace], transport=transport) as third:
            assert (await asyncio.wait_for(third.request(MODELS, {}), WAIT))["default"]
        assert srv.proc.poll() is None
