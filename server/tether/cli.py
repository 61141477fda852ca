"""The `tether` command: chat from a terminal, manage history, serve editors, index.

Output contract (other parts and checks rely on it): `chat` streams the answer to stdout
and tool activity to stderr; `--json` prints one event per line on stdout instead.
Exit codes: 0 completed, 1 failed, 2 bad usage, 3 step limit, 130 cancelled.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tether import __version__
from tether.cli_text import StreamedText
from tether.errors import TetherError
from tether.redaction import install_log_redaction
from tether.secret_env import isolate

# Each command imports what it uses, when it runs: `tether --help` must not pay for the
# providers, the protocol models or tree-sitter (benchmarks/bench_startup.py).
if TYPE_CHECKING:
    import asyncio

    from tether.index import WorkspaceIndex
    from tether.protocol.events import EventBase, SessionEvent
    from tether.session.manager import SessionManager
    from tether.settings import Settings
    from tether.workspace.disk_bridge import DiskBridge

TITLE_GRACE_SECONDS = 15.0  # the first turn's title is written before the command exits
EXIT_CODES = {"completed": 0, "failed": 1, "step_limit": 3, "cancelled": 130}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tether", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"tether {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = sub.add_parser("chat", help="send one prompt and stream the answer")
    _workspace_arg(chat)
    which = chat.add_mutually_exclusive_group()
    which.add_argument("--session", metavar="ID", help="continue this session")
    which.add_argument("--resume", action="store_true", help="continue the newest session")
    chat.add_argument("--provider", help="openai | anthropic | ollama | replay:FILE")
    chat.add_argument("--model", help="model name at the provider")
    chat.add_argument("--yes", action="store_true", help="allow every tool call without asking")
    chat.add_argument("--json", action="store_true", help="print events as JSON lines")
    chat.add_argument("prompt", nargs="+", help="the message ('-' reads standard input)")
    chat.set_defaults(func=_run_chat)

    sessions = sub.add_parser("sessions", help="list, show, delete, rename, export sessions")
    ssub = sessions.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, helptext in (("list", "sessions of the workspace, newest first"),
                           ("show", "print a session's transcript"),
                           ("delete", "delete a session"),
                           ("rename", "rename a session"),
                           ("export", "export a session as markdown or JSON")):
        p = ssub.add_parser(name, help=helptext)
        _workspace_arg(p)
        p.add_argument("--json", action="store_true", help="machine-readable output")
        if name != "list":
            p.add_argument("session_id", metavar="ID")
        if name == "list":
            p.add_argument("--limit", type=int, default=50)
            p.add_argument("--query", help="filter on title")
            p.add_argument("--archived", action="store_true", help="list archived ones too")
        if name == "show":
            p.add_argument("--tail", type=int, default=None, help="only the last N messages")
        if name == "rename":
            p.add_argument("title")
        if name == "export":
            p.add_argument("--format", choices=("markdown", "json"), default="markdown")
    from tether import cli_sessions

    cli_sessions.add_history_commands(ssub, _workspace_arg)
    sessions.set_defaults(func=_run_sessions)

    from tether.acp.cli import add_acp_command
    from tether.index import add_index_commands
    from tether.lsp.cli import add_serve_command

    add_serve_command(sub)
    add_acp_command(sub)
    add_index_commands(sub)
    return parser


def _workspace_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", "-w", type=Path, default=Path.cwd(),
                        help="workspace folder (default: current directory)")


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # run as the program (an old `tether` script imports us directly)
        isolate()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    try:
        return int(args.func(args))
    except TetherError as exc:
        print(f"tether: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


# -- chat ------------------------------------------------------------------------------


def _chat_settings(args: argparse.Namespace) -> Settings:
    from tether.settings import load_settings

    overrides: dict[str, Any] = {}
    if args.provider:
        overrides["provider"] = args.provider
    if args.model:
        overrides["model"] = args.model
    if args.yes:
        overrides["auto_approve"] = True
    settings = load_settings(overrides)
    if args.provider and args.provider.startswith("replay") and not args.model:
        settings = settings.model_copy(update={"model": ""})
    return settings


def _manager(args: argparse.Namespace, settings: Settings, bridge: DiskBridge,
             index: WorkspaceIndex | None = None) -> SessionManager:
    from tether.session.manager import SessionManager
    from tether.store import open_store

    folder = _folder(args)
    return SessionManager(folder, store=open_store(folder), settings=settings, bridge=bridge,
                          index=index)


def _folder(args: argparse.Namespace) -> Any:
    from tether.workspace.folder import WorkspaceFolder

    folder = WorkspaceFolder.at(args.workspace)
    if not folder.root.is_dir():
        raise TetherError(f"workspace folder {args.workspace} does not exist")
    return folder


def _start_index(
    args: argparse.Namespace,
) -> tuple[WorkspaceIndex | None, asyncio.Task[Any] | None]:
    """The workspace index, opened from its cache and refreshed in the background.

    The turn never waits for the build: index tools and the repo map answer from what is
    committed (the cache of an earlier run at once), as in the editor.
    """
    import asyncio

    from tether.index import WorkspaceIndex

    index = WorkspaceIndex(_folder(args))
    build = asyncio.get_running_loop().create_task(index.build())
    build.add_done_callback(_build_done)
    return index, build


def _build_done(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logging.getLogger(__name__).warning("workspace index: %s", task.exception())


async def _stop_index(index: WorkspaceIndex | None, build: asyncio.Task[Any] | None) -> None:
    import asyncio

    if build is not None:
        build.cancel()
        with suppress(asyncio.CancelledError, Exception):
            await build
    if index is not None:
        await index.aclose()


def _run_chat(args: argparse.Namespace) -> int:
    text = " ".join(args.prompt)
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        print("tether: the prompt is empty", file=sys.stderr)
        return 2
    import asyncio

    return asyncio.run(_chat(args, text))


async def _chat(args: argparse.Namespace, text: str) -> int:
    from tether.workspace.disk_bridge import DiskBridge

    settings = _chat_settings(args)
    index, build = _start_index(args)
    try:
        manager = _manager(args, settings, DiskBridge(auto_approve=settings.auto_approve), index)
    except BaseException:
        await _stop_index(index, build)
        raise
    printer = JsonPrinter() if args.json else TerminalPrinter()
    manager.subscribe(printer)
    try:
        session_id = await _pick_session(manager, args)
        import asyncio

        loop = asyncio.get_running_loop()
        with _cancel_on_sigint(loop, manager, session_id):
            result = await manager.prompt(session_id, text)
        printer.finish(result.status, result.reason, session_id)
        return EXIT_CODES[result.status]
    finally:
        await manager.aclose(grace=TITLE_GRACE_SECONDS)
        await _stop_index(index, build)


async def _pick_session(manager: SessionManager, args: argparse.Namespace) -> str:
    if args.session:
        if not manager.has_session(args.session):
            raise TetherError(f"no session {args.session} in {manager.folder.root}")
        return str(args.session)
    if args.resume:
        page = await manager.list(limit=1)
        if page.sessions:
            return page.sessions[0].id
    return (await manager.create()).id


class _cancel_on_sigint:
    """First Ctrl-C cancels the turn (it ends cleanly); a second one exits at once."""

    def __init__(self, loop: asyncio.AbstractEventLoop, manager: SessionManager,
                 session_id: str) -> None:
        self.loop, self.manager, self.session_id = loop, manager, session_id
        self.pressed = False
        self.task: asyncio.Task[bool] | None = None

    def _handler(self) -> None:
        if self.pressed:
            os._exit(130)
        self.pressed = True
        print("\ntether: cancelling (Ctrl-C again to quit)", file=sys.stderr)
        self.task = self.loop.create_task(self.manager.cancel(self.session_id))

    def __enter__(self) -> None:
        with suppress(NotImplementedError, RuntimeError):
            self.loop.add_signal_handler(signal.SIGINT, self._handler)

    def __exit__(self, *exc: object) -> None:
        with suppress(NotImplementedError, RuntimeError):
            self.loop.remove_signal_handler(signal.SIGINT)


class TerminalPrinter:
    """Answer text to stdout as it streams; tool activity and problems to stderr."""

    def __init__(self) -> None:
        self.wrote_text = False
        self.text = StreamedText()

    def __call__(self, event: SessionEvent) -> None:
        from tether.protocol.events import (
            ErrorEvent,
            FileEdited,
            PermissionRequested,
            StreamRetry,
            TextDelta,
            ToolCallCompleted,
            ToolCallStarted,
            ToolOutputChunk,
        )

        if isinstance(event, TextDelta):
            sys.stdout.write(self.text.feed(event.message_id, event.text))
            sys.stdout.flush()
            self.wrote_text = True
            if self.text.diverged:
                self.text.diverged = False
                _err("… the retried answer differs from the interrupted one; it follows in full")
        elif isinstance(event, ToolCallStarted):
            args = json.dumps(event.arguments, ensure_ascii=False)
            _err(f"▸ {event.name} {args[:160]}")
        elif isinstance(event, ToolOutputChunk):
            sys.stderr.write(event.text)
        elif isinstance(event, ToolCallCompleted):
            mark = "✓" if event.success else "✗"
            detail = ""
            if not event.success and event.output.strip():
                detail = ": " + event.output.strip().splitlines()[0][:200]
            _err(f"{mark} {event.name} ({event.duration_ms} ms){detail}")
        elif isinstance(event, FileEdited):
            _err(event.diff if event.applied else f"edit not applied: {event.message}")
        elif isinstance(event, PermissionRequested):
            _err(f"? permission for {event.tool}: {event.description}")
        elif isinstance(event, StreamRetry):
            self.text.retry(event.discard_message_id)
            _err(f"… retrying ({event.reason})")
        elif isinstance(event, ErrorEvent):
            _err(f"tether: {event.message}")

    def finish(self, status: str, reason: str, session_id: str) -> None:
        if self.wrote_text:
            sys.stdout.write("\n")
            sys.stdout.flush()
        if status != "completed":
            _err(f"turn {status}: {reason}")
        _err(f"session {session_id}")


class JsonPrinter:
    def __call__(self, event: EventBase) -> None:
        sys.stdout.write(json.dumps(event.to_wire(), ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def finish(self, status: str, reason: str, session_id: str) -> None:
        pass


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


# -- sessions --------------------------------------------------------------------------


def _run_sessions(args: argparse.Namespace) -> int:
    if args.action == "list":
        return _list_sessions(args)
    from tether import cli_sessions

    if args.action == "import-codex":
        return cli_sessions.import_codex(args)
    import asyncio

    return asyncio.run(_sessions(args))


def _list_sessions(args: argparse.Namespace) -> int:
    """The store alone: no event loop, settings, providers or session machinery."""
    from tether.store import open_store

    sessions, _cursor = open_store(_folder(args)).list(limit=args.limit, query=args.query,
                                                       include_archived=args.archived)
    if args.json:
        print(json.dumps([s.to_wire() for s in sessions], ensure_ascii=False))
    else:
        for s in sessions:
            print(f"{s.id}  {_ago(s.updated_at)}  {s.message_count:>4} msgs  "
                  f"{s.title or '(untitled)'}")
    return 0


async def _sessions(args: argparse.Namespace) -> int:
    from tether import cli_sessions
    from tether.settings import load_settings
    from tether.workspace.disk_bridge import DiskBridge

    manager = _manager(args, load_settings(), DiskBridge())
    action = args.action
    if action in cli_sessions.ACTIONS:
        return await cli_sessions.run(args, manager)
    if action == "show":
        loaded = await manager.load(args.session_id, tail=args.tail)
        if args.json:
            print(json.dumps(loaded.to_wire(), ensure_ascii=False))
        else:
            print(await manager.export(args.session_id, "markdown"))
    elif action == "delete":
        await manager.delete(args.session_id)
        _report(args, {"deleted": args.session_id}, f"deleted {args.session_id}")
    elif action == "rename":
        title = await manager.rename(args.session_id, args.title)
        _report(args, {"renamed": args.session_id, "title": title},
                f"renamed {args.session_id}: {title}")
    elif action == "export":
        print(await manager.export(args.session_id, args.format))
    return 0


def _report(args: argparse.Namespace, data: dict[str, Any], line: str) -> None:
    print(json.dumps(data) if args.json else line)


def _ago(when: datetime) -> str:
    seconds = int((datetime.now(UTC) - when).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size:>3}{unit} ago"
    return "  just now"
