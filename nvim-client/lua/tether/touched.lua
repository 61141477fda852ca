---The files a turn changed, listed at its end (issue 15, Neovim 4). The list names each
---file (relative to the current directory, so `gf` on it opens it), marks the ones the
---server wrote to disk (a file not open in the editor is never left in a hidden buffer),
---the ones with unsaved changes and the ones not shown in any window.
local M = {}

---@param uri string
---@return integer|nil bufnr of the loaded buffer for the file
local function loaded_buffer(uri)
  local ok, buf = pcall(vim.uri_to_bufnr, uri)
  if ok and vim.api.nvim_buf_is_loaded(buf) then
    return buf
  end
  return nil
end

---The note's lines for the applied edits of `turn_id`, or nil when it changed nothing.
---@param edits table[] the chat's file_edited events
---@param turn_id string|nil
---@return string|nil
function M.note(edits, turn_id)
  local seen, rows, unsaved = {}, {}, 0
  for _, e in ipairs(edits) do
    if e.applied and e.uri and (turn_id == nil or e.turn_id == turn_id) and not seen[e.uri] then
      seen[e.uri] = true
      local path = vim.fn.fnamemodify(vim.uri_to_fname(e.uri), ":~:.")
      local marks = {}
      if e.target == "disk" then
        table.insert(marks, "written to disk")
      end
      local buf = loaded_buffer(e.uri)
      if buf and vim.bo[buf].modified then
        unsaved = unsaved + 1
        table.insert(marks, "unsaved")
        if #vim.fn.win_findbuf(buf) == 0 then
          table.insert(marks, "not open")
        end
      end
      table.insert(rows, ("- `%s`%s"):format(path, #marks > 0 and (" (" .. table.concat(marks, ", ") .. ")") or ""))
    end
  end
  if #rows == 0 then
    return nil
  end
  local head = unsaved > 0
      and ("**Files changed** (%d unsaved: `gf` on a name opens it, `:wall` saves them all):"):format(unsaved)
    or "**Files changed** (`gf` on a name opens it):"
  return head .. "\n" .. table.concat(rows, "\n")
end

return M
