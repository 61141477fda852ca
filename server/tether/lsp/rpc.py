"""The table of `tether/*` requests and the one wrapper every one of them runs in.

A handler is a plain module-level `async def (server, params) -> WireModel`, recorded
with `@rpc(METHOD, ParamsModel)`; it can be imported and awaited in a unit test with a
server that never opens a transport. `register(server)` installs the table on the pygls
server, each entry wrapped the same way: params parsed into the model (InvalidParams
naming the bad fields), the settings pulled from the editor awaited (briefly) before the
first request runs, Tether's errors and bugs mapped to JSON-RPC codes at this one
boundary. CancelledError passes: `$/cancelRequest` cancels the handler's task, and a
handler that answers a cancel with a result (the prompt's `TurnResult`) does so itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tether.errors import TetherError
from tether.lsp.errors import to_rpc_error
from tether.lsp.server import TetherServer
from tether.lsp.wire import parse_params
from tether.protocol.base import WireModel

log = logging.getLogger(__name__)

P = TypeVar("P", bound=WireModel)
R = TypeVar("R", bound=WireModel)
READY_TIMEOUT = 10.0  # settings pulled from the editor before the first request runs


@dataclass(frozen=True)
class Rpc:
    """One `tether/*` request: its method name, its params model, its handler."""

    method: str
    params: type[WireModel]
    handler: Callable[[TetherServer, Any], Awaitable[WireModel]]


TABLE: dict[str, Rpc] = {}  # filled by the @rpc handlers of handlers.py, change_handlers.py


def rpc(method: str, params: type[P]) -> Callable[
        [Callable[[TetherServer, P], Awaitable[R]]], Callable[[TetherServer, P], Awaitable[R]]]:
    """Record the decorated handler as the one answering `method`; it is returned as is."""

    def record(fn: Callable[[TetherServer, P], Awaitable[R]]
               ) -> Callable[[TetherServer, P], Awaitable[R]]:
        if method in TABLE:
            raise ValueError(f"{method} has two handlers: {TABLE[method].handler.__name__} "
                             f"and {fn.__name__}")
        TABLE[method] = Rpc(method, params, fn)
        return fn

    return record


def register(server: TetherServer, table: dict[str, Rpc] | None = None) -> None:
    """Install every request of `table` (the module table by default) on `server`."""
    for entry in (TABLE if table is None else table).values():
        server.feature(entry.method)(_wrapped(server, entry))


def _wrapped(server: TetherServer, entry: Rpc) -> Callable[[Any], Awaitable[Any]]:
    async def handler(raw: Any) -> Any:
        try:
            params = parse_params(entry.params, raw, entry.method)
            await _settings_ready(server, entry.method)
            result = await entry.handler(server, params)
        except TetherError as exc:
            raise to_rpc_error(exc) from None
        except Exception as exc:  # a bug; CancelledError is no Exception: it passes
            log.exception("%s failed", entry.method)
            raise to_rpc_error(exc) from None
        return result.to_wire()

    handler.__name__ = entry.method.replace("/", "_")
    return handler


async def _settings_ready(server: TetherServer, method: str) -> None:
    if server.settings_ready.is_set():
        return
    try:
        await asyncio.wait_for(server.settings_ready.wait(), READY_TIMEOUT)
    except TimeoutError:
        log.warning("settings not pulled yet; answering %s anyway", method)
