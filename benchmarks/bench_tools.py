"""File tools: grep over a generated tree beside ripgrep, and cancel during a bad regex.

Issue 9: a model-chosen pattern must not freeze the server. Two figures:

- grep (the tool: gitignore-aware walk, safe_open reads, the `regex` module with a
  deadline) over a generated tree of 10,000 files, beside `rg` on the same tree in the
  same run (the ratio is what to read; the machines are noisy). Without `rg` on PATH
  (`apt-get install ripgrep`) that column is skipped with a note.
- cancel latency: a real turn (SessionManager, the scripted provider over HTTP) whose
  model calls grep with a catastrophic pattern; the time from `cancel()` to the
  `turn_cancelled` event, beside cancelling a turn idling in `run_command sleep` (the
  floor). Goal: under 100 ms.
- peak RSS of a child running every file tool and an attachment on a sparse 1 GiB file
  (each refused at the cap), beside the same child with the imports only.

    python benchmarks/bench_tools.py [--files N] [--runs N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tether.protocol.events import EventBase
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import open_store
from tether.testing.provider_server import Script, ScriptedProviderServer, text_turn, tool_turn
from tether.tools.base import ToolContext
from tether.tools.grep import GrepTool
from tether.workspace.disk_bridge import DiskBridge
from tether.workspace.folder import WorkspaceFolder

GOAL_MS = 100.0
CATASTROPHIC = r"(a|aa)+$"
PATTERNS = [("literal", "needle_7", False), ("regex", r"def \w+_13\(", False),
            ("ignore-case", "NEEDLE_7", True)]


def make_tree(root: Path, files: int) -> None:
    """`files` small Python-like files in nested folders, a .gitignore and an ignored dir."""
    (root / ".gitignore").write_text("build/\n")
    for i in range(files):
        folder = root / f"pkg{i % 20}" / f"sub{(i // 20) % 25}"
        folder.mkdir(parents=True, exist_ok=True)
        body = "".join(
            f"def func_{i}_{j}(x):\n    return x * {j}  # value {i * j}\n\n" for j in range(30))
        if i % 100 == 7:
            body += f"needle_7 = {i}\n"
        (folder / f"mod{i}.py").write_text(body)
    (root / "build").mkdir()
    (root / "build" / "out.py").write_text("needle_7 = 'ignored'\n")


def _ctx(root: Path) -> ToolContext:
    async def emit(_chunk: str) -> None:
        return None

    return ToolContext(workspace=WorkspaceFolder.at(root), bridge=DiskBridge(),
                       session_id="bench", tool_call_id="bench", emit_output=emit,
                       grep_timeout=600.0)


async def time_grep(root: Path, pattern: str, ignore_case: bool, runs: int) -> tuple[float, int]:
    ctx = _ctx(root)
    times, matches = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        outcome = await GrepTool().run({"pattern": pattern, "ignoreCase": ignore_case}, ctx)
        times.append(time.perf_counter() - started)
        assert not outcome.is_error, outcome.content
        matches = int(outcome.metadata.get("matches", 0))
    return statistics.median(times), matches


def time_rg(root: Path, pattern: str, ignore_case: bool, runs: int) -> tuple[float, int]:
    command = ["rg", "-n", "--no-heading", "--color", "never", "-j", "1", "--no-require-git"]
    command += ["-i"] if ignore_case else []
    times, matches = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([*command, pattern, "."], cwd=root, capture_output=True,
                              text=True, check=False)
        times.append(time.perf_counter() - started)
        matches = len(done.stdout.splitlines())
    return statistics.median(times), matches


async def cancel_ms(srv: ScriptedProviderServer, root: Path, turn: object) -> float:
    """Milliseconds from cancel() to turn_cancelled, with the tool of `turn` running."""
    folder = WorkspaceFolder.at(root)
    settings = Settings(provider="openai", openai_base_url=srv.openai_base_url,
                        openai_api_key="bench", model="scripted", auto_approve=True,
                        title_generation=False, repo_map_tokens=0, grep_timeout=600.0)
    manager = SessionManager(folder, store=open_store(folder), settings=settings,
                             bridge=DiskBridge(auto_approve=True))
    started, ended = asyncio.Event(), asyncio.Event()
    ended_at = 0.0

    def watch(event: EventBase) -> None:
        nonlocal ended_at
        if event.type == "tool_call_started":  # type: ignore[attr-defined]
            started.set()
        if event.type == "turn_cancelled":  # type: ignore[attr-defined]
            ended_at = time.perf_counter()
            ended.set()

    srv.set_script(Script([turn, text_turn("unreachable")]))  # type: ignore[list-item]
    manager.subscribe(watch)
    info = await manager.create()
    task = asyncio.create_task(manager.prompt(info.id, "go"))
    await asyncio.wait_for(started.wait(), 30)
    await asyncio.sleep(0.3)  # well inside the tool: the pattern is backtracking
    asked = time.perf_counter()
    await manager.cancel(info.id)
    await asyncio.wait_for(ended.wait(), 30)
    await task
    await manager.aclose()
    return (ended_at - asked) * 1000


_RSS_CHILD = """
import asyncio, os, resource, sys, tempfile
from pathlib import Path
from tether.protocol.methods import PromptContext
from tether.session.attachments import context_parts
from tether.tools.base import ToolContext
from tether.tools.edit import EditTool
from tether.tools.grep import GrepTool
from tether.tools.read_file import ReadFileTool
from tether.tools.write_file import WriteFileTool
from tether.workspace.disk_bridge import DiskBridge
from tether.workspace.folder import WorkspaceFolder, path_to_uri

