"""`tether index` and `tether search`, through a parser built with add_index_commands."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tether.index import add_index_commands

Files = dict[str, str | bytes]
Tree = Callable[[Files], Path]


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tether")
    add_index_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def test_index_json(
    project_files: Files, tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree({**project_files, "blob.bin": b"\x00\x01\x02"})
    assert run(["index", str(root), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"files", "symbols", "skipped", "seconds"}
    assert out["files"] == len(project_files)
    assert out["symbols"] >= 8
    assert out["skipped"] == {"binary": 1}
    assert isinstance(out["seconds"], float)


def test_index_text(
    project_files: Files, tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(project_files)
    assert run(["index", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"files: {len(project_files)}"
    assert lines[1].startswith("symbols: ")
    assert lines[2] == "skipped: none"
    assert lines[3].startswith("seconds: ")


def test_search_json_is_files_first_with_their_lines(
    project_files: Files, tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(project_files)
    assert run(["search", str(root), "format_name", "--limit", "3", "--json"]) == 0
    files = json.loads(capsys.readouterr().out)
    assert 0 < len(files) <= 3
    assert [set(f) for f in files] == [{"path", "score", "lines"}] * len(files)
    assert len({f["path"] for f in files}) == len(files)  # one entry per file
    best = files[0]
    assert best["path"] == "app/models.py"
    assert best["lines"][0] == {"line": 4, "score": best["lines"][0]["score"],
                                "symbol": "format_name",
                                "preview": "def format_name(first, last):"}
    assert [f["score"] for f in files] == sorted((f["score"] for f in files), reverse=True)


def test_search_text(
    project_files: Files, tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(project_files)
    assert run(["search", str(root), "UserAccount"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["app/models.py", "  1: [UserAccount] class UserAccount:"]


def test_search_with_no_results_prints_an_empty_array(
    project_files: Files, tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(project_files)
    assert run(["search", str(root), "qqqqzzzz", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_missing_directory_and_bad_limit(
    project_files: Files, tmp_path: Path, tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["index", str(tmp_path / "missing")]) == 2
    captured = capsys.readouterr()
    assert "is not a directory" in captured.err and captured.out == ""
    assert run(["search", str(tmp_path / "missing"), "x", "--json"]) == 2
    root = tree(project_files)
    assert run(["search", str(root), "x", "--limit", "0"]) == 2
    assert "--limit" in capsys.readouterr().err


def test_second_run_uses_the_cache(
    project_files: Files, tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(project_files)
    assert run(["index", str(root), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert run(["index", str(root), "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert (first["files"], first["symbols"]) == (second["files"], second["symbols"])
