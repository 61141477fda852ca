"""The repo map: ranking toward focus files and mentions, the token budget, time budget."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tether.index import WorkspaceIndex
from tether.workspace.folder import WorkspaceFolder

Tree = Callable[[dict[str, str | bytes]], Path]


def module(name: str, calls: list[str], n_defs: int = 3) -> str:
    lines = [f"from lib import {c}" for c in calls]
    for i in range(n_defs):
        lines.append(f"def {name}_fn{i}(arg):")
        lines.append("    " + "; ".join(f"{c}(arg)" for c in calls or ["pass"]))
    return "\n".join(lines) + "\n"


async def test_map_follows_references_from_the_focus_file(project: WorkspaceIndex) -> None:
    text = await project.repo_map(["app/views.py"], [], 1024, time_budget=5.0)
    # views.py uses UserAccount and format_name, both defined in models.py.
    assert "app/models.py:" in text
    assert "    1│class UserAccount:" in text
    assert "    5│def format_name(first, last):" in text
    blocks = [line[:-1] for line in text.splitlines() if line.endswith(":") and "│" not in line]
    # What the focus file uses comes first; the focus file itself is in the chat already.
    assert blocks[0] == "app/models.py"


async def test_mentioned_identifiers_pull_their_files(project: WorkspaceIndex) -> None:
    text = await project.repo_map([], ["HttpClient"], 1024, time_budget=5.0)
    assert text.startswith("web/client.ts:")
    assert "export class HttpClient {" in text


async def test_budget_is_respected_and_larger_budgets_show_more(tree: Tree) -> None:
    files = {f"pkg/mod{i}.py": module(f"m{i}", [f"m{(i + 1) % 30}_fn0"], 4) for i in range(30)}
    root = tree(files)
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        await index.build()
        sizes = []
        for budget in (16, 64, 256, 4096):
            text = await index.repo_map(["pkg/mod0.py"], [], budget, time_budget=5.0)
            assert len(text) / 4 <= budget
            sizes.append(len(text))
        assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
        assert sizes[0] > 0
        assert await index.repo_map(["pkg/mod0.py"], [], 0) == ""
    finally:
        await index.aclose()


async def test_ranking_prefers_the_neighbourhood_of_the_focus(tree: Tree) -> None:
    # A chain: a uses b, b uses c; z is unrelated but defines many things.
    root = tree({
        "a.py": "from b import beta\ndef alpha():\n    return beta()\n",
        "b.py": "from c import gamma\ndef beta():\n    return gamma()\n",
        "c.py": "def gamma():\n    return 1\n",
        "z.py": "".join(f"def zed{i}():\n    pass\n" for i in range(20)),
    })
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        await index.build()
        text = await index.repo_map(["a.py"], [], 40, time_budget=5.0)
        assert "def beta():" in text
        assert "zed" not in text
    finally:
        await index.aclose()


async def test_tiny_time_budget_still_answers(project: WorkspaceIndex) -> None:
    text = await project.repo_map(["app/views.py"], ["UserAccount"], 512, time_budget=0.0)
    assert "UserAccount" in text


async def test_absolute_and_unknown_focus_paths(project: WorkspaceIndex) -> None:
    absolute = str(project.root / "app" / "views.py")
    text = await project.repo_map([absolute, "/elsewhere/x.py", "missing.py"], [], 512,
                                  time_budget=5.0)
    assert "app/models.py:" in text


async def test_empty_folder_gives_an_empty_map(tree: Tree) -> None:
    root = tree({})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        await index.build()
        assert await index.repo_map([], [], 1024) == ""
    finally:
        await index.aclose()


async def test_map_before_any_build_uses_the_cache_or_nothing(tree: Tree) -> None:
    root = tree({"a.py": "def one():\n    pass\n"})
    index = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        assert await index.repo_map(["a.py"], [], 256) == ""
        await index.build()
    finally:
        await index.aclose()
    # A new process over the persisted cache answers before its own build finishes.
    again = WorkspaceIndex(WorkspaceFolder.at(root))
    try:
        assert "def one():" in await again.repo_map(["a.py"], [], 256, time_budget=5.0)
    finally:
        await again.aclose()


async def test_map_catches_up_with_edits(project: WorkspaceIndex) -> None:
    before = await project.repo_map(["app/api.py"], [], 256, time_budget=5.0)
    assert "web/client.ts" not in before
    await project.update_text(
        project.root / "app" / "api.py",
        "from web.client import HttpClient\n\ndef list_users():\n    return HttpClient()\n",
    )
    # The first map after an edit may use the previous graph; it schedules a reload.
    await project.repo_map(["app/api.py"], [], 256, time_budget=5.0)
    assert project._graph_task is not None
    await project._graph_task
    after = await project.repo_map(["app/api.py"], [], 256, time_budget=5.0)
    assert "web/client.ts:" in after and "export class HttpClient {" in after


async def test_the_users_message_steers_the_map_with_the_search_ranking(tree: Tree) -> None:
    # core.py is used by every module (it tops an unpersonalised map); the message is
    # about the invoice tax rounding, which nothing references.
    files = {f"pkg/mod{i}.py": module(f"m{i}", ["core_fn0"], 2) for i in range(12)}
    files["core.py"] = module("core", [], 3)
    files["billing/invoice_tax.py"] = (
        "def round_invoice_tax(amount):\n    return round(amount * 0.2, 2)\n")
    index = WorkspaceIndex(WorkspaceFolder.at(tree(files)))
    try:
        await index.build()
        plain = await index.repo_map([], [], 64, time_budget=5.0)
        steered = await index.repo_map([], [], 64, "the invoice tax is rounded wrongly",
                                       time_budget=5.0)
        assert plain.startswith("core.py:")
        assert steered.startswith("billing/invoice_tax.py:")
        assert "def round_invoice_tax(amount):" in steered
    finally:
        await index.aclose()
