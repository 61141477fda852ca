"""Malformed input gets JSON-RPC errors with stable codes; the server and sessions survive."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from concurrent.futures import Future
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcException

from tether.lsp.server import SERVED_METHODS
from tether.lsp.wire import plain
from tether.protocol.error_codes import ErrorCode
from tether.testing.provider_server import Script, text_turn

from .conftest import SERVER_COMMAND, WAIT, Env, Harness

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
    "tether/session/pin": [({"sessionId": "s"}, "text"), ({"sessionId": "s", "text": ""},
                                                         "text")],
    "tether/session/unpin": [({"sessionId": "s"}, "pinId"), ({"sessionId": "s", "pinId": 4},
                                                            "pinId")],
    "tether/session/continue": [({}, "sessionId")],
    "tether/session/context": [({}, "sessionId"), ({"sessionId": 1}, "sessionId")],
    "tether/session/search": [({"folderUri": "f"}, "query"),
                              ({"folderUri": "f", "query": ""}, "query"),
                              ({"folderUri": "f", "query": "q", "limit": 0}, "limit")],
    "tether/session/archive": [({}, "sessionId"), ({"sessionId": "s", "archived": "maybe"},
                                                   "archived")],
    "tether/session/importCodex": [({}, "folderUri"), ({"folderUri": "f", "path": 3}, "path")],
    "tether/mcp/status": [({"folderUri": 7}, "folderUri")],
    "tether/mention/complete": [({"prefix": "a"}, "folderUri"),
                                ({"folderUri": "f", "prefix": "a", "limit": 0}, "limit")],
    "tether/changes/list": [({}, "sessionId"), ({"sessionId": "s", "turnId": 4}, "turnId")],
    "tether/changes/undo": [({"sessionId": "s"}, "turnId"),
                            ({"sessionId": "s", "turnId": "t", "hunk": ["h"]}, "hunk")],
    "tether/session/rewind": [({"sessionId": "s"}, "turnId"),
                              ({"sessionId": 1, "turnId": "t"}, "sessionId")],
    "tether/provider/check": [],
    "tether/codeBlock/apply": [({"sessionId": "s", "uri": "a.py"}, "code"),
                               ({"sessionId": "s", "uri": "a.py", "code": "x", "version": "new"},
                                "version")],
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
    "tether/session/pin": {"text": "p"},
    "tether/session/unpin": {"pinId": "pin-1"},
    "tether/session/continue": {},
    "tether/session/context": {},
    "tether/session/archive": {},
    "tether/changes/list": {},
    "tether/changes/undo": {"turnId": "t"},
    "tether/session/rewind": {"turnId": "t"},
    "tether/codeBlock/apply": {"uri": "a.py", "code": "x = 1\n"},
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
            if method not in ("tether/models/list", "tether/mcp/status",
                              "tether/provider/check"):  # all optional
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
                              "tether/index/search": {"query": "q"},
                              "tether/mcp/status": {},
                              "tether/mention/complete": {"prefix": "a"}}.items():
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


# -- raw bytes on stdin: framing and parse errors ----------------------------------------


class RawServer:
    """`tether serve` spoken to in raw bytes, to send what no LSP client library would."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)

    def send_body(self, body: bytes) -> None:
        self.send(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send_json(self, message: Any) -> None:
        self.send_body(json.dumps(message).encode())

    async def receive(self) -> dict[str, Any]:
        """The next message the server writes (its notifications included)."""
        assert self.proc.stdout is not None
        length = None
        while True:
            line = await asyncio.wait_for(self.proc.stdout.readline(), WAIT)
            assert line, "the server closed stdout"
            if line == b"\r\n":
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        assert length is not None
        body = await asyncio.wait_for(self.proc.stdout.readexactly(length), WAIT)
        answer: dict[str, Any] = json.loads(body)
        return answer

    async def response(self) -> dict[str, Any]:
        """The next response (notifications such as window/logMessage skipped)."""
        while True:
            message = await self.receive()
            if "method" not in message:
                return message

    async def exit_status(self) -> tuple[int, str]:
        """(exit code, stderr) once the server exits by itself, stdin still open."""
        assert self.proc.stderr is not None
        code = await asyncio.wait_for(self.proc.wait(), WAIT)
        return code, (await self.proc.stderr.read()).decode(errors="replace")


@asynccontextmanager
async def raw_server(env: Env) -> AsyncIterator[RawServer]:
    proc = await asyncio.create_subprocess_exec(
        *SERVER_COMMAND, env=env.environ(), stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        yield RawServer(proc)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


# Answered at once (method not found), so it shows the server still reads its input.
PING = {"jsonrpc": "2.0", "id": "ping", "method": "tether/ping", "params": {}}


@pytest.mark.parametrize("garbage", [
    b"Content-Length: twelve\r\n\r\n{}",
    b"Content-Length: -5\r\n\r\n{}",
    b"Content-Length: 4294967296\r\n\r\n",
    b"Content-Type: application/json\r\n\r\n{}",
    b"Content-Length 12\r\n\r\n{}",
    b"X" * 70000 + b"\r\n",
], ids=["word", "negative", "over-cap", "missing", "no-colon", "endless-header-line"])
async def test_unrecoverable_framing_logs_one_line_and_exits(env: Env, garbage: bytes) -> None:
    async with raw_server(env) as server:
        server.send_json(PING)
        assert (await server.response())["id"] == "ping"
        server.send(garbage)  # stdin stays open: the server must not wait for more
        code, stderr = await server.exit_status()
    assert code != 0
    framing = [line for line in stderr.splitlines() if "framing" in line.lower()]
    assert len(framing) == 1, stderr
    assert "Traceback" not in stderr


async def test_body_shorter_than_declared_at_eof_exits_non_zero(env: Env) -> None:
    async with raw_server(env) as server:
        server.send(b"Content-Length: 100\r\n\r\n{\"jsonrpc\": \"2.0\"")
        assert server.proc.stdin is not None
        server.proc.stdin.close()
        code, stderr = await server.exit_status()
    assert code != 0
    assert len([line for line in stderr.splitlines() if "framing" in line.lower()]) == 1, stderr


async def test_clean_end_of_input_is_not_an_error(env: Env) -> None:
    async with raw_server(env) as server:
        server.send_json(PING)
        assert (await server.response())["id"] == "ping"
        assert server.proc.stdin is not None
        server.proc.stdin.close()
        code, stderr = await server.exit_status()
    assert code == 0, stderr
    assert "framing" not in stderr.lower()


# body -> (error code, id answered to)
BAD_BODIES: list[tuple[bytes, int, Any]] = [
    (b"{this is not json", -32700, None),
    (b"[1, 2", -32700, None),
    (b"", -32700, None),
    (b"\xff\xfe{}", -32700, None),
    ("\u2028\u00fc".encode(), -32700, None),
    (b"[" * 100000, -32700, None),
    (b"[]", -32600, None),
    (b'[{"jsonrpc": "2.0", "id": 3, "method": "tether/models/list"}]', -32600, None),
    (b"42", -32600, None),
    (b'"a string"', -32600, None),
    (b"null", -32600, None),
    (b'{"id": 5}', -32600, 5),
    (b'{"jsonrpc": "2.0", "id": "x7"}', -32600, "x7"),
    (b'{"jsonrpc": "1.0", "id": 1, "method": "tether/models/list"}', -32600, 1),
    (b'{"jsonrpc": "2.0", "id": 8, "method": 17}', -32600, 8),
    (b'{"jsonrpc": "2.0", "id": [1], "method": "tether/models/list"}', -32600, None),
    (b'{"jsonrpc": "2.0", "method": 17}', -32600, None),
]


async def test_parse_errors_are_answered_and_the_server_keeps_reading(env: Env) -> None:
    async with raw_server(env) as server:
        for body, code, msg_id in BAD_BODIES:
            server.send_body(body)
            server.send_json(PING)
            error = await server.response()
            assert error["jsonrpc"] == "2.0"
            assert (error["id"], error["error"]["code"]) == (msg_id, code), (body[:80], error)
            assert error["error"]["message"]
            assert (await server.response())["id"] == "ping", body[:80]
        assert server.proc.returncode is None


async def test_wrong_params_keep_their_answer_over_raw_bytes(env: Env) -> None:
    async with raw_server(env) as server:
        server.send_json({"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover",
                          "params": "garbage"})
        server.send_json({"jsonrpc": "2.0", "id": 2, "method": "tether/session/list",
                          "params": {"limit": "many"}})
        server.send_json(PING)
        answers = {m["id"]: m for m in [await server.response() for _ in range(3)]}
        assert answers[1]["error"]["code"] == ErrorCode.INVALID_PARAMS
        assert answers[2]["error"]["code"] == ErrorCode.INVALID_PARAMS
        assert answers["ping"]["error"]["code"] == -32601
