"""The file tools only open regular files, within a size cap, and grep cannot hang.

FIFOs would block a worker thread forever, a character device would be read until
memory runs out, a 1 GB file would be read whole: each is refused (or skipped and
reported by the walking tools) with a message naming what and why.
"""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from tether.tools.edit import EditTool
from tether.tools.glob_files import GlobTool
from tether.tools.grep import GrepTool
from tether.tools.list_dir import ListDirTool
from tether.tools.read_file import ReadFileTool
from tether.tools.write_file import WriteFileTool

from .conftest import Harness

WAIT = 20.0  # a hang guard, not a timing assertion
GIB = 1024 * 1024 * 1024


def special(ws: Harness, kind: str, name: str) -> Path:
    path = ws.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        try:
            os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # what /dev/zero is
        except PermissionError:
            pytest.skip("creating a character device needs CAP_MKNOD")
    return path


def sparse(ws: Harness, name: str, size: int = GIB) -> Path:
    path = ws.write(name, "")
    with path.open("r+b") as fh:
        fh.truncate(size)  # no real disk use
    return path


async def run(tool: object, args: dict[str, object], ws: Harness) -> tuple[bool, str]:
    outcome = await asyncio.wait_for(tool.run(args, ws.ctx), WAIT)  # type: ignore[attr-defined]
    return outcome.is_error, outcome.content


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
async def test_read_file_refuses_special_files(ws: Harness, kind: str) -> None:
    special(ws, kind, "pipe")
    is_error, content = await run(ReadFileTool(), {"path": "pipe"}, ws)
    assert is_error and "not a regular file" in content


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
async def test_edit_and_write_file_refuse_special_files(ws: Harness, kind: str) -> None:
    path = special(ws, kind, "pipe")
    is_error, content = await run(EditTool(), {"path": "pipe", "old": "a", "new": "b"}, ws)
    assert is_error and "not a regular file" in content
    is_error, content = await run(WriteFileTool(), {"path": "pipe", "content": "x"}, ws)
    assert is_error and "not a regular file" in content
    assert not stat.S_ISREG(path.lstat().st_mode)  # not replaced by a regular file either


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
async def test_grep_skips_and_reports_special_files(ws: Harness, kind: str) -> None:
    ws.write("a.txt", "needle\n")
    special(ws, kind, "sub/pipe")
    is_error, content = await run(GrepTool(), {"pattern": "needle"}, ws)
    assert not is_error
    assert content.splitlines()[0] == "a.txt:1:needle"
    assert "sub/pipe" in content and "not a regular file" in content
    is_error, content = await run(GrepTool(), {"pattern": "needle", "path": "sub/pipe"}, ws)
    assert "not a regular file" in content


async def test_seven_fifo_reads_leave_the_tools_working(ws: Harness) -> None:
    special(ws, "fifo", "pipe")
    ws.write("a.txt", "hello\n")
    results = await asyncio.wait_for(asyncio.gather(
        *(ReadFileTool().run({"path": "pipe"}, ws.ctx) for _ in range(4)),
        *(GrepTool().run({"pattern": "x", "path": "pipe"}, ws.ctx) for _ in range(3)),
    ), WAIT)
    assert all("not a regular file" in r.content for r in results)
    is_error, content = await run(ReadFileTool(), {"path": "a.txt"}, ws)
    assert not is_error and content.endswith("│hello")


async def test_glob_and_list_dir_report_special_files(ws: Harness) -> None:
    ws.write("a.txt", "x\n")
    special(ws, "fifo", "pipe")
    _, content = await run(GlobTool(), {"pattern": "*"}, ws)
    assert content.splitlines()[0] == "a.txt"
    assert "pipe" in content and "not a regular file" in content
    _, content = await run(ListDirTool(), {}, ws)
    assert content.splitlines() == ["a.txt", "pipe [FIFO (named pipe)]"]


async def test_a_sparse_gigabyte_is_refused_naming_the_cap(ws: Harness) -> None:
    sparse(ws, "huge.bin")
    for tool, args in (
        (ReadFileTool(), {"path": "huge.bin"}),
        (EditTool(), {"path": "huge.bin", "old": "a", "new": "b"}),
        (WriteFileTool(), {"path": "huge.bin", "content": "small\n"}),
    ):
        is_error, content = await run(tool, args, ws)
        assert is_error, tool
        assert "1 GiB" in content or "1024 MiB" in content
        assert "10 MiB file size cap (setting maxFileBytes)" in content
    assert (ws.root / "huge.bin").stat().st_size == GIB  # write_file did not replace it


async def test_write_file_content_over_the_cap_is_refused(ws: Harness) -> None:
    ws.ctx.max_file_bytes = 64 * 1024
    is_error, content = await run(WriteFileTool(), {"path": "a.txt", "content": "x" * 70_000}, ws)
    assert is_error and "64 KiB file size cap (setting maxFileBytes)" in content
    assert not (ws.root / "a.txt").exists()


async def test_edit_result_over_the_cap_is_refused(ws: Harness) -> None:
    ws.ctx.max_file_bytes = 64 * 1024
    ws.write("a.txt", "x = 1\n")
    args = {"path": "a.txt", "old": "1", "new": "2" * 70_000}
    is_error, content = await run(EditTool(), args, ws)
    assert is_error and "file size cap (setting maxFileBytes)" in content
    assert (ws.root / "a.txt").read_text() == "x = 1\n"


