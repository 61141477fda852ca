---Chat buffers: one per session, bound to the client of a workspace root. Sending turns
---the text under the last `## You` into a prompt (or a steer while a turn runs); session
---events stream into the buffer through the pure render module.
local client = require("tether.client")
local config = require("tether.config")
local context = require("tether.context")
local highlights = require("tether.highlights")
local log = require("tether.log")
local render = require("tether.render")
local window = require("tether.window")

local M = {}

local NS = vim.api.nvim_create_namespace("tether.segments")

---@class tether.Segment
---@field mark integer extmark on the segment's `## Tether` line
---@field lines string[] body lines as last written

---@class tether.Chat
---@field buf integer
---@field root string
---@field client_id integer|nil
---@field session_id string|nil
---@field title string
---@field state "idle"|"starting"|"running"|"waiting"|"cancelling"
---@field turn tether.render.Turn|nil
---@field turn_id string|nil
---@field segments table<integer, tether.Segment>
---@field dirty table<integer, boolean>
---@field flush_pending boolean
---@field last_seq integer
---@field usage table|nil session totals
---@field edits table[] file_edited events, newest last
local Chat = {}
Chat.__index = Chat

---@type table<integer, tether.Chat>
M.by_buf = {}
---@type tether.Chat|nil
M.last = nil
---@type table[] the most recent file_edited events of any chat (for :TetherDiff)
M.last_edits = {}

local counter = 0

---@param chat tether.Chat
local function status_changed(chat)
  M.last = chat
  pcall(vim.api.nvim_exec_autocmds, "User", { pattern = "TetherStatus", modeline = false })
  pcall(vim.cmd.redrawstatus)
end

---@param session_id string
---@return tether.Chat|nil
function M.find_session(session_id)
  for _, chat in pairs(M.by_buf) do
    if chat.session_id == session_id then
      return chat
    end
  end
  return nil
end

---@param root string
---@param lines string[]|nil
---@return tether.Chat
function M.create(root, lines)
  counter = counter + 1
  local buf = vim.api.nvim_create_buf(true, true)
  vim.api.nvim_buf_set_name(buf, ("tether://chat/%d"):format(counter))
  vim.bo[buf].filetype = "markdown"
  vim.bo[buf].swapfile = false
  vim.bo[buf].bufhidden = "hide"
  vim.b[buf].tether_root = root
  vim.b[buf].tether_chat = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines or { render.title_line(nil), "", render.USER_HEADER, "", "" })
  highlights.decorate(buf, 0, -1)
  local chat = setmetatable({
    buf = buf,
    root = root,
    title = "",
    state = "idle",
    segments = {},
    dirty = {},
    flush_pending = false,
    last_seq = -1,
    edits = {},
  }, Chat)
  M.by_buf[buf] = chat
  local keys = config.options.chat.keymaps
  if keys.send then
    vim.keymap.set("n", keys.send, function()
      chat:send()
    end, { buffer = buf, desc = "Tether: send" })
  end
  if keys.stop then
    vim.keymap.set("n", keys.stop, function()
      chat:stop()
    end, { buffer = buf, desc = "Tether: stop the turn" })
  end
  vim.api.nvim_create_autocmd("BufWinEnter", {
    buffer = buf,
    callback = function()
      window.set_options(vim.api.nvim_get_current_win())
    end,
  })
  vim.api.nvim_create_autocmd("BufWipeout", {
    buffer = buf,
    callback = function()
      M.by_buf[buf] = nil
      if M.last == chat then
        M.last = nil
      end
    end,
  })
  M.last = chat
  return chat
end

---The chat of a buffer, else the last one used (optionally of `root`).
---@param buf integer|nil
---@param root string|nil
---@return tether.Chat|nil
function M.get(buf, root)
  local chat = M.by_buf[buf or vim.api.nvim_get_current_buf()]
  if chat then
    return chat
  end
  if M.last and vim.api.nvim_buf_is_valid(M.last.buf) and (not root or M.last.root == root) then
    return M.last
  end
  if root then
    for _, c in pairs(M.by_buf) do
      if c.root == root then
        return c
      end
    end
  end
  return nil
