"""OpenAI-compatible Chat Completions, streamed: OpenAI, Ollama's /v1, vLLM, LM Studio, ...

The servers differ in small ways this module absorbs: reasoning arrives as
`reasoning_content` (vLLM, DeepSeek) or `reasoning` (Ollama, OpenRouter); a tool call's
arguments arrive in fragments keyed by `index` (OpenAI) or whole in one chunk (Ollama);
some omit `[DONE]` after a finish_reason. A stream with neither is a dropped stream.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from tether.errors import ProviderResponseError, ProviderStreamError
from tether.protocol.models import (
    FilePart,
    ImagePart,
    Message,
    TextPart,
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
from tether.providers.convert import arguments_text, file_text, paired_history, parse_tool_arguments
from tether.providers.http import Endpoint, Timeouts, message_from_json
from tether.providers.retry import RetryPolicy
from tether.providers.sse import ServerSentEvent
from tether.providers.stream_json import event_object
from tether.providers.streaming import SSEProvider

log = logging.getLogger(__name__)

OFFICIAL_HOST = "api.openai.com"

STOP_REASONS = {
    "stop": "end_turn",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "length": "max_tokens",
}


def vendor_of(base_url: str) -> str:
    """Who answers at `base_url`, for messages: "OpenAI" only for api.openai.com. A local or
    self-hosted server (llama.cpp, vLLM, LM Studio) is named by what it is, so an error
    about it does not send the user looking for an OpenAI outage."""
    try:
        host = httpx.URL(base_url).host if "://" in base_url else ""
    except httpx.InvalidURL:
        host = ""
    return "OpenAI" if host == OFFICIAL_HOST else "the OpenAI-compatible server"


class OpenAIProvider(SSEProvider):
    """A Chat Completions client; `name` is the provider kind ("openai" or "ollama")."""

    path = "/chat/completions"
    official_host = OFFICIAL_HOST

    def __init__(
        self,
        *,
        base_url: str,
        api_key: SecretStr | str | None = None,
        name: str = "openai",
        endpoint: Endpoint | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        base_url = base_url.rstrip("/")
        super().__init__(
            endpoint=endpoint or Endpoint(vendor_of(base_url), base_url, key_env="OPENAI_API_KEY"),
            api_key=api_key, timeouts=timeouts, retry=retry, transport=transport,
        )
        self.base_url = base_url
        # OpenAI's reasoning models refuse `max_tokens`; compatible servers want it.
        self._max_tokens_field = "max_completion_tokens" if self._official else "max_tokens"

    def wire_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"} if key else {}

    def new_parser(self) -> _StreamParser:
        return _StreamParser(self._endpoint.vendor)

    def request_body(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": request.model,
            "messages": wire_messages(request.system, request.messages),
            "stream": True,
            "stream_options": {"include_usage": True},
            self._max_tokens_field: request.max_tokens,
        }
        if request.tools:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.parameters,
                    },
                }
                for t in request.tools
            ]
        if request.temperature is not None:
            body["temperature"] = request.temperature
        return body


# --- history → wire -----------------------------------------------------------------------


def wire_messages(system: str, messages: list[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if system:
        out.append({"role": "system", "content": system})
    for message in paired_history(messages):
        for result in message.tool_results:
            out.append(
                {"role": "tool", "tool_call_id": result.tool_call_id, "content": result.content}
            )
        if message.role == "assistant":
            entry = _assistant(message)
            if entry is not None:
                out.append(entry)
        elif message.role in ("user", "system"):
            content = _content(message)
            if content:
                out.append({"role": message.role, "content": content})
        elif message.role == "tool":
            content = _content(message)  # stray text beside results: keep it, as user text
            if content:
                out.append({"role": "user", "content": content})
    return out


def _assistant(message: Message) -> dict[str, Any] | None:
    text = message.text
    calls = [
        {
            "id": c.id,
            "type": "function",
            "function": {"name": c.name, "arguments": arguments_text(c)},
        }
        for c in message.tool_calls
    ]
    if not text and not calls:
        return None
    entry: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        entry["tool_calls"] = calls
    return entry


def _content(message: Message) -> str | list[dict[str, Any]]:
    """A plain string when the message is only text, content parts otherwise."""
    blocks: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart) and part.text:
            blocks.append({"type": "text", "text": part.text})
        elif isinstance(part, FilePart):
            blocks.append({"type": "text", "text": file_text(part)})
        elif isinstance(part, ImagePart):
            url = f"data:{part.media_type};base64,{part.data}" if part.data else part.uri
            if url:
                blocks.append({"type": "image_url", "image_url": {"url": url}})
    if all(b["type"] == "text" for b in blocks):
        return "\n\n".join(b["text"] for b in blocks)
    return blocks


# --- wire → events ------------------------------------------------------------------------


@dataclass
class _PendingCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class _StreamParser:
    """Chunks in, provider events out; `finish()` decides whether the stream was whole."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.done = False
        self.finish_reason: str | None = None
        self.calls: dict[int, _PendingCall] = {}
        self.calls_sent = False

    def feed_event(self, sse: ServerSentEvent) -> list[ProviderEvent]:
        """One chunk's events (the per-token hot path: one call, one JSON decode)."""
        data = sse.data
        if data.strip() == "[DONE]":
            self.done = True
            return []
        chunk = event_object(data, self.vendor, "stream chunk")
        if chunk is None:
            return []
        if chunk.get("error"):
            raise self._stream_error(chunk)
        events: list[ProviderEvent] = []
        choices = chunk.get("choices")
        if choices and isinstance(choices, list) and isinstance(choices[0], dict):
            delta = choices[0].get("delta")
            if delta and isinstance(delta, dict):
                events = self._delta(delta)
            finish = choices[0].get("finish_reason")
            if finish:
                self.finish_reason = str(finish)
                events.extend(self._ready_calls())
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            events.append(UsageReport(usage_from_wire(usage)))
        return events

    def _delta(self, delta: dict[str, Any]) -> list[ProviderEvent]:
        events: list[ProviderEvent] = []
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if reasoning and isinstance(reasoning, str):
            events.append(ReasoningChunk(reasoning))
        content = delta.get("content")
        if content and isinstance(content, str):
            events.append(TextChunk(content))
        fragments = delta.get("tool_calls")
        if fragments and isinstance(fragments, list):
            for position, fragment in enumerate(fragments):
                self._fragment(position, fragment)
        return events

    def _stream_error(self, chunk: dict[str, Any]) -> ProviderResponseError:
        """An `{"error": ...}` chunk: the server gave up in the middle of the answer."""
        message = message_from_json(chunk) or "unknown error"
        code = chunk["error"].get("code") if isinstance(chunk["error"], dict) else None
        status = code if isinstance(code, int) and 400 <= code < 600 else 500
        return ProviderResponseError(
            f"{self.vendor} reported an error mid-stream: {message}", status=status
        )

    def finish(self) -> list[ProviderEvent]:
        if not self.done and self.finish_reason is None:
            raise ProviderStreamError(
                f"The response stream from {self.vendor} ended before it was complete."
            )
        events = self._ready_calls()
        reason = self.finish_reason or "stop"
        stop = "tool_use" if self.calls else STOP_REASONS.get(reason, reason)
        events.append(StreamFinished(stop))
        return events

    def _fragment(self, position: int, fragment: Any) -> None:
        if not isinstance(fragment, dict):
            return
        index = fragment.get("index")
        key = index if isinstance(index, int) else position
        call = self.calls.setdefault(key, _PendingCall())
        if fragment.get("id") and not call.id:
            call.id = str(fragment["id"])
        function = fragment.get("function") or {}
        if isinstance(function, dict):
            if function.get("name") and not call.name:
                call.name = str(function["name"])
            arguments = function.get("arguments")
            if isinstance(arguments, str):
                call.arguments.append(arguments)
            elif isinstance(arguments, dict):  # some servers send an object, not text
                call.arguments.append(json.dumps(arguments))

    def _ready_calls(self) -> list[ProviderEvent]:
        if self.calls_sent:
            return []
        self.calls_sent = True
        ready: list[ProviderEvent] = []
        for index in sorted(self.calls):
            call = self.calls[index]
            raw = "".join(call.arguments)
            arguments, error = parse_tool_arguments(raw)
            if error:
                log.info("tool call %s from %s: %s", call.name, self.vendor, error)
            ready.append(
                ToolCallReady(
                    id=call.id or f"call_{uuid.uuid4().hex[:12]}",
                    name=call.name,
                    arguments=arguments,
                    raw_arguments=raw,
                    arguments_error=error,
                )
            )
        return ready


def usage_from_wire(usage: dict[str, Any]) -> Usage:
    def num(value: Any) -> int:
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    details = usage.get("prompt_tokens_details") or {}
    cached = num(details.get("cached_tokens")) if isinstance(details, dict) else 0
    cached = cached or num(usage.get("prompt_cache_hit_tokens"))  # DeepSeek
    prompt = num(usage.get("prompt_tokens"))
    completion = num(usage.get("completion_tokens"))
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=num(usage.get("total_tokens")) or prompt + completion,
        cache_read_tokens=cached,
    )


__all__ = ["OpenAIProvider", "usage_from_wire", "wire_messages"]
