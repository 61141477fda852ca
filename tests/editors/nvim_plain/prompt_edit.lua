-- Plain `vim.lsp.start`, no plugin: open a buffer, change it without saving, prompt Tether
-- through `tether/session/prompt`, and record what happened for the pytest side.
local ws = assert(os.getenv("TETHER_TEST_WS"))
local out = assert(os.getenv("TETHER_TEST_OUT"))
local python = assert(os.getenv("TETHER_TEST_PYTHON"))
local report = { events = 0, types = {} }

local function finish()
  vim.fn.writefile({ vim.json.encode(report) }, out)
  vim.cmd("qa!")
end

vim.cmd.edit(vim.fn.fnameescape(ws .. "/app.py"))
local buf = vim.api.nvim_get_current_buf()

local client_id = vim.lsp.start({
  name = "tether",
  cmd = { python, "-m", "tether", "serve" },
  root_dir = ws,
  settings = { tether = { titleGeneration = false } },
  handlers = {
    ["tether/session/event"] = function(_, params)
      report.events = report.events + 1
      table.insert(report.types, params.event.type)
    end,
  },
}, { bufnr = buf })

local ok = vim.wait(30000, function()
  local c = vim.lsp.get_client_by_id(client_id)
  return c ~= nil and c.initialized == true
end, 20)
if not ok then
  report.error = "client did not initialize"
  return finish()
end
local client = assert(vim.lsp.get_client_by_id(client_id))
report.offset_encoding = client.offset_encoding

-- an unsaved change the disk does not have (non-ASCII to exercise the position encoding)
vim.api.nvim_buf_set_lines(buf, 2, 2, false, { "z = 'ü😀'" })

local done = false
client:request("tether/session/create", { folderUri = vim.uri_from_fname(ws) }, function(err, res)
  if err then
    report.error = err
    done = true
    return
  end
  report.session_id = res.sessionId
  client:request("tether/session/prompt", { sessionId = res.sessionId, text = "make y 20" },
    function(err2, res2)
      report.error = err2
      report.result = res2
      done = true
    end, buf)
end, buf)

vim.wait(60000, function() return done end, 20)
-- the edit reaches the buffer before the prompt answers; read it now
report.lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
report.modified = vim.bo[buf].modified

client:stop()
vim.wait(10000, function() return client:is_stopped() end, 20)
finish()
