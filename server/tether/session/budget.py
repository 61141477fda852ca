"""How many tokens one request may use, and how far to trust our own estimates.

The window comes from (first match) the `contextWindow` setting, what the server reports
(`providers/served_window.py`: llama.cpp `/props`, vLLM / LM Studio `/v1/models`, Ollama
`/api/show`), the model table, and is lowered whenever a
provider's `context_length_exceeded` answer names a smaller one. From it go the output
reserved for the answer and a safety margin. Our chars-per-token estimate is corrected
by the prompt tokens the provider reports for the request we estimated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MIN_MARGIN_TOKENS = 256
MARGIN_FRACTION = 0.06
RATIO_FLOOR = 0.8  # our estimate may be high, but never trust a report saying "far less"
RATIO_CEILING = 3.0


@dataclass(frozen=True)
class Budget:
    window: int
    reserve: int  # output tokens kept free for the answer
    margin: int  # estimation slack

    @property
    def tokens(self) -> int:
        return max(self.window - self.reserve - self.margin, self.window // 4)


def plan_budget(window: int, max_tokens: int) -> Budget:
    """Reserve the answer's tokens (at most a quarter of the window) and a margin."""
    reserve = min(max_tokens, window // 4)
    margin = max(MIN_MARGIN_TOKENS, int(window * MARGIN_FRACTION))
    return Budget(window=window, reserve=reserve, margin=margin)


@dataclass
class TokenCalibration:
    """Reported / estimated prompt tokens of the last request, applied to the next one."""

    ratio: float = 1.0

    def observe(self, estimated: int, reported: int) -> None:
        if estimated > 0 and reported > 0:
            self.ratio = min(max(reported / estimated, RATIO_FLOOR), RATIO_CEILING)

    def scale(self, tokens: int) -> int:
        return int(tokens * self.ratio + 0.5)


@dataclass
class WindowState:
    """The window one session budgets for, and what taught us it."""

    window: int
    source: str = "table"  # table | setting | server | provider_error
    learned: list[int] = field(default_factory=list)

    def lower_to(self, limit: int | None) -> bool:
        """A provider named a smaller window; True when that changed ours."""
        if limit is None or limit >= self.window:
            return False
        self.window = limit
        self.source = "provider_error"
        self.learned.append(limit)
        return True
