"""Params validation at the edge and the one error mapping to JSON-RPC codes."""

from __future__ import annotations

from collections import namedtuple

import attrs
import pytest

from tether.errors import (
    FolderNotInWorkspaceError,
    InvalidParamsError,
    ProviderRateLimitError,
    SessionNotFoundError,
    TurnInProgressError,
)
from tether.lsp.errors import TetherRpcError, to_rpc_error
from tether.lsp.wire import parse_params, plain
from tether.protocol.error_codes import ErrorCode
from tether.protocol.methods import ListSessionsParams, PromptParams


def test_plain_turns_namedtuples_and_attrs_into_dicts() -> None:
    Object = namedtuple("Object", ["sessionId", "context"])
    Inner = namedtuple("Inner", ["activeFileUri", "extraFileUris"])

    @attrs.define
    class Pos:
        line: int
        character: int

    raw = Object("s1", Inner("file:///a", ("file:///b",)))
    assert plain(raw) == {"sessionId": "s1",
                          "context": {"activeFileUri": "file:///a",
                                      "extraFileUris": ["file:///b"]}}
    assert plain(Pos(1, 2)) == {"line": 1, "character": 2}


def test_parse_params_accepts_camel_case_wire_names() -> None:
    params = parse_params(PromptParams, {"sessionId": "s", "text": "hi",
                                         "context": {"activeFileUri": "file:///x"}}, "m")
    assert params.session_id == "s"
    assert params.context is not None and params.context.active_file_uri == "file:///x"


@pytest.mark.parametrize(("raw", "paths"), [
    (None, ["folderUri"]),
    ({}, ["folderUri"]),
    ({"folderUri": 3, "limit": "x"}, ["folderUri", "limit"]),
    ({"folderUri": "f", "limit": 0}, ["limit"]),
    (["a"], [""]),
])
def test_parse_params_names_every_bad_field(raw: object, paths: list[str]) -> None:
    with pytest.raises(InvalidParamsError) as info:
        parse_params(ListSessionsParams, raw, "tether/session/list")
    assert [e["path"] for e in info.value.data["errors"]] == paths
    assert "tether/session/list" in info.value.message


@pytest.mark.parametrize(("exc", "code"), [
    (SessionNotFoundError("no"), ErrorCode.UNKNOWN_SESSION),
    (TurnInProgressError("busy"), ErrorCode.TURN_IN_PROGRESS),
    (FolderNotInWorkspaceError("where"), ErrorCode.FOLDER_NOT_IN_WORKSPACE),
    (ProviderRateLimitError("slow down"), ErrorCode.PROVIDER_RATE_LIMITED),
    (InvalidParamsError("bad", data={"errors": []}), ErrorCode.INVALID_PARAMS),
    (RuntimeError("bug"), ErrorCode.INTERNAL),
])
def test_errors_map_to_stable_codes(exc: Exception, code: ErrorCode) -> None:
    rpc = to_rpc_error(exc)
    assert isinstance(rpc, TetherRpcError)
    assert rpc.code == int(code)
    assert rpc.data["type"] == type(exc).__name__
    if isinstance(exc, InvalidParamsError):
        assert rpc.data["errors"] == []
