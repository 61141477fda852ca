---:TetherSessions: the workspace's session history through vim.ui.select (so any picker
---works), each row with its first prompt line, model, counts, files touched and a mark
---for a failed, stopped or empty session: open a transcript, list its files, rename,
---delete, fork, export, archive. With words, the
---sessions whose messages, tool output or file paths contain them (tether/session/search),
---each shown with the text that matched; with !, archived sessions too.
local chat = require("tether.chat")
local client = require("tether.client")
local log = require("tether.log")
local types = require("tether.types")

local M = {}

---@param iso string|nil
---@return string
local function when(iso)
  if type(iso) ~= "string" then
    return ""
  end
  return (iso:gsub("T", " "):gsub("%..*$", ""):gsub("[Z+].*$", ""))
end

---The snippet of a search hit with its matches in «» (a picker line has no highlights).
---@param hit table SessionSearchHit
---@return string
function M.marked_snippet(hit)
  local text, out, at = hit.snippet or "", {}, 0
  for _, range in ipairs(hit.highlights or {}) do
    -- highlights count characters; Lua strings count bytes
    local from = vim.str_byteindex(text, "utf-32", range[1], false)
    local to = vim.str_byteindex(text, "utf-32", range[2], false)
    table.insert(out, text:sub(at + 1, from) .. "«" .. text:sub(from + 1, to) .. "»")
    at = to
  end
  table.insert(out, text:sub(at + 1))
  return table.concat(out)
end

---How a row names the end of its newest turn (issue 15: tell same-titled sessions apart);
---a completed turn is not marked.
M.outcome_marks = { failed = "failed", cancelled = "stopped", step_limit = "step limit", unfinished = "unfinished" }

---The first prompt line, unless the title already is it (titles are often made from it).
---@param s table
---@return string|nil
local function prompt_besides_title(s)
  local prompt = vim.trim(s.firstPrompt or "")
  local title = vim.trim(s.title or ""):gsub("…$", "")
  if prompt == "" or (title ~= "" and vim.startswith(prompt:lower(), title:lower())) then
    return nil
  end
  return prompt
end

---`Fix add function  [failed]  ·  “The add function subtracts”  ·  gpt-4.1  ·  4 messages
---·  3 files  ·  2026-12-01 10:00`; search hits show the text that matched instead.
---@param s table SessionSummary, or a search hit as a row (see M.pick)
---@return string
function M.format(s)
  local title = (s.title and s.title ~= "") and s.title or "(untitled)"
  local marks = {}
  if s.archived then
    table.insert(marks, "archived")
  end
  if s.messageCount == 0 then
    table.insert(marks, "empty")
  end
  table.insert(marks, M.outcome_marks[s.lastTurn])
  local head = #marks > 0 and ("%s  [%s]"):format(title, table.concat(marks, ", ")) or title
  if s.hit then
    return ("%s  ·  %s"):format(head, M.marked_snippet(s.hit))
  end
  local parts = { head }
  local prompt = prompt_besides_title(s)
  if prompt then
    table.insert(parts, "“" .. prompt .. "”")
  end
  local model = (s.model or ""):gsub("^[^/]*/", "")
  if model ~= "" then
    table.insert(parts, model)
  end
  local count = s.messageCount or 0
  table.insert(parts, ("%d message%s"):format(count, count == 1 and "" or "s"))
  local files = s.fileCount or 0
  if files > 0 then
    table.insert(parts, ("%d file%s"):format(files, files == 1 and "" or "s"))
  end
  table.insert(parts, when(s.updatedAt))
  return table.concat(parts, "  ·  ")
end

---The action picker's prompt: the row, and why the last turn did not complete.
---@param s table
---@return string
function M.detail(s)
  local reason = s.lastTurnReason or ""
  if M.outcome_marks[s.lastTurn] and reason ~= "" then
    return ("%s  —  %s: %s"):format(M.format(s), M.outcome_marks[s.lastTurn], reason)
  end
  return M.format(s)
end

---@param root string
---@param cb fun(c: vim.lsp.Client)
local function with_client(root, cb)
  local c = client.ensure(root)
  if not c then
    return
  end
  cb(c)
end

---@param c vim.lsp.Client
---@param method string
---@param params table
---@param cb fun(result: any)
local function call(c, method, params, cb)
  client.request(c, method, params, function(err, result)
    if err then
      return log.notify(("%s failed: %s"):format(method, client.error_message(err)), vim.log.levels.ERROR)
    end
    cb(result)
  end)
end

---Load a session into a chat buffer.
---@param root string
---@param session_id string
---@param cb fun(chat: tether.ChatSession)|nil
function M.open(root, session_id, cb)
  with_client(root, function(c)
    call(c, types.methods.session_load, { sessionId = session_id }, function(result)
      local opened = chat.open_loaded(root, result)
      opened.client_id = c.id
      -- Events after the snapshot (a turn still running) arrive again from its lastSeq.
      local params = { sessionId = session_id, fromSeq = math.max(opened.last_seq, 0) }
      client.request(c, types.methods.session_replay, params, function() end)
      if cb then
        cb(opened)
      end
    end)
  end)
end

