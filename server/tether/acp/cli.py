"""`tether acp`: Tether as an Agent Client Protocol agent on stdin/stdout.

Zed, CodeCompanion.nvim, avante.nvim and other ACP clients start it as a subprocess and
speak newline-delimited JSON-RPC (ACP version 1). Stdout is the protocol channel: the
log goes to stderr or `--log-file`.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import cast

from tether.redaction import log_to


def add_acp_command(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    acp = subparsers.add_parser("acp", help="run as an ACP agent on stdio (Zed, CodeCompanion)")
    acp.add_argument("--log-file", type=Path, help="write the log here (default stderr)")
    acp.add_argument("--log-level", default="WARNING",
                     choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="log level")
    acp.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    log_to(args.log_level, args.log_file)
    asyncio.run(serve())
    return 0


async def serve() -> None:
    """Answer one client until it closes stdin; then stop every turn and MCP server."""
    from acp import Agent, run_agent
    from tether.acp.agent import TetherAcpAgent

    agent = TetherAcpAgent()
    try:
        # The SDK routes each method to the agent's attribute of that name and answers
        # method-not-found for those it lacks (modes, fork, resume: Tether has none), so
        # the agent does not implement the SDK's full Protocol.
        await run_agent(cast(Agent, agent))
    finally:
        await agent.aclose()
