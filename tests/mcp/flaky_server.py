"""A tiny stdio MCP server (the official SDK's FastMCP) whose tools misbehave on purpose.

`crash` kills the process mid-call, `hang` never answers, `echo` works: the tests use it
to see a crash become a tool error and a restart, and a hang become a tool_timeout error.
"""

from __future__ import annotations

import asyncio
import os
import sys

from mcp.server.fastmcp import FastMCP

server = FastMCP("flaky")


@server.tool()
def echo(text: str) -> str:
    """Answer with the text and this process's pid."""
    return f"flaky says {text} (pid {os.getpid()})"


@server.tool()
def crash() -> str:
    """Exit the process in the middle of the call."""
    print("flaky: crashing on purpose", file=sys.stderr, flush=True)
    os._exit(3)


@server.tool()
async def hang() -> str:
    """Never answer."""
    await asyncio.sleep(3600)
    return "unreachable"


if __name__ == "__main__":
    server.run("stdio")
