"""read_file, list_dir, glob and grep: happy paths, caps and every error."""

from __future__ import annotations

from tether.tools.glob_files import GlobTool
from tether.tools.grep import GrepTool
from tether.tools.list_dir import ListDirTool
from tether.tools.read_file import MAX_LINES, ReadFileTool

from .conftest import Harness

read_file, list_dir, glob, grep = ReadFileTool(), ListDirTool(), GlobTool(), GrepTool()


async def test_read_file_numbers_lines(ws: Harness) -> None:
    ws.write("a.py", "one\ntwo\nthree\n")
    outcome = await read_file.run({"path": "a.py"}, ws.ctx)
    assert not outcome.is_error
    assert outcome.content == "     1│one\n     2│two\n     3│three"
    assert outcome.metadata["lines"] == 3


async def test_read_file_range(ws: Harness) -> None:
    ws.write("a.txt", "".join(f"l{i}\n" for i in range(1, 21)))
    outcome = await read_file.run({"path": "a.txt", "startLine": 12, "endLine": 14}, ws.ctx)
    assert outcome.content == "    12│l12\n    13│l13\n    14│l14"
    outcome = await read_file.run({"path": "a.txt", "startLine": 19, "endLine": 99}, ws.ctx)
    assert outcome.content == "    19│l19\n    20│l20"


async def test_read_file_prefers_the_live_buffer(ws: Harness) -> None:
    path = ws.write("a.py", "on disk\n")
    ws.bridge.buffers[path] = "unsaved text\n"
    outcome = await read_file.run({"path": "a.py"}, ws.ctx)
    assert outcome.content.endswith("│unsaved text")


async def test_read_file_caps_long_files(ws: Harness) -> None:
    ws.write("big.txt", "".join(f"line {i}\n" for i in range(1, 5001)))
    outcome = await read_file.run({"path": "big.txt"}, ws.ctx)
    lines = outcome.content.splitlines()
    assert len(lines) == MAX_LINES + 1
    assert lines[-1] == (
        "[capped: showed lines 1-2000 of 5000; call read_file with startLine=2001 to read more]"
    )
    outcome = await read_file.run({"path": "big.txt", "startLine": 2001}, ws.ctx)
    assert outcome.content.splitlines()[0].endswith("│line 2001")


async def test_read_file_caps_bytes(ws: Harness) -> None:
    ws.write("wide.txt", ("x" * 1500 + "\n") * 200)
    outcome = await read_file.run({"path": "wide.txt"}, ws.ctx)
    assert len(outcome.content) <= 100_200
    assert "[capped: showed lines 1-" in outcome.content


async def test_read_file_errors(ws: Harness) -> None:
    ws.write("a.txt", "a\nb\n")
    ws.write("bin.dat", b"\x00\x01\x02binary")
    ws.write("latin.txt", "caf\xe9".encode("latin-1"))
    (ws.root / "dir").mkdir()
    cases = [
        ({"path": "missing.txt"}, "missing.txt does not exist"),
        ({"path": "dir"}, "dir is a directory; use list_dir"),
        ({"path": "bin.dat"}, "bin.dat is a binary file"),
        ({"path": "latin.txt"}, "is not UTF-8 text"),
        ({"path": "a.txt", "startLine": 5}, "startLine 5 is past the end of a.txt (2 lines)"),
        ({"path": "a.txt", "startLine": 2, "endLine": 1}, "endLine 1 is before startLine 2"),
        ({"path": "a.txt", "startLine": 0}, "read_file: argument 'startLine' must be at least 1"),
        ({"path": "a.txt", "startLine": "3"}, "'startLine' must be an integer, got a string"),
        ({}, "read_file: missing required argument 'path'"),
        ({"path": "a.txt", "lines": 3}, "unknown argument 'lines'"),
    ]
    for args, message in cases:
        outcome = await read_file.run(args, ws.ctx)
        assert outcome.is_error, args
        assert message in outcome.content, (args, outcome.content)


async def test_read_empty_file(ws: Harness) -> None:
    ws.write("e.txt", "")
    outcome = await read_file.run({"path": "e.txt"}, ws.ctx)
    assert not outcome.is_error and outcome.content == "(e.txt is empty)"


async def test_list_dir(ws: Harness) -> None:
    ws.write("b.txt", "")
    ws.write("a/x.txt", "")
    ws.write(".git/HEAD", "ref")
    ws.write(".env", "")
    outcome = await list_dir.run({}, ws.ctx)
    assert outcome.content == ".env\na/\nb.txt"
    outcome = await list_dir.run({"path": "a"}, ws.ctx)
    assert outcome.content == "x.txt"


