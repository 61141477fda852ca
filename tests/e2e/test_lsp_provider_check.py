"""`tether/provider/check`: the chat asks when it opens whether the provider answers, so a
wrong address or key shows before the first prompt; a local server is named by what it
is, and the answer carries the fix and the setting (issue 15, VS Code 3)."""

from __future__ import annotations

import socket
from pathlib import Path

from .conftest import Env


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_provider_check_names_the_server_and_the_fix(env: Env, tmp_path: Path) -> None:
    ws = (tmp_path / "ws").resolve()
    ws.mkdir()
    async with env.serve([ws]) as h:
        up = await h.request("tether/provider/check", {})
        assert up["state"] == "ok", up
        assert up["label"] == f"the OpenAI-compatible server at {env.provider.openai_base_url}"
        down = f"http://127.0.0.1:{_closed_port()}/v1"
        h.client.set_configuration({"titleGeneration": False, "openaiBaseUrl": down},
                                   section="tether")
        check = await h.request("tether/provider/check", {})
    assert check["state"] == "unreachable", check
    assert check["label"] == f"the OpenAI-compatible server at {down}", check
    assert check["message"].startswith(f"Cannot reach the OpenAI-compatible server at {down}")
    assert check["setting"] == "openaiBaseUrl" and check["fix"], check
    assert "OpenAI at" not in check["message"]
