"""The generator itself: deterministic output, headers, and drift detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tether import PROTOCOL_VERSION
from tether.protocol.generate import (
    LUA_PATH,
    SCHEMA_PATH,
    SPEC_PATH,
    TS_PATH,
    main,
    render_all,
    write_all,
)

HEADER = "generated — do not edit"


def test_output_is_deterministic() -> None:
    assert render_all() == render_all()


def test_every_artifact_is_headed_do_not_edit_in_its_own_comment_syntax() -> None:
    out = render_all()
    assert out[SPEC_PATH].startswith(f"<!-- {HEADER}")
    assert out[TS_PATH].startswith(f"// {HEADER}")
    assert out[LUA_PATH].startswith(f"-- {HEADER}")
    assert json.loads(out[SCHEMA_PATH])["$comment"].startswith(HEADER)


def test_no_timestamps_of_the_run_in_the_output() -> None:
    import datetime as dt

    today = dt.date.today().isoformat()
    assert all(today not in text for text in render_all().values())


def test_check_reports_each_drifted_file_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert set(write_all(tmp_path)) == {SCHEMA_PATH, SPEC_PATH, TS_PATH, LUA_PATH}
    assert main(["--check", "--root", str(tmp_path)]) == 0

    ts = tmp_path / TS_PATH
    ts.write_text(ts.read_text(encoding="utf-8") + "// hand edit\n", encoding="utf-8")
    (tmp_path / LUA_PATH).unlink()
    capsys.readouterr()
    assert main(["--check", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert TS_PATH in err and LUA_PATH in err
    assert SPEC_PATH not in err and SCHEMA_PATH not in err


def test_write_only_touches_changed_files(tmp_path: Path) -> None:
    write_all(tmp_path)
    spec = tmp_path / SPEC_PATH
    spec.write_text("stale\n", encoding="utf-8")
    assert write_all(tmp_path) == [SPEC_PATH]
    assert main(["--check", "--root", str(tmp_path)]) == 0


def test_spec_is_versioned() -> None:
    spec = render_all()[SPEC_PATH]
    assert f"# Tether protocol {PROTOCOL_VERSION}\n" in spec
    assert json.loads(render_all()[SCHEMA_PATH])["version"] == PROTOCOL_VERSION
    assert f'PROTOCOL_VERSION = "{PROTOCOL_VERSION}"' in render_all()[TS_PATH]


def test_every_model_appears_in_every_artifact() -> None:
    from tether.protocol.generate.catalog import all_models

    out = render_all()
    schema = json.loads(out[SCHEMA_PATH])
    for cls in all_models():
        name = cls.__name__
        assert name in schema["$defs"], name
        assert f"export interface {name} {{" in out[TS_PATH], name
        assert f"---@class tether.{name}\n" in out[LUA_PATH], name
        assert f"\n### {name}\n" in out[SPEC_PATH] or name in {"WireModel", "EventBase"}, name
    for union in ("SessionEvent", "Part"):
        assert f"export type {union} =" in out[TS_PATH]
        assert f"---@alias tether.{union} " in out[LUA_PATH]
        assert "oneOf" in schema["$defs"][union]


def test_typescript_has_no_any() -> None:
    assert ": any" not in render_all()[TS_PATH]
    assert "<any>" not in render_all()[TS_PATH]
