"""Warm starts, unsaved buffers, watched-file refreshes, cache corruption, cancellation."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tether.errors import IndexingError
from tether.index import IndexProgress, WorkspaceIndex
from tether.index.cache import DB_NAME, default_cache_dir
from tether.workspace.folder import WorkspaceFolder

Tree = Callable[[dict[str, str | bytes]], Path]


def bump_mtime(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


async def test_warm_start_rereads_only_what_changed(tree: Tree) -> None:
    root = tree({f"m{i}.py": f"def f{i}():\n    pass\n" for i in range(20)})
    folder = WorkspaceFolder.at(root)
    first = WorkspaceIndex(folder)
    cold = await first.build()
    await first.aclose()
    assert (cold.files, cold.symbols) == (20, 20)

    (root / "m3.py").write_text("def renamed3():\n    pass\n")
    bump_mtime(root / "m3.py")
    (root / "m4.py").unlink()
    (root / "new.py").write_text("def brand_new():\n    pass\n")
    bump_mtime(root / "m5.py")  # touched, same content: hashed, not re-parsed
    progress: list[IndexProgress] = []
    second = WorkspaceIndex(folder)
    try:
        warm = await second.build(progress.append)
        assert progress[0].total == 3  # m3, m5, new
        assert progress[-1].done == 3
        assert (warm.files, warm.symbols) == (20, 20)
        assert await second.find_symbol("f3") == []
        assert await second.find_symbol("f4") == []
        assert (await second.find_symbol("renamed3"))[0].path == "m3.py"
        assert (await second.find_symbol("brand_new"))[0].path == "new.py"
        assert (await second.find_symbol("f5"))[0].path == "m5.py"
        again: list[IndexProgress] = []
        await second.build(again.append)
        assert again[0].total == 0
    finally:
        await second.aclose()


async def test_unsaved_text_is_indexed_and_wins_over_disk(tree: Tree) -> None:
    root = tree({"a.py": "def on_disk():\n    pass\n", "b.py": "B = 1\n"})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        await index.build()
        await index.update_text(root / "a.py", "def in_buffer():\n    pass\n")
        assert await index.find_symbol("on_disk") == []
        assert (await index.find_symbol("in_buffer"))[0].path == "a.py"
        assert (await index.search("in_buffer"))[0].path == "a.py"
        # A rebuild does not put the disk version back while the buffer is open.
        await index.build()
        assert (await index.find_symbol("in_buffer"))[0].path == "a.py"
        # Once the disk is what matters again (closed/saved), refresh re-reads it.
        await index.refresh_paths([root / "a.py"])
        assert (await index.find_symbol("on_disk"))[0].path == "a.py"
        assert await index.find_symbol("in_buffer") == []
        # Unsaved text of a new, not yet saved file, by relative path.
        await index.update_text(Path("draft.py"), "def drafted():\n    pass\n")
        assert (await index.find_symbol("drafted"))[0].path == "draft.py"
    finally:
        await index.aclose()


async def test_update_text_outside_or_ignored_is_dropped(tree: Tree, tmp_path: Path) -> None:
    root = tree({".gitignore": "gen/\n", "a.py": "A = 1\n"})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        await index.build()
        await index.update_text(tmp_path / "elsewhere.py", "def outside():\n    pass\n")
        await index.update_text(root / "gen" / "x.py", "def generated():\n    pass\n")
        assert await index.find_symbol("outside") == []
        assert await index.find_symbol("generated") == []
    finally:
        await index.aclose()


async def test_refresh_paths_modify_create_delete(tree: Tree) -> None:
    root = tree({".gitignore": "*.tmp\n", "a.py": "def alpha():\n    pass\n", "b.py": "B = 1\n"})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        await index.build()
        (root / "a.py").write_text("def alpha_two():\n    pass\n")
        (root / "c.py").write_text("def gamma():\n    pass\n")
        (root / "b.py").unlink()
        (root / "x.tmp").write_text("def ignored():\n    pass\n")
        await index.refresh_paths(
            [root / "a.py", root / "b.py", Path("c.py"), root / "x.tmp", root / "nope.py"]
        )
        assert (await index.find_symbol("alpha_two"))[0].path == "a.py"
        assert (await index.find_symbol("gamma"))[0].path == "c.py"
        assert await index.find_symbol("B") == []
        assert await index.find_symbol("ignored") == []
        status = index.status()
        assert (status.state, status.files) == ("ready", 3)  # .gitignore, a.py, c.py
    finally:
        await index.aclose()


async def test_refresh_of_an_ignore_file_or_directory_rebuilds(tree: Tree) -> None:
    root = tree({"a.py": "def alpha():\n    pass\n", "lib/b.py": "def beta():\n    pass\n"})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        await index.build()
        (root / ".gitignore").write_text("lib/\n")
        await index.refresh_paths([root / ".gitignore"])
        await asyncio.gather(*index._background)
        assert await index.find_symbol("beta") == []
        (root / "pkg").mkdir()
        (root / "pkg" / "c.py").write_text("def gamma():\n    pass\n")
        await index.refresh_paths([root / "pkg"])
        await asyncio.gather(*index._background)
        assert (await index.find_symbol("gamma"))[0].path == "pkg/c.py"
    finally:
        await index.aclose()


@pytest.mark.parametrize(
    "damage",
    [b"this is not a database at all" * 100, b"", b"SQLite format 3\x00" + b"\xff" * 5000],
    ids=["garbage", "empty", "torn-header"],
)
async def test_corrupt_cache_is_rebuilt_not_a_crash(tree: Tree, damage: bytes) -> None:
    root = tree({"a.py": "def alpha():\n    pass\n"})
    folder = WorkspaceFolder.at(root)
    index = WorkspaceIndex(folder)
    await index.build()
    await index.aclose()
    cache = default_cache_dir(folder) / DB_NAME
    for suffix in ("-wal", "-shm"):
        Path(str(cache) + suffix).unlink(missing_ok=True)
    cache.write_bytes(damage)
    again = WorkspaceIndex(folder)
    try:
        stats = await again.build()
        assert (stats.files, stats.symbols) == (1, 1)
        assert (await again.find_symbol("alpha"))[0].path == "a.py"
        if damage:
            assert "cache rebuilt" in (again.status().message or "")
    finally:
        await again.aclose()


async def test_cache_of_another_schema_or_folder_is_discarded(tree: Tree, tmp_path: Path) -> None:
    root = tree({"a.py": "def alpha():\n    pass\n"})
    folder = WorkspaceFolder.at(root)
    shared = tmp_path / "shared-cache"
    index = WorkspaceIndex(folder, cache_dir=shared)
    await index.build()
    await index.aclose()
    conn = sqlite3.connect(shared / DB_NAME)
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    again = WorkspaceIndex(folder, cache_dir=shared)
    try:
        assert (await again.build()).files == 1
        assert "schema version 1" in (again.status().message or "")
    finally:
        await again.aclose()
    other_root = tmp_path / "other"
    other_root.mkdir()
    other = WorkspaceIndex(WorkspaceFolder.at(other_root), cache_dir=shared)
    try:
        assert (await other.build()).files == 0
        assert await other.find_symbol("alpha") == []
    finally:
        await other.aclose()


async def test_unwritable_cache_dir_is_a_clear_error(tree: Tree, tmp_path: Path) -> None:
    root = tree({"a.py": "A = 1\n"})
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache dir should be")
    index = WorkspaceIndex(WorkspaceFolder.at(root), cache_dir=blocker / "index")
    try:
        with pytest.raises(IndexingError, match="index cache"):
            await index.build()
        assert index.status().state == "failed"
        assert await index.search("A") == []  # queries degrade to empty answers
        assert await index.repo_map([], [], 100) == ""
    finally:
        await index.aclose()


async def test_cancelling_a_build_keeps_what_was_committed(tree: Tree) -> None:
    root = tree({f"m{i:03}.py": f"def fn{i}():\n    pass\n" for i in range(300)})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    index.process_threshold = 10_000  # keep it in a thread: the test is about cancellation
    first_batch = asyncio.Event()

    def on_progress(p: IndexProgress) -> None:
        if p.done:
            first_batch.set()

    try:
        task = asyncio.create_task(index.build(on_progress))
        await first_batch.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert index.status().state in {"idle", "ready"}
        partial = index.status().files  # the text pass's committed files
        assert 0 < partial < 300
        # The next build finishes the job and only reads what is missing.
        progress: list[IndexProgress] = []
        stats = await index.build(progress.append)
        assert stats.files == 300 and stats.symbols == 300
        assert progress[0].message == f"Indexing {300 - partial} of 300 files"
        assert len(await index.find_symbol("fn", limit=500)) == 300
        assert index.status().state == "ready"
    finally:
        await index.aclose()


async def test_text_is_searchable_before_the_symbol_pass(tree: Tree) -> None:
    root = tree({f"m{i:03}.py": f"def handler_{i}():\n    return 'quokka{i}'\n"
                 for i in range(150)})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    index.process_threshold = 10_000
    symbols_next = asyncio.Event()
    phases: list[str] = []

    def on_progress(p: IndexProgress) -> None:
        phases.append(p.phase)
        if p.phase == "symbols":
            symbols_next.set()

    try:
        task = asyncio.create_task(index.build(on_progress))
        await symbols_next.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert phases[0] == "text" and "symbols" in phases
        # Every file is searchable by its text already; symbols are still to come.
        [found] = await index.search_files("quokka7", limit=1)
        assert found.path == "m007.py"
        assert index.status().files == 150
        assert len(await index.find_symbol("handler_", limit=500)) < 150
        # The next build reads no text again: it only runs the pending symbol pass.
        again: list[IndexProgress] = []
        stats = await index.build(again.append)
        assert again[0].message == "Indexing 0 of 150 files"
        assert {p.phase for p in again[1:]} == {"symbols"}
        assert stats.symbols == 150
        assert len(await index.find_symbol("handler_", limit=500)) == 150
        assert (await index.search("handler_7"))[0].symbol == "handler_7"  # fts symbols
    finally:
        await index.aclose()


async def test_status_reports_state_counts_and_time(tree: Tree) -> None:
    root = tree({"a.py": "def alpha():\n    pass\n"})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        assert index.status().state == "idle"
        await index.build()
        status = index.status()
        assert (status.state, status.files, status.symbols) == ("ready", 1, 1)
        assert status.last_update is not None
    finally:
        await index.aclose()


async def test_parse_pool_of_processes_gives_the_same_index(tree: Tree) -> None:
    root = tree({f"pkg/m{i}.py": f"class C{i}:\n    def m{i}(self):\n        pass\n"
                 for i in range(12)})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    index.process_threshold = 1
    try:
        stats = await index.build()
        assert (stats.files, stats.symbols) == (12, 24)
        [hit] = await index.find_symbol("m7")
        assert (hit.path, hit.container) == ("pkg/m7.py", "C7")
    finally:
        await index.aclose()


async def test_queries_answer_during_a_build(tree: Tree) -> None:
    root = tree({f"m{i:03}.py": f"def fn{i}():\n    pass\n" for i in range(200)})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    index.process_threshold = 10_000
    seen: list[int] = []

    async def probe() -> None:
        while index.status().state != "ready":
            seen.append(len(await index.search("fn1", limit=5)))
            await asyncio.sleep(0)

    try:
        build = asyncio.create_task(index.build())
        await asyncio.gather(build, probe())
        assert seen  # the queries ran while the build was in progress and did not fail
    finally:
        await index.aclose()


async def test_closed_index_refuses_builds(tree: Tree) -> None:
    root = tree({"a.py": "A = 1\n"})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    await index.build()
    await index.aclose()
    with pytest.raises(IndexingError):
        await index.build()
    assert await index.search("A") == []


def _malformed(*_args: object) -> None:
    raise sqlite3.DatabaseError("database disk image is malformed")


async def test_damage_found_in_use_discards_the_cache(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"a.py": "def alpha():\n    pass\n"})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        await index.build()
        db = await index._ensure_db()

        monkeypatch.setattr(db, "known_files", _malformed)
        stats = await index.build()  # the damaged cache is replaced, the build redone
        assert (stats.files, stats.symbols) == (1, 1)
        assert "cache rebuilt: damaged" in (index.status().message or "")
        assert (await index.find_symbol("alpha"))[0].path == "a.py"
    finally:
        await index.aclose()


async def test_damage_found_by_a_query_is_an_error_then_a_rebuild(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"a.py": "def alpha():\n    pass\n"})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        await index.build()
        db = await index._ensure_db()

        monkeypatch.setattr(db, "query", _malformed)
        with pytest.raises(IndexingError, match="could not be read"):
            await index.search("alpha")
        await asyncio.gather(*index._background)
        assert (await index.search("alpha"))[0].path == "a.py"
    finally:
        await index.aclose()


async def test_two_indexes_on_one_cache_build_together(tree: Tree) -> None:
    """Two editor windows on one folder share the cache; SQLite serializes the writers."""
    root = tree({f"m{i:03}.py": f"def fn{i}():\n    pass\n" for i in range(120)})
    folder = WorkspaceFolder.at(root)
    one, two = WorkspaceIndex(folder), WorkspaceIndex(folder)
    try:
        first, second = await asyncio.gather(one.build(), two.build())
        assert first.files == second.files == 120
        for index in (one, two):
            assert (await index.find_symbol("fn77"))[0].path == "m077.py"
            assert (await index.search("fn5", limit=50))[0].path == "m005.py"
            assert len(await index.find_symbol("fn", limit=500)) == 120  # no duplicates
    finally:
        await one.aclose()
        await two.aclose()


async def test_status_and_tools_answer_from_the_cache_before_a_build(tree: Tree) -> None:
    root = tree({"a.py": "def alpha():\n    pass\n"})
    folder = WorkspaceFolder.at(root)
    first = WorkspaceIndex(folder)
    await first.build()
    await first.aclose()
    again = WorkspaceIndex(folder)
    try:
        assert (await again.find_symbol("alpha"))[0].path == "a.py"
        status = again.status()
        assert (status.state, status.files, status.symbols) == ("idle", 1, 1)
        assert status.last_update is not None
    finally:
        await again.aclose()


async def test_deleted_directory_drops_everything_below_it(tree: Tree) -> None:
    root = tree({"keep.py": "def kept():\n    pass\n", "pkg/a.py": "def alpha():\n    pass\n",
                 "pkg/sub/b.py": "def beta():\n    pass\n", "pkg0.py": "def zero():\n    pass\n"})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        await index.build()
        for rel in ("pkg/sub/b.py", "pkg/a.py"):
            (root / rel).unlink()
        (root / "pkg" / "sub").rmdir()
        (root / "pkg").rmdir()
        await index.refresh_paths([root / "pkg"])
        assert await index.find_symbol("alpha") == []
        assert await index.find_symbol("beta") == []
        assert (await index.find_symbol("zero"))[0].path == "pkg0.py"
        assert index.status().files == 2
    finally:
        await index.aclose()


async def test_updates_after_close_are_ignored(tree: Tree) -> None:
    root = tree({"a.py": "A = 1\n"})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    await index.build()
    await index.aclose()
    await index.update_text(root / "a.py", "B = 2\n")
    await index.refresh_paths([root / "a.py"])


async def test_status_counts_grow_during_a_build(tree: Tree) -> None:
    # More files than one transaction holds (COMMIT_FILES), so the build commits midway.
    root = tree({f"m{i:03}.py": f"X{i} = {i}\n" for i in range(600)})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    index.process_threshold = 10_000
    seen: list[tuple[str, int, str]] = []

    def on_progress(p: IndexProgress) -> None:
        status = index.status()
        seen.append((status.state, status.files, p.phase))

    try:
        await index.build(on_progress)
        assert all(state == "indexing" for state, _, _ in seen)
        counts = [files for _, files, _ in seen]
        assert counts == sorted(counts)
        text_pass = [files for _, files, phase in seen if phase == "text"]
        assert 0 < max(text_pass) < 600  # visible before the text pass ended
        assert index.status().files == 600
    finally:
        await index.aclose()


async def test_many_changed_paths_become_one_warm_build(tree: Tree) -> None:
    root = tree({"a.py": "A = 1\n"})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        await index.build()
        created = []
        for i in range(250):
            path = root / "new" / f"n{i}.py"
            path.parent.mkdir(exist_ok=True)
            path.write_text(f"def made{i}():\n    pass\n")
            created.append(path)
        await index.refresh_paths(created)
        await asyncio.gather(*index._background)
        assert index.status().files == 251
        assert (await index.find_symbol("made249"))[0].path == "new/n249.py"
    finally:
        await index.aclose()


async def test_cancelling_a_build_in_worker_processes(tree: Tree) -> None:
    root = tree({f"m{i:03}.py": f"def fn{i}():\n    pass\n" for i in range(400)})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    index.process_threshold = 1
    first_batch = asyncio.Event()

    def on_progress(p: IndexProgress) -> None:
        if p.done:
            first_batch.set()

    try:
        task = asyncio.create_task(index.build(on_progress))
        await first_batch.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        stats = await index.build()
        assert (stats.files, stats.symbols) == (400, 400)
    finally:
        await index.aclose()
