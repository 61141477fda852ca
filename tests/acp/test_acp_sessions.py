"""Cancel, load (history replayed), permission reject, client terminals, and one history.

An ACP session is a Tether session: the CLI and the language server list it too.
"""

from __future__ import annotations

import json
from pathlib import Path

from tether.testing.provider_server import Script, Turn, text_turn, tool_turn

from .conftest import AcpEnv, updates_of

SLOW = "word " * 2000


def test_cancel_mid_turn_stops_with_cancelled(acp_env: AcpEnv, workspace: Path) -> None:
    acp_env.provider.set_script(Script([text_turn(SLOW, chunk_size=5, chunk_delay=0.02),
                                        text_turn("after the cancel")]))
    report = acp_env.run_client(
        [{"op": "initialize"}, {"op": "new", "cwd": str(workspace)},
         {"op": "prompt", "text": "talk", "cancelOn": "agent_message_chunk"},
         {"op": "prompt", "text": "again"}])
    cancelled, again = report["steps"][2], report["steps"][3]
    assert cancelled["cancelSent"] is True
    assert cancelled["result"] == {"stopReason": "cancelled"}
    streamed = "".join(u["content"]["text"] for u in updates_of(report, "agent_message_chunk", 2))
    assert 0 < len(streamed) < len(SLOW)
    assert again["result"] == {"stopReason": "end_turn"}  # the session goes on
    sid = report["steps"][1]["result"]["sessionId"]
    shown = json.loads(acp_env.tether("sessions", "show", sid, "--json", "-w",
                                      str(workspace)).stdout)
    partial = next(m for m in shown["messages"] if m["role"] == "assistant")
    assert partial["interrupted"] is True  # the engine's marker, as for the LSP


def test_load_replays_history_as_session_updates(acp_env: AcpEnv, workspace: Path) -> None:
    (workspace / "notes.md").write_text("# notes\n")
    acp_env.provider.set_script(Script([
        tool_turn("read_file", {"path": "notes.md"}),
        text_turn("The notes have a heading.", reasoning="Let me look at it."),
    ]))
    first = acp_env.run_client([{"op": "initialize"}, {"op": "new", "cwd": str(workspace)},
                                {"op": "prompt", "text": "what is in notes.md?"}])
    sid = first["steps"][1]["result"]["sessionId"]
    assert first["steps"][2]["result"] == {"stopReason": "end_turn"}

    acp_env.provider.set_script(Script([text_turn("Still a heading.")]))
    second = acp_env.run_client([{"op": "initialize"},
                                 {"op": "load", "cwd": str(workspace), "sessionId": sid},
                                 {"op": "prompt", "text": "and now?"}])
    load = second["steps"][1]
    assert "error" not in load, load
    replayed = [u["update"] for u in second["updates"] if u["step"] == 1]
    titles = [u["title"] for u in replayed if u["sessionUpdate"] == "session_info_update"]
    assert titles[-1] == "Scripted session title"  # the generated title, after the fallback
    replayed = [u for u in replayed
                if u["sessionUpdate"] not in ("usage_update", "session_info_update")]
    kinds = [u["sessionUpdate"] for u in replayed]
    assert kinds == ["user_message_chunk", "tool_call", "tool_call_update",
                     "agent_thought_chunk", "agent_message_chunk"], kinds
    assert replayed[0]["content"]["text"] == "what is in notes.md?"
    assert replayed[1]["kind"] == "read" and replayed[1]["title"] == "read_file: notes.md"
    assert replayed[2]["status"] == "completed"
    assert replayed[3]["content"]["text"] == "Let me look at it."
    assert replayed[4]["content"]["text"] == "The notes have a heading."
    assert second["steps"][2]["result"] == {"stopReason": "end_turn"}
    # the model of the loaded session hears the earlier conversation
    contents = [m.get("content") for m in acp_env.provider.requests[-1]["messages"]]
    assert "what is in notes.md?" in json.dumps(contents)

    missing = acp_env.run_client([{"op": "initialize"},
                                  {"op": "load", "cwd": str(workspace), "sessionId": "nope"}])
    assert missing["steps"][1]["error"]["code"] == -32002  # resource not found


def test_permission_reject_does_not_run_the_tool(acp_env: AcpEnv, workspace: Path) -> None:
    acp_env.provider.set_script(Script([
        tool_turn("run_command", {"command": "touch ran.txt"}),
        text_turn("Understood, I did not run it."),
    ]))
    report = acp_env.run_client(
        [{"op": "initialize", "terminal": True}, {"op": "new", "cwd": str(workspace)},
         {"op": "prompt", "text": "make a file"}],
        permission="reject_once")
    assert report["steps"][2]["result"] == {"stopReason": "end_turn"}
    assert not (workspace / "ran.txt").exists()
    assert report["terminals"] == []  # no terminal was ever created
    (asked,) = report["permissions"]
    assert {o["kind"] for o in asked["options"]} >= {"allow_once", "allow_always", "reject_once"}
    assert asked["toolCall"]["kind"] == "execute" and "touch ran.txt" in asked["toolCall"]["title"]
    call_id = asked["toolCall"]["toolCallId"]
    before = [u["update"] for u in report["updates"][:asked["updatesBefore"]]]
    assert [(u["sessionUpdate"], u.get("status")) for u in before
            if u.get("toolCallId") == call_id] == [("tool_call", "in_progress"),
                                                    ("tool_call_update", "pending")]
    failed = updates_of(report, "tool_call_update")[-1]
    assert failed["status"] == "failed"
    tool_result = acp_env.provider.requests[1]["messages"][-1]
    assert tool_result["role"] == "tool" and "rejected" in tool_result["content"]


