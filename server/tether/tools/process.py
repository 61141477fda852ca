"""A shell command in its own process group, its merged output as a stream of chunks.

Built on `loop.subprocess_shell` with a small protocol rather than
`create_subprocess_shell`, because the command's end must be seen when the shell exits:
`Process.wait()` also waits for the output pipe to close, which a background (or
detached) grandchild can hold open forever — and only the transport can close the pipe
then. `stop()` signals the whole group, so grandchildren go too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import cast

log = logging.getLogger(__name__)

_PAUSE_AT = 64  # queued chunks before reading from the pipe pauses (backpressure)
_RESUME_AT = 8


class _Protocol(asyncio.SubprocessProtocol):
    def __init__(self) -> None:
        self.chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.exited = asyncio.Event()
        self.transport: asyncio.SubprocessTransport | None = None
        self.paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.SubprocessTransport, transport)

    def pipe_data_received(self, fd: int, data: bytes | str) -> None:
        self.chunks.put_nowait(data if isinstance(data, bytes) else data.encode())
        if self.chunks.qsize() >= _PAUSE_AT and not self.paused:
            self._reading(pause=True)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd == 1:
            self.chunks.put_nowait(None)

    def process_exited(self) -> None:
        self.exited.set()

    def _reading(self, *, pause: bool) -> None:
        pipe = self.transport.get_pipe_transport(1) if self.transport else None
        if isinstance(pipe, asyncio.ReadTransport):
            if pause:
                pipe.pause_reading()
            else:
                pipe.resume_reading()
            self.paused = pause


class ShellProcess:
    """One running command. Use `start`, iterate `output()`, then `stop()` and `close()`."""

    def __init__(self, transport: asyncio.SubprocessTransport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol
        self.pid: int = transport.get_pid()

    @classmethod
    async def start(
        cls, command: str, *, cwd: Path, env: Mapping[str, str], stop_grace: float = 0.5
    ) -> ShellProcess:
        """Start `command`. Cancelled while starting, it stops the whole group first.

        The command already runs while asyncio connects its pipes; asyncio's own clean-up
        on cancellation kills only the shell, leaving grandchildren behind.
        """
        loop = asyncio.get_running_loop()
        starting = asyncio.ensure_future(
            loop.subprocess_shell(
                _Protocol,
                command,
                cwd=cwd,
                env=dict(env),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # its own process group: one killpg stops everything
            )
        )
        try:
            transport, protocol = await asyncio.shield(starting)
        except asyncio.CancelledError:
            await asyncio.shield(_abandon(starting, stop_grace))
            raise
        return cls(transport, protocol)

    @property
    def returncode(self) -> int | None:
        return self._transport.get_returncode()

    async def wait_exit(self, timeout: float | None = None) -> bool:
        """True once the shell itself has exited (its children may live on)."""
        try:
            await asyncio.wait_for(self._protocol.exited.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def output(self) -> AsyncIterator[bytes]:
        """The output as it arrives, until the pipe closes."""
        protocol = self._protocol
        while True:
            chunk = await protocol.chunks.get()
            if protocol.paused and protocol.chunks.qsize() <= _RESUME_AT:
                protocol._reading(pause=False)
            if chunk is None:
                return
            yield chunk

    def signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    async def stop(self, grace: float) -> None:
        """SIGTERM the group, then SIGKILL whatever is left after `grace` seconds."""
        self.signal(signal.SIGTERM)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        await self.wait_exit(grace)
        while self._group_alive() and loop.time() < deadline:
            await asyncio.sleep(0.02)
        self.signal(signal.SIGKILL)  # stragglers that ignored SIGTERM
        if not await self.wait_exit(grace):
            log.warning("command %s did not exit after SIGKILL", self.pid)

    def _group_alive(self) -> bool:
        """Whether any process of the group still runs (zombies do not count)."""
        return group_alive(self.pid)

    def close(self) -> None:
        """Close the pipes, even if a detached process still holds the other end."""
        self._transport.close()


async def _abandon(
    starting: asyncio.Future[tuple[asyncio.SubprocessTransport, _Protocol]], grace: float
) -> None:
    """Let a start that was cancelled finish, then stop everything it started."""
    try:
        transport, protocol = await starting
    except Exception:  # it failed to start: nothing runs
        return
    proc = ShellProcess(transport, protocol)
    await proc.stop(grace)
    proc.close()


def group_alive(pgid: int) -> bool:
    """True while a live (non-zombie) process is in group `pgid`.

    `killpg(pgid, 0)` alone also succeeds for zombies, which a container's init may
    never reap; /proc tells them apart on Linux.
    """
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False
