"""One MCP server as the agent sees it: started on first use, restarted after a crash.

A supervisor task owns the transport and the SDK's `ClientSession` (both are context
managers that must be entered and left in one task) and holds them open until `aclose`
or until the server dies. A call races the server's death, so a crash mid-call is a tool
error at once, not a wait for the deadline. After a crash the server is started again
after a backoff (0.5 s, doubling, at most 30 s); a call that arrives while the restart is
near waits for it. A call cut off by the tool deadline is followed by a ping: a server
that does not answer it is hung, and is restarted the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import mcp.types as types
from mcp.shared.exceptions import McpError

from mcp import ClientSession
from tether import __version__
from tether.errors import ToolError
from tether.mcp.config import McpServerSpec
from tether.mcp.stdio import ReadStream, WriteStream, stdio_transport
from tether.redaction import redact
from tether.supervisor import TaskSupervisor

log = logging.getLogger(__name__)

Connected = tuple[ReadStream, WriteStream, asyncio.Event, Callable[[], str]]
State = Literal["idle", "starting", "ready", "failed", "stopped"]
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0
WAIT_FOR_RESTART = 5.0  # a call waits this long at most for a scheduled restart
PING_TIMEOUT = 5.0
DEATH_GRACE = 2.0  # after a failed call, how long to wait to see whether the server died


class McpServerError(ToolError):
    """An MCP server could not be reached, died, or refused a call."""


def backoff(failures: int) -> float:
    """Seconds before restart number `failures` (1, 2, ...)."""
    return float(min(BACKOFF_FIRST * 2 ** max(failures - 1, 0), BACKOFF_MAX))


class McpServer:
    """A server of one spec; shared by every session of the process that uses it."""

    def __init__(self, spec: McpServerSpec, cwd: Path) -> None:
        self.spec = spec
        self.cwd = cwd
        self.state: State = "idle"
        self.error = ""
        self.tools: list[types.Tool] = []
        self.restarts = 0
        self.failures = 0
        self._session: ClientSession | None = None
        self._down = asyncio.Event()
        self._stop = asyncio.Event()
        self._starting: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._retry_at = 0.0
        self._background = TaskSupervisor(f"of MCP server {spec.name}", logger=log)
        self._started_once = False

    @property
    def name(self) -> str:
        return self.spec.name

    # -- lifecycle --------------------------------------------------------------------

    async def ensure_started(self) -> None:
        """Ready, or a McpServerError saying why not (bounded by the startup timeout)."""
        if self.state == "ready":
            return
        if self.state == "stopped":
            raise McpServerError(f"MCP server {self.name} is shut down")
        if self._starting is None:
            wait = self._retry_at - time.monotonic()
            if self.state == "failed" and wait > 0:
                if wait > WAIT_FOR_RESTART:
                    raise McpServerError(f"MCP server {self.name} failed ({self.error}); "
                                         f"retrying in {wait:.0f} s")
                await asyncio.sleep(wait)
            if self._starting is None and not self._ready():
                self._begin()
        if self._starting is None:
            return
        starting = self._starting
        try:
            await asyncio.wait_for(asyncio.shield(starting), self.spec.startup_timeout)
        except TimeoutError:
            self._fail(f"did not start within {self.spec.startup_timeout:g} s")
            task = self._task
            if task is not None:
                task.cancel()
            raise McpServerError(f"MCP server {self.name} {self.error}") from None
        if not self._ready():
            raise McpServerError(f"MCP server {self.name} failed to start: {self.error}")

    def _ready(self) -> bool:  # a method: the state changes while a caller awaits
        return self.state == "ready"

    def _begin(self) -> None:
        loop = asyncio.get_running_loop()
        self.state = "starting"
        self._starting = loop.create_future()
        self._down = asyncio.Event()
        if self._started_once:
            self.restarts += 1
        self._started_once = True
        log.debug("starting MCP server %s (restarts %d)", self.name, self.restarts)
        self._task = asyncio.create_task(self._serve(self._starting),
                                         name=f"mcp-{self.name}")

    async def _serve(self, starting: asyncio.Future[None]) -> None:
        ready_here = False
        try:
            async with self._connect() as (read, write, exited, exit_reason), ClientSession(
                read, write, read_timeout_seconds=None,
                client_info=types.Implementation(name="tether", version=__version__),
            ) as session:
                await session.initialize()
                self.tools = await _list_tools(session)
                self._session = session
                self.state, self.error = "ready", ""
                ready_here = True
                log.info("MCP server %s ready: %d tools", self.name, len(self.tools))
                _resolve(starting)
                await _first(self._stop.wait(), exited.wait())
                if not self._stop.is_set():
                    self._fail(exit_reason())
        except asyncio.CancelledError:
            if not self._stop.is_set():
                self._fail(self.error or "cancelled")
        except Exception as exc:  # the SDK and the transport raise many kinds
            self._fail(_describe(exc))
            log.warning("MCP server %s failed: %s", self.name, self.error)
        finally:
            self._session = None
            self._down.set()
            if self._starting is starting:
                self._starting = None
            _resolve(starting)
            if self._stop.is_set():
                self.state = "stopped"
            elif self.state == "failed" and ready_here:  # it crashed: start it again
                self._background.spawn(self._restart_later(), "restart")

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[Connected]:
        if self.spec.command is not None:
            async with stdio_transport(self.spec, self.cwd) as (read, write, process):
                yield read, write, process.exited, process.exit_reason
            return
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        never = asyncio.Event()  # an HTTP server's end shows as failed calls
        async with create_mcp_http_client(headers=dict(self.spec.headers)) as http, \
                streamable_http_client(str(self.spec.url), http_client=http) as (read, write, _):
            yield read, write, never, lambda: "disconnected"

    def _fail(self, reason: str) -> None:
        if self.state == "stopped" or self._stop.is_set():
            return
        self.state = "failed"
        self.error = redact(reason)
        self.failures += 1
        self._retry_at = time.monotonic() + backoff(self.failures)

    async def _restart_later(self) -> None:
        await asyncio.sleep(max(self._retry_at - time.monotonic(), 0))
        if self.state == "failed" and self._starting is None:
            log.info("restarting MCP server %s (restart %d)", self.name, self.restarts + 1)
            with contextlib.suppress(McpServerError):
                await self.ensure_started()

    async def restart(self, reason: str) -> None:
        """Stop a server that is stuck; it starts again after the backoff."""
        task = self._task
        if task is None or task.done():
            return
        log.warning("MCP server %s: %s; restarting", self.name, reason)
        self._fail(reason)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        self._background.spawn(self._restart_later(), "restart")

    async def aclose(self) -> None:
        self._stop.set()
        self.state = "stopped"
        await self._background.aclose()
        task = self._task
        if task is not None and not task.done():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # -- calls --------------------------------------------------------------------------

    async def call(self, tool: str, arguments: dict[str, Any]) -> types.CallToolResult:
        """Call `tool`; a dead server, a protocol error or a crash is a McpServerError."""
        await self.ensure_started()
        session, down = self._session, self._down
        if session is None:
            raise McpServerError(f"MCP server {self.name} is not running")
        call = asyncio.ensure_future(session.call_tool(tool, arguments))
        death = asyncio.ensure_future(down.wait())
        try:
            await asyncio.wait({call, death}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            call.cancel()
            self._background.spawn(self._probe(), "ping")
            raise
        finally:
            death.cancel()
        if not call.done():
            call.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await call
            raise McpServerError(f"MCP server {self.name} stopped during the call "
                                 f"({self.error or 'connection closed'}); it is restarted")
        try:
            result = call.result()
        except Exception as exc:
            # "Connection closed" comes a moment before the exit is seen: wait for it.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(down.wait(), DEATH_GRACE)
            if down.is_set():
                raise McpServerError(f"MCP server {self.name} stopped during the call "
                                     f"({self.error or 'connection closed'}); it is "
                                     "restarted") from None
            raise McpServerError(f"MCP server {self.name}: {_describe(exc)}") from None
        self.failures = 0
        return result

    async def _probe(self) -> None:
        """After a call was cut off: a server that does not answer a ping is hung."""
        session = self._session
        if session is None:
            return
        try:
            await asyncio.wait_for(session.send_ping(), PING_TIMEOUT)
        except (TimeoutError, McpError, Exception):
            await self.restart(f"no answer to a ping within {PING_TIMEOUT:g} s")


async def _list_tools(session: ClientSession) -> list[types.Tool]:
    tools: list[types.Tool] = []
    cursor: str | None = None
    while True:
        params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
        page = await session.list_tools(params=params)
        tools.extend(page.tools)
        cursor = page.nextCursor
        if not cursor:
            return tools


async def _first(*waits: Any) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, McpError):
        return exc.error.message
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

