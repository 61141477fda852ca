---Review and rewind the agent's edits: :TetherChanges fills the quickfix list with a
---turn's hunks (tether/changes/list), keymaps keep or undo the hunk under the cursor
---(tether/changes/undo), :TetherRewind restores the files of a turn and the later ones
---(tether/session/rewind). The transcript is told through the server's events.
local client = require("tether.client")
local log = require("tether.log")
local types = require("tether.types")

local M = {}

---@type table|nil the last list shown: { chat, turn_id, files = FileChangeInfo[] }
M.shown = nil

---@param chat tether.ChatSession|nil
---@return tether.ChatSession|nil, table|nil
local function chat_and_client(chat)
  chat = chat or require("tether.chat").get(nil, nil)
  if not chat or not chat.session_id then
    log.notify("no Tether session with edits here: open a chat with :TetherChat", vim.log.levels.WARN)
    return nil, nil
  end
  return chat, chat:client()
end

---The turn to review: the given one, else the chat's last turn with edits.
---@param chat tether.ChatSession
---@param turn_id string|nil
---@return string|nil
local function pick_turn(chat, turn_id)
  if turn_id and turn_id ~= "" then
    return turn_id
  end
  for i = #chat.edits, 1, -1 do
    if chat.edits[i].applied ~= false and chat.edits[i].turn_id then
      return chat.edits[i].turn_id
    end
  end
  return chat.turn_id
end

---Quickfix items of a change list: one per hunk, at its first line in the agent's text.
---@param root string
---@param turn_id string
---@param files table[] FileChangeInfo
---@return table[]
function M.items(root, turn_id, files)
  local items = {}
  for _, file in ipairs(files) do
    local fname = vim.uri_to_fname(file.uri)
    if #file.hunks == 0 then
      local why = file.restorable == false and "not restorable (too big to keep)" or "no changes"
      table.insert(items, { filename = fname, lnum = 1, text = why })
    end
    for _, hunk in ipairs(file.hunks) do
      local text = ("[%s] +%d -%d"):format(hunk.state, hunk.newLines, hunk.oldLines)
      local first = hunk.added[1] or hunk.removed[1]
      if first then
        text = text .. "  " .. vim.trim(first)
      end
      table.insert(items, {
        filename = fname,
        lnum = math.max(hunk.newStart, 1),
        end_lnum = math.max(hunk.newStart + hunk.newLines - 1, hunk.newStart, 1),
        text = text,
        type = hunk.state == "undone" and "W" or "I",
        user_data = { turn_id = turn_id, path = file.path, hunk = hunk.id, root = root },
      })
    end
  end
  return items
end

---:TetherChanges [turn]: the turn's hunks in the quickfix list; keymaps in file buffers.
---@param turn_id string|nil
---@param chat tether.ChatSession|nil
function M.list(turn_id, chat)
  local c
  chat, c = chat_and_client(chat)
  if not chat or not c then
    return
  end
  local turn = pick_turn(chat, turn_id)
  local params = { sessionId = chat.session_id, turnId = turn }
  client.request(c, types.methods.changes_list, params, function(err, result)
    if err then
      return log.notify("cannot list changes: " .. client.error_message(err), vim.log.levels.ERROR)
    end
    local entry = (result.turns or {})[1]
    if not entry or #entry.files == 0 then
      return log.notify("the agent made no edits in that turn", vim.log.levels.INFO)
    end
    M.shown = { chat = chat, turn_id = entry.turnId, files = entry.files }
    local title = ("Tether changes%s"):format(entry.rewound and " (rewound)" or "")
    vim.fn.setqflist({}, " ", { title = title, items = M.items(chat.root, entry.turnId, entry.files) })
    M.map_buffers(entry.files)
    vim.cmd("botright copen")
  end)
end

---The hunk of the last list under the cursor of the current buffer, if any.
---@return table|nil user_data { turn_id, path, hunk }
function M.hunk_at_cursor()
  local fname = vim.api.nvim_buf_get_name(0)
  local row = vim.api.nvim_win_get_cursor(0)[1]
  for _, item in ipairs(vim.fn.getqflist({ items = 0 }).items or {}) do
    local data = item.user_data
    if type(data) == "table" and data.hunk and vim.api.nvim_buf_get_name(item.bufnr) == fname then
      local last = math.max(item.end_lnum or item.lnum, item.lnum)
      if row >= item.lnum and row <= last then
        return data
      end
    end
  end
  return nil
