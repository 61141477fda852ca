"""The `replay:FILE` provider: a recorded transcript played back, no network, no API key.

It lets anyone run the CLI or the editor demo without a model. The file is the script
format of `tether.providers.script` (the same one the test provider server plays).

Which turn answers a request is derived from the request itself — the number of assistant
messages already in its history — not from a cursor, because the session creates a new
provider for every user turn: a conversation replays the same way however many provider
objects take part. A request without tools (the session's title request) gets the
transcript's `title` when it has one. Faults in the script are wire-level and ignored.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

from tether.errors import ProviderError
from tether.protocol.models import Usage
from tether.providers.base import (
    ChatRequest,
    ProviderEvent,
    ReasoningChunk,
    StreamFinished,
    TextChunk,
    ToolCallReady,
    UsageReport,
)
from tether.providers.script import Script, ScriptError, Turn


class ReplayProvider:
    name = "replay"

    def __init__(self, path: str | Path, script: Script | None = None) -> None:
        self.path = Path(path)
        self._script = script

    def load(self) -> Script:
        """The transcript, read once; a bad file is a ProviderError naming the problem."""
        if self._script is None:
            try:
                self._script = Script.from_file(self.path)
            except ScriptError as exc:
                raise ProviderError(f"Cannot replay the transcript: {exc}") from None
        return self._script

    def turn_for(self, request: ChatRequest) -> Turn:
        script = self.load()
        if not request.tools and script.title is not None:
            return Turn(text=script.title, usage=None)
        index = sum(1 for m in request.messages if m.role == "assistant")
        if index < len(script.turns):
            return script.turns[index]
        if script.repeat_last and script.turns:
            return script.turns[-1]
        raise ProviderError(
            f"The replay transcript {self.path} has no answer for model call {index + 1} "
            f"(it records {len(script.turns)}): the recorded conversation is over."
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[ProviderEvent]:
        turn = self.turn_for(request)
        n = sum(1 for m in request.messages if m.role == "assistant")
        for text in turn.reasoning_chunks():
            yield ReasoningChunk(text)
            await self._pause(turn)
        for text in turn.text_chunks():
            yield TextChunk(text)
            await self._pause(turn)
        for i, call in enumerate(turn.tool_calls):
            raw = json.dumps(call.arguments, ensure_ascii=False)
            yield ToolCallReady(call.id or f"replay_{n}_{i}", call.name, dict(call.arguments), raw)
        if turn.usage is not None:
            prompt, completion = turn.usage
            yield UsageReport(
                Usage(
                    prompt_tokens=prompt,
                    completion_tokens=completion,
                    total_tokens=prompt + completion,
                    cache_read_tokens=turn.cached_tokens,
                )
            )
        yield StreamFinished("tool_use" if turn.tool_calls else "end_turn")

    async def aclose(self) -> None:
        return None

    @staticmethod
    async def _pause(turn: Turn) -> None:
        # Always yield to the loop, so a cancel lands between chunks even without a delay.
        await asyncio.sleep(turn.chunk_delay)
