"""VS Code against a remote `tether serve --ws` / `--tcp` (as on another machine): the
extension set to `tether.server.remote`, no token at first (a message with a button),
the token typed into **Tether: Set Remote Token** (secret storage), then a chat answered
by the remote server. Same code-server + Chromium harness as test_vscode_e2e.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tether.testing.provider_server import Script, ScriptedProviderServer, text_turn

from .test_vscode_e2e import _scenario, vsix  # noqa: F401  (the module-scoped fixture)

pytestmark = pytest.mark.editor

TOKEN = "vscode-e2e-remote-token-0815"
ANSWER = "Answered by the remote server."


@pytest.mark.parametrize("transport", ["ws", "tcp"])
def test_remote_server_with_the_token_from_secret_storage(
        vsix: Path, tmp_path: Path, transport: str) -> None:  # noqa: F811
    remote_data = tmp_path / "remote-data"
    with ScriptedProviderServer(Script([text_turn(ANSWER)], title="Remote")) as provider:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TETHER_", "OPENAI_", "ANTHROPIC_"))}
        env.update({"TETHER_TOKEN": TOKEN, "TETHER_DATA_DIR": str(remote_data),
                    "TETHER_CONFIG": str(tmp_path / "none.toml"), "TETHER_PROVIDER": "openai",
                    "OPENAI_BASE_URL": provider.openai_base_url, "OPENAI_API_KEY": "test"})
        stderr = tmp_path / "serve.stderr"
        with stderr.open("wb") as err, subprocess.Popen(
            [sys.executable, "-m", "tether", "serve", f"--{transport}", "127.0.0.1:0"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
        ) as server:
            try:
                deadline = time.monotonic() + 30
                while not (match := re.search(r"listening on \w+://127\.0\.0\.1:(\d+)",
                                              stderr.read_text())):
                    assert server.poll() is None and time.monotonic() < deadline, \
                        stderr.read_text()
                    time.sleep(0.1)
                address = f"{transport}://127.0.0.1:{match.group(1)}"
                report, _, local_data = _scenario(
                    f"remote-{transport}", vsix, tmp_path, {"turns": []},
                    {"tether.server.remote": address},
                    {"token": TOKEN, "remoteAnswer": ANSWER})
            finally:
                server.kill()
    assert "needs the server's token" in str(report["tokenToast"]), report
    assert report["remoteAnswer"] == ANSWER, report
    assert provider.requests, "the remote server's own provider answered"
    assert list(remote_data.rglob("*.jsonl")), "the session lives on the remote side"
    assert not local_data.exists() or not list(local_data.rglob("*.jsonl"))
    settings = (tmp_path / "user-data" / "User" / "settings.json").read_text()
    assert TOKEN not in settings
