"""The task supervisor every owner of background work uses: failures logged, close waits."""

from __future__ import annotations

import asyncio
import gc
import logging
import weakref

import pytest

from tether.supervisor import TaskSupervisor


async def _fail() -> None:
    await asyncio.sleep(0)
    raise RuntimeError("disk on fire")


async def test_a_failure_is_logged_with_the_task_name(caplog: pytest.LogCaptureFixture) -> None:
    tasks = TaskSupervisor("proj")
    with caplog.at_level(logging.ERROR, logger="tether.supervisor"):
        task = tasks.spawn(_fail(), "index build")
        with pytest.raises(RuntimeError):
            await task
        await asyncio.sleep(0)  # the done callback runs after the awaiter wakes
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in failures] == ["index build proj failed: disk on fire"]
    assert failures[0].exc_info is not None
    assert len(tasks) == 0


async def test_a_cancelled_task_is_not_a_failure(caplog: pytest.LogCaptureFixture) -> None:
    tasks = TaskSupervisor()
    with caplog.at_level(logging.ERROR, logger="tether.supervisor"):
        task = tasks.spawn(asyncio.sleep(60), "wait")
        await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0)
    assert caplog.records == []


async def test_aclose_cancels_and_waits_for_every_task() -> None:
    tasks = TaskSupervisor()
    finished: list[str] = []

    async def work(name: str) -> None:
        try:
            await asyncio.sleep(60)
        finally:
            await asyncio.sleep(0)  # clean-up that itself awaits
            finished.append(name)

    spawned = [tasks.spawn(work(n), n) for n in ("a", "b")]
    await asyncio.sleep(0)
    await tasks.aclose()
    assert sorted(finished) == ["a", "b"]
    assert all(t.cancelled() for t in spawned)
    assert len(tasks) == 0


async def test_work_spawned_after_close_never_runs() -> None:
    tasks = TaskSupervisor()
    await tasks.aclose()
    ran: list[bool] = []

    async def late() -> None:
        ran.append(True)

    task = tasks.spawn(late(), "late")
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled() and ran == []


async def test_a_close_spawned_as_its_own_work_does_not_wait_for_itself() -> None:
    tasks = TaskSupervisor()
    closer = tasks.spawn(tasks.aclose(), "close")
    await asyncio.wait_for(closer, 5)
    assert closer.done() and not closer.cancelled()


async def test_it_holds_running_tasks_and_lets_finished_ones_go() -> None:
    tasks = TaskSupervisor()
    gate = asyncio.Event()

    async def wait_for_gate() -> None:
        await gate.wait()

    ref = weakref.ref(tasks.spawn(wait_for_gate(), "held"))
    gc.collect()
    assert ref() is not None and len(tasks) == 1  # nobody else holds it: we do
    gate.set()
    for _ in range(3):
        await asyncio.sleep(0)
    gc.collect()
    assert ref() is None and len(tasks) == 0


async def test_settle_gives_tasks_time_to_finish_before_close() -> None:
    tasks = TaskSupervisor()
    task = tasks.spawn(asyncio.sleep(0.01, result="title"), "title")
    await tasks.settle(5)
    assert task.result() == "title"
    await tasks.aclose()
