"""Deriving a request's view: a 10,000-message session and one 50-step turn of 4k outputs.

Issue 11 asks for the view of a 10,000-message session in under 20 ms. Each case is
printed beside baselines measured in the same run: a plain copy of the message list (the
floor) and the derivation Tether had before (drop whole exchanges, no repair, no stubs).
"Warm" is a later step of a turn (message estimates cached by id); "cold" a first step
with nothing cached; "after load" the first step once the manager has prepared the
estimates in a thread, as it does when it loads a session.

    python benchmarks/bench_derive.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from tether.protocol.models import Message, TextPart, ToolCallPart, ToolResultPart
from tether.session.context import (
    TokenCache,
    ViewRequest,
    derive_view,
    estimate_message_tokens,
    mark_interrupted,
    split_exchanges,
)

GOAL_MS = 20.0


def session(messages: int, output_chars: int) -> list[Message]:
    """User questions, each followed by tool calls with outputs and an answer."""
    out: list[Message] = []
    n = 0
    while len(out) < messages:
        out.append(Message(id=f"u{n}", role="user", parts=[TextPart(text=f"question {n} " * 8)]))
        for k in range(3):
            cid = f"c{n}-{k}"
            out.append(Message(id=f"a{n}-{k}", role="assistant", parts=[
                ToolCallPart(id=cid, name="read_file", arguments={"path": f"src/m{n}_{k}.py"})]))
            out.append(Message(id=f"r{n}-{k}", role="tool", parts=[
                ToolResultPart(tool_call_id=cid, content="x" * output_chars)]))
        out.append(Message(id=f"e{n}", role="assistant", parts=[TextPart(text="done " * 30)]))
        n += 1
    return out[:messages]


def one_long_turn(steps: int, output_tokens: int) -> list[Message]:
    out = [Message(id="u", role="user", parts=[TextPart(text="Refactor the parser.")])]
    for k in range(steps):
        out.append(Message(id=f"a{k}", role="assistant", parts=[
            ToolCallPart(id=f"c{k}", name="read_file", arguments={"path": f"src/f{k}.py"})]))
        out.append(Message(id=f"r{k}", role="tool", parts=[
            ToolResultPart(tool_call_id=f"c{k}", content="y" * (output_tokens * 4))]))
    return out


def old_derive(history: list[Message], budget: int) -> list[Message]:
    """The derivation before issue 11: drop the oldest whole exchanges."""
    view = [mark_interrupted(m) for m in history]
    exchanges = split_exchanges(view)
    sizes = [sum(estimate_message_tokens(m) for m in ex) for ex in exchanges]
    total, first = sum(sizes), 0
    while total > budget and first < len(exchanges) - 1:
        total -= sizes[first]
        first += 1
    return [m for ex in exchanges[first:] for m in ex]


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def case(name: str, history: list[Message], budget: int, runs: int) -> float:
    warm_cache = TokenCache()
    request = ViewRequest(history=history, fixed_tokens=2000, budget=budget)
    derived = derive_view(request, warm_cache)
    copy_ms = median_ms(lambda: list(history), runs)
    old_ms = median_ms(lambda: old_derive(history, budget), runs)
    warm_ms = median_ms(lambda: derive_view(request, warm_cache), runs)
    cold_ms = median_ms(lambda: derive_view(request, TokenCache()), runs)

    def prepared() -> TokenCache:
        cache = TokenCache()
        cache.prepare(history)
        return cache

    caches = [prepared() for _ in range(runs)]
    loaded_ms = median_ms(lambda: derive_view(request, caches.pop()), runs)
    print(f"{name}: {len(history):,} messages, budget {budget:,} tokens -> "
          f"{len(derived.messages):,} sent, {derived.stubbed_outputs} stubbed, "
          f"{derived.dropped_messages:,} dropped")
    print(f"  list copy (floor)      {copy_ms:8.2f} ms")
    print(f"  old derivation         {old_ms:8.2f} ms")
    print(f"  derive_view, warm      {warm_ms:8.2f} ms  ({warm_ms / old_ms:.2f}x old, "
          f"{warm_ms / max(copy_ms, 1e-6):.0f}x copy)")
    print(f"  derive_view, cold      {cold_ms:8.2f} ms  ({cold_ms / old_ms:.2f}x old)")
    print(f"  first view after load  {loaded_ms:8.2f} ms  (estimates prepared in a thread "
          "at load)")
    return warm_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = max(1, parser.parse_args().runs)
    big = case("10,000-message session", session(10_000, 2_000), 112_000, runs)
    case("one 50-step turn, 4k-token outputs", one_long_turn(50, 4_000), 112_000, runs)
    verdict = "ok" if big < GOAL_MS else "MISSED"
    print(f"goal: 10,000-message view under {GOAL_MS:.0f} ms (warm): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
