"""A shell command in its own process group, its merged output as a stream of chunks.

Built on `loop.subprocess_shell` with a small protocol rather than
`create_subprocess_shell`, because the command's end must be seen when the shell exits:
`Process.wait()` also waits for the output pipe to close, which a background (or
detached) grandchild can hold open forever — and only the transport can close the pipe
then. `stop()` signals the command's whole tree — its group, and what left the group
(`setsid`, daemons), found by `tools/proctree.py` — and reaps what the server inherited.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import TypeVar, cast

from tether.supervisor import TaskSupervisor
from tether.tools import proctree

log = logging.getLogger(__name__)
T = TypeVar("T")

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
        if self.transport is not None:
            proctree.child_exited(self.transport.get_pid())
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

    def __init__(
        self, transport: asyncio.SubprocessTransport, protocol: _Protocol, mark: bytes
    ) -> None:
        self._transport = transport
        self._protocol = protocol
        self.pid: int = transport.get_pid()
        self.tree = proctree.Tree(shell=self.pid, mark=mark, born=proctree.start_time(self.pid))

    @classmethod
    async def start(
        cls, command: str, *, cwd: Path, env: Mapping[str, str], stop_grace: float = 0.5
    ) -> ShellProcess:
        """Start `command`. Cancelled while starting, it stops the whole group first.

        The command already runs while asyncio connects its pipes; asyncio's own clean-up
        on cancellation kills only the shell, leaving grandchildren behind.
        """
        loop = asyncio.get_running_loop()
        proctree.become_subreaper()  # orphans of the command re-parent to us, not to init
        token = secrets.token_hex(8)
        # The mark every descendant inherits, so it is found again after `setsid`.
        env = {**env, proctree.MARK_VAR: token}
        mark = f"{proctree.MARK_VAR}={token}".encode()
        proctree.spawn_started()
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
        starting.add_done_callback(_announce)
        try:
            transport, protocol = await asyncio.shield(starting)
        except asyncio.CancelledError:
            await asyncio.shield(_abandon(starting, mark, stop_grace))
            raise
        return cls(transport, protocol, mark)

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

    async def stop(self, grace: float) -> None:
        """SIGTERM the tree, SIGKILL whatever is left after `grace` seconds, reap.

        `grace` 0 kills at once. Full /proc scans are few (they cost milliseconds each on
        a busy machine): one to find the tree, one per SIGKILL round to catch what was
        forked meanwhile; waiting and reaping look only at the pids already found. The
        sweep for zombies no scan saw alive runs after, without holding up the caller.
        """
        loop = asyncio.get_running_loop()
        tree = self.tree
        first = signal.SIGTERM if grace > 0 else signal.SIGKILL
        known = await _scan(proctree.signal_tree, tree, first)
        deadline = loop.time() + grace
        while grace > 0 and loop.time() < deadline and await _scan(
                proctree.any_alive, tree, known):
            await asyncio.sleep(0.01)
        await _scan(proctree.signal_pids, known, signal.SIGKILL)
        for _ in range(_KILL_ROUNDS):  # anything forked meanwhile; a fork loop needs rounds
            found = await _scan(proctree.signal_tree, tree, signal.SIGKILL)
            if not found:
                break
            known |= found
            await asyncio.sleep(0.005)
        else:
            log.warning("command %s: processes survived %d SIGKILL rounds", self.pid,
                        _KILL_ROUNDS)
        if not await self.wait_exit(max(grace, 0.5)):
            log.warning("command %s did not exit after SIGKILL", self.pid)
        for _ in range(_REAP_ROUNDS):  # killed orphans turn into our zombies a moment later
            if await _scan(proctree.reap_known, tree, known):
                break
            await asyncio.sleep(0.005)
        _SWEEPS.spawn(_scan(proctree.reap_orphans), "orphan sweep")

    def close(self) -> None:
        """Close the pipes, even if a detached process still holds the other end."""
        self._transport.close()


_KILL_ROUNDS = 50
_REAP_ROUNDS = 200
_SWEEPS = TaskSupervisor(logger=log)  # orphan sweeps in flight: the process's, never closed


def _announce(starting: asyncio.Future[tuple[asyncio.SubprocessTransport, _Protocol]]) -> None:
    """Tell proctree which shell asyncio now waits for, so it is never reaped by us."""
    pid = None
    if not starting.cancelled() and starting.exception() is None:
        transport, _ = starting.result()
        pid = transport.get_pid() if transport.get_returncode() is None else None
    proctree.spawn_finished(pid)


async def _scan(fn: Callable[..., T], *args: object) -> T:
    """Run a /proc walk on proctree's own thread: the loop stays free, no pool to wait for."""
    return await asyncio.get_running_loop().run_in_executor(proctree.scanner(), fn, *args)


async def _abandon(
    starting: asyncio.Future[tuple[asyncio.SubprocessTransport, _Protocol]],
    mark: bytes,
    grace: float,
) -> None:
    """Let a start that was cancelled finish, then stop everything it started."""
    try:
        transport, protocol = await starting
    except Exception:  # it failed to start: nothing runs
        return
    proc = ShellProcess(transport, protocol, mark)
    await proc.stop(grace)
    proc.close()
