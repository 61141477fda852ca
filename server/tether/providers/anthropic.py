"""Anthropic Messages, streamed.

Unlike Chat Completions, the stream is typed events (`message_start` … `message_stop`),
tool results travel inside user messages, thinking blocks must be sent back with their
signature, and roles must alternate; this module maps our history onto those rules. A
stream that ends before `message_stop` is a dropped stream.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from tether.errors import (
    ProviderError,
    ProviderRateLimitError,
    ProviderResponseError,
    ProviderStreamError,
)
from tether.protocol.models import (
    FilePart,
    ImagePart,
    Message,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
    Usage,
)
from tether.providers.base import (
    ChatRequest,
    ProviderEvent,
    ReasoningChunk,
    StreamFinished,
    TextChunk,
    ToolCallReady,
    UsageReport,
)
from tether.providers.convert import file_text, paired_history, parse_tool_arguments
from tether.providers.http import Endpoint, Timeouts, message_from_json
from tether.providers.retry import RetryPolicy
from tether.providers.sse import ServerSentEvent
from tether.providers.stream_json import event_object
from tether.providers.streaming import SSEProvider

log = logging.getLogger(__name__)

API_VERSION = "2023-06-01"
OFFICIAL_HOST = "api.anthropic.com"


class AnthropicProvider(SSEProvider):
    name = "anthropic"
    path = "/v1/messages"
    official_host = OFFICIAL_HOST

    def __init__(
        self,
        *,
        base_url: str = "https://api.anthropic.com",
        api_key: SecretStr | str | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            endpoint=Endpoint("Anthropic", base_url.rstrip("/"), key_env="ANTHROPIC_API_KEY"),
            api_key=api_key, timeouts=timeouts, retry=retry, transport=transport,
        )

    def wire_headers(self, key: str) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION}
        if key:
            headers["x-api-key"] = key
        return headers

    def new_parser(self) -> _StreamParser:
        return _StreamParser()

    def request_body(self, request: ChatRequest) -> dict[str, Any]:
        system, messages = wire_messages(request.system, request.messages)
        body: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "messages": messages,
            "stream": True,
        }
        if system:
            body["system"] = system
        if request.tools:
            body["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in request.tools
            ]
        if request.temperature is not None:
            body["temperature"] = request.temperature
        return body


# --- history → wire -----------------------------------------------------------------------


def wire_messages(system: str, messages: list[Message]) -> tuple[str, list[dict[str, Any]]]:
    """(system text, alternating user/assistant messages with content blocks)."""
    systems = [system] if system else []
    out: list[dict[str, Any]] = []
    for message in paired_history(messages):
        if message.role == "system":
            if message.text:
                systems.append(message.text)
            continue
        role = "assistant" if message.role == "assistant" else "user"
        blocks = [b for part in message.parts if (b := _block(part, role)) is not None]
        if not blocks:
            continue
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    if out and out[0]["role"] != "user":
        out.insert(0, {"role": "user", "content": [{"type": "text", "text": "(continued)"}]})
    for entry in out:  # tool results must come first in a user message
        if entry["role"] == "user":
            entry["content"].sort(key=lambda b: b["type"] != "tool_result")
    return "\n\n".join(systems), out


def _block(part: Any, role: str) -> dict[str, Any] | None:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text} if part.text else None
    if isinstance(part, ToolResultPart):
        return {
            "type": "tool_result",
            "tool_use_id": part.tool_call_id,
            "content": part.content,
            "is_error": part.is_error,
        }
    if isinstance(part, ToolCallPart):
        return {"type": "tool_use", "id": part.id, "name": part.name, "input": part.arguments}
    if isinstance(part, ThinkingPart):
        # The API refuses thinking it did not sign; unsigned (or foreign) thinking is dropped.
        if role != "assistant" or not part.signature:
            return None
        return {"type": "thinking", "thinking": part.text, "signature": part.signature}
    if isinstance(part, FilePart):
        return {"type": "text", "text": file_text(part)}
    if isinstance(part, ImagePart):
        if part.data:
            source = {"type": "base64", "media_type": part.media_type, "data": part.data}
        elif part.uri:
            source = {"type": "url", "url": part.uri}
        else:
            return None
        return {"type": "image", "source": source}
    return None


# --- wire → events ------------------------------------------------------------------------


@dataclass
class _Block:
    kind: str
    id: str = ""
    name: str = ""
    json_parts: list[str] = field(default_factory=list)


class _StreamParser:
    def __init__(self) -> None:
        self.done = False
        self.blocks: dict[int, _Block] = {}
        self.usage = Usage()
        self.input_tokens = 0
        self.stop_reason = "end_turn"
        # the event types this client knows; pings and newer types are passed over
        self._steps: dict[str, Callable[[dict[str, Any]], list[ProviderEvent]]] = {
            "message_start": self._message_start,
            "content_block_start": self._start,
            "content_block_delta": self._delta,
            "content_block_stop": self._stop,
            "message_delta": self._message_delta,
            "message_stop": self._message_stop,
            "error": self._error,
        }

    def feed_event(self, sse: ServerSentEvent) -> list[ProviderEvent]:
        return self.feed(sse.event, sse.data)

    def finish(self) -> list[ProviderEvent]:
        if not self.done:
            raise ProviderStreamError(
                "The response stream from Anthropic ended before it was complete."
            )
        return []

    def feed(self, event: str, data: str) -> list[ProviderEvent]:
        payload = event_object(data, "Anthropic", "stream event")
        if payload is None:
            return []
        kind = payload.get("type") or event
        step = self._steps.get(kind) if isinstance(kind, str) else None
        return step(payload) if step is not None else []

    def _message_start(self, payload: dict[str, Any]) -> list[ProviderEvent]:
        message = payload.get("message") or {}
        self._usage(message.get("usage") or {})
        return []

    def _message_delta(self, payload: dict[str, Any]) -> list[ProviderEvent]:
        delta = payload.get("delta") or {}
        if delta.get("stop_reason"):
            self.stop_reason = str(delta["stop_reason"])
        self._usage(payload.get("usage") or {})
        return []

    def _message_stop(self, payload: dict[str, Any]) -> list[ProviderEvent]:
        self.done = True
        return [UsageReport(self._total_usage()), StreamFinished(self.stop_reason)]

    def _error(self, payload: dict[str, Any]) -> list[ProviderEvent]:
        raise stream_error(payload)

    def _start(self, payload: dict[str, Any]) -> list[ProviderEvent]:
        block = payload.get("content_block") or {}
        index = int(payload.get("index", len(self.blocks)))
        kind = str(block.get("type", ""))
        self.blocks[index] = _Block(kind, str(block.get("id", "")), str(block.get("name", "")))
        if kind == "text" and block.get("text"):
            return [TextChunk(str(block["text"]))]
        if kind == "thinking" and block.get("thinking"):
            return [ReasoningChunk(str(block["thinking"]))]
        if kind == "tool_use" and block.get("input"):
            self.blocks[index].json_parts.append(json.dumps(block["input"]))
        return []

    def _delta(self, payload: dict[str, Any]) -> list[ProviderEvent]:
        delta = payload.get("delta") or {}
        kind = delta.get("type")
        if kind == "text_delta" and delta.get("text"):
            return [TextChunk(str(delta["text"]))]
        if kind == "thinking_delta" and delta.get("thinking"):
            return [ReasoningChunk(str(delta["thinking"]))]
        if kind == "signature_delta" and delta.get("signature"):
            return [ReasoningChunk("", signature=str(delta["signature"]))]
        if kind == "input_json_delta":
            block = self.blocks.get(int(payload.get("index", -1)))
            if block is not None:
                block.json_parts.append(str(delta.get("partial_json") or ""))
        return []

    def _stop(self, payload: dict[str, Any]) -> list[ProviderEvent]:
        block = self.blocks.get(int(payload.get("index", -1)))
        if block is None or block.kind != "tool_use":
            return []
        raw = "".join(block.json_parts)
        arguments, error = parse_tool_arguments(raw)
        if error:
            log.info("tool call %s from Anthropic: %s", block.name, error)
        return [ToolCallReady(block.id, block.name, arguments, raw, error)]

    def _usage(self, usage: dict[str, Any]) -> None:
        def num(key: str) -> int | None:
            value = usage.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        # message_start carries input and cache counts; message_delta the cumulative output.
        if (value := num("input_tokens")) is not None:
            self.input_tokens = value
        if (value := num("output_tokens")) is not None:
            self.usage.completion_tokens = value
        if (value := num("cache_read_input_tokens")) is not None:
            self.usage.cache_read_tokens = value
        if (value := num("cache_creation_input_tokens")) is not None:
            self.usage.cache_write_tokens = value

    def _total_usage(self) -> Usage:
        # Anthropic's input_tokens leaves out cached tokens; ours counts the whole prompt.
        u = self.usage
        prompt = self.input_tokens + u.cache_read_tokens + u.cache_write_tokens
        return Usage(
            prompt_tokens=prompt,
            completion_tokens=u.completion_tokens,
            total_tokens=prompt + u.completion_tokens,
            cache_read_tokens=u.cache_read_tokens,
            cache_write_tokens=u.cache_write_tokens,
        )


def stream_error(payload: dict[str, Any]) -> ProviderError:
    """An `error` event in the middle of a stream (overloaded, rate limited, ...)."""
    error = payload.get("error") or {}
    kind = str(error.get("type", "")) if isinstance(error, dict) else ""
    message = message_from_json(payload) or kind or "unknown error"
    text = f"Anthropic reported an error mid-stream ({kind or 'error'}): {message}"
    if kind == "rate_limit_error":
        return ProviderRateLimitError(text)
    if kind == "overloaded_error":
        return ProviderResponseError(text, status=529)
    if kind in ("api_error", "timeout_error", ""):
        return ProviderResponseError(text, status=500)
    return ProviderResponseError(text, status=400)
