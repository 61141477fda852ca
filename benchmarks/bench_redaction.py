"""Redaction benchmark (issue 9): what masking costs, and what it masks in ordinary code.

(a) False positives: the key shapes (`sk-…`, `sk-ant-…`, `Bearer …`) run over a corpus of
    real code — the Python standard library and site-packages, plus the shared corpora
    bundles (black, click, httpx, ripgrep) when they are there — with three random
    secrets configured. Prints how many spans were masked, in how many files, and a few
    of them, so a reader can judge whether any was not a key.
(b) Cost: `redact()` throughput on that corpus against a plain `str.find` scan of the
    same text (the floor for "look at every byte once"), and the streaming path: the
    per-chunk cost of `StreamRedactor.feed` for model-sized deltas, against joining the
    same deltas with no redaction.

    python benchmarks/bench_redaction.py [--max-mb N]

Prints figures and ratios only; asserts nothing about time (machines are noisy).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from tether.redaction import Redactor, StreamRedactor

SUFFIXES = {".py", ".pyi", ".rs", ".js", ".ts", ".md", ".rst", ".txt", ".toml", ".json",
            ".cfg", ".yaml", ".yml", ".sh", ".c", ".h"}
BUNDLES = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpora"


def corpus_roots(tmp: Path) -> list[Path]:
    roots: list[Path] = []
    for bundle in sorted(BUNDLES.glob("*.bundle")) if BUNDLES.is_dir() else []:
        target = tmp / bundle.stem
        done = subprocess.run(["git", "clone", "-q", str(bundle), str(target)],
                              capture_output=True, check=False)
        if done.returncode == 0:
            roots.append(target)
    return [*roots, Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])]


def files(roots: list[Path], max_bytes: int) -> Iterator[tuple[Path, str]]:
    total = 0
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix not in SUFFIXES or not path.is_file() or ".git" in path.parts:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            total += len(text)
            yield path, text
            if total >= max_bytes:
                return


def false_positives(redactor: Redactor, corpus: list[tuple[Path, str]]) -> None:
    hits: list[tuple[Path, str]] = []
    for path, text in corpus:
        for match in redactor._pattern.finditer(text):
            hits.append((path, match.group(0)))
    size = sum(len(t) for _, t in corpus) / 1e6
    near = sum(t.count("sk-") + t.count("Bearer") for _, t in corpus)
    print(f"(a) masked spans in {size:.1f} MB of code ({len(corpus)} files), 3 secrets set:")
    print(f"    {len(hits)} spans in {len({p for p, _ in hits})} files "
          f"(the text holds {near} 'sk-' / 'Bearer' near misses)")
    for path, span in hits[:12]:
        print(f"      {span[:60]!r:64} {path.name}")


def throughput(redactor: Redactor, corpus: list[tuple[Path, str]]) -> None:
    texts = [t for _, t in corpus]
    size = sum(len(t) for t in texts) / 1e6
    start = time.perf_counter()
    for text in texts:
        text.find("\0sk-")  # one pass over every byte: the floor
    floor = time.perf_counter() - start
    start = time.perf_counter()
    for text in texts:
        redactor.redact(text)
    cost = time.perf_counter() - start
    print("(b) redact() over the corpus:")
    print(f"    redact        {size / cost:8.1f} MB/s  ({cost * 1000:.1f} ms)")
    print(f"    str.find      {size / floor:8.1f} MB/s  (ratio {cost / floor:.1f}x)")


def streaming(redactor: Redactor, corpus: list[tuple[Path, str]]) -> None:
    text = "".join(t for _, t in corpus[:200])[:400_000]
    for size in (1, 8, 40):
        deltas = [text[i:i + size] for i in range(0, len(text), size)]
        start = time.perf_counter()
        parts: list[str] = []
        for d in deltas:
            parts.append(d)
        plain = time.perf_counter() - start
        stream = StreamRedactor(redactor)
        start = time.perf_counter()
        out = [stream.feed(d) for d in deltas]
        out.append(stream.flush())
        cost = time.perf_counter() - start
        assert "".join(out) == redactor.redact(text)
        per = cost / len(deltas) * 1e6
        print(f"    feed {size:>2}-char deltas: {per:6.2f} µs per delta "
              f"({len(deltas)} deltas; plain append {plain / len(deltas) * 1e6:.2f} µs)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-mb", type=float, default=40.0)
    args = parser.parse_args()
    secrets = ["sk-proj-" + uuid.uuid4().hex * 3, "sk-ant-api03-" + uuid.uuid4().hex * 2,
               uuid.uuid4().hex]
    redactor = Redactor(secrets)
    with tempfile.TemporaryDirectory() as tmp:
        roots = corpus_roots(Path(tmp))
        print("corpus:", ", ".join(r.name for r in roots))
        corpus = list(files(roots, int(args.max_mb * 1e6)))
    false_positives(redactor, corpus)
    throughput(redactor, corpus)
    print("    streaming (text deltas are coalesced to ~60/s before this runs):")
    streaming(redactor, corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