async def test_list_dir_errors_and_empty(ws: Harness) -> None:
    ws.write("f.txt", "")
    (ws.root / "empty").mkdir()
    assert (await list_dir.run({"path": "empty"}, ws.ctx)).content == "(empty is empty)"
    outcome = await list_dir.run({"path": "f.txt"}, ws.ctx)
    assert outcome.is_error and "is a file" in outcome.content
    outcome = await list_dir.run({"path": "nope"}, ws.ctx)
    assert outcome.is_error and "nope does not exist" in outcome.content


async def test_list_dir_caps(ws: Harness) -> None:
    for i in range(1005):
        (ws.root / f"f{i:04}").touch()
    outcome = await list_dir.run({}, ws.ctx)
    lines = outcome.content.splitlines()
    assert len(lines) == 1001 and lines[-1].startswith("[capped: 1000 of 1005 entries")


def make_tree(ws: Harness) -> None:
    ws.write(".gitignore", "*.log\nbuild/\n/top-only.txt\n!keep.log\n")
    ws.write("src/app.py", "import os\nprint('hello')\n")
    ws.write("src/lib/util.py", "def helper():\n    return 'Hello'\n")
    ws.write("src/lib/.gitignore", "generated.py\n")
    ws.write("src/lib/generated.py", "hello = 1\n")
    ws.write("src/web/main.ts", "const hello = 1;\n")
    ws.write("debug.log", "hello\n")
    ws.write("keep.log", "hello kept\n")
    ws.write("build/out.py", "hello\n")
    ws.write("top-only.txt", "hello\n")
    ws.write("docs/top-only.txt", "hello\n")
    ws.write(".git/config", "hello\n")
    ws.write("image.png", b"\x89PNG\x00\x00hello")


async def test_glob_is_gitignore_aware(ws: Harness) -> None:
    make_tree(ws)
    outcome = await glob.run({"pattern": "*.py"}, ws.ctx)
    assert outcome.content == "src/app.py\nsrc/lib/util.py"
    outcome = await glob.run({"pattern": "**/*"}, ws.ctx)
    assert outcome.content.splitlines() == [
        ".gitignore",
        "docs/top-only.txt",
        "image.png",
        "keep.log",
        "src/app.py",
        "src/lib/.gitignore",
        "src/lib/util.py",
        "src/web/main.ts",
    ]


async def test_glob_patterns(ws: Harness) -> None:
    make_tree(ws)
    cases = {
        "src/*.py": "src/app.py",
        "src/**/*.py": "src/app.py\nsrc/lib/util.py",
        "*.{ts,log}": "keep.log\nsrc/web/main.ts",
        "lib/*.py": "no files match lib/*.py",
        "[!u]*.py": "src/app.py",
    }
    for pattern, expected in cases.items():
        assert (await glob.run({"pattern": pattern}, ws.ctx)).content == expected, pattern
    outcome = await glob.run({"pattern": "*.py", "path": "src/lib"}, ws.ctx)
    assert outcome.content == "src/lib/util.py"  # relative to the workspace root


async def test_glob_errors(ws: Harness) -> None:
    ws.write("f.txt", "")
    assert "not a folder" in (await glob.run({"pattern": "*", "path": "f.txt"}, ws.ctx)).content
    outcome = await glob.run({"pattern": ""}, ws.ctx)
    assert outcome.is_error and "'pattern' must not be empty" in outcome.content


async def test_grep(ws: Harness) -> None:
    make_tree(ws)
    outcome = await grep.run({"pattern": "hello"}, ws.ctx)
    assert outcome.content.splitlines() == [
        "docs/top-only.txt:1:hello",
        "keep.log:1:hello kept",
        "src/app.py:2:print('hello')",
        "src/web/main.ts:1:const hello = 1;",
        "[skipped 1 file: binary: image.png]",
    ]
    outcome = await grep.run({"pattern": "hello", "ignoreCase": True, "glob": "*.py"}, ws.ctx)
    assert outcome.content == "src/app.py:2:print('hello')\nsrc/lib/util.py:2:    return 'Hello'"
    outcome = await grep.run({"pattern": r"def \w+\(", "path": "src/lib/util.py"}, ws.ctx)
    assert outcome.content == "src/lib/util.py:1:def helper():"
    assert outcome.metadata == {"matches": 1, "files": 1}


