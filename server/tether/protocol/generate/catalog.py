"""What the protocol consists of: every model, method, event type and named union.

The renderers (schema, spec, TypeScript, Lua) read only this catalogue, so a model
added to `protocol/` shows up in every artifact without touching them.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal, get_args

from tether.protocol import base, events, methods, models
from tether.protocol.base import WireModel
from tether.protocol.error_codes import ErrorCode as E

Direction = Literal["client → server", "server → client"]
Kind = Literal["request", "notification"]


@dataclass(frozen=True)
class MethodDoc:
    """One custom method: how it travels and what it does, for the spec."""

    name: str
    constant: str
    direction: Direction
    kind: Kind
    params: type[WireModel]
    result: type[WireModel] | None
    summary: str
    errors: tuple[E, ...] = ()


_C2S: Direction = "client → server"
_S2C: Direction = "server → client"

_SUMMARIES: dict[str, str] = {
    methods.SESSION_CREATE: "Create a session in a workspace folder.",
    methods.SESSION_PROMPT: (
        "Run one turn: send the user's message and let the agent work until it answers. "
        "The request answers when the turn ends; everything in between arrives as "
        "`tether/session/event` notifications. `$/cancelRequest` on it cancels the turn."
    ),
    methods.SESSION_CANCEL: (
        "Cancel the running turn. Idempotent: `cancelled` is false when nothing was running."
    ),
    methods.SESSION_STEER: (
        "Add user input to the running turn; the model sees it at its next step."
    ),
    methods.SESSION_LIST: "List a folder's sessions, newest first, a page at a time.",
    methods.SESSION_LOAD: "Read a session's header and messages (to resume or show it).",
    methods.SESSION_REPLAY: (
        "Re-send the durable events with `seq > fromSeq` as `tether/session/event` "
        "notifications, before answering."
    ),
    methods.SESSION_DELETE: "Delete a session and its history file.",
    methods.SESSION_RENAME: "Set a session's title.",
    methods.SESSION_FORK: "Copy a session (up to a message) into a new session.",
    methods.SESSION_EXPORT: "Export a session as Markdown or JSON.",
    methods.MODELS_LIST: "The models Tether can reach with the current settings.",
    methods.PROVIDER_CHECK: (
        "Whether the configured provider answers now, with the fix when it does not "
        "(editors ask when the chat opens)."
    ),
    methods.INDEX_STATUS: "State of a folder's workspace index.",
    methods.INDEX_SEARCH: "Search a folder's workspace index (files and symbols).",
    methods.SESSION_EVENT: "Every session event, as it happens (see *Session events*).",
    methods.PERMISSION_REQUEST: (
        "Ask the user whether a tool call may run. Sent only to clients that declared "
        "`capabilities.experimental.tether.permissions`; others get "
        "`window/showMessageRequest` (see *Permissions*)."
    ),
    methods.SESSION_PIN: (
        "Pin text into every later request of the session, verbatim, through every "
        "compaction. Durable (a `pin` record)."
    ),
    methods.SESSION_UNPIN: "Remove a pin (an `unpin` record).",
    methods.SESSION_CONTINUE: (
        "Resume a turn that stopped at the step limit, from its `checkpoint` record, as a "
        "new turn with a resume prompt built from it. Answers like `tether/session/prompt`."
    ),
    methods.SESSION_CONTEXT: (
        "What the next request would contain: sections with estimated tokens (system, "
        "tools, rules, pins, summary, messages) and which messages are stubbed, summarised "
        "or dropped. For a context gauge that is true."
    ),
    methods.SESSION_SEARCH: (
        "Full-text search over a folder's sessions (message text, tool names and "
        "arguments, tool output, file paths, titles): one hit per session, best first."
    ),
    methods.SESSION_ARCHIVE: (
        "Archive a session (hidden from `tether/session/list` unless `includeArchived`, "
        "kept on disk) or unarchive it."
    ),
    methods.SESSION_IMPORT_CODEX: (
        "Import Codex CLI rollouts whose working directory is this folder as sessions; "
        "importing again adds nothing."
    ),
    methods.MCP_STATUS: (
        "The configured MCP servers (user config, the folder's `.tether/config.toml`, "
        "sessions' own) with their state and tools. Servers start at the first turn."
    ),
    methods.MENTION_COMPLETE: (
        "Completions for `@` in the prompt: files, folders and symbols from the index. "
        "Send the chosen items' `mention` in `PromptContext.mentions`."
    ),
    methods.CHANGES_LIST: (
        "A session's change sets: per turn, the files it edited with their hunks and each "
        "hunk's state (applied / undone); see *Change sets*."
    ),
    methods.CHANGES_UNDO: (
        "Undo one hunk, one file or every edit of a turn, keeping what the user typed "
        "since (3-way); a file that cannot be is listed in `conflicts`, untouched."
    ),
    methods.CODE_BLOCK_APPLY: (
        "Apply a code block of the chat to a file through the agent's edit path: an "
        "absent or blank file becomes the block, a block whose first and last lines anchor "
        "a region replaces it, a whole-file block replaces the file; recorded as a change "
        "set of its own (`changeId`), so it is reviewed, undone and rewound like an edit."
    ),
    methods.SESSION_REWIND: (
        "Restore every file the turn and the later ones touched to its state before the "
        "turn, and leave those turns out of the model's context (history keeps them)."
    ),
}


_SESSION = (E.INVALID_PARAMS, E.UNKNOWN_SESSION)
_HISTORY = (E.HISTORY_CORRUPT, E.STORE_FAILED)
_FOLDER = (E.INVALID_PARAMS, E.FOLDER_NOT_IN_WORKSPACE)

_ERRORS: dict[str, tuple[E, ...]] = {
    methods.SESSION_CREATE: (*_FOLDER, E.STORE_FAILED),
    methods.SESSION_PROMPT: (*_SESSION, E.TURN_IN_PROGRESS, *_HISTORY),
    methods.SESSION_CANCEL: _SESSION,
    methods.SESSION_STEER: _SESSION,
    methods.SESSION_LIST: (*_FOLDER, E.STORE_FAILED),
    methods.SESSION_LOAD: (*_SESSION, *_HISTORY),
    methods.SESSION_REPLAY: (*_SESSION, *_HISTORY),
    methods.SESSION_DELETE: (*_SESSION, E.STORE_FAILED),
    methods.SESSION_RENAME: (*_SESSION, *_HISTORY),
    methods.SESSION_FORK: (*_SESSION, *_HISTORY),
    methods.SESSION_EXPORT: (*_SESSION, *_HISTORY),
    methods.MODELS_LIST: (E.INVALID_PARAMS,),
    methods.CHANGES_LIST: (*_SESSION, *_HISTORY),
    methods.CHANGES_UNDO: (*_SESSION, *_HISTORY),
    methods.SESSION_REWIND: (*_SESSION, E.TURN_IN_PROGRESS, *_HISTORY),
    methods.CODE_BLOCK_APPLY: (*_SESSION, E.PATH_OUTSIDE_WORKSPACE, *_HISTORY),
    methods.PROVIDER_CHECK: (E.INVALID_PARAMS,),
    methods.INDEX_STATUS: _FOLDER,
    methods.INDEX_SEARCH: (*_FOLDER, E.INDEX_UNAVAILABLE),
    methods.SESSION_PIN: (*_SESSION, *_HISTORY),
    methods.SESSION_UNPIN: (*_SESSION, *_HISTORY),
    methods.SESSION_CONTINUE: (*_SESSION, E.TURN_IN_PROGRESS, *_HISTORY),
    methods.SESSION_CONTEXT: (*_SESSION, *_HISTORY),
    methods.SESSION_SEARCH: (*_FOLDER, E.STORE_FAILED),
    methods.SESSION_ARCHIVE: (*_SESSION, *_HISTORY),
    methods.SESSION_IMPORT_CODEX: (*_FOLDER, E.STORE_FAILED),
    methods.MCP_STATUS: _FOLDER,
    methods.MENTION_COMPLETE: _FOLDER,
}
"""JSON-RPC errors each client → server method may answer (besides INTERNAL)."""


def _constant_names() -> dict[str, str]:
    return {
        value: name
        for name, value in vars(methods).items()
        if name.isupper() and isinstance(value, str) and value.startswith("tether/")
    }


def method_docs() -> list[MethodDoc]:
    """Every custom method, in the order `methods.METHOD_PARAMS` lists them."""
    constants = _constant_names()
    docs = []
    for name, (params, result) in methods.METHOD_PARAMS.items():
        s2c = name in (methods.SESSION_EVENT, methods.PERMISSION_REQUEST)
        docs.append(
            MethodDoc(
                name=name,
                constant=constants[name],
                direction=_S2C if s2c else _C2S,
                kind="notification" if result is None else "request",
                params=params,
                result=result,
                summary=_SUMMARIES[name],
                errors=_ERRORS.get(name, ()),
            )
        )
    return docs


def _wire_models(module: ModuleType) -> list[type[WireModel]]:
    return [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, WireModel) and obj.__module__ == module.__name__
    ]


def all_models() -> list[type[WireModel]]:
    """Every wire model, sorted by name (names are unique across `protocol/`)."""
    found: dict[str, type[WireModel]] = {}
    for module in (base, models, events, methods):
        for cls in _wire_models(module):
            if cls.__name__ in found and found[cls.__name__] is not cls:
                raise ValueError(f"two protocol models named {cls.__name__}")
            found[cls.__name__] = cls
    return [found[name] for name in sorted(found)]


def event_classes() -> list[type[events.EventBase]]:
    """Event classes in the order of the `SessionEvent` union."""
    return list(events.EVENT_TYPES.values())


def flagged_event_types(flag: Literal["durable", "terminal"]) -> list[str]:
    """The `type` of each event whose class sets `flag` (`durable`, `terminal`), in union order."""
    return [str(c.model_fields["type"].default) for c in event_classes() if getattr(c, flag)]


def union_members(annotated: Any) -> list[type[WireModel]]:
    """The classes of an `Annotated[A | B | ..., Field(discriminator=...)]` union."""
    union = get_args(annotated)[0]
    return list(get_args(union))


NAMED_UNIONS: dict[str, Any] = {"Part": models.Part, "SessionEvent": events.SessionEvent}
"""Discriminated unions (on `type`) that get a name of their own in every artifact."""

NAMED_LITERALS: dict[str, tuple[str, ...]] = {
    "PermissionOption": get_args(events.PermissionOption),
    "Role": get_args(models.Role),
    "TurnStatus": get_args(methods.TurnStatus),
    "ContextPolicy": get_args(methods.ContextPolicy),
    "CompactionReason": get_args(events.CompactionReason),
}
"""Closed string sets that get a name; other literal fields stay inline unions."""
