"""`tether/changes/list`, `tether/changes/undo`, `tether/session/rewind`: review and rewind;
`tether/codeBlock/apply`: a chat code block applied as an edit of its own change set.

Thin handlers registered through the same `method` decorator as the session methods
(params parsed into a model, one engine call, errors mapped to JSON-RPC codes).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tether.lsp.server import TetherServer
from tether.protocol import methods as m
from tether.protocol.base import WireModel

Register = Callable[[str, Any], Callable[[Callable[[Any], Awaitable[WireModel]]], None]]


def register_change_methods(server: TetherServer, method: Register) -> None:
    folders = server.folders

    @method(m.CHANGES_LIST, m.ChangesListParams)
    async def changes_list(p: m.ChangesListParams) -> WireModel:
        manager = folders.for_session(p.session_id).manager
        return await manager.list_changes(p.session_id, p.turn_id)

    @method(m.CHANGES_UNDO, m.ChangesUndoParams)
    async def changes_undo(p: m.ChangesUndoParams) -> WireModel:
        manager = folders.for_session(p.session_id).manager
        return await manager.undo_changes(p.session_id, p.turn_id, p.path, p.hunk)

    @method(m.SESSION_REWIND, m.RewindParams)
    async def rewind(p: m.RewindParams) -> WireModel:
        return await folders.for_session(p.session_id).manager.rewind(p.session_id, p.turn_id)

    @method(m.CODE_BLOCK_APPLY, m.CodeBlockApplyParams)
    async def code_block_apply(p: m.CodeBlockApplyParams) -> WireModel:
        manager = folders.for_session(p.session_id).manager
        return await manager.apply_code_block(p.session_id, p.uri, p.code, p.version)
