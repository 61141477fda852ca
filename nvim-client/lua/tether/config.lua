---Options: defaults for every field, the user's table merged on top, bad values
---reported once and replaced by their default (never a failed setup()).
local M = {}

---@class tether.ChatKeymaps
---@field send string|false Normal-mode key sending the text under the last `## You`.
---@field stop string|false Normal-mode key cancelling the running turn.
---@field continue string|false Normal-mode key resuming a turn stopped at the step limit.

---@class tether.ChatOptions
---@field layout "vsplit"|"split"|"float"|"tab"|"current" Where :TetherChat opens.
---@field width number Split width: columns, or a fraction of the editor when < 1.
---@field height number Split height: lines, or a fraction of the editor when < 1.
---@field border string|string[] Border of the float layout.
---@field fold_tools boolean Fold tool-call sections.
---@field fold_reasoning boolean Fold reasoning sections.
---@field max_output_lines integer Tool output lines shown per call (the rest elided).
---@field keymaps tether.ChatKeymaps

---@class tether.RemoteOptions
---@field address string|nil `HOST:PORT` (or `PORT`) of a running `tether serve --tcp`; nil: start `cmd`.
---@field token string|nil The server's token (prefer `token_file` or $TETHER_TOKEN).
---@field token_file string|nil File holding the token (what `tether serve` prints on stderr).

---@class tether.ChangesKeymaps
---@field keep string|false Normal-mode key: keep the agent's hunk under the cursor (drop it from review).
---@field undo string|false Normal-mode key: undo the agent's hunk under the cursor.

---@class tether.ChangesOptions
---@field keymaps tether.ChangesKeymaps Set in file buffers after :TetherChanges.

---@class tether.Config
---@field cmd string[] Command starting the language server.
---@field remote tether.RemoteOptions Connect to a running server over TCP instead of `cmd`.
---@field cmd_env table<string, string>|nil Extra environment for the server process.
---@field root_markers string[] Files or directories marking a workspace root.
---@field autostart boolean Attach every file buffer of a workspace to its client.
---@field filetypes string[]|nil Only autostart for these filetypes (nil: every file).
---@field settings table Sent as the `tether` section of workspace/configuration.
---@field model string|nil Model selector `provider/model` for new sessions (nil: server default).
---@field start_timeout_ms integer How long to wait for the server to initialize.
---@field log_level "trace"|"debug"|"info"|"warn"|"error"|"off" Plugin log level.
---@field chat tether.ChatOptions
---@field changes tether.ChangesOptions

---@type tether.Config
M.defaults = {
  cmd = { "python3", "-m", "tether", "serve" },
  remote = { address = nil, token = nil, token_file = nil },
  cmd_env = nil,
  root_markers = { ".git", ".hg", "pyproject.toml", "package.json", "Cargo.toml", "go.mod", ".tether" },
  autostart = true,
  filetypes = nil,
  settings = {},
  model = nil,
  start_timeout_ms = 20000,
  log_level = "warn",
  chat = {
    layout = "vsplit",
    width = 0.4,
    height = 0.4,
    border = "rounded",
    fold_tools = true,
    fold_reasoning = true,
    max_output_lines = 200,
    keymaps = { send = "<CR>", stop = "<C-c>", continue = "gC" },
  },
  changes = {
    keymaps = { keep = "<leader>tk", undo = "<leader>tu" },
  },
}

