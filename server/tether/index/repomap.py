"""The ranked repo map: which definitions of the folder matter for this conversation.

Files are nodes; a file that references a name points at the files defining it. A
personalized PageRank toward the focus files and the mentioned identifiers ranks files,
each file passes its rank on to the definitions it references, and the best
definitions are rendered as `path:` + numbered signature lines, as many as fit the token
budget (chars/4). The graph is loaded once per index generation, off the request path;
ranking checks a deadline so the map is always ready within its time budget.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from tether.index.db import IndexDB
from tether.index.symbols import MEMBER

DAMPING = 0.85
MAX_ITERATIONS = 20
TOLERANCE = 1e-4  # the map needs an order, not six digits
OUTLINE_FILES = 50
MAX_DEFINERS = 25  # a name defined in more files than this says nothing (e.g. `get`)
MAX_CANDIDATES = 3000
FOCUS_SELF_WEIGHT = 0.05
QUERY_FILES = 8  # files the user's message is about (file search) that steer the map
QUERY_WEIGHT = 2.0  # the best of them weighs as much as two focus files
MEMBER_WEIGHT = 0.2  # `x.pop()` could be anyone's pop: worth a fifth of a plain reference


@dataclass
class Graph:
    generation: int
    paths: list[str]  # node -> relative path
    ids: list[int]  # node -> files.id
    node_of_path: dict[str, int]
    defines: dict[str, list[int]]  # name -> nodes defining it
    out_edges: list[list[tuple[int, float]]]  # node -> [(node, share of its weight)]
    # node -> [(defining node, name, share of the node's weight)]: how rank flows to names
    name_edges: list[list[tuple[int, str, float]]] = field(default_factory=list)
    names_of: dict[int, list[str]] = field(default_factory=dict)  # node -> names defined


_REFS = f"""
SELECT file_id, name, count FROM refs
WHERE (CASE WHEN substr(name, 1, 1) = '{MEMBER}' THEN substr(name, 2) ELSE name END)
      IN (SELECT name FROM symbols)
"""


def load_graph(db: IndexDB, generation: int) -> Graph:
    """Read definitions and references into the ranking graph (blocking; run in a thread).

    A reference's weight is sqrt(count), split among the files defining the name, times
    the name's IDF over referencing files: `pop` or `super`, used everywhere, says little
    about which file matters; `LoginView` says a lot.
    """
    files = db.query("SELECT id, path FROM files WHERE skip_reason IS NULL ORDER BY id")
    ids = [int(r[0]) for r in files]
    paths = [str(r[1]) for r in files]
    node_of_id = {fid: n for n, fid in enumerate(ids)}
    defines, names_of = _definitions(db, node_of_id)
    refs = _references(db, node_of_id, defines)
    weights, raw_name_edges = _reference_weights(refs, defines, len(ids))
    out_edges: list[list[tuple[int, float]]] = []
    name_edges: list[list[tuple[int, str, float]]] = []
    for src, row in enumerate(weights):  # each node's weights as shares of its total
        total = sum(row.values())
        out_edges.append([(dst, w / total) for dst, w in row.items()] if total else [])
        name_edges.append([(d, n, w / total) for d, n, w in raw_name_edges[src]] if total else [])
    return Graph(
        generation, paths, ids, {p: n for n, p in enumerate(paths)}, dict(defines),
        out_edges, name_edges, dict(names_of),
    )


def _definitions(
    db: IndexDB, node_of_id: dict[int, int]
) -> tuple[dict[str, list[int]], dict[int, list[str]]]:
    """(name -> nodes defining it, node -> names it defines); impls and locals left out."""
    defines: dict[str, list[int]] = defaultdict(list)
    names_of: dict[int, list[str]] = defaultdict(list)
    for file_id, name in db.query(
        "SELECT DISTINCT file_id, name FROM symbols WHERE kind NOT IN ('impl', 'local')"
    ):
        node = node_of_id.get(file_id)
        if node is not None:
            defines[name].append(node)
            names_of[node].append(name)
    return defines, names_of


def _references(
    db: IndexDB, node_of_id: dict[int, int], defines: dict[str, list[int]]
) -> list[tuple[int, str, float]]:
    """(node, name, count with member calls discounted) of references to names defined in
    at most MAX_DEFINERS files."""
    refs: list[tuple[int, str, float]] = []
    for file_id, raw_name, count in db.query(_REFS):
        src = node_of_id.get(file_id)
        member = raw_name.startswith(MEMBER)
        name = raw_name[1:] if member else raw_name
        if src is not None and 0 < len(defines.get(name, ())) <= MAX_DEFINERS:
            refs.append((src, name, count * (MEMBER_WEIGHT if member else 1.0)))
    return refs


def _reference_weights(
    refs: list[tuple[int, str, float]], defines: dict[str, list[int]], nodes: int
) -> tuple[list[dict[int, float]], list[list[tuple[int, str, float]]]]:
    """(node -> {defining node: weight}, node -> [(defining node, name, weight)]), the
    weights as the docstring of load_graph says; a private name's weighs a tenth."""
    users: dict[str, int] = defaultdict(int)
    for _src, name, _count in refs:
        users[name] += 1
    n_files = max(nodes, 1)
    weights: list[dict[int, float]] = [{} for _ in range(nodes)]
    raw_name_edges: list[list[tuple[int, str, float]]] = [[] for _ in range(nodes)]
    for src, name, count in refs:
        targets = defines[name]
        w = math.sqrt(count) / len(targets) * math.log1p(n_files / users[name]) ** 2
        if name.startswith("_"):
            w *= 0.1
        row = weights[src]
        for dst in targets:
            if dst != src:
                row[dst] = row.get(dst, 0.0) + w
                raw_name_edges[src].append((dst, name, w))
    return weights, raw_name_edges


