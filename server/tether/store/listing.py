"""Listing sessions: summaries kept current from the cache, then one page of them.

Only rows whose file stamp changed are rebuilt (reading that one file, or only its new
bytes); the page is keyed by (updated_ts, id) so a cursor stays valid while new
sessions arrive on top.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import cast, get_args

from tether.errors import InvalidParamsError
from tether.protocol.models import MAX_LISTED_FILES, SessionSummary, TurnOutcome
from tether.store.cache import SummaryCache
from tether.store.paths import (
    SESSION_SUFFIX,
    NotRegularFileError,
    file_kind,
    is_valid_session_id,
    open_regular,
    store_error,
)
from tether.store.reader import summarize
from tether.store.records import Summary, parse_time
from tether.workspace.folder import WorkspaceFolder

log = logging.getLogger(__name__)

Key = tuple[float, str]
OUTCOME_NAMES: frozenset[str] = frozenset(get_args(TurnOutcome))


def current_summaries(sessions_dir: Path, cache: SummaryCache) -> dict[str, Summary]:
    """One row per session file, rebuilding only rows whose file stamp changed; saves the
    cache when anything changed. The caller serializes calls (one lister per store)."""
    cached = cache.load()
    rows: dict[str, Summary] = {}
    dirty = False
    for entry in _directory(sessions_dir):
        session_id = _session_id(entry.name, cached)
        if session_id is None:
            continue
        previous = cached.get(session_id)
        row = _current_row(entry, session_id, previous)
        if row is not None:
            rows[session_id] = row
            dirty = dirty or row is not previous
    if dirty or rows.keys() != cached.keys():
        cache.save(rows)
    return rows


def _directory(sessions_dir: Path) -> list[os.DirEntry[str]]:
    """The entries of the history folder (none while it does not exist yet)."""
    try:
        return list(os.scandir(sessions_dir))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise store_error("list", sessions_dir, exc) from exc


def _session_id(name: str, cached: dict[str, Summary]) -> str | None:
    """The session a file name stands for; None for anything that is not a session file
    (cache keys are valid ids, checked when read, so a cached one skips the check)."""
    if not name.endswith(SESSION_SUFFIX):
        return None
    session_id = name[: -len(SESSION_SUFFIX)]
    if session_id not in cached and (name.startswith(".") or not is_valid_session_id(session_id)):
        return None
    return session_id


def _current_row(entry: os.DirEntry[str], session_id: str, row: Summary | None
                 ) -> Summary | None:
    """`row` itself while its stamp matches the file (and it needs no backfill), else the
    summary rebuilt from the file; None when the file is gone, special or unreadable."""
    try:
        st = entry.stat(follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFileError(entry.path, file_kind(st.st_mode))
        if row is not None and not row.backfill and (row.size, row.mtime_ns, row.ino) == (
                st.st_size, st.st_mtime_ns, st.st_ino):  # inline: once per file, every listing
            return row
        with os.fdopen(open_regular(entry.path), "rb") as f:  # swapped since: refused
            return summarize(f, session_id, entry.path, row)
    except FileNotFoundError:
        return None  # deleted while we looked
    except NotRegularFileError as exc:
        _skip_once(entry.path, exc.what)
        return None
    except OSError as exc:
        log.warning("cannot read %s for the listing: %s", entry.path, exc)
        return None


_skipped: set[tuple[str, str]] = set()


def _skip_once(path: str, what: str) -> None:
    """Log a special file in the history folder once per process, not at every listing."""
    if (path, what) in _skipped:
        return
    if len(_skipped) < 10_000:
        _skipped.add((path, what))
    log.warning("history listing skips %s: not a regular file (%s)", path, what)


def page_of(
    rows: dict[str, Summary],
    folder: WorkspaceFolder,
    *,
    limit: int,
    after: Key | None,
    query: str | None,
    include_archived: bool = False,
) -> tuple[list[SessionSummary], str | None]:
    """Newest first, filtered on the title or the first prompt line (case-insensitive),
    strictly after the cursor key; archived sessions only when asked for."""
    needle = query.casefold() if query else None
    chosen = (
        list(rows.values())
        if needle is None
        else [row for row in rows.values()
              if needle in row.title.casefold() or needle in row.first_prompt.casefold()]
    )
    if not include_archived:
        chosen = [row for row in chosen if not row.archived]
    chosen.sort(key=_key, reverse=True)
    if after is not None:
        chosen = [row for row in chosen if _key(row) < after]
    page = chosen[:limit]
    next_cursor = encode_cursor(_key(page[-1])) if len(chosen) > limit else None
    return [summary_model(row, folder) for row in page], next_cursor


def _key(row: Summary) -> Key:
    return (row.updated_ts, row.session_id)


def summary_model(row: Summary, folder: WorkspaceFolder) -> SessionSummary:
    """The wire row; times a cache row cannot parse fall back to its timestamp column."""
    updated = parse_time(row.updated_at)
    if updated is None:
        try:
            updated = datetime.fromtimestamp(row.updated_ts, UTC)
        except (OverflowError, OSError, ValueError):
            updated = datetime.fromtimestamp(0, UTC)
    return SessionSummary(
        id=row.session_id,
        title=row.title,
        created_at=parse_time(row.created_at) or updated,
        updated_at=updated,
        message_count=row.message_count,
        model=row.model,
        workspace_folder=row.workspace_folder or str(folder.root),
        archived=row.archived,
        usage=row.usage_model(),
        first_prompt=row.first_prompt,
        files_touched=row.files[:MAX_LISTED_FILES],
        file_count=len(row.files),
        last_turn=outcome(row.last_turn),
        last_turn_reason=row.last_turn_reason,
    )


def outcome(name: str | None) -> TurnOutcome | None:
    """A cached outcome name as the protocol's literal; an unknown one (a newer or damaged
    cache) lists as no outcome rather than failing validation."""
    return cast(TurnOutcome, name) if name in OUTCOME_NAMES else None


def encode_cursor(key: Key) -> str:
    raw = json.dumps([key[0], key[1]], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_cursor(cursor: str) -> Key:
    """The (updated_ts, id) key a cursor stands for; InvalidParamsError when it is not ours."""
    try:
        ts, session_id = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if isinstance(ts, int | float) and isinstance(session_id, str):
            return float(ts), session_id
    except (ValueError, TypeError, RecursionError, binascii.Error):
        pass
    raise InvalidParamsError(f"invalid list cursor {cursor!r}: pass back a nextCursor unchanged")
