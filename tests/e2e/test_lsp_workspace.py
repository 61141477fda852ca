"""Workspace folders and settings that change while the server runs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tether.protocol.error_codes import ErrorCode

from .conftest import WAIT, Env


async def test_folders_and_configuration_change_at_runtime(env: Env, tmp_path: Path) -> None:
    one, two = (tmp_path / "one").resolve(), (tmp_path / "two").resolve()
    one.mkdir()
    two.mkdir()
    async with env.serve([one]) as h:
        sid_one = (await h.request("tether/session/create",
                                   {"folderUri": one.as_uri()}))["sessionId"]
        with pytest.raises(JsonRpcException) as info:
            await h.request("tether/session/create", {"folderUri": two.as_uri()})
        assert info.value.code == ErrorCode.FOLDER_NOT_IN_WORKSPACE

        h.client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=two.as_uri(), name="two")],
                removed=[types.WorkspaceFolder(uri=one.as_uri(), name="one")])))
        created = await h.request("tether/session/create", {"folderUri": two.as_uri()})
        assert created["session"]["workspaceFolder"] == str(two)
        with pytest.raises(JsonRpcException) as info:
            await h.request("tether/session/load", {"sessionId": sid_one})
        assert info.value.code == ErrorCode.UNKNOWN_SESSION

        h.client.set_configuration({"titleGeneration": False, "model": "gpt-4.1"},
                                   section="tether")
        h.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings=None))

        async def pulled() -> None:  # the server pulls the new settings asynchronously
            while (await h.request("tether/models/list", {}))["default"] != "openai/gpt-4.1":
                await asyncio.sleep(0.02)

        await asyncio.wait_for(pulled(), WAIT)
        created = await h.request("tether/session/create", {"folderUri": two.as_uri()})
        assert created["session"]["model"] == "openai/gpt-4.1"