def pagerank(graph: Graph, personal: dict[int, float], deadline: float) -> list[float]:
    """Personalized PageRank; stops early at convergence or at the deadline."""
    n = len(graph.paths)
    if n == 0:
        return []
    total = sum(personal.values())
    p = [0.0] * n
    if total > 0:
        for node, w in personal.items():
            p[node] = w / total
    else:
        p = [1.0 / n] * n
    rank = list(p)
    out_edges = graph.out_edges
    for _ in range(MAX_ITERATIONS):
        if time.monotonic() > deadline:
            break
        nxt = [0.0] * n
        dangling = 0.0
        for src in range(n):
            r = rank[src]
            edges = out_edges[src]
            if not edges:
                dangling += r
                continue
            r *= DAMPING
            for dst, w in edges:
                nxt[dst] += r * w
        base = 1.0 - DAMPING + DAMPING * dangling
        delta = 0.0
        for i in range(n):
            v = nxt[i] + base * p[i]
            delta += abs(v - rank[i])
            nxt[i] = v
        rank = nxt
        if delta < TOLERANCE:
            break
    return rank


def personalization(
    graph: Graph, focus_files: list[str], mentioned: list[str],
    found: dict[str, float] | None = None,
) -> tuple[dict[int, float], set[str], set[int]]:
    """PageRank's restart weights: focus files, mentioned names' definers, searched files.

    `found` maps the files a search for the user's message ranked best to their score
    relative to the best one; unlike focus files they are not in the conversation yet, so
    their own definitions are shown, not discounted.
    """
    personal: dict[int, float] = {}
    focus: set[int] = set()
    for path, weight in (found or {}).items():
        node = graph.node_of_path.get(path)
        if node is not None:
            personal[node] = personal.get(node, 0.0) + QUERY_WEIGHT * weight
    for path in focus_files:
        node = graph.node_of_path.get(path)
        if node is not None:
            personal[node] = personal.get(node, 0.0) + 1.0
            focus.add(node)
    names = {m for m in mentioned if m}
    lowered = {m.lower() for m in names}
    for name in names:
        definers = graph.defines.get(name, [])
        if len(definers) > MAX_DEFINERS:  # `get`, `run`: says nothing about where to look
            continue
        for node in definers:
            personal[node] = personal.get(node, 0.0) + 0.5
    if lowered:
        for node, path in enumerate(graph.paths):
            stem = path.rsplit("/", 1)[-1].split(".", 1)[0].lower()
            if stem in lowered:
                personal[node] = personal.get(node, 0.0) + 0.5
    return personal, names, focus


def rank_definitions(
    graph: Graph, rank: list[float], mentioned: set[str], focus: set[int],
    deadline: float = math.inf,
) -> list[tuple[float, int, str]]:
    """(score, node, name) of the best definitions, best first.

    Each file passes its rank on to the definitions it references (as in aider's map);
    a definition nobody ranked still gets a sliver of its own file's rank, so a focused
    or mentioned file can show its outline.
    """
    flow: dict[tuple[int, str], float] = defaultdict(float)
    # Highest-ranked files first, so that running out of time drops only the small flows.
    order = sorted((n for n in range(len(rank)) if rank[n] > 0.0), key=lambda n: -rank[n])
    for i, src in enumerate(order):
        if i % 256 == 0 and time.monotonic() > deadline:
            break
        r = rank[src]
        for dst, name, share in graph.name_edges[src]:
            flow[(dst, name)] += r * share
    # Candidates: what received rank, plus the outlines of the best-ranked files.
    candidates = set(flow)
    for node in order[:OUTLINE_FILES]:
        candidates.update((node, name) for name in graph.names_of.get(node, ()))
    scored: list[tuple[float, int, str]] = []
    for node, name in candidates:
        score = flow.get((node, name), 0.0) + rank[node] * 0.01
        if name in mentioned:
            score *= 10.0
        if node in focus:  # the focus files are in the conversation already
            score *= FOCUS_SELF_WEIGHT
        if name.startswith("_"):
            score *= 0.1
        if score > 0.0:  # unreachable from the focus: not worth a line
            scored.append((score, node, name))
    return heapq.nsmallest(MAX_CANDIDATES, scored, key=lambda t: (-t[0], t[1], t[2]))


