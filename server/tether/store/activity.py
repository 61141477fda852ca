"""What a listing row says a session did: its first prompt line, the files its edits
touched and how its newest turn ended.

Five sessions titled "Fix add function" are told apart by these, so they are folded
record by record into the summary (store/records.py) like the title and the counts, and
kept in the summary cache. Pure functions of one record; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from tether.protocol.models import CONTEXT_META, MAX_PROMPT_LINE_CHARS, TurnOutcome
from tether.workspace.folder import uri_to_path

TURN_STARTED = "turn_started"
FILE_EDITED = "file_edited"
MESSAGE_ADDED = "message_added"
# A turn's terminal record and the outcome a listing row names it by.
OUTCOMES: dict[str, TurnOutcome] = {
    "turn_completed": "completed",
    "turn_failed": "failed",
    "turn_cancelled": "cancelled",
    "step_limit_reached": "step_limit",
}
MAX_REASON_CHARS = 200
_LINES = re.compile(r"\r\n|\r|\n")

# The records that can change a row's activity (a user message only until the first
# prompt is known): the summary fold looks at no other.
ACTIVITY_KINDS = frozenset((TURN_STARTED, FILE_EDITED, *OUTCOMES))

# Exact forms as encode_record writes them: the cache upgrade finds these records in the
# part of a file an older cache row already covered without decoding every line.
ACTIVITY_MARKS = tuple(
    f'"type":"{kind}"'.encode() for kind in sorted(ACTIVITY_KINDS)
)


def prompt_line(text: str) -> str:
    """The first non-blank line of a prompt (split on CR and LF only, as everywhere in
    Tether), whitespace runs as one space, capped."""
    for line in _LINES.split(text):
        words = " ".join(line.split())
        if words:
            return _clip(words, MAX_PROMPT_LINE_CHARS)
    return ""


def record_prompt(record: Mapping[str, Any]) -> str:
    """The prompt line a record carries: a turn's prompt, or the text of a user message
    (a Codex import's turns carry their prompt in the message); "" for any other."""
    kind = record.get("type")
    if kind == TURN_STARTED:
        prompt = record.get("prompt")
        return prompt_line(prompt) if isinstance(prompt, str) else ""
    if kind != MESSAGE_ADDED:
        return ""
    message = record.get("message")
    if not isinstance(message, dict) or message.get("role") != "user":
        return ""
    for part in message.get("parts") or []:
        if (isinstance(part, dict) and part.get("type") == "text"
                and isinstance(part.get("text"), str)
                and not (isinstance(part.get("_meta"), dict) and CONTEXT_META in part["_meta"])):
            line = prompt_line(part["text"])
            if line:
                return line
    return ""


def edited_file(record: Mapping[str, Any], folder: str) -> str | None:
    """The folder-relative path an applied `file_edited` record touched, else None.

    Records from before change sets carry only a URI: it is made relative to `folder`
    when it lies inside it, else kept as the absolute path.
    """
    if record.get("type") != FILE_EDITED or record.get("applied") is not True:
        return None
    path = record.get("path")
    if isinstance(path, str) and path:
        return path
    uri = record.get("uri")
    if not isinstance(uri, str) or not uri.startswith("file:"):
        return None
    absolute = PurePosixPath(uri_to_path(uri).as_posix())
    if folder and absolute.is_relative_to(folder):
        return absolute.relative_to(folder).as_posix()
    return absolute.as_posix()


def turn_outcome(record: Mapping[str, Any]) -> tuple[TurnOutcome, str] | None:
    """(outcome, reason) when the record starts or ends a turn, else None."""
    kind = record.get("type")
    if kind == TURN_STARTED:
        return "unfinished", ""
    outcome = OUTCOMES.get(kind) if isinstance(kind, str) else None
    if outcome is None:
        return None
    reason = record.get("reason")
    if not isinstance(reason, str):
        return outcome, ""
    return outcome, _clip(" ".join(reason.split()), MAX_REASON_CHARS)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
