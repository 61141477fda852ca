"""Malformed input gets JSON-RPC errors with stable codes; the server and sessions survive."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcException

from tether.lsp.server import SERVED_METHODS
from tether.lsp.wire import plain
from tether.protocol.error_codes import ErrorCode
from tether.testing.provider_server import Script, text_turn

from .conftest import WAIT, Env, Harness

UNKNOWN = "00000000-0000-4000-8000-000000000000"

# method -> (params missing a required field, params with a wrongly typed field, bad path)
BAD_PARAMS: dict[str, list[tuple[dict[str, Any] | None, str]]] = {
    "tether/session/create": [({}, "folderUri"), ({"folderUri": 5}, "folderUri"),
                              ({"folderUri": "x", "title": ["t"]}, "title")],
    "tether/session/prompt": [({"sessionId": "s"}, "text"), ({"sessionId": 5, "text": "t"},
                                                            "sessionId"),
                              ({"sessionId": "s", "text": "t", "context": {"selection": 1}},
                               "context.selection")],
    "tether/session/cancel": [({}, "sessionId"), ({"sessionId": None}, "sessionId")],
    "tether/session/steer": [({"sessionId": "s"}, "text"), ({"sessionId": "s", "text": 3},
                                                           "text")],
    "tether/session/list": [({}, "folderUri"), ({"folderUri": "f", "limit": "many"}, "limit"),
                            ({"folderUri": "f", "limit": 0}, "limit")],
    "tether/session/load": [({}, "sessionId"), ({"sessionId": "s", "tail": -1}, "tail")],
    "tether/session/replay": [({}, "sessionId"), ({"sessionId": "s", "fromSeq": -3},
                                                  "fromSeq")],
    "tether/session/delete": [({}, "sessionId"), ({"sessionId": {"a": 1}}, "sessionId")],
    "tether/session/rename": [({"sessionId": "s"}, "title"), ({"sessionId": "s", "title": ""},
                                                             "title")],
    "tether/session/fork": [({}, "sessionId"), ({"sessionId": "s", "messageId": 9},
                                                "messageId")],
    "tether/session/export": [({}, "sessionId"), ({"sessionId": "s", "format": "pdf"},
                                                  "format")],
    "tether/index/status": [({}, "folderUri")],
    "tether/index/search": [({"folderUri": "f"}, "query"),
                            ({"folderUri": "f", "query": "q", "limit": 0}, "limit")],
    "tether/models/list": [],
    "tether/session/search": [({"folderUri": "f"}, "query"),
                              ({"folderUri": "f", "query": ""}, "query"),
                              ({"folderUri": "f", "query": "q", "limit": 0}, "limit")],
    "tether/session/archive": [({}, "sessionId"), ({"sessionId": "s", "archived": "maybe"},
                                                   "archived")],
    "tether/session/importCodex": [({}, "folderUri"), ({"folderUri": "f", "path": 3}, "path")],
}

SESSION_METHODS = {
    "tether/session/prompt": {"text": "hi"},
    "tether/session/cancel": {},
    "tether/session/steer": {"text": "x"},
    "tether/session/load": {},
    "tether/session/replay": {},
    "tether/session/delete": {},
    "tether/session/rename": {"title": "t"},
    "tether/session/fork": {},
    "tether/session/export": {},
    "tether/session/archive": {},
}


async def _error(h: Harness, method: str, params: Any) -> tuple[int, Any]:
    with pytest.raises(JsonRpcException) as info:
        await h.request(method, params)
    return info.value.code, plain(info.value.data)


def test_every_served_method_is_covered() -> None:
    assert set(BAD_PARAMS) == set(SERVED_METHODS)


async def test_malformed_requests_get_errors_and_nothing_breaks(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn("kept"), text_turn("still here")]))
    async with env.serve([workspace]) as h:
        sid = (await h.request("tether/session/create",
                               {"folderUri": workspace.as_uri()}))["sessionId"]
        await h.request("tether/session/prompt", {"sessionId": sid, "text": "keep this"})
        before = await h.request("tether/session/load", {"sessionId": sid})

        for method, cases in BAD_PARAMS.items():
            for params, path in cases:
                code, data = await _error(h, method, params)
                assert code == ErrorCode.INVALID_PARAMS, (method, params)
                assert path in [e["path"] for e in data["errors"]], (method, data)
            if method != "tether/models/list":
                code, data = await _error(h, method, None)  # params missing altogether
                assert code == ErrorCode.INVALID_PARAMS
                code, data = await _error(h, method, ["not", "an", "object"])
                assert code == ErrorCode.INVALID_PARAMS

        for method, extra in SESSION_METHODS.items():
            code, _ = await _error(h, method, {"sessionId": UNKNOWN, **extra})
            assert code == ErrorCode.UNKNOWN_SESSION, method
        for method, extra in {"tether/session/create": {}, "tether/session/list": {},
                              "tether/session/search": {"query": "q"},
                              "tether/session/importCodex": {},
                              "tether/index/status": {},
                              "tether/index/search": {"query": "q"}}.items():
            code, _ = await _error(h, method, {"folderUri": "file:///not/open", **extra})
            assert code == ErrorCode.FOLDER_NOT_IN_WORKSPACE, method
        code, _ = await _error(h, "tether/session/create", {"folderUri": "http://x/y"})
        assert code == ErrorCode.FOLDER_NOT_IN_WORKSPACE
        code, _ = await _error(h, "tether/nope", {})
        assert code == -32601  # method not found

        models = await h.request("tether/models/list", None)
        assert models["default"] == "openai/gpt-4o-mini"

        # garbage on the wire: not JSON, JSON that is not JSON-RPC, undecodable params
        stdin = h.client._server.stdin  # type: ignore[union-attr]
        for body in (b"{this is not json", b"[1, 2", json.dumps({"id": 5}).encode(),
                     "\u2028ü".encode(), json.dumps({"jsonrpc": "1.0", "id": 1}).encode()):
            stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        waiting: Future[Any] = Future()
        h.client.protocol._request_futures["raw-1"] = waiting
        body = json.dumps({"jsonrpc": "2.0", "id": "raw-1", "method": "textDocument/hover",
                           "params": "garbage"}).encode()
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await stdin.drain()
        with pytest.raises(JsonRpcException) as info:
            await asyncio.wait_for(asyncio.wrap_future(waiting), WAIT)
        assert info.value.code == ErrorCode.INVALID_PARAMS

        # still up, and the session is untouched and usable
        after = await h.request("tether/session/load", {"sessionId": sid})
        assert after == before
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "again"})
        assert result["status"] == "completed" and result["text"] == "still here"


async def test_turn_in_progress_is_refused(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn("slow " * 400, chunk_size=2, chunk_delay=0.01)]))
    async with env.serve([workspace]) as h:
        sid = (await h.request("tether/session/create",
                               {"folderUri": workspace.as_uri()}))["sessionId"]
        first = asyncio.create_task(
            h.request("tether/session/prompt", {"sessionId": sid, "text": "one"}))
        await h.wait_event(sid, "text_delta")
        code, _ = await _error(h, "tether/session/prompt", {"sessionId": sid, "text": "two"})
        assert code == ErrorCode.TURN_IN_PROGRESS
        steer = await h.request("tether/session/steer", {"sessionId": sid, "text": "also"})
        assert steer == {"queued": True}
        await h.request("tether/session/cancel", {"sessionId": sid})
        assert (await asyncio.wait_for(first, WAIT))["status"] == "cancelled"
