"""Invariant 6 end to end: a key the provider echoes back never leaves the server.

The scripted provider puts the key it was sent into a mid-stream error event and into a
garbled `data:` line, and the model "echoes" the key in text streamed across chunk
boundaries; the agent runs `tr '\\0' '\\n' < /proc/$PPID/environ` and `env`. The key must
then be absent from history on disk, the DEBUG server log, stderr, every event the
client got, the prompt results, what was sent back to the model, and the server's own
`/proc/<pid>/environ`. The keys have no well-known shape (no `sk-`), so only the
redactor's knowledge of configured secrets can hide them.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from e2e.conftest import WAIT, Editor, Harness, make_client
from tether.lsp.wire import plain
from tether.testing.provider_server import (
    Script,
    ScriptedProviderServer,
    ToolCallSpec,
    Turn,
)
from tether.workspace.folder import path_to_uri

KEY = "tq" + uuid.uuid4().hex + "Zx9"  # the key the provider accepts
ENV_KEY = "ev" + uuid.uuid4().hex + "Qk7"  # a second key, only in the environment
TOKEN = "tt" + uuid.uuid4().hex + "Wm3"  # the remote-auth token, only in the environment
SECRETS = (KEY, ENV_KEY, TOKEN)
SHOW_ENV = "tr '\\0' '\\n' < /proc/$PPID/environ; echo; env"


def _script() -> Script:
    return Script([
        # prompt 1: half an answer, then an error event echoing the key: the turn fails.
        # prompt 2: the same turn played whole: a run_command that dumps the environments.
        Turn(text="Let me look at the environment first.",
             tool_calls=[ToolCallSpec("run_command", {"command": SHOW_ENV})],
             fault="error_event", chunk_size=4),
        # then a garbled line echoing the key (the stream restarts), then the model
        # echoing both secrets in small chunks, so they straddle delta boundaries.
        Turn(text=f"Found it: the key is {KEY} and the token is {TOKEN}. Done.",
             fault="garbled", chunk_size=5, chunk_delay=0.03),
    ])


async def _prompt(h: Harness, sid: str, text: str) -> dict[str, Any]:
    result: dict[str, Any] = await h.request(
        "tether/session/prompt", {"sessionId": sid, "text": text})
    return result


@pytest.mark.parametrize("wire", ["openai", "anthropic"])
async def test_echoed_keys_reach_no_output(
    wire: str, tmp_path: Path, workspace: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    log_file = tmp_path / "server.log"
    with ScriptedProviderServer(_script(), api_key=KEY) as provider:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TETHER_", "OPENAI_", "ANTHROPIC_"))}
        env.update({"TETHER_DATA_DIR": str(data_dir),
                    "TETHER_CONFIG": str(tmp_path / "no-config.toml"),
                    "TETHER_PROVIDER": wire, "TETHER_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"})
        command = [sys.executable, "-m", "tether", "serve", "--log-level", "DEBUG"]
        settings: dict[str, Any] = {"titleGeneration": False}
        if wire == "openai":
            # The key comes from the editor's settings, the environment holds another.
            env.update({"OPENAI_BASE_URL": provider.openai_base_url, "OPENAI_API_KEY": ENV_KEY})
            settings["openaiApiKey"] = KEY
            command += ["--log-file", str(log_file)]
        else:  # the key comes from the environment, as VS Code passes it; log on stderr
            env.update({"ANTHROPIC_BASE_URL": provider.anthropic_base_url,
                        "ANTHROPIC_API_KEY": KEY, "OPENAI_API_KEY": ENV_KEY})

        editor = Editor()
        client = make_client(editor)
        client.set_configuration(settings, section="tether")
        await client.start_io(*command, env=env)
        try:
            caps = client_capabilities("visual-studio-code")
            caps.experimental = {"tether": {"permissions": True}}
            init = await asyncio.wait_for(client.initialize_session(types.InitializeParams(
                capabilities=caps, root_uri=path_to_uri(workspace),
                workspace_folders=[types.WorkspaceFolder(uri=path_to_uri(workspace),
                                                         name="ws")])), WAIT)
            h = Harness(client, editor, init)
            created = await h.request("tether/session/create",
                                      {"folderUri": workspace.as_uri()})
            sid = created["sessionId"]
            failed = await _prompt(h, sid, "what is wrong?")
            done = await _prompt(h, sid, "try again")
            assert client._server is not None
            server_environ = Path(f"/proc/{client._server.pid}/environ").read_bytes()
            exported = await h.request("tether/session/export",
                                       {"sessionId": sid, "format": "json"})
            await asyncio.wait_for(client.shutdown_session(), WAIT)
        finally:
            server = client._server
            if server is not None and server.returncode is None:
                server.kill()
            await asyncio.wait_for(client.stop(), WAIT)
        requests = json.dumps(provider.requests)

    # The paths were really taken: the error, the restart, the tool, the echo.
    assert failed["status"] == "failed" and "mid-stream" in failed["reason"], failed
    assert done["status"] == "completed", done
    kinds = [e["event"]["type"] for e in editor.events]
    assert "stream_retry" in kinds
    outputs = [e["event"]["output"] for e in editor.events
               if e["event"]["type"] == "tool_call_completed"]
    assert outputs and "TETHER_DATA_DIR=" in outputs[0] and "PATH=" in outputs[0]
    assert "the key is ***" in done["text"]
    streamed = "".join(e["event"]["text"] for e in editor.events
                       if e["event"]["type"] == "text_delta")
    log_text = log_file.read_text() if wire == "openai" else ""
    stderr = capfd.readouterr().err
    debug_log = log_text or stderr
    assert "DEBUG" in debug_log and "workspace/configuration" in debug_log

    places = {
        "events": json.dumps(editor.events),
        "streamed text": streamed,
        "prompt results": json.dumps([failed, done]),
        "export": json.dumps(plain(exported)),
        "log file": log_text,
        "stderr": stderr,
        "requests to the model": requests,
        "server environ": server_environ.decode(errors="replace"),
    }
    for path in data_dir.rglob("*"):
        if path.is_file():
            places[str(path)] = path.read_bytes().decode(errors="replace")
    for secret in SECRETS:
        leaks = [where for where, text in places.items() if secret in text]
        assert not leaks, f"{secret[:2]}… found in {leaks}"
