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

---The first line of a file, or nil.
---@param path string
---@return string|nil
local function first_line(path)
  local file = io.open(path, "r")
  if not file then
    return nil
  end
  local line = file:read("*l")
  file:close()
  return line
end

---The Python interpreter the server command runs in, so the checks import what the server
---imports: the command itself when it is a Python, else the interpreter in the shebang of
---a `tether` console script (through a pyenv shim to the script it runs), else python3.
---@param cmd string[]
---@return string
function M.python_of(cmd)
  local exe = vim.fs.basename(cmd[1])
  if exe:match("^python") then
    return cmd[1]
  end
  local path = vim.fn.exepath(cmd[1])
  if path:match("/shims/") and vim.fn.executable("pyenv") == 1 then
    local res = vim.system({ "pyenv", "which", exe }, { text = true }):wait(TIMEOUT)
    if res.code == 0 and vim.trim(res.stdout or "") ~= "" then
      path = vim.trim(res.stdout)
    end
  end
  local line = path ~= "" and first_line(path) or nil
  local shebang = line and line:match("^#!%s*(%S+)")
  if shebang and vim.fs.basename(shebang):match("^python") then
    return shebang
  end
  return "python3"
end

local python_of = M.python_of

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
    local code = "import platformdirs; print(platformdirs.user_data_dir('tether'))"
    local res = run({ python_of(cmd), "-c", code })
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
    health.error("data dir not writable: " .. dir, {
      "Session history is stored there; fix its permissions or set TETHER_DATA_DIR",
    })
    return
  end
  file:write("ok")
  file:close()
  os.remove(probe)
  health.ok("data dir writable: " .. dir)
end

-- Runs in the server's Python with the server's settings (file, env, the plugin's
-- `settings`), so it checks the provider the server would use. Prints one JSON line.
local PROBE = [[
import json, sys
import httpx
from tether.settings import load_settings
s = load_settings(json.loads(sys.argv[1]))
kind = s.provider_kind
out = {"provider": kind, "model": s.model_selector, "problems": s.problems}
key = lambda k: k.get_secret_value() if k is not None else ""
if kind == "openai":
    url = s.openai_base_url.rstrip("/") + "/models"
    headers = {"Authorization": "Bearer " + key(s.openai_api_key)}
elif kind == "anthropic":
    url = s.anthropic_base_url.rstrip("/") + "/v1/models"
    headers = {"x-api-key": key(s.anthropic_api_key), "anthropic-version": "2023-06-01"}
elif kind == "ollama":
    url, headers = s.ollama_host.rstrip("/") + "/api/tags", {}
else:
    url, headers = None, {}
out["url"] = url
if url:
    try:
        out["status"] = httpx.get(url, headers=headers, timeout=4.0).status_code
    except httpx.HTTPError as exc:
        out["error"] = type(exc).__name__ + ": " + str(exc)
print(json.dumps(out))
]]

local function check_provider()
  local opts = require("tether.config").options
  local overrides = next(opts.settings) and opts.settings or vim.empty_dict()
  local res, err = run({ python_of(opts.cmd), "-c", PROBE, vim.json.encode(overrides) })
  if not res or res.code ~= 0 then
    health.warn("cannot check the provider: " .. (err or vim.trim(res and res.stderr or "")))
    return
  end
  local ok, info = pcall(vim.json.decode, vim.trim(res.stdout))
  if not ok or type(info) ~= "table" then
    health.warn("cannot check the provider: unexpected output " .. vim.inspect(res.stdout))
    return
  end
  for _, problem in ipairs(info.problems or {}) do
    health.warn("settings: " .. problem)
  end
  local label = ("%s (model %s)"):format(info.provider, info.model)
  if not info.url then
    health.ok("provider " .. label .. ": no network needed")
  elseif info.error then
    health.error(("provider %s not reachable at %s: %s"):format(label, info.url, info.error), {
      "Start the provider or set its base URL (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, OLLAMA_HOST)",
    })
  elseif info.status == 401 or info.status == 403 then
    health.error(("provider %s rejected the API key (HTTP %d)"):format(label, info.status), {
      "Set OPENAI_API_KEY / ANTHROPIC_API_KEY for the server",
    })
  elseif info.status >= 500 then
    health.warn(("provider %s answered HTTP %d at %s"):format(label, info.status, info.url))
  else
    health.ok(("provider %s reachable at %s"):format(label, info.url))
  end
end

local function check_client()
  local client = require("tether.client")
  local root = client.root_for(vim.fn.bufnr("#") > 0 and vim.fn.bufnr("#") or 0)
  local c = client.get(root) or client.ensure(root)
  if not c then
    health.error("cannot start the server for " .. root)
    return
  end
  local models, err = client.request_sync(c, require("tether.types").methods.models_list, vim.empty_dict(), TIMEOUT)
  if not models then
    health.error("the server does not answer tether/models/list: " .. tostring(err))
  else
    health.ok(("server running for %s: default model %s (%d known)"):format(
      vim.fn.fnamemodify(root, ":~"), tostring(models.default), #(models.models or {})))
  end
  -- A fresh server is usually still indexing: give it a few seconds to finish.
  local params = { folderUri = client.folder_uri(root) }
  local status, ierr = client.request_sync(c, require("tether.types").methods.index_status, params, TIMEOUT)
  local deadline = vim.uv.now() + 5000
  while status and status.state == "indexing" and vim.uv.now() < deadline do
    vim.wait(200)
    status, ierr = client.request_sync(c, require("tether.types").methods.index_status, params, TIMEOUT)
  end
  if not status then
    health.warn("index state unknown: " .. tostring(ierr))
  elseif status.state == "failed" then
    health.error("index failed: " .. tostring(status.message))
  elseif status.state == "ready" or status.state == "idle" then
    health.ok(("index %s: %d files, %d symbols"):format(status.state, status.files or 0, status.symbols or 0))
  else
    health.warn(("index %s: %d files so far"):format(status.state, status.files or 0))
  end
  require("tether.mcp").check(root)
end

function M.check()
  health.start("tether: Neovim")
  if vim.fn.has("nvim-0.11") == 1 then
    health.ok("Neovim " .. tostring(vim.version()))
  else
    health.error("Neovim 0.11 or newer is required (the version Tether is tested with)")
  end
  local remote = require("tether.config").options.remote
  if remote.address then
    health.start("tether: remote server")
    health.ok("connecting to tcp://" .. remote.address .. " (started elsewhere: `tether serve --tcp`)")
    local token, problem = require("tether.client").remote_token(remote)
    if token then
      health.ok("token found (" .. (remote.token and "remote.token" or remote.token_file
        and "remote.token_file" or "$TETHER_TOKEN") .. ")")
    else
      health.error(problem or "no token", { "Set remote.token_file to the file `tether serve` names on stderr" })
    end
    check_client()
    return
  end
  health.start("tether: server")
  local server_ok = check_server()
  check_python()
  check_data_dir()
  health.start("tether: provider and workspace")
  if server_ok then
    check_provider()
    check_client()
  else
    health.warn("skipped: the server command does not run")
  end
end

return M
