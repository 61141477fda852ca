"""Two real processes on one workspace: nothing interleaves, nothing is lost."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tether.workspace.folder import WorkspaceFolder
from unit.store.store_support import History

_PRELUDE = """
import os, sys, time
from pathlib import Path
from tether.store import open_store
from tether.workspace.folder import WorkspaceFolder
from tether.protocol.models import SessionInfo
store = open_store(WorkspaceFolder.at(sys.argv[1]), data_dir=Path(sys.argv[2]))
go = Path(sys.argv[3])
name = sys.argv[4]
while not go.exists():
    time.sleep(0.001)
"""

_APPENDER = """
sid = sys.argv[5]
pad = name * 3000  # records larger than a pipe buffer
for i in range(500):
    store.append(sid, [{"type": "probe", "sessionId": sid, "writer": name, "i": i, "pad": pad}],
                 sync=(i % 50 == 49))
"""

_CREATOR = """
for i in range(40):
    store.create(SessionInfo(id=f"{name}{i:04d}", title=f"{name} {i}",
                             workspace_folder=str(store.folder.root)))
    store.list(limit=5)  # races on the summary cache too
"""


def _run_pair(body: str, folder: WorkspaceFolder, data_dir: Path, tmp: Path, *extra: str) -> None:
    script = textwrap.dedent(_PRELUDE) + textwrap.dedent(body)
    go = tmp / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(folder.root), str(data_dir), str(go), name, *extra],
            stderr=subprocess.PIPE,
        )
        for name in ("a", "b")
    ]
    go.write_text("go")
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()


def test_two_processes_append_to_one_session(
    history: History, data_dir: Path, tmp_path: Path
) -> None:
    sid = history.new_session()
    _run_pair(_APPENDER, history.folder, data_dir, tmp_path, sid)
    raw = history.path(sid).read_bytes()
    assert raw.endswith(b"\n")
    lines = raw.split(b"\n")[1:-1]
    assert len(lines) == 1000
    records = [json.loads(line) for line in lines]  # every line whole
    for name in ("a", "b"):
        mine = [r for r in records if r["writer"] == name]
        assert [r["i"] for r in mine] == list(range(500))
        assert all(r["pad"] == name * 3000 for r in mine)
    assert len(list(history.store.iter_records(sid))) == 1000
    assert history.store.load(sid).problems == []


def test_two_processes_create_sessions_in_one_workspace(
    history: History, data_dir: Path, tmp_path: Path
) -> None:
    _run_pair(_CREATOR, history.folder, data_dir, tmp_path)
    listed, cursor = history.store.list(limit=1000)
    assert cursor is None
    ids = {s.id for s in listed}
    assert ids == {f"{n}{i:04d}" for n in "ab" for i in range(40)}
    assert {s.title for s in listed} == {f"{n} {i}" for n in "ab" for i in range(40)}


_NUMBERED = """
sid = sys.argv[5]
for i in range(400):
    store.append(sid, [{"type": "probe", "sessionId": sid, "writer": name, "i": i}],
                 sync=(i % 50 == 49), number=True)
"""


def test_two_processes_numbering_one_session_never_share_a_seq(
    history: History, data_dir: Path, tmp_path: Path
) -> None:
    sid = history.new_session()
    history.store.append(sid, history.conversation(sid, 3))  # seqs 1..3 already on disk
    _run_pair(_NUMBERED, history.folder, data_dir, tmp_path, sid)
    records = list(history.store.iter_records(sid))
    assert [r["seq"] for r in records] == list(range(1, 804))  # file order is seq order
    for name in ("a", "b"):
        assert [r["i"] for r in records if r.get("writer") == name] == list(range(400))


def test_a_search_sees_what_another_process_wrote(history: History, data_dir: Path) -> None:
    from tether.store import open_store

    sid = history.new_session(title="first")
    assert history.store.search("okapi") == []
    other = open_store(history.folder, data_dir)
    other.append(sid, [history.message(sid, "an okapi appears")], number=True)
    history.store._catalogue.look_at_every_file_next()  # what the next few seconds bring
    assert [h.session_id for h in history.store.search("okapi")] == [sid]
