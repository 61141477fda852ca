"""Per-session state built once: the first caller builds it, callers meanwhile wait.

A session's state and its change ledger are read from its history file on first use;
two requests arriving together must not read it twice (and end up with two states).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


async def built_once(built: dict[K, V], key: K, lock: asyncio.Lock,
                     build: Callable[[], Awaitable[V]]) -> V:
    """`built[key]`, built by `build()` (under `lock`) if it is not there yet."""
    found = built.get(key)
    if found is not None:
        return found
    async with lock:
        found = built.get(key)
        if found is None:
            found = built[key] = await build()
    return found