---Expected type (or validator) per option path; a table value means "nested options".
local schema = {
  cmd = function(v)
    return type(v) == "table" and #v > 0 and vim.iter(v):all(function(x)
      return type(x) == "string"
    end), "a non-empty list of strings"
  end,
  remote = {
    address = function(v)
      local ok = v == nil or (type(v) == "string" and M.parse_address(v) ~= nil)
      return ok, "HOST:PORT, :PORT or PORT"
    end,
    token = { "string", "nil" },
    token_file = { "string", "nil" },
  },
  cmd_env = { "table", "nil" },
  root_markers = function(v)
    return type(v) == "table" and vim.iter(v):all(function(x)
      return type(x) == "string"
    end), "a list of strings"
  end,
  autostart = { "boolean" },
  filetypes = { "table", "nil" },
  settings = { "table" },
  model = { "string", "nil" },
  start_timeout_ms = function(v)
    return type(v) == "number" and v > 0, "a positive number"
  end,
  log_level = function(v)
    local ok = vim.tbl_contains({ "trace", "debug", "info", "warn", "error", "off" }, v)
    return ok, "one of trace, debug, info, warn, error, off"
  end,
  chat = {
    layout = function(v)
      local ok = vim.tbl_contains({ "vsplit", "split", "float", "tab", "current" }, v)
      return ok, "one of vsplit, split, float, tab, current"
    end,
    width = function(v)
      return type(v) == "number" and v > 0, "a positive number"
    end,
    height = function(v)
      return type(v) == "number" and v > 0, "a positive number"
    end,
    border = { "string", "table" },
    fold_tools = { "boolean" },
    fold_reasoning = { "boolean" },
    max_output_lines = function(v)
      return type(v) == "number" and v >= 1, "a number >= 1"
    end,
    keymaps = {
      send = { "string", "boolean" },
      stop = { "string", "boolean" },
      continue = { "string", "boolean" },
    },
  },
  changes = {
    keymaps = {
      keep = { "string", "boolean" },
      undo = { "string", "boolean" },
    },
  },
}

M.schema = schema

---`HOST:PORT`, `:PORT` or `PORT` (host 127.0.0.1), `[v6]:PORT`; nil when malformed.
---@param address string
---@return string|nil host, integer|nil port
function M.parse_address(address)
  local host, port = address:match("^%[(.+)%]:(%d+)$")
  if not host then
    host, port = address:match("^(.*):(%d+)$")
  end
  if not port then
    host, port = "", address:match("^(%d+)$")
  end
  port = tonumber(port)
  if not port or port < 1 or port > 65535 then
    return nil, nil
  end
  return (host ~= "" and host or "127.0.0.1"), port
end

---@param rule table|function
---@param value any
---@return boolean ok, string? expected
local function check(rule, value)
  if type(rule) == "function" then
    local ok, expected = rule(value)
    return ok, expected
  end
  local t = type(value)
  for _, allowed in ipairs(rule) do
    if t == allowed then
      return true
    end
  end
  return false, table.concat(rule, " or ")
end

---@param s table schema level
---@return boolean
local function is_nested(s)
  return type(s) == "table" and not vim.islist(s)
end

---Merge `user` over `defaults` following `s`; collects problems instead of raising.
---@return table merged, string[] problems
local function merge(s, defaults, user, prefix, problems)
  local out = vim.deepcopy(defaults)
  if user == nil then
    return out, problems
  end
  for key, value in pairs(user) do
    local path = prefix .. tostring(key)
    local rule = s[key]
    if rule == nil then
      table.insert(problems, ("unknown option %q ignored"):format(path))
    elseif is_nested(rule) then
      if type(value) == "table" then
        out[key] = merge(rule, defaults[key], value, path .. ".", problems)
      else
        table.insert(problems, ("option %q must be a table; default kept"):format(path))
      end
    else
      local ok, expected = check(rule, value)
      if ok then
        out[key] = vim.deepcopy(value)
      else
        table.insert(
          problems,
          ("option %q = %s ignored (expected %s)"):format(path, vim.inspect(value), expected)
        )
      end
    end
  end
  return out, problems
end

---The server command when `cmd` is not set: the `tether` console script when it is on
---PATH (it runs in the Python it was installed into), else `python3 -m tether serve`.
---@return string[]
function M.default_cmd()
  if vim.fn.executable("tether") == 1 then
    return { "tether", "serve" }
  end
  return vim.deepcopy(M.defaults.cmd)
end

---@type tether.Config
M.options = vim.deepcopy(M.defaults)

---Validate and apply user options; returns the problems found (also notified once).
---@param user table|nil
---@return string[] problems
function M.apply(user)
  if user ~= nil and type(user) ~= "table" then
    local problems = { ("setup() expects a table, got %s; defaults used"):format(type(user)) }
    M.options = vim.deepcopy(M.defaults)
    return problems
  end
  local merged, problems = merge(schema, M.defaults, user, "", {})
  if user == nil or not vim.deep_equal(merged.cmd, user.cmd) then
    merged.cmd = M.default_cmd()
  end
  M.options = merged
  return problems
end

return M
