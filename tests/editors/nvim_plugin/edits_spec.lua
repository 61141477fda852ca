-- workspace/applyEdit: a stale edit is refused (never applied over unseen text); a
-- current one is applied to the buffer by Neovim's handler, unsaved and undoable.
local h = dofile(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)) .. "/harness.lua")
local edits = require("tether.edits")

local path = vim.fn.tempname() .. ".py"
vim.fn.writefile({ "a = 1", "b = 2" }, path)
vim.cmd("edit " .. path)
local buf = vim.api.nvim_get_current_buf()
local uri = vim.uri_from_fname(path)

local function edit_for(version)
  return {
    documentChanges = {
      {
        textDocument = { uri = uri, version = version },
        edits = { { range = { start = { line = 0, character = 4 }, ["end"] = { line = 0, character = 5 } }, newText = "10" } },
      },
    },
  }
end

-- a client for the handler's ctx (Neovim's handler looks up its offset encoding)
local client_id = vim.lsp.start({ name = "tether-test", cmd = { "cat" }, root_dir = vim.fn.getcwd() }, { attach = false })
-- An attached buffer's version is its changedtick (what the server saw in didChange); the
-- stand-in client never initializes, so keep the version as an initialized one would.
vim.api.nvim_buf_attach(buf, false, {
  on_lines = function(_, b, tick)
    vim.lsp.util.buf_versions[b] = tick
  end,
})

local function undo_break()
  vim.o.undolevels = vim.o.undolevels
end

h.test("an edit for an older version of an open buffer is refused with a reason", function()
  vim.api.nvim_buf_set_lines(buf, 1, 2, false, { "b = 3" }) -- the user types
  undo_break()
  local current = vim.lsp.util.buf_versions[buf]
  local reason = edits.stale_reason(edit_for(current - 1))
  h.truthy(reason and reason:find("changed in the editor", 1, true), tostring(reason))
  local result = edits.apply(nil, { edit = edit_for(current - 1) }, { client_id = client_id })
  h.eq(false, result.applied)
  h.eq({ "a = 1", "b = 3" }, h.buf_lines(buf), "nothing applied")
end)

h.test("a current edit is applied to the buffer, not the disk, and undoes", function()
  local current = vim.lsp.util.buf_versions[buf]
  h.eq(nil, edits.stale_reason(edit_for(current)))
  local result = edits.apply(nil, { edit = edit_for(current) }, { client_id = client_id })
  h.eq(true, result.applied)
  h.eq({ "a = 10", "b = 3" }, h.buf_lines(buf))
  h.eq({ "a = 1", "b = 2" }, vim.fn.readfile(path))
  vim.cmd("normal! u")
  h.eq({ "a = 1", "b = 3" }, h.buf_lines(buf))
end)

h.test("unversioned edits and files not loaded are left to Neovim", function()
  h.eq(nil, edits.stale_reason(edit_for(vim.NIL)))
  h.eq(nil, edits.stale_reason({ changes = {} }))
  local other = vim.uri_from_fname(vim.fn.tempname() .. ".py")
  h.eq(nil, edits.stale_reason({ documentChanges = { { textDocument = { uri = other, version = 1 }, edits = {} } } }))
  h.eq(-1, vim.fn.bufnr(vim.uri_to_fname(other)), "no buffer created by the check")
end)

vim.lsp.stop_client(client_id, true)
h.finish()
