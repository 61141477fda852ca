"""The parse pool: scan files in worker processes (big batches) or a thread (small ones).

Workers are spawned, not forked: the server has threads, and a fork of a threaded
process can deadlock. They import only `tether.index.scan`, so they start in
milliseconds. A bounded window of batches is in flight: results wait for the single
SQLite writer, and an unbounded queue of parsed files would grow memory with the folder.
One `ParsePool` serves both passes of a build (text, then symbols), so workers are
spawned once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
from collections.abc import AsyncGenerator, Callable
from typing import TypeVar

BATCH = 48  # files per parse task

Item = TypeVar("Item")
Result = TypeVar("Result")


class ParsePool:
    """Worker processes, created on first use and shut down by `close()`."""

    def __init__(self) -> None:
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self.workers = os.cpu_count() or 1

    def executor(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    @property
    def started(self) -> bool:
        return self._pool is not None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


async def parse_files(
    root: str, todo: list[Item], max_bytes: int, process_threshold: int,
    task: Callable[[str, list[Item], int], list[Result]], pool: ParsePool,
    threaded: bool = False,
) -> AsyncGenerator[list[Result], None]:
    """Yield result batches of `task` as they finish. Close the generator to stop.

    `threaded`: run in a thread whatever the size (the text pass: reading and chunking
    is light, and starts at once where the workers need time to spawn).
    """
    batches = [todo[i : i + BATCH] for i in range(0, len(todo), BATCH)]
    small = len(todo) < process_threshold and not pool.started
    if threaded or small or pool.workers < 2:
        for batch in batches:
            yield await asyncio.to_thread(task, root, batch, max_bytes)
        return
    loop = asyncio.get_running_loop()
    executor = pool.executor()
    window = pool.workers * 3
    queue = iter(batches)
    running: set[asyncio.Future[list[Result]]] = set()

    def submit() -> None:
        for batch in queue:
            running.add(loop.run_in_executor(executor, task, root, batch, max_bytes))
            if len(running) >= window:
                return

    try:
        submit()
        while running:
            finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            running.difference_update(finished)
            submit()
            for future in finished:
                yield future.result()
    finally:
        for future in running:
            future.cancel()


