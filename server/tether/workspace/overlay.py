"""The live text of the documents open in the editor, kept in step with LSP text sync.

The agent must read what the user sees, unsaved changes included (design invariant 4),
so the LSP layer feeds every didOpen / didChange / didClose here and the editor bridge
reads from it before falling back to the disk. Plain Python, no pygls: positions are
LSP positions (0-based line, column in the negotiated encoding, UTF-16 by default) and
lines end at "\\r\\n", "\\r" or "\\n", as the LSP specification says.
"""

from __future__ import annotations

import asyncio
import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tether.workspace.folder import canonical, uri_to_path

Encoding = Literal["utf-8", "utf-16", "utf-32"]

_EOL = re.compile(r"\r\n|\r|\n")


class OverlayError(ValueError):
    """A text sync message that cannot be applied (unknown document, inverted range)."""


@dataclass(frozen=True)
class TextChange:
    """One LSP content change: `range` None replaces the whole text."""

    text: str
    start: tuple[int, int] | None = None  # (line, character)
    end: tuple[int, int] | None = None


@dataclass
class OpenDocument:
    uri: str
    path: Path | None  # canonical path for file:// URIs, None for other schemes
    text: str
    version: int
    language_id: str = ""


def _units(ch: str, encoding: Encoding) -> int:
    if encoding == "utf-16":
        return 2 if ord(ch) > 0xFFFF else 1
    if encoding == "utf-8":
        return len(ch.encode("utf-8"))
    return 1


def line_starts(text: str) -> list[int]:
    """Offsets where each line begins (the first is 0; a trailing EOL opens an empty line)."""
    return [0, *(m.end() for m in _EOL.finditer(text))]


def _line_content_end(text: str, starts: list[int], line: int) -> int:
    """Offset just before the line's terminator (or the text's end for the last line)."""
    if line + 1 < len(starts):
        end = starts[line + 1]
        if text[end - 2 : end] == "\r\n":
            return end - 2
        return end - 1
    return len(text)


def offset_at(
    text: str,
    line: int,
    character: int,
    encoding: Encoding = "utf-16",
    starts: list[int] | None = None,
) -> int:
    """The string offset of an LSP position; past-the-end lines/columns clamp to the end."""
    if line < 0 or character < 0:
        raise OverlayError(f"negative position ({line}, {character})")
    starts = starts if starts is not None else line_starts(text)
    if line >= len(starts):
        return len(text)
    offset = starts[line]
    stop = _line_content_end(text, starts, line)
    units = 0
    while offset < stop:
        width = _units(text[offset], encoding)
        if units + width > character:
            break  # a column inside a surrogate pair / UTF-8 sequence snaps left
        units += width
        offset += 1
    return offset


def position_at(
    text: str, offset: int, encoding: Encoding = "utf-16", starts: list[int] | None = None
) -> tuple[int, int]:
    """The LSP position (line, character) of a string offset."""
    offset = max(0, min(offset, len(text)))
    starts = starts if starts is not None else line_starts(text)
    line = bisect.bisect_right(starts, offset) - 1
    column = sum(_units(ch, encoding) for ch in text[starts[line] : offset])
    return line, column


def apply_change(text: str, change: TextChange, encoding: Encoding = "utf-16") -> str:
    """`text` with one content change applied."""
    if change.start is None or change.end is None:
        return change.text
    starts = line_starts(text)
    start = offset_at(text, *change.start, encoding=encoding, starts=starts)
    end = offset_at(text, *change.end, encoding=encoding, starts=starts)
    if end < start:
        raise OverlayError(f"change range ends before it starts: {change.start} > {change.end}")
    return text[:start] + change.text + text[end:]


def _path_of(uri: str) -> Path | None:
    try:
        return canonical(uri_to_path(uri)) if uri.startswith("file:") else None
    except ValueError:
        return None


class DocumentOverlay:
    """Open documents by URI (and by canonical path), with their editor versions."""

    def __init__(self, encoding: Encoding = "utf-16") -> None:
        self.encoding: Encoding = encoding
        self._docs: dict[str, OpenDocument] = {}
        self._by_path: dict[Path, str] = {}
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}

    def __len__(self) -> int:
        return len(self._docs)

    def documents(self) -> list[OpenDocument]:
        return list(self._docs.values())

    def open(self, uri: str, text: str, version: int, language_id: str = "") -> OpenDocument:
        doc = OpenDocument(uri=uri, path=_path_of(uri), text=text, version=version,
                           language_id=language_id)
        self._docs[uri] = doc
        if doc.path is not None:
            self._by_path[doc.path] = uri
        self._wake(uri)
        return doc

    def change(self, uri: str, version: int, changes: Iterable[TextChange]) -> OpenDocument:
        """Apply content changes in order; all or nothing when one is invalid."""
        doc = self._docs.get(uri)
        if doc is None:
            raise OverlayError(f"didChange for a document that is not open: {uri}")
        text = doc.text
        for change in changes:
            text = apply_change(text, change, self.encoding)
        doc.text = text
        doc.version = version
        self._wake(uri)
        return doc

    def save(self, uri: str, text: str | None = None) -> OpenDocument | None:
        doc = self._docs.get(uri)
        if doc is not None and text is not None:
            doc.text = text
        return doc

    def close(self, uri: str) -> OpenDocument | None:
        doc = self._docs.pop(uri, None)
        if doc is not None and doc.path is not None and self._by_path.get(doc.path) == uri:
            del self._by_path[doc.path]
        self._wake(uri)
        return doc

    def get(self, uri: str) -> OpenDocument | None:
        return self._docs.get(uri)

    def get_path(self, path: Path) -> OpenDocument | None:
        uri = self._by_path.get(canonical(path))
        return self._docs.get(uri) if uri is not None else None

    async def wait_for_change(self, uri: str, version: int, timeout: float) -> bool:
        """Wait until the document's version is no longer `version` (or it closed).

        The bridge uses it after `workspace/applyEdit`: clients answer the request and
        send the resulting didChange in either order (Neovim debounces didChange).
        """
        doc = self._docs.get(uri)
        if doc is None or doc.version != version:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(uri, []).append(future)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return False
        finally:
            waiters = self._waiters.get(uri, [])
            if future in waiters:
                waiters.remove(future)
        return True

    def _wake(self, uri: str) -> None:
        for future in self._waiters.pop(uri, []):
            if not future.done():
                future.set_result(None)
