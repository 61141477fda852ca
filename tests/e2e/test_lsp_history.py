"""Sessions per workspace folder, and history that survives a server restart."""

from __future__ import annotations

from pathlib import Path

from tether.testing.provider_server import Script, text_turn

from .conftest import Env


async def test_two_folders_have_separate_histories(env: Env, tmp_path: Path) -> None:
    one, two = (tmp_path / "one").resolve(), (tmp_path / "two").resolve()
    one.mkdir()
    two.mkdir()
    env.provider.set_script(Script([text_turn("answer one")]))
    async with env.serve([one, two]) as h:
        a = (await h.request("tether/session/create",
                             {"folderUri": one.as_uri(), "title": "in one"}))["sessionId"]
        b = (await h.request("tether/session/create",
                             {"folderUri": two.as_uri(), "title": "in two"}))["sessionId"]
        await h.request("tether/session/prompt", {"sessionId": a, "text": "hello one"})
        listed_one = await h.request("tether/session/list", {"folderUri": one.as_uri()})
        listed_two = await h.request("tether/session/list", {"folderUri": two.as_uri()})
        assert [s["id"] for s in listed_one["sessions"]] == [a]
        assert [s["id"] for s in listed_two["sessions"]] == [b]
        loaded_b = await h.request("tether/session/load", {"sessionId": b})
        assert loaded_b["messages"] == []
        assert loaded_b["session"]["workspaceFolder"] == str(two)


async def test_list_load_replay_after_restart(env: Env, workspace: Path) -> None:
    env.provider.set_script(Script([text_turn("first answer")]))
    async with env.serve([workspace]) as h:
        sid = (await h.request("tether/session/create",
                               {"folderUri": workspace.as_uri()}))["sessionId"]
        await h.request("tether/session/prompt", {"sessionId": sid, "text": "remember me"})
        live = [e for e in h.events_of(sid) if e["event"]["type"] != "text_delta"]
    async with env.serve([workspace], client_name="neovim") as h:
        listed = await h.request("tether/session/list", {"folderUri": workspace.as_uri()})
        assert [s["id"] for s in listed["sessions"]] == [sid]
        loaded = await h.request("tether/session/load", {"sessionId": sid})
        texts = [p.get("text") for m in loaded["messages"] for p in m["parts"]]
        assert "remember me" in texts and "first answer" in texts
        replay = await h.request("tether/session/replay", {"sessionId": sid, "fromSeq": 0})
        replayed = h.events_of(sid)
        assert replay["count"] == len(replayed) > 0
        assert replay["lastSeq"] == replayed[-1]["seq"] == loaded["lastSeq"]
        durable_live = [e["seq"] for e in live if e["event"]["type"] not in
                        ("text_complete", "tool_output_chunk", "tool_heartbeat")]
        assert [e["seq"] for e in replayed] == durable_live
        assert replayed[-1]["event"]["type"] == "turn_completed"
        tail = await h.request("tether/session/replay",
                               {"sessionId": sid, "fromSeq": replayed[-2]["seq"]})
        assert tail["count"] == 1
        # and the session continues where it was
        env.provider.set_script(Script([text_turn("second answer")]))
        result = await h.request("tether/session/prompt", {"sessionId": sid, "text": "more"})
        assert result["status"] == "completed"
        sent = env.provider.requests[-1]["messages"]
        assert any("remember me" in str(m.get("content")) for m in sent)
