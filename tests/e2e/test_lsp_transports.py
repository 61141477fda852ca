"""`tether serve --tcp` and `--ws`: the same server over a socket, for remote development."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .conftest import WAIT

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": None, "rootUri": None, "capabilities": {}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "initialized", "params": {}}
MODELS = {"jsonrpc": "2.0", "id": 2, "method": "tether/models/list", "params": {}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serve(flag: str, port: int, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "TETHER_DATA_DIR": str(tmp_path / "data"),
           "TETHER_CONFIG": str(tmp_path / "none.toml"), "TETHER_PROVIDER": "openai",
           "OPENAI_API_KEY": "test"}
    with (tmp_path / "stderr.log").open("wb") as stderr, subprocess.Popen(
        [sys.executable, "-m", "tether", "serve", flag, f"127.0.0.1:{port}"],
        env=env, stdout=subprocess.PIPE, stderr=stderr,
    ) as proc:
        try:
            yield proc
        finally:
            proc.kill()
            out, _ = proc.communicate()
        assert out == b""  # nothing on stdout, ever


async def _retry(connect: Any) -> Any:
    async def attempt() -> Any:
        while True:
            try:
                return await connect()
            except OSError:
                await asyncio.sleep(0.05)

    return await asyncio.wait_for(attempt(), WAIT)


def _frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


async def _read(reader: asyncio.StreamReader) -> dict[str, Any]:
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(await reader.readexactly(length))  # type: ignore[no-any-return]


async def _response(reader: asyncio.StreamReader, msg_id: int) -> dict[str, Any]:
    while True:
        message = await asyncio.wait_for(_read(reader), WAIT)
        if message.get("id") == msg_id and "method" not in message:
            return message


async def test_tcp(tmp_path: Path) -> None:
    port = _free_port()
    with _serve("--tcp", port, tmp_path):
        reader, writer = await _retry(lambda: asyncio.open_connection("127.0.0.1", port))
        writer.write(_frame(INIT))
        init = await _response(reader, 1)
        assert init["result"]["capabilities"]["experimental"]["tether"]["protocolVersion"]
        writer.write(_frame(INITIALIZED) + _frame(MODELS))
        models = await _response(reader, 2)
        assert models["result"]["default"].startswith("openai/")
        writer.close()


async def test_websocket(tmp_path: Path) -> None:
    pytest.importorskip("websockets")
    from websockets.asyncio.client import connect

    port = _free_port()
    with _serve("--ws", port, tmp_path):
        ws = await _retry(lambda: connect(f"ws://127.0.0.1:{port}"))
        try:
            await ws.send(json.dumps(INIT))
            while True:
                init = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
                if init.get("id") == 1:
                    break
            assert init["result"]["capabilities"]["experimental"]["tether"]["methods"]
        finally:
            await ws.close()
