"""Importing Codex CLI sessions (rollout files) as Tether sessions.

Codex writes one JSONL "rollout" per session under `~/.codex/sessions/YYYY/MM/DD/
rollout-<time>-<id>.jsonl` (`$CODEX_HOME` moves `~/.codex`). Each line is a
`RolloutLine` of openai/codex (`codex-rs/protocol/src/protocol.rs`):
`{"timestamp", "type", "payload"}` with type `session_meta` (id, cwd, cli_version, ...),
`response_item` (what the model saw: `message` with input_text / output_text content,
`reasoning` with summary_text, `function_call` with JSON-string arguments and a
`call_id`, `function_call_output` whose output is a string or content items,
`custom_tool_call` / `custom_tool_call_output`, `local_shell_call`, web search, ...),
`turn_context` (model, cwd, policies), `event_msg` (UI events that repeat the items)
and `compacted`. Older rollouts have bare items and a first line with `id` and
`timestamp` only; both shapes are read.

The conversation becomes Tether turns (a turn per user message, assistant messages with
their tool calls, tool results after them, so the history is valid for a model API).
Everything else, including item types this version does not know, is kept verbatim as
`codex_item` records (readers skip them), never dropped. The Tether session id is
derived from the Codex session id, so importing twice creates one copy.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from tether.errors import StoreError
from tether.protocol.models import (
    Message,
    Part,
    SessionInfo,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from tether.store.base import SessionStore
from tether.store.records import decode_line, parse_time

log = logging.getLogger(__name__)

CODEX_ITEM = "codex_item"
IMPORT_NAMESPACE = uuid.UUID("6f1e3c1a-9a53-4d5e-8f3e-2f7c1b0c9d41")
NO_OUTPUT = "No output was recorded for this call in the Codex session."
_CONTEXT_PREFIXES = ("<environment_context>", "<user_instructions>", "# AGENTS.md instructions",
                     "<permissions instructions>", "<INSTRUCTIONS>")
_RESPONSE_ITEM_TYPES = {"message", "reasoning", "function_call", "function_call_output",
                        "custom_tool_call", "custom_tool_call_output", "local_shell_call",
                        "web_search_call"}


def codex_home() -> Path:
    return Path(os.environ.get("CODEX_HOME") or Path.home() / ".codex")


def find_rollouts(path: Path | None = None) -> list[Path]:
    """The rollout files at `path` (a file, or a folder searched recursively)."""
    root = path or codex_home() / "sessions"
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("rollout-*.jsonl") if p.is_file())


@dataclass
class Rollout:
    path: Path
    codex_id: str = ""
    cwd: str = ""
    started: str = ""
    model: str = ""
    lines: list[dict[str, Any]] = field(default_factory=list)  # (timestamp, type, payload)
    problems: list[str] = field(default_factory=list)


def read_rollout(path: Path) -> Rollout:
    rollout = Rollout(path)
    _read_lines(rollout)
    _take_session_facts(rollout)
    if not rollout.codex_id:
        rollout.codex_id = path.stem
    return rollout


def _read_lines(rollout: Rollout) -> None:
    """Every readable line, normalized; a torn last line and bad JSON become problems."""
    path = rollout.path
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            if not raw.endswith(b"\n"):
                rollout.problems.append(f"{path}:{number}: torn last line skipped")
                break
            line = decode_line(raw)
            if isinstance(line, str):
                rollout.problems.append(f"{path}:{number}: {line}")
                continue
            rollout.lines.append(_normalized(line, first=not rollout.lines))


def _take_session_facts(rollout: Rollout) -> None:
    """Id, cwd and start from `session_meta`; cwd and model from the first `turn_context`."""
    for line in rollout.lines:
        payload = line["payload"]
        if not isinstance(payload, dict):
            continue
        if line["type"] == "session_meta":
            rollout.codex_id = str(payload.get("id") or payload.get("session_id") or "")
            rollout.cwd = str(payload.get("cwd") or rollout.cwd)
            rollout.started = str(payload.get("timestamp") or line["timestamp"] or "")
        elif line["type"] == "turn_context":
            rollout.cwd = rollout.cwd or str(payload.get("cwd") or "")
            rollout.model = rollout.model or str(payload.get("model") or "")


def _normalized(line: dict[str, Any], *, first: bool) -> dict[str, Any]:
    """{"timestamp", "type", "payload"} for the current and the older (bare) shapes."""
    if "payload" in line and isinstance(line.get("type"), str):
        return {"timestamp": line.get("timestamp") or "", "type": line["type"],
                "payload": line["payload"]}
    if first and "id" in line and "type" not in line:
        return {"timestamp": line.get("timestamp") or "", "type": "session_meta", "payload": line}
    if line.get("type") in _RESPONSE_ITEM_TYPES:
        return {"timestamp": line.get("timestamp") or "", "type": "response_item",
                "payload": line}
    return {"timestamp": line.get("timestamp") or "", "type": str(line.get("type") or "unknown"),
            "payload": line}


def session_id_for(rollout: Rollout) -> str:
    return str(uuid.uuid5(IMPORT_NAMESPACE, f"codex:{rollout.codex_id}"))


def _content_text(content: object, kinds: Iterable[str]) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    wanted = set(kinds)
    return "".join(str(c.get("text", "")) for c in content
                   if isinstance(c, dict) and c.get("type") in wanted)


def _output_text(output: object) -> str:
    """function_call_output.output: a string, content items, or {content: ...} (older)."""
    if isinstance(output, dict):
        output = output.get("content", json.dumps(output, ensure_ascii=False))
    if isinstance(output, list):
        return _content_text(output, ("input_text", "output_text", "text"))
    return output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)


def _arguments(raw: object) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            return {"raw": raw}
        return value if isinstance(value, dict) else {"value": value}
    return {}


_CALL_TYPES = ("function_call", "custom_tool_call", "local_shell_call")
_OUTPUT_TYPES = ("function_call_output", "custom_tool_call_output")


def _call_arguments(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A call's arguments: JSON text (function), free-form input (custom), action (shell)."""
    if kind == "function_call":
        return _arguments(payload.get("arguments"))
    if kind == "custom_tool_call":
        return {"input": payload.get("input", "")}
    return _arguments(payload.get("action"))


