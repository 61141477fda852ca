"""Benchmark of the JSONL history store against naive baselines measured in the same run.

    python benchmarks/bench_store.py [--quick] [--list-only S]

Everything happens in a temporary TETHER_DATA_DIR. Printed: a table of operation, our
time, the baseline's time, their ratio (ours / baseline) and the goal where there is one.
No pass/fail: machines are noisy, compare ratios.

1. append N events one record per call as a turn emits them, fsync every 50 ("turn
   boundary"), vs plain f.write(json.dumps(...) + "\\n") with the same fsyncs;
2. list the newest 50 of S sessions (each one turn with its prompt, some with edits, some
   failed): warm (in-process cache), cache file only (a new process), cold (no cache
   file), over a version-3 cache (upgraded) vs os.listdir + reading each header line;
3. tail-load the last 1000 messages of an M-message session (no cache row / fresh cache
   row) vs json.loads of every line of the file;
4. append N events with seqs allocated under the lock from the file's tail, by one
   process vs by two processes writing the same session at once (the baseline is the
   one-process run: the ratio is the cost of sharing a session between two windows);
5. `session/search` over S sessions: p95 of a mix of queries on the warm FTS5 catalogue
   (and the cold build) vs reading every session file and matching bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tether.protocol.events import (
    EventBase,
    FileEdited,
    MessageAdded,
    TitleChanged,
    ToolCallCompleted,
    ToolCallStarted,
    TurnCompleted,
    TurnFailed,
    TurnStarted,
    UsageUpdated,
)
from tether.protocol.models import Message, SessionInfo, TextPart, Usage
from tether.store import JsonlStore, open_store
from tether.store.cache import CACHE_FILE, ROW_FIELDS
from tether.store.records import encode_header, encode_record
from tether.store.search import FULL_SCAN_SECONDS
from tether.workspace.folder import WorkspaceFolder

FULL = {"append": 100_000, "sessions": 10_000, "messages": 50_000, "tail": 1000,
        "shared": 20_000, "search": 10_000}
QUICK = {"append": 2_000, "sessions": 300, "messages": 3_000, "tail": 100,
         "shared": 1_000, "search": 300}
SEARCH_GOAL_MS = 50
SEARCH_QUERIES = 60
SYNC_EVERY = 50
LIST_GOAL_MS = 100
TAIL_GOAL_MS = 150
TEXT = "The quick brown fox jumps over the lazy dog; " * 6


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """Fastest wall time of `runs` calls, in ms (the least disturbed by noise)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def turn_events(sid: str, n: int, start: datetime) -> list[EventBase]:
    """A plausible mix: messages, tool calls, usage; one title early."""
    events: list[EventBase] = []
    for i in range(n):
        seq = i + 1
        moment = start + timedelta(milliseconds=seq)
        kind = i % 5
        if kind in (0, 1):
            role = "user" if kind == 0 else "assistant"
            msg = Message(id=uuid.uuid4().hex, role=role, parts=[TextPart(text=f"{i} {TEXT}")])
            events.append(MessageAdded(session_id=sid, seq=seq, time=moment, message=msg))
        elif kind == 2:
            events.append(
                ToolCallStarted(
                    session_id=sid,
                    seq=seq,
                    time=moment,
                    tool_call_id=f"c{i}",
                    name="read",
                    arguments={"path": f"src/module_{i}.py"},
                )
            )
        elif kind == 3:
            events.append(
                ToolCallCompleted(
                    session_id=sid,
                    seq=seq,
                    time=moment,
                    tool_call_id=f"c{i}",
                    name="read",
                    success=True,
                    duration_ms=3,
                    output=TEXT,
                )
            )
        else:
            total = Usage(prompt_tokens=i, completion_tokens=i, total_tokens=2 * i)
            events.append(
                UsageUpdated(session_id=sid, seq=seq, time=moment, usage=Usage(), total=total)
            )
    return events


