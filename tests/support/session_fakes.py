"""Doubles for engine tests: a provider that yields provider events from a list (the
engine's own seam; the HTTP providers are tested against the local provider server
elsewhere) and a disk bridge with scripted permission answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from tether.protocol.models import Usage
from tether.providers.base import (
    ChatRequest,
    ProviderEvent,
    StreamFinished,
    TextChunk,
    ToolCallReady,
    UsageReport,
)
from tether.workspace.bridge import PermissionOption, PermissionRequest
from tether.workspace.disk_bridge import DiskBridge

HANG = object()  # a step entry that waits forever (until cancelled)


def text_step(text: str, *, prompt_tokens: int = 10, completion_tokens: int = 5) -> list[Any]:
    chunks = [text[i : i + 4] for i in range(0, len(text), 4)]
    return [*(TextChunk(c) for c in chunks),
            UsageReport(Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                              total_tokens=prompt_tokens + completion_tokens)),
            StreamFinished("end_turn")]


def tool_step(*calls: tuple[str, dict[str, Any]], text: str = "") -> list[Any]:
    events: list[Any] = [TextChunk(text)] if text else []
    for i, (name, args) in enumerate(calls):
        import json

        events.append(ToolCallReady(id=f"call_{name}_{i}", name=name, arguments=args,
                                    raw_arguments=json.dumps(args)))
    events.append(StreamFinished("tool_use"))
    return events


class FakeProvider:
    """Plays one list of events per request; records the requests."""

    name = "fake"

    def __init__(self, steps: list[list[Any]], *, repeat_last: bool = False) -> None:
        self.steps = steps
        self.repeat_last = repeat_last
        self.requests: list[ChatRequest] = []
        self.closed = 0

    async def stream(self, request: ChatRequest) -> AsyncIterator[ProviderEvent]:
        self.requests.append(request)
        if not self.steps:
            raise AssertionError("FakeProvider ran out of steps")
        step = self.steps[0] if (self.repeat_last and len(self.steps) == 1) else self.steps.pop(0)
        for item in step:
            if item is HANG:
                await asyncio.Event().wait()
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item

    async def aclose(self) -> None:
        self.closed += 1


class AnsweringBridge(DiskBridge):
    """The CLI's disk bridge with scripted permission answers."""

    def __init__(self, answers: list[PermissionOption] | None = None) -> None:
        super().__init__()
        self.answers = answers or []
        self.asked: list[PermissionRequest] = []

    async def request_permission(self, request: PermissionRequest) -> PermissionOption:
        self.asked.append(request)
        return self.answers.pop(0) if self.answers else "reject"
