"""The workspace index of one folder: background build, incremental updates, queries.

A build walks the folder, compares size/mtime with the persisted cache, and sends only new
or changed files to the parse pool (worker processes for big batches, a thread for small
ones); results are committed in batches, so queries answer from whatever is ready while the
build runs. Unsaved buffer text (`update_text`) wins over the disk until `refresh_paths`
says the disk changed. No CPU-heavy or blocking work ever runs on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from tether.errors import IndexingError
from tether.index import repomap
from tether.index.cache import default_cache_dir
from tether.index.db import FileRow, IndexDB
from tether.index.file_search import PathTerms, load_path_terms, search_files
from tether.index.history import History, head_commit, load_history
from tether.index.hits import FileHit, SearchHit, SymbolHit
from tether.index.parse_pool import ParsePool, parse_files
from tether.index.progress import IndexProgress, IndexStats
from tether.index.ranking import DEFAULT_RANKING, Ranking
from tether.index.scan import (
    VANISHED,
    FileResult,
    Known,
    buffer_result,
    scan_batch,
    scan_text_batch,
)
from tether.index.search import run_search
from tether.index.symbol_lookup import lookup_symbol
from tether.index.symbol_pass import SymbolResult, symbol_batch
from tether.index.walk import IGNORE_FILES, IgnoreRules, rescan, walk
from tether.protocol.methods import IndexStatusResult
from tether.supervisor import TaskSupervisor
from tether.workspace.folder import WorkspaceFolder, canonical

log = logging.getLogger(__name__)

COMMIT_FILES = 480  # files per transaction at most
BULK_FILES = 1000  # builds this big write in bulk mode (see IndexDB.bulk_mode)
REBUILD_PATHS = 200  # more changed paths than this at once: a warm build instead
TWO_PASS_FILES = 100  # builds this big store text first, then symbols (search comes sooner)


class WorkspaceIndex:
    """One per workspace folder; implements `tether.tools.base.IndexQuery`."""

    process_threshold = 256  # files to parse before worker processes pay for themselves

    def __init__(
        self, folder: WorkspaceFolder, *, cache_dir: Path | None = None,
        max_file_bytes: int = 1 << 20,
    ) -> None:
        self.folder = folder
        self.root = folder.root
        self.cache_dir = cache_dir or default_cache_dir(folder)
        self.max_file_bytes = max_file_bytes
        self._db: IndexDB | None = None
        self._db_lock = asyncio.Lock()
        self._build_lock = asyncio.Lock()
        self._state: Literal["idle", "indexing", "ready", "failed"] = "idle"
        self._message: str | None = None
        self._last_update: str | None = None
        self._files = 0
        self._symbols = 0
        self._generation = 0
        self._graph: repomap.Graph | None = None
        self._graph_task: asyncio.Task[repomap.Graph | None] | None = None
        self._background = TaskSupervisor(folder.name, logger=log)  # rebuilds, recovery
        self._builds: set[asyncio.Task[Any]] = set()
        self._overlay: dict[str, str] = {}
        self._rules: IgnoreRules | None = None
        self._closed = False
        self.ranking: Ranking = DEFAULT_RANKING
        self._history: History | None = None
        self._history_task: asyncio.Task[History | None] | None = None
        self._path_terms: PathTerms | None = None

    # -- building -----------------------------------------------------------------------

    async def build(self, progress: Callable[[IndexProgress], None] | None = None) -> IndexStats:
        """Build or refresh from the persisted cache. Cancel the awaiting task to stop it."""
        current = asyncio.current_task()
        if current is not None:
            self._builds.add(current)
        try:
            return await self._locked_build(progress)
        finally:
            if current is not None:
                self._builds.discard(current)

    async def _locked_build(
        self, progress: Callable[[IndexProgress], None] | None
    ) -> IndexStats:
        async with self._build_lock:
            started = time.monotonic()
            self._state, self._message = "indexing", None
            try:
                try:
                    stats = await self._build(progress, started)
                except sqlite3.DatabaseError as exc:
                    if isinstance(exc, sqlite3.OperationalError):  # locked, busy: not damage
                        raise
                    await self._reset_db(f"damaged: {exc}")
                    stats = await self._build(progress, started)
            except asyncio.CancelledError:
                self._state = "ready" if self._files else "idle"
                raise
            except (OSError, sqlite3.Error, IndexingError) as exc:
                self._state, self._message = "failed", str(exc)
                raise IndexingError(f"Indexing {self.root} failed: {exc}") from exc
            self._state = "ready"
            return stats

    async def _build(
        self, progress: Callable[[IndexProgress], None] | None, started: float
    ) -> IndexStats:
        db = await self._ensure_db()
        self._rules = rules = await asyncio.to_thread(IgnoreRules, self.root)
        # The walk waits on the disk, the cache read on SQLite: overlap them.
        walked, known = await asyncio.gather(
            asyncio.to_thread(walk, self.root, rules), asyncio.to_thread(db.known_files)
        )
        on_disk = {path for path, _, _ in walked.files}
        gone = [p for p in known if p not in on_disk]
        if gone:
            await asyncio.to_thread(db.delete_paths, gone)
        todo = self._changed_files(walked.files, known)
        vanished = await self._parse(db, todo, _Progress.over(progress, todo, walked.files))
        if self._overlay:
            await self._apply_overlay(db)
        if gone or todo or self._overlay:
            self._changed()
        return await self._finish_build(db, walked.skipped, vanished, started)

    def _changed_files(
        self, files: list[tuple[str, int, int]], known: dict[str, FileRow]
    ) -> list[tuple[str, Known | None]]:
        """Walked files that are new or whose size or mtime changed (open buffers excepted),
        with what the cache knew of them."""
        todo: list[tuple[str, Known | None]] = []
        for path, size, mtime_ns in files:
            row = known.get(path)
            if path in self._overlay:
                continue
            if row is None or row.known.size != size or row.known.mtime_ns != mtime_ns:
                todo.append((path, row.known if row else None))
        return todo

    async def _parse(
        self, db: IndexDB, todo: list[tuple[str, Known | None]], counter: _Progress
    ) -> int:
        """Both passes over `todo` in one parse pool, big builds in bulk mode (vanished count)."""
        two_pass = counter.two_pass
        pool = ParsePool()
        bulk = len(todo) >= BULK_FILES
        if bulk:
            await asyncio.to_thread(db.bulk_mode, True)
        try:
            # Pass 1: text (searchable at once); with few files, symbols come with it.
            task = scan_text_batch if two_pass else scan_batch
            # The text pass runs in a thread: it starts at once, while spawning workers
            # (the symbol pass's) would compete with it for the same cores.
            vanished = await self._run_pass(db, pool, todo, task, self._commit, counter,
                                            threaded=two_pass)
            # Pass 2: symbols and references (also those a cancelled build left pending).
            pending = await asyncio.to_thread(db.pending_symbols)
            pending = [(p, h) for p, h in pending if p not in self._overlay]
            if pending:
                self._changed()
                counter.start_symbols(len(pending))
                await self._run_pass(db, pool, pending, symbol_batch, self._commit_symbols,
                                     counter)
        finally:
            pool.close()
            if bulk:
                await asyncio.to_thread(db.bulk_mode, False)
        return vanished

    async def _apply_overlay(self, db: IndexDB) -> None:
        """Index the open buffers' text over what the build read from disk."""
        buffers = list(self._overlay.items())
        overlay = await asyncio.to_thread(
            lambda: [buffer_result(p, t, self.max_file_bytes) for p, t in buffers]
        )
        await asyncio.to_thread(db.apply, overlay)

    async def _finish_build(
        self, db: IndexDB, walk_skipped: Counter[str], vanished: int, started: float
    ) -> IndexStats:
        """Counts and time of the finished build; the graph and history reload behind it."""
        files, symbols, skipped = await asyncio.to_thread(db.counts)
        skipped.update(walk_skipped)
        if vanished:
            skipped[VANISHED] += vanished
        self._files, self._symbols = files, symbols
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self._last_update = now
        await asyncio.to_thread(db.set_meta, "last_update", now)
        if self._graph is None or self._graph.generation != self._generation:
            self._schedule_graph()
        self._schedule_history()
        return IndexStats(files, symbols, dict(skipped), round(time.monotonic() - started, 3))

    async def _run_pass(
        self, db: IndexDB, pool: ParsePool, items: list[Any],
        task: Callable[[str, list[Any], int], list[Any]],
        commit: Callable[[IndexDB, list[Any]], Awaitable[None]], counter: _Progress,
        threaded: bool = False,
    ) -> int:
        """Parse `items` with `task` in the pool and commit as results come (vanished count)."""
        vanished = 0
        pending: list[Any] = []
        last_commit = time.monotonic()
        try:
            async with contextlib.aclosing(parse_files(
                str(self.root), items, self.max_file_bytes, self.process_threshold, task, pool,
                threaded,
            )) as batches:
                async for batch in batches:
                    vanished += sum(getattr(r, "reason", None) == VANISHED for r in batch)
                    pending += batch
                    # Few big transactions are much cheaper for FTS5 than many small
                    # ones; commit at least twice a second so queries see progress.
                    if len(pending) >= COMMIT_FILES or time.monotonic() - last_commit > 0.5:
                        batch_done, pending = pending, []
                        await commit(db, batch_done)
                        last_commit = time.monotonic()
                    counter.advance(len(batch))
        except asyncio.CancelledError:
            if pending:  # keep the work already parsed; the next build skips it
                await asyncio.shield(commit(db, pending))
            raise
        await commit(db, pending)
        return vanished

    async def _commit_symbols(self, db: IndexDB, results: list[SymbolResult]) -> None:
        results = [r for r in results if r.path not in self._overlay]
        if results:
            await asyncio.to_thread(db.apply_symbols, results)
            self._files, self._symbols = await asyncio.to_thread(db.totals)

    async def _commit(self, db: IndexDB, results: list[FileResult]) -> None:
        results = [r for r in results if r.path not in self._overlay]
        if results:
            await asyncio.to_thread(db.apply, results)
            # status() shows the build growing (a cheap pass over the files table).
            self._files, self._symbols = await asyncio.to_thread(db.totals)

    # -- keeping fresh ------------------------------------------------------------------

    async def update_text(self, path: Path, text: str) -> None:
        """Index the unsaved text of an open buffer (it wins over the disk)."""
        rel = self._relative(path)
        if self._closed or rel is None or await self._is_ignored(rel):
            return
        self._overlay[rel] = text
        db = await self._ensure_db()
        result = await asyncio.to_thread(buffer_result, rel, text, self.max_file_bytes)
        if self._overlay.get(rel) is text:  # a newer text may have arrived meanwhile
            await self._io(db.apply, [result])
            await self._after_update(db)

    async def refresh_paths(self, paths: list[Path]) -> None:
        """Re-read changed, created or deleted paths from disk (watcher, agent edits)."""
        rels = [r for r in (self._relative(p) for p in paths) if r is not None]
        for rel in rels:
            self._overlay.pop(rel, None)
        if not rels or self._closed:
            return
        if self._needs_rebuild(rels):
            if self._rules is not None:
                self._rules.forget()
            # ignore rules or whole directories: a warm rebuild
            self._background.spawn(self.build(), "index rebuild")
            return
        db = await self._ensure_db()
        if self._rules is None:
            self._rules = await asyncio.to_thread(IgnoreRules, self.root)
        results = await asyncio.to_thread(
            rescan, self.folder, self._rules, rels, self.max_file_bytes
        )
        gone = [r.path for r in results if r.reason == VANISHED]
        await self._io(db.apply, results)
        if gone:  # a deleted directory arrives as one path: drop what was below it too
            await self._io(db.delete_under, gone)
        await self._after_update(db)

    def _needs_rebuild(self, rels: list[str]) -> bool:
        """Too many paths for one-by-one (a branch switch: the pool is faster), an ignore
        file (what is indexed changes) or a directory (what is below it is unknown)."""
        return (
            len(rels) > REBUILD_PATHS
            or any(rel.rsplit("/", 1)[-1] in IGNORE_FILES for rel in rels)
            or any((self.root / rel).is_dir() for rel in rels)
        )

    async def _after_update(self, db: IndexDB) -> None:
        """Counts and time; the repo-map graph is reloaded lazily, on the next map."""
        self._changed()
        self._files, self._symbols = await self._io(db.totals)
        self._last_update = datetime.now(UTC).isoformat(timespec="seconds")
        if self._state == "idle":
            self._state = "ready"

    def _changed(self) -> None:
        self._generation += 1

    # -- queries ------------------------------------------------------------------------

    def status(self) -> IndexStatusResult:
        return IndexStatusResult(
            state=self._state,
            files=self._files, symbols=self._symbols,
            last_update=self._last_update, message=self._message,
        )

    async def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        hits: list[SearchHit] = await self._query(run_search, query, limit)
        return hits

    async def search_files(self, query: str, limit: int = 20) -> list[FileHit]:
        """The best files for `query` with their best lines (see file_search.py)."""
        db = await self._query_db()
        if db is None:
            return []
        graph = self._graph
        if graph is None or graph.generation != self._generation:
            self._schedule_graph()  # this query ranks without the second pass's graph
        files: list[FileHit] = await self._read(self._search_files, db, query, limit, graph)
        return files

    def _search_files(
        self, db: IndexDB, query: str, limit: int, graph: repomap.Graph | None
    ) -> list[FileHit]:
        """Blocking (a thread): the path terms are rebuilt once per index generation."""
        paths = self._path_terms
        if paths is None or paths.generation != self._generation:
            paths = self._path_terms = load_path_terms(db, self._generation)
        return search_files(db, query, limit, history=self._history, graph=graph,
                            ranking=self.ranking, paths=paths)

    async def history_ready(self) -> History | None:
        """Wait for the git history of the current HEAD (None: no git here)."""
        task = self._history_task
        if task is None:
            task = self._schedule_history()
        return await asyncio.shield(task)

    async def find_symbol(self, name: str, limit: int = 20) -> list[SymbolHit]:
        hits: list[SymbolHit] = await self._query(lookup_symbol, name, limit)
        return hits

    async def match_paths(self, fragment: str, limit: int = 200) -> list[str]:
        """Indexed file paths containing `fragment` (case-insensitive), for `@` mentions."""
        escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        paths: list[str] = await self._query(_paths_like, f"%{escaped}%", limit)
        return paths

    async def repo_map(
        self, focus_files: list[str], mentioned: list[str], budget_tokens: int,
        query: str = "", time_budget: float = 0.5,
    ) -> str:
        """The ranked map within `time_budget` seconds, from whatever graph is ready.

        `query` (the user's message) personalises it with the same ranking as search: the
        files the message is about weigh in beside the focus files and mentioned names.
        """
        deadline = time.monotonic() + time_budget
        db = await self._query_db()
        if db is None or budget_tokens <= 0:
            return ""
        focus = [r for r in (self._relative(Path(f)) for f in focus_files) if r is not None]
        found: dict[str, float] = {}
        if query.strip():
            hits = await self._read(self._search_files, db, query, repomap.QUERY_FILES,
                                    self._graph)
            top = hits[0].score if hits else 0.0
            found = {h.path: h.score / top for h in hits if top > 0}
        graph = self._graph
        if graph is None or graph.generation != self._generation:
            task = self._schedule_graph()
            if graph is None:  # nothing to rank with yet: wait a little, then fall back
                try:
                    graph = await asyncio.wait_for(
                        asyncio.shield(task), max(0.0, (deadline - time.monotonic()) * 0.6)
                    )
                except TimeoutError:
                    graph = self._graph
            # else: a slightly stale graph now beats a fresh one too late.
        text: str
        if graph is None:
            text = await self._read(repomap.fallback_map, db, [*focus, *found], mentioned,
                                    budget_tokens)
        else:
            text = await self._read(
                repomap.build_map, db, graph, focus, mentioned, budget_tokens, deadline, found
            )
        return text

    # -- plumbing -----------------------------------------------------------------------

    def _schedule_history(self) -> asyncio.Task[History | None]:
        """Reload the git history in a thread when HEAD moved (a commit, a checkout)."""
        task = self._history_task
        if task is not None and not task.done():
            return task
        self._history_task = task = asyncio.get_running_loop().create_task(self._load_history())
        return task

    async def _load_history(self) -> History | None:
        head = await asyncio.to_thread(head_commit, self.root)
        if head is None:
            self._history = None
        elif self._history is None or self._history.head != head:
            self._history = await asyncio.to_thread(load_history, self.root, head)
        return self._history

    def _schedule_graph(self) -> asyncio.Task[repomap.Graph | None]:
        task = self._graph_task
        if task is not None and not task.done():
            return task
        self._graph_task = task = asyncio.get_running_loop().create_task(self._load_graph())
        return task

    async def _load_graph(self) -> repomap.Graph | None:
        """One load per request: while the user types, a map a few edits old is fine."""
        db = self._db
        if db is None:
            return None
        try:
            graph = await asyncio.to_thread(repomap.load_graph, db, self._generation)
        except sqlite3.Error as exc:
            log.warning("repo map graph not loaded: %s", exc)
            return None
        if db is self._db:  # not a cache that was discarded meanwhile
            self._graph = graph
        return graph

    async def _query(self, fn: Callable[..., list[Any]], *args: Any) -> list[Any]:
        """`fn(db, *args)` in a thread; no answers when the database cannot be opened."""
        db = await self._query_db()
        if db is None:
            return []
        found: list[Any] = await self._read(fn, db, *args)
        return found

    async def _read(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await self._io(fn, *args)

    async def _io(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a database call in a thread; SQLite errors become IndexingError."""
        try:
            return await asyncio.to_thread(fn, *args)
        except sqlite3.Error as exc:
            damaged = isinstance(exc, sqlite3.DatabaseError) and not isinstance(
                exc, sqlite3.OperationalError)
            if damaged and not self._closed:
                self._background.spawn(self._recover(f"damaged: {exc}"), "index recovery")
            raise IndexingError(f"The index of {self.root} could not be read: {exc}") from exc

    async def _recover(self, reason: str) -> None:
        """A query found the cache damaged: start over from an empty cache."""
        async with self._build_lock:
            await self._reset_db(reason)
        await self.build()

    async def _reset_db(self, reason: str) -> None:
        log.warning("index cache of %s discarded (%s); rebuilding", self.root, reason)
        async with self._db_lock:
            old, self._db = self._db, None
            if old is not None:
                await asyncio.to_thread(old.close)
            self._graph = None
            self._db = await asyncio.to_thread(IndexDB, self.cache_dir, str(self.root), reason)
            self._message = f"cache rebuilt: {reason}"

    async def _ensure_db(self) -> IndexDB:
        if self._closed:
            raise IndexingError("The index is closed.")
        async with self._db_lock:
            if self._db is None:
                try:
                    self._db = await asyncio.to_thread(IndexDB, self.cache_dir, str(self.root))
                except (OSError, sqlite3.Error) as exc:
                    raise IndexingError(
                        f"Cannot open the index cache in {self.cache_dir}: {exc}"
                    ) from exc
                if self._db.discarded:
                    self._message = f"cache rebuilt: {self._db.discarded}"
                elif not self._files:  # answer status from the cache until a build ends
                    db = self._db
                    self._files, self._symbols = await asyncio.to_thread(db.totals)
                    self._last_update = await asyncio.to_thread(db.meta, "last_update")
            return self._db

    async def _query_db(self) -> IndexDB | None:
        """The database for a query; None (empty answers) when it cannot be opened."""
        try:
            return await self._ensure_db()
        except IndexingError as exc:
            log.warning("%s", exc)
            return None

    def _relative(self, path: Path) -> str | None:
        full = path if path.is_absolute() else self.root / path
        full = Path(os.path.normpath(full))
        if not self.folder.contains(full):
            resolved = canonical(full)
            if not self.folder.contains(resolved):
                return None
            full = resolved
        rel = self.folder.relative(full)
        return None if rel == "." else rel

    async def _is_ignored(self, rel: str) -> bool:
        if self._rules is None:
            self._rules = await asyncio.to_thread(IgnoreRules, self.root)
        return await asyncio.to_thread(self._rules.is_ignored, rel)

    async def aclose(self) -> None:
        """Cancel background work and close the database."""
        self._closed = True
        tasks = [*self._background, *self._builds]
        if self._graph_task is not None:
            tasks.append(self._graph_task)
        if self._history_task is not None:
            tasks.append(self._history_task)
        tasks = [t for t in tasks if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        async with self._build_lock:
            if self._db is not None:
                await asyncio.to_thread(self._db.close)
                self._db = None


class _Progress:
    """Progress over both passes: one total, so the percentage only grows."""

    def __init__(self, report: Callable[[IndexProgress], None], todo: int, walked: int,
                 two_pass: bool) -> None:
        self.two_pass = two_pass
        self.report, self.done, self.total = report, 0, todo * (2 if two_pass else 1)
        self.phase = "text" if two_pass else "files"
        report(IndexProgress(0, self.total, f"Indexing {todo} of {walked} files",
                             phase=self.phase))

    @classmethod
    def over(cls, progress: Callable[[IndexProgress], None] | None, todo: list[Any],
             walked: list[Any]) -> _Progress:
        """The progress of a build parsing `todo` of the `walked` files (in two passes
        when there are TWO_PASS_FILES or more)."""
        return cls(progress or (lambda _p: None), len(todo), len(walked),
                   len(todo) >= TWO_PASS_FILES)

    def start_symbols(self, files: int) -> None:
        self.phase = "symbols"
        self.total = max(self.total, self.done + files)
        self.report(IndexProgress(self.done, self.total,
                                  f"Text searchable; parsing symbols of {files} files",
                                  phase="symbols"))

    def advance(self, n: int) -> None:
        self.done = min(self.done + n, self.total)
        self.report(IndexProgress(self.done, self.total,
                                  f"Indexed {self.done}/{self.total} ({self.phase})",
                                  phase=self.phase))


def _paths_like(db: IndexDB, pattern: str, limit: int) -> list[str]:
    """Indexed paths matching a LIKE pattern (backslash escapes), shortest first."""
    rows = db.query("SELECT path FROM files WHERE path LIKE ? ESCAPE '\\'"
                    " ORDER BY length(path), path LIMIT ?", (pattern, limit))
    return [str(row[0]) for row in rows]
