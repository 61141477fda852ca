"""Retrieval quality: from a commit's message, find the source files it changed.

    python benchmarks/bench_retrieval.py                  # every corpus: tune + held-back split
    python benchmarks/bench_retrieval.py --repos ripgrep --tune 10 --held 0
    python benchmarks/bench_retrieval.py --quick          # CI smoke: a few commits of one repo
    python benchmarks/bench_retrieval.py --set history_weight=0   # an ablation

Data: the git bundles in `../shared/corpora/` relative to the repository root (httpx, black,
click: Python; ripgrep: Rust), or `--corpora DIR`. Commits are sampled with a fixed seed:
non-merge commits that modify 1-3 non-test source files of the repository's language and
add, delete or rename none, skipping version bumps, typo and docs-only messages. The query
is the message (subject + body, trailers dropped, first 400 characters); the truth is those
files. The held-back split is drawn first and never used for tuning.

Each commit is searched in a checkout of its parent whose git history ends at the parent:
every ref but a detached HEAD is deleted and the reflog expired, so no later commit is
reachable, as in a user's workspace; the benchmark checks this before every query. One
workspace per repository moves from parent to parent, so the index refreshes incrementally
as an editor's would.

The baseline runs in the same pass over the same trees: Okapi BM25 (k1 1.2, b 0.75) over
whole files, path included, tokens split on camelCase and snake_case. Reported: recall@1/5/10
and MRR per repository, per language and overall, the ratio of tether's recall@5 to the
baseline's, and search latency. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from tether.index import WorkspaceIndex  # noqa: E402
from tether.workspace.folder import WorkspaceFolder  # noqa: E402

REPOS = {"httpx": "python", "black": "python", "click": "python", "ripgrep": "rust"}
EXTENSIONS = {"python": (".py", ".pyi"), "rust": (".rs",)}
KS = (1, 5, 10)
MAX_QUERY = 400
MAX_FILE = 1 << 20
_SKIP_SUBJECT = re.compile(
    r"\b(bump(ed|s)?|release[ds]?|version|typos?|spelling|changelog)\b"
    r"|^\s*(docs?|documentation|readme)\b|^\s*v?\d+(\.\d+)+\s*$|^[\w-]+-\d+\.\d+(\.\d+)?\s*$",
    re.IGNORECASE,
)
_TRAILER = re.compile(r"^[\w-]+(-by|-authored-by)?:\s", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


@dataclass
class Case:
    repo: str
    commit: str
    parent: str
    query: str
    truth: list[str]
    split: str  # "tune" | "held"


@dataclass
class Ranked:
    tether: list[str]
    bm25: list[str]
    tether_s: float
    bm25_s: float


@dataclass
class Totals:
    n: int = 0
    recall: dict[int, float] = field(default_factory=lambda: dict.fromkeys(KS, 0.0))
    rr: float = 0.0

    def add(self, ranked: list[str], truth: list[str]) -> None:
        self.n += 1
        for k in KS:
            self.recall[k] += len(set(ranked[:k]) & set(truth)) / len(truth)
        first = next((i for i, p in enumerate(ranked) if p in truth), None)
        self.rr += 0.0 if first is None else 1.0 / (first + 1)

    def row(self) -> dict[str, float]:
        n = max(self.n, 1)
        out = {f"r@{k}": self.recall[k] / n for k in KS}
        out["mrr"] = self.rr / n
        return out


# -- sampling --------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    out = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True,
                         check=True)
    return out.stdout


def is_test(path: str) -> bool:
    parts = path.lower().split("/")
    name = parts[-1]
    return (any(p in ("test", "tests", "testing", "benches", "fixtures", "testdata")
                for p in parts[:-1])
            or name.startswith("test_") or name.endswith(("_test.py", "_tests.rs", "_test.rs"))
            or name in ("conftest.py", "tests.rs"))


def clean_message(message: str) -> str:
    lines = [ln for ln in message.strip().splitlines() if not _TRAILER.match(ln.strip())]
    return "\n".join(lines).strip()[:MAX_QUERY]


def eligible(base: Path, repo: str) -> list[tuple[str, str, str, list[str]]]:
    """(commit, parent, query, truth) of every commit that qualifies, newest first."""
    exts = EXTENSIONS[REPOS[repo]]
    log = git(base, "log", "--no-merges", "--no-renames", "--name-status",
              "--format=%x00%H %P%x01%B%x01")
    out = []
    for record in log.split("\x00")[1:]:
        head, message, files = record.split("\x01")
        ids = head.split()
        if len(ids) != 2:  # root commit (no parent) or a merge
            continue
        subject = message.strip().splitlines()[0] if message.strip() else ""
        if not subject or _SKIP_SUBJECT.search(subject):
            continue
        changes = [line.split("\t") for line in files.strip().splitlines() if "\t" in line]
        source = [(s, p[-1]) for s, *p in changes
                  if p[-1].endswith(exts) and not is_test(p[-1])]
        if not 1 <= len(source) <= 3 or any(status != "M" for status, _ in source):
            continue
        query = clean_message(message)
        if len(_WORD.findall(query)) < 3:
            continue
        out.append((ids[0], ids[1], query, sorted(p for _, p in source)))
    return out


def sample(base: Path, repo: str, tune: int, held: int, seed: int) -> list[Case]:
    candidates = eligible(base, repo)
    random.Random(f"{seed}:{repo}").shuffle(candidates)
    held_cases = candidates[:held]  # drawn first: the held-back split never moves
    tune_cases = candidates[held : held + tune]
    return [Case(repo, c, p, q, t, "held") for c, p, q, t in held_cases] + [
        Case(repo, c, p, q, t, "tune") for c, p, q, t in tune_cases
    ]


# -- the workspace: the parent, with history up to the parent only ----------------------


def checkout_parent(work: Path, case: Case) -> None:
    """Detach at the parent, delete every ref, expire the reflog; check nothing later shows."""
    git(work, "checkout", "-q", "-f", "--detach", case.parent)
    git(work, "clean", "-q", "-f", "-d", "-x")
    refs = git(work, "for-each-ref", "--format=%(refname)").split()
    for ref in refs:
        git(work, "update-ref", "-d", ref)
    git(work, "reflog", "expire", "--expire=now", "--all")
    assert_history_ends_at_parent(work, case)


def assert_history_ends_at_parent(work: Path, case: Case) -> None:
    later = git(work, "rev-list", "--all", "--reflog", "--not", case.parent).split()
    if later:
        raise SystemExit(f"{case.repo}: {len(later)} commits after {case.parent} reachable")
    if git(work, "rev-parse", "HEAD").strip() != case.parent:
        raise SystemExit(f"{case.repo}: HEAD is not the parent {case.parent}")
    seen = subprocess.run(["git", "-C", str(work), "merge-base", "--is-ancestor", case.commit,
                           "HEAD"], capture_output=True, check=False)
    if seen.returncode == 0:
        raise SystemExit(f"{case.repo}: the commit {case.commit} is reachable from HEAD")


# -- the baseline ------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text):
        out.extend(p.lower() for piece in word.split("_") for p in _PART.findall(piece))
    return out


class BM25:
    """Okapi BM25 over whole files (path included); documents cached by blob id."""

    k1, b = 1.2, 0.75

    def __init__(self) -> None:
        self._cache: dict[str, tuple[Counter[str], int]] = {}
        self.docs: dict[str, tuple[Counter[str], int]] = {}
        self.df: Counter[str] = Counter()
        self.avg = 1.0

    def load(self, work: Path) -> None:
        self.docs = {}
        for line in git(work, "ls-files", "-s", "-z").split("\0"):
            if not line:
                continue
            meta, path = line.split("\t", 1)
            blob = meta.split()[1]
            key = f"{blob}:{path}"
            doc = self._cache.get(key)
            if doc is None:
                doc = self._read(work / path, path)
                if doc is None:
                    continue
                self._cache[key] = doc
            self.docs[path] = doc
        self.df = Counter()
        for counts, _ in self.docs.values():
            self.df.update(counts.keys())
        self.avg = sum(n for _, n in self.docs.values()) / max(len(self.docs), 1)

    @staticmethod
    def _read(full: Path, path: str) -> tuple[Counter[str], int] | None:
        try:
            data = full.read_bytes()
        except OSError:
            return None
        if len(data) > MAX_FILE or b"\0" in data[:8000]:
            return None
        words = tokens(path + " " + data.decode("utf-8", "replace"))
        return Counter(words), len(words)

    def rank(self, query: str, limit: int) -> list[str]:
        n = len(self.docs)
        terms = set(tokens(query))
        idf = {t: math.log(1 + (n - self.df[t] + 0.5) / (self.df[t] + 0.5))
               for t in terms if self.df[t]}
        scores: list[tuple[float, str]] = []
        for path, (counts, length) in self.docs.items():
            score = 0.0
            norm = self.k1 * (1 - self.b + self.b * length / self.avg)
            for t, w in idf.items():
                tf = counts.get(t)
                if tf:
                    score += w * tf * (self.k1 + 1) / (tf + norm)
            if score > 0:
                scores.append((score, path))
        scores.sort(key=lambda s: (-s[0], s[1]))
        return [p for _, p in scores[:limit]]


# -- running -----------------------------------------------------------------------------


async def run_repo(
    repo: str, cases: list[Case], tmp: Path, settings: dict[str, float], legacy: bool
) -> list[tuple[Case, Ranked]]:
    work = tmp / repo
    git(work, "config", "gc.auto", "0")  # later commits' objects must stay for checkouts
    index = WorkspaceIndex(WorkspaceFolder.at(work), cache_dir=tmp / f"{repo}-index")
    for name, value in settings.items():
        index.ranking = index.ranking.with_value(name, value)
    baseline = BM25()
    out = []
    try:
        for case in cases:
            checkout_parent(work, case)
            await index.build()
            await index.history_ready()
            baseline.load(work)
            start = time.perf_counter()
            if legacy:  # the line-level search before files-first ranking, deduplicated
                hits = await index.search(case.query, 100)
                ranked = list(dict.fromkeys(h.path for h in hits))[:10]
            else:
                ranked = [f.path for f in await index.search_files(case.query, 10)]
            tether_s = time.perf_counter() - start
            start = time.perf_counter()
            bm25 = baseline.rank(case.query, 10)
            bm25_s = time.perf_counter() - start
            out.append((case, Ranked(ranked, bm25, tether_s, bm25_s)))
    finally:
        await index.aclose()
    return out


def corpora_dir(arg: str | None) -> Path:
    return Path(arg).resolve() if arg else (ROOT / ".." / "shared" / "corpora").resolve()


def summarize(results: list[tuple[Case, Ranked]]) -> dict[str, Any]:
    groups: dict[tuple[str, str], tuple[Totals, Totals]] = {}
    for case, ranked in results:
        keys = [case.repo, REPOS[case.repo], "overall"]
        for key in keys:
            for split in (case.split, "all"):
                pair = groups.setdefault((key, split), (Totals(), Totals()))
                pair[0].add(ranked.tether, case.truth)
                pair[1].add(ranked.bm25, case.truth)
    table: dict[str, Any] = {}
    for (key, split), (ours, base) in groups.items():
        t, b = ours.row(), base.row()
        table[f"{key}/{split}"] = {
            "n": ours.n, "tether": t, "bm25": b,
            "ratio_r5": t["r@5"] / b["r@5"] if b["r@5"] else math.inf,
        }
    tether_ms = [r.tether_s * 1000 for _, r in results]
    bm25_ms = [r.bm25_s * 1000 for _, r in results]
    table["latency"] = {
        "tether_p50_ms": statistics.median(tether_ms) if tether_ms else 0.0,
        "tether_p95_ms": _pct(tether_ms, 0.95), "tether_max_ms": max(tether_ms, default=0.0),
        "bm25_p50_ms": statistics.median(bm25_ms) if bm25_ms else 0.0,
    }
    return table


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def print_table(table: dict[str, Any], repos: list[str]) -> None:
    header = ("group", "split", "n", "r@1", "r@5", "r@10", "mrr", "bm25 r@1", "bm25 r@5",
              "bm25 r@10", "bm25 mrr", "r@5 ratio")
    rows = [header]
    order = [*repos, "python", "rust", "overall"]
    for key in order:
        for split in ("tune", "held", "all"):
            entry = table.get(f"{key}/{split}")
            if entry is None:
                continue
            t, b = entry["tether"], entry["bm25"]
            rows.append((key, split, str(entry["n"]),
                         *(f"{t[m]:.2f}" for m in ("r@1", "r@5", "r@10", "mrr")),
                         *(f"{b[m]:.2f}" for m in ("r@1", "r@5", "r@10", "mrr")),
                         f"{entry['ratio_r5']:.2f}x"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    lat = table["latency"]
    print(f"search latency (in-process, per query): tether p50 {lat['tether_p50_ms']:.1f} ms,"
          f" p95 {lat['tether_p95_ms']:.1f} ms, max {lat['tether_max_ms']:.1f} ms;"
          f" bm25 (pure Python, in memory) p50 {lat['bm25_p50_ms']:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", help="Directory of the *.bundle files.")
    parser.add_argument("--repos", default=",".join(REPOS), help="Comma-separated names.")
    parser.add_argument("--tune", type=int, default=30, help="Tuning commits per repository.")
    parser.add_argument("--held", type=int, default=20, help="Held-back commits per repository.")
    parser.add_argument("--split", choices=("tune", "held", "all"), default="all")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--quick", action="store_true", help="CI smoke: 4 commits of click.")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="Override a ranking weight (see tether.index.ranking).")
    parser.add_argument("--legacy", action="store_true",
                        help="Rank with the line-level search (paths deduplicated) instead.")
    parser.add_argument("--json", metavar="FILE", help="Also write the figures as JSON.")
    parser.add_argument("--show", action="store_true", help="Print each query's ranking.")
    args = parser.parse_args(argv)
    if args.quick:
        args.repos, args.tune, args.held = "click", 2, 2
    repos = [r for r in args.repos.split(",") if r]
    unknown = [r for r in repos if r not in REPOS]
    if unknown:
        parser.error(f"unknown repositories {unknown}; known: {sorted(REPOS)}")
    corpora = corpora_dir(args.corpora)
    settings = {k: float(v) for k, v in (s.split("=", 1) for s in args.set)}
    tmp = Path(tempfile.mkdtemp(prefix="tether-retrieval-"))
    results: list[tuple[Case, Ranked]] = []
    started = time.perf_counter()
    try:
        for repo in repos:
            bundle = corpora / f"{repo}.bundle"
            if not bundle.is_file():
                print(f"missing corpus {bundle}", file=sys.stderr)
                return 2
            base = tmp / repo
            subprocess.run(["git", "-c", "advice.detachedHead=false", "clone", "-q", str(bundle),
                            str(base)], check=True)
            cases = sample(base, repo, args.tune, args.held, args.seed)
            if args.split != "all":
                cases = [c for c in cases if c.split == args.split]
            results += asyncio.run(run_repo(repo, cases, tmp, settings, args.legacy))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.show:
        for case, ranked in results:
            hit = [p for p in ranked.tether[:5] if p in case.truth]
            bhit = [p for p in ranked.bm25[:5] if p in case.truth]
            print(f"[{case.repo} {case.split} {case.commit[:8]}] {case.query.splitlines()[0]}")
            print(f"   truth {case.truth}  tether {len(hit)}  bm25 {len(bhit)}")
            print(f"   tether {ranked.tether[:5]}")
            print(f"   bm25   {ranked.bm25[:5]}")
    table = summarize(results)
    print(f"corpora: {corpora}  seed: {args.seed}  commits: {len(results)}  "
          f"ranker: {'legacy line search' if args.legacy else 'files'}  "
          f"settings: {settings or 'defaults'}  wall: {time.perf_counter() - started:.0f} s")
    print_table(table, repos)
    if args.json:
        Path(args.json).write_text(json.dumps(table, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