def render(
    db: IndexDB, graph: Graph, ranked: list[tuple[float, int, str]], budget_tokens: int
) -> str:
    """The largest prefix of `ranked` whose rendering fits `budget_tokens` (chars / 4)."""
    if budget_tokens <= 0 or not ranked:
        return ""
    budget_chars = budget_tokens * 4
    # No more definitions than could possibly fit (a line is at least ~8 chars).
    ranked = ranked[: max(1, budget_chars // 8)]
    lines_of = _signature_lines(db, graph, {node for _, node, _ in ranked})
    lo, hi, best = 1, len(ranked), ""
    while lo <= hi:
        mid = (lo + hi) // 2
        text = _render_prefix(graph, ranked[:mid], lines_of)
        if len(text) <= budget_chars:
            best, lo = text, mid + 1
        else:
            hi = mid - 1
    return best


def _signature_lines(
    db: IndexDB, graph: Graph, nodes: set[int]
) -> dict[tuple[int, str], list[tuple[int, str]]]:
    out: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    by_id = {graph.ids[n]: n for n in nodes}
    id_list = sorted(by_id)
    for start in range(0, len(id_list), 500):
        part = id_list[start : start + 500]
        marks = ",".join("?" * len(part))
        for file_id, name, line, signature in db.query(
            f"SELECT file_id, name, line, signature FROM symbols WHERE file_id IN ({marks})",
            tuple(part),
        ):
            out[(by_id[file_id], name)].append((int(line), str(signature)))
    return out


def _render_prefix(
    graph: Graph,
    ranked: list[tuple[float, int, str]],
    lines_of: dict[tuple[int, str], list[tuple[int, str]]],
) -> str:
    per_file: dict[int, dict[int, str]] = {}
    order: list[int] = []
    for _score, node, name in ranked:
        if node not in per_file:
            per_file[node] = {}
            order.append(node)
        for line, signature in lines_of.get((node, name), []):
            per_file[node][line] = signature
    chunks: list[str] = []
    for node in order:
        entries = per_file[node]
        body = "\n".join(f"{line + 1:>5}│{entries[line]}" for line in sorted(entries))
        chunks.append(f"{graph.paths[node]}:\n{body}" if body else f"{graph.paths[node]}:")
    return "\n".join(chunks) + "\n" if chunks else ""


def build_map(
    db: IndexDB,
    graph: Graph,
    focus_files: list[str],
    mentioned: list[str],
    budget_tokens: int,
    deadline: float,
    found: dict[str, float] | None = None,
) -> str:
    """Rank and render (blocking; run in a thread).

    PageRank may use 40% of the time left, the definitions' ranking up to 70% of it; the
    rest is for rendering, which is bounded by the budget's size.
    """
    personal, names, focus = personalization(graph, focus_files, mentioned, found)
    start = time.monotonic()
    left = max(0.0, deadline - start)
    rank = pagerank(graph, personal, start + left * 0.4)
    ranked = rank_definitions(graph, rank, names, focus, start + left * 0.7)
    return render(db, graph, ranked, budget_tokens)


def fallback_map(
    db: IndexDB, focus_files: list[str], mentioned: list[str], budget_tokens: int
) -> str:
    """Before the graph exists: the focus files' and mentioned names' definitions only."""
    entries: dict[str, dict[int, str]] = defaultdict(dict)
    for path in focus_files:
        for line, signature in db.query(
            "SELECT s.line, s.signature FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE f.path=? ORDER BY s.line LIMIT 200", (path,),
        ):
            entries[path][int(line)] = str(signature)
    for name in mentioned:
        for path, line, signature in db.query(
            "SELECT f.path, s.line, s.signature FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE s.name=? LIMIT 20", (name,),
        ):
            entries[path][int(line)] = str(signature)
    out, used = [], 0
    for path, lines in entries.items():
        block = f"{path}:\n" + "".join(f"{n + 1:>5}│{lines[n]}\n" for n in sorted(lines))
        if used + len(block) > budget_tokens * 4:
            break
        out.append(block)
        used += len(block)
    return "".join(out)
