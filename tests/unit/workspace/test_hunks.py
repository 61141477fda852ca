"""Hunks: ids that survive later edits elsewhere, partial application, exact deltas."""

from __future__ import annotations

from tether.workspace.hunks import apply_hunks, compute_hunks, decode_delta, encode_delta

BEFORE = "".join(f"line {i}\n" for i in range(1, 21))


def test_ids_are_stable_when_a_later_edit_shifts_lines() -> None:
    one = BEFORE.replace("line 15\n", "LINE 15\n")
    first = compute_hunks("f.py", BEFORE, one)
    two = one.replace("line 2\n", "line 2\nadded a\nadded b\n")  # shifts line 15 down
    second = compute_hunks("f.py", BEFORE, two)
    assert first[0].id in [h.id for h in second] and len(second) == 2
    moved = next(h for h in second if h.id == first[0].id)
    assert moved.new_start == first[0].new_start + 2
    assert moved.describe() == "line 17"


def test_repeated_identical_changes_get_distinct_ids() -> None:
    text = "x\na\nx\nb\n"
    hunks = compute_hunks("f", text, text.replace("x", "y"))
    assert len({h.id for h in hunks}) == 2


def test_apply_some_hunks_only() -> None:
    after = BEFORE.replace("line 3\n", "THREE\n").replace("line 18\n", "")
    hunks = compute_hunks("f", BEFORE, after)
    assert apply_hunks(BEFORE, hunks) == after
    assert apply_hunks(BEFORE, hunks[1:]) == BEFORE.replace("line 18\n", "")
    assert apply_hunks(BEFORE, []) == BEFORE


def test_delta_round_trips_exactly_and_is_small() -> None:
    for before, after in [(BEFORE, BEFORE.replace("line 7", "seven")), ("", "new\r\nfile"),
                          ("a\r\nb", "a\r\nb\r\n"), ("x" * 100_000 + "\n", "")]:
        delta = encode_delta(before, after)
        assert decode_delta(before, delta) == after
    assert len(encode_delta(BEFORE * 100, (BEFORE * 100).replace("line 7\n", "x\n", 1))) < 100
