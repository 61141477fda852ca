---A running indicator in the chat itself (issue 15, Neovim 3): while a turn runs, a
---spinner with the state and the stop key as virtual text above the input's `## You`,
---so progress shows without a configured statusline. Not buffer text: never sent,
---never saved, gone when the turn ends.
local M = {}

M.ns = vim.api.nvim_create_namespace("tether_progress")

local FRAMES = { "⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏" }
local INTERVAL = 120 -- ms per frame

local LABELS = {
  starting = "starting the session…",
  running = "working…",
  waiting = "waiting for your permission",
  cancelling = "stopping…",
}

---@type table<integer, {timer: uv.uv_timer_t, frame: integer}>
local spinners = {}

---@param buf integer
---@param state string
---@param frame integer
local function draw(buf, state, frame)
  if not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  local _, row = require("tether.chatbuf").input(buf)
  if not row then
    return
  end
  local stop = require("tether.config").options.chat.keymaps.stop
  local hint = type(stop) == "string" and ("  (%s or :TetherStop to stop)"):format(stop) or ""
  local text = ("%s Tether is %s"):format(FRAMES[frame], LABELS[state] or state)
  vim.api.nvim_buf_set_extmark(buf, M.ns, row, 0, {
    virt_lines = { { { text, "TetherProgress" }, { hint, "Comment" } } },
    virt_lines_above = true,
  })
end

---@param buf integer
local function stop_spinner(buf)
  local s = spinners[buf]
  if s then
    spinners[buf] = nil
    s.timer:stop()
    s.timer:close()
  end
  if vim.api.nvim_buf_is_valid(buf) then
    vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  end
end

---Show or hide the indicator for `chat` after its state changed.
---@param chat tether.ChatSession
function M.update(chat)
  local buf = chat.buf
  if not buf or not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  if not chat:busy() then
    return stop_spinner(buf)
  end
  local s = spinners[buf]
  if not s then
    s = { timer = assert(vim.uv.new_timer()), frame = 1 }
    spinners[buf] = s
    s.timer:start(INTERVAL, INTERVAL, vim.schedule_wrap(function()
      if spinners[buf] ~= s then
        return
      end
      if not vim.api.nvim_buf_is_valid(buf) or not chat:busy() then
        return stop_spinner(buf)
      end
      s.frame = s.frame % #FRAMES + 1
      draw(buf, chat.state, s.frame)
    end))
  end
  draw(buf, chat.state, s.frame)
end

---The indicator's text in `buf` now ("" when none), for tests and statusline-less UIs.
---@param buf integer
---@return string
function M.text(buf)
  local marks = vim.api.nvim_buf_get_extmarks(buf, M.ns, 0, -1, { details = true })
  local parts = {}
  for _, mark in ipairs(marks) do
    for _, line in ipairs(mark[4].virt_lines or {}) do
      for _, chunk in ipairs(line) do
        table.insert(parts, chunk[1])
      end
    end
  end
  return table.concat(parts)
end

return M
