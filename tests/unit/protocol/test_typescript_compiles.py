"""`vscode-client/src/protocol.ts` compiles under `tsc --strict` and narrows as intended."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tether.protocol.events import EVENT_TYPES
from tether.protocol.generate import TS_PATH, default_root

NPX = shutil.which("npx")

USAGE = """\
import {
  DURABLE_EVENT_TYPES, ErrorCode, Method, MethodParamsMap, MethodResultMap,
  PROTOCOL_VERSION, SessionEvent, SessionEventNotification, TurnResult,
} from "./protocol";

// The union narrows on `type`, and the switch is exhaustive (never in default).
export function describe(event: SessionEvent): string {
  switch (event.type) {
%(cases)s
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

export function onNotification(n: SessionEventNotification): number {
  return n.seq + n.event.seq;
}

export function request<M extends keyof MethodParamsMap>(
  method: M, params: MethodParamsMap[M],
): [M, MethodParamsMap[M]] {
  return [method, params];
}

const prompt = request(Method.SessionPrompt, { sessionId: "s", text: "hi" });
const result: MethodResultMap["tether/session/prompt"] = {
  sessionId: "s", turnId: "t", status: "completed", text: "", reason: "",
  usage: {
    promptTokens: 1, completionTokens: 2, totalTokens: 3, cacheReadTokens: 0,
    cacheWriteTokens: 0,
  },
};
const typed: TurnResult = result;
export const used = [prompt, typed, ErrorCode.UnknownSession, PROTOCOL_VERSION,
  DURABLE_EVENT_TYPES.includes("turn_completed")];
"""


def _cases() -> str:
    return "\n".join(
        f'    case "{kind}": return event.type + String(event.seq);' for kind in EVENT_TYPES
    )


@pytest.mark.skipif(NPX is None, reason="node/npx not installed: cannot run tsc")
def test_protocol_ts_compiles_strict(tmp_path: Path) -> None:
    shutil.copy(default_root() / TS_PATH, tmp_path / "protocol.ts")
    (tmp_path / "usage.ts").write_text(USAGE % {"cases": _cases()}, encoding="utf-8")
    assert NPX is not None
    proc = subprocess.run(
        [NPX, "-y", "-p", "typescript@5", "tsc", "--noEmit", "--strict", "--target", "es2020",
         "--moduleResolution", "node", "protocol.ts", "usage.ts"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(NPX is None, reason="node/npx not installed: cannot run tsc")
def test_tsc_catches_a_wrong_field(tmp_path: Path) -> None:
    """The check has teeth: a misspelt field or a wrong literal fails to compile."""
    shutil.copy(default_root() / TS_PATH, tmp_path / "protocol.ts")
    (tmp_path / "bad.ts").write_text(
        'import { PromptParams, TurnStatus } from "./protocol";\n'
        'export const p: PromptParams = { session_id: "s", text: "x" };\n'
        'export const s: TurnStatus = "done";\n',
        encoding="utf-8",
    )
    assert NPX is not None
    proc = subprocess.run(
        [NPX, "-y", "-p", "typescript@5", "tsc", "--noEmit", "--strict", "bad.ts"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode != 0
    assert "session_id" in proc.stdout and '"done"' in proc.stdout
