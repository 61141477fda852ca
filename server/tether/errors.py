"""The one error tree of Tether.

Library errors (httpx, OSError, json, pydantic) are translated into these at the boundary
of the layer that meets them; `lsp/` maps each class to a stable JSON-RPC code from
`tether.protocol.error_codes`.  Messages are written for the user: one plain sentence
saying what happened and, where there is one, what to do.

    TetherError
    ├── ProviderError                  the model provider failed
    │   ├── ProviderUnavailableError   cannot connect (nothing listening, DNS, TLS)
    │   ├── ProviderAuthError          401/403: missing or wrong API key
    │   ├── ProviderRateLimitError     429 after the bounded retries
    │   ├── ProviderTimeoutError       connect/read/idle timeout after retries
    │   ├── ProviderStreamError        stream dropped/garbled after the restarts
    │   └── ProviderResponseError      any other non-2xx answer (status kept)
    │       └── ContextLengthExceededError  400: the request outgrew the model's window
    ├── ToolError                      a tool could not do what the model asked
    │   └── PathOutsideWorkspaceError  a path resolves outside the workspace folder
    ├── IndexingError                  the workspace index failed (never fatal to a turn)
    ├── StoreError                     history on disk
    │   ├── SessionNotFoundError       no session with that id
    │   └── HistoryCorruptError        a header that cannot be read
    ├── SessionError                   the engine refused a request
    │   ├── TurnInProgressError        a turn is already running in that session
    │   └── FolderNotInWorkspaceError  a folder URI that is not an open workspace folder
    ├── ConfigError                    settings that cannot be used
    └── ProtocolError                  a request the server cannot understand
        └── InvalidParamsError         params failed validation (field path kept)
"""

from __future__ import annotations

from typing import Any

from tether.redaction import redact, redact_value


class TetherError(Exception):
    """Base of every error Tether raises on purpose.

    The message and data are redacted here, once: providers quote what the server said,
    tools quote files and commands, and any of it may carry a key (invariant 6).
    """

    def __init__(self, message: str, *, data: dict[str, Any] | None = None) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.data = redact_value(data) if data else {}


class ProviderError(TetherError):
    """The model provider failed; `retryable` tells the retry loop whether to try again."""

    retryable = False


class ProviderUnavailableError(ProviderError):
    retryable = True


class ProviderAuthError(ProviderError):
    pass


class ProviderRateLimitError(ProviderError):
    retryable = True

    def __init__(
        self, message: str, *, retry_after: float | None = None, data: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, data=data)
        self.retry_after = retry_after


class ProviderTimeoutError(ProviderError):
    retryable = True


class ProviderStreamError(ProviderError):
    retryable = True


class ProviderResponseError(ProviderError):
    def __init__(
        self, message: str, *, status: int, data: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, data=data)
        self.status = status
        self.retryable = status >= 500


class ContextLengthExceededError(ProviderResponseError):
    """The provider refused a request as too long; `limit` is the window it named, if any."""

    def __init__(
        self, message: str, *, status: int, limit: int | None = None,
        prompt_tokens: int | None = None, data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, status=status, data=data)
        self.limit = limit
        self.prompt_tokens = prompt_tokens


class ToolError(TetherError):
    pass


class PathOutsideWorkspaceError(ToolError):
    pass


class IndexingError(TetherError):
    pass


class StoreError(TetherError):
    pass


class SessionNotFoundError(StoreError):
    pass


class HistoryCorruptError(StoreError):
    pass


class SessionError(TetherError):
    pass


class TurnInProgressError(SessionError):
    pass


class FolderNotInWorkspaceError(SessionError):
    pass


class ConfigError(TetherError):
    pass


class ProtocolError(TetherError):
    pass


class InvalidParamsError(ProtocolError):
    pass
