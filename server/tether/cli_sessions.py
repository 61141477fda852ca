"""`tether sessions` search, archive, unarchive, fork and import-codex.

Kept beside `cli.py` (which wires them in) so the history commands are one module.
Output follows the CLI contract: a line per result, `--json` for machines.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `tether --help` builds the parser: it must not load the engine
    from tether.session.manager import SessionManager

ACTIONS = ("search", "archive", "unarchive", "fork", "import-codex")


def add_history_commands(ssub: argparse._SubParsersAction,  # type: ignore[type-arg]
                         workspace_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    search = ssub.add_parser("search", help="full-text search over the workspace's sessions")
    workspace_arg(search)
    search.add_argument("query", nargs="+", help="words that must all appear")
    search.add_argument("--limit", type=int, default=20)
    search.add_argument("--archived", action="store_true", help="search archived ones too")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    for name, helptext in (("archive", "hide a session from the list (kept on disk)"),
                           ("unarchive", "show an archived session in the list again"),
                           ("fork", "copy a session (up to a message) into a new one")):
        p = ssub.add_parser(name, help=helptext)
        workspace_arg(p)
        p.add_argument("session_id", metavar="ID")
        p.add_argument("--json", action="store_true", help="machine-readable output")
        if name == "fork":
            p.add_argument("--message", metavar="MESSAGE_ID",
                           help="copy up to and including this message (default: all)")
    codex = ssub.add_parser("import-codex", help="import Codex CLI sessions (rollouts)")
    codex.add_argument("path", nargs="?", type=Path, default=None,
                       help="a rollout file or folder (default: ~/.codex/sessions)")
    codex.add_argument("--workspace", "-w", type=Path, default=None,
                       help="only rollouts of this folder (default: each into its own cwd)")
    codex.add_argument("--json", action="store_true", help="machine-readable output")


async def run(args: argparse.Namespace, manager: SessionManager) -> int:
    if args.action == "search":
        result = await manager.search(" ".join(args.query), args.limit, args.archived)
        if args.json:
            print(json.dumps([h.to_wire() for h in result.hits], ensure_ascii=False))
        else:
            for hit in result.hits:
                print(f"{hit.session_id}  {hit.title or '(untitled)'}\n    {hit.snippet}")
        return 0
    if args.action in ("archive", "unarchive"):
        archived = args.action == "archive"
        await manager.archive(args.session_id, archived)
        _say(args, {"sessionId": args.session_id, "archived": archived},
             f"{args.action}d {args.session_id}")
        return 0
    if args.action == "fork":
        info = await manager.fork(args.session_id, args.message)
        _say(args, {"sessionId": info.id, "forkedFrom": args.session_id},
             f"forked {args.session_id} into {info.id}")
        return 0
    raise ValueError(f"not a history action: {args.action}")


def import_codex(args: argparse.Namespace) -> int:
    """Into the given workspace only, or each rollout into the folder it ran in."""
    from tether.store import open_store
    from tether.store.codex import ImportReport, find_rollouts, import_rollouts, read_rollout
    from tether.workspace.folder import WorkspaceFolder

    rollouts = find_rollouts(args.path.expanduser() if args.path else None)
    report = ImportReport()
    by_root: dict[Path, list[Path]] = {}
    if args.workspace is not None:
        folder = WorkspaceFolder.at(args.workspace)
        by_root[folder.root] = rollouts
    else:
        for path in rollouts:
            try:
                cwd = read_rollout(path).cwd
            except OSError as exc:
                report.problems.append(f"{path}: {exc.strerror or exc}")
                continue
            if not cwd or not Path(cwd).is_dir():
                report.skipped += 1
                report.problems.append(f"{path}: its folder {cwd or '(none)'} does not exist")
                continue
            by_root.setdefault(WorkspaceFolder.at(Path(cwd)).root, []).append(path)
    for root, paths in by_root.items():
        folder = WorkspaceFolder.at(root)
        done = import_rollouts(open_store(folder), folder.root, paths)
        report.imported.extend(done.imported)
        report.skipped += done.skipped
        report.problems.extend(p for p in done.problems if p not in report.problems)
    if args.json:
        print(json.dumps({"imported": report.imported, "skipped": report.skipped,
                          "problems": report.problems}))
    else:
        print(f"imported {len(report.imported)} session(s), skipped {report.skipped}")
        for problem in report.problems:
            print(f"tether: {problem}", file=sys.stderr)
    return 0


def _say(args: argparse.Namespace, data: dict[str, object], line: str) -> None:
    print(json.dumps(data) if args.json else line)
