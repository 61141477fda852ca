"""Files first: which files a question or a task is about, each with its best lines.

Callers of a code search mostly want "where": the agent's first step on a task, the
editor's quick pick. So the unit ranked is the file, from several signals (see ranking.py):
the BM25 of its text chunks (FTS5, the best chunks aggregated), query terms in its path,
identifiers of the query it defines, the messages of past commits that touched it (git
history), and a second pass that lifts files the best hits depend on (the reference graph)
or changed together with (co-change). Lines inside each file come from its best chunks.
Measured by `benchmarks/bench_retrieval.py` against whole-file BM25.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from tether.index.db import IndexDB
from tether.index.history import History
from tether.index.hits import FileHit, LineHit
from tether.index.ranking import DEFAULT_RANKING, Ranking, combine, kind_factor
from tether.index.repomap import Graph
from tether.index.scan import CHUNK_LINES, MAX_PREVIEW, split_identifier
from tether.index.search import best_line, definitions_named, fts_expression, in_chunk
from tether.index.terms import STOPWORDS, query_terms, stem, words

MAX_TERMS = 48
CHUNK_ROWS = 800  # best chunks read per query; files beyond them have no content score
LINES_PER_FILE = 3
MIN_NAME_WORD = 4  # a plain word this long may name a definition (`echo`, `style`)
SYMBOL_LINE_BONUS = 4.0  # inside a file, the definition the query names comes first

_CHUNKS = (
    "SELECT c.file_id, f.path, c.start_line, fts.symbols, bm25(fts, 6.0, 10.0, 2.0, 1.0)"
    " FROM fts JOIN chunks c ON c.id = fts.rowid JOIN files f ON f.id = c.file_id"
    " WHERE fts MATCH ? ORDER BY rank LIMIT ?"
)


def fts_terms(query: str) -> list[str]:
    """Unstemmed FTS terms: words and identifier parts, no filler words, at most MAX_TERMS."""
    out: dict[str, None] = {}
    for raw in words(query):
        lowered = raw.lower()
        if lowered not in STOPWORDS and len(lowered) > 1:
            out[lowered] = None
        for part in split_identifier(raw):
            if part not in STOPWORDS and len(part) > 1:
                out[part] = None
    return list(out)[:MAX_TERMS]


def search_files(
    db: IndexDB, query: str, limit: int, *, history: History | None = None,
    graph: Graph | None = None, ranking: Ranking = DEFAULT_RANKING,
    paths: PathTerms | None = None,
) -> list[FileHit]:
    """The best files for `query`, best first, with their best lines. Blocking (a thread)."""
    fts = fts_terms(query)
    stems = query_terms(query)
    if not fts or limit <= 0:
        return []
    chunks = _Chunks.read(db, fts, ranking)
    signals: dict[str, dict[str, float]] = {"content": chunks.content}
    signals["path"] = path_scores(paths or load_path_terms(db, -1), stems)
    signals["symbol"] = symbol_scores(db, query)
    if history is not None:
        signals["history"] = history.scores(stems)
        signals["recency"] = {p: 1.0 / (1.0 + age / 50.0) for p, age in history.last_seen.items()
                              if p in chunks.content}
    total = _second_pass(signals, graph, history, ranking)
    total = {p: v * kind_factor(p, ranking) for p, v in total.items()}
    ordered = sorted(total, key=lambda p: (-total[p], p))[:limit]
    named_words = [w.lower() for w in words(query)]
    file_ids = chunks.file_ids
    named = definitions_named(db, {file_ids[p] for p in ordered if p in file_ids},
                              set(named_words), "_".join(named_words))
    return [_with_lines(db, p, total[p], file_ids.get(p), chunks.best.get(p, []), named, fts)
            for p in ordered]


@dataclass
class _Chunks:
    """The best text chunks for the query's terms, by file."""

    content: dict[str, float]  # path -> its best chunks' BM25, the later ones discounted
    best: dict[str, list[tuple[float, int, str]]]  # path -> (score, start line, symbols)
    file_ids: dict[str, int]

    @classmethod
    def read(cls, db: IndexDB, fts: list[str], ranking: Ranking) -> _Chunks:
        rows = db.query(_CHUNKS, (fts_expression(fts), CHUNK_ROWS))
        chunk_scores: dict[str, list[float]] = defaultdict(list)
        best_chunks: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
        file_ids: dict[str, int] = {}
        for file_id, path, start_line, symbols_text, rank in rows:
            score = -float(rank)
            chunk_scores[path].append(score)
            file_ids[path] = int(file_id)
            if len(best_chunks[path]) < LINES_PER_FILE:
                best_chunks[path].append((score, int(start_line), str(symbols_text)))
        content = {p: sum(s * ranking.second_chunk ** i for i, s in enumerate(sorted(v)[::-1][:4]))
                   for p, v in chunk_scores.items()}
        return cls(content, best_chunks, file_ids)


def _second_pass(
    signals: dict[str, dict[str, float]], graph: Graph | None, history: History | None,
    ranking: Ranking,
) -> dict[str, float]:
    """The combined score, after lifting what the best first-pass files (the seeds)
    reference (graph) or changed together with (co-change), when those are on."""
    first = combine(signals, ranking)
    seeds = sorted(first, key=lambda p: -first[p])[: int(ranking.seeds)]
    if graph is not None and ranking.graph:
        signals["graph"] = graph_scores(graph, seeds, first)
    if history is not None and ranking.cochange:
        signals["cochange"] = cochange_scores(history, seeds, first)
    return combine(signals, ranking) if len(signals) > 4 else first


