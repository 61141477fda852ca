from tether.workspace.diffs import split_lines, unified_diff


def test_headers_and_context() -> None:
    old = "".join(f"line {i}\n" for i in range(1, 11))
    new = old.replace("line 5\n", "line five\n")
    diff = unified_diff(old, new, "src/a.py")
    assert diff.splitlines()[:3] == ["--- a/src/a.py", "+++ b/src/a.py", "@@ -2,7 +2,7 @@"]
    assert "-line 5" in diff and "+line five" in diff
    assert " line 2" in diff and " line 8" in diff and "line 9" not in diff


def test_equal_texts_give_empty_diff() -> None:
    assert unified_diff("a\n", "a\n", "x") == ""


def test_missing_trailing_newline_is_marked() -> None:
    diff = unified_diff("a\nb", "a\nb\n", "x")
    assert diff.endswith("-b\n\\ No newline at end of file\n+b\n")


def test_new_file_from_empty() -> None:
    diff = unified_diff("", "hello\n", "new.txt")
    assert diff == "--- a/new.txt\n+++ b/new.txt\n@@ -0,0 +1 @@\n+hello\n"


def test_every_line_ends_with_newline() -> None:
    diff = unified_diff("x", "y", "f")
    assert all(line.endswith("\n") for line in diff.splitlines(keepends=True))
    assert diff.count("\\ No newline at end of file") == 2


def test_split_lines_like_an_editor() -> None:
    assert split_lines("") == []
    assert split_lines("a\r\nb\rc\nd") == ["a", "b", "c", "d"]
    assert split_lines("x\x0cy\u2028z\n") == ["x\x0cy\u2028z"]
    assert split_lines("a\n\n", keepends=True) == ["a\n", "\n"]


def test_diff_does_not_split_on_form_feed() -> None:
    diff = unified_diff("a\x0cb\nc\n", "a\x0cb\nC\n", "f")
    assert "@@ -1,2 +1,2 @@" in diff
