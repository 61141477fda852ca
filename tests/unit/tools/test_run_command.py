"""run_command: streaming, exit codes, timeout, and cancellation killing the process group."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path

import pytest

from tether.tools.run_command import MAX_OUTPUT_CHARS, RunCommandTool

from .conftest import Harness

run = RunCommandTool()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def wait_for_file(path: Path) -> str:
    for _ in range(500):
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        await asyncio.sleep(0.01)
    raise AssertionError(f"{path} never appeared")


async def wait_dead(pid: int) -> bool:
    for _ in range(300):
        if not alive(pid):
            return True
        await asyncio.sleep(0.01)
    return False


async def test_runs_in_workspace_with_exit_code(ws: Harness) -> None:
    ws.write("marker.txt", "")
    outcome = await run.run({"command": "pwd; ls"}, ws.ctx)
    assert not outcome.is_error
    assert outcome.content == f"{ws.root}\nmarker.txt\n[exit code 0]"
    assert outcome.metadata["exit_code"] == 0


async def test_nonzero_exit_is_an_error_with_output(ws: Harness) -> None:
    outcome = await run.run({"command": "echo out; echo err >&2; exit 3"}, ws.ctx)
    assert outcome.is_error and outcome.metadata["exit_code"] == 3
    assert outcome.content == "out\nerr\n[exit code 3]"


async def test_output_streams_in_order(ws: Harness) -> None:
    seen: list[tuple[str, bool]] = []
    flag = ws.root / "flag"

    async def emit(chunk: str) -> None:
        # record whether the command was still running when the chunk arrived
        seen.append((chunk, not flag.exists()))

    ws.ctx.emit_output = emit
    script = "echo one; sleep 0.3; echo two >&2; sleep 0.3; echo three; touch flag"
    outcome = await run.run({"command": script}, ws.ctx)
    assert "".join(chunk for chunk, _ in seen) == "one\ntwo\nthree\n"
    assert seen[0][0].startswith("one\n")
    assert seen[0][1], "the first chunk arrived only after the command finished"
    assert outcome.content == "one\ntwo\nthree\n[exit code 0]"


async def test_timeout_kills_the_group(ws: Harness) -> None:
    pidfile = ws.root / "pid"
    outcome = await run.run(
        {"command": "echo started; sleep 60 & echo $! > pid; wait", "timeout": 1}, ws.ctx
    )
    assert outcome.is_error and outcome.metadata["timed_out"]
    assert "started" in outcome.content
    assert "did not finish within 1 s" in outcome.content
    assert await wait_dead(int(pidfile.read_text()))


async def test_timeout_from_context(ws: Harness) -> None:
    ws.ctx.command_timeout = 1.0
    outcome = await run.run({"command": "trap '' TERM; sleep 30"}, ws.ctx)  # ignores SIGTERM
    assert outcome.is_error and "within 1 s" in outcome.content


async def test_cancel_kills_grandchildren(ws: Harness) -> None:
    pidfile = ws.root / "pid"
    task = asyncio.create_task(
        run.run({"command": "sh -c 'sleep 60 & echo $! > pid; wait'; echo never"}, ws.ctx)
    )
    grandchild = int(await wait_for_file(pidfile))
    assert alive(grandchild)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await wait_dead(grandchild), "the grandchild sleep survived the cancel"
    assert "never" not in "".join(ws.output)


async def test_background_processes_do_not_block(ws: Harness) -> None:
    pidfile = ws.root / "pid"
    outcome = await run.run({"command": "sleep 60 & echo $! > pid; echo done"}, ws.ctx)
    assert outcome.content == "done\n[exit code 0]"
    assert await wait_dead(int(pidfile.read_text()))


async def test_long_output_keeps_head_and_tail(ws: Harness) -> None:
    outcome = await run.run({"command": "seq 1 100000"}, ws.ctx)
    assert outcome.content.startswith("1\n2\n3\n")
    assert outcome.content.endswith("99999\n100000\n[exit code 0]")
    assert "characters omitted" in outcome.content and outcome.metadata["truncated"]
    assert len(outcome.content) < MAX_OUTPUT_CHARS + 200
    assert "".join(ws.output).count("\n") == 100000  # the stream itself is complete


async def test_secrets_are_not_passed_on(ws: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    monkeypatch.setenv("HARMLESS", "visible")
    outcome = await run.run({"command": "env"}, ws.ctx)
    assert "sk-very-secret" not in outcome.content
    assert "HARMLESS=visible" in outcome.content


async def test_invalid_utf8_output_is_replaced(ws: Harness) -> None:
    outcome = await run.run({"command": r"printf 'a\377b\n'"}, ws.ctx)
    assert outcome.content == "a\ufffdb\n[exit code 0]"


async def test_argument_errors(ws: Harness) -> None:
    cases = [
        ({}, "run_command: missing required argument 'command'"),
        ({"command": ""}, "'command' must not be empty"),
        ({"command": "ls", "timeout": 0}, "'timeout' must be at least 1"),
        ({"command": ["ls"]}, "'command' must be a string, got an array"),
    ]
    for args, message in cases:
        outcome = await run.run(args, ws.ctx)
        assert outcome.is_error and message in outcome.content, args


def test_flags() -> None:
    assert run.needs_permission and not run.read_only
    assert run.describe_call({"command": "make test"}) == "Run `make test`"


async def test_detached_process_holding_the_pipe_does_not_hang(ws: Harness) -> None:
    pidfile = ws.root / "pid"
    outcome = await run.run({"command": "setsid sleep 30 & echo $! > pid; echo done"}, ws.ctx)
    try:
        assert outcome.content == "done\n[exit code 0]"
    finally:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pidfile.read_text()), signal.SIGKILL)


async def test_missing_program_and_missing_workspace(ws: Harness) -> None:
    outcome = await run.run({"command": "no-such-program-xyz"}, ws.ctx)
    assert outcome.is_error and outcome.metadata["exit_code"] == 127
    assert "not found" in outcome.content
    ws.root.rename(ws.root.with_name("moved"))
    outcome = await run.run({"command": "true"}, ws.ctx)
    assert outcome.is_error and "No such file or directory" in outcome.content


@pytest.mark.parametrize("delay", [0, 0.0005, 0.002, 0.005, 0.01, 0.03])
async def test_cancel_at_any_moment_leaves_nothing_running(ws: Harness, delay: float) -> None:
    """Also while asyncio is still connecting the pipes: the group must go, not just sh."""
    pidfile = ws.root / "pid"
    task = asyncio.create_task(
        run.run({"command": "sh -c 'sleep 60 & echo $! > pid; wait'"}, ws.ctx)
    )
    await asyncio.sleep(delay)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.2)  # anything still running could write the pid file now
    if pidfile.exists() and pidfile.read_text().strip():
        assert await wait_dead(int(pidfile.read_text()))


# --- the whole tree, `setsid` children and daemons included (Linux: /proc and a subreaper) --

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

# The sleeper writes its own pid (`exec` keeps it), then the command waits until it did.
SETSID_SLEEPER = "setsid sh -c 'echo $$ > pid.tmp && mv pid.tmp pid; exec sleep 1000' &"
SETSID_QUIET = (
    "setsid sh -c 'echo $$ > pid.tmp && mv pid.tmp pid; exec sleep 1000' "
    "</dev/null >/dev/null 2>&1 &"
)
UNTIL_PID = "until [ -s pid ]; do sleep 0.01; done;"
DAEMON = (
    "python3 -c '\n"
    "import os, sys\n"
    "if os.fork(): sys.exit(0)\n"
    "os.setsid()\n"
    "if os.fork(): sys.exit(0)\n"
    "null = os.open(os.devnull, os.O_RDWR)\n"
    "for fd in (0, 1, 2): os.dup2(null, fd)\n"
    "open(\"pid.tmp\", \"w\").write(str(os.getpid())); os.rename(\"pid.tmp\", \"pid\")\n"
    "os.execvp(\"sleep\", [\"sleep\", \"1000\"])\n"
    "';"
)
ESCAPES = {"setsid": SETSID_SLEEPER, "setsid-quiet": SETSID_QUIET, "double-fork": DAEMON}


def gone(pid: int) -> bool:
    """No process at all, not even a zombie: whoever inherited it also reaped it."""
    return not Path(f"/proc/{pid}").exists()


async def wait_gone(pid: int) -> bool:
    for _ in range(500):
        if gone(pid):
            return True
        await asyncio.sleep(0.01)
    return False


def kill_quietly(pidfile: Path) -> None:
    with contextlib.suppress(ProcessLookupError, ValueError, OSError):
        os.kill(int(pidfile.read_text()), signal.SIGKILL)


@linux_only
@pytest.mark.parametrize("escape", sorted(ESCAPES))
async def test_escaped_children_are_stopped_when_the_command_ends(
    ws: Harness, escape: str
) -> None:
    pidfile = ws.root / "pid"
    try:
        outcome = await run.run({"command": f"{ESCAPES[escape]} {UNTIL_PID} echo done"}, ws.ctx)
        assert outcome.content.endswith("done\n[exit code 0]")
        assert await wait_gone(int(pidfile.read_text())), f"the {escape} sleeper outlived it"
    finally:
        kill_quietly(pidfile)


@linux_only
@pytest.mark.parametrize("escape", sorted(ESCAPES))
async def test_escaped_children_are_stopped_on_timeout(ws: Harness, escape: str) -> None:
    pidfile = ws.root / "pid"
    try:
        outcome = await run.run(
            {"command": f"{ESCAPES[escape]} {UNTIL_PID} sleep 1000", "timeout": 1}, ws.ctx
        )
        assert outcome.is_error and outcome.metadata["timed_out"]
        assert await wait_gone(int(pidfile.read_text())), f"the {escape} sleeper outlived it"
    finally:
        kill_quietly(pidfile)


@linux_only
@pytest.mark.parametrize("escape", sorted(ESCAPES))
async def test_escaped_children_are_stopped_on_cancel(ws: Harness, escape: str) -> None:
    pidfile = ws.root / "pid"
    task = asyncio.create_task(
        run.run({"command": f"{ESCAPES[escape]} {UNTIL_PID} sleep 1000"}, ws.ctx)
    )
    try:
        sleeper = int(await wait_for_file(pidfile))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await wait_gone(sleeper), f"the {escape} sleeper outlived the cancel"
    finally:
        kill_quietly(pidfile)


@linux_only
async def test_a_command_leaves_no_zombies_behind(ws: Harness) -> None:
    """Orphans reparented to the server (its subreaper role) are reaped, not left as Z."""
    try:
        await run.run({"command": f"{DAEMON} {UNTIL_PID} echo done"}, ws.ctx)
    finally:
        kill_quietly(ws.root / "pid")
    me = str(os.getpid())
    zombies = []
    for _ in range(200):
        zombies = [
            entry.name for entry in Path("/proc").iterdir() if entry.name.isdigit()
            and _stat(entry.name)[:2] == ["Z", me]
        ]
        if not zombies:
            break
        await asyncio.sleep(0.01)
    assert zombies == []


def _stat(pid: str) -> list[str]:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return text[text.rfind(")") + 2 :].split()[:2]  # state, ppid


@linux_only
async def test_reaping_orphans_keeps_every_exit_code(ws: Harness) -> None:
    """Commands ending while others reap their orphans still get their own exit status."""
    (ws.root / "d").mkdir()
    quick = [run.run({"command": f"sleep 0.0{i}; exit {i + 3}"}, ws.ctx) for i in range(6)]
    daemons = [
        run.run({"command": f"cd d && mkdir {i} && cd {i} && {DAEMON} {UNTIL_PID} true"}, ws.ctx)
        for i in range(3)
    ]
    outcomes = await asyncio.gather(*quick, *daemons)
    assert [o.metadata["exit_code"] for o in outcomes] == [3, 4, 5, 6, 7, 8, 0, 0, 0]
    for i in range(3):
        assert await wait_gone(int((ws.root / "d" / str(i) / "pid").read_text()))


async def test_without_proc_the_group_is_still_stopped(
    ws: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where /proc is missing (macOS, BSD) the process group is what can be reached."""
    from tether.tools import proctree

    monkeypatch.setattr(proctree, "_HAS_PROC", False)
    pidfile = ws.root / "pid"
    outcome = await run.run(
        {"command": "trap '' TERM; sleep 60 & echo $! > pid; echo done"}, ws.ctx
    )
    assert outcome.content == "done\n[exit code 0]"
    assert await wait_dead(int(pidfile.read_text()))  # SIGTERM ignored: SIGKILL got it
