"""Scripted model turns: the one JSON format shared by the replay provider and the test server.

A recorded transcript (`replay:FILE`) and a test script for the local provider server are
the same file, so a demo transcript can be played by the CLI without an API key and by an
editor test over real HTTP. Keys are camelCase in JSON:

    {"turns": [{"text": "Hello", "chunkDelay": 0.01},
               {"toolCalls": [{"name": "edit", "arguments": {"path": "a.py"}}]},
               {"text": "later", "fault": "429", "retryAfter": 0.05, "faultTimes": 1}],
     "repeatLast": false,
     "title": "Optional: the answer to a request without tools (a session's title request)"}

Parsing never half-succeeds: a bad file raises `ScriptError` naming the offending key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

Fault = Literal["429", "500", "401", "drop", "hang", "error_event", "garbled", "silent"]
FAULTS: tuple[str, ...] = (
    "429", "500", "401", "drop", "hang", "error_event", "garbled", "silent",
)
DEFAULT_USAGE: tuple[int, int] = (12, 8)


class ScriptError(ValueError):
    """A script or transcript that cannot be used; the message names the bad key."""


@dataclass
class ToolCallSpec:
    name: str
    arguments: dict[str, Any]
    id: str | None = None


@dataclass
class Turn:
    """One model response: reasoning, then text, then tool calls, streamed in chunks."""

    text: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCallSpec] = field(default_factory=list)
    chunk_size: int = 8  # characters per streamed delta
    chunk_delay: float = 0.0  # seconds between deltas
    usage: tuple[int, int] | None = DEFAULT_USAGE  # (prompt, completion) tokens
    cached_tokens: int = 0  # prompt tokens reported as served from the provider cache
    fault: Fault | None = None
    retry_after: float = 0.05  # Retry-After of a "429" fault, in seconds
    fault_times: int = 1  # requests that get the fault before the turn plays normally

    def text_chunks(self) -> list[str]:
        return split_chunks(self.text, self.chunk_size)

    def reasoning_chunks(self) -> list[str]:
        return split_chunks(self.reasoning, self.chunk_size)


@dataclass
class Script:
    turns: list[Turn]
    repeat_last: bool = False
    title: str | None = None  # the replay provider's answer to a title request

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Script:
        if not isinstance(data, dict):
            raise ScriptError("script: expected a JSON object with a 'turns' list")
        turns = data.get("turns")
        if not isinstance(turns, list):
            raise ScriptError("script: 'turns' must be a list")
        repeat = data.get("repeatLast", data.get("repeat_last", False))
        if not isinstance(repeat, bool):
            raise ScriptError("script: 'repeatLast' must be true or false")
        title = data.get("title")
        if title is not None and not isinstance(title, str):
            raise ScriptError("script: 'title' must be a string")
        turns_ = [_turn(t, f"turns[{i}]") for i, t in enumerate(turns)]
        return cls(turns_, repeat_last=repeat, title=title)

    @classmethod
    def from_file(cls, path: str | Path) -> Script:
        p = Path(path)
        try:
            raw = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScriptError(f"{p}: cannot read the script ({exc.strerror or exc})") from exc
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ScriptError(f"{p}: not valid JSON ({exc})") from exc
        try:
            return cls.from_json(data)
        except ScriptError as exc:
            raise ScriptError(f"{p}: {exc}") from exc

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"turns": [_turn_json(t) for t in self.turns]}
        out["repeatLast"] = self.repeat_last
        if self.title is not None:
            out["title"] = self.title
        return out


def text_turn(text: str, **kw: Any) -> Turn:
    return Turn(text=text, **kw)


def tool_turn(name: str, arguments: dict[str, Any], **kw: Any) -> Turn:
    call_id = kw.pop("id", None)
    return Turn(tool_calls=[ToolCallSpec(name, arguments, call_id)], **kw)


def split_chunks(text: str, size: int) -> list[str]:
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _turn(raw: Any, where: str) -> Turn:
    if not isinstance(raw, dict):
        raise ScriptError(f"{where}: expected an object")
    keys: dict[str, Any] = {_camel(str(k)): v for k, v in raw.items()}
    unknown = sorted(str(k) for k in raw if _camel(str(k)) not in _TURN_FIELDS)
    if unknown:
        raise ScriptError(f"{where}: unknown key {unknown[0]!r}")
    turn = Turn()
    for key, value in keys.items():
        attribute, check = _TURN_FIELDS[key]
        setattr(turn, attribute, check(value, f"{where}.{key}"))
    return turn


def _camel(key: str) -> str:
    """The camelCase form of a turn key: snake_case is accepted too."""
    return _CAMEL.get(key, key)


def _text(value: Any, where: str) -> str:
    return cast(str, _typed(value, str, where))


def _calls(value: Any, where: str) -> list[ToolCallSpec]:
    if not isinstance(value, list):
        raise ScriptError(f"{where}: must be a list")
    return [_call(c, f"{where}[{i}]") for i, c in enumerate(value)]


def _chunk_size(value: Any, where: str) -> int:
    return _positive_int(value, where, minimum=1)


def _fault(value: Any, where: str) -> Fault | None:
    if value is None:
        return None
    fault = str(value)
    if fault not in FAULTS:
        raise ScriptError(f"{where}: {fault!r} is not one of {', '.join(FAULTS)}")
    return cast(Fault, fault)


def _call(raw: Any, where: str) -> ToolCallSpec:
    if not isinstance(raw, dict):
        raise ScriptError(f"{where}: expected an object")
    name = _typed(raw.get("name"), str, f"{where}.name")
    if not name:
        raise ScriptError(f"{where}.name: must not be empty")
    args = raw.get("arguments", {})
    if not isinstance(args, dict):
        raise ScriptError(f"{where}.arguments: must be an object")
    call_id = raw.get("id")
    if call_id is not None and not isinstance(call_id, str):
        raise ScriptError(f"{where}.id: must be a string")
    return ToolCallSpec(name=name, arguments=args, id=call_id)


def _typed(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind):
        raise ScriptError(f"{where}: must be a {kind.__name__}")
    return value


def _positive_int(value: Any, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ScriptError(f"{where}: must be an integer >= {minimum}")
    return value


def _seconds(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ScriptError(f"{where}: must be a number of seconds >= 0")
    return float(value)


def _usage(value: Any, where: str) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = [
            value.get("prompt", value.get("promptTokens")),
            value.get("completion", value.get("completionTokens")),
        ]
    if not isinstance(value, list) or len(value) != 2:
        raise ScriptError(f"{where}: must be [prompt, completion] or null")
    return (_positive_int(value[0], f"{where}[0]"), _positive_int(value[1], f"{where}[1]"))


# A turn's JSON keys: the Turn attribute each sets, and the check its value must pass.
_TURN_FIELDS: dict[str, tuple[str, Callable[[Any, str], Any]]] = {
    "text": ("text", _text),
    "reasoning": ("reasoning", _text),
    "toolCalls": ("tool_calls", _calls),
    "chunkSize": ("chunk_size", _chunk_size),
    "chunkDelay": ("chunk_delay", _seconds),
    "usage": ("usage", _usage),
    "cachedTokens": ("cached_tokens", _positive_int),
    "fault": ("fault", _fault),
    "retryAfter": ("retry_after", _seconds),
    "faultTimes": ("fault_times", _positive_int),
}
_CAMEL = {attribute: key for key, (attribute, _) in _TURN_FIELDS.items()}


def _turn_json(turn: Turn) -> dict[str, Any]:
    """The inverse of `_turn`: the keys whose value differs from a default turn's."""
    defaults = Turn()
    out: dict[str, Any] = {}
    for key, (attribute, _) in _TURN_FIELDS.items():
        value = getattr(turn, attribute)
        if value != getattr(defaults, attribute):
            out[key] = _JSON_FORMS[key](value) if key in _JSON_FORMS else value
    return out


def _calls_json(calls: list[ToolCallSpec]) -> list[dict[str, Any]]:
    return [
        {"name": c.name, "arguments": c.arguments, **({"id": c.id} if c.id else {})}
        for c in calls
    ]


def _usage_json(usage: tuple[int, int] | None) -> list[int] | None:
    return list(usage) if usage else None


_JSON_FORMS: dict[str, Callable[[Any], Any]] = {"toolCalls": _calls_json, "usage": _usage_json}