class _Builder:
    """Rollout lines in, Tether records out (wire dicts without seqs)."""

    def __init__(self, session_id: str, model: str) -> None:
        self.session_id = session_id
        self.model = model
        self.records: list[dict[str, Any]] = []
        self.turn_id: str | None = None
        self.time = ""
        self.thinking: list[str] = []
        self.texts: list[str] = []
        self.calls: list[ToolCallPart] = []
        self.open_calls: list[str] = []
        self.known_calls: set[str] = set()
        self.title = ""

    def _record(self, kind: str, **fields: Any) -> None:
        record = {"sessionId": self.session_id, "turnId": self.turn_id, "seq": 0,
                  "time": self.time or datetime.now(UTC).isoformat(), "type": kind, **fields}
        self.records.append(record)

    def _message(self, role: Literal["user", "assistant", "tool"], parts: list[Part]) -> None:
        message = Message(id=uuid.uuid4().hex, role=role, parts=parts, turn_id=self.turn_id)
        self._record("message_added", message=message.to_wire())

    def keep(self, line: dict[str, Any]) -> None:
        self._record(CODEX_ITEM, item=line)

    def flush_assistant(self) -> None:
        parts: list[Part] = []
        if self.thinking:
            parts.append(ThinkingPart(text="\n\n".join(self.thinking)))
        parts.extend(TextPart(text=t) for t in self.texts)
        parts.extend(self.calls)
        self.open_calls.extend(c.id for c in self.calls)
        self.thinking, self.texts, self.calls = [], [], []
        if parts:
            self._message("assistant", parts)

    def close_turn(self) -> None:
        if self.turn_id is None:
            return
        self.flush_assistant()
        for call_id in self.open_calls:
            self._message("tool", [ToolResultPart(tool_call_id=call_id, content=NO_OUTPUT,
                                                  is_error=True)])
        self.open_calls = []
        self._record("turn_completed", reason="imported from Codex")
        self.turn_id = None

    def open_turn(self, prompt: str | None) -> None:
        self.close_turn()
        self.turn_id = uuid.uuid4().hex
        self._record("turn_started", model=self.model)  # the prompt is in the message
        if prompt is not None:
            if not self.title and prompt.strip():
                self.title = prompt.strip().splitlines()[0][:80]
            self._message("user", [TextPart(text=prompt)])

    def item(self, line: dict[str, Any]) -> None:
        """One `response_item`: a prompt, model output, a tool call or its result; anything
        else is kept verbatim."""
        payload = line["payload"]
        kind = payload.get("type") if isinstance(payload, dict) else None
        role = payload.get("role") if kind == "message" else None
        if role == "user":
            self._user_message(line, payload)
        elif role == "assistant":
            self._assistant_message(payload)
        elif kind == "reasoning":
            self._reasoning(line, payload)
        elif kind in _CALL_TYPES:
            self._tool_call(str(kind), payload)
        elif kind in _OUTPUT_TYPES:
            self._tool_output(line, payload)
        else:
            self.keep(line)

    def _user_message(self, line: dict[str, Any], payload: dict[str, Any]) -> None:
        text = _content_text(payload.get("content"), ("input_text", "text"))
        if not text or text.lstrip().startswith(_CONTEXT_PREFIXES):
            self.keep(line)  # instructions and environment Codex adds, not a prompt
        else:
            self.open_turn(text)

    def _assistant_message(self, payload: dict[str, Any]) -> None:
        self._assistant()
        text = _content_text(payload.get("content"), ("output_text", "text"))
        if text:
            self.texts.append(text)

    def _reasoning(self, line: dict[str, Any], payload: dict[str, Any]) -> None:
        self._assistant()
        summary = _content_text(payload.get("summary"), ("summary_text",))
        content = _content_text(payload.get("content"), ("reasoning_text", "text"))
        if summary or content:
            self.thinking.append(summary or content)
        else:
            self.keep(line)  # encrypted reasoning only: kept as it was

    def _tool_call(self, kind: str, payload: dict[str, Any]) -> None:
        self._assistant()
        call_id = str(payload.get("call_id") or payload.get("id") or uuid.uuid4().hex)
        name = str(payload.get("name") or ("shell" if kind == "local_shell_call" else kind))
        arguments = _call_arguments(kind, payload)
        self.calls.append(ToolCallPart(id=call_id, name=name, arguments=arguments))
        self.known_calls.add(call_id)

    def _tool_output(self, line: dict[str, Any], payload: dict[str, Any]) -> None:
        """The result of a call this import has seen, in a turn; else kept verbatim."""
        call_id = str(payload.get("call_id") or "")
        if call_id not in self.known_calls or self.turn_id is None:
            self.keep(line)
            return
        self.flush_assistant()
        if call_id in self.open_calls:
            self.open_calls.remove(call_id)
        self._message("tool", [ToolResultPart(tool_call_id=call_id,
                                              content=_output_text(payload.get("output")))])

    def _assistant(self) -> None:
        """Model output opens a turn when the rollout has none yet (no user prompt)."""
        if self.turn_id is None:
            self.open_turn(None)


