"""A stdio server's whole tree stops with it (what it started too, found by proctree)."""

from __future__ import annotations

import asyncio
import shlex
import sys
from pathlib import Path

from tether.mcp.config import McpServerSpec
from tether.mcp.connection import McpServer

FLAKY = Path(__file__).resolve().parents[2] / "mcp" / "flaky_server.py"


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


async def test_aclose_stops_what_the_server_started(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    # a grandchild that ignores stdin EOF and would outlive a plain stdin close
    script = (f"sleep 300 & echo $! > {shlex.quote(str(pidfile))}; "
              f"exec {shlex.quote(sys.executable)} {shlex.quote(str(FLAKY))}")
    server = McpServer(McpServerSpec(name="tree", command="sh", args=("-c", script)), tmp_path)
    await server.ensure_started()
    assert {t.name for t in server.tools} == {"echo", "crash", "hang"}
    child = int(pidfile.read_text())
    assert _alive(child)
    await server.aclose()
    assert server.state == "stopped"
    for _ in range(200):  # the stop signalled it; give the kernel a moment to reap
        if not _alive(child):
            break
        await asyncio.sleep(0.05)
    assert not _alive(child)

