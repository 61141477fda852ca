---A statusline component: the chat's state and its session's token count. Works in any
---statusline: `%{v:lua.require'tether.statusline'.status()}`; `User TetherStatus` fires
---on every change (lualine and friends can refresh on it).
local M = {}

local LABELS = {
  idle = "idle",
  starting = "starting",
  running = "running",
  waiting = "needs permission",
  cancelling = "stopping",
}

---@param n integer
---@return string
local function tokens(n)
  if n >= 1000000 then
    return ("%.1fM"):format(n / 1000000)
  elseif n >= 1000 then
    return ("%.1fk"):format(n / 1000)
  end
  return tostring(n)
end

---The state of the current chat (the current buffer's, else the last one used).
---@return {state: string, tokens: integer, cost: number|nil, title: string, session_id: string|nil}|nil
function M.state()
  local ok, chat_mod = pcall(require, "tether.chat")
  if not ok then
    return nil
  end
  local chat = chat_mod.get(nil, nil)
  if not chat then
    return nil
  end
  local usage = chat.usage or {}
  local total = usage.totalTokens or ((usage.promptTokens or 0) + (usage.completionTokens or 0))
  return {
    state = chat.state,
    tokens = total,
    cost = chat.session_cost,
    title = chat.title,
    session_id = chat.session_id,
  }
end

---@param dollars number
---@return string e.g. "$0.0042", "$1.23"
function M.cost(dollars)
  return dollars >= 1 and ("$%.2f"):format(dollars) or ("$%.4f"):format(dollars)
end

---@return string e.g. "Tether: running · $0.0042 · 1.2k tok" ("" when there is no chat);
---the cost only for a model with a price
function M.status()
  local s = M.state()
  if not s then
    return ""
  end
  local text = "Tether: " .. (LABELS[s.state] or s.state)
  if s.cost then
    text = text .. " · " .. M.cost(s.cost)
  end
  if s.tokens > 0 then
    text = text .. " · " .. tokens(s.tokens) .. " tok"
  end
  return text
end

---The same text with its highlight group, for 'statusline' strings:
---`%{%v:lua.require'tether.statusline'.statusline()%}`.
---@return string
function M.statusline()
  local s = M.state()
  local text = M.status()
  if not s or text == "" then
    return ""
  end
  local group = s.state == "idle" and "TetherStatusIdle" or "TetherStatusRunning"
  return ("%%#%s#%s%%*"):format(group, text:gsub("%%", "%%%%"))
end

return M
