"""A real `tether serve --tcp/--ws` process and clients that reach it over real sockets.

The server listens on 127.0.0.1 port 0 and announces the port on stderr, so tests never
race for a free port. Clients are the e2e harness' pytest-lsp client (answering
`workspace/configuration`, permission prompts and edits), connected by TCP or by a
WebSocket that sends the headers under test.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.io_ import run_websocket
from pytest_lsp import client_capabilities

from tether.workspace.folder import path_to_uri

from .conftest import WAIT, Editor, Env, Harness, make_client

TOKEN = "s3cret-test-token"
LISTENING = re.compile(r"listening on (tcp|ws)://(\S+):(\d+)")


@dataclass
class RemoteServer:
    proc: subprocess.Popen[bytes]
    port: int
    stderr: Path

    def stderr_text(self) -> str:
        return self.stderr.read_text(errors="replace")


@contextmanager
def remote_server(env: Env, transport: str, *, token: str | None = TOKEN,
                  extra_args: list[str] | None = None,
                  extra_env: dict[str, str] | None = None,
                  address: str = "127.0.0.1:0") -> Iterator[RemoteServer]:
    """`tether serve --<transport> ADDRESS`, until the test ends (then killed)."""
    environ = env.environ()
    environ["XDG_RUNTIME_DIR"] = str(env.tmp / "runtime")
    (env.tmp / "runtime").mkdir(mode=0o700, exist_ok=True)
    if token is not None:
        environ["TETHER_TOKEN"] = token
    environ.update(extra_env or {})
    stderr_path = env.tmp / f"serve-{transport}.stderr"
    cmd = [sys.executable, "-m", "tether", "serve", f"--{transport}", address,
           *(extra_args or [])]
    with stderr_path.open("wb") as stderr, subprocess.Popen(
        cmd, env=environ, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
    ) as proc:
        try:
            yield RemoteServer(proc, _wait_port(proc, stderr_path), stderr_path)
        finally:
            proc.kill()
            out, _ = proc.communicate()
        assert out == b""  # nothing on stdout, ever


def _wait_port(proc: subprocess.Popen[bytes], stderr: Path) -> int:
    import time

    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        match = LISTENING.search(stderr.read_text(errors="replace"))
        if match:
            return int(match.group(3))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"server did not listen: {stderr.read_text(errors='replace')}")


def init_params(folders: list[Path], token: str | None, *,
                pull_configuration: bool = True) -> types.InitializeParams:
    caps = client_capabilities("visual-studio-code")
    caps.experimental = {"tether": {"permissions": True}}
    if not pull_configuration and caps.workspace is not None:  # settings come by push
        caps.workspace.configuration = False
    return types.InitializeParams(
        capabilities=caps,
        root_uri=path_to_uri(folders[0]) if folders else None,
        workspace_folders=[types.WorkspaceFolder(uri=path_to_uri(f), name=f.name)
                           for f in folders],
        initialization_options={"tether": {"token": token}} if token is not None else None,
    )


@asynccontextmanager
async def lsp_client(port: int, folders: list[Path], *, transport: str = "tcp",
                     token: str | None = TOKEN, settings: dict[str, Any] | None = None,
                     headers: dict[str, str] | None = None,
                     pull_configuration: bool = True) -> AsyncIterator[Harness]:
    """An initialized editor over TCP (token in initialize) or WebSocket (bearer header)."""
    editor = Editor()
    client = make_client(editor)
    client.set_configuration({"titleGeneration": False, **(settings or {})}, section="tether")
    if transport == "tcp":
        await client.start_tcp("127.0.0.1", port)
        params = init_params(folders, token, pull_configuration=pull_configuration)
    else:
        from websockets.asyncio.client import connect

        auth = {"Authorization": f"Bearer {token}"} if token is not None else {}
        ws = await connect(f"ws://127.0.0.1:{port}", additional_headers={**auth, **(headers or {})})
        task = asyncio.create_task(run_websocket(
            websocket=ws, stop_event=client._stop_event, protocol=client.protocol))
        client._async_tasks.append(task)
        params = init_params(folders, None, pull_configuration=pull_configuration)
    try:
        init = await asyncio.wait_for(client.initialize_session(params), WAIT)
        yield Harness(client, editor, init)
        await asyncio.wait_for(client.shutdown_session(), WAIT)
    finally:
        client._stop_event.set()
        writer = client.protocol.writer
        if writer is not None:
            closing = writer.close()
            if closing is not None:
                await closing
        await asyncio.wait_for(asyncio.gather(*client._async_tasks, return_exceptions=True),
                               WAIT)


# -- raw TCP, for what a well-behaved client never sends -------------------------------


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


async def read_message(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """The next message, or None at end of stream (the server closed the connection)."""
    length = 0
    while True:
        line = await asyncio.wait_for(reader.readline(), WAIT)
        if line == b"":
            return None
        if line == b"\r\n":
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(await reader.readexactly(length))  # type: ignore[no-any-return]


async def until_closed(reader: asyncio.StreamReader) -> list[dict[str, Any]]:
    """Every message the server sends until it closes the connection."""
    messages = []
    while (message := await read_message(reader)) is not None:
        messages.append(message)
    return messages
