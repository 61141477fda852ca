"""The block line readers agree with a plain split, at every block size and start."""

from __future__ import annotations

import io
import random

from tether.store.lines import backward_lines, forward_lines


def _reference(data: bytes, start: int) -> list[tuple[int, bytes, bool]]:
    out = []
    offset = start
    parts = data[start:].split(b"\n")
    for part in parts[:-1]:
        out.append((offset, part, True))
        offset += len(part) + 1
    if parts[-1]:
        out.append((offset, parts[-1], False))
    return out


def test_forward_and_backward_match_a_plain_split() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        data = bytes(
            rng.choice(b"ab\n") if rng.random() < 0.6 else 97 for _ in range(rng.randint(0, 80))
        )
        start = rng.randint(0, len(data))
        if start and data[start - 1 : start] != b"\n":
            start = 0
        block = rng.randint(1, 9)
        f = io.BytesIO(data)
        expected = _reference(data, start)
        assert list(forward_lines(f, start, len(data), block)) == expected
        backward = list(backward_lines(f, start, len(data), block))
        assert [x for x in reversed(backward) if x[1]] == [x for x in expected if x[1]]


def test_a_line_much_longer_than_a_block() -> None:
    data = b"short\n" + b"x" * 100_000 + b"\nend"
    f = io.BytesIO(data)
    assert [len(x[1]) for x in forward_lines(f, 0, len(data), 64)] == [5, 100_000, 3]
    assert [len(x[1]) for x in backward_lines(f, 0, len(data), 64)] == [3, 100_000, 5]
