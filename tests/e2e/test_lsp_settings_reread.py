"""The server re-reads the editor's settings before it lists models or creates a session.

VS Code sends `didChangeConfiguration` and the chat's next request on the same settings
event, so the request can arrive before the server pulled the change; what the server
listed or created then used the old model (issue 15, VS Code 1). Here the editor's answer
changes with no notification at all: the next list and create must still see it.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import Env


async def test_models_and_new_session_use_the_settings_of_this_moment(
        env: Env, tmp_path: Path) -> None:
    ws = (tmp_path / "ws").resolve()
    ws.mkdir()
    async with env.serve([ws]) as h:
        first = await h.request("tether/session/create", {"folderUri": ws.as_uri()})
        assert first["session"]["model"] != "openai/gpt-4.1"
        h.client.set_configuration({"titleGeneration": False, "model": "gpt-4.1"},
                                   section="tether")
        listed = await h.request("tether/models/list", {})
        assert listed["default"] == "openai/gpt-4.1", listed
        assert listed["models"][0]["id"] == "openai/gpt-4.1", listed
        h.client.set_configuration({"titleGeneration": False, "model": "gpt-4.1-mini"},
                                   section="tether")
        created = await h.request("tether/session/create", {"folderUri": ws.as_uri()})
        assert created["session"]["model"] == "openai/gpt-4.1-mini", created
