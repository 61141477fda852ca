"""Change sets over LSP: ask before an edit, review and undo after, rewind a turn."""

from __future__ import annotations

from pathlib import Path

from tether.testing.provider_server import Script, text_turn, tool_turn
from tether.workspace.folder import path_to_uri

from .conftest import Env, Harness


async def _session(h: Harness, workspace: Path) -> str:
    created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
    return str(created["sessionId"])


def _tool_results(env: Env, request: int) -> list[str]:
    return [str(m.get("content")) for m in env.provider.requests[request]["messages"]
            if m.get("role") == "tool"]


async def test_ask_mode_reject_with_comment_then_accept(env: Env, workspace: Path) -> None:
    path = workspace / "calc.py"
    path.write_text("def add(a, b):\n    return a + b\n")
    env.provider.set_script(Script([
        tool_turn("edit", {"path": "calc.py", "old": "a + b", "new": "b + a"}),
        text_turn("Understood."),
        tool_turn("edit", {"path": "calc.py", "old": "a + b", "new": "sum((a, b))"}),
        text_turn("Done."),
    ]))
    async with env.serve([workspace], settings={"editApproval": "ask"}) as h:
        uri = h.open(path)
        sid = await _session(h, workspace)
        h.editor.permission_answer, h.editor.permission_comment = "reject", "order matters"
        await h.request("tether/session/prompt", {"sessionId": sid, "text": "swap"})
        asked = h.editor.permission_requests[0]
        assert asked["tool"] == "edit" and "-    return a + b" in asked["diff"]
        assert h.editor.edits == [] and h.editor.docs[uri][0].endswith("a + b\n")
        rejected = _tool_results(env, 1)[-1]
        assert "rejected" in rejected and "order matters" in rejected
        h.editor.permission_answer, h.editor.permission_comment = "allow_once", None
        await h.request("tether/session/prompt", {"sessionId": sid, "text": "use sum"})
        assert h.editor.docs[uri][0] == "def add(a, b):\n    return sum((a, b))\n"


async def test_list_undo_one_hunk_and_rewind_over_lsp(env: Env, workspace: Path) -> None:
    path = workspace / "lines.py"
    text = "".join(f"v{i} = {i}\n" for i in range(1, 11))
    path.write_text(text)
    new_file = workspace / "made.py"
    env.provider.set_script(Script([
        tool_turn("edit", {"path": "lines.py", "old": "v2 = 2", "new": "v2 = 20"}),
        tool_turn("edit", {"path": "lines.py", "old": "v9 = 9", "new": "v9 = 90"}),
        tool_turn("write_file", {"path": "made.py", "content": "made = True\n"}),
        text_turn("Edited."),
        text_turn("Noted."),
    ]))
    async with env.serve([workspace]) as h:
        uri = h.open(path)
        sid = await _session(h, workspace)
        turn = (await h.request("tether/session/prompt", {"sessionId": sid,
                                                          "text": "edit"}))["turnId"]
        listed = await h.request("tether/changes/list", {"sessionId": sid, "turnId": turn})
        files = {f["path"]: f for f in listed["turns"][0]["files"]}
        assert set(files) == {"lines.py", "made.py"} and files["made.py"]["created"]
        hunks = files["lines.py"]["hunks"]
        assert [x["newStart"] for x in hunks] == [2, 9]
        undone = await h.request("tether/changes/undo", {
            "sessionId": sid, "turnId": turn, "path": "lines.py", "hunk": hunks[1]["id"]})
        assert undone["undone"] == [hunks[1]["id"]]
        assert h.editor.docs[uri][0] == text.replace("v2 = 2", "v2 = 20")
        event = await h.wait_event(sid, "change_undone")
        assert event["event"]["uri"] == path_to_uri(path)
        await h.request("tether/session/prompt", {"sessionId": sid, "text": "ok?"})
        users = [str(m.get("content")) for m in env.provider.requests[-1]["messages"]
                 if m.get("role") == "user"]
        assert any("undid your change to lines.py line 9" in u for u in users)
        h.type_text(uri, 0, 0, "# mine\n")  # the user's own line survives the rewind
        rewound = await h.request("tether/session/rewind", {"sessionId": sid, "turnId": turn})
        assert sorted(rewound["restored"]) == ["lines.py", "made.py"]
        assert h.editor.docs[uri][0] == "# mine\n" + text
        assert not new_file.exists()
        loaded = await h.request("tether/session/load", {"sessionId": sid})
        assert turn in loaded["rewoundTurnIds"]
        await h.wait_event(sid, "turn_rewound")


async def test_typing_between_two_edits_of_a_turn_survives_undo_and_rewind(
        env: Env, workspace: Path) -> None:
    path = workspace / "calc.py"
    text = "".join(f"v{i} = {i}\n" for i in range(1, 11))
    path.write_text(text)
    env.provider.set_script(Script([
        tool_turn("edit", {"path": "calc.py", "old": "v2 = 2", "new": "v2 = 20"}),
        tool_turn("edit", {"path": "calc.py", "old": "v9 = 9", "new": "v9 = 90"}),
        text_turn("Edited."),
    ]))
    typed = text.replace("v5 = 5\n", "v5 = 5\n# mine\n")
    async with env.serve([workspace], settings={"editApproval": "ask"}) as h:
        uri = h.open(path)
        sid = await _session(h, workspace)
        # the user types while asked about the second edit: between the two edits
        h.editor.on_asked = lambda n: h.type_text(uri, 5, 0, "# mine\n") if n == 2 else None
        turn = (await h.request("tether/session/prompt", {"sessionId": sid,
                                                          "text": "edit"}))["turnId"]
        assert h.editor.docs[uri][0] == typed.replace("v2 = 2\n", "v2 = 20\n").replace(
            "v9 = 9\n", "v9 = 90\n")
        listed = await h.request("tether/changes/list", {"sessionId": sid, "turnId": turn})
        hunks = listed["turns"][0]["files"][0]["hunks"]
        assert [x["added"] for x in hunks] == [["v2 = 20"], ["v9 = 90"]]
        undone = await h.request("tether/changes/undo", {
            "sessionId": sid, "turnId": turn, "path": "calc.py", "hunk": hunks[0]["id"]})
        assert undone["undone"] == [hunks[0]["id"]]
        assert h.editor.docs[uri][0] == typed.replace("v9 = 9\n", "v9 = 90\n")
        rewound = await h.request("tether/session/rewind", {"sessionId": sid, "turnId": turn})
        assert rewound["restored"] == ["calc.py"] and rewound["conflicts"] == []
        assert h.editor.docs[uri][0] == typed
