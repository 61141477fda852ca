---`@` completion in the chat buffer: an 'omnifunc' (<C-x><C-o>) asking the server
---(`tether/mention/complete`) for files, folders and symbols. A completed item is kept as a
---structured mention (`PromptContext.mentions`) and sent with the next prompt that still
---names it; `@tokens` typed by hand are resolved by the server too.
local M = {}

local TIMEOUT = 3000

---The `@token` ending at byte column `col` (0-based) of `line`: its start column and prefix.
---@param line string
---@param col integer
---@return integer|nil start 0-based column of the `@`
---@return string prefix
function M.token(line, col)
  local before = line:sub(1, col)
  local at, prefix = before:match("()@([%w%._/%-]*)$")
  if not at then
    return nil, ""
  end
  local prev = at > 1 and before:sub(at - 1, at - 1) or ""
  if prev:match("[%w@`]") then
    return nil, "" -- mail@example.com, not a mention
  end
  return at - 1, prefix
end

---Completion items (`:h complete-items`) for the server's MentionItems.
---@param items table[] MentionItem[]
---@return table[]
function M.complete_items(items)
  local out = {}
  for _, item in ipairs(items) do
    table.insert(out, {
      word = "@" .. item.insert,
      abbr = item.label,
      menu = item.detail,
      kind = ({ file = "f", folder = "d", symbol = "s" })[item.mention.kind] or "",
      user_data = { tether_mention = item.mention },
    })
  end
  return out
end

---'omnifunc' of chat buffers.
---@param findstart integer
---@param base string
---@return integer|table
function M.omnifunc(findstart, base)
  local buf = vim.api.nvim_get_current_buf()
  if findstart == 1 then
    local col = vim.api.nvim_win_get_cursor(0)[2]
    local start = M.token(vim.api.nvim_get_current_line(), col)
    return start or -3 -- -3: no completion here, leave completion mode
  end
  local client = require("tether.client")
  local root = vim.b[buf].tether_root or client.root_for(buf)
  local c = client.get(root) or client.ensure(root)
  if not c then
    return {}
  end
  local params = { folderUri = client.folder_uri(root), prefix = base:gsub("^@", ""), limit = 30 }
  local result = client.request_sync(c, require("tether.types").methods.mention_complete, params, TIMEOUT)
  return M.complete_items(result and result.items or {})
end

---Remember a completed mention for the buffer's next prompt (CompleteDone).
---@param buf integer
function M.on_complete_done(buf)
  local item = vim.v.completed_item or {}
  local data = type(item.user_data) == "table" and item.user_data or nil
  if data and data.tether_mention then
    local mention = vim.deepcopy(data.tether_mention)
    mention.name = item.word
    local list = vim.b[buf].tether_mentions or {}
    table.insert(list, mention)
    vim.b[buf].tether_mentions = list
  end
end

---The remembered mentions that `text` still names; the list is cleared.
---@param buf integer
---@param text string
---@return table[]
function M.take(buf, text)
  local kept = {}
  for _, m in ipairs(vim.b[buf].tether_mentions or {}) do
    if m.name and text:find(m.name, 1, true) then
      table.insert(kept, m)
    end
  end
  vim.b[buf].tether_mentions = {}
  return kept
end

---Set up a chat buffer: 'omnifunc' and the CompleteDone hook.
---@param buf integer
function M.attach(buf)
  vim.bo[buf].omnifunc = "v:lua.require'tether.mentions'.omnifunc"
  vim.api.nvim_create_autocmd("CompleteDone", {
    buffer = buf,
    callback = function()
      M.on_complete_done(buf)
    end,
  })
end

return M
