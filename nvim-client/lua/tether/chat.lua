---The chats of this editor: one buffer per session, bound to the client of a workspace
---root; opening them in windows, and routing session events to the chat of their session.
local chatbuf = require("tether.chatbuf")
local client = require("tether.client")
local config = require("tether.config")
local log = require("tether.log")
local render = require("tether.render")
local window = require("tether.window")

local ChatSession = require("tether.chat_session")

local M = {}

---@type table<integer, tether.ChatSession>
M.by_buf = {}
---@type tether.ChatSession|nil
M.last = nil
---@type table[] the most recent file_edited events of any chat (for :TetherDiff)
M.last_edits = {}

---@param session_id string
---@return tether.ChatSession|nil
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
---@return tether.ChatSession
function M.create(root, lines)
  local chat ---@type tether.ChatSession
  local buf = chatbuf.create(root, lines, {
    send = function()
      chat:send()
    end,
    stop = function()
      chat:stop()
    end,
    continue = function()
      chat:continue()
    end,
  })
  chat = setmetatable({
    buf = buf,
    root = root,
    title = "",
    state = "idle",
    segments = {},
    dirty = {},
    flush_pending = false,
    last_seq = -1,
    edits = {},
  }, ChatSession)
  M.by_buf[buf] = chat
  -- :bdelete unloads a scratch buffer's text too: the chat is gone either way.
  vim.api.nvim_create_autocmd("BufUnload", {
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
---@return tether.ChatSession|nil
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
---@return tether.ChatSession
function M.open()
  local root = client.root_for(0)
  local chat = M.get(nil, root) or M.create(root)
  window.show(chat.buf, chat_window())
  chat:focus_input()
  return chat
end

---:TetherNew: a fresh chat (a new session on first send) in the chat window.
---@return tether.ChatSession
function M.new()
  local chat = M.create((client.root_for(0)))
  window.show(chat.buf, chat_window())
  chat:focus_input()
  return chat
end

---Show a stored session (a tether/session/load result) in a chat buffer.
---@param root string
---@param result table
---@return tether.ChatSession
function M.open_loaded(root, result)
  local session = result.session or {}
  local chat = M.find_session(session.id)
  if not chat then
    chat = M.create(root, render.transcript(result, config.options.chat.max_output_lines))
    chat.session_id = session.id
    chat.title = session.title or ""
    chat.last_seq = result.lastSeq or -1
    chat.usage = session.usage
  end
  window.show(chat.buf, chat_window())
  chat:focus_input()
  return chat
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
        local cmd = require("tether.config").options.cmd
        chat:fail(require("tether.stderr").exit_message(code, cmd and cmd[1]))
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

return M
