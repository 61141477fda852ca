"""What tokens cost: a price table per model, overridable in config, and the sums.

Prices are US dollars per million tokens: input (uncached), output, cache read and cache
write. `Usage.prompt_tokens` counts every input token, cached or not (both providers are
normalised that way), so the uncached part is what is left after the cache figures.
A model the table does not know has no price: its cost is None and clients show tokens
only. Overrides in the user config::

    [prices."openai/gpt-4o"]
    input = 2.5
    output = 10
    cache_read = 1.25

are looked up by `provider/model` first, then by the bare model name. The table is the
providers' list prices when it was written; config overrides are the way to keep it true.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from tether.protocol.models import Usage

PER = 1_000_000


class ModelPrice(BaseModel):
    """US dollars per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    input: float = Field(ge=0, description="Uncached input tokens.")
    output: float = Field(ge=0, description="Output tokens.")
    cache_read: float | None = Field(None, ge=0, alias="cacheRead",
                                     description="Cached input read (default: input).")
    cache_write: float | None = Field(None, ge=0, alias="cacheWrite",
                                      description="Input written to the cache (default: input).")

    def cost(self, usage: Usage) -> float:
        read = usage.cache_read_tokens
        write = usage.cache_write_tokens
        fresh = max(usage.prompt_tokens - read - write, 0)
        dollars = (fresh * self.input + usage.completion_tokens * self.output
                   + read * (self.input if self.cache_read is None else self.cache_read)
                   + write * (self.input if self.cache_write is None else self.cache_write))
        return round(dollars / PER, 8)


def _p(inp: float, out: float, read: float | None = None, write: float | None = None
       ) -> ModelPrice:
    return ModelPrice(input=inp, output=out, cache_read=read, cache_write=write)


# Bare model names; a dated or suffixed name (gpt-4o-2024-08-06) takes its longest prefix.
PRICES: dict[str, ModelPrice] = {
    "gpt-4o": _p(2.5, 10.0, 1.25),
    "gpt-4o-mini": _p(0.15, 0.6, 0.075),
    "gpt-4.1": _p(2.0, 8.0, 0.5),
    "gpt-4.1-mini": _p(0.4, 1.6, 0.1),
    "gpt-4.1-nano": _p(0.1, 0.4, 0.025),
    "gpt-5": _p(1.25, 10.0, 0.125),
    "gpt-5-mini": _p(0.25, 2.0, 0.025),
    "gpt-5-nano": _p(0.05, 0.4, 0.005),
    "o3": _p(2.0, 8.0, 0.5),
    "o4-mini": _p(1.1, 4.4, 0.275),
    "claude-opus-4": _p(15.0, 75.0, 1.5, 18.75),
    "claude-opus-4-1": _p(15.0, 75.0, 1.5, 18.75),
    "claude-sonnet-4": _p(3.0, 15.0, 0.3, 3.75),
    "claude-sonnet-4-5": _p(3.0, 15.0, 0.3, 3.75),
    "claude-3-7-sonnet": _p(3.0, 15.0, 0.3, 3.75),
    "claude-3-5-haiku": _p(0.8, 4.0, 0.08, 1.0),
    "claude-haiku-4-5": _p(1.0, 5.0, 0.1, 1.25),
}


def price_for(selector: str, overrides: Mapping[str, ModelPrice] | None = None
              ) -> ModelPrice | None:
    """The price of `provider/model` (or a bare model name), or None when unknown."""
    overrides = overrides or {}
    model = selector.partition("/")[2] or selector
    for key in (selector, model):
        if key in overrides:
            return overrides[key]
    if model in PRICES:
        return PRICES[model]
    best = max((name for name in PRICES if model.startswith(name + "-")), key=len, default=None)
    return PRICES[best] if best is not None else None


def cost_of(selector: str, usage: Usage, overrides: Mapping[str, ModelPrice] | None = None
            ) -> float | None:
    """Dollars for `usage` of the model `selector`; None when the model has no price."""
    price = price_for(selector, overrides)
    return None if price is None else price.cost(usage)
