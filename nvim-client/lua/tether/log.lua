---The plugin's own log (the server logs to its own file / window/logMessage):
---one line per record in stdpath("log")/tether-nvim.log, filtered by `log_level`.
local M = {}

local levels = { trace = 0, debug = 1, info = 2, warn = 3, error = 4, off = 5 }

---@return string
function M.path()
  return vim.fs.joinpath(vim.fn.stdpath("log") --[[@as string]], "tether-nvim.log")
end

---@param level string
---@param fmt string
local function write(level, fmt, ...)
  local threshold = levels[require("tether.config").options.log_level] or levels.warn
  if levels[level] < threshold then
    return
  end
  local ok, msg = pcall(string.format, fmt, ...)
  if not ok then
    msg = fmt
  end
  local file = io.open(M.path(), "a")
  if file then
    file:write(("%s [%s] %s\n"):format(os.date("%Y-%m-%d %H:%M:%S"), level:upper(), msg))
    file:close()
  end
end

function M.trace(fmt, ...)
  write("trace", fmt, ...)
end

function M.debug(fmt, ...)
  write("debug", fmt, ...)
end

function M.info(fmt, ...)
  write("info", fmt, ...)
end

function M.warn(fmt, ...)
  write("warn", fmt, ...)
end

function M.error(fmt, ...)
  write("error", fmt, ...)
end

---Tell the user (and log it): one place so every message is prefixed the same way.
---@param msg string
---@param level integer|nil vim.log.levels.*
function M.notify(msg, level)
  level = level or vim.log.levels.INFO
  local name = level >= vim.log.levels.ERROR and "error"
    or level >= vim.log.levels.WARN and "warn"
    or "info"
  write(name, "%s", msg)
  vim.notify("Tether: " .. msg, level, { title = "Tether" })
end

return M
