"""Benchmark the workspace index against `ctags -R` and `rg` on the same tree, same run.

    python benchmarks/bench_index.py DIR            # a real checkout (several thousand files)
    python benchmarks/bench_index.py --generate 10000 [DIR]   # a synthetic tree of N files
    python benchmarks/bench_index.py --quick        # CI smoke: small generated tree

Prints a table of measurements, the baseline measured in the same run, the ratio and the
budget from issue 4. Cold and warm builds run in fresh processes (like an editor start);
everything else runs in this process against the built index. No assertion on time: the
machines are noisy, so the numbers are for reading.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tether.index import WorkspaceIndex
from tether.workspace.folder import WorkspaceFolder


def _ctags() -> str | None:
    for name in ("ctags-universal", "universal-ctags", "ctags"):
        path = shutil.which(name)
        if path is None:
            continue
        out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
        if "Universal Ctags" in out.stdout:
            return path
    return None


def _timed(cmd: list[str], repeat: int) -> float | None:
    """Median wall time of a command (None if it cannot run)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        except OSError:
            return None
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def generate_tree(root: Path, n_files: int, seed: int = 7) -> Path:
    """A synthetic multi-language tree whose files reference each other."""
    rng = random.Random(seed)
    words = ["user", "account", "order", "invoice", "cache", "token", "session", "query",
             "parser", "buffer", "stream", "event", "config", "index", "route", "handler"]
    for i in range(n_files):
        pkg = f"pkg{i % 50}"
        other = [f"fn_{rng.choice(words)}_{rng.randrange(n_files)}" for _ in range(4)]
        kind = i % 4
        if kind == 3:
            path = root / pkg / f"mod{i}.ts"
            body = "".join(
                f"export function {w}Fn{i}_{j}(x: number): number {{ return {other[j]}(x); }}\n"
                for j, w in enumerate(rng.sample(words, 4))
            )
        else:
            path = root / pkg / f"mod{i}.py"
            body = f'"""Module {i}: {" ".join(rng.sample(words, 6))}."""\n\n'
            body += f"class {rng.choice(words).title()}{i}:\n"
            for j in range(6):
                name = f"fn_{rng.choice(words)}_{i}_{j}"
                body += f"    def {name}(self, value):\n"
                body += f"        return {rng.choice(other)}(value) + {j}\n\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return root


def child_build(directory: str, cache: str) -> None:
    """Run in a fresh process: one build, then print seconds and peak RSS as JSON."""
    async def run() -> dict[str, Any]:
        index = WorkspaceIndex(WorkspaceFolder.at(directory), cache_dir=Path(cache))
        start = time.perf_counter()
        searchable: list[float] = []

        def on_progress(p: Any) -> None:  # the symbol pass starts: text is committed
            if p.phase == "symbols" and not searchable:
                searchable.append(time.perf_counter() - start)

        stats = await index.build(on_progress)
        seconds = time.perf_counter() - start
        await index.aclose()
        return {"seconds": seconds, "searchable": searchable[0] if searchable else seconds,
                "files": stats.files, "symbols": stats.symbols, "skipped": stats.skipped}

    result = asyncio.run(run())
    result["rss_self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["rss_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(result))


def _run_child(directory: Path, cache: Path) -> tuple[dict[str, Any], float]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--child-build", str(directory), str(cache)],
        capture_output=True, text=True, check=True,
    )
    wall = time.perf_counter() - start
    return json.loads(out.stdout.strip().splitlines()[-1]), wall


