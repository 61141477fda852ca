"""Codex CLI rollout files in the real format (openai/codex `RolloutLine`: timestamp, type,
payload; `ResponseItem` payloads as codex-rs/protocol/src/models.rs serializes them), for
the import tests. One current-format rollout with tool calls, reasoning and items Tether
does not know, and one of the older bare-item format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CODEX_ID = "0199a213-81c0-7800-8aa1-bbab2a035a53"
OLD_ID = "5973b6c0-94b8-487b-a530-2aeb6098ae0e"


def _line(ts: str, kind: str, payload: dict[str, Any]) -> str:
    return json.dumps({"timestamp": ts, "type": kind, "payload": payload})


def current_rollout(cwd: Path) -> list[str]:
    t = "2026-01-15T09:30:{:02d}.000Z".format
    return [
        _line(t(0), "session_meta", {
            "id": CODEX_ID, "timestamp": t(0), "cwd": str(cwd), "originator": "codex_cli_rs",
            "cli_version": "0.46.0", "instructions": None, "source": "cli",
            "model_provider": "openai",
            "git": {"commit_hash": "abc123", "branch": "main"}}),
        _line(t(1), "response_item", {
            "type": "message", "role": "user", "content": [{
                "type": "input_text",
                "text": f"<environment_context>\n  <cwd>{cwd}</cwd>\n</environment_context>"}]}),
        _line(t(1), "turn_context", {
            "cwd": str(cwd), "approval_policy": "on-request", "model": "gpt-5-codex",
            "sandbox_policy": {"mode": "workspace-write"}, "summary": "auto"}),
        _line(t(2), "response_item", {
            "type": "message", "role": "user",
            "content": [{"type": "input_text", "text": "Why does greet() fail on None?"}]}),
        _line(t(2), "event_msg", {"type": "user_message",
                                  "message": "Why does greet() fail on None?", "images": []}),
        _line(t(3), "response_item", {
            "type": "reasoning", "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "**Reading greet**"}],
            "content": None, "encrypted_content": "gAAAAB..."}),
        _line(t(4), "response_item", {
            "type": "function_call", "id": "fc_1", "name": "shell",
            "arguments": json.dumps({"command": ["bash", "-lc", "cat hello.py"],
                                     "workdir": str(cwd)}),
            "call_id": "call_shell_1"}),
        _line(t(5), "response_item", {
            "type": "function_call_output", "call_id": "call_shell_1",
            "output": json.dumps({"output": "def greet(name):\n    return f'Hello, {name}!'\n"
                                            "# quasimodal marker\n",
                                  "metadata": {"exit_code": 0, "duration_seconds": 0.1}})}),
        _line(t(6), "response_item", {
            "type": "custom_tool_call", "id": "ctc_1", "status": "completed",
            "call_id": "call_patch_1", "name": "apply_patch",
            "input": "*** Begin Patch\n*** Update File: hello.py\n@@\n-    return\n"
                     "+    if name is None:\n*** End Patch"}),
        _line(t(7), "response_item", {
            "type": "custom_tool_call_output", "call_id": "call_patch_1",
            "output": [{"type": "input_text", "text": "Success. Updated hello.py"}]}),
        _line(t(8), "response_item", {
            "type": "web_search_call", "id": "ws_1", "status": "completed",
            "action": {"type": "search", "query": "python f-string None"}}),
        _line(t(9), "response_item", {
            "type": "message", "role": "assistant", "id": "msg_1",
            "content": [{"type": "output_text", "text": "greet() now handles None."}]}),
        _line(t(9), "event_msg", {"type": "token_count", "info": {
            "total_token_usage": {"input_tokens": 1200, "cached_input_tokens": 0,
                                  "output_tokens": 80, "total_tokens": 1280}}}),
        _line(t(10), "world_state", {"note": "a line type this Tether does not know"}),
        _line(t(11), "response_item", {
            "type": "message", "role": "user",
            "content": [{"type": "input_text", "text": "Thanks, also add a test"}]}),
        _line(t(12), "response_item", {
            "type": "function_call", "name": "shell", "call_id": "call_shell_2",
            "arguments": json.dumps({"command": ["pytest", "-q"]})}),
    ]


def old_rollout(cwd: Path) -> list[str]:
    return [
        json.dumps({"id": OLD_ID, "timestamp": "2025-05-01T10:00:00.000Z",
                    "instructions": None}),
        json.dumps({"record_type": "state"}),
        json.dumps({"type": "message", "role": "user",
                    "content": [{"type": "input_text", "text": "hello from May"}]}),
        json.dumps({"type": "message", "role": "assistant",
                    "content": [{"type": "output_text", "text": "hi there"}]}),
        json.dumps({"type": "turn_context", "cwd": str(cwd), "model": "codex-mini"}),
    ]


def write_rollouts(codex_home: Path, cwd: Path, *, also_elsewhere: Path | None = None) -> Path:
    day = codex_home / "sessions" / "2026" / "01" / "15"
    day.mkdir(parents=True, exist_ok=True)
    (day / f"rollout-2026-01-15T09-30-00-{CODEX_ID}.jsonl").write_text(
        "\n".join(current_rollout(cwd)) + "\n")
    old = codex_home / "sessions" / "2025" / "05" / "01"
    old.mkdir(parents=True, exist_ok=True)
    (old / f"rollout-2025-05-01T10-00-00-{OLD_ID}.jsonl").write_text(
        "\n".join(old_rollout(cwd)) + "\n")
    if also_elsewhere is not None:
        lines = current_rollout(also_elsewhere)
        lines[0] = lines[0].replace(CODEX_ID, "0199a213-0000-7800-8aa1-000000000000")
        (day / "rollout-2026-01-15T11-00-00-0199a213-0000-7800-8aa1-000000000000.jsonl"
         ).write_text("\n".join(lines) + "\n")
    return codex_home / "sessions"
