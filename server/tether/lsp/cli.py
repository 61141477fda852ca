"""`tether serve`: the language server on stdio (default), TCP or WebSocket."""

from __future__ import annotations

import argparse
import gc
import logging
from pathlib import Path

from tether.redaction import log_to

log = logging.getLogger(__name__)


def _host_port(value: str) -> tuple[str, int]:
    """HOST:PORT, :PORT or PORT (host 127.0.0.1: other hosts only when named); [v6]:PORT."""
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = "", value
    if not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, :PORT or PORT, got {value!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host or "127.0.0.1", int(port)


def add_serve_command(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = subparsers.add_parser("serve", help="run the language server (stdio by default)")
    where = serve.add_mutually_exclusive_group()
    where.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (default)")
    where.add_argument("--tcp", type=_host_port, metavar="[HOST:]PORT",
                       help="listen on TCP (127.0.0.1 unless a host is given; token required)")
    where.add_argument("--ws", type=_host_port, metavar="[HOST:]PORT",
                       help="listen on WebSocket (127.0.0.1 unless a host is given; token "
                            "required)")
    serve.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                       help="--ws: accept upgrades with this Origin header (repeatable; "
                            "requests with any other Origin get 403)")
    serve.add_argument("--log-file", type=Path, help="write the server log here (default stderr)")
    serve.add_argument("--log-level", default="WARNING",
                       choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="server log level")
    serve.set_defaults(func=run)


def configure_logging(level: str, log_file: Path | None) -> None:
    """Logs go to stderr or a file, never stdout (the LSP channel)."""
    log_to(level, log_file)
    from tether.lsp.errors import QuietBadInput, QuietExpectedErrors

    # pygls logs every message it sends at INFO: far too much once tokens stream.
    if level != "DEBUG":
        logging.getLogger("pygls").setLevel(logging.WARNING)
    for name in ("pygls.protocol.json_rpc", "pygls.server"):
        logging.getLogger(name).addFilter(QuietExpectedErrors())
        logging.getLogger(name).addFilter(QuietBadInput())


def _settle_heap() -> None:
    """Start-up is done: what it built (modules, classes, pydantic and cattrs schemas)
    lives as long as the process, so the collector stops walking it.

    Collecting while the imports run finds next to nothing and walks a heap that only
    grows; and every full collection later would walk those ~90k objects again, between
    two streamed tokens. `gc.freeze` moves them out of the collector's generations.
    """
    gc.freeze()
    gc.enable()


def run(args: argparse.Namespace) -> int:
    gc.disable()  # until `_settle_heap`: start-up only builds what stays
    configure_logging(getattr(args, "log_level", "WARNING"), getattr(args, "log_file", None))
    from tether.lsp.app import create_server

    address = getattr(args, "tcp", None) or getattr(args, "ws", None)
    if address:
        from tether.lsp.remote import RemoteOptions, serve

        host, port = address
        options = RemoteOptions("tcp" if getattr(args, "tcp", None) else "ws", host, port,
                                frozenset(getattr(args, "allow_origin", None) or []))
        _settle_heap()
        return serve(options, lambda: create_server(remote=True))
    server = create_server()
    _settle_heap()
    server.start_io()
    return 0