async def test_grep_no_match_and_errors(ws: Harness) -> None:
    ws.write("a.txt", "abc\n")
    outcome = await grep.run({"pattern": "zzz"}, ws.ctx)
    assert not outcome.is_error and outcome.content == "no matches for 'zzz'"
    outcome = await grep.run({"pattern": "(unclosed"}, ws.ctx)
    assert outcome.is_error and "invalid regular expression '(unclosed'" in outcome.content
    outcome = await grep.run({"pattern": "a", "path": "missing"}, ws.ctx)
    assert outcome.is_error and "missing does not exist" in outcome.content
    outcome = await grep.run({"pattern": "a", "ignoreCase": "yes"}, ws.ctx)
    assert outcome.is_error and "'ignoreCase' must be a boolean" in outcome.content


async def test_grep_caps(ws: Harness) -> None:
    ws.write("many.txt", "match\n" * 500)
    outcome = await grep.run({"pattern": "match"}, ws.ctx)
    lines = outcome.content.splitlines()
    assert len(lines) == 201
    assert lines[-1].startswith("[capped: 200 of 500 matches in 1 files shown")


async def test_searching_an_ignored_folder_says_so(ws: Harness) -> None:
    make_tree(ws)
    outcome = await grep.run({"pattern": "hello", "path": "build"}, ws.ctx)
    assert outcome.content == "no matches for 'hello' (build is ignored by .gitignore, so it " \
        "was not searched)"
    outcome = await glob.run({"pattern": "*", "path": "build"}, ws.ctx)
    assert "build is ignored by .gitignore" in outcome.content
    # an explicitly named ignored file is still searched
    outcome = await grep.run({"pattern": "hello", "path": "debug.log"}, ws.ctx)
    assert outcome.content == "debug.log:1:hello"


async def test_nested_gitignore_negation_and_git_info_exclude(ws: Harness) -> None:
    ws.write(".gitignore", "*.tmp\n")
    ws.write("sub/.gitignore", "!wanted.tmp\n")
    ws.write("sub/wanted.tmp", "")
    ws.write("sub/other.tmp", "")
    ws.write("x.tmp", "")
    ws.write(".git/info/exclude", "secret-notes.md\n")
    ws.write("secret-notes.md", "")
    ws.write("notes.md", "")
    outcome = await glob.run({"pattern": "**/*.{tmp,md}"}, ws.ctx)
    assert outcome.content == "notes.md\nsub/wanted.tmp"


async def test_read_file_refuses_huge_files(ws: Harness) -> None:
    path = ws.write("huge.log", "")
    with path.open("wb") as fh:
        fh.truncate(25 * 1024 * 1024)
    outcome = await read_file.run({"path": "huge.log"}, ws.ctx)
    assert outcome.is_error
    assert "huge.log is 25 MiB, over the 10 MiB file size cap" in outcome.content
    assert "use grep" in outcome.content


async def test_line_numbers_follow_the_editor(ws: Harness) -> None:
    """Form feeds and U+2028 are not line ends in editors; \\r alone is."""
    ws.write("odd.txt", "")
    (ws.root / "odd.txt").write_bytes("a\x0cb\u2028c\nold mac\rlast\r\n".encode())
    outcome = await read_file.run({"path": "odd.txt"}, ws.ctx)
    assert outcome.content == "     1│a\x0cb\u2028c\n     2│old mac\n     3│last"
    outcome = await grep.run({"pattern": "last"}, ws.ctx)
    assert outcome.content == "odd.txt:3:last"


async def test_grep_anchors_work_per_line(ws: Harness) -> None:
    (ws.root / "crlf.txt").write_bytes(b"first\r\ndef x(): end\r\nlast\r\n")
    assert (await grep.run({"pattern": "^def"}, ws.ctx)).content == "crlf.txt:2:def x(): end"
    assert (await grep.run({"pattern": "end$"}, ws.ctx)).content == "crlf.txt:2:def x(): end"
    assert (await grep.run({"pattern": r"(?<=\): )end"}, ws.ctx)).content.startswith("crlf")
    assert (await grep.run({"pattern": "DEF", "ignoreCase": True}, ws.ctx)).content == (
        "crlf.txt:2:def x(): end"
    )


async def test_glob_sorts_paths_as_strings_and_caps(ws: Harness) -> None:
    ws.write("a/x.txt", "")
    ws.write("a.txt", "")
    assert (await glob.run({"pattern": "**/*.txt"}, ws.ctx)).content == "a.txt\na/x.txt"
    for i in range(1010):
        (ws.root / "a" / f"f{i:04}.txt").touch()
    outcome = await glob.run({"pattern": "*.txt"}, ws.ctx)
    lines = outcome.content.splitlines()
    assert lines[0] == "a.txt" and len(lines) == 1001
    assert lines[-1] == "[capped: 1000 of 1012 files shown; narrow the pattern]"
    assert outcome.metadata == {"count": 1012}