end

---@return integer|nil a window of the current tab showing some chat
local function chat_window()
  for _, win in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    if M.by_buf[vim.api.nvim_win_get_buf(win)] then
      return win
    end
  end
  return nil
end

---:TetherChat: show the workspace's chat (creating one), focused, cursor in the input area.
---@return tether.Chat
function M.open()
  local root = client.root_for(0)
  local chat = M.get(nil, root) or M.create(root)
  window.show(chat.buf, chat_window())
  chat:focus_input()
  return chat
end

---:TetherNew: a fresh chat (a new session on first send) in the chat window.
---@return tether.Chat
function M.new()
  local chat = M.create(client.root_for(0))
  window.show(chat.buf, chat_window())
  chat:focus_input()
  return chat
end

---Show a stored session (a tether/session/load result) in a chat buffer.
---@param root string
---@param result table
---@return tether.Chat
function M.open_loaded(root, result)
  local session = result.session or {}
  local chat = M.find_session(session.id)
  if not chat then
    chat = M.create(root, render.transcript(result, config.options.chat.max_output_lines))
    chat.session_id = session.id
    chat.title = session.title or ""
    chat.last_seq = result.lastSeq or -1
    chat.usage = session.usage
    highlights.decorate(chat.buf, 0, -1)
  end
  window.show(chat.buf, chat_window())
  chat:focus_input()
  return chat
end

function Chat:focus_input()
  local win = window.find(self.buf)
  if win then
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(self.buf), 0 })
  end
end

---@return boolean
function Chat:busy()
  return self.state ~= "idle"
end

---@param state string
function Chat:set_state(state)
  self.state = state
  status_changed(self)
end

---The text under the last `## You` header and that header's 0-based row.
---@return string|nil text, integer|nil row
function Chat:input()
  local lines = vim.api.nvim_buf_get_lines(self.buf, 0, -1, false)
  for i = #lines, 1, -1 do
    if lines[i]:match("^## You%s*$") then
      local text = table.concat(vim.list_slice(lines, i + 1), "\n")
      return vim.trim(text), i - 1
    end
  end
  return nil, nil
end

---Freeze the input area as a sent message and open an answer segment below it, followed by
---a fresh input area.
---@param row integer 0-based row of the input's `## You`
---@param text string
---@param note string|nil shown under the message (e.g. the attached selection)
---@return tether.Segment
function Chat:open_segment(row, text, note)
  local lines = render.user_lines(note and (text .. "\n\n" .. note) or text)
  local seg_row = row + #lines
  vim.list_extend(lines, { render.AGENT_HEADER, "", render.USER_HEADER, "", "" })
  vim.api.nvim_buf_set_lines(self.buf, row, -1, false, lines)
  highlights.decorate(self.buf, row, -1)
  self:focus_input()
  local mark = vim.api.nvim_buf_set_extmark(self.buf, NS, seg_row, 0, {})
  return { mark = mark, lines = { "" } }
end

