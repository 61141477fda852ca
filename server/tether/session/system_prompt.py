"""The system prompt: who the agent is, the workspace facts, and a repo map when ready."""

from __future__ import annotations

import asyncio
import logging
import platform
from datetime import UTC, datetime

from tether.tools.base import IndexQuery
from tether.workspace.folder import WorkspaceFolder

log = logging.getLogger(__name__)

REPO_MAP_TIMEOUT = 1.0

AGENT_INSTRUCTIONS = """\
You are Tether, a coding agent working inside the user's editor. You help with the code in \
one workspace folder. Use the tools to look before you change anything: read files, search, \
then make small exact edits with `edit` (old text must match exactly once). Open files show \
the editor's unsaved text, which is the truth. Edits go into the user's buffers, where they \
can review and undo them. Do not run commands that change state unless needed; the user is \
asked first. When you are done, answer briefly with what you did."""


def workspace_facts(folder: WorkspaceFolder) -> str:
    lines = [
        f"Workspace folder: {folder.root}",
        f"Platform: {platform.system()} {platform.release()}",
        f"Date: {datetime.now(UTC).date().isoformat()}",
    ]
    return "\n".join(lines)


async def build_system_prompt(
    folder: WorkspaceFolder,
    *,
    index: IndexQuery | None,
    focus_files: list[str],
    mentioned: list[str],
    repo_map_tokens: int,
    query: str = "",
) -> str:
    """`query` is the user's message: the map leans toward the files it is about."""
    sections = [AGENT_INSTRUCTIONS, workspace_facts(folder)]
    if index is not None and repo_map_tokens > 0:
        repo_map = await _repo_map(index, focus_files, mentioned, repo_map_tokens, query)
        if repo_map:
            sections.append("Repository map (most relevant files first):\n" + repo_map)
    return "\n\n".join(sections)


async def _repo_map(
    index: IndexQuery, focus_files: list[str], mentioned: list[str], budget: int, query: str
) -> str:
    """Whatever the index has ready, within a second; a turn never waits on indexing."""
    try:
        return await asyncio.wait_for(index.repo_map(focus_files, mentioned, budget, query),
                                      REPO_MAP_TIMEOUT)
    except TimeoutError:
        log.info("repo map not ready within %.1fs; turn goes on without it", REPO_MAP_TIMEOUT)
    except Exception:
        log.exception("repo map failed; turn goes on without it")
    return ""
