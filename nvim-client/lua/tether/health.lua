---:checkhealth tether — what a user needs to know when the agent does not answer: the
---server command and its version, Python, the provider, the data dir, the index.
local M = {}

local TIMEOUT = 8000

local health = vim.health

---@param cmd string[]
---@return {code: integer, stdout: string, stderr: string}|nil result, string|nil err
local function run(cmd)
  local ok, proc = pcall(vim.system, cmd, { text = true, env = require("tether.config").options.cmd_env })
  if not ok then
    return nil, tostring(proc)
  end
  local res = proc:wait(TIMEOUT)
  if res.signal ~= 0 and res.code ~= 0 and (res.stdout or "") == "" then
    return nil, ("no answer within %d ms"):format(TIMEOUT)
  end
  return res, nil
end

---The server command with `serve` (and what follows) replaced by `extra`.
---@param cmd string[]
---@param extra string[]
---@return string[]
function M.sub_command(cmd, extra)
  local out = {}
  for _, part in ipairs(cmd) do
    if part == "serve" then
      break
    end
    table.insert(out, part)
  end
  vim.list_extend(out, extra)
  return out
end

---@param cmd string[]
---@return string
local function python_of(cmd)
  local exe = vim.fs.basename(cmd[1])
  if exe:match("^python") then
    return cmd[1]
  end
  return "python3"
end

local function check_server()
  local cmd = require("tether.config").options.cmd
  if vim.fn.executable(cmd[1]) ~= 1 then
    health.error(("server command not found: %s"):format(cmd[1]), {
      "Install Tether (`pip install tether`) or set `cmd` in require('tether').setup()",
    })
    return false
  end
  health.ok(("server command found: %s"):format(vim.fn.exepath(cmd[1])))
  local res, err = run(M.sub_command(cmd, { "--version" }))
  if not res or res.code ~= 0 then
    health.error(
      ("`%s` failed: %s"):format(
        table.concat(M.sub_command(cmd, { "--version" }), " "),
        err or vim.trim(res and res.stderr or "")
      ),
      { "Is the tether package installed for this Python? Try: python3 -m pip install -e ." }
    )
    return false
  end
  health.ok("server version: " .. vim.trim(res.stdout ~= "" and res.stdout or res.stderr))
  return true
end

local function check_python()
  local python = python_of(require("tether.config").options.cmd)
  local res, err = run({ python, "--version" })
  if not res or res.code ~= 0 then
    health.warn(("cannot run %s --version: %s"):format(python, err or ""))
    return
  end
  local version = vim.trim(res.stdout ~= "" and res.stdout or res.stderr)
  local major, minor = version:match("(%d+)%.(%d+)")
  if major and (tonumber(major) > 3 or (tonumber(major) == 3 and tonumber(minor) >= 11)) then
    health.ok(version)
  else
    health.error(version .. ": Tether needs Python 3.11 or newer")
  end
end

local function check_data_dir()
  local cmd = require("tether.config").options.cmd
  local env = require("tether.config").options.cmd_env or {}
  local dir = env.TETHER_DATA_DIR or vim.env.TETHER_DATA_DIR
  if not dir or dir == "" then
    local res = run({ python_of(cmd), "-c", "import platformdirs; print(platformdirs.user_data_dir('tether'))" })
    dir = res and res.code == 0 and vim.trim(res.stdout) or nil
  end
  if not dir or dir == "" then
    health.warn("cannot determine the data dir (set TETHER_DATA_DIR to choose one)")
    return
  end
  vim.fn.mkdir(dir, "p")
  local probe = vim.fs.joinpath(dir, (".tether-health-%d"):format(vim.uv.os_getpid()))
  local file = io.open(probe, "w")
  if not file then
    health.error("data dir not writable: " .. dir, { "Session history is stored there; fix its permissions or set TETHER_DATA_DIR" })
    return
  end
  file:write("ok")
  file:close()
  os.remove(probe)
  health.ok("data dir writable: " .. dir)
end

local function check_client()
  local client = require("tether.client")
  local root = client.root_for(vim.fn.bufnr("#") > 0 and vim.fn.bufnr("#") or 0)
  local c = client.get(root) or client.ensure(root)
  if not c then
    health.error("cannot start the server for " .. root)
    return
  end
  local models, err = client.request_sync(c, "tether/models/list", vim.empty_dict(), TIMEOUT)
  if not models then
    health.error("provider not reachable: " .. tostring(err), { "Check the provider settings (TETHER_PROVIDER, API keys, base URL)" })
  elseif #(models.models or {}) == 0 then
    health.warn(("no models listed (default %s)"):format(tostring(models.default)))
  else
    health.ok(("provider reachable: default model %s (%d listed)"):format(tostring(models.default), #models.models))
  end
  local status, ierr = client.request_sync(c, "tether/index/status", { folderUri = client.folder_uri(root) }, TIMEOUT)
  if not status then
    health.warn("index state unknown: " .. tostring(ierr))
  elseif status.state == "failed" then
    health.error("index failed: " .. tostring(status.message))
  elseif status.state == "ready" or status.state == "idle" then
    health.ok(("index %s: %d files, %d symbols"):format(status.state, status.files or 0, status.symbols or 0))
  else
    health.warn(("index %s: %d files so far"):format(status.state, status.files or 0))
  end
end

function M.check()
  health.start("tether: Neovim")
  if vim.fn.has("nvim-0.10") == 1 then
    health.ok("Neovim " .. tostring(vim.version()))
  else
    health.error("Neovim 0.10 or newer is required")
  end
  health.start("tether: server")
  local server_ok = check_server()
  check_python()
  check_data_dir()
  health.start("tether: workspace")
  if server_ok then
    check_client()
  else
    health.warn("skipped: the server command does not run")
  end
end

return M
