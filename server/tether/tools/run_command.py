"""run_command: a shell command in the workspace root, output streamed as it arrives.

The command runs in its own process group, and everything it started — grandchildren,
`setsid` children, double-forked daemons — is stopped when it times out, when the turn is
cancelled, and when the command ends: a process left in the background does not outlive
its command (a server the model starts for a test lives as long as the command that
uses it; see `tools/proctree.py`). Tether's own secrets (API keys, TETHER_TOKEN) are
removed from its environment (`secret_env.scrubbed`) so `env` cannot leak them, and its
output is redacted as it is read, before the head/tail cut (a cut through a key would
leave a piece no one knows).
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import os
from typing import Any

from tether.redaction import StreamRedactor
from tether.secret_env import scrubbed
from tether.tools.base import ToolContext, ToolOutcome
from tether.tools.common import BuiltinTool, fail
from tether.tools.process import ShellProcess
from tether.tools.schema import arguments_schema, nonempty_string

MAX_TIMEOUT = 600.0
MAX_OUTPUT_CHARS = 60_000
KILL_GRACE = 0.5  # seconds between SIGTERM and SIGKILL
CANCEL_GRACE = 0.05  # the same on cancel: the user is waiting (git still drops its locks)
DRAIN_GRACE = 0.3  # seconds to finish reading after the command exits
STOP_ALLOWANCE = 10.0  # beyond the timeout, before the tool runner gives up on a command
log = logging.getLogger(__name__)


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


class RunCommandTool(BuiltinTool):
    name = "run_command"
    description = (
        "Run a shell command in the workspace root (sh -c). Output (stdout and stderr "
        "merged) streams to the user and comes back with the exit code; long output keeps "
        "its head and tail. Stopped after `timeout` seconds (default from settings). "
        "Processes left in the background (also setsid, nohup or daemons) are stopped "
        "when the command ends: start a server and use it within one command."
    )
    parameters = arguments_schema({
        "command": nonempty_string("Shell command."),
        "timeout": {"type": "number", "minimum": 1,
                    "description": f"Seconds before it is stopped (at most {int(MAX_TIMEOUT)})."},
    }, required=["command"])
    read_only = False
    needs_permission = True

    def describe_call(self, args: dict[str, Any]) -> str:
        return f"Run `{args.get('command', '?')}`"

    def time_limit(self, args: dict[str, Any], ctx: ToolContext) -> float:
        """The runner's backstop: the command's own timeout plus the time to stop it."""
        return command_timeout(args, ctx) + STOP_ALLOWANCE

    async def _run(self, args: dict[str, Any], ctx: ToolContext) -> ToolOutcome:
        command = str(args["command"])
        timeout = command_timeout(args, ctx)
        env = scrubbed(os.environ)
        env.update({"PAGER": "cat", "GIT_PAGER": "cat", "TERM": "dumb", "GIT_TERMINAL_PROMPT": "0"})
        proc = await ShellProcess.start(
            command, cwd=ctx.workspace.root, env=env, stop_grace=CANCEL_GRACE
        )
        output = _Output(MAX_OUTPUT_CHARS)
        reader = asyncio.ensure_future(_pump(proc, output, ctx))
        try:
            timed_out = not await proc.wait_exit(timeout)
            if not timed_out:
                # background processes may still hold the pipe open: don't wait for them
                await asyncio.wait({reader}, timeout=DRAIN_GRACE)
        except BaseException:  # the turn was cancelled: stop the whole tree, then re-raise
            reader.cancel()
            await asyncio.shield(_finish(proc, reader, CANCEL_GRACE))
            raise
        await _finish(proc, reader, KILL_GRACE)
        code = proc.returncode
        text = output.render()
        if timed_out:
            return fail(
                f"{text}\n[stopped: the command did not finish within {timeout:g} s]",
                exit_code=code,
                timed_out=True,
                truncated=output.dropped > 0,
            )
        body = text if text.endswith("\n") or not text else text + "\n"
        return ToolOutcome(
            content=f"{body}[exit code {code}]",
            is_error=code != 0,
            metadata={"exit_code": code, "truncated": output.dropped > 0},
        )


def command_timeout(args: dict[str, Any], ctx: ToolContext) -> float:
    """The model's `timeout`, else the setting; at most MAX_TIMEOUT (or the setting)."""
    limit = max(MAX_TIMEOUT, ctx.command_timeout)
    try:
        asked = float(args.get("timeout") or ctx.command_timeout)
    except (TypeError, ValueError):  # the argument check reports it
        asked = ctx.command_timeout
    return min(asked, limit)


async def _pump(proc: ShellProcess, output: _Output, ctx: ToolContext) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    secrets = StreamRedactor()
    async for chunk in proc.output():
        text = secrets.feed(decoder.decode(chunk))
        if text:
            output.add(text)
            await ctx.emit_output(text)
    rest = secrets.feed(decoder.decode(b"", final=True)) + secrets.flush()
    if rest:
        output.add(rest)
        await ctx.emit_output(rest)


async def _finish(proc: ShellProcess, reader: asyncio.Future[None], grace: float) -> None:
    """Stop what is left of the tree, stop reading, close the pipes."""
    await proc.stop(grace)
    if not reader.done():
        await asyncio.wait({reader}, timeout=DRAIN_GRACE)
    reader.cancel()
    try:
        await reader
    except asyncio.CancelledError:
        pass
    except Exception:
        log.exception("reading command output failed")
    proc.close()
