"""Change sets across two `tether serve` processes (two editor windows) on one session.

Each window caches the session's change ledger; what the other window undoes or rewinds
must reach it (listed as undone or rewound, refused a second time with a clear message,
left out of its model's view) without a restart, and the file is reverted only once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pygls.exceptions import JsonRpcException

from tether.testing.provider_server import Script, text_turn, tool_turn

from .conftest import Env, Harness

ORIGINAL = "def add(a, b):\n    return a + b\n"
EDITED = ORIGINAL.replace("a + b", "b + a")


async def _session(h: Harness, workspace: Path) -> str:
    created = await h.request("tether/session/create", {"folderUri": workspace.as_uri()})
    return str(created["sessionId"])


def _stored(env: Env, session_id: str, kind: str) -> list[dict[str, Any]]:
    """The records of `kind` in the session's history file, as both windows share it."""
    (path,) = env.data_dir.rglob(f"{session_id}.jsonl")
    records = [json.loads(line) for line in path.read_text().splitlines()[1:] if line]
    return [r for r in records if r.get("type") == kind]


async def _refused(h: Harness, method: str, params: dict[str, Any]) -> str:
    with pytest.raises(JsonRpcException) as refused:
        await h.request(method, params)
    return refused.value.message


async def _edit_in_a(env: Env, a: Harness, workspace: Path) -> tuple[str, str]:
    (workspace / "calc.py").write_text(ORIGINAL)
    sid = await _session(a, workspace)
    await a.request("tether/session/prompt", {"sessionId": sid, "text": "say hello"})
    turn = (await a.request("tether/session/prompt",
                            {"sessionId": sid, "text": "swap them"}))["turnId"]
    assert (workspace / "calc.py").read_text() == EDITED  # closed in both: on disk
    return sid, str(turn)


async def test_undo_in_one_window_is_seen_by_the_other_and_never_done_twice(
        env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([
        text_turn("Hello."),
        tool_turn("edit", {"path": "calc.py", "old": "a + b", "new": "b + a"}),
        text_turn("Swapped."),
    ]))
    async with env.serve([workspace]) as a, env.serve([workspace]) as b:
        sid, turn = await _edit_in_a(env, a, workspace)
        listed = await b.request("tether/changes/list", {"sessionId": sid, "turnId": turn})
        (hunk,) = listed["turns"][0]["files"][0]["hunks"]
        assert hunk["state"] == "applied"  # B built its ledger while the edit stood

        undone = await a.request("tether/changes/undo", {"sessionId": sid, "turnId": turn})
        assert undone["undone"] == [hunk["id"]]
        assert (workspace / "calc.py").read_text() == ORIGINAL

        listed = await b.request("tether/changes/list", {"sessionId": sid, "turnId": turn})
        (file,) = listed["turns"][0]["files"]
        assert [h["state"] for h in file["hunks"]] == ["undone"]
        assert (file["added"], file["removed"]) == (0, 0)
        for scope in ({"path": "calc.py", "hunk": hunk["id"]}, {"path": "calc.py"}, {}):
            message = await _refused(b, "tether/changes/undo",
                                     {"sessionId": sid, "turnId": turn, **scope})
            assert "already undone" in message, scope
        assert (workspace / "calc.py").read_text() == ORIGINAL
        assert len(_stored(env, sid, "change_undone")) == 1  # one revert, one record


async def test_rewind_in_one_window_is_seen_by_the_other(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([
        text_turn("Hello."),
        tool_turn("edit", {"path": "calc.py", "old": "a + b", "new": "b + a"}),
        text_turn("Swapped."),
        text_turn("Fresh start."),
    ]))
    async with env.serve([workspace]) as a, env.serve([workspace]) as b:
        sid, turn = await _edit_in_a(env, a, workspace)
        listed = await b.request("tether/changes/list", {"sessionId": sid})
        assert [(t["turnId"], t["rewound"]) for t in listed["turns"]] == [(turn, False)]

        rewound = await a.request("tether/session/rewind", {"sessionId": sid, "turnId": turn})
        assert rewound["restored"] == ["calc.py"]
        assert (workspace / "calc.py").read_text() == ORIGINAL

        listed = await b.request("tether/changes/list", {"sessionId": sid})
        assert [(t["turnId"], t["rewound"]) for t in listed["turns"]] == [(turn, True)]
        loaded = await b.request("tether/session/load", {"sessionId": sid})
        assert loaded["rewoundTurnIds"] == [turn]
        message = await _refused(b, "tether/session/rewind", {"sessionId": sid, "turnId": turn})
        assert "rewound already" in message
        message = await _refused(b, "tether/changes/undo", {"sessionId": sid, "turnId": turn})
        assert "rewound already" in message
        assert (workspace / "calc.py").read_text() == ORIGINAL
        assert len(_stored(env, sid, "turn_rewound")) == 1
        assert _stored(env, sid, "change_undone") == []

        result = await b.request("tether/session/prompt", {"sessionId": sid, "text": "next"})
        assert result["status"] == "completed"
        sent = json.dumps(env.provider.requests[-1]["messages"])
        assert "say hello" in sent and "next" in sent
        assert "swap them" not in sent and "b + a" not in sent and "Swapped." not in sent
