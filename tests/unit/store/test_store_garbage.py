"""Whatever bytes follow a good header, every read path answers (with problems), never raises."""

from __future__ import annotations

import json
import random
import uuid

import pytest

from tether.protocol.models import SessionInfo
from unit.store.store_support import History

GARBAGE = [
    b"",
    b"   ",
    b"\r",
    b"not json at all",
    b"\xff\xfe\x00 invalid utf-8 \xc3",
    b"[1, 2, 3]",
    b'"a string"',
    b"null",
    b'{"type": "message_added"}',
    b'{"type":"message_added","message":{"id":1}}',
    b'{"type":"message_added","message":null,"seq":"x"}',
    b'{"type":"title_changed","title":42}',
    b'{"type":"usage","total":"lots"}',
    b'{"type":"usage","total":{"promptTokens":"many"}}',
    b'{"type":"future","seq":true,"time":"yesterday"}',
    b'{"seq":1e400,"time":12}',
    b'{"type":"message_added","message":{"id":"x","role":"user","parts":[{"type":"??"}]}}',
    b"{" * 5000,
    b'{"deep":' * 2000 + b"1" + b"}" * 2000,
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_damage_never_crashes_a_read(history: History, seed: int) -> None:
    rng = random.Random(seed)
    store = history.store
    sid = history.new_session("damaged")
    path = history.path(sid)
    good_ids = []
    for i in range(120):
        if rng.random() < 0.5:
            event = history.message(sid, f"good {i}", mid=f"g{i}")
            good_ids.append(f"g{i}")
            store.append(sid, [event])
        else:
            with open(path, "ab") as f:
                f.write(rng.choice(GARBAGE) + b"\n")
    with open(path, "ab") as f:
        f.write(b'{"type":"message_added","mess')  # and a torn tail

    for tail in (None, 0, 1, 7, 1000):
        loaded = store.load(sid, tail=tail)
        expected = good_ids if tail is None else good_ids[len(good_ids) - tail :] if tail else []
        assert [m.id for m in loaded.messages] == expected
        if tail != 0:  # a tail of 0 reads no line at all
            assert loaded.problems  # the damage it read is reported
    assert len([r for r in store.iter_records(sid) if r.get("type") == "message_added"]) >= len(
        good_ids
    )
    assert store.list()[0][0].id == sid
    copy = SessionInfo(id=uuid.uuid4().hex, workspace_folder=str(history.folder.root))
    store.fork(sid, copy, up_to_message_id=good_ids[-1])
    assert [m.id for m in store.load(copy.id, tail=None).messages] == good_ids
    assert json.loads(store.export(sid, "json"))["session"]["id"] == sid
    assert "## User" in store.export(sid, "markdown")
