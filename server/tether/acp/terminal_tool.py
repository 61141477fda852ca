"""run_command in the client's terminal, for ACP clients that offer `terminal/*`.

The client runs the command (so the user watches it live in the tool call, and it runs
where the client runs it); the agent creates the terminal, embeds it in the tool call,
waits for the exit within the command's timeout, reads the output for the model and
releases the terminal. A timeout or a cancelled turn kills the command first. The model
sees the same tool (name, schema, result format) as the built-in `run_command`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from acp.exceptions import RequestError
from acp.interfaces import Client
from acp.schema import EnvVariable

from tether.redaction import redact
from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.common import fail
from tether.tools.run_command import MAX_OUTPUT_CHARS, RunCommandTool, command_timeout

log = logging.getLogger(__name__)

AttachTerminal = Callable[[str, str, str], Awaitable[None]]  # session, tool call, terminal
QUIET_ENV = {"PAGER": "cat", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}


class ClientTerminalRunCommand(RunCommandTool):
    """`run_command` through the client's `terminal/create`…`terminal/release`."""

    def __init__(self, client: Client, attach: AttachTerminal) -> None:
        self.client = client
        self.attach = attach

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        command = str(args["command"])
        timeout = command_timeout(args, ctx)
        sid = ctx.session_id
        try:
            created = await self.client.create_terminal(
                session_id=sid, command="sh", args=["-c", command], cwd=str(ctx.workspace.root),
                env=[EnvVariable(name=k, value=v) for k, v in QUIET_ENV.items()],
                output_byte_limit=MAX_OUTPUT_CHARS)
        except RequestError as exc:
            return fail(f"the editor could not start the command: {exc}")
        terminal_id = created.terminal_id
        await self.attach(sid, ctx.tool_call_id, terminal_id)
        timed_out = False
        try:
            try:
                async with asyncio.timeout(timeout):
                    exit_status = await self.client.wait_for_terminal_exit(
                        session_id=sid, terminal_id=terminal_id)
                code, signal = exit_status.exit_code, exit_status.signal
            except TimeoutError:
                timed_out = True
                await self._kill(sid, terminal_id)
                code, signal = None, None
            out = await self.client.terminal_output(session_id=sid, terminal_id=terminal_id)
        except BaseException:  # the turn was cancelled: stop the command, then re-raise
            await asyncio.shield(self._stop(sid, terminal_id))
            raise
        await self._release(sid, terminal_id)
        text = redact(out.output)
        if out.truncated:
            text = f"[... earlier output omitted ...]\n{text}"
        if timed_out:
            return fail(f"{text}\n[stopped: the command did not finish within {timeout:g} s]",
                        timed_out=True, truncated=out.truncated)
        body = text if text.endswith("\n") or not text else text + "\n"
        ending = f"[exit code {code}]" if code is not None else f"[killed by signal {signal}]"
        return ToolOutcome(content=f"{body}{ending}", is_error=code != 0,
                           metadata={"exit_code": code, "truncated": out.truncated})

    async def _kill(self, sid: str, terminal_id: str) -> None:
        with suppress(RequestError):
            await self.client.kill_terminal(session_id=sid, terminal_id=terminal_id)

    async def _release(self, sid: str, terminal_id: str) -> None:
        with suppress(RequestError):
            await self.client.release_terminal(session_id=sid, terminal_id=terminal_id)

    async def _stop(self, sid: str, terminal_id: str) -> None:
        try:
            await self._kill(sid, terminal_id)
            await self._release(sid, terminal_id)
        except Exception:  # the connection is gone: nothing left to stop
            log.info("could not stop terminal %s", terminal_id, exc_info=True)
