"""Reading a history file line by line, forwards or backwards, in blocks.

Pure byte splitting on b"\\n" (never str.splitlines, which also breaks on U+2028 and
friends). Backwards reading is what lets a tail load of a huge session touch only its
end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

FORWARD_BLOCK = 1 << 20
BACKWARD_BLOCK = 1 << 18


def read_first_line(f: BinaryIO, limit: int) -> bytes:
    """The first line with its newline (without one when the file has no complete line)."""
    f.seek(0)
    return f.readline(limit)


def forward_lines(
    f: BinaryIO, start: int, end: int, block: int = FORWARD_BLOCK
) -> Iterator[tuple[int, bytes, bool]]:
    """(offset, line without newline, terminated) for each line in [start, end), in order.

    Only the last one can be unterminated: the torn tail of a crashed write, or bytes a
    concurrent writer has not finished.
    """
    pos = start
    pending: list[bytes] = []  # pieces of a line longer than a block: joined once, not per block
    carry_at = start
    f.seek(start)
    while pos < end:
        chunk = f.read(min(block, end - pos))
        if not chunk:
            break
        pos += len(chunk)
        if b"\n" not in chunk:
            pending.append(chunk)
            continue
        data = b"".join([*pending, chunk]) if pending else chunk
        parts = data.split(b"\n")
        offset = carry_at
        for part in parts[:-1]:
            yield offset, part, True
            offset += len(part) + 1
        pending = [parts[-1]] if parts[-1] else []
        carry_at = offset
    if pending:
        yield carry_at, b"".join(pending), False


def backward_lines(
    f: BinaryIO, start: int, end: int, block: int = BACKWARD_BLOCK
) -> Iterator[tuple[int, bytes, bool]]:
    """(offset, line without newline, terminated) for each line in [start, end), last first.

    `start` must be the offset of a line start (e.g. just after the header). Empty lines
    are yielded too; the caller decides what they mean.
    """
    pos = end
    carry = b""  # the leading, still incomplete part of the lowest line read so far
    first = True
    size = block
    while pos > start:
        step = min(size, pos - start)
        pos -= step
        f.seek(pos)
        chunk = f.read(step)
        data = chunk + carry
        parts = data.split(b"\n")
        if len(parts) == 1 and pos > start:
            carry = data  # one huge line: read further back with bigger blocks
            size *= 2
            continue
        line_end = pos + len(data)
        for index in range(len(parts) - 1, 0, -1):
            part = parts[index]
            line_start = line_end - len(part)
            if first:
                first = False
                if part:  # bytes after the last newline: an unterminated tail
                    yield line_start, part, False
            else:
                yield line_start, part, True
            line_end = line_start - 1
        carry = parts[0]
        size = block
    if carry:
        yield start, carry, not first
