"""History rows tell sessions apart (issue 15, VS Code 6): through the LSP, a listing row
carries the first prompt line, the files the agent's edits touched and a failed mark."""

from __future__ import annotations

from pathlib import Path

from tether.testing.provider_server import Script, text_turn, tool_turn

from .conftest import Env


async def test_listing_shows_first_prompt_files_and_failed_mark(env: Env,
                                                                 workspace: Path) -> None:
    (workspace / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    env.provider.set_script(Script([
        tool_turn("edit", {"path": "calc.py", "old": "a - b", "new": "a + b"}),
        tool_turn("write_file", {"path": "test_calc.py", "content": "assert True\n"}),
        tool_turn("write_file", {"path": "docs/calc.md", "content": "# add\n"}),
        text_turn("Fixed."),
        text_turn("never sent", fault="401", fault_times=99),
    ]))
    async with env.serve([workspace]) as h:
        folder = workspace.as_uri()
        fixed = (await h.request("tether/session/create", {"folderUri": folder}))["sessionId"]
        result = await h.request("tether/session/prompt", {
            "sessionId": fixed, "text": "Fix the add function\nit subtracts instead"})
        assert result["status"] == "completed"
        failed = (await h.request("tether/session/create", {"folderUri": folder}))["sessionId"]
        result = await h.request("tether/session/prompt", {
            "sessionId": failed, "text": "Fix the add function again, please"})
        assert result["status"] == "failed"
        empty = (await h.request("tether/session/create", {"folderUri": folder}))["sessionId"]

        listed = await h.request("tether/session/list", {"folderUri": folder})
        rows = {row["id"]: row for row in listed["sessions"]}
        assert rows[fixed]["firstPrompt"] == "Fix the add function"
        assert rows[fixed]["filesTouched"] == ["calc.py", "test_calc.py", "docs/calc.md"]
        assert rows[fixed]["fileCount"] == 3
        assert rows[fixed]["lastTurn"] == "completed"
        assert rows[failed]["firstPrompt"] == "Fix the add function again, please"
        assert rows[failed]["lastTurn"] == "failed"
        assert rows[failed]["lastTurnReason"]
        assert rows[failed]["fileCount"] == 0
        assert (rows[empty]["firstPrompt"], rows[empty].get("lastTurn")) == ("", None)

        queried = await h.request("tether/session/list",
                                  {"folderUri": folder, "query": "AGAIN, please"})
        assert [row["id"] for row in queried["sessions"]] == [failed]
        found = await h.request("tether/session/search",
                                {"folderUri": folder, "query": "subtracts"})
        assert [hit["sessionId"] for hit in found["hits"]] == [fixed]
