---The last lines the server wrote on stderr, so a server that cannot start can say why.
---
---Neovim's LSP transport hands the server's stderr only to `vim.lsp.log.error("rpc", cmd,
---"stderr", chunk)` (and drops it unless the LSP log level lets errors through). Wrapping
---that one function is the only place the text passes through; the wrapper keeps the
---tail per server executable and calls the original unchanged.
local M = {}

local KEEP = 20 -- lines kept per executable

---@type table<string, string[]>
local tails = {}

---@param exe string
---@param chunk string
local function add(exe, chunk)
  local tail = tails[exe] or {}
  for _, line in ipairs(vim.split(chunk, "\n", { plain = true, trimempty = true })) do
    line = vim.trim(line)
    if line ~= "" then
      table.insert(tail, line)
    end
  end
  while #tail > KEEP do
    table.remove(tail, 1)
  end
  tails[exe] = tail
end

---Start keeping stderr tails (idempotent).
function M.install()
  local lsp_log = require("vim.lsp.log")
  if lsp_log._tether_stderr then
    return
  end
  local original = lsp_log.error
  lsp_log._tether_stderr = true
  lsp_log.error = function(...)
    local what, cmd, kind, chunk = ...
    if what == "rpc" and kind == "stderr" and type(chunk) == "string" then
      -- Neovim 0.10 passes the whole cmd list, 0.11 its first element.
      local exe = type(cmd) == "table" and cmd[1] or cmd
      if type(exe) == "string" then
        pcall(add, exe, chunk)
      end
    end
    return original(...)
  end
end

---Forget what `exe` wrote (a new server is starting).
---@param exe string
function M.clear(exe)
  tails[exe] = nil
end

---The last `n` stderr lines of `exe`.
---@param exe string
---@param n integer|nil
---@return string[]
function M.tail(exe, n)
  local tail = tails[exe] or {}
  n = n or 5
  return vim.list_slice(tail, math.max(1, #tail - n + 1), #tail)
end

---The message for a server that exited: its code, its last stderr lines and the fix.
---@param code integer|string|nil
---@param exe string|nil
---@return string
function M.exit_message(code, exe)
  local lines = exe and M.tail(exe) or {}
  local head = ("the Tether server exited (code %s)"):format(tostring(code))
  local fix = "Run :checkhealth tether, or set `cmd` in require('tether').setup() to a command"
    .. " that starts `tether serve`."
  if #lines == 0 then
    return head .. ". " .. fix
  end
  local quoted = vim.tbl_map(function(l)
    return "    " .. l
  end, lines)
  return head .. "; its last output:\n" .. table.concat(quoted, "\n") .. "\n" .. fix
end

return M
