-- Starting the server (issue 15, Neovim 1): the default `cmd` when `tether` is on PATH,
-- the Python :checkhealth uses, and the message for a server that exits at start-up.
local h = dofile(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)) .. "/harness.lua")

local bin = vim.fn.tempname()
vim.fn.mkdir(bin, "p")
local saved_path = vim.env.PATH

---A fake `tether` console script with `shebang` on an otherwise empty PATH.
local function fake_tether(shebang)
  local script = bin .. "/tether"
  vim.fn.writefile({ shebang, "import sys; sys.exit(0)" }, script)
  vim.fn.setfperm(script, "rwxr-xr-x")
  vim.env.PATH = bin
end

h.test("setup({}) starts `tether serve` when tether is on PATH", function()
  fake_tether("#!/opt/venv/bin/python3.12")
  require("tether").setup({ autostart = false })
  h.eq({ "tether", "serve" }, require("tether.config").options.cmd)
  h.eq({ "tether", "serve" }, require("tether").lsp_config().cmd)
  vim.env.PATH = vim.fn.tempname() -- nothing on it
  require("tether").setup({ autostart = false })
  h.eq({ "python3", "-m", "tether", "serve" }, require("tether.config").options.cmd)
  require("tether").setup({ autostart = false, cmd = { "/x/python", "-m", "tether", "serve" } })
  h.eq({ "/x/python", "-m", "tether", "serve" }, require("tether.config").options.cmd)
  vim.env.PATH = saved_path
end)

h.test(":checkhealth runs its probes in the Python of the tether script", function()
  local health = require("tether.health")
  fake_tether("#!/opt/venv/bin/python3.12")
  h.eq("/opt/venv/bin/python3.12", health.python_of({ "tether", "serve" }))
  fake_tether("#!/bin/sh")
  h.eq("python3", health.python_of({ "tether", "serve" }))
  h.eq("/usr/bin/python3.11", health.python_of({ "/usr/bin/python3.11", "-m", "tether", "serve" }))
  vim.env.PATH = saved_path
end)

h.test("a server that exits shows its last stderr lines and the fix", function()
  local stderr = require("tether.stderr")
  stderr.install()
  stderr.install() -- idempotent: one wrapper
  stderr.clear("python3")
  local lsp_log = require("vim.lsp.log")
  lsp_log.error("rpc", "python3", "stderr", "Traceback (most recent call last):\n  File x\n")
  lsp_log.error("rpc", { "python3", "-m" }, "stderr", "ModuleNotFoundError: No module named 'httpx'\n")
  h.eq({ "Traceback (most recent call last):", "File x", "ModuleNotFoundError: No module named 'httpx'" },
    stderr.tail("python3"))
  local msg = stderr.exit_message(1, "python3")
  local lines = vim.split(msg, "\n")
  h.eq("the Tether server exited (code 1); its last output:", lines[1])
  h.eq("    ModuleNotFoundError: No module named 'httpx'", lines[#lines - 1])
  h.truthy(lines[#lines]:find(":checkhealth tether", 1, true), msg)
  h.truthy(lines[#lines]:find("`cmd`", 1, true), msg)
  stderr.clear("python3")
  h.truthy(stderr.exit_message(2, "python3"):find("^the Tether server exited %(code 2%)%. Run :checkhealth"))
end)

h.finish()
