"""Keys out of the process environment, before anything else runs.

Commands the agent runs are children of the server: they inherit its environment, and
any of them can read the server's own `/proc/<pid>/environ` (`tr '\\0' '\\n' <
/proc/$PPID/environ`), which keeps the environment the process was *started* with, no
matter what `os.environ` says later. So every entry point calls `isolate()` first:

1. If a secret variable (`SECRET_ENV_VARS`) is set, the process re-executes itself —
   same interpreter, same `sys.orig_argv`, same pid, stdio untouched — with those
   variables removed and their values written to a pipe whose read end the new image
   inherits; only the descriptor number travels in the environment (`TETHER_SECRETS_FD`).
   The new image reads the pipe, closes it and keeps the values in memory (`getenv`).
   A process that received secrets never re-executes again, so this cannot loop.
2. On Linux the process then marks itself non-dumpable (`PR_SET_DUMPABLE` 0): processes
   of the same user can no longer read its `/proc/<pid>/environ` or memory, or ptrace
   it (root still can; the re-exec is what keeps the keys out of the environ for root).

Chosen over a command-runner helper started before the keys are read: the helper would
keep the server's own environ full of keys, and every tool that spawns a process (not
only `run_command`) would have to route through it. The re-exec costs one interpreter
start, before the heavy imports. Children get `scrubbed(os.environ)`.

This module imports only the standard library: it runs before the rest of Tether.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Mapping

SECRET_ENV_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "TETHER_TOKEN")
FD_VAR = "TETHER_SECRETS_FD"
_PR_SET_DUMPABLE = 4
_MAX_PAYLOAD = 60_000  # below a pipe's buffer: the write never blocks before the exec

_secrets: dict[str, str] = {}
_isolated = False


def getenv(name: str) -> str | None:
    """A secret variable's value (kept in memory after the re-exec), else the environment."""
    value = _secrets.get(name)
    return value if value is not None else os.environ.get(name)


def known_values() -> list[str]:
    """Every secret value present at start-up, for the redactor."""
    values = [getenv(name) for name in SECRET_ENV_VARS]
    return [v for v in values if v]


def scrubbed(env: Mapping[str, str]) -> dict[str, str]:
    """`env` without the secret variables: the environment for a command's child."""
    return {k: v for k, v in env.items() if k not in SECRET_ENV_VARS and k != FD_VAR}


def isolate() -> None:
    """Run first in every entry point: keys out of the environment, memory unreadable."""
    global _isolated
    if _isolated:
        return
    _isolated = True
    if FD_VAR in os.environ:
        _receive(os.environ.pop(FD_VAR))
    else:
        present = {k: os.environ[k] for k in SECRET_ENV_VARS if os.environ.get(k)}
        if present:
            _reexec(present)  # returns only when the exec is impossible
            _secrets.update(present)  # fallback: at least children will not inherit them
            for name in present:
                os.environ.pop(name, None)
    _undumpable()


def _reexec(secrets: dict[str, str]) -> None:
    payload = json.dumps(secrets).encode("utf-8")
    argv = list(getattr(sys, "orig_argv", []) or [])
    if os.name != "posix" or not argv or not sys.executable or len(payload) > _MAX_PAYLOAD:
        return
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return
    try:
        if read_fd < 3:  # stdio was closed: keep the pipe off the LSP's descriptors
            import fcntl

            moved = fcntl.fcntl(read_fd, fcntl.F_DUPFD, 3)
            os.close(read_fd)
            read_fd = moved
        os.write(write_fd, payload)
        os.close(write_fd)
        write_fd = -1
        os.set_inheritable(read_fd, True)
        env = {k: v for k, v in os.environ.items() if k not in secrets}
        env[FD_VAR] = str(read_fd)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os.execve(sys.executable, [sys.executable, *argv[1:]], env)
    except OSError:
        pass
    if write_fd >= 0:
        os.close(write_fd)
    with contextlib.suppress(OSError):
        os.close(read_fd)


def _receive(fd_text: str) -> None:
    try:
        fd = int(fd_text)
    except ValueError:
        return
    chunks: list[bytes] = []
    try:
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    except OSError:
        return
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    try:
        data = json.loads(b"".join(chunks) or b"{}")
    except ValueError:
        return
    if isinstance(data, dict):
        _secrets.update({k: v for k, v in data.items()
                         if k in SECRET_ENV_VARS and isinstance(v, str)})


def _undumpable() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass
