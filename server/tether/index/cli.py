"""`tether index DIR` and `tether search DIR QUERY`: the index from a terminal.

`search` answers files first (best file first, each with its best lines): a terminal
user asks "where", as the agent does.

Both build (or warm-refresh) the persisted index of DIR first, so a second run only
re-reads what changed. Results go to stdout, problems to stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tether.errors import IndexingError

if TYPE_CHECKING:  # imported when a command runs: `tether --help` stays cheap
    from tether.index.hits import FileHit
    from tether.index.progress import IndexStats
    from tether.workspace.folder import WorkspaceFolder


def add_index_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `index` and `search` to the `tether` CLI; each sets `func(args) -> exit code`."""
    index = subparsers.add_parser("index", help="Build or refresh the workspace index of DIR.")
    index.add_argument("dir", metavar="DIR", help="Workspace folder.")
    index.add_argument("--json", action="store_true", help="Print one JSON object.")
    index.set_defaults(func=run_index)

    search = subparsers.add_parser("search", help="Ranked search in the index of DIR.")
    search.add_argument("dir", metavar="DIR", help="Workspace folder.")
    search.add_argument("query", metavar="QUERY", help="Words, identifiers or a path.")
    search.add_argument("--limit", type=int, default=20, help="Maximum results (default 20).")
    search.add_argument("--json", action="store_true",
                        help="Print a JSON array of files, best first, each with its best lines.")
    search.set_defaults(func=run_search_command)


def _folder(raw: str) -> WorkspaceFolder | None:
    from tether.workspace.folder import WorkspaceFolder

    path = Path(raw).expanduser()
    if not path.is_dir():
        print(f"tether: {raw} is not a directory", file=sys.stderr)
        return None
    return WorkspaceFolder.at(path)


def run_index(args: argparse.Namespace) -> int:
    folder = _folder(args.dir)
    if folder is None:
        return 2
    try:
        stats = asyncio.run(_build_only(folder))
    except IndexingError as exc:
        print(f"tether: {exc.message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"files": stats.files, "symbols": stats.symbols,
                          "skipped": stats.skipped, "seconds": stats.seconds}))
    else:
        print(f"files: {stats.files}")
        print(f"symbols: {stats.symbols}")
        from tether.index.progress import counts_line

        print(f"skipped: {counts_line(stats.skipped)}")
        print(f"seconds: {stats.seconds:.2f}")
    return 0


def run_search_command(args: argparse.Namespace) -> int:
    folder = _folder(args.dir)
    if folder is None:
        return 2
    if args.limit < 1:
        print("tether: --limit must be at least 1", file=sys.stderr)
        return 2
    try:
        hits = asyncio.run(_build_and_search(folder, args.query, args.limit))
    except IndexingError as exc:
        print(f"tether: {exc.message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([hit.to_dict() for hit in hits]))
    else:
        for hit in hits:
            print(hit.path)
            for line in hit.lines:
                symbol = f" [{line.symbol}]" if line.symbol else ""
                print(f"  {line.line + 1}:{symbol} {line.preview}".rstrip())
    return 0


async def _build_only(folder: WorkspaceFolder) -> IndexStats:
    from tether.index.workspace_index import WorkspaceIndex

    index = WorkspaceIndex(folder)
    try:
        return await index.build()
    finally:
        await index.aclose()


async def _build_and_search(folder: WorkspaceFolder, query: str, limit: int) -> list[FileHit]:
    from tether.index.workspace_index import WorkspaceIndex

    index = WorkspaceIndex(folder)
    try:
        await index.build()
        await index.history_ready()
        return await index.search_files(query, limit)
    finally:
        await index.aclose()
