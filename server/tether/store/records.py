"""The bytes of a history file: record encoding, the header, and the summary fold.

Records are written compact (`"type":"message_added"` with no spaces) so readers can
pre-check a line by substring before paying for json.loads. A line is split on b"\\n"
only: JSON escapes every control character, so a record never spans two lines.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from tether.errors import HistoryCorruptError, StoreError
from tether.protocol.events import EventBase
from tether.protocol.models import (
    MAX_AGENT_CHARS,
    MAX_MODEL_CHARS,
    MAX_TITLE_CHARS,
    SessionInfo,
    Usage,
)
from tether.redaction import REDACTOR
from tether.store.activity import ACTIVITY_KINDS, edited_file, record_prompt, turn_outcome

HEADER_TYPE = "session_header"
HEADER_VERSION = 1
MESSAGE_ADDED = "message_added"
TITLE_CHANGED = "title_changed"
TURN_STARTED = "turn_started"
USAGE = "usage"
ARCHIVE_CHANGED = "archive_changed"

# Exact forms as encode_record writes them: used to count/find records without parsing.
MESSAGE_MARK = b'"type":"message_added"'
TITLE_MARK = b'"type":"title_changed"'
USAGE_MARK = b'"type":"usage"'

# The reader accepts a header line up to MAX_HEADER_BYTES (old files included); the writer
# keeps every header far below that, so what is written can always be read back. Records
# have no line cap: the readers split on b"\n" with no limit.
MAX_HEADER_BYTES = 4 * 1024 * 1024
MAX_HEADER_WRITE_BYTES = 64 * 1024
# Caps on the header's text fields (protocol/models.py), enforced when a header or a title
# is written. A title longer than MAX_TITLE_CHARS is cut at a word boundary and ends with
# an ellipsis; other fields over their cap are refused by the protocol models and clipped
# here as a last guard.
ELLIPSIS = "…"


def encode_record(record: EventBase | Mapping[str, Any]) -> bytes:
    """One JSONL line (with its newline) for an event or an already-wire dict.

    Every line of history is written through here, so this is where secrets are masked
    on the way to disk (invariant 6): one scan of the encoded line; only a line with a
    hit is re-encoded from its redacted values (never patched as text, which could
    break the JSON).
    """
    data = record.to_wire() if isinstance(record, EventBase) else dict(record)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if REDACTOR.found_in(text):
        data = REDACTOR.redact_value(data)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        # Lone surrogates from a provider: keep them as \\u escapes rather than fail.
        return json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"


def clip_text(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else cut (at a space when one is near the
    end) with an ellipsis, `limit` characters in all."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def clip_title(title: str) -> str:
    """A title as it is stored: one line, runs of whitespace as one space, capped."""
    return clip_text(" ".join(title.split()), MAX_TITLE_CHARS)


def capped_header(info: SessionInfo) -> SessionInfo:
    """The header with every text field within its cap."""
    update: dict[str, Any] = {}
    for name, value, limit in (("title", clip_title(info.title), MAX_TITLE_CHARS),
                               ("model", info.model, MAX_MODEL_CHARS),
                               ("agent", info.agent, MAX_AGENT_CHARS)):
        clipped = clip_text(value, limit)
        if clipped != getattr(info, name):
            update[name] = clipped
    return info.model_copy(update=update) if update else info


def encode_header(info: SessionInfo) -> bytes:
    """The header line; StoreError when even with its fields capped it is too long to be
    read back (a workspace path or metadata of tens of KB)."""
    header = {"type": HEADER_TYPE, "version": HEADER_VERSION,
              "session": capped_header(info).to_wire()}
    line = encode_record(header)
    if len(line) > MAX_HEADER_WRITE_BYTES:
        raise StoreError(
            f"cannot write the header of session {info.id}: {len(line)} bytes, over the "
            f"{MAX_HEADER_WRITE_BYTES}-byte cap on a history header",
            data={"sessionId": info.id})
    return line


def decode_line(line: bytes) -> dict[str, Any] | str:
    """The record of one line, or a short reason why it cannot be read."""
    try:
        value = json.loads(line)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        return f"invalid JSON ({exc})"
    except RecursionError:
        return "invalid JSON (nested too deeply)"
    if not isinstance(value, dict):
        return "not a JSON object"
    return value


def parse_header(line: bytes, *, session_id: str, path: str) -> SessionInfo:
    """The SessionInfo of a header line; HistoryCorruptError (the file is left untouched)."""

    def corrupt(reason: str) -> HistoryCorruptError:
        return HistoryCorruptError(
            f"cannot read the history of session {session_id} at {path}: {reason}; "
            "the file was left as it is",
            data={"sessionId": session_id, "path": path},
        )

    if not line.endswith(b"\n"):
        raise corrupt("the header line is incomplete")
    record = decode_line(line)
    if isinstance(record, str):
        raise corrupt(f"the header is {record}")
    if record.get("type") != HEADER_TYPE:
        raise corrupt("the first line is not a session header")
    version = record.get("version")
    if version != HEADER_VERSION:
        raise corrupt(f"unsupported history version {version!r} (this Tether reads 1)")
    try:
        info = SessionInfo.model_validate(record.get("session"))
    except ValidationError as exc:
        raise corrupt(f"the header is invalid ({exc.error_count()} errors)") from exc
    if info.id != session_id:
        raise corrupt(f"the header belongs to session {info.id}")
    return info


def parse_time(value: object) -> datetime | None:
    """An aware datetime from ISO text (naive means UTC); None when unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass
