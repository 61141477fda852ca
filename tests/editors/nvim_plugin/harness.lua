-- A tiny test harness for `nvim --headless --clean -l <spec>.lua`: the plugin on the
-- runtimepath, isolated XDG dirs set by the caller, exit code 1 on any failure.
local M = {}

local root = vim.env.TETHER_NVIM_PLUGIN or vim.fs.normalize(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/../../../nvim-client")
vim.opt.rtp:prepend(root)
vim.cmd("runtime plugin/tether.lua")
M.plugin_root = root

local failures, count = {}, 0

---@param name string
---@param fn fun()
function M.test(name, fn)
  count = count + 1
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    io.stdout:write("ok   " .. name .. "\n")
  else
    io.stdout:write("FAIL " .. name .. "\n" .. tostring(err) .. "\n")
    table.insert(failures, name)
  end
end

function M.eq(expected, actual, msg)
  if not vim.deep_equal(expected, actual) then
    error(("%sexpected %s\n     got %s"):format(msg and (msg .. ": ") or "", vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

function M.truthy(value, msg)
  if not value then
    error(msg or "expected a truthy value", 2)
  end
end

---@param lines string[]
---@param pattern string
---@return integer|nil index of the first line matching
function M.find(lines, pattern)
  for i, l in ipairs(lines) do
    if l:find(pattern) then
      return i
    end
  end
  return nil
end

function M.has_line(lines, pattern, msg)
  if not M.find(lines, pattern) then
    error(("%sno line matches %q in:\n%s"):format(msg and (msg .. ": ") or "", pattern, table.concat(lines, "\n")), 2)
  end
end

function M.buf_lines(buf)
  return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
end

function M.finish()
  io.stdout:write(("%d tests, %d failed\n"):format(count, #failures))
  io.stdout:flush()
  if #failures > 0 then
    os.exit(1)
  end
  os.exit(0)
end

return M
