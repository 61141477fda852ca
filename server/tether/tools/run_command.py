"""run_command: a shell command in the workspace root, output streamed as it arrives.

The command runs in its own process group (`start_new_session=True`) so that a timeout or
a cancelled turn can stop everything it started — grandchildren included — with one
`killpg`. Tether's own API keys are removed from its environment so `env` cannot leak
them into the history.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging
import os
import signal
from typing import Any

from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.common import BuiltinTool, fail

MAX_TIMEOUT = 600.0
MAX_OUTPUT_CHARS = 60_000
KILL_GRACE = 0.5  # seconds between SIGTERM and SIGKILL
DRAIN_GRACE = 0.5  # seconds to finish reading after the command exits
log = logging.getLogger(__name__)
SECRET_ENV = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")


class _Output:
    """Keeps the head and the tail of a long output; the middle is counted, not stored."""

    def __init__(self, limit: int) -> None:
        self.head: list[str] = []
        self.tail = ""
        self.head_size = 0
        self.limit = limit
        self.dropped = 0

    def add(self, text: str) -> None:
        room = self.limit // 2 - self.head_size
        if room > 0:
            self.head.append(text[:room])
            self.head_size += len(text[:room])
            text = text[room:]
        if not text:
            return
        self.tail += text
        excess = len(self.tail) - self.limit // 2
        if excess > 0:
            self.dropped += excess
            self.tail = self.tail[excess:]

    def render(self) -> str:
        if not self.dropped:
            return "".join(self.head) + self.tail
        return f"{''.join(self.head)}\n[... {self.dropped} characters omitted ...]\n{self.tail}"


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


async def _stop(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM the whole group, SIGKILL what is left after a grace period; reap the shell."""
    _signal_group(proc.pid, signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.wait(), KILL_GRACE)
    _signal_group(proc.pid, signal.SIGKILL)  # stragglers that ignored SIGTERM, grandchildren
    with contextlib.suppress(ProcessLookupError):
        await proc.wait()


async def _finish(proc: asyncio.subprocess.Process, reader: asyncio.Future[None]) -> None:
    await _stop(proc)
    reader.cancel()
    try:
        await reader
    except asyncio.CancelledError:
        pass
    except Exception:
        log.exception("reading command output failed")


class RunCommandTool(BuiltinTool):
    name = "run_command"
    description = (
        "Run a shell command in the workspace root (sh -c). Output (stdout and stderr "
        "merged) streams to the user and comes back with the exit code; long output keeps "
        "its head and tail. Stopped after `timeout` seconds (default from settings). "
        "Processes left in the background are stopped when the command ends."
    )
    parameters: dict[str, Any] = {
        "type": "object",
        "properties": {
            "command": {"type": "string", "minLength": 1, "description": "Shell command."},
            "timeout": {
                "type": "number",
                "minimum": 1,
                "description": f"Seconds before it is stopped (at most {int(MAX_TIMEOUT)}).",
            },
        },
        "required": ["command"],
        "additionalProperties": False,
    }
    read_only = False
    needs_permission = True

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"Run `{args.get('command', '?')}`"

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        command = str(args["command"])
        limit = max(MAX_TIMEOUT, ctx.command_timeout)
        timeout = min(float(args.get("timeout") or ctx.command_timeout), limit)
        env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
        env.update({"PAGER": "cat", "GIT_PAGER": "cat", "TERM": "dumb"})
        proc = await asyncio.create_subprocess_shell(
            command,
            cwd=ctx.workspace.root,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
        output = _Output(MAX_OUTPUT_CHARS)
        reader = asyncio.ensure_future(self._pump(proc, output, ctx))
        timed_out = False
        try:
            try:
                await asyncio.wait_for(proc.wait(), timeout)
            except TimeoutError:
                timed_out = True
            else:
                # background processes may still hold the pipe open: don't wait for them
                await asyncio.wait({reader}, timeout=DRAIN_GRACE)
        finally:  # on cancellation too: stop the whole group before CancelledError goes on
            await asyncio.shield(_finish(proc, reader))
        code = proc.returncode
        text = output.render()
        if timed_out:
            return fail(
                f"{text}\n[stopped: the command did not finish within {timeout:g} s]",
                exit_code=code,
                timed_out=True,
            )
        body = text if text.endswith("\n") or not text else text + "\n"
        return ToolOutcome(
            content=f"{body}[exit code {code}]",
            is_error=code != 0,
            metadata={"exit_code": code},
        )

    @staticmethod
    async def _pump(proc: asyncio.subprocess.Process, output: _Output, ctx: ToolContext) -> None:
        assert proc.stdout is not None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while True:
            chunk = await proc.stdout.read(4096)
            text = decoder.decode(chunk, final=not chunk)
            if text:
                output.add(text)
                await ctx.emit_output(text)
            if not chunk:
                return
