"""Both providers against the real scripted server over loopback: content and faults."""

from __future__ import annotations

import asyncio
import socket

import pytest

from tether.errors import (
    ProviderAuthError,
    ProviderResponseError,
    ProviderStreamError,
    ProviderTimeoutError,
)
from tether.providers.base import (
    ReasoningChunk,
    RetryNotice,
    StreamFinished,
    TextChunk,
    ToolCallReady,
    UsageReport,
)
from tether.providers.retry import RetryPolicy
from tether.testing.provider_server import (
    Script,
    ScriptedProviderServer,
    ToolCallSpec,
    Turn,
    text_turn,
)
from unit.providers.provider_support import FAST, KEY, MakeProvider, collect, request


def texts(events: list[object]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextChunk))


async def test_text_reasoning_tool_calls_and_usage(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    args = {"path": "src/app.py", "old": "x = 1\n", "new": "x = 2  # é\u2028\n"}
    server.set_script(
        Script(
            [
                Turn(
                    text="Let me edit that.",
                    reasoning="The user wants x changed.",
                    tool_calls=[
                        ToolCallSpec("read_file", {"path": "a.py"}, id="call_a"),
                        ToolCallSpec("edit", args),
                    ],
                    chunk_size=3,
                    usage=(120, 30),
                    cached_tokens=100,
                )
            ]
        )
    )
    events = await collect(make())
    assert texts(events) == "Let me edit that."
    reasoning = [e for e in events if isinstance(e, ReasoningChunk)]
    assert "".join(r.text for r in reasoning) == "The user wants x changed."
    calls = [e for e in events if isinstance(e, ToolCallReady)]
    assert [(c.name, c.arguments) for c in calls] == [
        ("read_file", {"path": "a.py"}),
        ("edit", args),
    ]
    assert calls[0].id == "call_a"
    assert calls[1].id and calls[1].arguments_error is None
    (usage,) = [e.usage for e in events if isinstance(e, UsageReport)]
    assert usage.prompt_tokens in (120, 220)  # Anthropic counts cached tokens on top
    assert usage.completion_tokens == 30
    assert usage.cache_read_tokens == 100
    assert events[-1] == StreamFinished("tool_use")
    assert not [e for e in events if isinstance(e, RetryNotice)]


async def test_plain_answer_ends_the_turn(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    server.set_script(Script([text_turn("Done.")]))
    events = await collect(make())
    assert texts(events) == "Done."
    assert events[-1] == StreamFinished("end_turn")


async def test_429_honours_retry_after_then_succeeds(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    server.set_script(Script([text_turn("after the wait", fault="429", retry_after=0.05)]))
    events = await collect(make())
    notice = events[0]
    assert isinstance(notice, RetryNotice)
    assert notice.attempt == 2
    assert notice.delay_seconds == pytest.approx(0.05)
    assert "429" in notice.reason
    assert texts(events) == "after the wait"
    assert len(server.requests) == 2


async def test_500_is_retried_then_succeeds(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    server.set_script(Script([text_turn("recovered", fault="500", fault_times=2)]))
    events = await collect(make())
    notices = [e for e in events if isinstance(e, RetryNotice)]
    assert [n.attempt for n in notices] == [2, 3]
    assert texts(events) == "recovered"


async def test_500_forever_gives_up_after_three_tries(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    server.set_script(Script([text_turn("never", fault="500", fault_times=99)]))
    with pytest.raises(ProviderResponseError) as info:
        await collect(make())
    assert info.value.status == 500
    assert "server error" in info.value.message
    assert "3 attempts" in info.value.message
    assert len(server.requests) == 3


async def test_dropped_stream_is_restarted_from_scratch(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    server.set_script(Script([text_turn("abcdefghijklmnop", chunk_size=2, fault="drop")]))
    events = await collect(make())
    cut = next(i for i, e in enumerate(events) if isinstance(e, RetryNotice))
    assert texts(events[:cut]) and texts(events[:cut]) != "abcdefghijklmnop"
    assert events[cut].reason == "stream dropped"
    assert texts(events[cut + 1 :]) == "abcdefghijklmnop"
    assert isinstance(events[-1], StreamFinished)


async def test_dropped_six_times_is_a_stream_error(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    server.set_script(Script([text_turn("abcdefgh", chunk_size=2, fault="drop", fault_times=6)]))
    seen: list[object] = []
    with pytest.raises(ProviderStreamError) as info:
        async for event in make().stream(request()):
            seen.append(event)
    assert len([e for e in seen if isinstance(e, RetryNotice)]) == 5
    assert len(server.requests) == 6
    assert "restarted 5 times" in info.value.message


async def test_idle_stream_fails_once_without_a_restart(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    """Text already reached the user: a stall is reported, not silently replayed 5 times."""
    server.set_script(Script([text_turn("abcdefgh", chunk_size=2, fault="hang", fault_times=9)]))
    seen: list[object] = []
    with pytest.raises(ProviderTimeoutError, match=r"sent nothing for 0\.2 s") as info:
        async for event in make(idle=0.2).stream(request()):
            seen.append(event)
    assert "idle_timeout" in info.value.message
    assert texts(seen)  # the stall came after some text
    assert not [e for e in seen if isinstance(e, RetryNotice)]
    assert len(server.requests) == 1


async def test_headers_then_nothing_fails_once_naming_the_timeout(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    server.set_script(Script([text_turn("never", fault="silent", fault_times=9)]))
    seen: list[object] = []
    with pytest.raises(ProviderTimeoutError) as info:
        async for event in make(idle=0.2).stream(request()):
            seen.append(event)
    assert "sent nothing for 0.2 s" in info.value.message
    assert "idle_timeout" in info.value.message
    assert seen == []
    assert len(server.requests) == 1


async def test_a_trickling_stream_is_cut_at_the_request_deadline(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    """Never idle long enough to time out, never finishing: the deadline bounds the total."""
    server.set_script(Script([text_turn("x" * 4000, chunk_size=1, chunk_delay=0.02)]))
    with pytest.raises(ProviderTimeoutError) as info:
        await collect(make(idle=5.0, deadline=0.4))
    assert "within 0.4 s" in info.value.message and "request_deadline" in info.value.message
    assert len(server.requests) == 1


async def test_retries_stop_at_the_request_deadline(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    """Back-off that would end past the deadline is not started: the last error is raised."""
    server.set_script(Script([text_turn("never", fault="500", fault_times=99)]))
    slow = RetryPolicy(base_delay=30.0, max_delay=30.0, jitter=0.0, max_attempts=9)
    with pytest.raises(ProviderResponseError) as info:
        await collect(make(deadline=5.0, retry=slow))
    assert "request_deadline" in info.value.message
    assert len(server.requests) == 1


async def test_401_is_an_auth_error_without_the_key(
    server: ScriptedProviderServer, make: MakeProvider, wire: str
) -> None:
    server.api_key = "sk-the-right-one-123456"
    server.set_script(Script([text_turn("unreachable")]))
    with pytest.raises(ProviderAuthError) as info:
        await collect(make())
    message = str(info.value)
    env = "OPENAI_API_KEY" if wire == "openai" else "ANTHROPIC_API_KEY"
    assert f"set {env}" in message
    assert KEY not in message and KEY[8:] not in message
    assert KEY not in repr(info.value.data)
    assert len(server.requests) == 1  # never retried


async def test_cancelling_a_stalled_stream_returns_promptly(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    server.set_script(Script([text_turn("abcdefgh", chunk_size=1, fault="hang")]))
    provider = make(idle=30.0)
    first = asyncio.Event()

    async def consume() -> None:
        async for _ in provider.stream(request()):
            first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await provider.aclose()


async def test_closing_the_stream_early_releases_the_connection(
    server: ScriptedProviderServer, make: MakeProvider
) -> None:
    server.set_script(Script([text_turn("a" * 64, chunk_size=1), text_turn("second")]))
    provider = make()
    stream = provider.stream(request())
    async for event in stream:
        if isinstance(event, TextChunk):
            break
    await stream.aclose()  # type: ignore[attr-defined]
    assert texts(await collect(provider)) == "second"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_connection_refused_is_unavailable_after_retries(wire: str) -> None:
    from tether.errors import ProviderUnavailableError
    from tether.providers.anthropic import AnthropicProvider
    from tether.providers.openai import OpenAIProvider

    url = f"http://127.0.0.1:{_closed_port()}"
    provider = (
        OpenAIProvider(base_url=f"{url}/v1", api_key="k", retry=FAST)
        if wire == "openai"
        else AnthropicProvider(base_url=url, api_key="k", retry=FAST)
    )
    seen: list[object] = []
    with pytest.raises(ProviderUnavailableError, match="Cannot connect to") as info:
        async for event in provider.stream(request()):
            seen.append(event)
    await provider.aclose()
    assert "3 attempts" in info.value.message
    assert [type(e) for e in seen] == [RetryNotice, RetryNotice]
