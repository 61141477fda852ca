"""How a file's signals combine into one score: the weights, and the pure combination.

Each signal is scaled to [0, 1] by its best value among the candidates of this query, so a
weight says how much a signal matters relative to the others, whatever the query's length.
The defaults come from `benchmarks/bench_retrieval.py` (tuning split only); each weight is a
field so the benchmark can switch one off (`--set history=0`) and show what it buys.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Ranking:
    content: float = 1.0  # BM25 of the file's text chunks (FTS5), best chunks aggregated
    path: float = 0.5  # query terms in the path, weighted by their rarity among paths
    symbol: float = 0.5  # the query names an identifier the file defines
    history: float = 0.6  # BM25 of the query over past commit messages that touched the file
    graph: float = 0.0  # the file defines what the best hits use: measured, lost (see note)
    cochange: float = 0.1  # the file changed together with the best hits in the past
    recency: float = 0.05  # recently changed files are more likely to change again
    prose: float = 0.4  # factor for docs and changelogs: a search is mostly for code
    tests: float = 0.6  # factor for tests: the code under test usually matters first
    second_chunk: float = 0.5  # weight of a file's 2nd best chunk (3rd: its square, ...)
    seeds: float = 5.0  # how many of the best files feed the second pass

    def with_value(self, name: str, value: float) -> Ranking:
        if name not in {f.name for f in dataclasses.fields(self)}:
            raise ValueError(f"no ranking weight {name!r}")
        return dataclasses.replace(self, **{name: value})


DEFAULT_RANKING = Ranking()


_PROSE = (".md", ".rst", ".txt", ".adoc", ".markdown")
_TEST_DIRS = frozenset({"test", "tests", "testing", "__tests__", "spec", "specs"})


def kind_factor(path: str, weights: Ranking) -> float:
    """A prior on what a file is: code 1, tests and prose (docs, changelogs) less."""
    kind = file_kind(path)
    return weights.prose if kind == "prose" else weights.tests if kind == "test" else 1.0


@lru_cache(maxsize=65536)
def file_kind(path: str) -> str:
    """"prose" (docs, changelogs), "test" or "code", from the path alone."""
    lowered = path.lower()
    parts = lowered.split("/")
    name = parts[-1]
    original = path.rsplit("/", 1)[-1]
    if name.endswith(_PROSE) or ("." not in original and original.isupper()):  # CHANGES
        return "prose"
    stem = name.rsplit(".", 1)[0]
    if (any(p in _TEST_DIRS for p in parts[:-1]) or stem.startswith("test_")
            or stem.endswith(("_test", "_tests", ".test", ".spec")) or stem == "conftest"):
        return "test"
    return "code"


def scaled(scores: dict[str, float]) -> dict[str, float]:
    """Scores divided by the best one (an empty or all-zero signal stays empty)."""
    best = max(scores.values(), default=0.0)
    if best <= 0.0:
        return {}
    return {k: v / best for k, v in scores.items() if v > 0.0}


def combine(signals: dict[str, dict[str, float]], weights: Ranking) -> dict[str, float]:
    """The sum of weight * scaled signal, per file."""
    total: dict[str, float] = {}
    for name, scores in signals.items():
        weight = float(getattr(weights, name))
        if weight == 0.0:
            continue
        for path, value in scaled(scores).items():
            total[path] = total.get(path, 0.0) + weight * value
    return total