end

---Undo one hunk, one file or the whole turn.
---@param chat tether.ChatSession|nil
---@param turn_id string
---@param path string|nil
---@param hunk string|nil
---@param done fun(result: table|nil)|nil
function M.undo(chat, turn_id, path, hunk, done)
  local c
  chat, c = chat_and_client(chat)
  if not chat or not c then
    return
  end
  local params = { sessionId = chat.session_id, turnId = turn_id, path = path, hunk = hunk }
  client.request(c, types.methods.changes_undo, params, function(err, result)
    if err then
      log.notify("undo failed: " .. client.error_message(err), vim.log.levels.ERROR)
      return done and done(nil)
    end
    for _, conflict in ipairs(result.conflicts or {}) do
      log.notify(("not undone: %s: %s"):format(conflict.path, conflict.reason), vim.log.levels.WARN)
    end
    if #(result.undone or {}) > 0 and M.shown and M.shown.turn_id == turn_id then
      M.list(turn_id, chat) -- refresh the states
    end
    if done then
      done(result)
    end
  end)
end

---Keymap: undo the hunk under the cursor.
function M.undo_at_cursor()
  local data = M.hunk_at_cursor()
  if not data then
    return log.notify("no agent hunk under the cursor (run :TetherChanges)", vim.log.levels.INFO)
  end
  M.undo(M.shown and M.shown.chat, data.turn_id, data.path, data.hunk)
end

---Keymap: keep the hunk under the cursor (it stays; it leaves the review list).
function M.keep_at_cursor()
  local data = M.hunk_at_cursor()
  if not data then
    return log.notify("no agent hunk under the cursor (run :TetherChanges)", vim.log.levels.INFO)
  end
  local info = vim.fn.getqflist({ items = 0, title = 0 })
  local kept = vim.tbl_filter(function(item)
    return not (type(item.user_data) == "table" and item.user_data.hunk == data.hunk)
  end, info.items)
  vim.fn.setqflist({}, "r", { title = info.title, items = kept })
end

---Set the keep/undo keymaps in the loaded buffers of `files`.
---@param files table[]
function M.map_buffers(files)
  local keys = require("tether.config").options.changes.keymaps
  for _, file in ipairs(files) do
    local buf = vim.fn.bufnr(vim.uri_to_fname(file.uri))
    if buf > 0 and vim.api.nvim_buf_is_loaded(buf) then
      if keys.undo then
        vim.keymap.set("n", keys.undo, M.undo_at_cursor, { buffer = buf, desc = "Tether: undo this hunk" })
      end
      if keys.keep then
        vim.keymap.set("n", keys.keep, M.keep_at_cursor, { buffer = buf, desc = "Tether: keep this hunk" })
      end
    end
  end
end

---:TetherRewind [turn]: restore the files of that turn (default: the chat's last turn)
---and every later one; conflicts go to the quickfix list.
---@param turn_id string|nil
---@param chat tether.ChatSession|nil
---@param done fun(result: table|nil)|nil
function M.rewind(turn_id, chat, done)
  local c
  chat, c = chat_and_client(chat)
  if not chat or not c then
    return
  end
  local turn = (turn_id and turn_id ~= "") and turn_id or chat.turn_id
  if not turn then
    return log.notify("nothing to rewind yet", vim.log.levels.INFO)
  end
  local params = { sessionId = chat.session_id, turnId = turn }
  client.request(c, types.methods.session_rewind, params, function(err, result)
    if err then
      log.notify("rewind failed: " .. client.error_message(err), vim.log.levels.ERROR)
      return done and done(nil)
    end
    local msg = ("rewound %d turn(s): %d file(s) restored"):format(
      #(result.rewoundTurnIds or {}),
      #(result.restored or {})
    )
    if #(result.conflicts or {}) > 0 then
      local items = {}
      for _, conflict in ipairs(result.conflicts) do
        table.insert(items, {
          filename = vim.fs.joinpath(chat.root, conflict.path),
          lnum = 1,
          text = "left as it is: " .. conflict.reason,
          type = "W",
        })
      end
      vim.fn.setqflist({}, " ", { title = "Tether rewind conflicts", items = items })
      msg = msg .. (", %d left untouched (see the quickfix list)"):format(#result.conflicts)
    end
    vim.cmd("checktime") -- closed files were restored on disk
    log.notify(msg)
    if done then
      done(result)
    end
  end)
end

return M
