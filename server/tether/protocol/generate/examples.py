"""One example per method (params, result) and per event type, built from real models.

Fixed ids and times keep the generated files deterministic; the tests validate each
example against its model, and the golden fixtures in `tests/golden/` started from them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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

_BASE = {"session_id": SESSION_ID, "turn_id": TURN_ID}


def event_examples() -> dict[str, ev.EventBase]:
    """One instance of every event type, keyed by its `type`, in a plausible turn order."""
    items: list[ev.EventBase] = [
        ev.TurnStarted(**_BASE, seq=1, time=_t(1), prompt="Add a docstring to greet()",
                       model="openai/gpt-4o-mini"),
        ev.MessageAdded(**_BASE, seq=2, time=_t(1), message=USER_MESSAGE),
        ev.ReasoningDelta(**_BASE, seq=3, time=_t(2), message_id=MESSAGE_ID,
                          text="The function has no docstring; "),
        ev.TextDelta(**_BASE, seq=4, time=_t(2), message_id=MESSAGE_ID, text="I'll add a "),
        ev.TextComplete(**_BASE, seq=5, time=_t(3), message_id=MESSAGE_ID,
                        text="I'll add a one-line docstring."),
        ev.StreamRetry(**_BASE, seq=6, time=_t(3), attempt=1,
                       reason="429 Too Many Requests", delay_seconds=2.0),
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
                      diff=DIFF, applied=True),
        ev.ToolCallCompleted(**_BASE, seq=14, time=_t(6), tool_call_id=TOOL_CALL_ID,
                             name="edit", success=True, duration_ms=1210,
                             output="Edited src/greet.py"),
        ev.MessageAdded(**_BASE, seq=15, time=_t(6), message=ASSISTANT_MESSAGE),
        ev.UsageUpdated(**_BASE, seq=16, time=_t(7), usage=USAGE, total=USAGE,
                        context_tokens=1840, context_window=128000),
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
    out: dict[str, ev.EventBase] = {}
    for item in items:
        out.setdefault(type(item).model_fields["type"].default, item)
    return out


def method_examples() -> dict[str, tuple[WireModel, WireModel | None]]:
    """Params and result (None for a notification) of every custom method."""
    session_event = m.SessionEventNotification(
        session_id=SESSION_ID, turn_id=TURN_ID, seq=4,
        event=ev.TextDelta(**_BASE, seq=4, time=_t(2), message_id=MESSAGE_ID, text="I'll add a "),
    )
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
        m.SESSION_LIST: (
            m.ListSessionsParams(folder_uri=FOLDER_URI, limit=20),
            m.ListSessionsResult(
                sessions=[SessionSummary(
                    id=SESSION_ID, title="Docstring for greet()", created_at=T0,
                    updated_at=_t(12), message_count=4, model="openai/gpt-4o-mini",
                    workspace_folder=FOLDER_PATH,
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
                path="src/greet.py", uri=FILE_URI, score=12.5, line=0, symbol="greet",
                preview="def greet(name):",
            )]),
        ),
        m.SESSION_EVENT: (session_event, None),
        m.PERMISSION_REQUEST: (
            m.PermissionRequestParams(session_id=SESSION_ID, tool_call_id=TOOL_CALL_ID,
                                      tool="edit", description="Edit src/greet.py",
                                      diff=DIFF),
            m.PermissionRequestResult(option="allow_once"),
        ),
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