---@param segment integer
function Chat:render_segment(segment)
  local seg = self.segments[segment]
  if not seg or not self.turn or not vim.api.nvim_buf_is_valid(self.buf) then
    return
  end
  local pos = vim.api.nvim_buf_get_extmark_by_id(self.buf, NS, seg.mark, {})
  if not pos[1] then
    return
  end
  local row = pos[1]
  local new, old = render.segment_lines(self.turn, segment), seg.lines
  local k = 1
  while k <= #old and k <= #new and old[k] == new[k] do
    k = k + 1
  end
  if k > #old and k > #new then
    return
  end
  vim.api.nvim_buf_set_lines(self.buf, row + k, row + 1 + #old, false, vim.list_slice(new, k))
  seg.lines = new
  highlights.decorate(self.buf, row + k - 1, row + 1 + #new)
end

---Coalesce redraws: deltas arrive faster than the screen needs them.
function Chat:flush()
  self.flush_pending = false
  local dirty = self.dirty
  self.dirty = {}
  for segment in pairs(dirty) do
    self:render_segment(segment)
  end
end

---@param segment integer|nil
---@param now boolean|nil
function Chat:mark_dirty(segment, now)
  if segment then
    self.dirty[segment] = true
  end
  if now then
    return self:flush()
  end
  if not self.flush_pending then
    self.flush_pending = true
    vim.defer_fn(function()
      self:flush()
    end, 15)
  end
end

---@return vim.lsp.Client|nil
function Chat:client()
  local c = client.ensure(self.root)
  self.client_id = c and c.id or nil
  return c
end

---Write an error into the open answer segment and go idle.
---@param msg string
function Chat:fail(msg)
  if self.turn and not self.turn.status then
    render.apply(self.turn, { type = "turn_failed", reason = msg })
    self:mark_dirty(self.turn.segment, true)
  end
  log.warn("chat: %s", msg)
  self:set_state("idle")
end

---@param text string
---@param ctx table|nil PromptContext
---@param seg tether.Segment
function Chat:start_turn(text, ctx, seg)
  self.turn = render.new_turn(config.options.chat.max_output_lines)
  self.turn_id = nil
  self.segments = { [1] = seg }
  local c = self:client()
  if not c then
    return self:fail("the Tether server is not running (see :checkhealth tether)")
  end
  local function prompt()
    self:set_state("running")
    local params = { sessionId = self.session_id, text = text, context = ctx }
    client.request(c, "tether/session/prompt", params, function(err, result)
      self:on_prompt_done(err, result)
    end)
  end
  if self.session_id then
    return prompt()
  end
  self:set_state("starting")
  local params = { folderUri = client.folder_uri(self.root), model = config.options.model }
  client.request(c, "tether/session/create", params, function(err, result)
    if err or not result then
      return self:fail("cannot create a session: " .. client.error_message(err or "no result"))
    end
    self.session_id = result.sessionId
    if result.session and result.session.title then
      self.title = result.session.title
    end
    prompt()
  end)
end

---The prompt request returns when the turn has ended; its events normally got there first.
---@param err table|string|nil
---@param result table|nil TurnResult
function Chat:on_prompt_done(err, result)
  if err then
    return self:fail(client.error_message(err))
  end
  if self.turn and not self.turn.status and result then
    local has_text = vim.iter(self.turn.blocks):any(function(b)
      return b.kind == "text"
    end)
    if not has_text and (result.text or "") ~= "" then
      render.apply(self.turn, { type = "text_complete", messageId = "result", text = result.text })
    end
    local types = {
      completed = "turn_completed",
      cancelled = "turn_cancelled",
      failed = "turn_failed",
      step_limit = "step_limit_reached",
    }
    render.apply(self.turn, { type = types[result.status] or "turn_completed", reason = result.reason })
    self:mark_dirty(self.turn.segment, true)
  end
  self:set_state("idle")
end

---:TetherSend / <CR>: send the input area; while a turn runs, steer it instead.
---@param ctx table|nil PromptContext (default: the active file)
---@param note string|nil
function Chat:send(ctx, note)
  local text, row = self:input()
  if not row then
    vim.api.nvim_buf_set_lines(self.buf, -1, -1, false, { "", render.USER_HEADER, "", "" })
    return log.notify("write your message below the last `## You` header", vim.log.levels.WARN)
  end
  if text == "" then
    return log.notify("nothing to send: write below the last `## You` header", vim.log.levels.WARN)
  end
  ctx = ctx or context.prompt_context(nil, nil)
  if self.state == "starting" then
    return log.notify("the session is starting; send again in a moment", vim.log.levels.WARN)
  end
  if not self:busy() then
    return self:start_turn(text, ctx, self:open_segment(row, text, note))
  end
  -- Steer: the text joins the running turn; later output renders below it.
  local segment = render.next_segment(self.turn)
  self.segments[segment] = self:open_segment(row, text, note)
  local c = self:client()
  if not c then
    return self:fail("the Tether server is not running")
  end
  client.request(c, "tether/session/steer", { sessionId = self.session_id, text = text }, function(err, result)
    if err then
      return log.notify("steer failed: " .. client.error_message(err), vim.log.levels.WARN)
    end
    if result and result.queued == false and not self:busy() then
      -- The turn ended before the text could join it: it starts the next turn.
      self:start_turn(text, ctx, self.segments[segment])
    end
  end)
end

---:TetherStop: cancel the running turn (idempotent).
function Chat:stop()
  if not self.session_id or not self:busy() then
    return log.notify("no turn is running", vim.log.levels.INFO)
  end
  self:set_state("cancelling")
  local c = self:client()
  if not c then
    return self:fail("the Tether server is not running")
  end
  client.request(c, "tether/session/cancel", { sessionId = self.session_id }, function(err)
    if err then
      log.notify("cancel failed: " .. client.error_message(err), vim.log.levels.WARN)
    end
  end)
end

---@param title string
function Chat:set_title(title)
  self.title = title
  local first = vim.api.nvim_buf_get_lines(self.buf, 0, 1, false)[1] or ""
  if first:match("^# ") then
    vim.api.nvim_buf_set_lines(self.buf, 0, 1, false, { render.title_line(title) })
  end
  status_changed(self)
end

---@param ev table
---@param seq integer|nil
function Chat:on_event(ev, seq)
  if seq then
    if seq <= self.last_seq then
      return -- already seen (a replay)
    end
    self.last_seq = seq
  end
  local t = ev.type
  if t == "title_changed" then
    return self:set_title(ev.title or "")
  elseif t == "usage" then
    self.usage = ev.total
    self.context_tokens, self.context_window = ev.contextTokens, ev.contextWindow
    status_changed(self)
  elseif t == "file_edited" then
    local edit = { uri = ev.uri, diff = ev.diff, applied = ev.applied, message = ev.message, turn_id = ev.turnId }
    table.insert(self.edits, edit)
    local prev = M.last_edits[1]
    if not prev or prev.turn_id ~= ev.turnId then
      M.last_edits = {}
    end
    table.insert(M.last_edits, edit)
  end
  if not self.turn then
    return
  end
  if t == "turn_started" then
    self.turn_id = ev.turnId
  elseif self.turn_id and ev.turnId and ev.turnId ~= self.turn_id then
    return -- a late event of an earlier turn
  end
  if render.TERMINAL[t] and self.turn.status then
    return
  end
  local segment = render.apply(self.turn, ev)
  if t == "permission_requested" then
    self:set_state("waiting")
  elseif t == "permission_resolved" and self.state == "waiting" then
    self:set_state("running")
  end
  if render.TERMINAL[t] then
    self:mark_dirty(segment, true)
    self:set_state("idle")
  else
    self:mark_dirty(segment)
  end
end

---Handler of tether/session/event.
---@param params table {sessionId, turnId, seq, event}
---@param client_id integer|nil
function M.on_event(params, client_id)
  if type(params) ~= "table" then
    return
  end
  local ev = params.event or params
  local chat = M.find_session(params.sessionId or ev.sessionId)
  if not chat then
    log.debug("event for an unknown session %s", tostring(params.sessionId))
    return
  end
  chat.client_id = client_id or chat.client_id
  chat:on_event(ev, params.seq or ev.seq)
end

---A server went away: turns it was running cannot finish.
---@param client_id integer
---@param code integer|nil
function M.on_client_exit(client_id, code)
  for _, chat in pairs(M.by_buf) do
    if chat.client_id == client_id then
      chat.client_id = nil
      if chat:busy() then
        chat:fail(("the Tether server exited (code %s)"):format(tostring(code)))
      end
    end
  end
end

---A session was deleted: its chat no longer has a session behind it.
---@param session_id string
function M.forget_session(session_id)
  local chat = M.find_session(session_id)
  if chat then
    chat.session_id = nil
    chat.last_seq = -1
  end
end

M.Chat = Chat

return M
