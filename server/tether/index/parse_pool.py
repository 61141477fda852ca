"""The parse pool: scan files in worker processes (big batches) or a thread (small ones).

Workers are spawned, not forked: the server has threads, and a fork of a threaded
process can deadlock. They import only `tether.index.scan`, so they start in
milliseconds. A bounded window of batches is in flight: results wait for the single
SQLite writer, and an unbounded queue of parsed files would grow memory with the folder.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
from collections.abc import AsyncGenerator

from tether.index.scan import FileResult, Known, scan_batch

BATCH = 48  # files per parse task


async def parse_files(
    root: str, todo: list[tuple[str, Known | None]], max_bytes: int, process_threshold: int
) -> AsyncGenerator[list[FileResult], None]:
    """Yield result batches as they finish. Close the generator to stop (cancel-safe)."""
    batches = [todo[i : i + BATCH] for i in range(0, len(todo), BATCH)]
    workers = os.cpu_count() or 1
    if len(todo) < process_threshold or workers < 2:
        for batch in batches:
            yield await asyncio.to_thread(scan_batch, root, batch, max_bytes)
        return
    loop = asyncio.get_running_loop()
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn")
    )
    window = workers * 3
    queue = iter(batches)
    running: set[asyncio.Future[list[FileResult]]] = set()

    def submit() -> None:
        for batch in queue:
            running.add(loop.run_in_executor(pool, scan_batch, root, batch, max_bytes))
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
        pool.shutdown(wait=False, cancel_futures=True)