def bench_append(
    store: JsonlStore, folder: WorkspaceFolder, tmp: Path, n: int
) -> tuple[float, float]:
    sid = uuid.uuid4().hex
    store.create(SessionInfo(id=sid, workspace_folder=str(folder.root)))
    events = turn_events(sid, n, datetime.now(UTC))

    start = time.perf_counter()
    for i, event in enumerate(events):
        store.append(sid, [event], sync=(i % SYNC_EVERY == SYNC_EVERY - 1))
    ours = (time.perf_counter() - start) * 1000

    start = time.perf_counter()
    with open(tmp / "baseline_append.jsonl", "w", encoding="utf-8") as f:
        for i, event in enumerate(events):
            f.write(json.dumps(event.to_wire()) + "\n")
            if i % SYNC_EVERY == SYNC_EVERY - 1:
                f.flush()
                os.fsync(f.fileno())
    baseline = (time.perf_counter() - start) * 1000
    return ours, baseline


def make_sessions(store: JsonlStore, folder: WorkspaceFolder, count: int) -> None:
    """`count` small sessions written in the store's own format (bypassing create's fsyncs
    only to keep the set-up short)."""
    store.sessions_dir.mkdir(parents=True, exist_ok=True)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(count):
        sid = uuid.uuid4().hex
        created = base + timedelta(seconds=i)
        info = SessionInfo(
            id=sid,
            workspace_folder=str(folder.root),
            created_at=created,
            updated_at=created,
            model="openai/gpt-4o",
        )
        body = session_turn(sid, i, created)
        data = encode_header(info) + b"".join(encode_record(e) for e in body)
        (store.sessions_dir / f"{sid}.jsonl").write_bytes(data)


def session_turn(sid: str, i: int, created: datetime) -> list[EventBase]:
    """One turn as the agent writes it: its prompt, a title, messages and tools, an edit
    to two files in every third session, and a failed end in every fifth."""
    moment = created + timedelta(seconds=1)
    prompt = f"Fix the add function in module {i}\nIt returns a - b."
    body: list[EventBase] = [
        TurnStarted(session_id=sid, turn_id="t1", seq=1, time=moment, prompt=prompt),
        TitleChanged(session_id=sid, turn_id="t1", seq=2, time=moment, title=f"session {i}"),
    ]
    body += turn_events(sid, 7, moment)[2:]
    for seq in (range(10, 12) if i % 3 == 0 else range(0)):
        body.append(FileEdited(
            session_id=sid, turn_id="t1", seq=seq, time=moment, tool_call_id=f"e{seq}",
            uri=f"file:///ws/src/m{seq}.py", diff="", applied=True, path=f"src/m{seq}.py"))
    end = (TurnFailed(session_id=sid, turn_id="t1", seq=20, time=moment, reason="unreachable")
           if i % 5 == 0 else TurnCompleted(session_id=sid, turn_id="t1", seq=20, time=moment))
    return [*body, end]


def baseline_list(sessions_dir: Path, limit: int) -> list[dict[str, object]]:
    headers = []
    for name in os.listdir(sessions_dir):
        if name.endswith(".jsonl"):
            with open(sessions_dir / name, "rb") as f:
                headers.append(json.loads(f.readline())["session"])
    headers.sort(key=lambda h: str(h["updatedAt"]), reverse=True)
    return headers[:limit]


def bench_list(
    folder: WorkspaceFolder, data_dir: Path, count: int
) -> list[tuple[str, float, float]]:
    store = open_store(folder, data_dir)
    assert isinstance(store, JsonlStore)
    make_sessions(store, folder, count)
    cache = store.base / CACHE_FILE
    baseline = best_of(3, lambda: baseline_list(store.sessions_dir, 50))

    def cold() -> None:
        cache.unlink(missing_ok=True)
        open_store(folder, data_dir).list(limit=50)

    cold_ms = best_of(2, cold)
    open_store(folder, data_dir).list(limit=50)  # leaves a cache file
    upgrade_ms = bench_upgrade(folder, data_dir, cache)
    file_ms = best_of(3, lambda: open_store(folder, data_dir).list(limit=50))
    warm_store = open_store(folder, data_dir)
    warm_store.list(limit=50)
    warm_ms = best_of(5, lambda: warm_store.list(limit=50))
    page, _ = warm_store.list(limit=50)
    assert len(page) == min(50, count)
    return [
        (f"list {count} sessions, warm (in-process)", warm_ms, baseline),
        (f"list {count} sessions, cache file only", file_ms, baseline),
        (f"list {count} sessions, cold (no cache)", cold_ms, baseline),
        (f"list {count} sessions, upgrading a version-3 cache", upgrade_ms, baseline),
    ]


