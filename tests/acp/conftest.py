"""Harness for `tether acp` driven by the official ACP TypeScript SDK (tests/acp/client.mjs).

The client runs in node with the SDK pinned in tests/acp/package-lock.json (installed by
`.ci/install-acp-client.sh`); the agent is `python -m tether acp`; the model is the
scripted provider server over real HTTP. Each `run_client` call is one client process
with one agent process, running a plan of steps and returning the client's report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.server_env import server_environ
from tether.testing.provider_server import Script, ScriptedProviderServer

HERE = Path(__file__).parent
CLIENT = HERE / "client.mjs"
AGENT_COMMAND = [sys.executable, "-m", "tether", "acp"]
RUN_TIMEOUT = 90.0  # an upper bound for a hung process; never a timing assertion


def _sdk_installed() -> bool:
    return (HERE / "node_modules" / "@agentclientprotocol" / "sdk" / "package.json").is_file()


@dataclass
class AcpEnv:
    provider: ScriptedProviderServer
    data_dir: Path
    tmp: Path

    def environ(self) -> dict[str, str]:
        return server_environ(self.provider, self.data_dir, self.tmp)

    def run_client(self, steps: list[dict[str, Any]], **plan: Any) -> dict[str, Any]:
        plan_file = self.tmp / f"plan-{len(list(self.tmp.glob('plan-*.json')))}.json"
        plan_file.write_text(json.dumps({"command": AGENT_COMMAND, "steps": steps, **plan}))
        done = subprocess.run(["node", str(CLIENT), str(plan_file)], env=self.environ(),
                              capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
        sys.stderr.write(done.stderr)
        assert done.returncode == 0, done.stdout + done.stderr
        report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        # every response the agent gave is valid ACP v1 by the SDK's own schema
        assert [s for s in report["steps"] if "invalid" in s] == [], report["steps"]
        return report

    def tether(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tether", *args], env=self.environ(),
                              capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)


@pytest.fixture
def acp_env(tmp_path: Path) -> Iterator[AcpEnv]:
    if shutil.which("node") is None or not _sdk_installed():
        if os.environ.get("CI"):
            pytest.fail("the ACP test client is not installed: run .ci/install-acp-client.sh")
        pytest.skip("node or tests/acp/node_modules missing: run .ci/install-acp-client.sh")
    with ScriptedProviderServer(Script([])) as srv:
        yield AcpEnv(provider=srv, data_dir=tmp_path / "data", tmp=tmp_path)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root.resolve()


def updates_of(report: dict[str, Any], kind: str, step: int | None = None) -> list[dict[str, Any]]:
    return [u["update"] for u in report["updates"]
            if u["update"]["sessionUpdate"] == kind and (step is None or u["step"] == step)]
