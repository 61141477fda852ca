"""Every process a command started, found again at stop time, even those that left its group.

A command's process group is not its tree: `setsid`, a double-forking daemon or a shell
that enables job control leaves the group, and `killpg` misses it. On Linux a command's
tree is therefore found from three facts, joined until nothing new turns up:

- its process group (what `killpg` reaches, also where `/proc` is missing);
- a marker in its environment (`TETHER_COMMAND=<token>`), which every child inherits
  through `setsid`, double forks and re-parenting;
- the parent links in `/proc/<pid>/stat`, for children that cleared their environment
  while their parent was still known.

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
from pathlib import Path

log = logging.getLogger(__name__)

MARK_VAR = "TETHER_COMMAND"
_PROC = Path("/proc")
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
    return (_PROC / "self" / "stat").exists()


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


@dataclass(frozen=True)
class _Stat:
    pid: int
    state: str
    ppid: int
    pgid: int


def _read_stat(pid: int) -> _Stat | None:
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except (OSError, ValueError):
        return None
    fields = text[text.rfind(")") + 2 :].split()
    try:
        return _Stat(pid, fields[0], int(fields[1]), int(fields[2]))
    except (IndexError, ValueError):
        return None


def _scan() -> dict[int, _Stat]:
    stats: dict[int, _Stat] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir(_PROC):
            if entry.name.isdigit():
                stat = _read_stat(int(entry.name))
                if stat is not None:
                    stats[stat.pid] = stat
    return stats


def _marked(pid: int, mark: bytes) -> bool:
    try:
        environ = (_PROC / str(pid) / "environ").read_bytes()
    except OSError:  # gone, or not ours to read
        return False
    return mark in environ.split(b"\0")


def members(tree: Tree) -> dict[int, _Stat]:
    """Every process of `tree` now, zombies included (their parents reap or re-parent)."""
    stats = _scan()
    me = os.getpid()
    found = {pid: stat for pid, stat in stats.items() if stat.pgid == tree.shell}
    for pid, stat in stats.items():  # ppid 2: kernel threads, skipped
        if (pid not in found and pid != me and stat.state not in "ZX" and stat.ppid != 2
                and _marked(pid, tree.mark)):
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


def signal_tree(tree: Tree, sig: signal.Signals) -> int:
    """Send `sig` to every live process of the tree; how many were still alive.

    Without /proc only the process group is reached.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(tree.shell, sig)
    if not has_proc():
        try:
            os.killpg(tree.shell, 0)
        except (ProcessLookupError, PermissionError):
            return 0
        return 1
    alive = [pid for pid, stat in members(tree).items() if stat.state not in "ZX"]
    for pid in alive:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
    return len(alive)


def tree_alive(tree: Tree) -> bool:
    if not has_proc():
        try:
            os.killpg(tree.shell, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    return any(stat.state not in "ZX" for stat in members(tree).values())


def reap_orphans() -> int:
    """Reap zombies that were re-parented to us; how many. Asyncio's shells are skipped."""
    if not has_proc():
        return 0
    me = os.getpid()
    reaped = 0
    with _children_lock:  # no shell starts while we look: its zombie would look orphaned
        if _spawning:
            return 0
        for pid, stat in _scan().items():
            if stat.state == "Z" and stat.ppid == me and pid not in _live_children:
                with contextlib.suppress(ChildProcessError):
                    done, _ = os.waitpid(pid, os.WNOHANG)
                    reaped += done == pid
    return reaped


def settled(tree: Tree) -> bool:
    """Reap what we inherited; True once no process of the tree is left, not even a zombie.

    The shell itself is left to asyncio (it is reaped by its child watcher).
    """
    reap_orphans()
    if not has_proc():
        return True
    return not [pid for pid in members(tree) if pid != tree.shell]
