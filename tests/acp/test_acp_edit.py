"""An edit through an ACP client whose buffer differs from disk: read and write go through it."""

from __future__ import annotations

from pathlib import Path

from tether.testing.provider_server import Script, text_turn, tool_turn

from .conftest import AcpEnv, updates_of

DISK = "def greet():\n    return 'hello from disk'\n"
BUFFER = "def greet():\n    return 'hello from the buffer'\n"  # unsaved in the editor


def test_edit_reads_and_writes_through_the_client(acp_env: AcpEnv, workspace: Path) -> None:
    target = workspace / "greet.py"
    target.write_text(DISK)
    acp_env.provider.set_script(Script([
        tool_turn("read_file", {"path": "greet.py"}),
        tool_turn("edit", {"path": "greet.py", "old": "hello from the buffer",
                           "new": "hello from the agent"}),
        text_turn("Changed the greeting."),
    ]))
    report = acp_env.run_client(
        [{"op": "initialize", "fs": True}, {"op": "new", "cwd": str(workspace)},
         {"op": "prompt", "text": "change the greeting"}],
        buffers={str(target): BUFFER})
    init, new, prompt = report["steps"]
    caps = init["result"]["agentCapabilities"]
    assert init["result"]["protocolVersion"] == 1
    assert caps["loadSession"] is True and caps["promptCapabilities"]["embeddedContext"] is True
    assert "error" not in new and prompt["result"] == {"stopReason": "end_turn"}

    assert target.read_text() == DISK  # nothing written underneath the editor's buffer
    assert [w["path"] for w in report["writes"]] == [str(target)]
    assert report["writes"][0]["content"] == BUFFER.replace("the buffer", "the agent")
    assert all(r["sessionId"] == new["result"]["sessionId"] for r in report["reads"])
    # the model read the buffer's text, not the disk's
    tool_result = acp_env.provider.requests[1]["messages"][-1]["content"]
    assert "hello from the buffer" in tool_result

    calls = updates_of(report, "tool_call")
    assert [(c["kind"], c["status"]) for c in calls] == [("read", "in_progress"),
                                                         ("edit", "in_progress")]
    assert calls[1]["locations"] == [{"path": str(target)}]
    done = updates_of(report, "tool_call_update")
    edit_done = next(u for u in done if u["toolCallId"] == calls[1]["toolCallId"])
    assert edit_done["status"] == "completed"
    diff = next(c for c in edit_done["content"] if c["type"] == "diff")
    assert diff["path"] == str(target)
    assert "the buffer" in diff["oldText"] and "the agent" in diff["newText"]
    text = "".join(u["content"]["text"] for u in updates_of(report, "agent_message_chunk"))
    assert text == "Changed the greeting."


def test_an_embedded_workspace_file_is_attached_with_the_buffer_text(acp_env: AcpEnv,
                                                                      workspace: Path) -> None:
    target = workspace / "greet.py"
    target.write_text(DISK)
    acp_env.provider.set_script(Script([text_turn("It returns a greeting.")]))
    report = acp_env.run_client(
        [{"op": "initialize", "fs": True}, {"op": "new", "cwd": str(workspace)},
         {"op": "prompt", "blocks": [
             {"type": "text", "text": "what does this return?"},
             {"type": "resource", "resource": {"uri": target.as_uri(), "text": BUFFER,
                                               "mimeType": "text/x-python"}},
             {"type": "resource_link", "name": "notes", "uri": "https://example.invalid/n"},
         ]}],
        buffers={str(target): BUFFER})
    assert report["steps"][2]["result"] == {"stopReason": "end_turn"}
    sent = str(acp_env.provider.requests[0]["messages"])
    assert "hello from the buffer" in sent and "hello from disk" not in sent
    assert "greet.py" in sent and "https://example.invalid/n" in sent
