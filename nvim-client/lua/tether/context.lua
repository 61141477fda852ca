---Editor context attached to prompts: the active file (the last file buffer the user was
---in, since the chat buffer itself is not a file) and a selection in LSP coordinates.
local M = {}

---@type integer|nil
M.last_file_buf = nil

local group = vim.api.nvim_create_augroup("tether.context", { clear = true })
vim.api.nvim_create_autocmd("BufEnter", {
  group = group,
  callback = function(ev)
    if vim.bo[ev.buf].buftype == "" and vim.api.nvim_buf_get_name(ev.buf) ~= "" then
      M.last_file_buf = ev.buf
    end
  end,
})

---@param buf integer|nil
---@return integer|nil
function M.active_file_buf(buf)
  buf = buf or vim.api.nvim_get_current_buf()
  if vim.bo[buf].buftype == "" and vim.api.nvim_buf_get_name(buf) ~= "" then
    return buf
  end
  if M.last_file_buf and vim.api.nvim_buf_is_valid(M.last_file_buf) then
    return M.last_file_buf
  end
  -- Before any BufEnter was seen: a file shown next to the chat.
  for _, win in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    local b = vim.api.nvim_win_get_buf(win)
    if vim.bo[b].buftype == "" and vim.api.nvim_buf_get_name(b) ~= "" then
      return b
    end
  end
  return nil
end

---@param buf integer
---@param row integer 0-based
---@param col integer byte column
---@return integer UTF-16 column
local function utf16(buf, row, col)
  local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1] or ""
  col = math.min(col, #line)
  local ok, idx = pcall(vim.lsp.util.character_offset, buf, row, col, "utf-16")
  if ok and idx then
    return idx
  end
  return col
end

---A selection (0-based, end exclusive) from 1-based inclusive lines, or from the last
---visual selection's marks when it covers exactly those lines (characterwise precision).
---@param buf integer
---@param line1 integer
---@param line2 integer
---@return table range {start={line,character}, end={line,character}}
function M.selection(buf, line1, line2)
  local s = vim.api.nvim_buf_get_mark(buf, "<")
  local e = vim.api.nvim_buf_get_mark(buf, ">")
  if vim.fn.visualmode() == "v" and s[1] == line1 and e[1] == line2 then
    local last = vim.api.nvim_buf_get_lines(buf, e[1] - 1, e[1], false)[1] or ""
    -- the end is exclusive: past the whole last character (it may be multibyte)
    local ch = vim.fn.matchstr(last, "\\%" .. (e[2] + 1) .. "c.")
    local end_byte = math.min(e[2] + math.max(#ch, 1), #last)
    return {
      start = { line = s[1] - 1, character = utf16(buf, s[1] - 1, s[2]) },
      ["end"] = { line = e[1] - 1, character = utf16(buf, e[1] - 1, end_byte) },
    }
  end
  return {
    start = { line = line1 - 1, character = 0 },
    ["end"] = { line = line2, character = 0 },
  }
end

---@param buf integer|nil
---@param range table|nil
---@return table|nil PromptContext
function M.prompt_context(buf, range)
  local file = M.active_file_buf(buf)
  if not file then
    return nil
  end
  local ctx = { activeFileUri = vim.uri_from_bufnr(file) }
  if vim.bo[file].filetype ~= "" then
    ctx.languageId = vim.bo[file].filetype
  end
  local win = vim.fn.bufwinid(file)
  local cursor = win ~= -1 and vim.api.nvim_win_get_cursor(win) or vim.api.nvim_buf_get_mark(file, '"')
  if cursor and cursor[1] > 0 then
    ctx.cursor = { line = cursor[1] - 1, character = utf16(file, cursor[1] - 1, cursor[2]) }
  end
  local diagnostics = M.diagnostics(file)
  if #diagnostics > 0 then
    ctx.diagnostics = diagnostics
  end
  if range then
    ctx.selection = range
  end
  return ctx
end

local SEVERITY = { "error", "warning", "information", "hint" }

---The buffer's diagnostics (`vim.diagnostic.get`) as PromptDiagnostics, at most 100.
---@param buf integer
---@return table[]
function M.diagnostics(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if #out >= 100 then
      break
    end
    local end_lnum = d.end_lnum or d.lnum
    table.insert(out, {
      range = {
        start = { line = d.lnum, character = utf16(buf, d.lnum, d.col or 0) },
        ["end"] = { line = end_lnum, character = utf16(buf, end_lnum, d.end_col or d.col or 0) },
      },
      severity = SEVERITY[d.severity] or "error",
      message = d.message,
      source = d.source,
      code = d.code ~= nil and tostring(d.code) or nil,
    })
  end
  return out
end

return M
