"""What a build reports: progress while it runs, stats when it ends."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass
class IndexProgress:
    done: int
    total: int
    message: str
    # "text": files are being made searchable; "symbols": search works, symbols and the
    # repo-map graph are filling in; "files": both at once (small builds).
    phase: str = "files"


@dataclass
class IndexStats:
    files: int
    symbols: int
    skipped: dict[str, int]
    seconds: float


def counts_line(skipped: dict[str, int]) -> str:
    """`binary=2, too_large=1` (or `none`) for the CLI."""
    return ", ".join(f"{k}={v}" for k, v in sorted(Counter(skipped).items())) or "none"
