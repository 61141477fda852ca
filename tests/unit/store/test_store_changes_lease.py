"""The changes lease: one undo or rewind of a session at a time, across processes.

Separate from the turn lease (an undo during a running turn is allowed), freed when its
holder lets go (or dies: it is a kernel lock), and removed with the session.
"""

from __future__ import annotations

from tether.protocol.models import SessionInfo
from tether.store import JsonlStore, open_store
from tether.store.locks import CHANGES_SUFFIX
from tether.workspace.folder import WorkspaceFolder


def test_one_holder_at_a_time_beside_the_turn_lease(
        store: JsonlStore, folder: WorkspaceFolder) -> None:
    info = SessionInfo(id="s-lease", workspace_folder=str(folder.root))
    store.create(info)
    other = open_store(folder)  # another process's store over the same files
    held = store.changes_lease(info.id)
    assert held is not None
    assert other.changes_lease(info.id) is None  # an undo runs in the other window
    turn = other.turn_lease(info.id)
    assert turn is not None  # ... which does not keep a turn from running
    turn.release()
    held.release()
    again = other.changes_lease(info.id)
    assert again is not None
    again.release()

    lease_file = store.sessions_dir / f"{info.id}{CHANGES_SUFFIX}"
    assert lease_file.exists()
    store.delete(info.id)
    assert not lease_file.exists()
