"""One example per method (params, result) and per event type, built from real models.

Fixed ids and times keep the generated files deterministic; the tests validate each
example against its model, and the golden fixtures in `tests/golden/` started from them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tether.protocol import events as ev
from tether.protocol import methods as m
from tether.protocol.base import WireModel
from tether.protocol.models import (
    Message,
    SessionInfo,
    SessionSummary,
    TextPart,
    ToolCallPart,
    Usage,
)

SESSION_ID = "4f9c2d8e-6b1a-4c3e-9f70-2a5d8b1e3c47"
TURN_ID = "b1e0c6a2f3d94e57a8c1d2e3f4a5b6c7"
MESSAGE_ID = "0c1d2e3f4a5b46c7d8e9f0a1b2c3d4e5"
USER_MESSAGE_ID = "9a8b7c6d5e4f40a1b2c3d4e5f6a7b8c9"
TOOL_CALL_ID = "call_7QxK2mN4"
FOLDER_URI = "file:///home/ada/project"
FOLDER_PATH = "/home/ada/project"
FILE_URI = "file:///home/ada/project/src/greet.py"
HUNK_ID = "3f1a9c0d2b7e"
BEFORE_BLOB = "9f2c6d0b1a8e4f7c3d5b2a1e0f9c8d7b6a5e4f3c2d1b0a9f8e7d6c5b4a3f2e1d"
AFTER_BLOB = "1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e"
T0 = datetime(2026, 1, 15, 9, 30, 0, tzinfo=UTC)
DIFF = (
    "--- a/src/greet.py\n+++ b/src/greet.py\n@@ -1,2 +1,3 @@\n def greet(name):\n"
    '+    """Say hello to `name`."""\n     return f"Hello, {name}!"\n'
)


def _t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


USAGE = Usage(prompt_tokens=1840, completion_tokens=96, total_tokens=1936, cache_read_tokens=1024)

SESSION_INFO = SessionInfo(
    id=SESSION_ID,
    title="Docstring for greet()",
    created_at=T0,
    updated_at=_t(12),
    workspace_folder=FOLDER_PATH,
    model="openai/gpt-4o-mini",
    usage=USAGE,
)

USER_MESSAGE = Message(
    id=USER_MESSAGE_ID,
    role="user",
    parts=[TextPart(text="Add a docstring to greet()")],
    created_at=_t(1),
    turn_id=TURN_ID,
)

ASSISTANT_MESSAGE = Message(
    id=MESSAGE_ID,
    role="assistant",
    parts=[
        TextPart(text="I'll add a one-line docstring."),
        ToolCallPart(
            id=TOOL_CALL_ID,
            name="edit",
            arguments={"path": "src/greet.py", "old": "def greet(name):\n", "new": "..."},
        ),
    ],
    created_at=_t(3),
    turn_id=TURN_ID,
)

_BASE: dict[str, Any] = {"session_id": SESSION_ID, "turn_id": TURN_ID}


def _turn_events() -> list[ev.EventBase]:
    """A turn from its start to its end, then each other way a turn can end (same seq)."""
    return [
        ev.TurnStarted(**_BASE, seq=1, time=_t(1), prompt="Add a docstring to greet()",
                       model="openai/gpt-4o-mini"),
        ev.MessageAdded(**_BASE, seq=2, time=_t(1), message=USER_MESSAGE),
        ev.ReasoningDelta(**_BASE, seq=3, time=_t(2), message_id=MESSAGE_ID,
                          text="The function has no docstring; "),
        ev.TextDelta(**_BASE, seq=4, time=_t(2), message_id=MESSAGE_ID, text="I'll add a "),
        ev.TextComplete(**_BASE, seq=5, time=_t(3), message_id=MESSAGE_ID,
                        text="I'll add a one-line docstring."),
        ev.StreamRetry(**_BASE, seq=6, time=_t(3), attempt=1,
                       reason="429 Too Many Requests", delay_seconds=2.0,
                       discard_message_id=MESSAGE_ID),
        ev.ContextTruncated(**_BASE, seq=7, time=_t(3), dropped_messages=12,
                            estimated_tokens=118000, context_window=128000),
        ev.ToolCallStarted(**_BASE, seq=8, time=_t(3), tool_call_id=TOOL_CALL_ID,
                           name="edit", arguments={"path": "src/greet.py"}),
        ev.PermissionRequested(**_BASE, seq=9, time=_t(3), tool_call_id=TOOL_CALL_ID,
                               tool="edit", description="Edit src/greet.py (1 line added)",
                               diff=DIFF),
        ev.PermissionResolved(**_BASE, seq=10, time=_t(5), tool_call_id=TOOL_CALL_ID,
                              option="allow_once"),
        ev.ToolOutputChunk(**_BASE, seq=11, time=_t(5), tool_call_id=TOOL_CALL_ID,
                           text="applied 1 hunk\n"),
        ev.ToolHeartbeat(**_BASE, seq=12, time=_t(6), tool_call_id=TOOL_CALL_ID,
                         elapsed_ms=1000),
        ev.FileEdited(**_BASE, seq=13, time=_t(6), tool_call_id=TOOL_CALL_ID, uri=FILE_URI,
                      diff=DIFF, applied=True, path="src/greet.py", target="buffer",
                      hunk_ids=[HUNK_ID], before_blob=BEFORE_BLOB, after_blob=AFTER_BLOB),
        ev.ToolCallCompleted(**_BASE, seq=14, time=_t(6), tool_call_id=TOOL_CALL_ID,
                             name="edit", success=True, duration_ms=1210,
                             output="Edited src/greet.py"),
        ev.MessageAdded(**_BASE, seq=15, time=_t(6), message=ASSISTANT_MESSAGE),
        ev.UsageUpdated(**_BASE, seq=16, time=_t(7), usage=USAGE, total=USAGE,
                        context_tokens=1840, context_window=128000, cost=0.00041,
                        turn_cost=0.00041, session_cost=0.00041),
        ev.ErrorEvent(**_BASE, seq=17, time=_t(8), message="run_command timed out after 120 s",
                      code=None, fatal=False),
        ev.TitleChanged(**_BASE, seq=18, time=_t(9), title="Docstring for greet()"),
        ev.TurnCompleted(**_BASE, seq=19, time=_t(12), reason="end_turn",
                         text="Added a docstring to greet()."),
        ev.TurnCancelled(**_BASE, seq=19, time=_t(12), reason="cancelled by user"),
        ev.TurnFailed(**_BASE, seq=19, time=_t(12), reason="The provider rejected the API key",
                      code=-32004),
        ev.StepLimitReached(**_BASE, seq=19, time=_t(12),
                            reason="Stopped after 50 model calls (maxSteps)", steps=50),
    ]


def _session_events() -> list[ev.EventBase]:
    """Compaction, pins, checkpoints, and what changes a session between turns."""
    return [
        ev.CompactionStarted(**_BASE, seq=20, time=_t(13), tokens_before=121400,
                             context_window=128000, reason="window"),
        ev.Compaction(**_BASE, seq=21, time=_t(15),
                      summary="## Task\n- Add a docstring to greet() in src/greet.py\n"
                              "## Done\n- Read src/greet.py\n## Remaining\n- Edit it",
                      up_to_message_id=MESSAGE_ID, summarized_messages=42,
                      model="gpt-4o-mini"),
        ev.CompactionCompleted(**_BASE, seq=22, time=_t(15), tokens_before=121400,
                               tokens_after=23800, summarized_messages=42,
                               context_window=128000),
        ev.CompactionFailed(**_BASE, seq=22, time=_t(15),
                            reason="the summariser answered nothing; older messages are "
                                   "left out instead (the task and pins are kept)"),
        ev.PinAdded(**_BASE, seq=23, time=_t(16), pin_id="pin-3f2a9c1d",
                    text="Never edit files under vendor/."),
        ev.PinRemoved(**_BASE, seq=24, time=_t(17), pin_id="pin-3f2a9c1d"),
        ev.Checkpoint(**_BASE, seq=25, time=_t(18), task="Add a docstring to greet()",
                      done=['read_file({"path": "src/greet.py"})'],
                      remaining="Next: edit src/greet.py.", steps=50),
        ev.MessageCheckpoint(**_BASE, seq=4, time=_t(3), message_id=MESSAGE_ID,
                             text="I'll add a one-line"),
        ev.ArchiveChanged(**{**_BASE, "turn_id": None}, seq=20, time=_t(20), archived=True),
        ev.ChangeUndone(session_id=SESSION_ID, seq=20, time=_t(20), undone_turn_id=TURN_ID,
                        path="src/greet.py", uri=FILE_URI, hunk_ids=[HUNK_ID], lines="line 2"),
        ev.TurnRewound(session_id=SESSION_ID, seq=21, time=_t(30), to_turn_id=TURN_ID,
                       rewound_turn_ids=[TURN_ID], restored=["src/greet.py"],
                       conflicts=[ev.ChangeConflict(
                           path="src/app.py", reason="lines 4-6 changed in the editor since "
                           "the agent read the file")]),
    ]


def event_examples() -> dict[str, ev.EventBase]:
    """One instance of every event type, keyed by its `type`, in a plausible turn order."""
    out: dict[str, ev.EventBase] = {}
    for item in [*_turn_events(), *_session_events()]:
        out.setdefault(type(item).model_fields["type"].default, item)
    return out


_Examples = dict[str, tuple[WireModel, WireModel | None]]


def _turn_methods() -> _Examples:
    """Starting, steering and stopping turns, and what the next request would send."""
    return {
        m.SESSION_CREATE: (
            m.CreateSessionParams(folder_uri=FOLDER_URI, title="Docstring for greet()"),
            m.CreateSessionResult(session_id=SESSION_ID, session=SESSION_INFO),
        ),
        m.SESSION_PROMPT: (
            m.PromptParams(
                session_id=SESSION_ID, text="Add a docstring to greet()",
                context=m.PromptContext(
                    active_file_uri=FILE_URI,
                    selection=m.Range(start=m.Position(line=0, character=0),
                                      end=m.Position(line=1, character=27)),
                    language_id="python", cursor=m.Position(line=1, character=27),
                    mentions=[m.Mention(kind="symbol", uri=FILE_URI, name="@greet",
                                        range=m.Range(start=m.Position(line=0, character=0),
                                                      end=m.Position(line=1, character=0)))],
                    diagnostics=[m.PromptDiagnostic(
                        range=m.Range(start=m.Position(line=1, character=11),
                                      end=m.Position(line=1, character=15)),
                        severity="warning", message="name is possibly None",
                        source="Pyright")],
                ),
            ),
            m.TurnResult(session_id=SESSION_ID, turn_id=TURN_ID, status="completed",
                         text="Added a docstring to greet().", usage=USAGE),
        ),
        m.SESSION_CANCEL: (m.SessionIdParams(session_id=SESSION_ID),
                           m.CancelResult(cancelled=True)),
        m.SESSION_STEER: (
            m.SteerParams(session_id=SESSION_ID, text="Use Google-style docstrings."),
            m.SteerResult(queued=True),
        ),
        m.SESSION_CONTINUE: (
            m.SessionIdParams(session_id=SESSION_ID),
            m.TurnResult(session_id=SESSION_ID, turn_id=TURN_ID, status="completed",
                         text="Added a docstring to greet().", usage=USAGE),
        ),
        m.SESSION_PIN: (
            m.PinParams(session_id=SESSION_ID, text="Never edit files under vendor/."),
            m.PinResult(pin_id="pin-3f2a9c1d"),
        ),
        m.SESSION_UNPIN: (m.UnpinParams(session_id=SESSION_ID, pin_id="pin-3f2a9c1d"),
                          m.UnpinResult(removed=True)),
        m.SESSION_CONTEXT: (
            m.SessionIdParams(session_id=SESSION_ID),
            m.ContextResult(
                session_id=SESSION_ID, policy="incremental", context_window=128000,
                budget_tokens=112000, total_tokens=23800, stubbed_outputs=3,
                summarized_messages=42,
                sections=[
                    m.ContextSection(name="system", tokens=420),
                    m.ContextSection(name="tools", tokens=1260, items=[
                        m.ContextItem(label="read_file", tokens=140)]),
                    m.ContextSection(name="rules", tokens=310, items=[
                        m.ContextItem(label="AGENTS.md", tokens=310)]),
                    m.ContextSection(name="pins", tokens=30, items=[
                        m.ContextItem(label="task (first message)", tokens=8)]),
                    m.ContextSection(name="summary", tokens=900, items=[
                        m.ContextItem(label="summary", tokens=900, state="summarized")]),
                    m.ContextSection(name="messages", tokens=20880, items=[
                        m.ContextItem(label="tool: call_1", tokens=40, state="stubbed")]),
                ],
            ),
        ),
    }


def _history_methods() -> _Examples:
    """Listing, reading and managing stored sessions."""
    return {
        m.SESSION_LIST: (
            m.ListSessionsParams(folder_uri=FOLDER_URI, limit=20),
            m.ListSessionsResult(
                sessions=[SessionSummary(
                    id=SESSION_ID, title="Docstring for greet()", created_at=T0,
                    updated_at=_t(12), message_count=4, model="openai/gpt-4o-mini",
                    workspace_folder=FOLDER_PATH, usage=USAGE, cost=0.00041,
                    first_prompt="Add a docstring to greet()", files_touched=["hello.py"],
                    file_count=1, last_turn="completed", last_turn_reason="end_turn",
                )],
                next_cursor="2026-01-15T09:30:00Z|4f9c2d8e",
            ),
        ),
        m.SESSION_LOAD: (
            m.LoadSessionParams(session_id=SESSION_ID, tail=100),
            m.LoadSessionResult(session=SESSION_INFO, messages=[USER_MESSAGE, ASSISTANT_MESSAGE],
                                last_seq=19),
        ),
        m.SESSION_REPLAY: (m.ReplayParams(session_id=SESSION_ID, from_seq=8),
                           m.ReplayResult(count=7, last_seq=19)),
        m.SESSION_DELETE: (m.SessionIdParams(session_id=SESSION_ID), m.OkResult()),
        m.SESSION_RENAME: (m.RenameParams(session_id=SESSION_ID, title="greet() docs"),
                           m.OkResult()),
        m.SESSION_FORK: (
            m.ForkParams(session_id=SESSION_ID, message_id=USER_MESSAGE_ID),
            m.CreateSessionResult(
                session_id="7d3e1f20-8a4b-4c5d-9e6f-0a1b2c3d4e5f",
                session=SESSION_INFO.model_copy(update={
                    "id": "7d3e1f20-8a4b-4c5d-9e6f-0a1b2c3d4e5f", "forked_from": SESSION_ID,
                    "usage": Usage(), "created_at": _t(60), "updated_at": _t(60),
                }),
            ),
        ),
        m.SESSION_EXPORT: (
            m.ExportParams(session_id=SESSION_ID, format="markdown"),
            m.ExportResult(content="# Docstring for greet()\n\n**user**: Add a docstring...\n"),
        ),
        m.SESSION_SEARCH: (
            m.SearchSessionsParams(folder_uri=FOLDER_URI, query="docstring greet", limit=20),
            m.SearchSessionsResult(hits=[m.SessionSearchHit(
                session_id=SESSION_ID, title="Docstring for greet()",
                snippet="Add a docstring to greet() in src/greet.py", highlights=[[6, 15]],
                kind="user",
            )]),
        ),
        m.SESSION_ARCHIVE: (
            m.ArchiveParams(session_id=SESSION_ID, archived=True),
            m.OkResult(),
        ),
        m.SESSION_IMPORT_CODEX: (
            m.ImportCodexParams(folder_uri=FOLDER_URI),
            m.ImportCodexResult(imported=["5a1c0b6e-3f2d-5e4a-9b8c-7d6e5f4a3b2c"], skipped=2),
        ),
    }


def _workspace_methods() -> _Examples:
    """Models, provider, index, MCP servers and `@` mentions of a folder."""
    return {
        m.MODELS_LIST: (
            m.EmptyParams(),
            m.ModelsListResult(
                models=[m.ModelInfo(id="openai/gpt-4o-mini", provider="openai",
                                    name="gpt-4o-mini", context_window=128000)],
                default="openai/gpt-4o-mini",
            ),
        ),
        m.PROVIDER_CHECK: (
            m.EmptyParams(),
            m.ProviderCheckResult(
                provider="openai", model="openai/qwen2.5-coder",
                label="the OpenAI-compatible server at http://127.0.0.1:8765/v1",
                state="unreachable",
                message="Cannot reach the OpenAI-compatible server at "
                        "http://127.0.0.1:8765/v1: refused the connection.",
                fix="Start the server, or set its address.", setting="openaiBaseUrl",
            ),
        ),
        m.INDEX_STATUS: (
            m.IndexStatusParams(folder_uri=FOLDER_URI),
            m.IndexStatusResult(state="ready", files=412, symbols=5230,
                                last_update="2026-01-15T09:29:41Z"),
        ),
        m.INDEX_SEARCH: (
            m.IndexSearchParams(folder_uri=FOLDER_URI, query="greet", limit=10),
            m.IndexSearchResult(results=[m.IndexSearchHit(
                path="src/greet.py", uri=FILE_URI, score=1.8, line=0, symbol="greet",
                preview="def greet(name):",
                lines=[
                    m.IndexSearchLine(line=0, score=12.5, symbol="greet",
                                      preview="def greet(name):"),
                    m.IndexSearchLine(line=6, score=3.25, preview="print(greet(\"Ada\"))"),
                ],
            )]),
        ),
        m.MCP_STATUS: (
            m.McpStatusParams(folder_uri=FOLDER_URI),
            m.McpStatusResult(servers=[m.McpServerStatus(
                name="everything", transport="stdio", source="user",
                target="npx -y @modelcontextprotocol/server-everything", state="ready",
                tools=[m.McpToolInfo(name="mcp__everything__echo",
                                     description="Echoes back the input string")],
            )]),
        ),
        m.MENTION_COMPLETE: (
            m.MentionCompleteParams(folder_uri=FOLDER_URI, prefix="gree"),
            m.MentionCompleteResult(items=[m.MentionItem(
                label="greet.py", detail="file · src/greet.py", insert="src/greet.py",
                mention=m.Mention(kind="file", uri=FILE_URI, name="@src/greet.py"),
            )]),
        ),
    }


def _change_methods() -> _Examples:
    """A session's edits: listing, undoing and rewinding them."""
    return {
        m.CHANGES_LIST: (
            m.ChangesListParams(session_id=SESSION_ID, turn_id=TURN_ID),
            m.ChangesListResult(turns=[m.TurnChangesInfo(turn_id=TURN_ID, files=[
                m.FileChangeInfo(path="src/greet.py", uri=FILE_URI, added=1, removed=0,
                                 hunks=[m.HunkInfo(
                                     id=HUNK_ID, state="applied", old_start=2, old_lines=0,
                                     new_start=2, new_lines=1, removed=[],
                                     added=['    """Say hello."""'])]),
            ])]),
        ),
        m.CHANGES_UNDO: (
            m.ChangesUndoParams(session_id=SESSION_ID, turn_id=TURN_ID, path="src/greet.py",
                                hunk=HUNK_ID),
            m.ChangesUndoResult(undone=[HUNK_ID], files=["src/greet.py"]),
        ),
        m.CODE_BLOCK_APPLY: (
            m.CodeBlockApplyParams(session_id=SESSION_ID, uri=FILE_URI, version=4,
                                   code='def greet(name):\n    return f"Hello, {name}!"\n'),
            m.CodeBlockApplyResult(applied=True, path="src/greet.py", uri=FILE_URI,
                                   change_id=TURN_ID, placement="region", start_line=1,
                                   end_line=2, target="buffer",
                                   message="applied to src/greet.py lines 1-2"),
        ),
        m.SESSION_REWIND: (
            m.RewindParams(session_id=SESSION_ID, turn_id=TURN_ID),
            m.RewindResult(restored=["src/greet.py"], rewound_turn_ids=[TURN_ID]),
        ),
    }


