"""Sending a whole-file edit through the editor bridge and reporting what happened."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tether.tools.base import ToolContext, ToolOutcome
from tether.workspace.bridge import DocumentSnapshot, FileEdit
from tether.workspace.diffs import unified_diff
from tether.workspace.folder import path_to_uri


async def submit_edit(
    ctx: ToolContext, path: Path, base: DocumentSnapshot, new_text: str
) -> ToolOutcome:
    """Apply `base.text` → `new_text` via the bridge; the outcome carries diff and status."""
    rel = ctx.workspace.relative(path)
    diff = await asyncio.to_thread(unified_diff, base.text, new_text, rel)  # big files: slow
    outcome = await ctx.bridge.apply_edit(FileEdit(path, base, new_text, diff))
    uri = path_to_uri(path)
    if not outcome.applied:
        message = outcome.message or f"the edit to {rel} was not applied"
        return ToolOutcome(
            content=message,
            is_error=True,
            diff=diff,
            edited_uri=uri,
            edit_applied=False,
            edit_message=message,
        )
    content = diff or f"{rel}: no changes"
    if outcome.rebased:
        note = outcome.message or f"{rel} had changed since it was read; the edit was merged"
        content = f"{note}\n{content}"
    return ToolOutcome(
        content=content,
        diff=diff,
        edited_uri=uri,
        edit_applied=True,
        edit_rebased=outcome.rebased,
        edit_message=outcome.message or None,
    )