class Summary:
    """What a listing or a tail load needs to know about one session file, foldable
    record by record so a grown file is brought up to date by reading only its new bytes."""

    session_id: str
    created_at: str
    title: str
    model: str
    workspace_folder: str
    updated_at: str
    usage: dict[str, Any] = field(default_factory=dict)
    message_count: int = 0
    last_seq: int = 0
    offset: int = 0  # bytes folded so far (always just after a newline)
    size: int = 0  # file stamp the summary is valid for
    mtime_ns: int = 0
    ino: int = 0
    corrupt: bool = False  # the header cannot be read; listed so the user can delete it
    updated_ts: float = 0.0  # updated_at as epoch seconds, for sorting (set by finish())
    archived: bool = False  # the last archive_changed record said so
    first_prompt: str = ""  # the first line of the first prompt (store/activity.py)
    files: list[str] = field(default_factory=list)  # distinct edited files, first touch first
    last_turn: str = ""  # the newest turn's outcome (TurnOutcome), "" before any turn
    last_turn_reason: str = ""
    # The header's own updated_at: a fork's copied records are older than the fork itself.
    floor_at: str = field(default="", compare=False)
    # A row from an older cache layout: its counts hold, the activity fields above must
    # still be gathered from the bytes it covers (reader.summarize does, once).
    backfill: bool = field(default=False, compare=False)

    @classmethod
    def from_header(cls, info: SessionInfo, header_len: int) -> Summary:
        wire = info.to_wire()
        return cls(
            session_id=info.id,
            created_at=wire["createdAt"],
            title=clip_title(info.title),
            model=info.model,
            workspace_folder=info.workspace_folder,
            updated_at=wire["updatedAt"],
            usage=wire["usage"],
            offset=header_len,
            floor_at=wire["updatedAt"],
        )

    def add(self, record: Mapping[str, Any]) -> None:
        """Fold one record: counts, last title, last usage total, activity, last time, max
        seq."""
        kind = record.get("type")
        if kind == MESSAGE_ADDED:
            self.message_count += 1
        elif kind == TITLE_CHANGED:
            title = record.get("title")
            if isinstance(title, str):
                self.title = clip_title(title)
        elif kind == USAGE:
            total = record.get("total")
            if isinstance(total, dict):
                self.usage = total
        elif kind == ARCHIVE_CHANGED:
            self.archived = record.get("archived") is True
        if kind in ACTIVITY_KINDS or (kind == MESSAGE_ADDED and not self.first_prompt):
            self.add_activity(record)
        moment = record.get("time")
        if isinstance(moment, str):
            self.updated_at = moment
        seq = record.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool) and seq > self.last_seq:
            self.last_seq = seq

    def add_activity(self, record: Mapping[str, Any]) -> None:
        """Fold what a record says the session did: first prompt, edited file, outcome."""
        if not self.first_prompt:
            self.first_prompt = record_prompt(record)
        path = edited_file(record, self.workspace_folder)
        if path is not None and path not in self.files:
            self.files.append(path)
        outcome = turn_outcome(record)
        if outcome is not None:
            self.last_turn, self.last_turn_reason = outcome

    def copy(self) -> Summary:
        """An independent copy to fold more records into (its file list is its own)."""
        return dataclasses.replace(self, files=list(self.files))

    def finish(self) -> Summary:
        """Settle updated_ts (an unreadable record time falls back to the creation time)."""
        moment = parse_time(self.updated_at)
        floor = parse_time(self.floor_at) or parse_time(self.created_at)
        if moment is None or (floor is not None and moment < floor):
            self.updated_at = self.floor_at or self.created_at
            moment = floor
        self.updated_ts = moment.timestamp() if moment is not None else 0.0
        return self

    def usage_model(self) -> Usage:
        try:
            return Usage.model_validate(self.usage)
        except ValidationError:
            return Usage()

    def fold_into(self, info: SessionInfo) -> SessionInfo:
        """The header with title, usage totals and updated_at as the records left them."""
        updated = parse_time(self.updated_at)
        if updated is None or updated < info.updated_at:
            updated = info.updated_at
        return info.model_copy(
            update={"title": clip_title(self.title), "usage": self.usage_model(),
                    "updated_at": updated}
        )
