"""Context the user points at: `@` completion, mentions attached live, diagnostics, active file."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tether.testing.provider_server import Script, text_turn

from .conftest import WAIT, Env, Harness


async def _ready(h: Harness, folder: Path) -> None:
    async def poll() -> None:
        while (await h.request("tether/index/status", {"folderUri": folder.as_uri()})
               )["state"] != "ready":
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), WAIT)


def _user_text(env: Env) -> str:
    """Everything the model was sent in the first user message."""
    (user,) = [m for m in env.provider.requests[0]["messages"] if m["role"] == "user"]
    content = user["content"]
    if isinstance(content, str):
        return content
    return "\n".join(block.get("text", "") for block in content)


def _tree(workspace: Path) -> None:
    (workspace / "src").mkdir()
    (workspace / "src" / "greeting.py").write_text(
        "def make_greeting(name):\n    return 'hi ' + name\n\n\nOTHER = 1\n")
    (workspace / "src" / "util.py").write_text("def helper():\n    pass\n")
    (workspace / "README.md").write_text("# demo\n")


async def test_complete_then_prompt_with_structured_mentions(env: Env, workspace: Path) -> None:
    _tree(workspace)
    env.provider.set_script(Script([text_turn("ok")]))
    async with env.serve([workspace]) as h:
        await _ready(h, workspace)
        folder = workspace.as_uri()
        files = await h.request("tether/mention/complete", {"folderUri": folder, "prefix": "gree"})
        kinds = [(i["mention"]["kind"], i["insert"]) for i in files["items"]]
        assert kinds[0] == ("file", "src/greeting.py")
        symbols = await h.request("tether/mention/complete",
                                  {"folderUri": folder, "prefix": "make_gr"})
        symbol = next(i for i in symbols["items"] if i["mention"]["kind"] == "symbol")
        assert symbol["insert"] == "make_greeting" and "src/greeting.py:1" in symbol["detail"]
        dirs = await h.request("tether/mention/complete", {"folderUri": folder, "prefix": "sr"})
        folder_item = next(i for i in dirs["items"] if i["mention"]["kind"] == "folder")
        assert folder_item["insert"] == "src/"
        # the buffer differs from disk: the live text is what gets attached
        uri = h.open(workspace / "src" / "util.py", "def helper():\n    return 'UNSAVED'\n")
        assert uri == files["items"][0]["mention"]["uri"].replace("greeting", "util")
        mentions = [
            {"kind": "file", "uri": uri, "name": "@src/util.py"},
            symbol["mention"],
            folder_item["mention"],
        ]
        created = await h.request("tether/session/create", {"folderUri": folder})
        result = await h.request("tether/session/prompt", {
            "sessionId": created["sessionId"],
            "text": "use @src/util.py and @make_greeting in @src/",
            "context": {"mentions": mentions}})
        assert result["status"] == "completed"
        sent = _user_text(env)
        assert "return 'UNSAVED'" in sent
        assert "def make_greeting(name):" in sent and "OTHER = 1" not in sent
        assert '<folder path="src/">' in sent and "src/greeting.py" in sent
        loaded = await h.request("tether/session/load", {"sessionId": created["sessionId"]})
        user = loaded["messages"][0]
        assert [p["type"] for p in user["parts"]].count("file") == 2


async def test_typed_mentions_resolve_without_structure(env: Env, workspace: Path) -> None:
    _tree(workspace)
    env.provider.set_script(Script([text_turn("ok")]))
    async with env.serve([workspace], client_name="neovim") as h:
        await _ready(h, workspace)
        created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
        await h.request("tether/session/prompt", {
            "sessionId": created["sessionId"],
            "text": "what does @README.md say, and @helper? mail me@example.com"})
        sent = _user_text(env)
        assert "# demo" in sent and "def helper():" in sent


async def test_fix_the_errors_in_this_file(env: Env, workspace: Path) -> None:
    _tree(workspace)
    env.provider.set_script(Script([text_turn("fixed")]))
    async with env.serve([workspace]) as h:
        uri = h.open(workspace / "src" / "greeting.py")
        context: dict[str, Any] = {
            "activeFileUri": uri, "languageId": "python",
            "cursor": {"line": 1, "character": 4},
            "diagnostics": [{
                "range": {"start": {"line": 1, "character": 11},
                          "end": {"line": 1, "character": 15}},
                "severity": "error", "message": "Operator \"+\" not supported for \"None\"",
                "source": "Pyright", "code": "reportOperatorIssue"}]}
        created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
        result = await h.request("tether/session/prompt", {
            "sessionId": created["sessionId"], "text": "fix the errors in this file",
            "context": context})
        assert result["status"] == "completed"
        sent = _user_text(env)
        assert "Active file: src/greeting.py (python), cursor on line 2." in sent
        assert "Nothing is selected." in sent
        assert ("- line 2:12 error (Pyright [reportOperatorIssue]): "
                "Operator \"+\" not supported for \"None\"") in sent
        assert "<file" not in sent  # no empty file block for the active file
        loaded = await h.request("tether/session/load", {"sessionId": created["sessionId"]})
        (user,) = [m for m in loaded["messages"] if m["role"] == "user"]
        texts = [p for p in user["parts"] if p["type"] == "text"]
        assert texts[0]["text"] == "fix the errors in this file"
        assert texts[0]["text"] == "fix the errors in this file" and len(texts) == 2
        # marked as context on disk, so clients show only the user's words as theirs
        (history,) = env.data_dir.rglob(f"{created['sessionId']}.jsonl")
        assert '"_meta":{"context":"editor"}' in history.read_text()