async def in_process(
    directory: Path, cache: Path, queries: int, edits: int
) -> dict[str, Any]:
    index = WorkspaceIndex(WorkspaceFolder.at(directory), cache_dir=cache)
    out: dict[str, Any] = {}
    try:
        await index.build()
        db = await index._ensure_db()
        rng = random.Random(3)
        names = [r[0] for r in db.query("SELECT DISTINCT name FROM symbols WHERE length(name) > 3")]
        paths = [r[0] for r in db.query(
            "SELECT path FROM files WHERE skip_reason IS NULL AND nsymbols > 0")]
        sample = rng.sample(names, min(queries, len(names))) if names else ["index"]
        out["queries"] = sample
        times = []
        for q in sample:
            start = time.perf_counter()
            await index.search(q, 20)
            times.append(time.perf_counter() - start)
        out["search_p50"], out["search_p95"] = _pct(times, 0.5), _pct(times, 0.95)
        # Files-first search with a task-like query (a sentence around a few identifiers),
        # the shape of the agent's first question and of bench_retrieval's commit messages.
        await index.history_ready()
        times = []
        for _ in sample:
            words = rng.sample(names, min(2, len(names))) if names else ["index"]
            sentence = f"Fix {words[0]} so that {' '.join(words[1:])} handles an empty value"
            start = time.perf_counter()
            await index.search_files(sentence, 10)
            times.append(time.perf_counter() - start)
        out["files_p50"], out["files_p95"] = _pct(times, 0.5), _pct(times, 0.95)
        # One-file re-index: append to a real source file, refresh it (the watcher path).
        target = directory / (rng.choice(paths) if paths else "bench_edit.py")
        original = target.read_bytes() if target.exists() else None
        reindex = []
        try:
            for i in range(edits):
                with open(target, "a", encoding="utf-8") as handle:
                    handle.write(f"\n# bench edit {i}\n")
                start = time.perf_counter()
                await index.refresh_paths([target])
                reindex.append(time.perf_counter() - start)
        finally:
            if original is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(original)
            await index.refresh_paths([target])
        out["reindex_p50"], out["reindex_p95"] = _pct(reindex, 0.5), _pct(reindex, 0.95)
        # Repo map: the graph load (after a build, in the background) and the map itself.
        start = time.perf_counter()
        await index._schedule_graph()
        out["graph_load"] = time.perf_counter() - start
        maps, overruns = [], 0
        for _ in range(5):
            focus = [rng.choice(paths)] if paths else []
            start = time.perf_counter()
            await index.repo_map(focus, [rng.choice(names)] if names else [], 1024,
                                 time_budget=0.5)
            elapsed = time.perf_counter() - start
            maps.append(elapsed)
            overruns += elapsed > 0.5
        out["map_p50"], out["map_max"], out["map_overruns"] = (
            _pct(maps, 0.5), max(maps), overruns)
    finally:
        await index.aclose()
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", help="Tree to index (generated when omitted).")
    parser.add_argument("--quick", action="store_true", help="Small and fast (CI smoke).")
    parser.add_argument("--generate", type=int, metavar="N", help="Generate N files first.")
    parser.add_argument("--child-build", nargs=2, metavar=("DIR", "CACHE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_build:
        child_build(*args.child_build)
        return 0
    work = Path(tempfile.mkdtemp(prefix="tether-bench-"))
    try:
        if args.dir and not args.generate:
            directory = Path(args.dir).resolve()
        else:
            n = args.generate or (120 if args.quick else 5000)
            directory = generate_tree(Path(args.dir or work / "tree").resolve(), n)
        repeat = 1 if args.quick else 3
        report(directory, work / "cache", repeat, quick=args.quick)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def report(directory: Path, cache: Path, repeat: int, quick: bool) -> None:
    ctags = _ctags()
    rg = shutil.which("rg")
    tags_file = cache.parent / "tags"
    ctags_s = _timed([ctags, "-R", "-f", str(tags_file), str(directory)], repeat) if ctags else None
    cold, cold_wall = _run_child(directory, cache)
    warm, warm_wall = _run_child(directory, cache)
    live = asyncio.run(in_process(directory, cache, 10 if quick else 100, 3 if quick else 20))
    rg_s = None
    if rg:
        rg_times = [_timed([rg, "-n", "--no-messages", q, str(directory)], 1)
                    for q in live["queries"][: 3 if quick else 10]]
        rg_s = statistics.median([t for t in rg_times if t is not None] or [0.0]) or None

    def ratio(value: float, base: float | None) -> str:
        return f"{value / base:.2f}x" if base else "n/a"

    def ms(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 1000:.0f} ms" if value >= 0.01 else (
            f"{value * 1000:.1f} ms")

    rows = [
        ("cold: search usable", ms(cold["searchable"]), "ctags -R " + ms(ctags_s),
         ratio(cold["searchable"], ctags_s), "<= 2x ctags",
         _ok(ctags_s is not None and cold["searchable"] <= 2 * ctags_s)),
        ("cold index (full build)", ms(cold["seconds"]), "ctags -R " + ms(ctags_s),
         ratio(cold["seconds"], ctags_s), "", ""),
        ("cold index (process)", ms(cold_wall), "ctags -R " + ms(ctags_s),
         ratio(cold_wall, ctags_s), "", ""),
        ("warm start (build)", ms(warm["seconds"]), "ctags -R " + ms(ctags_s),
         ratio(warm["seconds"], ctags_s), "<= 0.2x ctags",
         _ok(ctags_s is not None and warm["seconds"] <= 0.2 * ctags_s)),
        ("warm start (process)", ms(warm_wall), "ctags -R " + ms(ctags_s),
         ratio(warm_wall, ctags_s), "", ""),
        ("one-file re-index p50", ms(live["reindex_p50"]), "", "", "< 20 ms",
         _ok(live["reindex_p50"] < 0.02)),
        ("one-file re-index p95", ms(live["reindex_p95"]), "", "", "< 20 ms",
         _ok(live["reindex_p95"] < 0.02)),
        ("search p50", ms(live["search_p50"]), "rg " + ms(rg_s),
         ratio(live["search_p50"], rg_s), "", ""),
        ("search p95", ms(live["search_p95"]), "rg " + ms(rg_s),
         ratio(live["search_p95"], rg_s), "<= 1x rg",
         _ok(rg_s is not None and live["search_p95"] <= rg_s)),
        ("file search p50 (task query)", ms(live["files_p50"]), "", "", "< 50 ms",
         _ok(live["files_p50"] < 0.05)),
        ("file search p95 (task query)", ms(live["files_p95"]), "", "", "", ""),
        ("peak RSS main (cold)", f"{cold['rss_self_mb']:.0f} MB", "", "", "< 250 MB",
         _ok(cold["rss_self_mb"] < 250)),
        ("peak RSS worker (cold)", f"{cold['rss_children_mb']:.0f} MB", "", "", "", ""),
        ("repo-map graph load", ms(live["graph_load"]), "", "", "background", ""),
        ("repo-map p50 / max", f"{ms(live['map_p50'])} / {ms(live['map_max'])}", "", "",
         "<= 0.5 s budget", _ok(live["map_overruns"] == 0)),
    ]
    print(f"tree: {directory}  files: {cold['files']}  symbols: {cold['symbols']}  "
          f"skipped: {cold['skipped']}")
    print(f"baselines: ctags={ctags or 'missing'}  rg={rg or 'missing'}  (median of {repeat})")
    widths = [max(len(str(r[i])) for r in [*rows, HEADER]) for i in range(len(HEADER))]
    for row in [HEADER, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


HEADER = ("measure", "tether", "baseline", "ratio", "budget", "ok")


def _ok(flag: bool) -> str:
    return "yes" if flag else "MISSED"


if __name__ == "__main__":
    sys.exit(main())
