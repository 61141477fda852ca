"""Each fact stored once: the prompt only in the user message, the reply only in the
assistant message; replay puts the fields back; files of the older shape read as before."""

from __future__ import annotations

from typing import Any

from support.session_fakes import text_step, tool_step
from tether.providers.base import StreamFinished

PROMPT = "zebra-prompt-8841"
REPLY = "quokka-reply-5519"


def _file_bytes(h: Any, sid: str) -> bytes:
    return h.store.session_path(sid).read_bytes()  # type: ignore[no-any-return]


async def test_prompt_and_reply_are_written_once_and_replayed_whole(make_harness: Any) -> None:
    h = make_harness([text_step(REPLY)])
    info = await h.manager.create(title="t")
    await h.manager.prompt(info.id, PROMPT)
    data = _file_bytes(h, info.id)
    assert data.count(PROMPT.encode()) == 1
    assert data.count(REPLY.encode()) == 1
    live = [e.to_wire() for e in h.events if e.durable]
    replayed = [e.to_wire() for e in await h.manager.replay(info.id)]
    assert replayed == live
    started = next(e for e in replayed if e["type"] == "turn_started")
    completed = next(e for e in replayed if e["type"] == "turn_completed")
    assert (started["prompt"], completed["text"]) == (PROMPT, REPLY)
    await h.manager.aclose()


async def test_a_final_text_that_is_not_the_last_message_is_kept(make_harness: Any) -> None:
    h = make_harness([tool_step(("list_dir", {"path": "."}), text="let me look"),
                      [StreamFinished("end_turn")]])
    info = await h.manager.create(title="t")
    result = await h.manager.prompt(info.id, PROMPT)
    assert result.text == ""
    completed = next(e for e in await h.manager.replay(info.id)
                     if e.type == "turn_completed")  # type: ignore[union-attr]
    assert completed.text == ""  # type: ignore[union-attr]
    await h.manager.aclose()


async def test_files_of_the_older_shape_replay_and_load_unchanged(make_harness: Any) -> None:
    h = make_harness([])
    info = await h.manager.create(title="old")
    sid = info.id
    user = {"id": "u1", "role": "user", "parts": [{"type": "text", "text": PROMPT}],
            "turnId": "t1"}
    answer = {"id": "a1", "role": "assistant", "parts": [{"type": "text", "text": REPLY}],
              "turnId": "t1"}
    base = {"sessionId": sid, "turnId": "t1", "time": "2026-01-01T00:00:00Z"}
    old = [
        {**base, "seq": 1, "type": "turn_started", "prompt": PROMPT, "model": "m"},
        {**base, "seq": 2, "type": "message_added", "message": user},
        {**base, "seq": 3, "type": "message_added", "message": answer},
        {**base, "seq": 4, "type": "turn_completed", "reason": "end_turn", "text": REPLY},
    ]
    h.store.append(sid, old)
    replayed = [e.to_wire() for e in await h.manager.replay(sid)]
    assert [(e["seq"], e.get("prompt"), e.get("text")) for e in replayed] == [
        (1, PROMPT, None), (2, None, None), (3, None, None), (4, None, REPLY)]
    loaded = await h.manager.load(sid)
    assert [m.text for m in loaded.messages] == [PROMPT, REPLY]
    await h.manager.aclose()