async def test_grep_reports_what_it_skipped(ws: Harness) -> None:
    ws.ctx.max_file_bytes = 1024 * 1024
    sparse(ws, "big.log", 2 * 1024 * 1024)
    ws.write("img.png", b"\x89PNG\x00\x00needle")
    ws.write("latin.txt", "needle caf\xe9\n".encode("latin-1"))
    is_error, content = await run(GrepTool(), {"pattern": "needle"}, ws)
    assert not is_error
    assert content.startswith("no matches for 'needle'")
    assert "big.log" in content and "over the 1 MiB file size cap" in content
    assert "img.png" in content and "binary" in content
    assert "latin.txt" in content and "not UTF-8" in content


async def test_grep_searches_files_larger_than_two_megabytes(ws: Harness) -> None:
    ws.write("big.txt", "filler line\n" * 400_000 + "the needle\n")  # ~4.8 MB
    is_error, content = await run(GrepTool(), {"pattern": "needle"}, ws)
    assert not is_error and content == "big.txt:400001:the needle"


@pytest.mark.parametrize("pattern", [r"(a|aa)+$", r"(a|a)+$"])
async def test_catastrophic_pattern_times_out_as_a_tool_error(ws: Harness, pattern: str) -> None:
    ws.ctx.grep_timeout = 0.5
    ws.write("a.txt", "a" * 34 + "!\n")
    is_error, content = await run(GrepTool(), {"pattern": pattern}, ws)
    assert is_error and "pattern timed out" in content


async def test_the_issue_pattern_answers(ws: Harness) -> None:
    ws.ctx.grep_timeout = 0.5
    ws.write("a.txt", "a" * 34 + "!\n" + "a" * 34 + "\n")
    is_error, content = await run(GrepTool(), {"pattern": r"(a+)+$"}, ws)
    assert not is_error and content == "a.txt:2:" + "a" * 34


async def test_cancelling_a_catastrophic_grep_is_answered(ws: Harness) -> None:
    """The regex engine drops the GIL: the loop runs, a cancel lands, the task ends."""
    ws.ctx.grep_timeout = 60.0
    ws.write("a.txt", "a" * 40 + "!\n")
    task = asyncio.create_task(GrepTool().run({"pattern": r"(a|aa)+$"}, ws.ctx))
    ticks = 0
    for _ in range(10):  # the loop keeps running while the pattern backtracks
        await asyncio.sleep(0.01)
        ticks += 1
    assert not task.done() and ticks == 10
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, WAIT)


async def test_edit_hint_runs_off_the_event_loop(
    ws: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from tether.tools import edit

    where: list[str] = []
    real = edit.closest_hint

    def spy(text: str, old: str, **kwargs: object) -> str:
        where.append(threading.current_thread().name)
        return real(text, old, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(edit, "closest_hint", spy)
    ws.write("a.py", "value = compute(1, 2)\n")
    is_error, content = await run(EditTool(), {"path": "a.py", "old": "value = compute(1, 3)",
                                               "new": "x"}, ws)
    assert is_error and "the closest line is 1" in content
    assert where and where[0] != threading.main_thread().name


def test_edit_hint_is_bounded() -> None:
    from tether.tools.edit import closest_hint

    text = "".join(f"value_{i} = compute({i})\n" for i in range(1000))
    assert "closest line is 501" in closest_hint(text, "value_500 = compute(50)")
    gave_up = closest_hint(text, "value_500 = compute(50)", deadline=0.0)
    assert "closest line" not in gave_up and "read the file again" in gave_up
    huge = closest_hint(text, "value_500 = compute(50)", max_chars=1000)
    assert "closest line" not in huge and "read the file again" in huge


@pytest.mark.parametrize("pattern", [
    "b", "a.c", r"\bword\b", r"x\s+y", "[^q]c", "", "z*", r"\d{2}", "a|c", "c\\r?",
])
def test_whole_text_search_finds_the_same_lines_as_line_by_line(pattern: str) -> None:
    import threading
    import time

    import regex

    from tether.tools.grep import _match_candidates, _match_every_line, _Search

    text = ("abc\r\nword here\rx  y\nx\ny\n\nqc cc\r\n12 b\nabcabc\n" * 3) + "tail b"
    search = _Search(Path("/"), regex.compile(pattern), 1 << 20, time.monotonic() + 30,
                     threading.Event())
    for sample in (text, text + "\n", "", "\n", "b"):
        expected = _match_every_line(search, sample, "f")
        assert _match_candidates(search, sample, "f") == expected, (pattern, sample)


async def test_writes_through_a_symlink_inside_the_workspace_still_work(ws: Harness) -> None:
    ws.write("real/a.txt", "old\n")
    (ws.root / "alias").symlink_to(ws.root / "real")
    (ws.root / "link.txt").symlink_to(ws.root / "real" / "a.txt")
    is_error, _ = await run(WriteFileTool(), {"path": "alias/b.txt", "content": "new\n"}, ws)
    assert not is_error and (ws.root / "real" / "b.txt").read_text() == "new\n"
    is_error, _ = await run(EditTool(), {"path": "link.txt", "old": "old", "new": "edited"}, ws)
    assert not is_error and (ws.root / "real" / "a.txt").read_text() == "edited\n"
    assert (ws.root / "link.txt").is_symlink()
    _, content = await run(GrepTool(), {"pattern": "edited"}, ws)
    assert content.splitlines() == ["link.txt:1:edited", "real/a.txt:1:edited"]
