"""What is written to history can always be read back: titles and header fields are capped.

Before the caps a title over 4 MB went into a fork's header (or a created session's) and
the header reader, which stops at 4 MB, reported the session corrupt at the next start.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from pygls.exceptions import JsonRpcException

from tether.protocol.error_codes import ErrorCode
from tether.protocol.models import MAX_MODEL_CHARS, MAX_TITLE_CHARS
from tether.testing.provider_server import Script, text_turn

from .conftest import WAIT, Env

HUGE = 5 * 1024 * 1024


def capped(title: str) -> bool:
    return 0 < len(title) <= MAX_TITLE_CHARS and title.endswith("…")


async def test_five_megabyte_titles_are_capped_and_every_session_reads_back(
    env: Env, workspace: Path
) -> None:
    model_title = "word" * 25_000  # one 100 KB word
    env.provider.set_script(Script([text_turn("an answer")], title=model_title))
    folder = {"folderUri": workspace.as_uri()}
    async with env.serve([workspace], settings={"titleGeneration": True}) as h:
        renamed = (await h.request("tether/session/create", folder))["sessionId"]
        assert await h.request("tether/session/rename",
                               {"sessionId": renamed, "title": "t" * HUGE}) == {"ok": True}
        fork = (await h.request("tether/session/fork", {"sessionId": renamed}))["sessionId"]
        created = (await h.request("tether/session/create",
                                   {**folder, "title": "c" * HUGE}))["sessionId"]
        prompted = (await h.request("tether/session/create", folder))["sessionId"]
        await h.request("tether/session/prompt", {"sessionId": prompted, "text": "p" * HUGE})
        await h.wait_event(prompted, "title_changed")  # the fallback title, at once

        async def model_title() -> None:  # then the model's title: one 5 MB word
            while not any(e["event"]["type"] == "title_changed"
                          and e["event"]["title"].startswith("word")
                          for e in h.editor.events if e["sessionId"] == prompted):
                await asyncio.sleep(0.05)
        await asyncio.wait_for(model_title(), WAIT)

        with pytest.raises(JsonRpcException) as info:
            await h.request("tether/session/create", {**folder, "model": "m" * HUGE})
        assert info.value.code == ErrorCode.INVALID_PARAMS

    ids = {renamed, fork, created, prompted}
    async with env.serve([workspace]) as h:  # a fresh server reads everything back
        listed = await h.request("tether/session/list", {**folder, "limit": 10})
        titles = {s["id"]: s["title"] for s in listed["sessions"]}
        assert set(titles) == ids
        fork_title = titles.pop(fork)
        assert all(capped(t) for t in titles.values()), {k: t[-40:] for k, t in titles.items()}
        assert len(fork_title) <= MAX_TITLE_CHARS and fork_title.endswith("… (fork)")
        assert titles[prompted].startswith("word")  # the model's title won, capped
        titles[fork] = fork_title
        for sid in ids:
            loaded = await h.request("tether/session/load", {"sessionId": sid})
            assert loaded["session"]["title"] == titles[sid]
        assert len((await h.request("tether/session/load", {"sessionId": prompted}))
                   ["messages"][0]["parts"][0]["text"]) == HUGE  # the prompt itself is kept
    for path in (env.data_dir).rglob("*.jsonl"):
        with path.open("rb") as f:
            assert len(f.readline()) < 64 * 1024  # every header stays small


def _tether(env: Env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tether", *args], env=env.environ(),
                          capture_output=True, text=True, timeout=WAIT, check=False)


async def test_cli_rename_caps_the_title(env: Env, workspace: Path) -> None:
    async with env.serve([workspace]) as h:
        sid = (await h.request("tether/session/create",
                               {"folderUri": workspace.as_uri()}))["sessionId"]
    # One argv string is limited to 128 KiB on Linux (MAX_ARG_STRLEN): the longest a
    # shell can pass.
    title = "r" * (120 * 1024)
    done = _tether(env, "sessions", "rename", "-w", str(workspace), "--json", sid, title)
    assert done.returncode == 0, done.stderr
    assert capped(json.loads(done.stdout)["title"])
    done = _tether(env, "sessions", "list", "-w", str(workspace), "--json")
    assert done.returncode == 0, done.stderr
    [row] = json.loads(done.stdout)
    assert row["id"] == sid and capped(row["title"])
    async with env.serve([workspace]) as h:
        fork = await h.request("tether/session/fork", {"sessionId": sid})
        loaded = await h.request("tether/session/load", {"sessionId": fork["sessionId"]})
        title = loaded["session"]["title"]
        assert len(title) <= MAX_TITLE_CHARS and title.endswith("… (fork)")


def test_caps_are_what_the_spec_says() -> None:
    spec = (Path(__file__).parents[2] / "protocol-spec.md").read_text()
    assert f"{MAX_TITLE_CHARS} characters" in spec and f"{MAX_MODEL_CHARS} characters" in spec


def _plant_special_files(sessions: Path, outside: Path) -> list[socket.socket]:
    """A FIFO, a directory, a socket and an outward symlink named like sessions."""
    ids = [str(uuid.uuid4()) for _ in range(4)]
    os.mkfifo(sessions / f"{ids[0]}.jsonl")
    os.mkfifo(sessions / "x.jsonl")
    (sessions / f"{ids[1]}.jsonl").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    os.chdir(sessions)  # a relative name: AF_UNIX paths are limited to ~108 bytes
    try:
        sock.bind(f"{ids[2]}.jsonl")
    finally:
        os.chdir(here)
    outside.write_text("{}\n")
    (sessions / f"{ids[3]}.jsonl").symlink_to(outside)
    (sessions / "y.jsonl").symlink_to("/dev/zero")
    return [sock]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")
async def test_special_files_in_the_history_folder_are_skipped(
    env: Env, workspace: Path, tmp_path: Path
) -> None:
    folder = {"folderUri": workspace.as_uri()}
    async with env.serve([workspace]) as h:
        sid = (await h.request("tether/session/create", {**folder, "title": "real"}))["sessionId"]
    [sessions] = list(env.data_dir.glob("workspaces/*/sessions"))
    keep = _plant_special_files(sessions, tmp_path / "outside.jsonl")
    try:
        async with env.serve([workspace]) as h:
            listed = await h.request("tether/session/list", folder)
            assert [s["id"] for s in listed["sessions"]] == [sid]
            assert (await h.request("tether/session/load", {"sessionId": sid}))["session"][
                "title"] == "real"
        done = _tether(env, "sessions", "list", "-w", str(workspace), "--json")
        assert done.returncode == 0, done.stderr
        assert [row["id"] for row in json.loads(done.stdout)] == [sid]
        assert "not a regular file" in done.stderr
    finally:
        for sock in keep:
            sock.close()
