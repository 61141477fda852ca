"""A scripted turn rendered as the exact SSE frames (or JSON body) each real API sends.

Kept apart from the HTTP plumbing so the frames can be read against the providers' docs:
OpenAI Chat Completions chunks (`data: {...}` ... `data: [DONE]`) and Anthropic Messages
events (`event: message_start` ... `event: message_stop`).
"""

from __future__ import annotations

import json
import time
from typing import Any

from tether.providers.script import Turn, split_chunks


def sse(data: str, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    body = "".join(f"data: {line}\n" for line in data.split("\n"))
    return (head + body + "\n").encode("utf-8")


def _dumps(obj: Any) -> str:
    # ensure_ascii=False: real APIs send raw UTF-8, which is what trips line splitters.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _call_id(turn_no: int, i: int, given: str | None, prefix: str) -> str:
    return given or f"{prefix}_{turn_no}_{i}"


# --- OpenAI Chat Completions --------------------------------------------------------------


def openai_frames(turn: Turn, *, model: str, turn_no: int, include_usage: bool) -> list[bytes]:
    base = {
        "id": f"chatcmpl-{turn_no}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return sse(_dumps({**base, "choices": [choice]}))

    frames = [chunk({"role": "assistant", "content": ""})]
    frames += [chunk({"reasoning_content": part}) for part in turn.reasoning_chunks()]
    frames += [chunk({"content": part}) for part in turn.text_chunks()]
    for i, call in enumerate(turn.tool_calls):
        head = {
            "index": i,
            "id": _call_id(turn_no, i, call.id, "call"),
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        frames.append(chunk({"tool_calls": [head]}))
        for part in split_chunks(_dumps(call.arguments), turn.chunk_size):
            frames.append(chunk({"tool_calls": [{"index": i, "function": {"arguments": part}}]}))
    frames.append(chunk({}, "tool_calls" if turn.tool_calls else "stop"))
    if include_usage and turn.usage is not None:
        frames.append(sse(_dumps({**base, "choices": [], "usage": _openai_usage(turn)})))
    frames.append(sse("[DONE]"))
    return frames


def openai_body(turn: Turn, *, model: str, turn_no: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": turn.text or None}
    if turn.reasoning:
        message["reasoning_content"] = turn.reasoning
    if turn.tool_calls:
        message["tool_calls"] = [
            {
                "id": _call_id(turn_no, i, c.id, "call"),
                "type": "function",
                "function": {"name": c.name, "arguments": _dumps(c.arguments)},
            }
            for i, c in enumerate(turn.tool_calls)
        ]
    body: dict[str, Any] = {
        "id": f"chatcmpl-{turn_no}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if turn.tool_calls else "stop",
            }
        ],
    }
    if turn.usage is not None:
        body["usage"] = _openai_usage(turn)
    return body


def _openai_usage(turn: Turn) -> dict[str, Any]:
    prompt, completion = turn.usage or (0, 0)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": turn.cached_tokens},
    }


def openai_error(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def openai_stream_error(message: str) -> bytes:
    """An error reported inside a 200 stream, as vLLM and OpenAI-compatible proxies do."""
    error = {"object": "error", "message": message, "type": "BadRequestError", "code": 400}
    return sse(_dumps({"error": error}))


def garbled_line(text: str) -> bytes:
    """A `data:` line that is not JSON (a proxy's cut-off or an echoed request)."""
    return ("data: " + text + "\n\n").encode("utf-8")


# --- Anthropic Messages -------------------------------------------------------------------


def anthropic_frames(turn: Turn, *, model: str, turn_no: int) -> list[bytes]:
    _, completion = turn.usage or (0, 0)
    start = _anthropic_message(turn, model=model, turn_no=turn_no, content=[], stop=None,
                               output_tokens=1)
    frames = [_anthropic_event("message_start", {"message": start}), _anthropic_event("ping", {})]
    for index, (block, deltas) in enumerate(_anthropic_blocks(turn, turn_no)):
        frames.append(
            _anthropic_event("content_block_start", {"index": index, "content_block": block})
        )
        frames += [
            _anthropic_event("content_block_delta", {"index": index, "delta": delta})
            for delta in deltas
        ]
        frames.append(_anthropic_event("content_block_stop", {"index": index}))
    delta = {"stop_reason": _anthropic_stop(turn), "stop_sequence": None}
    frames.append(
        _anthropic_event("message_delta", {"delta": delta, "usage": {"output_tokens": completion}})
    )
    frames.append(_anthropic_event("message_stop", {}))
    return frames


def _anthropic_event(kind: str, payload: dict[str, Any]) -> bytes:
    return sse(_dumps({"type": kind, **payload}), event=kind)


Block = tuple[dict[str, Any], list[dict[str, Any]]]


def _anthropic_blocks(turn: Turn, turn_no: int) -> list[Block]:
    """The turn's content blocks as streamed: each one's opening and its deltas."""
    blocks: list[Block] = []
    if turn.reasoning:
        thinking = [{"type": "thinking_delta", "thinking": p} for p in turn.reasoning_chunks()]
        signature = {"type": "signature_delta", "signature": f"sig-{turn_no}"}
        blocks.append(({"type": "thinking", "thinking": "", "signature": ""},
                       [*thinking, signature]))
    if turn.text:
        text = [{"type": "text_delta", "text": p} for p in turn.text_chunks()]
        blocks.append(({"type": "text", "text": ""}, text))
    for i, call in enumerate(turn.tool_calls):
        opening = {"type": "tool_use", "id": _call_id(turn_no, i, call.id, "toolu"),
                   "name": call.name, "input": {}}
        parts = split_chunks(_dumps(call.arguments), turn.chunk_size)
        blocks.append((opening, [{"type": "input_json_delta", "partial_json": p} for p in parts]))
    return blocks


def _anthropic_stop(turn: Turn) -> str:
    return "tool_use" if turn.tool_calls else "end_turn"


def _anthropic_message(
    turn: Turn,
    *,
    model: str,
    turn_no: int,
    content: list[dict[str, Any]],
    stop: str | None,
    output_tokens: int,
) -> dict[str, Any]:
    """A Messages API message: whole (a plain answer) or its head (`message_start`)."""
    prompt, _ = turn.usage or (0, 0)
    return {
        "id": f"msg_{turn_no}",
        "type": "message",
        "role": "assistant",
        "content": content,
        "model": model,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {
            "input_tokens": prompt,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": turn.cached_tokens,
        },
    }


def anthropic_body(turn: Turn, *, model: str, turn_no: int) -> dict[str, Any]:
    _, completion = turn.usage or (0, 0)
    content: list[dict[str, Any]] = []
    if turn.reasoning:
        content.append(
            {"type": "thinking", "thinking": turn.reasoning, "signature": f"sig-{turn_no}"}
        )
    if turn.text:
        content.append({"type": "text", "text": turn.text})
    for i, call in enumerate(turn.tool_calls):
        content.append(
            {
                "type": "tool_use",
                "id": _call_id(turn_no, i, call.id, "toolu"),
                "name": call.name,
                "input": call.arguments,
            }
        )
    return _anthropic_message(turn, model=model, turn_no=turn_no, content=content,
                              stop=_anthropic_stop(turn), output_tokens=completion)


def anthropic_error(message: str, kind: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def anthropic_stream_error(message: str) -> bytes:
    """Anthropic's `event: error` in the middle of a stream."""
    return sse(_dumps(anthropic_error(message, "invalid_request_error")), event="error")
