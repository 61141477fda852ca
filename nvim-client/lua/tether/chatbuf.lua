---The chat buffer as text: creating it, reading the input area under the last `## You`,
---and writing answer segments in place (an extmark marks each segment's `## Tether` line,
---so the user's edits elsewhere do not move where the answer streams).
local config = require("tether.config")
local highlights = require("tether.highlights")
local render = require("tether.render")
local window = require("tether.window")

local M = {}

M.ns = vim.api.nvim_create_namespace("tether.segments")

---@class tether.Segment
---@field mark integer extmark on the segment's `## Tether` line
---@field lines string[] body lines as last written

local counter = 0

---A markdown scratch buffer with the chat keymaps; `lines` defaults to an empty chat.
---@param root string
---@param lines string[]|nil
---@param actions {send: fun(), stop: fun(), continue: fun()|nil}
---@return integer buf
function M.create(root, lines, actions)
  counter = counter + 1
  local buf = vim.api.nvim_create_buf(true, true)
  vim.api.nvim_buf_set_name(buf, ("tether://chat/%d"):format(counter))
  vim.bo[buf].filetype = "markdown"
  vim.bo[buf].swapfile = false
  vim.bo[buf].bufhidden = "hide"
  vim.b[buf].tether_root = root
  vim.b[buf].tether_chat = true
  require("tether.mentions").attach(buf)
  lines = lines or { render.title_line(nil), "", render.USER_HEADER, "", "" }
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  require("tether.markdown_view").attach(buf)
  highlights.decorate(buf, 0, -1)
  local keys = config.options.chat.keymaps
  if keys.send then
    vim.keymap.set("n", keys.send, actions.send, { buffer = buf, desc = "Tether: send" })
  end
  if keys.stop then
    vim.keymap.set("n", keys.stop, actions.stop, { buffer = buf, desc = "Tether: stop the turn" })
  end
  if keys.continue and actions.continue then
    local desc = "Tether: continue after the step limit"
    vim.keymap.set("n", keys.continue, actions.continue, { buffer = buf, desc = desc })
  end
  vim.api.nvim_create_autocmd("BufWinEnter", {
    buffer = buf,
    callback = function()
      window.set_options(vim.api.nvim_get_current_win())
    end,
  })
  return buf
end

---Put the cursor at the end of the input area, in every window of the tab showing `buf`.
---@param buf integer
function M.focus_input(buf)
  local win = window.find(buf)
  if win then
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(buf), 0 })
  end
end

---The text under the last `## You` header and that header's 0-based row.
---@param buf integer
---@return string|nil text, integer|nil row
function M.input(buf)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for i = #lines, 1, -1 do
    if lines[i]:match("^## You%s*$") then
      local text = table.concat(vim.list_slice(lines, i + 1), "\n")
      return vim.trim(text), i - 1
    end
  end
  return nil, nil
end

---Freeze the input area as a sent message and open an answer segment below it, followed by
---a fresh input area. With `keep_input`, the message is `text` alone and goes above the
---input area, whose draft stays where it is.
---@param buf integer
---@param row integer 0-based row of the input's `## You`
---@param text string
---@param note string|nil shown under the message (e.g. the attached selection)
---@param keep_input boolean|nil
---@return tether.Segment
function M.open_segment(buf, row, text, note, keep_input)
  local lines = render.user_lines(note and (text .. "\n\n" .. note) or text)
  local seg_row = row + #lines
  if keep_input then
    vim.list_extend(lines, { render.AGENT_HEADER, "" })
    vim.api.nvim_buf_set_lines(buf, row, row, false, lines)
  else
    vim.list_extend(lines, { render.AGENT_HEADER, "", render.USER_HEADER, "", "" })
    vim.api.nvim_buf_set_lines(buf, row, -1, false, lines)
  end
  highlights.decorate(buf, row, -1)
  M.focus_input(buf)
  local mark = vim.api.nvim_buf_set_extmark(buf, M.ns, seg_row, 0, {})
  return { mark = mark, lines = { "" } }
end

---Open an empty answer segment just above the input area (for a turn started elsewhere).
---@param buf integer
---@return tether.Segment
function M.insert_segment(buf)
  local _, row = M.input(buf)
  if not row then
    row = vim.api.nvim_buf_line_count(buf)
    vim.api.nvim_buf_set_lines(buf, row, row, false, { render.USER_HEADER, "", "" })
  end
  vim.api.nvim_buf_set_lines(buf, row, row, false, { render.AGENT_HEADER, "" })
  highlights.decorate(buf, row, row + 1)
  return { mark = vim.api.nvim_buf_set_extmark(buf, M.ns, row, 0, {}), lines = { "" } }
end

---A one-line note just above the input area (an undo or a rewind the transcript must
---show, so it never claims an edit that is no longer there).
---@param buf integer
---@param text string
function M.insert_note(buf, text)
  if not vim.api.nvim_buf_is_loaded(buf) then
    return
  end
  local _, row = M.input(buf)
  row = row or vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, row, row, false, { "> [!note] " .. text, "" })
  highlights.decorate(buf, row, row + 1)
end

---Replace a segment's body with `new`, rewriting only from the first changed line (a
---delta touches the last line or two, not the whole answer).
---@param buf integer
---@param seg tether.Segment
---@param new string[]
function M.write_segment(buf, seg, new)
  if not vim.api.nvim_buf_is_loaded(buf) then
    return -- the chat was closed (:bdelete) while its turn ran
  end
  local pos = vim.api.nvim_buf_get_extmark_by_id(buf, M.ns, seg.mark, {})
  if not pos[1] then
    return
  end
  local row, old = pos[1], seg.lines
  local k = 1
  while k <= #old and k <= #new and old[k] == new[k] do
    k = k + 1
  end
  if k > #old and k > #new then
    return
  end
  vim.api.nvim_buf_set_lines(buf, row + k, row + 1 + #old, false, vim.list_slice(new, k))
  seg.lines = new
  highlights.decorate(buf, row + k - 1, row + 1 + #new)
end

---@param buf integer
---@param title string
function M.set_title(buf, title)
  local first = vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1] or ""
  if first:match("^# ") then
    vim.api.nvim_buf_set_lines(buf, 0, 1, false, { render.title_line(title) })
  end
end

return M