def _server_methods() -> _Examples:
    """What the server sends the editor: events and permission requests."""
    session_event = m.SessionEventNotification(
        session_id=SESSION_ID, turn_id=TURN_ID, seq=4,
        event=ev.TextDelta(**_BASE, seq=4, time=_t(2), message_id=MESSAGE_ID, text="I'll add a "),
    )
    return {
        m.SESSION_EVENT: (session_event, None),
        m.PERMISSION_REQUEST: (
            m.PermissionRequestParams(session_id=SESSION_ID, tool_call_id=TOOL_CALL_ID,
                                      tool="edit", description="Edit src/greet.py",
                                      diff=DIFF),
            m.PermissionRequestResult(option="allow_once"),
        ),
    }


def method_examples() -> _Examples:
    """Params and result (None for a notification) of every custom method."""
    return {
        **_turn_methods(),
        **_history_methods(),
        **_workspace_methods(),
        **_change_methods(),
        **_server_methods(),
    }

def capability_examples() -> tuple[m.TetherClientCapabilities, m.TetherServerCapabilities]:
    """What each side puts under `capabilities.experimental.tether`."""
    from tether import PROTOCOL_VERSION, __version__

    return (
        m.TetherClientCapabilities(permissions=True),
        m.TetherServerCapabilities(
            protocol_version=PROTOCOL_VERSION, server_version=__version__,
            methods=[name for name in m.METHOD_PARAMS
                     if name not in (m.SESSION_EVENT, m.PERMISSION_REQUEST)],
        ),
    )