def test_cancel_while_asked_ends_the_turn_cancelled(acp_env: AcpEnv, workspace: Path) -> None:
    acp_env.provider.set_script(Script([
        tool_turn("run_command", {"command": "touch ran.txt"}),
        text_turn("unreachable"),
    ]))
    report = acp_env.run_client(
        [{"op": "initialize"}, {"op": "new", "cwd": str(workspace)},
         {"op": "prompt", "text": "make a file"}],
        permission="cancel")
    assert report["steps"][2]["result"] == {"stopReason": "cancelled"}
    assert not (workspace / "ran.txt").exists()
    assert len(acp_env.provider.requests) == 1  # the model was not asked again
    assert updates_of(report, "tool_call_update")[-1]["status"] == "failed"


def test_run_command_uses_the_client_terminal(acp_env: AcpEnv, workspace: Path) -> None:
    acp_env.provider.set_script(Script([
        tool_turn("run_command", {"command": "echo from-the-terminal"}),
        text_turn("It printed."),
    ]))
    report = acp_env.run_client(
        [{"op": "initialize", "terminal": True}, {"op": "new", "cwd": str(workspace)},
         {"op": "prompt", "text": "echo"}],
        permission="allow_once")
    assert report["steps"][2]["result"] == {"stopReason": "end_turn"}
    ops = [t["op"] for t in report["terminals"]]
    assert ops == ["create", "wait_for_exit", "output", "release"]
    assert report["terminals"][0]["args"] == ["-c", "echo from-the-terminal"]
    term_id = report["terminals"][0]["terminalId"]
    embedded = [u for u in updates_of(report, "tool_call_update")
                if any(c.get("type") == "terminal" and c.get("terminalId") == term_id
                       for c in u.get("content") or [])]
    assert embedded and embedded[-1]["status"] == "completed"
    result = acp_env.provider.requests[1]["messages"][-1]["content"]
    assert "from-the-terminal" in result and "[exit code 0]" in result


def test_cancel_kills_the_command_in_the_client_terminal(acp_env: AcpEnv,
                                                         workspace: Path) -> None:
    acp_env.provider.set_script(Script([
        tool_turn("run_command", {"command": "sleep 30; touch never"}),
        text_turn("unreachable"),
    ]))
    report = acp_env.run_client(
        [{"op": "initialize", "terminal": True}, {"op": "new", "cwd": str(workspace)},
         {"op": "prompt", "text": "wait", "cancelOn": "terminal"}],
        permission="allow_once")
    assert report["steps"][2]["result"] == {"stopReason": "cancelled"}
    ops = [t["op"] for t in report["terminals"]]
    assert ops[0] == "create" and ops[-2:] == ["kill", "release"]
    (exit_status,) = report["terminalExits"].values()
    assert exit_status == {"exitCode": None, "signal": "SIGKILL"}  # stopped, not finished


async def test_acp_session_is_a_tether_session(acp_env: AcpEnv, workspace: Path) -> None:
    acp_env.provider.set_script(Script([text_turn("Hi from ACP.")]))
    report = acp_env.run_client([{"op": "initialize"}, {"op": "new", "cwd": str(workspace)},
                                 {"op": "prompt", "text": "hello"},
                                 {"op": "list", "cwd": str(workspace)}])
    sid = report["steps"][1]["result"]["sessionId"]
    listed = report["steps"][3]["result"]["sessions"]
    assert [(s["sessionId"], s["cwd"]) for s in listed] == [(sid, str(workspace))]
    assert listed[0]["updatedAt"]

    cli = acp_env.tether("sessions", "list", "--json", "-w", str(workspace))
    assert [s["id"] for s in json.loads(cli.stdout)] == [sid]

    from e2e.conftest import Env  # the language server's own harness

    lsp_env = Env(provider=acp_env.provider, data_dir=acp_env.data_dir, tmp=acp_env.tmp)
    async with lsp_env.serve([workspace]) as h:
        page = await h.request("tether/session/list", {"folderUri": workspace.as_uri()})
        assert [s["id"] for s in page["sessions"]] == [sid]
        loaded = await h.request("tether/session/load", {"sessionId": sid})
        texts = [m["parts"][0]["text"] for m in loaded["messages"]]
        assert texts == ["hello", "Hi from ACP."]


def test_a_failed_turn_is_an_error_and_the_session_goes_on(acp_env: AcpEnv,
                                                             workspace: Path) -> None:
    acp_env.provider.set_script(Script([Turn(fault="401"), text_turn("fine now")]))
    report = acp_env.run_client([{"op": "initialize"}, {"op": "new", "cwd": str(workspace)},
                                 {"op": "prompt", "text": "hi"},
                                 {"op": "prompt", "text": "again"}])
    failed, again = report["steps"][2], report["steps"][3]
    assert failed["error"]["code"] == -32603
    assert "API key" in failed["error"]["message"]  # the provider's reason, for the user
    assert again["result"] == {"stopReason": "end_turn"}
