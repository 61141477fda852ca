"""A rejection's comment reaches the model for every tool that asks, over LSP.

The editor answers `tether/permission/request` with `reject` and the words the user
typed; the scripted provider records the next request, whose tool result must hold them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tether.testing.provider_server import Script, text_turn, tool_turn

from .conftest import Env

FLAKY = Path(__file__).resolve().parents[1] / "mcp" / "flaky_server.py"


def _tool_results(env: Env) -> list[str]:
    return [str(m.get("content")) for m in env.provider.requests[-1]["messages"]
            if m.get("role") == "tool"]


@pytest.mark.parametrize(("call", "settings"), [
    (("run_command", {"command": "echo hi > out.txt"}), {}),
    (("mcp__flaky__echo", {"text": "hello"}),
     {"mcpServers": {"flaky": {"command": sys.executable, "args": [str(FLAKY)]}}}),
], ids=["run_command", "mcp-tool"])
async def test_rejected_call_tells_the_model_what_the_user_said(
        env: Env, workspace: Path, call: tuple[str, dict[str, Any]],
        settings: dict[str, Any]) -> None:
    env.provider.set_script(Script([tool_turn(*call), text_turn("Understood.")]))
    async with env.serve([workspace], settings=settings) as h:
        h.editor.permission_answer, h.editor.permission_comment = "reject", "not on main"
        created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
        sid = created["sessionId"]
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "go"})
        assert result["status"] == "completed"
        assert [r["tool"] for r in h.editor.permission_requests] == [call[0]]
        (rejected,) = _tool_results(env)
        assert "rejected" in rejected and '"not on main"' in rejected
        assert "flaky says" not in rejected and not (workspace / "out.txt").exists()
        resolved = await h.wait_event(sid, "permission_resolved")
        assert resolved["event"]["option"] == "reject"
