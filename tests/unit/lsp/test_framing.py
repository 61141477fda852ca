"""The strict base-protocol reader: what it accepts, and every way framing can be lost."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosedOK

from tether.lsp.framing import (
    INVALID_REQUEST,
    MAX_CONTENT_LENGTH,
    FramingError,
    check_envelope,
    read_frame,
    serve_stream,
    serve_websocket,
)


def stream(data: bytes) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    return reader


async def frames(data: bytes) -> list[bytes]:
    reader = stream(data)
    out = []
    while (body := await read_frame(reader)) is not None:
        out.append(body)
    return out


async def test_reads_messages_with_any_header_order_and_case() -> None:
    data = (b"Content-Length: 2\r\n\r\n{}"
            b"content-type: application/vscode-jsonrpc; charset=utf-8\r\n"
            b"CONTENT-LENGTH:3\r\n\r\n[1]"
            b"Content-Length: 0\n\n")
    assert await frames(data) == [b"{}", b"[1]", b""]


async def test_a_body_may_hold_newlines_and_header_lookalikes() -> None:
    body = b'{"a": "Content-Length: 9\\r\\n"}\r\n\r\n'
    assert await frames(b"Content-Length: %d\r\n\r\n" % len(body) + body) == [body]


@pytest.mark.parametrize("data", [
    b"Content-Length: twelve\r\n\r\n",
    b"Content-Length: -1\r\n\r\n",
    b"Content-Length: +1\r\n\r\n{",
    b"Content-Length: 1.5\r\n\r\n{}",
    b"Content-Length: \r\n\r\n",
    b"Content-Length: %d\r\n\r\n" % (MAX_CONTENT_LENGTH + 1),
    b"Content-Type: x\r\n\r\n{}",
    b"\r\n",
    b"just text\r\n\r\n",
    b"Content-Length: 10\r\n\r\n{}",
    b"Content-Length: 2\r\n",
    b"Content-Length: 2",
    b"X: y\r\n" * 40 + b"\r\n",
    b"X" * 10000 + b"\r\n",
])
async def test_framing_errors(data: bytes) -> None:
    with pytest.raises(FramingError):
        await frames(data)


async def test_the_cap_itself_is_accepted() -> None:
    reader = stream(b"Content-Length: %d\r\n\r\n" % MAX_CONTENT_LENGTH)
    with pytest.raises(FramingError, match="ended after 0 of"):
        await read_frame(reader)  # the length passed; only the missing body fails


@pytest.mark.parametrize(("data", "msg_id"), [
    ([], None), ({"id": 4}, 4), ({"jsonrpc": "2.0", "id": "a"}, "a"),
    ({"jsonrpc": "2.0", "id": True, "method": "m"}, None),
    ({"jsonrpc": "2.0", "id": 1.5, "method": "m"}, None),
    ({"jsonrpc": "2", "id": 2, "method": "m"}, 2), ({"jsonrpc": "2.0", "method": None}, None),
    (7, None), ("s", None), (None, None), (True, None),
])
def test_invalid_envelopes(data: object, msg_id: object) -> None:
    invalid = check_envelope(data)
    assert invalid is not None and invalid.code == INVALID_REQUEST
    assert invalid.msg_id == msg_id


@pytest.mark.parametrize("data", [
    {"jsonrpc": "2.0", "id": 1, "method": "m"},
    {"jsonrpc": "2.0", "id": None, "method": "m"},
    {"jsonrpc": "2.0", "method": "m", "params": 5},  # params are the method's business
    {"jsonrpc": "2.0", "id": "r", "result": None},
    {"jsonrpc": "2.0", "id": 3, "error": {"code": 1, "message": "x"}},
])
def test_valid_envelopes(data: object) -> None:
    assert check_envelope(data) is None


class RecordingProtocol:
    """The slice of pygls' protocol the reader uses: what it sends, what it dispatches."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.handled: list[Any] = []
        self.writer: Any = None

    def set_writer(self, writer: Any, include_headers: bool = True) -> None:
        self.writer = writer

    def _send_data(self, data: dict[str, Any]) -> None:
        self.sent.append(data)

    def structure_message(self, data: dict[str, Any]) -> Any:
        return data

    def handle_message(self, message: Any) -> None:
        self.handled.append(message)


class FakeWebSocket:
    def __init__(self, frames: list[bytes]) -> None:
        self.frames = frames
        self.closed = False

    async def recv(self, decode: bool = False) -> bytes:
        if not self.frames:
            raise ConnectionClosedOK(None, None)
        return self.frames.pop(0)

    async def close(self) -> None:
        self.closed = True


async def test_stream_and_websocket_loops_answer_bad_bodies_and_dispatch_good_ones() -> None:
    good = {"jsonrpc": "2.0", "id": 1, "method": "m"}
    bodies = [b"{nope", json.dumps([good]).encode(), b'{"id": "q"}', json.dumps(good).encode()]
    stream_protocol = RecordingProtocol()
    data = b"".join(b"Content-Length: %d\r\n\r\n" % len(b) + b for b in bodies)
    await serve_stream(threading.Event(), stream(data), stream_protocol)  # type: ignore[arg-type]
    ws_protocol = RecordingProtocol()
    socket = FakeWebSocket(list(bodies))
    await serve_websocket(socket, threading.Event(), ws_protocol)  # type: ignore[arg-type]
    assert socket.closed
    for protocol in (stream_protocol, ws_protocol):
        assert [(m["id"], m["error"]["code"]) for m in protocol.sent] == [
            (None, -32700), (None, -32600), ("q", -32600)]
        assert protocol.handled == [good]
