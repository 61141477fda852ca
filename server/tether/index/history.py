"""What git history says about the files of a folder: a vocabulary, co-change and recency.

The messages of past commits that touched a file are a bridge between how people describe
a change ("retry on a dropped connection") and the file where such changes land, even when
the file itself says `_reconnect`. Files changed together in the past are likely to be
changed together again. Only history reachable from HEAD is read (`git log HEAD`), as the
user's checkout has it; it is loaded once per HEAD commit in a worker thread, and a folder
without git (or without the `git` program) simply has no history.
"""

from __future__ import annotations

import logging
import math
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tether.index.terms import text_terms

log = logging.getLogger(__name__)

MAX_COMMITS = 3000  # the newest ones: enough vocabulary, bounded cost on huge histories
MAX_FILES_PER_COMMIT = 12  # a sweeping reformat says nothing about any one file
MAX_MESSAGE = 2000
GIT_TIMEOUT = 20.0
K1, B = 1.2, 0.5


@dataclass
class History:
    """Per-file history documents (term counts) and co-change counts, from HEAD back."""

    head: str
    postings: dict[str, dict[str, int]] = field(default_factory=dict)  # term -> path -> tf
    lengths: dict[str, int] = field(default_factory=dict)  # path -> terms in its document
    cochange: dict[str, Counter[str]] = field(default_factory=dict)
    touched: dict[str, int] = field(default_factory=dict)  # path -> commits touching it
    last_seen: dict[str, int] = field(default_factory=dict)  # path -> age in commits (0 = HEAD)
    commits: int = 0

    def scores(self, terms: list[str]) -> dict[str, float]:
        """BM25 of the query terms over each file's history document."""
        n = len(self.lengths)
        if not n:
            return {}
        avg = sum(self.lengths.values()) / n
        out: dict[str, float] = {}
        for term in set(terms):
            posting = self.postings.get(term)
            if not posting:
                continue
            df = len(posting)
            weight = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for path, tf in posting.items():
                norm = K1 * (1 - B + B * self.lengths[path] / avg)
                out[path] = out.get(path, 0.0) + weight * tf * (K1 + 1) / (tf + norm)
        return out


def head_commit(root: Path) -> str | None:
    """HEAD's commit id, or None outside a git work tree (or without git)."""
    out = _git(root, ["rev-parse", "--verify", "-q", "HEAD"], 5.0)
    return out.strip() or None if out is not None else None


def load_history(root: Path, head: str, max_commits: int = MAX_COMMITS) -> History:
    """Read `git log HEAD` (blocking; run in a thread). Paths are relative to `root`."""
    history = History(head)
    out = _git(root, ["log", "--no-merges", "--no-renames", "--relative", "--name-only",
                      f"-n{max_commits}", "--format=%x00%B%x01", head, "--", "."], GIT_TIMEOUT)
    if not out:
        return history
    docs: dict[str, Counter[str]] = defaultdict(Counter)
    cochange: dict[str, Counter[str]] = defaultdict(Counter)
    for age, record in enumerate(out.split("\x00")[1:]):
        message, _, names = record.partition("\x01")
        paths = [p for p in names.strip().splitlines() if p]
        history.commits += 1
        for path in paths:
            history.touched[path] = history.touched.get(path, 0) + 1
            history.last_seen.setdefault(path, age)
        if not paths or len(paths) > MAX_FILES_PER_COMMIT:
            continue
        words = text_terms(message[:MAX_MESSAGE])
        for path in paths:
            docs[path].update(words)
            if len(paths) > 1:
                cochange[path].update(p for p in paths if p != path)
    postings: dict[str, dict[str, int]] = defaultdict(dict)
    for path, counts in docs.items():
        history.lengths[path] = sum(counts.values())
        for term, tf in counts.items():
            postings[term][path] = tf
    history.postings = dict(postings)
    history.cochange = dict(cochange)
    return history


def _git(root: Path, args: list[str], timeout: float) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("no git history for %s: %s", root, exc)
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")
