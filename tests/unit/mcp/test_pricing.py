"""Cost from usage: the table, dated model names, overrides, unknown models."""

from __future__ import annotations

from tether.pricing import ModelPrice, cost_of, price_for
from tether.protocol.models import Usage
from tether.settings import Settings


def test_cost_splits_cached_input() -> None:
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=100_000,
                  cache_read_tokens=400_000, cache_write_tokens=100_000)
    price = ModelPrice(input=3.0, output=15.0, cache_read=0.3, cache_write=3.75)
    # 500k fresh * 3 + 100k out * 15 + 400k * 0.3 + 100k * 3.75, per million
    assert price.cost(usage) == 1.5 + 1.5 + 0.12 + 0.375


def test_lookup() -> None:
    assert price_for("openai/gpt-4o-mini") == price_for("gpt-4o-mini")
    assert price_for("openai/gpt-4o-2024-08-06") == price_for("gpt-4o")  # longest prefix
    assert price_for("openai/gpt-4o-mini-2024-07-18") == price_for("gpt-4o-mini")
    assert price_for("ollama/llama3.1") is None
    assert cost_of("ollama/llama3.1", Usage(prompt_tokens=10)) is None


def test_config_overrides() -> None:
    settings = Settings().merged({"prices": {"ollama/llama3.1": {"input": 1, "output": 2},
                                             "gpt-4o": {"input": 0, "output": 0}}})
    assert not settings.problems
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=1_000_000)
    assert cost_of("ollama/llama3.1", usage, settings.prices) == 3.0
    assert cost_of("openai/gpt-4o", usage, settings.prices) == 0.0
    bad = Settings().merged({"prices": {"x": {"input": -1, "output": 0}}})
    assert bad.prices == {} and bad.problems
