"""3-way rebase: the agent's hunks replayed onto the user's newer text, or a conflict."""

import itertools
import random

import pytest

from tether.workspace.rebase import Conflict, rebase


def lines(*items: str) -> str:
    return "".join(f"{item}\n" for item in items)


BASE = lines(*(f"b{i}" for i in range(1, 21)))  # 20 lines: b1..b20


def change(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("user_old", "user_new", "agent_old", "agent_new"),
    [
        ("b1\n", "U1\n", "b10\n", "A10\n"),  # user at start, agent in the middle
        ("b10\n", "U10\n", "b1\n", "A1\n"),  # agent at start
        ("b20\n", "U20\n", "b2\n", "A2\n"),  # user at the end
        ("b2\n", "U2\n", "b20\n", "A20\nA21\n"),  # agent appends at the end
        ("b5\nb6\n", "", "b12\n", "A12\n"),  # user deletes lines
        ("b12\n", "U12\nU12b\nU12c\n", "b3\n", ""),  # user inserts, agent deletes
        ("b4\n", "b4\nU\n", "b8\n", "b8\nA\n"),  # both insert, far apart
        ("b1\n", "U1\n", "b3\n", "A3\n"),  # one untouched line between
    ],
)
def test_non_overlapping_edits_merge(
    user_old: str, user_new: str, agent_old: str, agent_new: str
) -> None:
    theirs = change(BASE, user_old, user_new)
    ours = change(BASE, agent_old, agent_new)
    result = rebase(BASE, theirs, ours)
    assert result.ok, result.message
    assert result.text == change(theirs, agent_old, agent_new)
    assert result.conflicts == []


def test_overlapping_edit_is_a_conflict_with_current_line_numbers() -> None:
    theirs = change(BASE, "b1\n", "U0\nU1\n")  # shifts later lines by one
    theirs = change(theirs, "b12\nb13\nb14\n", "U12\nU13\nU14\n")
    ours = change(BASE, "b13\n", "A13\n")
    result = rebase(BASE, theirs, ours)
    assert not result.ok and result.text is None
    assert result.conflicts == [Conflict(13, 15)]
    assert result.message == "lines 13-15 changed in the editor since the agent read the file"


def test_adjacent_edits_conflict() -> None:
    theirs = change(BASE, "b5\n", "U5\n")
    ours = change(BASE, "b6\n", "A6\n")
    result = rebase(BASE, theirs, ours)
    assert not result.ok
    assert result.conflicts == [Conflict(5, 5)]
    assert result.message.startswith("line 5 changed")


def test_insertions_at_the_same_point_conflict() -> None:
    theirs = change(BASE, "b7\n", "b7\nUSER\n")
    ours = change(BASE, "b7\n", "b7\nAGENT\n")
    result = rebase(BASE, theirs, ours)
    assert not result.ok
    assert result.conflicts == [Conflict(8, 8)]


def test_identical_changes_are_not_a_conflict() -> None:
    edited = change(BASE, "b9\n", "same\n")
    result = rebase(BASE, edited, edited)
    assert result.ok and result.text == edited
    # the same hunk plus another agent change elsewhere
    ours = change(edited, "b2\n", "A2\n")
    result = rebase(BASE, edited, ours)
    assert result.ok and result.text == ours


def test_identical_overlapping_hunk_within_a_cluster() -> None:
    theirs = change(BASE, "b9\nb10\n", "X9\nX10\n")
    ours = change(BASE, "b9\nb10\n", "X9\nX10\n")
    ours = change(ours, "b15\n", "A15\n")
    result = rebase(BASE, theirs, ours)
    assert result.ok and result.text == change(theirs, "b15\n", "A15\n")


def test_user_deletion_under_the_agent_edit_conflicts() -> None:
    theirs = change(BASE, "b10\nb11\n", "")
    ours = change(BASE, "b11\n", "A11\n")
    result = rebase(BASE, theirs, ours)
    assert not result.ok
    assert result.conflicts == [Conflict(9, 9)]  # the line before the deleted block


