"""Line numbers are the editor's: only \\n, \\r\\n and \\r end a line.

A selection, an `@symbol` range or a diff hunk over a line holding U+2028, U+0085 or a
form feed must carry that whole line: `str.splitlines` would cut it in two and every
later line would be off by one from what the user selected.
"""

from __future__ import annotations

import asyncio
from typing import Any

from support.session_fakes import text_step
from tether.acp.convert import diff_hunks
from tether.protocol.methods import PromptContext
from tether.workspace.diffs import unified_diff
from tether.workspace.folder import WorkspaceFolder, path_to_uri

WAIT = 20.0  # a hang guard, not a timing assertion
TEXT = "first\nodd \u2028 sep \x85 and \x0c here\nthird\nfourth\n"


async def _user_parts(make_harness: Any, ctx: dict[str, Any]) -> list[Any]:
    h = make_harness([text_step("ok")])
    info = await h.manager.create()
    context = PromptContext.model_validate(ctx)
    result = await asyncio.wait_for(h.manager.prompt(info.id, "explain", context), WAIT)
    assert result.status == "completed"
    return list(h.provider.requests[0].messages[0].parts)


async def test_a_selected_line_with_unicode_separators_is_attached_whole(
    make_harness: Any, workspace: WorkspaceFolder
) -> None:
    (workspace.root / "odd.txt").write_text(TEXT, encoding="utf-8", newline="")
    parts = await _user_parts(make_harness, {
        "activeFileUri": path_to_uri(workspace.root / "odd.txt"),
        "selection": {"start": {"line": 1, "character": 0}, "end": {"line": 3, "character": 0}},
    })
    files = [p for p in parts if p.type == "file"]
    assert files[0].text == "odd \u2028 sep \x85 and \x0c here\nthird\n"
    assert (files[0].range_start_line, files[0].range_end_line) == (1, 2)


async def test_a_symbol_mention_range_counts_lines_like_the_editor(
    make_harness: Any, workspace: WorkspaceFolder
) -> None:
    (workspace.root / "odd.txt").write_text(TEXT, encoding="utf-8", newline="")
    parts = await _user_parts(make_harness, {"mentions": [{
        "kind": "symbol", "uri": path_to_uri(workspace.root / "odd.txt"), "name": "@odd",
        "range": {"start": {"line": 2, "character": 0}, "end": {"line": 3, "character": 0}},
    }]})
    files = [p for p in parts if p.type == "file"]
    assert files[0].text == "third\nfourth\n"


def test_acp_diff_hunks_keep_a_line_with_a_separator_whole() -> None:
    new = TEXT.replace("third", "THIRD")
    hunks = diff_hunks(unified_diff(TEXT, new, "odd.txt"))
    assert hunks == [(TEXT, new)]
