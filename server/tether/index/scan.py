"""Read, classify and parse one file: the unit of work of the parse pool.

Everything here is plain data in and out (picklable), so it runs the same in a thread or
in a worker process. Bad input never raises: it comes back as a `skipped` result with a
reason, which the build counts.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from functools import lru_cache
from typing import NamedTuple

from tether.index import symbols as symbols_mod
from tether.index.languages import QUERIES, language_for
from tether.index.symbols import Symbol
from tether.workspace.safe_open import NotRegularFileError, regular_opener
from tether.workspace.walk import SPECIAL  # the walk and the scan count one reason

CHUNK_LINES = 40
BINARY_SNIFF = 8000
MAX_PREVIEW = 200
_READ_ATTEMPTS = 3
_WORD = re.compile(r"\w+")
# A camelCase step: lower->Upper (getName) or UPPER->Word (HTTPServer).
_CAMEL_STEP = re.compile(r"[a-z0-9][A-Z]|[A-Z][A-Z][a-z]")
# A definition line in the common languages: modifiers, a keyword, the name.
_DEFINES = re.compile(
    r"^[ \t]*(?:(?:pub(?:\([^)\n]*\))?|export|default|async|static|public|private|protected"
    r"|abstract|final|unsafe|extern|inline|override|open|data|sealed)[ \t]+)*"
    r"(?:def|class|fn|struct|enum|trait|impl|mod|interface|type|function|func|fun|module"
    r"|record|protocol|macro_rules!|object)[ \t]+([A-Za-z_$][\w$]*)",
    re.MULTILINE,
)
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

# Skip reasons (the keys of IndexStats.skipped).
BINARY = "binary"
INVALID_UTF8 = "invalid_utf8"
TOO_LARGE = "too_large"
VANISHED = "vanished"
UNREADABLE = "unreadable"
CHANGED = "changed_during_read"
PARSE_ERROR = "parse_error"  # counted, but the file stays searchable with partial symbols


class Known(NamedTuple):
    """What the cache remembers of a file, to skip unchanged ones."""

    size: int
    mtime_ns: int
    hash: str


class Chunk(NamedTuple):
    start_line: int
    path_text: str  # only on the first chunk of a file
    symbol_text: str  # names the chunk seems to define (see defined_names)
    ident_text: str
    body: str


class FileResult(NamedTuple):
    path: str  # relative, posix
    status: str  # "indexed" | "unchanged" | "touched" (same hash, new mtime) | "skipped"
    reason: str | None = None
    size: int = 0
    mtime_ns: int = 0
    hash: str = ""
    language: str | None = None
    symbols: list[Symbol] = []
    refs: dict[str, int] = {}
    has_error: bool = False
    chunks: list[Chunk] = []
    pending_symbols: bool = False  # text only so far; the symbol pass fills the rest


@lru_cache(maxsize=65536)
def split_identifier(word: str) -> tuple[str, ...]:
    """`getHTTPResponse_code` -> ("get", "http", "response", "code"); one part -> ()."""
    parts = [p.lower() for piece in word.split("_") for p in _PART.findall(piece)]
    return tuple(parts) if len(parts) > 1 else ()


def identifier_parts(text: str) -> str:
    """The parts of every camelCase identifier in `text`, space separated, unique.

    snake_case needs nothing: the FTS tokenizer already splits on `_`.
    """
    seen: dict[str, None] = {}
    for word in set(_WORD.findall(text)):
        if word.islower() or not _CAMEL_STEP.search(word):
            continue
        for part in split_identifier(word):
            seen[part] = None
    return " ".join(seen)


def path_words(path: str) -> str:
    stem_parts = [" ".join(split_identifier(seg)) for seg in re.split(r"[/.\-]", path)]
    return path + " " + " ".join(p for p in stem_parts if p)


def hash_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode(data: bytes) -> str | None:
    """UTF-8 text, or None when the bytes are not valid UTF-8."""
    try:
        return data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        return None


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:BINARY_SNIFF]


def analyse_text(path: str, text: str, with_symbols: bool = True) -> FileResult:
    """Symbols, references and search chunks of `text` (disk content or an unsaved buffer).

    `with_symbols=False` is a build's first pass: text chunks only, searchable at once;
    the symbol pass (symbol_pass.py) parses the file later.
    """
    language = language_for(path)
    syms: list[Symbol] = []
    refs: dict[str, int] = {}
    has_error = False
    if not with_symbols and language in QUERIES:
        return FileResult(path=path, status="indexed", language=language,
                          chunks=make_chunks(path, text), pending_symbols=True)
    if language is not None and symbols_mod.supports(language):
        try:
            extraction = symbols_mod.extract(language, text)
        except Exception:  # a grammar crash must not lose the file: search-only
            extraction = None
            has_error = True
        if extraction is not None:
            syms, refs, has_error = extraction
    return FileResult(
        path=path,
        status="indexed",
        language=language,
        symbols=syms,
        refs=refs,
        has_error=has_error,
        chunks=make_chunks(path, text),
    )


def defined_names(body: str) -> str:
    """The `symbols` column: names a chunk seems to define (`def x`, `class X`, `fn x`...)
    and their parts, found by a pattern rather than the parser, so that the text pass has
    them and the symbol pass never re-indexes the text. Exact definitions (kinds, lines,
    containers) are the symbol pass's, in the symbols table."""
    names = dict.fromkeys(_DEFINES.findall(body))
    return " ".join([*names, *(p for n in names for p in split_identifier(n))])


