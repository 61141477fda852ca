---workspace/applyEdit with a staleness check. Neovim's own handler skips a document edit
---whose version is older than the buffer ("Buffer newer than edits") yet answers
---`applied = true`, so the server would believe an edit landed that did not. Refusing
---instead lets the server rebase the edit on the newer text (or report it), and nothing
---is ever applied over text the agent has not seen.
local M = {}

---@param uri string
---@return integer|nil bufnr of a loaded buffer for `uri` (never creates one)
local function loaded_buf(uri)
  local ok, fname = pcall(vim.uri_to_fname, uri)
  if not ok then
    return nil
  end
  local buf = vim.fn.bufnr(fname)
  if buf > 0 and vim.api.nvim_buf_is_loaded(buf) then
    return buf
  end
  return nil
end

---Why the edit must be refused, or nil when every versioned document is current.
---@param edit table WorkspaceEdit
---@return string|nil
function M.stale_reason(edit)
  for _, change in ipairs(type(edit) == "table" and edit.documentChanges or {}) do
    local doc = change.textDocument
    if doc and type(doc.version) == "number" and doc.version > 0 then
      local buf = loaded_buf(doc.uri)
      local current = buf and vim.lsp.util.buf_versions[buf]
      if current and current > doc.version then
        return ("%s changed in the editor (version %d, the edit was made for %d)"):format(
          vim.fn.fnamemodify(vim.uri_to_fname(doc.uri), ":~:."),
          current,
          doc.version
        )
      end
    end
  end
  return nil
end

---The workspace/applyEdit handler: refuse stale edits, else Neovim's own handler (which
---applies to buffers: unsaved, one undo step).
---@type lsp.Handler
function M.apply(err, params, ctx)
  local reason = params and M.stale_reason(params.edit)
  if reason then
    require("tether.log").info("refused a stale edit: %s", reason)
    return { applied = false, failureReason = reason }
  end
  return vim.lsp.handlers["workspace/applyEdit"](err, params, ctx)
end

return M