def test_trivial_cases() -> None:
    assert rebase("a\n", "a\n", "b\n").text == "b\n"  # nobody else changed it
    assert rebase("a\n", "b\n", "a\n").text == "b\n"  # the agent changed nothing
    assert rebase("a\n", "b\n", "b\n").text == "b\n"  # both made the same change


def test_empty_files() -> None:
    assert rebase("", "", "new\n").text == "new\n"
    result = rebase("", "user\n", "agent\n")  # both wrote into an empty file
    assert not result.ok and result.conflicts == [Conflict(1, 1)]
    assert rebase("x\n", "", "x\ny\n").ok is False  # user emptied it, agent appended
    assert rebase("a\nb\nc\n", "a\nb\nc\nd\n", "").ok is False


def test_no_trailing_newline() -> None:
    base = "a\nb\nc\nd\ne"
    theirs = "A\nb\nc\nd\ne"
    ours = "a\nb\nc\nd\ne\nf"  # append to a file without a final newline
    result = rebase(base, theirs, ours)
    assert result.ok and result.text == "A\nb\nc\nd\ne\nf"
    # adding the final newline on one side, editing the top on the other
    result = rebase(base, theirs, base + "\n")
    assert result.ok and result.text == theirs + "\n"


def test_crlf_lines_survive() -> None:
    base = "a\r\nb\r\nc\r\nd\r\n"
    theirs = "A\r\nb\r\nc\r\nd\r\n"
    ours = "a\r\nb\r\nc\r\nD\r\n"
    assert rebase(base, theirs, ours).text == "A\r\nb\r\nc\r\nD\r\n"


def _apply(base: list[str], edits: list[tuple[int, int, list[str]]]) -> list[str]:
    out: list[str] = []
    pos = 0
    for start, end, new in sorted(edits):
        out += base[pos:start] + new
        pos = end
    return out + base[pos:]


@pytest.mark.parametrize("seed", range(40))
def test_random_disjoint_edits_always_merge(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(4, 40)
    base = [f"base {i}" for i in range(n)]
    # split the lines into slots separated by at least one untouched line
    edits: list[tuple[int, int, list[str], str]] = []
    pos = 0
    counter = 0
    while pos < n:
        start = pos + rng.randint(0, 3)
        length = rng.randint(0, 3)
        end = min(start + length, n)
        if start > n:
            break
        who = rng.choice("ua")
        new = [f"{who} new {counter + k}" for k in range(rng.randint(0 if length else 1, 3))]
        counter += 3
        edits.append((start, end, new, who))
        pos = end + 1 + (1 if length == 0 else 0)  # insertions need a gap on both sides
    user = [(s, e, new) for s, e, new, w in edits if w == "u"]
    agent = [(s, e, new) for s, e, new, w in edits if w == "a"]
    # the generator keeps an untouched line between any two edits
    flat = sorted((s, e) for s, e, _, _ in edits)
    assert all(s2 > e1 for (_, e1), (s2, _) in itertools.pairwise(flat))
    text = "\n".join(base) + "\n"
    theirs = "\n".join(_apply(base, user)) + "\n"
    ours = "\n".join(_apply(base, agent)) + "\n"
    expected = "\n".join(_apply(base, user + agent)) + "\n"
    result = rebase(text, theirs, ours)
    assert result.ok, (result.message, user, agent)
    assert result.text == expected


@pytest.mark.parametrize("seed", range(40))
def test_random_overlapping_edits_conflict(seed: int) -> None:
    rng = random.Random(1000 + seed)
    n = rng.randint(3, 30)
    base = [f"base {i}" for i in range(n)]
    start = rng.randrange(n)
    end = rng.randint(start + 1, min(n, start + 4))
    user_start = rng.randint(max(0, start - 2), end - 1)
    user_end = rng.randint(max(user_start + 1, start), min(n, max(user_start + 1, start) + 2))
    agent = [(start, end, ["agent"])]
    user = [(user_start, user_end, ["user"])]
    text = "\n".join(base) + "\n"
    result = rebase(
        text, "\n".join(_apply(base, user)) + "\n", "\n".join(_apply(base, agent)) + "\n"
    )
    assert not result.ok
    assert result.conflicts == [Conflict(user_start + 1, user_start + 1)]
