---:TetherSessions: the workspace's session history through vim.ui.select (so any picker
---works): open a transcript, rename, delete, fork, export.
local chat = require("tether.chat")
local client = require("tether.client")
local log = require("tether.log")

local M = {}

---@param iso string|nil
---@return string
local function when(iso)
  if type(iso) ~= "string" then
    return ""
  end
  return (iso:gsub("T", " "):gsub("%..*$", ""):gsub("[Z+].*$", ""))
end

---@param s table SessionSummary
---@return string
function M.format(s)
  local title = (s.title and s.title ~= "") and s.title or "(untitled)"
  return ("%s  ·  %s  ·  %d messages"):format(title, when(s.updatedAt), s.messageCount or 0)
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
---@param cb fun(chat: tether.Chat)|nil
function M.open(root, session_id, cb)
  with_client(root, function(c)
    call(c, "tether/session/load", { sessionId = session_id }, function(result)
      local opened = chat.open_loaded(root, result)
      opened.client_id = c.id
      -- Events after the snapshot (a turn still running) arrive again from its lastSeq.
      local params = { sessionId = session_id, fromSeq = math.max(opened.last_seq, 0) }
      client.request(c, "tether/session/replay", params, function() end)
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
      call(c, "tether/session/rename", { sessionId = s.id, title = title }, function()
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
      call(c, "tether/session/delete", { sessionId = s.id }, function()
        chat.forget_session(s.id)
        log.notify("session deleted")
      end)
    end)
  end,
  Fork = function(root, c, s)
    call(c, "tether/session/fork", { sessionId = s.id }, function(result)
      M.open(root, result.sessionId)
    end)
  end,
  Export = function(_, c, s)
    call(c, "tether/session/export", { sessionId = s.id, format = "markdown" }, function(result)
      vim.cmd("botright new")
      local buf = vim.api.nvim_get_current_buf()
      vim.bo[buf].buftype = "nofile"
      vim.bo[buf].bufhidden = "wipe"
      vim.bo[buf].filetype = "markdown"
      vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(result.content or "", "\n", { plain = true }))
    end)
  end,
}

M.action_names = { "Open", "Rename", "Delete", "Fork", "Export" }

---:TetherSessions: pick a session of the current workspace, then what to do with it.
---@param opts {root: string|nil, query: string|nil}|nil
function M.pick(opts)
  opts = opts or {}
  local root = opts.root or client.root_for(0)
  with_client(root, function(c)
    local params = { folderUri = client.folder_uri(root), limit = 200, query = opts.query }
    call(c, "tether/session/list", params, function(result)
      local sessions = result.sessions or {}
      if #sessions == 0 then
        return log.notify("no sessions in " .. vim.fn.fnamemodify(root, ":~"))
      end
      vim.ui.select(sessions, {
        prompt = "Tether sessions",
        kind = "tether_session",
        format_item = M.format,
      }, function(s)
        if not s then
          return
        end
        local opts = { prompt = M.format(s), kind = "tether_session_action" }
        vim.ui.select(M.action_names, opts, function(action)
          if action and M.actions[action] then
            M.actions[action](root, c, s)
          end
        end)
      end)
    end)
  end)
end

return M
