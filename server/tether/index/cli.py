"""`tether index DIR` and `tether search DIR QUERY`: the index from a terminal.

Both build (or warm-refresh) the persisted index of DIR first, so a second run only
re-reads what changed. Results go to stdout, problems to stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from tether.errors import IndexingError
from tether.index.progress import IndexStats, counts_line
from tether.index.workspace_index import WorkspaceIndex
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
    search.add_argument("--json", action="store_true", help="Print a JSON array, best first.")
    search.set_defaults(func=run_search_command)


def _folder(raw: str) -> WorkspaceFolder | None:
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
        keys = ("path", "score", "line", "symbol")
        print(json.dumps([{k: h[k] for k in keys if k in h} for h in hits]))
    else:
        for hit in hits:
            where = f"{hit['path']}:{hit['line'] + 1}" if "line" in hit else hit["path"]
            symbol = f" [{hit['symbol']}]" if "symbol" in hit else ""
            print(f"{where}{symbol}  {hit.get('preview', '')}".rstrip())
    return 0


async def _build_only(folder: WorkspaceFolder) -> IndexStats:
    index = WorkspaceIndex(folder)
    try:
        return await index.build()
    finally:
        await index.aclose()


async def _build_and_search(folder: WorkspaceFolder, query: str, limit: int) -> list[Any]:
    index = WorkspaceIndex(folder)
    try:
        await index.build()
        return await index.search(query, limit)
    finally:
        await index.aclose()
