---Highlight groups (linked with `default = true`, so colorschemes win) and the extmarks
---that apply them to chat lines.
local M = {}

M.ns = vim.api.nvim_create_namespace("tether.highlights")

---@type table<string, vim.api.keyset.highlight>
M.groups = {
  TetherUserHeader = { link = "Title", default = true },
  TetherAgentHeader = { link = "Function", default = true },
  TetherToolRunning = { link = "DiagnosticWarn", default = true },
  TetherToolDone = { link = "DiagnosticOk", default = true },
  TetherToolFailed = { link = "DiagnosticError", default = true },
  TetherReasoning = { link = "Comment", default = true },
  TetherError = { link = "ErrorMsg", default = true },
  TetherNote = { link = "Comment", default = true },
  TetherStatusIdle = { link = "StatusLine", default = true },
  TetherStatusRunning = { link = "DiagnosticWarn", default = true },
  TetherProgress = { link = "DiagnosticInfo", default = true },
  TetherDiffAdd = { link = "Added", default = true },
  TetherDiffDelete = { link = "Removed", default = true },
  TetherDiffHunk = { link = "DiffText", default = true },
  TetherDiffFile = { link = "Title", default = true },
}

function M.setup()
  for name, spec in pairs(M.groups) do
    vim.api.nvim_set_hl(0, name, spec)
  end
end

---@param line string
---@return string|nil
function M.group_for(line)
  if line:match("^## You%s*$") then
    return "TetherUserHeader"
  elseif line:match("^## Tether%s*$") then
    return "TetherAgentHeader"
  elseif line:match("^> %[!reasoning%]") then
    return "TetherReasoning"
  elseif line:match("^> %[!tool%]") then
    if line:match("· failed") or line:match("· rejected") or line:match("· cancelled") then
      return "TetherToolFailed"
    elseif line:match("· done") then
      return "TetherToolDone"
    end
    return "TetherToolRunning"
  elseif line:match("^%*%*Error:%*%*") or line:match("^%*%*Failed:%*%*") then
    return "TetherError"
  elseif
    line:match("^_Cancelled")
    or line:match("^_Stopped")
    or line:match("^_Retrying")
    or line:match("^_Context full")
  then
    return "TetherNote"
  end
  return nil
end

---Re-apply highlights to rows [first, last) (0-based) of a chat buffer.
---@param buf integer
---@param first integer
---@param last integer|nil -1 / nil for the end
function M.decorate(buf, first, last)
  if not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  pcall(require("tether.markdown_view").decorate, buf)
  local lines = vim.api.nvim_buf_get_lines(buf, first, last or -1, false)
  vim.api.nvim_buf_clear_namespace(buf, M.ns, first, last or -1)
  for i, line in ipairs(lines) do
    local group = M.group_for(line)
    if group then
      vim.api.nvim_buf_set_extmark(buf, M.ns, first + i - 1, 0, {
        end_col = #line,
        hl_group = group,
        priority = 150,
      })
    end
  end
end

return M
