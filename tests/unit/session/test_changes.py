"""Change sets through SessionManager: record, review, undo, rewind, ask before editing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from support.fake_editor import FakeEditor
from support.session_fakes import AnsweringBridge, FakeProvider, text_step, tool_step
from tether.lsp.bridge import LspEditorBridge
from tether.protocol.events import EventBase
from tether.session.manager import SessionManager
from tether.settings import Settings
from tether.store import open_store
from tether.workspace.bridge import PermissionAnswer, PermissionOption, PermissionRequest
from tether.workspace.folder import WorkspaceFolder, path_to_uri
from tether.workspace.overlay import DocumentOverlay, TextChange

SETTINGS = Settings(provider="openai", model="fake-model", title_generation=False,
                    context_window=100_000)


def edit(path: str, old: str, new: str) -> tuple[str, dict[str, Any]]:
    return ("edit", {"path": path, "old": old, "new": new})


def manager_for(workspace: WorkspaceFolder, provider: FakeProvider, bridge: Any,
                **settings: Any) -> tuple[SessionManager, list[EventBase]]:
    manager = SessionManager(workspace, store=open_store(workspace),
                             settings=SETTINGS.model_copy(update=settings), bridge=bridge,
                             provider_factory=lambda _s: provider)
    events: list[EventBase] = []
    manager.subscribe(events.append)
    return manager, events


def request_texts(provider: FakeProvider, index: int = -1) -> list[str]:
    return [m.text + "".join(getattr(p, "content", "") for p in m.parts)
            for m in provider.requests[index].messages]


async def test_rewind_keeps_user_typing_restores_closed_file_and_hides_the_turn(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    root = workspace.root
    (root / "open.py").write_text("a = 1\nb = 1\nc = 1\n")
    closed = root / "closed.py"
    closed.write_bytes(b"x = 1\r\ny = 1\r\n")  # CRLF: restored byte for byte
    overlay = DocumentOverlay()
    uri = path_to_uri(root / "open.py")
    overlay.open(uri, "a = 1\nb = 1\nc = 1\n# unsaved\n", 3)  # open and dirty
    bridge = LspEditorBridge(workspace, overlay, FakeEditor(overlay), settle_timeout=0.5)
    provider = FakeProvider([
        text_step("Hello."),
        tool_step(edit("open.py", "a = 1", "a = 2"), edit("closed.py", "x = 1", "x = 2")),
        text_step("Edited both."),
        text_step("Fresh start."),
    ])
    manager, events = manager_for(workspace, provider, bridge)
    info = await manager.create()
    await manager.prompt(info.id, "say hello")
    result = await manager.prompt(info.id, "edit both files")
    assert overlay.get(uri).text.startswith("a = 2\n")
    assert closed.read_bytes() == b"x = 2\r\ny = 1\r\n"
    edited = [e for e in events if e.type == "file_edited"]  # type: ignore[attr-defined]
    assert [e.target for e in edited] == ["buffer", "disk"]  # type: ignore[attr-defined]
    doc = overlay.get(uri)
    overlay.change(uri, doc.version + 1, [TextChange("c = 3\n", (2, 0), (3, 0))])  # user types
    before = list(manager.store.iter_records(info.id))

    rewound = await manager.rewind(info.id, result.turn_id)

    assert sorted(rewound.restored) == ["closed.py", "open.py"] and rewound.conflicts == []
    assert overlay.get(uri).text == "a = 1\nb = 1\nc = 3\n# unsaved\n"  # user's text kept
    assert closed.read_bytes() == b"x = 1\r\ny = 1\r\n"
    after = list(manager.store.iter_records(info.id))
    assert after[: len(before)] == before  # append-only: every original record is there
    assert after[-1]["type"] == "turn_rewound"
    assert after[-1]["rewoundTurnIds"] == [result.turn_id]
    await manager.prompt(info.id, "next")
    sent = "\n".join(request_texts(provider))
    assert "say hello" in sent and "edit both files" not in sent and "a = 2" not in sent
    loaded = await manager.load(info.id)
    assert loaded.rewound_turn_ids == [result.turn_id]
    assert any(m.turn_id == result.turn_id for m in loaded.messages)  # still visible


class CommentingBridge(AnsweringBridge):
    def __init__(self, answers: list[PermissionAnswer]) -> None:
        super().__init__()
        self.scripted = answers

    async def request_permission(  # type: ignore[override]
            self, request: PermissionRequest) -> PermissionOption | PermissionAnswer:
        self.asked.append(request)
        return self.scripted.pop(0) if self.scripted else "reject"


async def test_ask_mode_reject_with_comment_leaves_the_file_and_tells_the_model(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    path = workspace.root / "hello.py"
    original = path.read_text()
    bridge = CommentingBridge([PermissionAnswer("reject", "keep the f-string")])
    provider = FakeProvider([tool_step(edit("hello.py", "Hello", "Hi")), text_step("OK.")])
    manager, events = manager_for(workspace, provider, bridge, edit_approval="ask")
    info = await manager.create()
    await manager.prompt(info.id, "shorter greeting")
    assert path.read_text() == original
    assert bridge.asked[0].diff and "-    return f\"Hello" in bridge.asked[0].diff
    tool_result = request_texts(provider)[-1]
    assert "rejected" in tool_result and "keep the f-string" in tool_result
    kinds = [e.type for e in events]  # type: ignore[attr-defined]
    assert "permission_requested" in kinds and "permission_resolved" in kinds


async def test_ask_mode_accept_lands_and_allow_always_asks_once(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    path = workspace.root / "hello.py"
    bridge = CommentingBridge([PermissionAnswer("allow_once")])
    provider = FakeProvider([tool_step(edit("hello.py", "Hello", "Hi")), text_step("OK."),
                             tool_step(edit("hello.py", "Hi", "Hey")),
                             tool_step(edit("hello.py", "!", "?")), text_step("OK.")])
    manager, _ = manager_for(workspace, provider, bridge, edit_approval="ask")
    info = await manager.create()
    await manager.prompt(info.id, "one")
    assert "Hi, {name}" in path.read_text() and len(bridge.asked) == 1
    bridge.scripted = [PermissionAnswer("allow_always")]
    await manager.prompt(info.id, "two")
    assert "Hey, {name}?" in path.read_text()
    assert len(bridge.asked) == 2  # the second edit of turn two did not ask


async def test_allowed_tools_and_auto_mode_never_ask(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    bridge = CommentingBridge([])
    provider = FakeProvider([tool_step(edit("hello.py", "Hello", "Hi")), text_step("OK.")])
    manager, _ = manager_for(workspace, provider, bridge, edit_approval="ask",
                             allowed_tools=["edit"])
    info = await manager.create()
    await manager.prompt(info.id, "go")
    assert bridge.asked == [] and "Hi," in (workspace.root / "hello.py").read_text()


TEN = "".join(f"line {i}\n" for i in range(1, 11))


async def two_hunk_turn(workspace: WorkspaceFolder) -> tuple[SessionManager, FakeProvider,
                                                             str, str]:
    (workspace.root / "f.py").write_text(TEN)
    provider = FakeProvider([
        tool_step(edit("f.py", "line 2\n", "LINE 2\n")),
        tool_step(edit("f.py", "line 9\n", "LINE 9\n")),
        text_step("Done."), text_step("Noted."),
    ])
    manager, _ = manager_for(workspace, provider, AnsweringBridge())
    info = await manager.create()
    result = await manager.prompt(info.id, "shout two lines")
    return manager, provider, info.id, result.turn_id


async def test_undo_one_hunk_of_two_and_the_model_hears_of_it(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager, provider, sid, turn = await two_hunk_turn(workspace)
    listed = await manager.list_changes(sid, turn)
    (change,) = listed.turns[0].files
    assert change.path == "f.py" and [h.new_start for h in change.hunks] == [2, 9]
    first = change.hunks[0].id
    undone = await manager.undo_changes(sid, turn, "f.py", first)
    assert undone.undone == [first] and undone.conflicts == []
    assert (workspace.root / "f.py").read_text() == TEN.replace("line 9", "LINE 9")
    again = (await manager.list_changes(sid, turn)).turns[0].files[0]
    assert [h.state for h in again.hunks] == ["undone", "applied"]
    assert again.hunks[0].id == first
    await manager.prompt(sid, "what now?")
    assert any("undid your change to f.py line 2" in t for t in request_texts(provider))
    records = list(manager.store.iter_records(sid))
    assert any(r["type"] == "change_undone" and r["hunkIds"] == [first] for r in records)


async def test_undo_after_the_user_changed_that_hunk_is_a_conflict(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager, _, sid, turn = await two_hunk_turn(workspace)
    path = workspace.root / "f.py"
    typed = path.read_text().replace("LINE 2", "LINE 2 # mine")
    path.write_text(typed)
    hunk = (await manager.list_changes(sid, turn)).turns[0].files[0].hunks[0].id
    result = await manager.undo_changes(sid, turn, "f.py", hunk)
    assert result.undone == [] and result.conflicts[0].path == "f.py"
    assert "line 2" in result.conflicts[0].reason
    assert path.read_text() == typed  # untouched


async def test_rewind_after_a_restart_and_a_new_file_goes_away(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    provider = FakeProvider([
        tool_step(edit("hello.py", "Hello", "Hi"),
                  ("write_file", {"path": "new/made.py", "content": "x = 1\n"})),
        text_step("Done."),
    ])
    first, _ = manager_for(workspace, provider, AnsweringBridge())
    info = await first.create()
    original = (workspace.root / "hello.py").read_text()
    result = await first.prompt(info.id, "change things")
    await first.aclose()
    again, _ = manager_for(workspace, FakeProvider([]), AnsweringBridge())  # a new process
    rewound = await again.rewind(info.id, result.turn_id)
    assert sorted(rewound.restored) == ["hello.py", "new/made.py"]
    assert (workspace.root / "hello.py").read_text() == original
    assert not (workspace.root / "new" / "made.py").exists()


async def test_deleting_a_session_collects_its_blobs(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager, _, sid, _turn = await two_hunk_turn(workspace)
    assert manager.blobs is not None and manager.blobs.stored_bytes() > 0
    await manager.delete(sid)
    assert manager.blobs.stored_bytes() == 0


async def test_a_turn_touching_two_files_of_a_100_mb_tree_stores_only_those(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    root = workspace.root
    for i in range(10):  # 100 MB of tree the turn never touches (sparse: cheap to make)
        with open(root / f"big{i}.bin", "wb") as f:
            f.truncate(10 * 1024 * 1024)
    (root / "b.py").write_text("first\n" + "pad line\n" * 200)
    provider = FakeProvider([tool_step(edit("hello.py", "Hello", "Hi"),
                                       edit("b.py", "first", "FIRST")),
                             text_step("Done.")])
    manager, _ = manager_for(workspace, provider, AnsweringBridge())
    info = await manager.create()
    await manager.prompt(info.id, "two files")
    assert manager.blobs is not None
    touched = (len(b'def greet(name):\n    return f"Hello, {name}!"\n')
               + len("first\n" + "pad line\n" * 200))
    stored = manager.blobs.stored_bytes()
    assert touched <= stored <= touched + 1024  # two snapshots and two small deltas
    blob_files = [p for p in manager.blobs.root.rglob("*")
                  if p.is_file() and p.parent.name != "refs" and not p.name.startswith(".")]
    assert len(blob_files) == 4


async def test_files_over_the_blob_cap_are_not_restorable_and_say_so(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    provider = FakeProvider([tool_step(edit("hello.py", "Hello", "Hi")), text_step("Done.")])
    manager, _ = manager_for(workspace, provider, AnsweringBridge(), max_blob_bytes=10)
    info = await manager.create()
    result = await manager.prompt(info.id, "edit")
    (change,) = (await manager.list_changes(info.id, result.turn_id)).turns[0].files
    assert change.restorable is False
    rewound = await manager.rewind(info.id, result.turn_id)
    assert rewound.restored == [] and "too big" in rewound.conflicts[0].reason


KILLER = textwrap.dedent("""
    import asyncio, os, signal, sys
    from tether.session.manager import SessionManager
    from tether.settings import Settings
    from tether.store import open_store
    from tether.workspace.disk_bridge import DiskBridge
    from tether.workspace.folder import WorkspaceFolder

    class KillingBridge(DiskBridge):
        calls = 0
        async def apply_edit(self, edit):
            KillingBridge.calls += 1
            if KillingBridge.calls == int(sys.argv[3]):
                os.kill(os.getpid(), signal.SIGKILL)
            return await super().apply_edit(edit)

    async def main():
        folder = WorkspaceFolder.at(sys.argv[1])
        manager = SessionManager(folder, store=open_store(folder), settings=Settings(),
                                 bridge=KillingBridge())
        print(await manager.rewind(sys.argv[2], sys.argv[4]))

    asyncio.run(main())
