"""Every process a command started, found again at stop time, even those that left its group.

A command's process group is not its tree: `setsid`, a double-forking daemon or a shell
that enables job control leaves the group, and `killpg` misses it. On Linux a command's
tree is therefore found from three facts, joined until nothing new turns up:

- its process group (what `killpg` reaches, also where `/proc` is missing);
- a marker in its environment (`TETHER_COMMAND=<token>`), which every child inherits
  through `setsid`, double forks and re-parenting;
- the parent links in `/proc/<pid>/stat`, for children that cleared their environment
  while their parent was still known.

Only processes started after the command's shell are read for the marker (their start
time is in the same `stat` line), which keeps a scan cheap and pid reuse harmless. What
still escapes: a process that empties its environment (`env -i`), leaves the group and
whose parent is gone by the time of the stop. It is re-parented to the server all the
same (below), and reaped by the sweep after the next command once it has died.

The server also becomes a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER)`), so orphans
of a command are re-parented to it instead of to init: they stay in its tree, and when
they die the server reaps them. Reaping is by pid (`waitpid(pid, WNOHANG)`), never
`waitpid(-1)`, and never a pid of a shell asyncio is still waiting for, so asyncio's
child watcher keeps every exit status it expects. This relies on run_command being the
only code in the server that starts processes (true today); a second one must announce
its children with `spawn_started` / `spawn_finished` / `child_exited` as well.

Why not a cgroup: cgroup v2 is writable for an unprivileged editor process only where a
delegated subtree exists (systemd user sessions, not containers or most CI); the marker
and the subreaper work for every Linux user. Elsewhere (macOS, BSD) only the group is
signalled.

The scans read `/proc` and take milliseconds; they run on one dedicated thread so the
event loop stays free and a default pool full of blocked reads cannot delay a cancel.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

log = logging.getLogger(__name__)

MARK_VAR = "TETHER_COMMAND"
_HAS_PROC = os.path.exists("/proc/self/stat")
_PR_SET_CHILD_SUBREAPER = 36
_children_lock = threading.Lock()
_live_children: set[int] = set()  # shells asyncio still waits for: never reaped here
_spawning = 0  # starts in progress: a fresh child may be a zombie before we know its pid
_scanner: ThreadPoolExecutor | None = None
_subreaper: bool | None = None


def scanner() -> ThreadPoolExecutor:
    """The one thread that reads /proc and sends signals for every command."""
    global _scanner
    if _scanner is None:
        _scanner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tether-proctree")
    return _scanner


def has_proc() -> bool:
    return _HAS_PROC


def become_subreaper() -> bool:
    """Make this process the subreaper of its descendants (Linux, once); True when it is."""
    global _subreaper
    if _subreaper is None:
        _subreaper = sys.platform.startswith("linux") and _prctl_subreaper()
    return _subreaper


def _prctl_subreaper() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_CHILD_SUBREAPER) failed: errno %d", ctypes.get_errno())
            return False
    except (OSError, AttributeError) as exc:
        log.warning("cannot become a child subreaper: %s", exc)
        return False
    return True


def spawn_started() -> None:
    """A shell is being started: hold off reaping until its pid is known."""
    global _spawning
    with _children_lock:
        _spawning += 1


def spawn_finished(pid: int | None) -> None:
    """The start ended; `pid` is the shell asyncio now waits for (None: it failed)."""
    global _spawning
    with _children_lock:
        _spawning -= 1
        if pid is not None:
            _live_children.add(pid)


def child_exited(pid: int) -> None:
    """Asyncio reaped the shell `pid`."""
    with _children_lock:
        _live_children.discard(pid)


@dataclass(frozen=True)
class Tree:
    """What identifies one command's processes."""

    shell: int  # the shell's pid, also its process group (start_new_session)
    mark: bytes  # b"TETHER_COMMAND=<token>"
    born: int = 0  # the shell's start time (clock ticks): older processes are not ours


@dataclass(frozen=True)
class _Stat:
    pid: int
    state: str
    ppid: int
    pgid: int
    born: int


def _read(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 1 << 16)
    finally:
        os.close(fd)