@dataclass
class PathTerms:
    """Stemmed parts of every path, by term: built once per index generation."""

    generation: int
    files: int
    in_names: dict[str, list[str]]  # term -> paths whose file name has it
    in_dirs: dict[str, list[str]]  # term -> paths with a directory that has it


def load_path_terms(db: IndexDB, generation: int) -> PathTerms:
    in_names: dict[str, list[str]] = defaultdict(list)
    in_dirs: dict[str, list[str]] = defaultdict(list)
    rows = db.query("SELECT path FROM files WHERE skip_reason IS NULL")
    for (raw,) in rows:
        path = str(raw)
        segments = path.lower().replace("-", "_").split("/")
        name = segments[-1].rsplit(".", 1)[0]
        name_parts = {stem(p) for p in [name, *name.split("_")] if p}
        dir_parts = {stem(p) for seg in segments[:-1] for p in [seg, *seg.split("_")] if p}
        for term in name_parts:
            in_names[term].append(path)
        for term in dir_parts - name_parts:
            in_dirs[term].append(path)
    return PathTerms(generation, len(rows), dict(in_names), dict(in_dirs))


def path_scores(terms: PathTerms, stems: list[str]) -> dict[str, float]:
    """The sum of idf of the query terms among the path's parts (the file name's count double)."""
    n = max(terms.files, 1)
    out: dict[str, float] = defaultdict(float)
    for term in set(stems):
        names = terms.in_names.get(term, [])
        dirs = terms.in_dirs.get(term, [])
        if not names and not dirs:
            continue
        idf = math.log(1 + n / (len(names) + len(dirs)))
        for path in names:
            out[path] += 2.0 * idf
        for path in dirs:
            out[path] += idf
    return dict(out)


def symbol_scores(db: IndexDB, query: str) -> dict[str, float]:
    """Files defining an identifier the query names (`normalize_invisible_parens`)."""
    names = {w.lower() for w in words(query)
             if len(w) > 3 and w.lower() not in STOPWORDS and (split_identifier(w) or "_" in w)}
    names |= {w.lower() for w in words(query)
              if len(w) >= MIN_NAME_WORD and w.lower() not in STOPWORDS}
    if not names:
        return {}
    marks = ",".join("?" * len(names))
    rows = db.query(
        "SELECT f.path, lower(s.name), s.kind FROM symbols s JOIN files f ON f.id = s.file_id"
        f" WHERE lower(s.name) IN ({marks}) AND s.kind NOT IN ('local', 'variable')",
        tuple(sorted(names)),
    )
    definers: dict[str, set[str]] = defaultdict(set)
    for path, name, _kind in rows:
        definers[str(name)].add(str(path))
    out: dict[str, float] = defaultdict(float)
    for name, paths in definers.items():
        weight = (2.0 if split_identifier(name) or "_" in name else 1.0) / len(paths)
        for path in paths:
            out[path] += weight
    return dict(out)


def graph_scores(graph: Graph, seeds: list[str], first: dict[str, float]) -> dict[str, float]:
    """Files the seeds reference (they define what the best hits use), by seed score."""
    out: dict[str, float] = defaultdict(float)
    for path in seeds:
        node = graph.node_of_path.get(path)
        if node is None:
            continue
        for dst, share in graph.out_edges[node]:
            out[graph.paths[dst]] += first[path] * share
    return dict(out)


def cochange_scores(
    history: History, seeds: list[str], first: dict[str, float]
) -> dict[str, float]:
    """Files changed together with the seeds, by seed score and how often."""
    out: dict[str, float] = defaultdict(float)
    for path in seeds:
        together = history.cochange.get(path)
        if not together:
            continue
        total = history.touched.get(path, 1)
        for other, count in together.most_common(20):
            out[other] += first[path] * count / total
    return dict(out)


def _with_lines(
    db: IndexDB, path: str, score: float, file_id: int | None,
    chunks: list[tuple[float, int, str]], named: dict[int, list[tuple[int, str]]],
    terms: list[str],
) -> FileHit:
    """The file's best lines: a definition the query names, else the line of most terms."""
    hit = FileHit(path, score)
    if file_id is None or not chunks:
        return hit
    wanted = set(terms)
    for chunk_score, start_line, _symbols in chunks:
        body_rows = db.query(
            "SELECT fts.body FROM fts JOIN chunks c ON c.id = fts.rowid"
            " WHERE c.file_id=? AND c.start_line=?", (file_id, start_line),
        )
        if not body_rows:
            continue
        lines = str(body_rows[0][0]).split("\n")
        found = in_chunk(named.get(file_id, []), start_line)
        symbol: str | None = None
        if found is not None:
            line, symbol = found
        else:
            offset = best_line(lines[:CHUNK_LINES], wanted, words)
            if offset is None:
                continue
            line = start_line + offset
        text = lines[line - start_line] if 0 <= line - start_line < len(lines) else ""
        bonus = SYMBOL_LINE_BONUS if symbol is not None else 0.0
        hit.lines.append(LineHit(line, chunk_score + bonus, text.strip()[:MAX_PREVIEW], symbol))
    hit.lines.sort(key=lambda h: (-h.score, h.line))
    return hit
