"""The editor bridge over LSP: live buffers in, `workspace/applyEdit` out, permissions asked.

Reads come from the document overlay for open documents (what the user sees, unsaved
changes included) and from the disk otherwise. Edits never touch the disk under a
buffer: they go to the editor as a `TextDocumentEdit` holding the version they were
computed against, so the editor refuses them if the buffer moved on, and the user can
undo them like their own typing. When the buffer changed after the agent read it, the
agent's edit is rebased (3-way) onto the current text, or refused naming the lines.
A file no buffer holds (closed, or new) is written on disk, atomically: an edit never
waits unseen in a hidden modified buffer, and the turn's change set keeps its undo.
The conflict policy is `workspace/edit_plan.py`'s; this module delivers and confirms.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from lsprotocol import types
from pydantic import ValidationError

from tether.errors import PathOutsideWorkspaceError, ToolError
from tether.lsp.wire import plain
from tether.protocol.methods import PermissionRequestParams, PermissionRequestResult
from tether.workspace.bridge import (
    DocumentSnapshot,
    EditOutcome,
    FileEdit,
    PermissionAnswer,
    PermissionOption,
    PermissionRequest,
)
from tether.workspace.disk_bridge import read_text, write_atomic
from tether.workspace.edit_plan import Refuse, plan_edit
from tether.workspace.folder import WorkspaceFolder, path_to_uri
from tether.workspace.overlay import DocumentOverlay, Encoding, line_starts, position_at

log = logging.getLogger(__name__)

ACTIONS: dict[PermissionOption, str] = {
    "allow_once": "Allow once",
    "allow_always": "Allow always",
    "reject": "Reject",
}
_RETRIES = 3  # the buffer can move between our read and the editor applying the edit


class EditorClient(Protocol):
    """What the bridge needs from the LSP connection (the server adapts pygls to it)."""

    @property
    def tether_permissions(self) -> bool:
        """The client declared experimental.tether.permissions."""
        ...

    @property
    def document_changes(self) -> bool:
        """The client takes workspace edits as documentChanges (versioned)."""
        ...

    @property
    def create_files(self) -> bool:
        """The client can create files from a workspace edit (resourceOperations)."""
        ...

    @property
    def apply_edits(self) -> bool:
        """The client accepts workspace/applyEdit at all (workspace.applyEdit)."""
        ...

    async def apply_edit(
        self, edit: types.WorkspaceEdit, label: str
    ) -> types.ApplyWorkspaceEditResult: ...

    async def permission_request(self, params: PermissionRequestParams) -> Any: ...

    async def show_message_request(self, message: str, actions: list[str]) -> str | None: ...


def split_lines(text: str) -> list[str]:
    """Lines with their terminators, split exactly where LSP splits them."""
    starts = line_starts(text)
    ends = [*starts[1:], len(text)]
    return [text[a:b] for a, b in zip(starts, ends, strict=True) if a < b or a == 0]


def minimal_edit(old: str, new: str, encoding: Encoding = "utf-16") -> types.TextEdit:
    """One TextEdit replacing only the changed run of lines, so cursors and undo behave."""
    old_l, new_l = split_lines(old), split_lines(new)
    limit = min(len(old_l), len(new_l))
    head = 0
    while head < limit and old_l[head] == new_l[head]:
        head += 1
    tail = 0
    while tail < limit - head and old_l[-1 - tail] == new_l[-1 - tail]:
        tail += 1
    start = sum(len(line) for line in old_l[:head])
    tail_chars = sum(len(line) for line in old_l[len(old_l) - tail :]) if tail else 0
    old_end = len(old) - tail_chars
    replacement = new[start : len(new) - tail_chars]
    starts = line_starts(old)
    sl, sc = position_at(old, start, encoding, starts)
    el, ec = position_at(old, old_end, encoding, starts)
    return types.TextEdit(
        range=types.Range(start=types.Position(sl, sc), end=types.Position(el, ec)),
        new_text=replacement,
    )


class LspEditorBridge:
    """The `EditorBridge` of one workspace folder, talking to the editor over LSP."""

    def __init__(
        self,
        folder: WorkspaceFolder,
        overlay: DocumentOverlay,
        client: EditorClient,
        *,
        on_edited: Callable[[Path, str], None] | None = None,
        settle_timeout: float = 3.0,
    ) -> None:
        self.folder = folder
        self.overlay = overlay
        self.client = client
        self.on_edited = on_edited
        self.settle_timeout = settle_timeout

    async def read_document(self, path: Path) -> DocumentSnapshot:
        resolved = self.folder.inside(path)
        doc = self.overlay.get_path(resolved)
        if doc is not None:
            return DocumentSnapshot(path=path, text=doc.text, version=doc.version)
        text = await asyncio.to_thread(read_text, resolved)
        if text is None:
            return DocumentSnapshot(path=path, text="", version=None, exists=False)
        return DocumentSnapshot(path=path, text=text, version=None)

    async def apply_edit(self, edit: FileEdit) -> EditOutcome:
        try:
            path = self.folder.inside(edit.path)
        except PathOutsideWorkspaceError as exc:
            return EditOutcome(applied=False, message=f"not applied: {exc.message}")
        name = self.folder.relative(path)
        for attempt in range(_RETRIES):
            try:
                outcome = await self._try_apply(edit, path, name)
            except ToolError as exc:
                return EditOutcome(applied=False, message=f"not applied: {exc.message}")
            if outcome is not None:
                return outcome
            log.info("buffer of %s moved while applying; retry %d", name, attempt + 1)
        return EditOutcome(
            applied=False,
            message=f"not applied: {name} kept changing in the editor; read it again and retry",
        )

    async def _current(self, path: Path) -> tuple[str | None, int | None, str, bool]:
        """(text, version, uri, open) of what holds `path` now: the buffer, else the disk."""
        doc = self.overlay.get_path(path)
        if doc is not None:
            return doc.text, doc.version, doc.uri, True
        current = await asyncio.to_thread(read_text, path)
        return current, None, path_to_uri(path), False

    async def _try_apply(self, edit: FileEdit, path: Path, name: str) -> EditOutcome | None:
        """One attempt; None when the editor refused because the buffer moved meanwhile."""
        current, version, uri, is_open = await self._current(path)
        where = "in the editor" if is_open else "on disk"
        plan = plan_edit(edit.base, current, edit.new_text)
        if isinstance(plan, Refuse):
            return EditOutcome(applied=False, message=plan.message(name, where))
        note = plan.note(name, where)
        if plan.unchanged:
            return EditOutcome(applied=True, message=note or "no change", rebased=plan.rebased,
                               final_text=current, target="buffer" if is_open else "disk")
        if not is_open:
            # No buffer holds the file: the disk is safe, and the edit goes there rather
            # than into a hidden modified buffer (the change set keeps its undo).
            await asyncio.to_thread(write_atomic, path, plan.text)
            self._edited(path, plan.text)
            return EditOutcome(applied=True, message=note, rebased=plan.rebased,
                               final_text=plan.text, target="disk")
        if not self.client.apply_edits:
            return EditOutcome(applied=False, message=f"not applied: {name} is open in an "
                               "editor that does not accept workspace/applyEdit")
        delivered = await self._deliver(self._workspace_edit(uri, version, current, plan.text),
                                        path, name, version)
        if delivered is None or isinstance(delivered, EditOutcome):
            return delivered
        final = await self._confirm(path, name, version, plan.text)
        if isinstance(final, EditOutcome):
            return final
        self._edited(path, final)
        return EditOutcome(applied=True, message=note, rebased=plan.rebased, final_text=final,
                           target="buffer")

    async def _deliver(self, workspace_edit: types.WorkspaceEdit, path: Path, name: str,
                       version: int | None) -> EditOutcome | bool | None:
        """Send the edit; True once the editor applied it, None when the buffer moved."""
        try:
            result = await self.client.apply_edit(workspace_edit, f"Tether: edit {name}")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an error answer, or the editor went away
            return EditOutcome(applied=False,
                               message=f"not applied: the editor failed to apply it: {exc}")
        if result.applied:
            return True
        now = self.overlay.get_path(path)
        if version is not None and now is not None and now.version != version:
            return None
        reason = result.failure_reason or "no reason given"
        return EditOutcome(applied=False,
                           message=f"not applied: the editor refused the edit: {reason}")

    async def _confirm(self, path: Path, name: str, version: int | None,
                       target: str) -> str | EditOutcome:
        """The buffer's text once the edit shows in it.

        Some editors answer applied=true yet drop a stale edit (Neovim), so the edit
        counts once the buffer's next version arrives.
        """
        doc = self.overlay.get_path(path)
        if doc is None or version is None:
            return target
        await self.overlay.wait_for_change(doc.uri, version, self.settle_timeout)
        now = self.overlay.get_path(path)
        if now is None:
            return target
        if now.version == version and now.text != target:
            return EditOutcome(
                applied=False,
                message=f"not applied: the editor did not change {name} (the buffer may "
                "have moved on); read it again and redo the edit",
            )
        return now.text

    def _workspace_edit(
        self, uri: str, version: int | None, current: str | None, target: str
    ) -> types.WorkspaceEdit:
        text_edit = minimal_edit(current or "", target, self.overlay.encoding)
        if not self.client.document_changes:
            return types.WorkspaceEdit(changes={uri: [text_edit]})
        doc_edit = types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
            edits=[text_edit],
        )
        return types.WorkspaceEdit(document_changes=[doc_edit])

    def _edited(self, path: Path, text: str) -> None:
        if self.on_edited is not None:
            try:
                self.on_edited(path, text)
            except Exception:
                log.exception("on_edited hook failed for %s", path)

    async def _ask_tether(self, params: PermissionRequestParams) -> PermissionRequestResult | None:
        """The client's answer to `tether/permission/request`; None (reject) when it fails."""
        try:
            raw = await self.client.permission_request(params)
            return PermissionRequestResult.model_validate(plain(raw))
        except ValidationError as exc:
            log.warning("bad answer to tether/permission/request (%s): rejecting", exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("tether/permission/request failed (%s): rejecting", exc)
        return None

    async def request_permission(
        self, request: PermissionRequest
    ) -> PermissionOption | PermissionAnswer:
        allowed = set(request.options) | {"reject"}
        if self.client.tether_permissions:
            params = PermissionRequestParams(
                session_id=request.session_id,
                tool_call_id=request.tool_call_id,
                tool=request.tool,
                description=request.description,
                diff=request.diff,
                options=list(request.options),
            )
            answer = await self._ask_tether(params)
            if answer is None:
                return "reject"
            option = answer.option if answer.option in allowed else "reject"
            return PermissionAnswer(option, answer.comment) if answer.comment else option
        else:
            titles = [ACTIONS[o] for o in request.options if o in ACTIONS]
            message = f"Tether: {request.description} Allow?"
            try:
                chosen = await self.client.show_message_request(message, titles)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("window/showMessageRequest failed (%s): rejecting", exc)
                return "reject"
            by_title = {title: option for option, title in ACTIONS.items()}
            option = by_title.get(chosen or "", "reject")
        return option if option in allowed else "reject"
