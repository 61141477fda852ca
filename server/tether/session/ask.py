"""One question to the model and its whole text answer (a title, a compaction summary).

Nothing of it streams to the user: the text chunks are joined, a retried stream starts
the answer over, and the whole call has a deadline.
"""

from __future__ import annotations

import asyncio

from tether.protocol.models import Message, TextPart
from tether.providers.base import ChatRequest, Provider, RetryNotice, TextChunk


async def ask_text(provider: Provider, *, model: str, system: str, prompt: str,
                   message_id: str, max_tokens: int, timeout: float) -> str:
    """The model's answer to `prompt`; raises ProviderError, or TimeoutError after
    `timeout` seconds."""
    request = ChatRequest(
        model=model, system=system,
        messages=[Message(id=message_id, role="user", parts=[TextPart(text=prompt)])],
        max_tokens=max_tokens,
    )
    chunks: list[str] = []

    async def collect() -> None:
        async for event in provider.stream(request):
            if isinstance(event, TextChunk):
                chunks.append(event.text)
            elif isinstance(event, RetryNotice):
                chunks.clear()

    await asyncio.wait_for(collect(), timeout)
    return "".join(chunks)