def _read_stat(pid: int) -> _Stat | None:
    try:
        raw = _read(f"/proc/{pid}/stat")
    except OSError:
        return None
    fields = raw[raw.rfind(b")") + 2 :].split()
    try:  # state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
        # stime cutime cstime priority nice num_threads itrealvalue starttime
        return _Stat(pid, fields[0].decode(), int(fields[1]), int(fields[2]), int(fields[19]))
    except (IndexError, ValueError):
        return None


def start_time(pid: int) -> int:
    """When `pid` started (clock ticks since boot); 0 when unknown."""
    stat = _read_stat(pid) if has_proc() else None
    return stat.born if stat is not None else 0


def _scan() -> dict[int, _Stat]:
    stats: dict[int, _Stat] = {}
    with contextlib.suppress(OSError):
        for name in os.listdir("/proc"):
            if name.isdigit():
                stat = _read_stat(int(name))
                if stat is not None:
                    stats[stat.pid] = stat
    return stats


def _marked(pid: int, mark: bytes) -> bool:
    try:
        environ = _read(f"/proc/{pid}/environ")
    except OSError:  # gone, or not ours to read
        return False
    return mark in environ.split(b"\0")


def members(tree: Tree) -> dict[int, _Stat]:
    """Every process of `tree` now, zombies included (their parents reap or re-parent)."""
    stats = _scan()
    me = os.getpid()
    found = {pid: stat for pid, stat in stats.items() if stat.pgid == tree.shell}
    for pid, stat in stats.items():  # older than the shell, or a kernel thread: not ours
        if (pid not in found and pid != me and stat.born >= tree.born and stat.ppid != 2
                and stat.state not in "ZX" and _marked(pid, tree.mark)):
            found[pid] = stat
    children: dict[int, list[_Stat]] = {}
    for stat in stats.values():
        children.setdefault(stat.ppid, []).append(stat)
    stack = list(found)
    while stack:
        for child in children.get(stack.pop(), []):
            if child.pid not in found and child.pid != me:
                found[child.pid] = child
                stack.append(child.pid)
    return found


def _group_alive(tree: Tree) -> bool:
    try:
        os.killpg(tree.shell, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def signal_tree(tree: Tree, sig: signal.Signals) -> set[int]:
    """Send `sig` to every live process of the tree; the pids that were still alive.

    Without /proc only the process group is reached (and the shell stands for it).
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(tree.shell, sig)
    if not has_proc():
        return {tree.shell} if _group_alive(tree) else set()
    alive = {pid for pid, stat in members(tree).items() if stat.state not in "ZX"}
    for pid in alive:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
    return alive


def signal_pids(pids: set[int], sig: signal.Signals) -> set[int]:
    """Send `sig` to the pids among `pids` still alive (no scan); those pids."""
    alive = set()
    for pid in pids:
        stat = _read_stat(pid) if has_proc() else None
        if stat is None or stat.state in "ZX":
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
            alive.add(pid)
    return alive


def any_alive(tree: Tree, pids: set[int]) -> bool:
    """Whether one of `pids` (or, without /proc, the group) still runs; no scan."""
    if not has_proc():
        return _group_alive(tree)
    for pid in pids:
        stat = _read_stat(pid)
        if stat is not None and stat.state not in "ZX":
            return True
    return False


def reap_known(tree: Tree, pids: set[int]) -> bool:
    """Reap those of `pids` that died as our children; True once none is left at all.

    Safe by construction: `pids` are members of the tree, never the shell (asyncio's).
    """
    if not has_proc():
        return True
    left = False
    for pid in pids - {tree.shell}:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if _read_stat(pid) is not None:
            left = True
    return not left


def reap_orphans() -> int:
    """Reap zombies that were re-parented to us; how many. Asyncio's shells are skipped.

    Catches what no scan saw alive: the short-lived middle process of a double fork.
    """
    if not has_proc():
        return 0
    me = os.getpid()
    reaped = 0
    zombies = [pid for pid, stat in _scan().items() if stat.state == "Z" and stat.ppid == me]
    for pid in zombies:
        with _children_lock:  # a shell being started may be a zombie before its pid is known
            if _spawning or pid in _live_children:
                continue
            with contextlib.suppress(ChildProcessError):
                done, _ = os.waitpid(pid, os.WNOHANG)
                reaped += done == pid
    return reaped
