"""The agent tools search_code, find_symbol and repo_map over a real index."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from tether.errors import IndexingError
from tether.index import WorkspaceIndex
from tether.tools.base import ToolContext
from tether.tools.index_tools import FindSymbolTool, RepoMapTool, SearchCodeTool, index_tools
from tether.workspace.folder import WorkspaceFolder


async def _no_output(_text: str) -> None:
    return None


def context(folder: WorkspaceFolder, index: Any) -> ToolContext:
    return ToolContext(
        workspace=folder, bridge=None,  # type: ignore[arg-type]  # not used by these tools
        session_id="s1", tool_call_id="t1", emit_output=_no_output, index=index,
    )


def test_factory_and_specs() -> None:
    tools = index_tools()
    assert [t.name for t in tools] == ["search_code", "find_symbol", "repo_map"]
    for tool in tools:
        assert tool.read_only and not tool.needs_permission
        assert tool.parameters["type"] == "object"
        assert tool.describe_call({})


async def test_without_an_index_every_tool_is_an_error(tmp_path: Path) -> None:
    ctx = context(WorkspaceFolder.at(tmp_path), None)
    for tool, args in [(SearchCodeTool(), {"query": "x"}), (FindSymbolTool(), {"name": "x"}),
                       (RepoMapTool(), {})]:
        outcome = await tool.run(args, ctx)
        assert outcome.is_error and "grep" in outcome.content


async def test_not_built_index_is_an_error(tmp_path: Path) -> None:
    index = WorkspaceIndex(WorkspaceFolder.at(tmp_path))
    try:
        outcome = await SearchCodeTool().run({"query": "x"}, context(index.folder, index))
        assert outcome.is_error and "not built yet" in outcome.content
    finally:
        await index.aclose()


async def test_failed_index_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("x")
    index = WorkspaceIndex(WorkspaceFolder.at(tmp_path), cache_dir=tmp_path / "blocker" / "i")
    try:
        with contextlib.suppress(IndexingError):
            await index.build()
        outcome = await FindSymbolTool().run({"name": "x"}, context(index.folder, index))
        assert outcome.is_error and "failed" in outcome.content
    finally:
        await index.aclose()


async def test_search_code(project: WorkspaceIndex) -> None:
    ctx = context(project.folder, project)
    outcome = await SearchCodeTool().run({"query": "format_name", "limit": 2}, ctx)
    assert not outcome.is_error
    lines = outcome.content.splitlines()
    # Files first, best first; each file's best lines indented below it.
    assert lines[:2] == ["app/models.py", "  5: [format_name] def format_name(first, last):"]
    files = [line for line in lines if not line.startswith("  ")]
    assert len(files) == 2 and outcome.metadata == {"results": 2}
    empty = await SearchCodeTool().run({"query": "qqqzzz"}, ctx)
    assert not empty.is_error and "no results" in empty.content
    bad = await SearchCodeTool().run({"limit": 3}, ctx)
    assert bad.is_error


async def test_find_symbol(project: WorkspaceIndex) -> None:
    ctx = context(project.folder, project)
    outcome = await FindSymbolTool().run({"name": "get_display_name"}, ctx)
    assert not outcome.is_error
    assert outcome.content.splitlines()[0] == (
        "app/models.py:2: method get_display_name in UserAccount: def get_display_name(self):"
    )
    missing = await FindSymbolTool().run({"name": "NoSuchThing"}, ctx)
    assert not missing.is_error and "no definition" in missing.content


async def test_repo_map(project: WorkspaceIndex) -> None:
    ctx = context(project.folder, project)
    outcome = await RepoMapTool().run({"focus": ["app/views.py"], "budget": 256}, ctx)
    assert not outcome.is_error
    assert "app/models.py:" in outcome.content
    assert len(outcome.content) <= 256 * 4
    by_name = await RepoMapTool().run({"focus": ["HttpClient"], "budget": 64}, ctx)
    assert by_name.content.startswith("web/client.ts:")
    too_small = await RepoMapTool().run({"budget": 1}, ctx)
    assert too_small.is_error
