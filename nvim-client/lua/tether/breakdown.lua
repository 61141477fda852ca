---:TetherContext: what the next request of a session would contain (the answer of
---`tether/session/context`), as lines in a floating window; `q` closes it.
local turn = require("tether.turn")

local M = {}

local LABELS = {
  system = "System",
  tools = "Tools",
  rules = "Project rules",
  pins = "Pinned",
  summary = "Summary",
  messages = "Messages",
}

local ITEM_LIMIT = 12

---@param ctx table ContextResult
---@return string[]
function M.lines(ctx)
  local t = turn.tokens
  local out = {
    ("Next request: %s of %s tokens budget (window %s, policy %s)"):format(
      t(ctx.totalTokens or 0),
      t(ctx.budgetTokens or 0),
      t(ctx.contextWindow or 0),
      tostring(ctx.policy)
    ),
    "",
  }
  for _, section in ipairs(ctx.sections or {}) do
    local note = ""
    if section.name == "summary" and (section.tokens or 0) > 0 then
      note = (" (stands in for %d older messages)"):format(ctx.summarizedMessages or 0)
    elseif section.name == "messages" then
      local notes = {}
      if (ctx.stubbedOutputs or 0) > 0 then
        table.insert(notes, ("%d old tool outputs stubbed"):format(ctx.stubbedOutputs))
      end
      if (ctx.droppedMessages or 0) > 0 then
        table.insert(notes, ("%d left out to fit"):format(ctx.droppedMessages))
      end
      note = #notes > 0 and (" (" .. table.concat(notes, ", ") .. ")") or ""
    end
    table.insert(out, ("%-14s %8s%s"):format(LABELS[section.name] or section.name, t(section.tokens or 0), note))
    if section.name == "rules" or section.name == "pins" then
      for i, item in ipairs(section.items or {}) do
        if i > ITEM_LIMIT then
          table.insert(out, ("  … %d more"):format(#section.items - ITEM_LIMIT))
          break
        end
        table.insert(out, ("  %-30s %8s"):format(item.label, t(item.tokens or 0)))
      end
    end
  end
  if ctx.canContinue then
    table.insert(out, "")
    local hint = turn.continue_hint():gsub("^_", ""):gsub("_$", "")
    table.insert(out, hint)
  end
  return out
end

---@param ctx table ContextResult
---@return integer buf, integer win
function M.show(ctx)
  local lines = M.lines(ctx)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].bufhidden = "wipe"
  vim.b[buf].tether_context = true
  local width = 20
  for _, l in ipairs(lines) do
    width = math.max(width, vim.fn.strdisplaywidth(l))
  end
  width = math.min(width + 2, math.max(vim.o.columns - 4, 20))
  local height = math.min(#lines, math.max(vim.o.lines - 6, 3))
  local win = vim.api.nvim_open_win(buf, true, {
    relative = "editor",
    row = math.floor((vim.o.lines - height) / 2),
    col = math.floor((vim.o.columns - width) / 2),
    width = width,
    height = height,
    style = "minimal",
    border = require("tether.config").options.chat.border,
    title = " Tether context ",
  })
  vim.keymap.set("n", "q", "<cmd>close<cr>", { buffer = buf, desc = "close" })
  return buf, win
end

return M
