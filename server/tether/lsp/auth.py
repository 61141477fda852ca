"""Who may talk to a remote `tether serve`: the token, its file, and the admission rules.

A server on a socket is reachable by every local process and, over WebSocket, by every
web page the user opens (browsers let pages connect to `ws://127.0.0.1`). Whoever talks
to Tether can run commands through the agent, so both transports require a shared token:
WebSocket clients send `Authorization: Bearer TOKEN` on the HTTP upgrade, TCP clients put
it in `initialize` (`initializationOptions.tether.token`), since raw LSP over TCP has no
headers. WebSocket upgrades carrying an `Origin` (browsers always send one, editors'
native clients never do) are refused unless the origin was allowed explicitly.

The token is `TETHER_TOKEN` when set, else generated per run and written to a 0600 file
in the user's runtime dir; the file's path (never the token) goes to stderr.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import warnings
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from tether import secret_env
from tether.protocol.error_codes import ErrorCode
from tether.redaction import REDACTOR

TOKEN_ENV = "TETHER_TOKEN"
INITIALIZE = "initialize"


def token_matches(expected: str, given: Any) -> bool:
    """Constant-time comparison; anything but a non-empty string is a mismatch."""
    if not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header value, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def origin_allowed(origin: str | None, allowed: frozenset[str]) -> bool:
    """No Origin (a native client) is allowed; a browser's only when listed."""
    if origin is None:
        return True
    return origin.rstrip("/") in {a.rstrip("/") for a in allowed}


# -- TCP: admission through initialize ------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """What to answer a message that arrived before a valid token, and then close."""

    code: int
    message: str
    msg_id: int | str | None  # None: a notification, nothing to answer


def admit(method: str | None, msg_id: Any, params: Any, token: str) -> Refusal | None:
    """None when `initialize` carries the token; else the error that closes the connection.

    `params` is the decoded initialize params (an lsprotocol object or a dict); the token
    is read from `initializationOptions.tether.token`.
    """
    answer_id = msg_id if isinstance(msg_id, int | str) and not isinstance(msg_id, bool) \
        else None
    if method != INITIALIZE:
        return Refusal(int(ErrorCode.UNAUTHORIZED),
                       f"{method or 'message'} refused: authenticate first with initialize "
                       "(initializationOptions.tether.token); closing the connection",
                       answer_id)
    if not token_matches(token, _initialize_token(params)):
        return Refusal(int(ErrorCode.UNAUTHORIZED),
                       "initialize refused: initializationOptions.tether.token is missing "
                       "or wrong; closing the connection", answer_id)
    return None


def forget_token(params: Any) -> None:
    """Drop the token from admitted initialize params: no handler or log line sees it."""
    options = getattr(params, "initialization_options", None)
    if options is None and isinstance(params, dict):
        options = params.get("initializationOptions")
    tether = options.get("tether") if isinstance(options, dict) else None
    if isinstance(tether, dict):
        tether.pop("token", None)


class HideToken(logging.Filter):
    """Masks the token in every log record (pygls and websockets log what they receive)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg, record.args = message.replace(self._token, "***"), None
        return True


def hide_token_in_logs(token: str) -> None:
    """Install `HideToken` on every handler of the root logger (where all records end)."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(HideToken(token))


def _initialize_token(params: Any) -> Any:
    options = getattr(params, "initialization_options", None)
    if options is None and isinstance(params, dict):
        options = params.get("initializationOptions")
    tether = options.get("tether") if isinstance(options, dict) else None
    return tether.get("token") if isinstance(tether, dict) else None


# -- where the token comes from ---------------------------------------------------------


@dataclass(frozen=True)
class ServerToken:
    value: str
    file: Path | None  # None: it came from TETHER_TOKEN, nothing was written

    def describe(self) -> str:
        """The stderr line: where the token is; never the token itself."""
        if self.file is None:
            return f"tether: clients must send the token from ${TOKEN_ENV}"
        return f"tether: clients must send the token in {self.file} (0600, removed at exit)"

    def remove(self) -> None:
        if self.file is not None:
            with suppress(OSError):
                self.file.unlink()


def server_token(port: int, environ: dict[str, str] | None = None) -> ServerToken:
    """`TETHER_TOKEN`, else a new random token written to `serve-<port>.token`.

    `TETHER_TOKEN` is removed from our environment once read, so the commands the agent
    runs do not inherit it.
    """
    if environ is None:
        # After the start-up re-exec the token lives in secret_env, no longer in os.environ.
        given = (secret_env.getenv(TOKEN_ENV) or os.environ.pop(TOKEN_ENV, "")).strip()
    else:
        given = environ.get(TOKEN_ENV, "").strip()
    if given:
        REDACTOR.add(given)
        return ServerToken(given, None)
    value = secrets.token_urlsafe(32)
    REDACTOR.add(value)
    return ServerToken(value, write_token_file(value, port))


def token_dirs() -> list[Path]:
    """The runtime dir (tmpfs, per user) first; the state dir where there is none."""
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        runtime = platformdirs.user_runtime_dir("tether")
    return [Path(runtime), Path(platformdirs.user_state_dir("tether"))]


def write_token_file(value: str, port: int) -> Path:
    """Write the token readable by this user only; OSError when no dir can hold it."""
    error: OSError | None = None
    for folder in token_dirs():
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
                raise PermissionError(f"{folder} belongs to another user")
            path = folder / f"serve-{port}.token"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC
                         | getattr(os, "O_NOFOLLOW", 0), 0o600)
            try:
                if hasattr(os, "fchmod"):  # an older file may have had wider permissions
                    os.fchmod(fd, 0o600)
                os.write(fd, value.encode() + b"\n")
            finally:
                os.close(fd)
            return path
        except OSError as exc:
            error = exc
    assert error is not None
    raise error