def bench_upgrade(folder: WorkspaceFolder, data_dir: Path, cache: Path) -> float:
    """A new process listing over the cache an older release wrote (no activity fields):
    its rows are kept and backfilled by a substring scan, not rebuilt."""
    body = json.loads(cache.read_bytes())
    old = len(ROW_FIELDS) - ROW_FIELDS.index("first_prompt")
    v3 = json.dumps({"version": 3, "sessions": {
        sid: row[:-old] for sid, row in body["sessions"].items()}}).encode()
    best = float("inf")
    for _ in range(2):
        cache.write_bytes(v3)
        start = time.perf_counter()
        open_store(folder, data_dir).list(limit=50)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def bench_tail(
    folder: WorkspaceFolder, data_dir: Path, messages: int, tail: int
) -> list[tuple[str, float, float]]:
    store = open_store(folder, data_dir)
    assert isinstance(store, JsonlStore)
    sid = uuid.uuid4().hex
    store.create(SessionInfo(id=sid, workspace_folder=str(folder.root)))
    events = turn_events(sid, messages * 5 // 2, datetime.now(UTC))
    events.insert(10, TitleChanged(session_id=sid, seq=0, title="a long session"))
    for start in range(0, len(events), 1000):
        store.append(sid, events[start : start + 1000])
    path = store.session_path(sid)

    def baseline() -> int:
        with open(path, "rb") as f:
            return len([json.loads(line) for line in f])

    base_ms = best_of(3, baseline)

    def load_uncached() -> None:
        fresh = open_store(folder, data_dir)
        loaded = fresh.load(sid, tail=tail)
        assert len(loaded.messages) == tail and loaded.truncated
        assert loaded.total_messages == messages and loaded.info.title == "a long session"

    cold_ms = best_of(3, load_uncached)
    store.list()  # fresh summary row
    cached_ms = best_of(3, lambda: store.load(sid, tail=tail))
    size_mb = path.stat().st_size / 1e6
    label = f"tail-load {tail} of {messages} msgs ({size_mb:.0f} MB)"
    return [(f"{label}, no cache", cold_ms, base_ms), (f"{label}, cache", cached_ms, base_ms)]


def _append_numbered(data_dir: str, root: str, sid: str, n: int, ready: Any, go: Any) -> None:
    """One writer: n events, seqs from the file's tail, fsync every SYNC_EVERY; it
    builds its events first and waits for `go`, so process start-up is not timed."""
    os.environ["TETHER_DATA_DIR"] = data_dir
    store = open_store(WorkspaceFolder.at(Path(root)))
    events = turn_events(sid, n, datetime.now(UTC))
    for event in events:
        event.seq = 0
    if ready is not None:
        ready.put(1)
        go.wait()
    for i, event in enumerate(events):
        store.append(sid, [event], sync=(i % SYNC_EVERY == SYNC_EVERY - 1), number=True)


def bench_shared_append(folder: WorkspaceFolder, data_dir: Path, n: int
                        ) -> list[tuple[str, float, float]]:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    store = open_store(folder, data_dir)
    assert isinstance(store, JsonlStore)

    def session() -> str:
        sid = uuid.uuid4().hex
        store.create(SessionInfo(id=sid, workspace_folder=str(folder.root)))
        return sid

    def run(sid: str, writers: int) -> float:
        ready, go = ctx.Queue(), ctx.Event()
        procs = [ctx.Process(target=_append_numbered,
                             args=(str(data_dir), str(folder.root), sid, n // writers,
                                   ready, go))
                 for _ in range(writers)]
        for p in procs:
            p.start()
        for _ in procs:
            ready.get()
        start = time.perf_counter()
        go.set()
        for p in procs:
            p.join()
        return (time.perf_counter() - start) * 1000

    single_ms = run(session(), 1)
    two = session()
    shared_ms = run(two, 2)
    seqs = [r["seq"] for r in store.iter_records(two)]
    assert seqs == list(range(1, n + 1)), "two writers must never share a seq"
    return [(f"append {n} numbered events, 2 processes, 1 session", shared_ms, single_ms)]


def bench_search(folder: WorkspaceFolder, data_dir: Path, count: int
                 ) -> list[tuple[str, float, float]]:
    import random

    store = open_store(folder, data_dir)
    assert isinstance(store, JsonlStore)
    make_sessions(store, folder, count)
    rng = random.Random(7)
    words = TEXT.split()
    queries = ([rng.choice(words).strip(";") for _ in range(SEARCH_QUERIES // 3)]
               + [f"session {rng.randrange(count)}" for _ in range(SEARCH_QUERIES // 3)]
               + [f"{rng.randrange(count * 5)} quick" for _ in range(SEARCH_QUERIES // 3)])
    start = time.perf_counter()
    store.search("warm up")
    build_ms = (time.perf_counter() - start) * 1000
    times: list[float] = []
    for query in queries:
        start = time.perf_counter()
        store.search(query, limit=20)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    full: list[float] = []
    for query in queries[:5]:
        store._catalogue.look_at_every_file_next()
        start = time.perf_counter()
        store.search(query, limit=20)
        full.append((time.perf_counter() - start) * 1000)
    files = sorted(store.sessions_dir.glob("*.jsonl"))

    def grep(query: str) -> list[Path]:
        needle = query.encode()
        return [p for p in files if needle in p.read_bytes()][:20]

    base = sorted(best_of(1, lambda q=q: grep(q)) for q in queries[:10])  # type: ignore[misc]
    base_p95 = base[-1]
    return [(f"session/search p95 over {count} sessions (warm)", p95, base_p95),
            (f"session/search with a look at all {count} files (every "
             f"{FULL_SCAN_SECONDS:g} s)", sorted(full)[len(full) // 2], base_p95),
            (f"session/search catalogue build, {count} sessions", build_ms, base_p95)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (CI smoke)")
    parser.add_argument("--list-only", type=int, metavar="S",
                        help="only the listing benchmark, over S sessions")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.list_only:
        return list_only(args.list_only)
    tmp = Path(tempfile.mkdtemp(prefix="tether-bench-"))
    os.environ["TETHER_DATA_DIR"] = str(tmp / "data")
    try:
        rows: list[tuple[str, float, float, str]] = []
        (tmp / "ws").mkdir()
        folder = WorkspaceFolder.at(tmp / "ws")
        store = open_store(folder)
        assert isinstance(store, JsonlStore)
        ours, base = bench_append(store, folder, tmp, sizes["append"])
        rows.append((f"append {sizes['append']} events (fsync/{SYNC_EVERY})", ours, base, ""))
        for i, (name, ours, base) in enumerate(
            bench_list(WorkspaceFolder.at(tmp / "ws"), tmp / "lists", sizes["sessions"])
        ):
            rows.append((name, ours, base, f"< {LIST_GOAL_MS} ms" if i == 0 else ""))
        for name, ours, base in bench_tail(folder, tmp / "tail", sizes["messages"], sizes["tail"]):
            rows.append((name, ours, base, f"< {TAIL_GOAL_MS} ms"))
        for name, ours, base in bench_shared_append(folder, tmp / "shared", sizes["shared"]):
            rows.append((name, ours, base, ""))
        for i, (name, ours, base) in enumerate(
            bench_search(WorkspaceFolder.at(tmp / "ws"), tmp / "search", sizes["search"])
        ):
            rows.append((name, ours, base, f"< {SEARCH_GOAL_MS} ms" if i == 0 else ""))
        print_table(rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def list_only(count: int) -> int:
    with tempfile.TemporaryDirectory(prefix="tether-bench-") as name:
        tmp = Path(name)
        os.environ["TETHER_DATA_DIR"] = str(tmp / "data")
        (tmp / "ws").mkdir()
        rows = bench_list(WorkspaceFolder.at(tmp / "ws"), tmp / "lists", count)
        print_table([(label, ours, base, "") for label, ours, base in rows])
    return 0


def print_table(rows: list[tuple[str, float, float, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"{'operation':<{width}}  {'ours (ms)':>10}  {'baseline (ms)':>13}  {'ratio':>6}  goal")
    for name, ours, base, goal in rows:
        ratio = ours / base if base else float("inf")
        print(f"{name:<{width}}  {ours:>10.1f}  {base:>13.1f}  {ratio:>6.2f}  {goal}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
