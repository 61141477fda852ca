"""Stable JSON-RPC error codes for Tether's custom methods (-32000 to -32099).

These numbers are part of the protocol: never renumber one, only add.
"""

from __future__ import annotations

from enum import IntEnum


class ErrorCode(IntEnum):
    PARSE_ERROR = -32700  # JSON-RPC standard: the body is not JSON
    INVALID_REQUEST = -32600  # JSON-RPC standard: JSON, but not a JSON-RPC message
    INVALID_PARAMS = -32602  # JSON-RPC standard; `data.path` names the field
    UNKNOWN_SESSION = -32001
    TURN_IN_PROGRESS = -32002
    PROVIDER_UNAVAILABLE = -32003
    PROVIDER_AUTH = -32004
    PROVIDER_RATE_LIMITED = -32005
    PROVIDER_FAILED = -32006
    FOLDER_NOT_IN_WORKSPACE = -32007
    PATH_OUTSIDE_WORKSPACE = -32008
    HISTORY_CORRUPT = -32009
    STORE_FAILED = -32010
    INDEX_UNAVAILABLE = -32011
    CONFIG_INVALID = -32012
    UNAUTHORIZED = -32013
    INTERNAL = -32099


ERROR_CODE_DESCRIPTIONS: dict[ErrorCode, str] = {
    ErrorCode.PARSE_ERROR: (
        "A message body is not JSON (or not UTF-8); answered with `id: null`."
    ),
    ErrorCode.INVALID_REQUEST: (
        "A message is JSON but not a JSON-RPC 2.0 message (an array, a number, an object "
        "without `method`, a bad `jsonrpc`); answered with its `id` when it has a usable one."
    ),
    ErrorCode.INVALID_PARAMS: "Params failed validation; `data.errors[].path` names each field.",
    ErrorCode.UNKNOWN_SESSION: "No session with that id in any open workspace folder.",
    ErrorCode.TURN_IN_PROGRESS: (
        "A turn is already running in that session (steer or cancel it); `data.elsewhere` "
        "is true when it runs in another Tether process (another window)."
    ),
    ErrorCode.PROVIDER_UNAVAILABLE: (
        "The model provider cannot be reached; `message` says what to set."
    ),
    ErrorCode.PROVIDER_AUTH: "The provider rejected the API key (401/403).",
    ErrorCode.PROVIDER_RATE_LIMITED: "The provider kept answering 429 after the bounded retries.",
    ErrorCode.PROVIDER_FAILED: "The provider failed in another way (5xx, dropped stream, timeout).",
    ErrorCode.FOLDER_NOT_IN_WORKSPACE: (
        "The folder URI is not one of the editor's workspace folders."
    ),
    ErrorCode.PATH_OUTSIDE_WORKSPACE: "A path resolves outside the session's workspace folder.",
    ErrorCode.HISTORY_CORRUPT: (
        "A session file's header cannot be read; the file is left untouched."
    ),
    ErrorCode.STORE_FAILED: "History could not be read or written (disk full, permissions).",
    ErrorCode.INDEX_UNAVAILABLE: "The workspace index for that folder is not built or failed.",
    ErrorCode.CONFIG_INVALID: "Settings could not be used; defaults apply.",
    ErrorCode.UNAUTHORIZED: (
        "Remote server (TCP): a message before `initialize`, or `initialize` without the "
        "right `initializationOptions.tether.token`; the server closes the connection."
    ),
    ErrorCode.INTERNAL: "A bug in Tether; the message and the server log say more.",
}


def code_for(exc: BaseException) -> ErrorCode:
    """The stable code of a Tether error; INTERNAL for anything else (a bug)."""
    from tether import errors

    table: list[tuple[type[BaseException], ErrorCode]] = [
        (errors.InvalidParamsError, ErrorCode.INVALID_PARAMS),
        (errors.SessionNotFoundError, ErrorCode.UNKNOWN_SESSION),
        (errors.HistoryCorruptError, ErrorCode.HISTORY_CORRUPT),
        (errors.StoreError, ErrorCode.STORE_FAILED),
        (errors.TurnInProgressError, ErrorCode.TURN_IN_PROGRESS),
        (errors.FolderNotInWorkspaceError, ErrorCode.FOLDER_NOT_IN_WORKSPACE),
        (errors.ProviderUnavailableError, ErrorCode.PROVIDER_UNAVAILABLE),
        (errors.ProviderAuthError, ErrorCode.PROVIDER_AUTH),
        (errors.ProviderRateLimitError, ErrorCode.PROVIDER_RATE_LIMITED),
        (errors.ProviderError, ErrorCode.PROVIDER_FAILED),
        (errors.PathOutsideWorkspaceError, ErrorCode.PATH_OUTSIDE_WORKSPACE),
        (errors.IndexingError, ErrorCode.INDEX_UNAVAILABLE),
        (errors.ConfigError, ErrorCode.CONFIG_INVALID),
        (errors.ProtocolError, ErrorCode.INVALID_PARAMS),
    ]
    for cls, code in table:
        if isinstance(exc, cls):
            return code
    return ErrorCode.INTERNAL