def convert(rollout: Rollout, session_id: str, workspace_folder: str
            ) -> tuple[SessionInfo, list[dict[str, Any]]]:
    """The header and records of the Tether session for one rollout."""
    builder = _Builder(session_id, f"codex/{rollout.model}" if rollout.model else "codex")
    for line in rollout.lines:
        builder.time = str(line.get("timestamp") or builder.time)
        if line["type"] == "response_item" and isinstance(line["payload"], dict):
            builder.item(line)
        else:
            builder.keep(line)
    builder.close_turn()
    created = parse_time(rollout.started) or datetime.now(UTC)
    info = SessionInfo(
        id=session_id, title=builder.title or "Codex session", created_at=created,
        updated_at=created, workspace_folder=workspace_folder, model=builder.model,
        agent="codex",
        metadata={"importedFrom": "codex", "codexSessionId": rollout.codex_id,
                  "rollout": str(rollout.path)},
    )
    return info, builder.records


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def belongs_to(rollout: Rollout, root: Path) -> bool:
    """The rollout ran in `root` or below it."""
    if not rollout.cwd:
        return False
    try:
        cwd = Path(rollout.cwd).resolve()
    except (OSError, RuntimeError):
        return False
    return cwd == root or root in cwd.parents


def import_rollouts(store: SessionStore, root: Path, paths: Iterable[Path]) -> ImportReport:
    """Import the rollouts of `root` into its store; those already imported are skipped."""
    report = ImportReport()
    for path in paths:
        try:
            rollout = read_rollout(path)
        except OSError as exc:
            report.problems.append(f"{path}: {exc.strerror or exc}")
            continue
        report.problems.extend(rollout.problems)
        if not belongs_to(rollout, root):
            report.skipped += 1
            continue
        session_id = session_id_for(rollout)
        if store.exists(session_id):
            report.skipped += 1
            continue
        info, records = convert(rollout, session_id, str(root))
        try:
            store.create(info, records)
        except StoreError as exc:
            if store.exists(session_id):  # another process imported it meanwhile
                report.skipped += 1
                continue
            report.problems.append(f"{path}: {exc.message}")
            continue
        report.imported.append(session_id)
    return report
