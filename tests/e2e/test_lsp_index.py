"""The workspace index over LSP: built with $/progress, searched, fresh from unsaved buffers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types

from tether.testing.provider_server import Script, text_turn, tool_turn

from .conftest import WAIT, Env, Harness


async def _until(h: Harness, method: str, params: dict[str, Any], ok: Any) -> Any:
    async def poll() -> Any:
        while True:
            result = await h.request(method, params)
            if ok(result):
                return result
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(poll(), WAIT)


async def test_index_builds_with_progress_and_follows_buffers(env: Env, workspace: Path) -> None:
    (workspace / "greet.py").write_text("def hello_world():\n    return 'hi'\n")
    (workspace / "other.py").write_text("x = 1\n")
    async with env.serve([workspace]) as h:
        folder = {"folderUri": workspace.as_uri()}
        status = await _until(h, "tether/index/status", folder,
                              lambda r: r["state"] == "ready")
        assert status["files"] == 2
        hits = await h.request("tether/index/search", {**folder, "query": "hello_world"})
        assert hits["results"][0]["path"] == "greet.py"
        assert hits["results"][0]["uri"] == (workspace / "greet.py").as_uri()
        # Files first, each with its line hits: here the definition the query names.
        assert hits["results"][0]["lines"][0] == {
            "line": 0, "score": hits["results"][0]["lines"][0]["score"],
            "symbol": "hello_world", "preview": "def hello_world():"}
        assert hits["results"][0]["line"] == 0
        reports = [v for values in h.client.progress_reports.values() for v in values]
        assert isinstance(reports[0], types.WorkDoneProgressBegin)
        assert isinstance(reports[-1], types.WorkDoneProgressEnd)
        watchers = [r for r in h.editor.registrations
                    if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
        assert len(watchers) == 1  # VS Code registers watchers dynamically
        # unsaved text is indexed: a new function typed into an open buffer is found
        uri = h.open(workspace / "other.py")
        h.type_text(uri, 1, 0, "def freshly_typed_function():\n    pass\n")
        found = await _until(h, "tether/index/search",
                             {**folder, "query": "freshly_typed_function"},
                             lambda r: any(x["path"] == "other.py" for x in r["results"]))
        assert found["results"][0]["path"] == "other.py"
        # a file changed on disk behind the editor's back, reported by its file watcher
        (workspace / "disk.py").write_text("def written_on_disk():\n    pass\n")
        h.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=(workspace / "disk.py").as_uri(),
                                     type=types.FileChangeType.Created)]))
        await _until(h, "tether/index/search", {**folder, "query": "written_on_disk"},
                     lambda r: any(x["path"] == "disk.py" for x in r["results"]))


async def test_an_agent_edit_is_indexed_as_it_lands(env: Env, workspace: Path) -> None:
    """No file watcher speaks for a file the agent wrote: the folder's bridge tells the index."""
    (workspace / "greet.py").write_text("def hello_world():\n    return 'hi'\n")
    env.provider.set_script(Script([
        tool_turn("write_file", {"path": "made.py", "content": "def made_by_agent():\n"
                                                             "    pass\n"}),
        text_turn("Written."),
    ]))
    async with env.serve([workspace]) as h:
        folder = {"folderUri": workspace.as_uri()}
        await _until(h, "tether/index/status", folder, lambda r: r["state"] == "ready")
        created = await h.request("tether/session/create", folder)
        result = await h.request("tether/session/prompt",
                                 {"sessionId": created["sessionId"], "text": "write it"})
        assert result["status"] == "completed"
        await _until(h, "tether/index/search", {**folder, "query": "made_by_agent"},
                     lambda r: any(x["path"] == "made.py" for x in r["results"]))


async def test_bad_editor_settings_are_reported_and_defaults_kept(env: Env,
                                                                  workspace: Path) -> None:
    async with env.serve([workspace], client_name="neovim",
                         settings={"maxSteps": "lots", "nonsense": 1}) as h:
        models = await h.request("tether/models/list", {})
        assert models["default"] == "openai/gpt-4o-mini"
        messages = [m.message for m in h.client.log_messages]
        assert any("maxSteps" in m for m in messages), messages
        assert any("nonsense" in m for m in messages), messages
