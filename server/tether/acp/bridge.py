"""The editor bridge over ACP: files through the client when it offers them, else disk.

A client that declares `fs.readTextFile` / `fs.writeTextFile` (Zed, CodeCompanion) holds
the user's buffers: reading through it gives the agent the unsaved text, and writing
through it lets the client show and review the change; nothing is written to disk
underneath it. Without them the bridge reads and writes the disk like the CLI does.
Permission prompts become `session/request_permission`.

ACP's file methods name the session; the bridge serves one workspace folder's manager
(many sessions), so the session comes from `CURRENT_SESSION`, a context variable the
agent sets before starting a turn (the turn task and its tool calls inherit it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Literal

from acp.exceptions import RequestError
from acp.interfaces import Client
from acp.schema import (
    AllowedOutcome,
    ClientCapabilities,
    PermissionOption,
    ToolCallUpdate,
)

from tether.acp.convert import tool_kind
from tether.errors import PathOutsideWorkspaceError, ToolError
from tether.workspace import bridge as wb
from tether.workspace.disk_bridge import read_text, write_atomic
from tether.workspace.edit_plan import Refuse, plan_edit
from tether.workspace.folder import WorkspaceFolder

log = logging.getLogger(__name__)

CURRENT_SESSION: ContextVar[str | None] = ContextVar("tether_acp_session", default=None)

OPTION_NAMES: dict[wb.PermissionOption, str] = {
    "allow_once": "Allow once",
    "allow_always": "Allow always",
    "reject": "Reject",
}
OPTION_KINDS: dict[wb.PermissionOption, Literal["allow_once", "allow_always", "reject_once"]] = {
    "allow_once": "allow_once", "allow_always": "allow_always",
                "reject": "reject_once"}

Flush = Callable[[str], Awaitable[None]]


class AcpEditorBridge:
    """The `EditorBridge` of one workspace folder, for an ACP client."""

    def __init__(self, folder: WorkspaceFolder, client: Client, caps: ClientCapabilities,
                 *, flush: Flush) -> None:
        self.folder = folder
        self.client = client
        fs = caps.fs
        self.client_reads = bool(fs and fs.read_text_file)
        self.client_writes = bool(fs and fs.write_text_file)
        self._flush = flush  # sends the updates queued so far (the pending tool call)

    async def _current_text(self, path: Path) -> str | None:
        """The text the user sees: the client's buffer when it serves files, else disk."""
        session_id = CURRENT_SESSION.get()
        if self.client_reads and session_id is not None:
            try:
                response = await self.client.read_text_file(session_id=session_id,
                                                            path=str(path))
                return response.content
            except RequestError as exc:  # not found (or unreadable) in the client: disk says
                log.info("client could not read %s (%s); reading the disk", path, exc)
        return await asyncio.to_thread(read_text, path)

    async def read_document(self, path: Path) -> wb.DocumentSnapshot:
        text = await self._current_text(self.folder.resolve(path))
        if text is None:
            return wb.DocumentSnapshot(path=path, text="", version=None, exists=False)
        return wb.DocumentSnapshot(path=path, text=text, version=None)

    async def apply_edit(self, edit: wb.FileEdit) -> wb.EditOutcome:
        try:
            path = self.folder.resolve(edit.path)
            name = self.folder.relative(path)
            plan = plan_edit(edit.base, await self._current_text(path), edit.new_text)
        except (PathOutsideWorkspaceError, ToolError) as exc:
            return wb.EditOutcome(applied=False, message=f"not applied: {exc.message}")
        session_id = CURRENT_SESSION.get()
        through_client = self.client_writes and session_id is not None
        where = "in the editor" if through_client else "on disk"
        if isinstance(plan, Refuse):
            return wb.EditOutcome(applied=False, message=plan.message(name, where))
        try:
            if plan.unchanged:
                pass
            elif through_client:
                assert session_id is not None
                await self.client.write_text_file(session_id=session_id, path=str(path),
                                                  content=plan.text)
            else:
                await asyncio.to_thread(write_atomic, path, plan.text)
        except (RequestError, OSError) as exc:
            return wb.EditOutcome(applied=False, message=f"not applied: cannot write {name}: "
                                  f"{exc}")
        return wb.EditOutcome(applied=True, message=plan.note(name, where), rebased=plan.rebased,
                              final_text=plan.text,
                              target="buffer" if through_client else "disk")

    async def request_permission(self, request: wb.PermissionRequest) -> wb.PermissionOption:
        await self._flush(request.session_id)  # the client knows the call before it is asked
        options = [PermissionOption(option_id=o, name=OPTION_NAMES[o],
                                    kind=OPTION_KINDS[o])
                   for o in request.options]
        response = await self.client.request_permission(
            session_id=request.session_id, options=options,
            tool_call=ToolCallUpdate(tool_call_id=request.tool_call_id, title=request.description,
                                     kind=tool_kind(request.tool), status="pending"))
        outcome = response.outcome
        if isinstance(outcome, AllowedOutcome) and outcome.option_id in OPTION_NAMES:
            return outcome.option_id
        return "reject"  # cancelled (the prompt turn is being cancelled) or unknown
