"""A stdio MCP server as a child process: JSON-RPC lines on stdin/stdout, stderr to the log.

Our own transport rather than the SDK's `stdio_client`, for what the server needs to own:
the environment is the scrubbed one of run_command (`secret_env.scrubbed`, no API keys)
plus the server's configured `env`; the child runs in its own session with the
`tools/proctree.py` marker, so stopping it stops what it started too (`npx` starts a
`node`); the child is announced to proctree (`spawn_started` / `spawn_finished` /
`child_exited`), so the subreaper never steals its exit status; and stderr goes line by
line to the log, redacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import mcp.types as types
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.shared.message import SessionMessage

from tether.mcp.config import McpServerSpec
from tether.redaction import redact
from tether.secret_env import scrubbed
from tether.tools import proctree

log = logging.getLogger(__name__)

LINE_LIMIT = 32 * 1024 * 1024  # one JSON-RPC message (images come base64-encoded)
STOP_GRACE = 2.0  # seconds between closing stdin and SIGTERM, and SIGTERM and SIGKILL
STDERR_LINE_CAP = 2000
STDERR_TAIL = 20

ReadStream = MemoryObjectReceiveStream[SessionMessage | Exception]
WriteStream = MemoryObjectSendStream[SessionMessage]


def child_env(spec: McpServerSpec, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment: ours without secrets, then what its config sets."""
    return {**scrubbed(os.environ if base is None else base), **spec.env}


class ServerProcess:
    """The running child: its pid, exit, and how to stop its whole tree."""

    def __init__(self, proc: asyncio.subprocess.Process, tree: proctree.Tree) -> None:
        self.proc = proc
        self.tree = tree
        self.exited = asyncio.Event()
        self.stderr_tail: deque[str] = deque(maxlen=STDERR_TAIL)  # for the exit reason
        self.stderr_done = asyncio.Event()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def exit_reason(self) -> str:
        """How it ended, with its last stderr line (what a user needs to fix it)."""
        code = self.proc.returncode
        reason = f"exited (signal {-code})" if code is not None and code < 0 else \
            f"exited with code {code}"
        return f"{reason}: {self.stderr_tail[-1]}" if self.stderr_tail else reason

    async def watch(self) -> None:
        try:
            await self.proc.wait()
            with contextlib.suppress(TimeoutError):  # its last words, for exit_reason
                await asyncio.wait_for(self.stderr_done.wait(), STOP_GRACE)
        finally:
            proctree.child_exited(self.pid)
            self.exited.set()

    async def stop(self) -> None:
        """Close stdin, then SIGTERM and SIGKILL the tree (the MCP stdio shutdown order)."""
        if self.proc.stdin is not None:
            with contextlib.suppress(Exception):
                self.proc.stdin.close()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.exited.wait()), STOP_GRACE)
            await _scan(proctree.signal_tree, self.tree, sig)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.exited.wait()), STOP_GRACE)
        await _scan(proctree.reap_orphans)


@asynccontextmanager
async def stdio_transport(
    spec: McpServerSpec, cwd: Path
) -> AsyncIterator[tuple[ReadStream, WriteStream, ServerProcess]]:
    """Start `spec`'s command; yield the SDK's message streams and the process."""
    assert spec.command is not None
    proctree.become_subreaper()
    token = secrets.token_hex(8)
    env = {**child_env(spec), proctree.MARK_VAR: token}
    proctree.spawn_started()
    pid: int | None = None
    try:
        proc = await asyncio.create_subprocess_exec(
            spec.command, *spec.args, cwd=spec.cwd or str(cwd), env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, start_new_session=True, limit=LINE_LIMIT,
        )
        pid = proc.pid
    finally:
        proctree.spawn_finished(pid)
    mark = f"{proctree.MARK_VAR}={token}".encode()
    process = ServerProcess(proc, proctree.Tree(shell=proc.pid, mark=mark,
                                                born=proctree.start_time(proc.pid)))
    read_writer, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_stream, write_reader = anyio.create_memory_object_stream[SessionMessage](0)
    tasks = [
        asyncio.create_task(process.watch()),
        asyncio.create_task(_read_stdout(proc, read_writer, spec.name)),
        asyncio.create_task(_write_stdin(proc, write_reader)),
        asyncio.create_task(_log_stderr(proc, spec.name, process)),
    ]
    try:
        yield read_stream, write_stream, process
    finally:
        await process.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for stream in (read_stream, write_stream, read_writer, write_reader):
            await stream.aclose()


async def _read_stdout(proc: asyncio.subprocess.Process,
                       out: MemoryObjectSendStream[SessionMessage | Exception], name: str) -> None:
    assert proc.stdout is not None
    async with out:
        while True:
            try:
                line = await proc.stdout.readline()
            except ValueError:  # a line over LINE_LIMIT: the stream cannot resync
                log.warning("MCP server %s sent a message over %d bytes", name, LINE_LIMIT)
                return
            if not line:
                return
            if not line.strip():
                continue
            try:
                message = types.JSONRPCMessage.model_validate_json(line)
            except ValueError as exc:
                log.warning("MCP server %s wrote a line that is not JSON-RPC: %s", name,
                            redact(line[:200].decode(errors="replace")))
                await out.send(exc)
                continue
            try:
                await out.send(SessionMessage(message))
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                return


async def _write_stdin(proc: asyncio.subprocess.Process,
                       messages: MemoryObjectReceiveStream[SessionMessage]) -> None:
    assert proc.stdin is not None
    async with messages:
        async for message in messages:
            data = message.message.model_dump_json(by_alias=True, exclude_none=True)
            try:
                proc.stdin.write(data.encode() + b"\n")
                await proc.stdin.drain()
            except (ConnectionError, RuntimeError):
                return


async def _log_stderr(proc: asyncio.subprocess.Process, name: str,
                      process: ServerProcess) -> None:
    try:
        await _read_stderr(proc, name, process.stderr_tail)
    finally:
        process.stderr_done.set()


async def _read_stderr(proc: asyncio.subprocess.Process, name: str, tail: deque[str]) -> None:
    assert proc.stderr is not None
    while True:
        try:
            line = await proc.stderr.readline()
        except ValueError:
            continue
        if not line:
            return
        text = line.decode(errors="replace").rstrip()[:STDERR_LINE_CAP]
        if text:
            shown = redact(text)
            tail.append(shown)
            log.info("mcp %s stderr: %s", name, shown)


async def _scan(fn: object, *args: object) -> object:
    """proctree's /proc walks on its own thread, as tools/process.py runs them."""
    assert callable(fn)
    return await asyncio.get_running_loop().run_in_executor(proctree.scanner(), fn, *args)
