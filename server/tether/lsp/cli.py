"""`tether serve`: the language server on stdio (default), TCP or WebSocket."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from tether.redaction import install_log_redaction

log = logging.getLogger(__name__)


def _host_port(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return host or "127.0.0.1", int(port)


def add_serve_command(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = subparsers.add_parser("serve", help="run the language server (stdio by default)")
    where = serve.add_mutually_exclusive_group()
    where.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (default)")
    where.add_argument("--tcp", type=_host_port, metavar="HOST:PORT", help="listen on TCP")
    where.add_argument("--ws", type=_host_port, metavar="HOST:PORT", help="listen on WebSocket")
    serve.add_argument("--log-file", type=Path, help="write the server log here (default stderr)")
    serve.add_argument("--log-level", default="WARNING",
                       choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="server log level")
    serve.set_defaults(func=run)


def configure_logging(level: str, log_file: Path | None) -> None:
    """Logs go to stderr or a file, never stdout (the LSP channel)."""
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):  # the CLI's basicConfig: replaced, not doubled
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    install_log_redaction(root)  # every line, DEBUG included, with secrets masked
    from tether.lsp.errors import QuietBadInput, QuietExpectedErrors

    # pygls logs every message it sends at INFO: far too much once tokens stream.
    if level != "DEBUG":
        logging.getLogger("pygls").setLevel(logging.WARNING)
    for name in ("pygls.protocol.json_rpc", "pygls.server"):
        logging.getLogger(name).addFilter(QuietExpectedErrors())
        logging.getLogger(name).addFilter(QuietBadInput())


def run(args: argparse.Namespace) -> int:
    configure_logging(getattr(args, "log_level", "WARNING"), getattr(args, "log_file", None))
    from tether.lsp.app import create_server

    server = create_server()
    if getattr(args, "tcp", None):
        host, port = args.tcp
        server.start_tcp(host, port)
    elif getattr(args, "ws", None):
        host, port = args.ws
        server.start_ws(host, port)
    else:
        server.start_io()
    return 0