---@type table<string, fun(root: string, c: vim.lsp.Client, s: table)>
M.actions = {
  Open = function(root, _, s)
    M.open(root, s.id)
  end,
  Rename = function(_, c, s)
    vim.ui.input({ prompt = "New title: ", default = s.title or "" }, function(title)
      if not title or vim.trim(title) == "" then
        return
      end
      title = vim.trim(title)
      call(c, types.methods.session_rename, { sessionId = s.id, title = title }, function()
        local open = chat.find_session(s.id)
        if open then
          open:set_title(title)
        end
        log.notify(("renamed to %q"):format(title))
      end)
    end)
  end,
  Delete = function(_, c, s)
    vim.ui.select({ "Delete", "Keep" }, {
      prompt = ("Delete %q for good?"):format(s.title ~= "" and s.title or s.id),
      kind = "tether_confirm",
    }, function(answer)
      if answer ~= "Delete" then
        return
      end
      call(c, types.methods.session_delete, { sessionId = s.id }, function()
        chat.forget_session(s.id)
        log.notify("session deleted")
      end)
    end)
  end,
  Fork = function(root, c, s)
    call(c, types.methods.session_fork, { sessionId = s.id }, function(result)
      M.open(root, result.sessionId)
    end)
  end,
  Archive = function(_, c, s)
    call(c, types.methods.session_archive, { sessionId = s.id, archived = true }, function()
      log.notify("session archived (:TetherSessions! lists it)")
    end)
  end,
  Unarchive = function(_, c, s)
    call(c, types.methods.session_archive, { sessionId = s.id, archived = false }, function()
      log.notify("session unarchived")
    end)
  end,
  Export = function(_, c, s)
    call(c, types.methods.session_export, { sessionId = s.id, format = "markdown" }, function(result)
      vim.cmd("botright new")
      local buf = vim.api.nvim_get_current_buf()
      vim.bo[buf].buftype = "nofile"
      vim.bo[buf].bufhidden = "wipe"
      vim.bo[buf].filetype = "markdown"
      vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(result.content or "", "\n", { plain = true }))
    end)
  end,
}

M.action_names = { "Open", "Rename", "Delete", "Fork", "Export", "Archive" }

---Files: the files the session's edits touched (the listing has up to 50 names); pick
---one to open it.
M.actions.Files = function(root, _, s)
  local files = s.filesTouched or {}
  local more = (s.fileCount or #files) - #files
  local prompt = ("Files touched (%d)%s"):format(s.fileCount or #files, more > 0 and (", %d not listed"):format(more) or "")
  vim.ui.select(files, { prompt = prompt, kind = "tether_session_file" }, function(path)
    if path then
      local full = path:sub(1, 1) == "/" and path or vim.fs.joinpath(root, path)
      vim.cmd.edit(vim.fn.fnameescape(full))
    end
  end)
end

---@param s table
---@return string[]
local function actions_for(s)
  local names = vim.tbl_map(function(name)
    return (s.archived and name == "Archive") and "Unarchive" or name
  end, M.action_names)
  if #(s.filesTouched or {}) > 0 then
    table.insert(names, 2, "Files")
  end
  return names
end

---The rows to pick from: the listing, or the sessions a full-text search finds.
---@param c vim.lsp.Client
---@param root string
---@param opts {search: string|nil, archived: boolean|nil}
---@param cb fun(rows: table[])
local function rows(c, root, opts, cb)
  local folder = client.folder_uri(root)
  if opts.search and vim.trim(opts.search) ~= "" then
    local params = { folderUri = folder, query = opts.search, limit = 50, includeArchived = opts.archived == true }
    return call(c, types.methods.session_search, params, function(result)
      -- Hits carry no listing fields: the listing's rows give them their marks and files.
      local listed = { folderUri = folder, limit = 200, includeArchived = opts.archived == true }
      call(c, types.methods.session_list, listed, function(page)
        local by_id = {}
        for _, row in ipairs(page.sessions or {}) do
          by_id[row.id] = row
        end
        cb(vim.tbl_map(function(hit)
          local row = vim.deepcopy(by_id[hit.sessionId] or {})
          row.id, row.title, row.archived, row.hit = hit.sessionId, hit.title, hit.archived, hit
          return row
        end, result.hits or {}))
      end)
    end)
  end
  local params = { folderUri = folder, limit = 200, query = opts.query, includeArchived = opts.archived == true }
  call(c, types.methods.session_list, params, function(result)
    cb(result.sessions or {})
  end)
end

---:TetherSessions[!] [words]: pick a session of the current workspace, then what to do
---with it. `search` (the words) searches every session's text; `archived` (the !) shows
---archived sessions too.
---@param opts {root: string|nil, query: string|nil, search: string|nil, archived: boolean|nil}|nil
function M.pick(opts)
  opts = opts or {}
  local root = opts.root or client.root_for(0)
  with_client(root, function(c)
    rows(c, root, opts, function(sessions)
      if #sessions == 0 then
        local what = opts.search and ("no sessions mention %q"):format(opts.search) or "no sessions"
        return log.notify(what .. " in " .. vim.fn.fnamemodify(root, ":~"))
      end
      vim.ui.select(sessions, {
        prompt = "Tether sessions",
        kind = "tether_session",
        format_item = M.format,
      }, function(s)
        if not s then
          return
        end
        local opts = { prompt = M.detail(s), kind = "tether_session_action" }
        vim.ui.select(actions_for(s), opts, function(action)
          if action and M.actions[action] then
            M.actions[action](root, c, s)
          end
        end)
      end)
    end)
  end)
end

return M
