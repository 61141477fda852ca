"""Only regular files in the history folder are opened: FIFOs, sockets, directories,
devices and symlinks named like sessions are skipped (logged once), never hang a reader."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tether.errors import SessionNotFoundError, StoreError
from tether.store import JsonlStore, open_store
from tether.store.cache import CACHE_FILE
from tether.workspace.folder import WorkspaceFolder
from unit.store.store_support import History

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")

BOUND = 20.0  # a hang is what fails; this only keeps a broken test from blocking the run


def bounded(call: Callable[[], Any]) -> Any:
    """Run `call` in a daemon thread; fail (not hang) when it does not return."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = call()
        except BaseException as exc:
            out["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(BOUND)
    assert not worker.is_alive(), "the store blocked on a special file"
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.fixture
def specials(store: JsonlStore, history: History, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A real session, then a FIFO, a socket, a directory and symlinks named as sessions."""
    real = history.new_session(title="real")
    store.append(real, [history.message(real, "hello")])
    d = store.sessions_dir
    names = {kind: str(uuid.uuid4()) for kind in
             ("fifo", "socket", "dir", "outside", "dangling", "to_fifo", "to_dev")}
    os.mkfifo(d / f"{names['fifo']}.jsonl")
    sock = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    os.chdir(d)  # a relative name: AF_UNIX paths are limited to ~108 bytes
    try:
        sock.bind(f"{names['socket']}.jsonl")
    finally:
        os.chdir(here)
    (d / f"{names['dir']}.jsonl").mkdir()
    outside = tmp_path / "outside.jsonl"
    outside.write_bytes((d / f"{real}.jsonl").read_bytes().replace(
        real.encode(), names["outside"].encode()))
    (d / f"{names['outside']}.jsonl").symlink_to(outside)
    (d / f"{names['dangling']}.jsonl").symlink_to(tmp_path / "missing")
    (d / f"{names['to_fifo']}.jsonl").symlink_to(d / f"{names['fifo']}.jsonl")
    (d / f"{names['to_dev']}.jsonl").symlink_to("/dev/zero")
    os.mkfifo(d / "x.jsonl")  # not even a valid id
    names["real"] = real
    try:
        yield names
    finally:
        sock.close()


def test_listing_skips_special_files_and_logs_each_once(
    store: JsonlStore, folder: WorkspaceFolder, specials: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="tether.store")
    rows, _ = bounded(store.list)
    assert [r.id for r in rows] == [specials["real"]]
    again, _ = bounded(open_store(folder).list)  # a fresh process view, cache in place
    assert [r.id for r in again] == [specials["real"]]
    bounded(store.list)
    skipped = [r.getMessage() for r in caplog.records if "not a regular file" in r.getMessage()]
    for kind in ("fifo", "socket", "dir", "outside", "dangling", "to_fifo", "to_dev"):
        assert len([m for m in skipped if specials[kind] in m]) == 1, (kind, skipped)


@pytest.mark.parametrize("kind", ["fifo", "socket", "dir", "outside", "to_fifo", "to_dev"])
def test_loading_a_special_file_is_an_error_not_a_hang(
    store: JsonlStore, specials: dict[str, str], kind: str
) -> None:
    sid = specials[kind]
    assert not store.exists(sid)
    for call in (lambda: store.load(sid), lambda: list(store.iter_records(sid)),
                 lambda: store.export(sid, "json"), lambda: store.append(sid, [{"a": 1}])):
        with pytest.raises((StoreError, SessionNotFoundError), match=r"regular file|no session"):
            bounded(call)


def test_a_special_summary_cache_is_rebuilt_around(
    store: JsonlStore, folder: WorkspaceFolder, history: History
) -> None:
    real = history.new_session(title="real")
    os.mkfifo(store.base / CACHE_FILE)
    assert [r.id for r in bounded(open_store(folder).list)[0]] == [real]


def test_a_special_lock_file_is_refused_not_followed(
    store: JsonlStore, history: History, tmp_path: Path
) -> None:
    real = history.new_session(title="real")
    target = tmp_path / "elsewhere.lock"
    store.sessions_dir.joinpath(f"{real}.lock").symlink_to(target)
    with pytest.raises(StoreError, match="regular file"):
        bounded(lambda: store.append(real, [history.message(real, "x")]))
    assert not target.exists()  # nothing was created outside the history folder
