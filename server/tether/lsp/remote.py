"""`tether serve --tcp` / `--ws`: an accept loop with one language server per connection.

pygls' own `start_tcp` / `start_ws` serve a single connection with a single server
object and stop when it closes. Here every accepted connection gets its own
`TetherServer` (its own folders, documents, settings and session managers) over the
same history on disk, exactly like a second editor window would; closing one
connection ends only its server, never the listener or the other clients.

Who may connect is decided in `auth.py`: WebSocket upgrades are checked (Origin, then
the bearer token) before any LSP byte is read; TCP connections must open with an
`initialize` carrying the token. Settings that could exfiltrate or escalate are taken
from the server's own file and environment only (`TetherServer.remote`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Literal

from tether.lsp.auth import (
    ServerToken,
    bearer_token,
    hide_token_in_logs,
    origin_allowed,
    server_token,
    token_matches,
)
from tether.lsp.framing import FramingError, serve_stream, serve_websocket

if TYPE_CHECKING:
    from websockets.asyncio.server import ServerConnection
    from websockets.http11 import Request, Response

    from tether.lsp.server import TetherServer

log = logging.getLogger(__name__)

Transport = Literal["tcp", "ws"]
WS_MAX_MESSAGE = 64 * 1024 * 1024  # websockets' default of 1 MiB is less than a big didOpen


@dataclass(frozen=True)
class RemoteOptions:
    transport: Transport
    host: str
    port: int
    allowed_origins: frozenset[str] = field(default_factory=frozenset)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


def say(line: str) -> None:
    """What the user who started the server must read: stderr, never stdout."""
    print(line, file=sys.stderr, flush=True)


def serve(options: RemoteOptions, make_server: Callable[[], TetherServer]) -> int:
    """Listen until SIGINT/SIGTERM; the exit status of `tether serve`."""
    try:
        return asyncio.run(_serve(options, make_server))
    except KeyboardInterrupt:
        return 0


async def _serve(options: RemoteOptions, make_server: Callable[[], TetherServer]) -> int:
    if not is_loopback(options.host):
        say(f"tether: WARNING: listening on {options.host}, reachable from other machines; "
            "anyone with the token can run commands as you")
    token_holder: list[str] = []
    clients: set[asyncio.StreamWriter] = set()
    try:
        if options.transport == "tcp":
            listener: Any = await asyncio.start_server(
                lambda r, w: _tcp_connection(r, w, make_server, token_holder, clients),
                options.host, options.port)
        else:
            listener = await _ws_listener(options, make_server, token_holder)
    except OSError as exc:
        say(f"tether: cannot listen on {options.host}:{options.port}: {exc}")
        return 1
    port = int(listener.sockets[0].getsockname()[1])
    try:
        token = server_token(port)
    except OSError as exc:
        say(f"tether: cannot write the token file ({exc}); set TETHER_TOKEN instead")
        listener.close()
        return 1
    hide_token_in_logs(token.value)
    token_holder.append(token.value)
    say(f"tether: listening on {options.transport}://{_show(options.host)}:{port}")
    say(token.describe())
    try:
        await _until_signalled(listener, clients)
    finally:
        token.remove()
        listener.close()
        hub = sys.modules.get("tether.mcp.hub")
        if hub is not None:  # MCP servers are shared by every connection: stop them last
            await hub.close_process_hub()
    return 0


def _show(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


async def _until_signalled(listener: Any, clients: set[asyncio.StreamWriter]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):  # Windows: no signal handlers
            loop.add_signal_handler(sig, stop.set)
    async with listener:  # on exit: websockets closes its connections, asyncio does not
        await stop.wait()
        for writer in list(clients):  # else Server.wait_closed() waits for them (3.12+)
            writer.close()


# -- one connection ---------------------------------------------------------------------


async def _tcp_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                          make_server: Callable[[], TetherServer], tokens: list[str],
                          clients: set[asyncio.StreamWriter]) -> None:
    if not tokens:  # accepted in the instant between bind and the token being ready
        writer.close()
        return
    clients.add(writer)
    server = make_server()
    server.protocol.required_token = tokens[0]
    server.protocol.set_writer(writer)  # StreamWriter's write()/close() are all pygls uses
    peer = writer.get_extra_info("peername")
    log.info("tcp client connected: %s", peer)
    try:
        await serve_stream(stop_event=threading.Event(), reader=reader,
                           protocol=server.protocol, error_handler=server.report_server_error)
    except FramingError as exc:
        log.error("LSP framing error from tcp client %s, closing its connection: %s", peer, exc)
    except (ConnectionError, asyncio.IncompleteReadError) as exc:
        log.info("tcp client %s gone: %s", peer, exc)
    finally:
        clients.discard(writer)
        await _end(server)
        log.info("tcp client disconnected: %s", peer)


async def _ws_listener(options: RemoteOptions, make_server: Callable[[], TetherServer],
                       token_holder: list[str]) -> Any:
    from websockets.asyncio.server import serve as ws_serve

    def check(connection: ServerConnection, request: Request) -> Response | None:
        origins = request.headers.get_all("Origin")
        if len(origins) > 1 or not origin_allowed(origins[0] if origins else None,
                                                   options.allowed_origins):
            log.warning("websocket upgrade refused: Origin %s not allowed", origins)
            return connection.respond(HTTPStatus.FORBIDDEN,
                                      "Origin not allowed (see tether serve --allow-origin)\n")
        given = bearer_token(request.headers.get("Authorization"))
        if not token_holder or not token_matches(token_holder[0], given):
            log.warning("websocket upgrade refused: %s bearer token",
                        "wrong" if given else "no")
            response = connection.respond(HTTPStatus.UNAUTHORIZED,
                                          "Authorization: Bearer TOKEN required\n")
            response.headers["WWW-Authenticate"] = 'Bearer realm="tether"'
            return response
        return None

    async def handler(websocket: ServerConnection) -> None:
        server = make_server()
        log.info("websocket client connected: %s", websocket.remote_address)
        try:
            await serve_websocket(websocket=websocket, stop_event=threading.Event(),
                                  protocol=server.protocol,
                                  error_handler=server.report_server_error)
        finally:
            await _end(server)
            log.info("websocket client disconnected: %s", websocket.remote_address)

    return await ws_serve(handler, options.host, options.port, process_request=check,
                          max_size=WS_MAX_MESSAGE)


async def _end(server: TetherServer) -> None:
    """The connection is gone: stop its turns and indexes, free its threads."""
    try:
        await server.aclose()
    except Exception:
        log.exception("closing a remote client's server failed")
    server.protocol.close_connection()
    pool = getattr(server, "_thread_pool", None)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


__all__ = ["RemoteOptions", "ServerToken", "is_loopback", "serve"]
