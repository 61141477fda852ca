"""One boundary from Python errors to JSON-RPC errors with Tether's stable codes."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from pygls.exceptions import JsonRpcException

from tether.errors import InvalidParamsError, TetherError
from tether.protocol.error_codes import ErrorCode, code_for
from tether.redaction import redact

log = logging.getLogger(__name__)


class TetherRpcError(JsonRpcException):
    """A JSON-RPC error carrying one of `ErrorCode`; pygls sends it as the response."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message=message, code=code, data=data)


def to_rpc_error(exc: BaseException) -> JsonRpcException:
    """The JSON-RPC error for `exc`; anything that is not a TetherError is a bug (INTERNAL)."""
    if isinstance(exc, JsonRpcException):
        return exc
    code = code_for(exc)
    if isinstance(exc, TetherError):
        data: dict[str, Any] = {**exc.data, "type": type(exc).__name__}
        return TetherRpcError(int(code), exc.message, data)
    log.error("internal error", exc_info=exc)
    return TetherRpcError(
        int(ErrorCode.INTERNAL),
        redact(f"internal error: {type(exc).__name__}: {exc}"),
        {"type": type(exc).__name__},
    )


def validation_error(exc: ValidationError, what: str) -> InvalidParamsError:
    """InvalidParams with `data.errors[].path` naming each bad field as it is on the wire."""
    errors = [
        {
            "path": ".".join(str(part) for part in err["loc"]),
            "message": err["msg"],
            "type": err["type"],
        }
        for err in exc.errors(include_url=False, include_input=False)
    ]
    paths = ", ".join(e["path"] or "(params)" for e in errors)
    return InvalidParamsError(f"invalid params for {what}: {paths}", data={"errors": errors})


class QuietExpectedErrors(logging.Filter):
    """Drop pygls' tracebacks for errors that are answers, not bugs (unknown session, ...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], TetherRpcError):
            code = record.exc_info[1].code
            return code == int(ErrorCode.INTERNAL)
        return True


class QuietBadInput(logging.Filter):
    """Drop pygls' traceback for undecodable input; the server reports it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(
            ("Unable to handle message", "Unable to deserialize message"))
