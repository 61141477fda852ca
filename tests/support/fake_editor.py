"""An editor double for the LSP bridge: applies versioned edits to the overlay like VS Code."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from tether.protocol.methods import PermissionRequestParams
from tether.workspace.folder import uri_to_path
from tether.workspace.overlay import DocumentOverlay, TextChange, apply_change


class FakeEditor:
    """Applies versioned TextDocumentEdits to the overlay the way VS Code does."""

    def __init__(self, overlay: DocumentOverlay) -> None:
        self.overlay = overlay
        self.tether_permissions = True
        self.document_changes = True
        self.create_files = True
        self.apply_edits = True
        self.fail: Exception | None = None
        self.edits: list[types.WorkspaceEdit] = []
        self.buffers: dict[str, str] = {}  # closed files the editor loaded into buffers
        self.refuse: str | None = None
        self.permission_answer: Any = {"option": "allow_once"}
        self.message_answer: str | None = "Allow once"
        self.asked: list[Any] = []
        self.before_apply: Any = None

    async def apply_edit(
        self, edit: types.WorkspaceEdit, label: str
    ) -> types.ApplyWorkspaceEditResult:
        self.edits.append(edit)
        if self.fail is not None:
            raise self.fail
        if self.before_apply is not None:
            hook, self.before_apply = self.before_apply, None
            hook()
        if self.refuse:
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason=self.refuse)
        for change in edit.document_changes or []:
            if isinstance(change, types.CreateFile):
                self.buffers.setdefault(change.uri, "")
                continue
            assert isinstance(change, types.TextDocumentEdit)
            uri, version = change.text_document.uri, change.text_document.version
            doc = self.overlay.get(uri)
            if doc is not None:
                if version is not None and version != doc.version:
                    return types.ApplyWorkspaceEditResult(applied=False,
                                                          failure_reason="version mismatch")
                changes = [change_of(e) for e in change.edits]  # type: ignore[arg-type]
                self.overlay.change(uri, doc.version + 1, changes)
            else:
                text = self.buffers.get(uri)
                if text is None:
                    text = uri_to_path(uri).read_text()
                for e in change.edits:
                    text = apply_change(text, change_of(e))  # type: ignore[arg-type]
                self.buffers[uri] = text
        return types.ApplyWorkspaceEditResult(applied=True)

    async def permission_request(self, params: PermissionRequestParams) -> Any:
        self.asked.append(params)
        return self.permission_answer

    async def show_message_request(self, message: str, actions: list[str]) -> str | None:
        self.asked.append((message, actions))
        return self.message_answer


def change_of(e: types.TextEdit) -> TextChange:
    r = e.range
    return TextChange(text=e.new_text, start=(r.start.line, r.start.character),
                      end=(r.end.line, r.end.character))