""")


async def test_kill_9_mid_rewind_leaves_files_whole_and_a_second_rewind_finishes(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    names = [f"m{i}.py" for i in range(6)]
    for name in names:
        (workspace.root / name).write_text(f"{name} = 'before'\n" * 50)
    provider = FakeProvider([tool_step(*(edit(n, "before", "after") for n in names)),
                             text_step("Done.")])
    provider.steps[0] = tool_step(*(("write_file", {"path": n, "content":
                                     f"{n} = 'after'\n" * 50}) for n in names))
    manager, _ = manager_for(workspace, provider, AnsweringBridge())
    info = await manager.create()
    result = await manager.prompt(info.id, "rewrite all")
    await manager.aclose()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    killed = subprocess.run([sys.executable, "-c", KILLER, str(workspace.root), info.id, "4",
                             result.turn_id], env=env, capture_output=True, timeout=120)
    assert killed.returncode == -9, killed.stderr.decode()
    states = {(workspace.root / n).read_text() for n in names}
    assert states <= {f"{n} = 'before'\n" * 50 for n in names} | \
        {f"{n} = 'after'\n" * 50 for n in names}  # each file whole: restored or untouched
    restored = [n for n in names if "before" in (workspace.root / n).read_text()]
    assert len(restored) <= 3  # the kill came in the middle: the 4th file on were not
    records = [r["type"] for r in SessionManager(
        workspace, store=open_store(workspace), settings=SETTINGS,
        bridge=AnsweringBridge()).store.iter_records(info.id)]
    assert "turn_rewound" not in records
    again, _ = manager_for(workspace, FakeProvider([]), AnsweringBridge())
    finished = await again.rewind(info.id, result.turn_id)
    assert sorted(finished.restored) == names and finished.conflicts == []
    assert all("before" in (workspace.root / n).read_text() for n in names)


async def test_an_undo_before_a_restart_still_reaches_the_model(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager, _, sid, turn = await two_hunk_turn(workspace)
    hunk = (await manager.list_changes(sid, turn)).turns[0].files[0].hunks[0].id
    await manager.undo_changes(sid, turn, "f.py", hunk)
    await manager.aclose()
    provider = FakeProvider([text_step("Understood.")])
    again, _ = manager_for(workspace, provider, AnsweringBridge())
    await again.prompt(sid, "carry on")
    assert any("undid your change to f.py line 2" in t for t in request_texts(provider))
    listed = (await again.list_changes(sid, turn)).turns[0].files[0]
    assert [h.state for h in listed.hunks] == ["undone", "applied"]


async def test_a_fork_keeps_its_snapshots_when_the_parent_is_deleted(
        workspace: WorkspaceFolder, data_dir: Path) -> None:
    manager, _, sid, turn = await two_hunk_turn(workspace)
    fork = await manager.fork(sid)
    await manager.delete(sid)
    rewound = await manager.rewind(fork.id, turn)
    assert rewound.restored == ["f.py"] and rewound.conflicts == []
    assert (workspace.root / "f.py").read_text() == TEN
