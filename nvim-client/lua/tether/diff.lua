---:TetherDiff: the unified diffs of the agent's last edits (from `file_edited` events) in a
---scratch `diff` buffer, so they can be read, searched and yanked.
local log = require("tether.log")

local M = {}

---@param edits table[]
---@return string[]
function M.lines(edits)
  local lines = {}
  for _, e in ipairs(edits) do
    if e.applied == false then
      table.insert(lines, ("# not applied: %s"):format(e.message or "refused"))
    end
    local text = (e.diff or ""):gsub("\n$", "")
    vim.list_extend(lines, vim.split(text, "\n", { plain = true }))
  end
  return lines
end

---@param chat tether.ChatSession|nil prefer this chat's last turn with edits
function M.show(chat)
  local edits = require("tether.chat").last_edits
  if chat and #chat.edits > 0 then
    local last = chat.edits[#chat.edits].turn_id
    edits = vim.tbl_filter(function(e)
      return e.turn_id == last
    end, chat.edits)
  end
  if #edits == 0 then
    return log.notify("the agent has not edited anything yet", vim.log.levels.INFO)
  end
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].swapfile = false
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, M.lines(edits))
  vim.bo[buf].filetype = "diff"
  vim.bo[buf].modifiable = false
  pcall(vim.api.nvim_buf_set_name, buf, "tether://diff")
  return buf
end

return M
