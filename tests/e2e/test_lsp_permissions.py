"""Permission prompts: tether/permission/request when declared, showMessageRequest otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from tether.testing.provider_server import Script, text_turn, tool_turn

from .conftest import Env


def _script() -> Script:
    return Script([tool_turn("run_command", {"command": "echo hi > out.txt"}),
                   text_turn("ok")])


@pytest.mark.parametrize("permissions", [True, False], ids=["tether-request", "show-message"])
@pytest.mark.parametrize("allow", [True, False], ids=["allow", "reject"])
async def test_permission_allow_and_reject(env: Env, workspace: Path, permissions: bool,
                                           allow: bool) -> None:
    env.provider.set_script(_script())
    async with env.serve([workspace], permissions=permissions) as h:
        h.editor.permission_answer = "allow_once" if allow else "reject"
        h.editor.message_answer = "Allow once" if allow else "Reject"
        created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
        sid = created["sessionId"]
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "run"})
        assert result["status"] == "completed"
        if permissions:
            (asked,) = h.editor.permission_requests
            assert asked["tool"] == "run_command" and asked["sessionId"] == sid
            assert asked["options"] == ["allow_once", "allow_always", "reject"]
            assert h.editor.message_requests == []
        else:
            (asked,) = h.editor.message_requests
            assert "echo hi" in asked.message
            assert [a.title for a in asked.actions or []] == [
                "Allow once", "Allow always", "Reject"]
            assert h.editor.permission_requests == []
        assert (workspace / "out.txt").exists() is allow
        resolved = await h.wait_event(sid, "permission_resolved")
        assert resolved["event"]["option"] == ("allow_once" if allow else "reject")
        done = await h.wait_event(sid, "tool_call_completed")
        assert done["event"]["success"] is allow


async def test_dismissed_message_request_rejects(env: Env, workspace: Path) -> None:
    env.provider.set_script(_script())
    async with env.serve([workspace], permissions=False, client_name="neovim") as h:
        h.editor.message_answer = None  # the user closed the prompt
        created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
        result = await h.request("tether/session/prompt",
                                 {"sessionId": created["sessionId"], "text": "run"})
        assert result["status"] == "completed"
        assert not (workspace / "out.txt").exists()