async def main(touch: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        with (root / "huge.bin").open("wb") as fh:
            fh.truncate(1024 ** 3)
        if not touch:
            return
        async def emit(_c: str) -> None: ...
        folder = WorkspaceFolder.at(root)
        ctx = ToolContext(workspace=folder, bridge=DiskBridge(), session_id="b",
                          tool_call_id="b", emit_output=emit)
        for tool, args in ((ReadFileTool(), {"path": "huge.bin"}),
                           (EditTool(), {"path": "huge.bin", "old": "a", "new": "b"}),
                           (WriteFileTool(), {"path": "huge.bin", "content": "x"}),
                           (GrepTool(), {"pattern": "x"})):
            outcome = await tool.run(args, ctx)
            assert "file size cap" in outcome.content, outcome.content
        context = PromptContext.model_validate({"extraFileUris": [path_to_uri(root / "huge.bin")]})
        parts = await context_parts("look", context, folder, DiskBridge())
        assert "file size cap" in parts[-1].text  # type: ignore[union-attr]

asyncio.run(main(sys.argv[1] == "touch"))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def max_rss_mb(touch: bool) -> float:
    """Peak RSS of a child that (touch) runs every file tool on a sparse 1 GiB file."""
    done = subprocess.run([sys.executable, "-c", _RSS_CHILD, "touch" if touch else "idle"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 300 files, 1 run")
    args = parser.parse_args()
    files, runs = (300, 1) if args.quick else (args.files, args.runs)
    rg = shutil.which("rg")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve() / "tree"
        root.mkdir()
        make_tree(root, files)
        print(f"grep over {files} files ({runs} runs, median):")
        if rg is None:
            print("  rg column skipped: ripgrep is not on PATH (apt-get install ripgrep)")
        for label, pattern, ignore_case in PATTERNS:
            ours, ours_n = await time_grep(root, pattern, ignore_case, runs)
            line = f"  {label:<12} tether grep {ours * 1000:8.1f} ms ({ours_n} matches)"
            if rg is not None:
                theirs, theirs_n = time_rg(root, pattern, ignore_case, runs)
                line += (f" | rg -j1 {theirs * 1000:7.1f} ms ({theirs_n} matches)"
                         f" | ratio {ours / theirs:5.1f}x")
            print(line)
        bad = Path(tmp).resolve() / "bad"
        bad.mkdir()
        (bad / "a.txt").write_text("a" * 60 + "!\n")
        with ScriptedProviderServer(Script([])) as srv:
            grep_ms, floor_ms = [], []
            for _ in range(max(1, runs)):
                grep_ms.append(await cancel_ms(srv, bad, tool_turn(
                    "grep", {"pattern": CATASTROPHIC})))
                floor_ms.append(await cancel_ms(srv, bad, tool_turn(
                    "run_command", {"command": "sleep 30"})))
        g, f = statistics.median(grep_ms), statistics.median(floor_ms)
        verdict = "ok" if g < GOAL_MS else "OVER GOAL"
        print(f"cancel during grep {CATASTROPHIC!r}: {g:.1f} ms median, max "
              f"{max(grep_ms):.1f} ms (goal < {GOAL_MS:.0f} ms: {verdict})")
        print(f"cancel during run_command sleep (floor): {f:.1f} ms median | ratio "
              f"{g / f if f else float('inf'):.2f}x")
    touched, idle = max_rss_mb(True), max_rss_mb(False)
    print(f"peak RSS, read_file/edit/write_file/grep/attachment on a sparse 1 GiB file: "
          f"{touched:.0f} MB | imports only: {idle:.0f} MB | ratio {touched / idle:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
