"""`vscode-client/src/protocol.ts` compiles under `tsc --strict` and narrows as intended."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tether.protocol.events import EVENT_TYPES
from tether.protocol.generate import TS_PATH, default_root

NPX = shutil.which("npx")
LOCAL_TSC = default_root() / "vscode-client" / "node_modules" / ".bin" / "tsc"


def tsc() -> list[str]:
    """The client's own TypeScript when installed (offline, pinned), else typescript@5."""
    if LOCAL_TSC.is_file():
        return [str(LOCAL_TSC)]
    assert NPX is not None
    return [NPX, "-y", "-p", "typescript@5", "tsc"]

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


BAD = """\
import { PromptParams, TurnStatus } from "./protocol";
export const p: PromptParams = { session_id: "s", text: "x" };
export const s: TurnStatus = "done";
"""


@pytest.mark.skipif(NPX is None, reason="node/npx not installed: cannot run tsc")
def test_protocol_ts_compiles_strict_and_catches_mistakes(tmp_path: Path) -> None:
    """One tsc run: protocol.ts and a typical use compile clean; a file with a misspelt
    field and a wrong literal fails, so the check has teeth."""
    shutil.copy(default_root() / TS_PATH, tmp_path / "protocol.ts")
    (tmp_path / "usage.ts").write_text(USAGE % {"cases": _cases()}, encoding="utf-8")
    (tmp_path / "bad.ts").write_text(BAD, encoding="utf-8")
    proc = subprocess.run(
        [*tsc(), "--noEmit", "--strict", "--target", "es2020", "--moduleResolution", "node",
         "--pretty", "false", "protocol.ts", "usage.ts", "bad.ts"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )
    errors = [line for line in proc.stdout.splitlines() if ": error TS" in line]
    assert [e for e in errors if not e.startswith("bad.ts")] == [], proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert any("session_id" in e for e in errors), errors
    assert any('"done"' in e for e in errors), errors