def make_chunks(path: str, text: str) -> list[Chunk]:
    """40-line chunks of text for FTS: searchable before (and without) the symbol pass."""
    lines = text.split("\n")
    chunks: list[Chunk] = []
    for index, start in enumerate(range(0, max(len(lines), 1), CHUNK_LINES)):
        body = "\n".join(lines[start : start + CHUNK_LINES])
        chunks.append(
            Chunk(
                start_line=start,
                path_text=path_words(path) if index == 0 else "",
                symbol_text=defined_names(body),
                ident_text=identifier_parts(body),
                body=body,
            )
        )
    return chunks


def buffer_result(path: str, text: str, max_bytes: int) -> FileResult:
    """Index an editor buffer's unsaved text instead of the disk.

    size/mtime are -1, so the next build re-reads the disk once the buffer is gone.
    """
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > max_bytes:
        return FileResult(path, "skipped", TOO_LARGE, size=-1, mtime_ns=-1)
    return analyse_text(path, text)._replace(size=-1, mtime_ns=-1, hash=hash_bytes(data))


def scan_file(
    root: str, path: str, max_bytes: int, known: Known | None, with_symbols: bool = True
) -> FileResult:
    """Read `root/path` and index it, or say why not (never raises for bad input)."""
    full = os.path.join(root, path)
    for _attempt in range(_READ_ATTEMPTS):
        read = _read_once(full, path, max_bytes, known)
        if isinstance(read, FileResult):
            return read
        if read is not None:
            return _index_bytes(path, read, max_bytes, known, with_symbols)
    return FileResult(path, "skipped", CHANGED)


class _Read(NamedTuple):
    """A file's bytes with the size and mtime they were read at."""

    data: bytes
    size: int
    mtime_ns: int


def _read_once(full: str, path: str, max_bytes: int, known: Known | None
               ) -> FileResult | _Read | None:
    """The file's bytes; a FileResult when it is not to be read; None when it changed
    while being read (the stats before and after differ: try again)."""
    try:
        before = os.stat(full)
    except FileNotFoundError:
        return FileResult(path, "skipped", VANISHED)
    except OSError:
        return FileResult(path, "skipped", UNREADABLE)
    size, mtime_ns = before.st_size, before.st_mtime_ns
    verdict = _before_reading(path, before, max_bytes, known)
    if verdict is not None:
        return verdict
    try:
        # the opener refuses what became a FIFO or device since the stat
        with open(full, "rb", opener=regular_opener) as handle:
            data = handle.read(max_bytes + 1)
            after = os.fstat(handle.fileno())
    except FileNotFoundError:
        return FileResult(path, "skipped", VANISHED)
    except NotRegularFileError:
        return FileResult(path, "skipped", SPECIAL)
    except OSError:
        return FileResult(path, "skipped", UNREADABLE)
    if (after.st_size, after.st_mtime_ns) == (size, mtime_ns) and len(data) == size:
        return _Read(data, size, mtime_ns)
    return None


def _before_reading(path: str, before: os.stat_result, max_bytes: int, known: Known | None
                    ) -> FileResult | None:
    """What the stat alone decides: unchanged since the cache, special, or too large."""
    size, mtime_ns = before.st_size, before.st_mtime_ns
    if known is not None and known.size == size and known.mtime_ns == mtime_ns:
        return FileResult(path, "unchanged", size=size, mtime_ns=mtime_ns, hash=known.hash)
    if not stat.S_ISREG(before.st_mode) and not stat.S_ISDIR(before.st_mode):
        return FileResult(path, "skipped", SPECIAL)  # never opened: a FIFO would block
    if size > max_bytes:
        return FileResult(path, "skipped", TOO_LARGE, size=size, mtime_ns=mtime_ns)
    return None


def _index_bytes(path: str, read: _Read, max_bytes: int, known: Known | None,
                 with_symbols: bool) -> FileResult:
    """Index what was read: touched (same hash as cached), binary, bad UTF-8, or text."""
    data, size, mtime_ns = read
    if len(data) > max_bytes:
        return FileResult(path, "skipped", TOO_LARGE, size=size, mtime_ns=mtime_ns)
    digest = hash_bytes(data)
    status, reason = "skipped", None
    if known is not None and known.hash == digest:
        status = "touched"
    elif is_binary(data):
        reason = BINARY
    else:
        text = decode(data)
        if text is not None:
            return analyse_text(path, text, with_symbols)._replace(
                hash=digest, size=size, mtime_ns=mtime_ns)
        reason = INVALID_UTF8
    return FileResult(path, status, reason, size=size, mtime_ns=mtime_ns, hash=digest)


def scan_batch(
    root: str, items: list[tuple[str, Known | None]], max_bytes: int
) -> list[FileResult]:
    """The pool's task: a batch keeps the per-task overhead small."""
    return [scan_file(root, path, max_bytes, known) for path, known in items]


def scan_text_batch(
    root: str, items: list[tuple[str, Known | None]], max_bytes: int
) -> list[FileResult]:
    """A build's first pass: text only (symbols follow in symbol_pass.symbol_batch)."""
    return [scan_file(root, path, max_bytes, known, False) for path, known in items]
