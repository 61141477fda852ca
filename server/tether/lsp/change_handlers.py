"""`tether/changes/list`, `tether/changes/undo`, `tether/session/rewind`: review and rewind;
`tether/codeBlock/apply`: a chat code block applied as an edit of its own change set.

Thin handlers in the same `rpc` table as the session methods (params parsed into a model,
one engine call, errors mapped to JSON-RPC codes by the table's wrapper).
"""

from __future__ import annotations

from tether.lsp.handlers import manager_of
from tether.lsp.rpc import rpc
from tether.lsp.server import TetherServer
from tether.protocol import methods as m


@rpc(m.CHANGES_LIST, m.ChangesListParams)
async def changes_list(server: TetherServer, p: m.ChangesListParams) -> m.ChangesListResult:
    return await manager_of(server, p).list_changes(p.session_id, p.turn_id)


@rpc(m.CHANGES_UNDO, m.ChangesUndoParams)
async def changes_undo(server: TetherServer, p: m.ChangesUndoParams) -> m.ChangesUndoResult:
    return await manager_of(server, p).undo_changes(p.session_id, p.turn_id, p.path, p.hunk)


@rpc(m.SESSION_REWIND, m.RewindParams)
async def rewind(server: TetherServer, p: m.RewindParams) -> m.RewindResult:
    return await manager_of(server, p).rewind(p.session_id, p.turn_id)


@rpc(m.CODE_BLOCK_APPLY, m.CodeBlockApplyParams)
async def code_block_apply(server: TetherServer,
                           p: m.CodeBlockApplyParams) -> m.CodeBlockApplyResult:
    return await manager_of(server, p).apply_code_block(p.session_id, p.uri, p.code, p.version)
